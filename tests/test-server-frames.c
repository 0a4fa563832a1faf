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

/* docs/protocol.md 2's JSON, the way an attacker tries it: each class of
 * invalid document before and after hello, then a client still gets in. */
static void
test_strict_json (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(GString) deep = g_string_new ("{\"type\":\"ping\",\"x\":");
  g_autoptr(GString) deep_closed = NULL;
  g_autoptr(TestClient) client = NULL;
  const char *bad[] = {
    /* numbers */
    "{\"type\":\"hello\",\"version\":01,\"name\":\"Ana\",\"password\":\"x\"}\n",
    "{\"type\":\"hello\",\"version\":0x1,\"name\":\"Ana\",\"password\":\"x\"}\n",
    "{\"type\":\"ping\",\"x\":-01}\n",
    "{\"type\":\"ping\",\"x\":2.}\n",
    "{\"type\":\"ping\",\"x\":.2e-3}\n",
    "{\"type\":\"ping\",\"x\":- 1}\n",
    "{\"type\":\"ping\",\"x\":+1}\n",
    /* escapes */
    "{\"type\":\"hello\",\"version\":1,\"name\":\"\\x41na\",\"password\":\"x\"}\n",
    "{\"type\":\"ping\",\"x\":\"\\U0041\"}\n",
    "{\"type\":\"ping\",\"x\":\"\\'\"}\n",
    "{\"type\":\"ping\",\"x\":\"\t\"}\n",
    "{\"type\":\"ping\",\"x\":\"\\u12\"}\n",
    "{\"type\":\"ping\",\"x\":\"\\ud800\"}\n",
    /* a NUL where the protocol reads a string */
    "{\"type\":\"hello\",\"version\":1,\"name\":\"Ana\",\"password\":\"" TEST_PASSWORD "\\u0000junk\"}\n",
    /* one object, each name once */
    "{\"type\":\"ping\",\"type\":\"ping\"}\n",
    "{\"type\":\"ping\",\"x\":{\"a\":1,\"a\":2}}\n",
    "{\"type\":\"ping\"}{}\n",
    /* integers in range */
    "{\"type\":\"message\",\"seq\":-1,\"ciphertext\":\"AAAA\"}\n",
    "{\"type\":\"message\",\"seq\":99999999999999999999,\"ciphertext\":\"AAAA\"}\n",
  };

  /* The line that used to take the whole server down, unclosed and closed */
  for (guint i = 0; i < 2300; i++)
    g_string_append_c (deep, '[');
  deep_closed = g_string_new (deep->str);
  g_string_append_c (deep, '\n');
  for (guint i = 0; i < 2300; i++)
    g_string_append_c (deep_closed, ']');
  g_string_append (deep_closed, "}\n");

  test_server_start (server);

  for (guint authenticate = 0; authenticate < 2; authenticate++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
        expect_bad_frame (server, authenticate, bad[i], strlen (bad[i]));
      expect_bad_frame (server, authenticate, deep->str, deep->len);
      expect_bad_frame (server, authenticate, deep_closed->str, deep_closed->len);
    }

  /* 16 levels (the frame, 14 arrays, an object) are allowed, and the
   * server is still there for everyone */
  client = test_client_hello (server, "Ana");
  send_raw (client, "{\"type\":\"ping\",\"x\":[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]}\n", 51);
  rc_frame_free (test_client_expect (client, RC_FRAME_PONG));
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
  g_test_add_func ("/server/frames/strict-json", test_strict_json);
  g_test_add_func ("/server/frames/half-frame", test_half_frame);
  g_test_add_func ("/server/frames/flood", test_flood);

  return g_test_run ();
}
