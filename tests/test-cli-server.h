/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Starts and stops the real roomchat-server for the client's tests: on
 * 127.0.0.1, a free port, a temporary state folder, one configuration
 * file. Header-only: each test unit is one .c file. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#define TEST_PASSWORD "correct horse battery"
/* How long a server may take to start listening before a test gives up. */
#define TEST_SERVER_START_SECONDS 30

#ifndef RC_TEST_SERVER_PATH
#error "The client tests need roomchat-server: build it (-Dserver=true)"
#endif

typedef struct
{
  char        *config_path;
  char        *state_dir;
  guint16      port;
  GSubprocess *process;
} TestServer;

/* A port nobody listens on right now: bind port 0, read it, let it go. */
static inline guint16
test_free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static inline gboolean
test_server_accepts (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  if (connection == NULL)
    return FALSE;

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* A test that crashes must not leave its server behind. */
static inline void
test_server_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * test_server_start_with_env:
 * @folder: where the configuration and the state folder go
 * @state_name: the state folder's name inside @folder; another name gives
 *   another certificate
 * @port: 0 for a free one
 * @env: (nullable): %NULL-terminated "NAME=value" strings added to the
 *   server's environment, e.g. the test-only limits of docs/protocol.md
 *   section 5
 */
static inline TestServer *
test_server_start_with_env (const char         *folder,
                            const char         *state_name,
                            guint16             port,
                            const char * const *env)
{
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_name = g_strdup_printf ("server-%s.json", state_name);
  gint64 deadline;

  server->port = port != 0 ? port : test_free_port ();
  server->state_dir = g_build_filename (folder, state_name, NULL);
  server->config_path = g_build_filename (folder, config_name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (server->state_dir, 0700), ==, 0);

  config = g_strdup_printf ("{\n"
                            "  \"HOST_ADDRESS\": \"127.0.0.1\",\n"
                            "  \"HOST_PORT\": %u,\n"
                            "  \"SERVER_PASSWORD\": \"" TEST_PASSWORD "\",\n"
                            "  \"SERVER_NAME\": \"Test server\",\n"
                            "  \"STATE_DIR\": \"%s\",\n"
                            "  \"MAX_AUTH_FAILURES\": 3,\n"
                            "  \"BLOCK_SECONDS\": 600\n"
                            "}\n", server->port, server->state_dir);
  g_file_set_contents (server->config_path, config, -1, &error);
  g_assert_no_error (error);

  /* Its standard output would mix with the TAP stream: silence it; its log
   * goes to standard error, into the test log. */
  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

    g_subprocess_launcher_set_child_setup (launcher, test_server_child_setup, NULL, NULL);
    for (const char * const *entry = env; entry != NULL && *entry != NULL; entry++)
      {
        const char *equals = strchr (*entry, '=');
        g_autofree char *name = NULL;

        g_assert_nonnull (equals);
        name = g_strndup (*entry, equals - *entry);
        g_subprocess_launcher_setenv (launcher, name, equals + 1, TRUE);
      }
    server->process = g_subprocess_launcher_spawn (launcher, &error, RC_TEST_SERVER_PATH,
                                                   "--config", server->config_path, NULL);
  }
  g_assert_no_error (error);
  g_assert_nonnull (server->process);

  deadline = g_get_monotonic_time () + TEST_SERVER_START_SECONDS * G_USEC_PER_SEC;
  while (!test_server_accepts (server->port))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }

  return server;
}

/* test_server_start_with_env() with the server's usual limits. */
static inline TestServer *
test_server_start (const char *folder,
                   const char *state_name,
                   guint16     port)
{
  return test_server_start_with_env (folder, state_name, port, NULL);
}

static inline void
test_server_stop (TestServer *server)
{
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    return;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);

  g_object_unref (server->process);
  g_free (server->state_dir);
  g_free (server->config_path);
  g_free (server);
}

/* Removes a test's temporary folder and everything in it. */
static inline void
test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        test_remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}
