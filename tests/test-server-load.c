/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include "server-helpers.h"

/* Many connections at once: the server must survive load. Nothing
 * here measures time: each test checks that things complete. */

static void
test_silent_connections (void)
{
  /* All from one address, which may hold that many here. */
  g_autoptr(TestServer) server = test_server_new ("\"MAX_CONNECTIONS_PER_IP\": 300");
  g_autoptr(GPtrArray) silent = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autofree char *room = NULL;

  test_raise_fd_limit ();
  test_server_start (server);

  /* 200 clients that connect and never send a byte ... */
  for (guint i = 0; i < 200; i++)
    g_ptr_array_add (silent, test_connect_tcp (server->host, server->port));

  /* ... do not keep real ones from their handshake, hello and chat. */
  room = test_pair (server, &ana, &pablo);
  g_assert_nonnull (room);

  /* Some that finish TLS and then say nothing, too */
  for (guint i = 0; i < 20; i++)
    {
      TestClient *client = test_client_new_for_server (server);

      g_ptr_array_add (silent, g_object_ref (client->connection));
      test_client_free (client);
    }
  g_clear_pointer (&ana, test_client_free);
  ana = test_client_hello (server, "Carla");
}

static void
test_thousand_connections (void)
{
  g_autoptr(TestServer) server = test_server_new ("\"MAX_CONNECTIONS_PER_IP\": 2000");
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) test_client_free);
  g_autoptr(GPtrArray) rooms = g_ptr_array_new_with_free_func (g_free);
  const guint n = 1000;

  test_raise_fd_limit ();
  test_server_start (server);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("user%u", i);

      g_ptr_array_add (clients, test_client_hello (server, name));
    }
  g_assert_true (test_server_wait_for_stat (server, "connections", n));
  g_assert_true (test_server_wait_for_stat (server, "active-threads", n));

  /* 500 rooms at once */
  for (guint i = 0; i < n; i += 2)
    {
      g_autoptr(RcFrame) create = test_frame_create ();
      g_autoptr(RcFrame) created = NULL;

      test_client_send (g_ptr_array_index (clients, i), create);
      created = test_client_expect (g_ptr_array_index (clients, i), RC_FRAME_CREATED);
      g_ptr_array_add (rooms, g_strdup (created->room));
    }
  for (guint i = 0; i < n; i += 2)
    {
      g_autoptr(RcFrame) join = test_frame_join (g_ptr_array_index (rooms, i / 2));

      test_client_send (g_ptr_array_index (clients, i + 1), join);
    }
  for (guint i = 0; i < n; i++)
    rc_frame_free (test_client_expect (g_ptr_array_index (clients, i), RC_FRAME_PAIRED));

  /* Every joiner writes, every creator answers. */
  for (guint i = 0; i < n; i += 2)
    {
      g_autoptr(RcFrame) message = test_frame_message (0, 200);

      test_client_send (g_ptr_array_index (clients, i + 1), message);
    }
  for (guint i = 0; i < n; i += 2)
    {
      g_autoptr(RcFrame) message = test_frame_message (0, 200);

      rc_frame_free (test_client_expect (g_ptr_array_index (clients, i), RC_FRAME_MESSAGE));
      test_client_send (g_ptr_array_index (clients, i), message);
    }
  for (guint i = 0; i < n; i += 2)
    {
      rc_frame_free (test_client_expect (g_ptr_array_index (clients, i + 1), RC_FRAME_RELAYED));
      rc_frame_free (test_client_expect (g_ptr_array_index (clients, i + 1), RC_FRAME_MESSAGE));
      rc_frame_free (test_client_expect (g_ptr_array_index (clients, i), RC_FRAME_RELAYED));
    }
  g_assert_true (test_server_wait_for_stat (server, "messages-relayed", n));

  g_ptr_array_set_size (clients, 0);
  g_assert_true (test_server_wait_for_stat (server, "connections", 0));
  g_assert_true (test_server_wait_for_stat (server, "active-threads", 0));
}

/* One address cannot fill the server with connections that never log in:
 * past MAX_CONNECTIONS_PER_IP of them, the next is closed at once. */
static void
test_silent_per_address (void)
{
  g_autoptr(TestServer) server = test_server_new ("\"MAX_CONNECTIONS_PER_IP\": 8");
  g_autoptr(GPtrArray) silent = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketConnection) refused = NULL;
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(GError) error = NULL;
  char byte;

  test_server_start (server);

  for (guint i = 0; i < 8; i++)
    g_ptr_array_add (silent, test_connect_tcp (server->host, server->port));
  g_assert_true (test_server_wait_for_stat (server, "active-threads", 8));

  /* The ninth is closed without a word: its first read is the end. */
  refused = test_connect_tcp (server->host, server->port);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (refused)),
                                        &byte, 1, NULL, &error), <=, 0);

  /* Once they are gone, a client that logs in is let in again. */
  g_ptr_array_set_size (silent, 0);
  g_assert_true (test_server_wait_for_stat (server, "active-threads", 0));
  ana = test_client_hello (server, "Ana");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/load/silent-connections", test_silent_connections);
  g_test_add_func ("/server/load/silent-per-address", test_silent_per_address);
  g_test_add_func ("/server/load/thousand-connections", test_thousand_connections);

  return g_test_run ();
}
