/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "server-helpers.h"

/* docs/protocol.md 3.1 against the real server: hello, names, versions, wrong
 * passwords, blocking, capacity. */

static void
test_welcome (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = NULL;
  g_autoptr(RcFrame) hello = test_frame_hello ("  Ana  ", TEST_PASSWORD, 7);
  g_autoptr(RcFrame) welcome = NULL;
  g_autoptr(RcFrame) pong = NULL;

  test_server_start (server);
  client = test_client_new_for_server (server);

  /* A newer client is answered with the version the server will use:
   * 2, with how long it keeps a seat (RESUME_SECONDS, 60 by default). */
  test_client_send (client, hello);
  welcome = test_client_expect (client, RC_FRAME_WELCOME);
  g_assert_cmpint (welcome->version, ==, 2);
  g_assert_cmpint (welcome->resume_seconds, ==, 60);
  g_assert_cmpstr (welcome->server, ==, "Test server");

  test_client_send_line (client, "{\"type\":\"ping\"}");
  pong = test_client_expect (client, RC_FRAME_PONG);
}

static void
test_bad_name (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = NULL;
  g_autoptr(RcFrame) error = NULL;
  g_autoptr(RcFrame) welcome = NULL;
  g_autoptr(RcFrame) good = test_frame_hello ("Ana", TEST_PASSWORD, 1);
  const char *bad_hellos[] = {
    "{\"type\":\"hello\",\"version\":1,\"name\":\"   \",\"password\":\"" TEST_PASSWORD "\"}",
    "{\"type\":\"hello\",\"version\":1,\"name\":\"\",\"password\":\"" TEST_PASSWORD "\"}",
    "{\"type\":\"hello\",\"version\":1,\"name\":\"a\\u0007b\",\"password\":\"" TEST_PASSWORD "\"}",
    "{\"type\":\"hello\",\"version\":1,\"name\":\"123456789012345678901234567890123\",\"password\":\"wrong\"}",
  };

  test_server_start (server);
  client = test_client_new_for_server (server);

  /* bad-name counts no failure and the connection stays in auth. */
  for (guint i = 0; i < G_N_ELEMENTS (bad_hellos); i++)
    {
      g_autoptr(RcFrame) frame = NULL;

      test_client_send_line (client, bad_hellos[i]);
      frame = test_client_expect_error (client, RC_PROTOCOL_ERROR_BAD_NAME);
    }

  test_client_send (client, good);
  welcome = test_client_expect (client, RC_FRAME_WELCOME);
}

static void
test_unsupported_version (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) client = NULL;
  g_autoptr(RcFrame) hello = test_frame_hello ("Ana", TEST_PASSWORD, 0);
  g_autoptr(RcFrame) error = NULL;

  test_server_start (server);
  client = test_client_new_for_server (server);
  test_client_send (client, hello);
  error = test_client_expect_error (client, RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION);
  test_client_expect_closed (client);
}

static void
test_not_hello_first (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  const char *frames[] = {
    "{\"type\":\"ping\"}",
    "{\"type\":\"create\",\"identity\":\"AAAA\",\"ephemeral\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"signature\":\"AAAA\"}",
    "{\"type\":\"no-such-type\"}",
    "{\"type\":\"join\",\"room\":\"nope\",\"identity\":\"AAAA\",\"ephemeral\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"signature\":\"AAAA\"}",
  };

  test_server_start (server);

  /* In auth, anything but hello is bad-state and closes. */
  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autoptr(TestClient) client = test_client_new_for_server (server);
      g_autoptr(RcFrame) error = NULL;

      test_client_send_line (client, frames[i]);
      error = test_client_expect_error (client, RC_PROTOCOL_ERROR_BAD_STATE);
      test_client_expect_closed (client);
    }
}

static RcFrame *
hello_with (TestServer *server,
            const char *name,
            const char *password)
{
  g_autoptr(TestClient) client = test_client_new_for_server (server);
  g_autoptr(RcFrame) hello = test_frame_hello (name, password, 1);
  RcFrame *answer;

  test_client_send (client, hello);
  answer = test_client_read (client);
  if (answer->type == RC_FRAME_ERROR)
    test_client_expect_closed (client);
  return answer;
}

static void
expect_auth_failed (TestServer *server,
                    const char *name,
                    gint64      attempts_left)
{
  g_autoptr(RcFrame) answer = hello_with (server, name, "wrong");

  g_assert_cmpint (answer->type, ==, RC_FRAME_ERROR);
  g_assert_cmpstr (answer->code_name, ==, "auth-failed");
  g_assert_cmpint (answer->attempts_left, ==, attempts_left);
}

static void
expect_blocked (TestServer *server,
                const char *name,
                const char *password)
{
  g_autoptr(RcFrame) answer = hello_with (server, name, password);

  g_assert_cmpint (answer->type, ==, RC_FRAME_ERROR);
  g_assert_cmpstr (answer->code_name, ==, "blocked");
  g_assert_cmpint (answer->retry_after, >, 0);
  g_assert_cmpint (answer->retry_after, <=, 300);
  g_assert_cmpint (answer->attempts_left, ==, -1);
}

static void
test_wrong_password_and_block (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(RcFrame) welcome = NULL;
  g_autoptr(JsonObject) ips = NULL;
  g_autoptr(TestClient) bad_name = NULL;
  g_autoptr(RcFrame) blocked = NULL;
  JsonObject *entry;

  test_server_start (server);

  expect_auth_failed (server, "Mallory", 2);
  expect_auth_failed (server, "Mallory", 1);
  /* A correct password resets the count. */
  welcome = hello_with (server, "Mallory", TEST_PASSWORD);
  g_assert_cmpint (welcome->type, ==, RC_FRAME_WELCOME);

  expect_auth_failed (server, "Mallory", 2);
  expect_auth_failed (server, "Mallory", 1);
  expect_auth_failed (server, "Eve", 0);

  /* Blocked: even the right password gets "blocked" and nothing else. */
  expect_blocked (server, "Mallory", TEST_PASSWORD);
  expect_blocked (server, "Ana", "wrong");

  /* A hello whose name is bad, too */
  bad_name = test_client_new_for_server (server);
  test_client_send_line (bad_name, "{\"type\":\"hello\",\"version\":1,\"name\":\"\",\"password\":\"x\"}");
  blocked = test_client_expect_error (bad_name, RC_PROTOCOL_ERROR_BLOCKED);
  g_assert_cmpint (blocked->retry_after, >, 0);
  test_client_expect_closed (bad_name);

  g_assert_true (test_server_wait_for_stat (server, "blocked-ips", 1));
  test_server_stop (server);

  ips = test_server_read_json (server, "ips.json");
  g_assert_nonnull (ips);
  entry = json_object_get_object_member (json_object_get_object_member (ips, "127.0.0.1"), "Mallory");
  g_assert_cmpint (json_object_get_int_member (entry, "num-connections"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (entry, "num-wrong-credentials"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (entry, "blocked-times"), ==, 0);
  entry = json_object_get_object_member (json_object_get_object_member (ips, "127.0.0.1"), "Eve");
  g_assert_cmpint (json_object_get_int_member (entry, "num-connections"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (entry, "num-wrong-credentials"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (entry, "blocked-times"), ==, 1);
}

static void
test_block_survives_restart (void)
{
  g_autoptr(TestServer) server = test_server_new ("\"MAX_AUTH_FAILURES\": 2, \"BLOCK_SECONDS\": 3600");
  g_autoptr(RcFrame) answer = NULL;

  test_server_start (server);
  expect_auth_failed (server, "Mallory", 1);
  expect_auth_failed (server, "Mallory", 0);

  /* kill -9 right after the block: it was on disk before the answer. */
  test_server_kill (server);
  test_server_start (server);

  answer = hello_with (server, "Mallory", TEST_PASSWORD);
  g_assert_cmpstr (answer->code_name, ==, "blocked");
  g_assert_cmpint (answer->retry_after, >, 3000);
  g_assert_cmpint (answer->retry_after, <=, 3600);

  /* And after a clean restart */
  test_server_stop (server);
  test_server_start (server);
  g_clear_pointer (&answer, rc_frame_free);
  answer = hello_with (server, "Ana", TEST_PASSWORD);
  g_assert_cmpstr (answer->code_name, ==, "blocked");
}

static void
test_hello_timeout (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) silent = NULL;
  g_autoptr(GSocketConnection) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TestClient) client = NULL;
  char byte;

  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_HELLO_MS", "300");
  test_server_start (server);

  /* TLS done, then silence: closed cleanly, without a frame. */
  silent = test_client_new_for_server (server);
  test_client_expect_closed (silent);

  /* Not even TLS: closed too. */
  raw = test_connect_tcp (server->host, server->port);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (raw)), &byte, 1, NULL, &error),
                   <=, 0);

  /* The server is still fine. */
  client = test_client_hello (server, "Ana");
}

static void
test_plain_bytes (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(GSocketConnection) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TestClient) client = NULL;
  const char *hello = "{\"type\":\"hello\",\"version\":1,\"name\":\"Ana\",\"password\":\"" TEST_PASSWORD "\"}\n";
  char buffer[256];
  gssize n;

  test_server_start (server);

  /* No plaintext mode: a client that skips TLS gets no frame back. */
  raw = test_connect_tcp (server->host, server->port);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (raw)), hello, strlen (hello),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (raw)), buffer, sizeof buffer, NULL, NULL);
  g_assert_true (n <= 0 || memchr (buffer, '{', (gsize) n) == NULL);

  client = test_client_hello (server, "Ana");
}

static void
test_server_full (void)
{
  g_autoptr(TestServer) server = test_server_new ("\"MAX_CONNECTIONS\": 2");
  g_autoptr(TestClient) first = NULL;
  g_autoptr(TestClient) second = NULL;
  g_autoptr(TestClient) waiting = NULL;
  g_autoptr(TestClient) third = NULL;
  g_autoptr(RcFrame) hello = test_frame_hello ("Carla", TEST_PASSWORD, 1);
  g_autoptr(RcFrame) error = NULL;

  test_server_start (server);

  /* Connections that have not said hello yet take no place. */
  waiting = test_client_new_for_server (server);
  first = test_client_hello (server, "Ana");
  second = test_client_hello (server, "Pablo");

  test_client_send (waiting, hello);
  error = test_client_expect_error (waiting, RC_PROTOCOL_ERROR_SERVER_FULL);
  test_client_expect_closed (waiting);

  /* A place frees when someone leaves. */
  g_clear_pointer (&second, test_client_free);
  g_assert_true (test_server_wait_for_stat (server, "connections", 1));
  third = test_client_hello (server, "Carla");
}

static void
test_full_per_address (void)
{
  g_autoptr(TestServer) server = test_server_new ("\"MAX_CONNECTIONS_PER_IP\": 1");
  g_autoptr(TestClient) first = NULL;
  g_autoptr(TestClient) second = NULL;
  g_autoptr(RcFrame) hello = test_frame_hello ("Pablo", TEST_PASSWORD, 1);
  g_autoptr(RcFrame) error = NULL;

  test_server_start (server);
  first = test_client_hello (server, "Ana");
  second = test_client_new_for_server (server);
  test_client_send (second, hello);
  error = test_client_expect_error (second, RC_PROTOCOL_ERROR_SERVER_FULL);
  test_client_expect_closed (second);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/auth/welcome", test_welcome);
  g_test_add_func ("/server/auth/bad-name", test_bad_name);
  g_test_add_func ("/server/auth/unsupported-version", test_unsupported_version);
  g_test_add_func ("/server/auth/not-hello-first", test_not_hello_first);
  g_test_add_func ("/server/auth/wrong-password-and-block", test_wrong_password_and_block);
  g_test_add_func ("/server/auth/block-survives-restart", test_block_survives_restart);
  g_test_add_func ("/server/auth/hello-timeout", test_hello_timeout);
  g_test_add_func ("/server/auth/plain-bytes", test_plain_bytes);
  g_test_add_func ("/server/auth/server-full", test_server_full);
  g_test_add_func ("/server/auth/full-per-address", test_full_per_address);

  return g_test_run ();
}
