/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "server-helpers.h"

/* docs/protocol.md 2 against the real server: sizes, bad UTF-8 and JSON, floods. */

static void
send_raw (TestClient *client,
          const char *data,
          gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (client->output, data, length, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* A ping padded with an unknown member to exactly @total bytes, "\n" included. */
static char *
padded_ping (gsize total)
{
  const char *head = "{\"type\":\"ping\",\"pad\":\"";
  const char *tail = "\"}\n";
  gsize pad = total - strlen (head) - strlen (tail);
  GString *line = g_string_new (head);

  for (gsize i = 0; i < pad; i++)
    g_string_append_c (line, 'x');
  g_string_append (line, tail);
  g_assert_cmpuint (line->len, ==, total);
  return g_string_free (line, FALSE);
}

static void
test_sizes (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = NULL;
  g_autofree char *largest = padded_ping (65536);
  g_autofree char *too_long = padded_ping (65537);
  g_autoptr(RcFrame) pong = NULL;
  g_autoptr(RcFrame) error = NULL;

  test_server_start (server);
  client = test_client_hello (server, "Ana");

  send_raw (client, largest, strlen (largest));
  pong = test_client_expect (client, RC_FRAME_PONG);

  send_raw (client, too_long, strlen (too_long));
  error = test_client_expect_error (client, RC_PROTOCOL_ERROR_BAD_FRAME);
  test_client_expect_closed (client);
}

static void
test_endless_line (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = NULL;
  g_autoptr(RcFrame) error = NULL;
  char block[4096];

  test_server_start (server);
  client = test_client_hello (server, "Ana");

  /* Bytes without a newline: the server stops at 65,536. */
  memset (block, 'a', sizeof block);
  for (guint i = 0; i < 17; i++)
    send_raw (client, block, sizeof block);
  error = test_client_expect_error (client, RC_PROTOCOL_ERROR_BAD_FRAME);
  test_client_expect_closed (client);
}

static void
expect_bad_frame (TestServer *server,
                  gboolean    authenticate,
                  const char *data,
                  gsize       length)
{
  g_autoptr(TestClient) client = NULL;
  g_autoptr(RcFrame) error = NULL;

  client = authenticate ? test_client_hello (server, "Ana") : test_client_new_for_server (server);
  send_raw (client, data, length);
  error = test_client_expect_error (client, RC_PROTOCOL_ERROR_BAD_FRAME);
  test_client_expect_closed (client);
}

static void
test_bad_frames (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  const char *bad[] = {
    "not json\n",
    "{\"type\":\"ping\"\n",
    "[\"type\",\"ping\"]\n",
    "\"ping\"\n",
    "{}\n",
    "{\"type\":7}\n",
    "{\"type\":\"ping\"} {\"type\":\"ping\"}\n",
    "{'type':'ping'}\n",
    "{\"type\":\"message\",\"seq\":\"0\",\"ciphertext\":\"AAAA\"}\n",
    "{\"type\":\"message\",\"seq\":0,\"ciphertext\":\"AA\"}\n",
    "{\"type\":\"message\",\"seq\":0.5,\"ciphertext\":\"AAAA\"}\n",
    "{\"type\":\"create\",\"identity\":\"AAAA\",\"ephemeral\":\"AAAA\",\"signature\":\"AAAA\"}\n",
    "{\"type\":\"join\",\"room\":7,\"identity\":\"AAAA\",\"ephemeral\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"signature\":\"AAAA\"}\n",
  };
  const char invalid_utf8[] = "{\"type\":\"ping\",\"x\":\"\xc3\x28\"}\n";
  const char with_nul[] = "{\"type\":\"ping\"}\0\n";

  test_server_start (server);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    expect_bad_frame (server, TRUE, bad[i], strlen (bad[i]));
  expect_bad_frame (server, TRUE, invalid_utf8, sizeof invalid_utf8 - 1);
  expect_bad_frame (server, TRUE, with_nul, sizeof with_nul - 1);

  /* Before hello too */
  expect_bad_frame (server, FALSE, "nonsense\n", 9);
  expect_bad_frame (server, FALSE, "{\"type\":\"hello\",\"version\":\"1\",\"name\":\"Ana\",\"password\":\"x\"}\n", 60);
}

static void
test_half_frame (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autofree char *room = NULL;
  g_autoptr(RcFrame) peer_left = NULL;
  const char *half = "{\"type\":\"mess";

  test_server_start (server);
  room = test_pair (server, &ana, &pablo);

  /* Pablo ends in the middle of a frame: for Ana, he disconnected. */
  send_raw (pablo, half, strlen (half));
  g_clear_pointer (&pablo, test_client_free);
  peer_left = test_client_expect (ana, RC_FRAME_PEER_LEFT);
  g_assert_cmpstr (peer_left->reason, ==, "disconnected");
}

static void
test_flood (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = NULL;
  GString *burst = g_string_new (NULL);
  guint pongs = 0;
  guint limited = 0;

  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_FRAME_RATE", "1");
  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_FRAME_BURST", "5");
  test_server_start (server);
  client = test_client_hello (server, "Ana");

  for (guint i = 0; i < 20; i++)
    g_string_append (burst, "{\"type\":\"ping\"}\n");
  send_raw (client, burst->str, burst->len);
  g_string_free (burst, TRUE);

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(RcFrame) frame = test_client_read (client);

      if (frame->type == RC_FRAME_PONG)
        pongs++;
      else
        {
          g_assert_cmpstr (frame->code_name, ==, "rate-limited");
          g_assert_cmpint (frame->retry_after, >=, 1);
          limited++;
        }
    }

  /* The burst passes (the hello took one token), the rest is refused; the
   * connection stays. */
  g_assert_cmpuint (pongs, >=, 4);
  g_assert_cmpuint (limited, >=, 1);
  g_assert_cmpuint (pongs + limited, ==, 20);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/frames/sizes", test_sizes);
  g_test_add_func ("/server/frames/endless-line", test_endless_line);
  g_test_add_func ("/server/frames/bad-frames", test_bad_frames);
  g_test_add_func ("/server/frames/half-frame", test_half_frame);
  g_test_add_func ("/server/frames/flood", test_flood);

  return g_test_run ();
}
