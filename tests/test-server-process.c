/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "server-helpers.h"

/* The roomchat-server process as a whole: shutdown, statistics files,
 * commands, configuration errors, the default password, TLS versions. */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_free (result->out);
  g_free (result->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs roomchat-server (or another program with @argv[0] set) to its end. */
static void
run (Result             *result,
     const char         *input,
     const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static guint
count_lines (const char *text)
{
  guint lines = 0;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      lines++;
  return lines;
}

static void
assert_private_file (TestServer *server,
                     const char *file)
{
  g_autofree char *path = g_build_filename (server->state_dir, file, NULL);
  GStatBuf buf;

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);
}

static void
test_sigterm (void)
{
  g_autoptr(GDateTime) started_at = NULL;
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(TestClient) carla = NULL;
  g_autoptr(GSocketConnection) silent = NULL;
  g_autofree char *room = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(JsonObject) ips = NULL;
  TestClient *everyone[3];
  JsonObject *entry;

  test_server_start (server);
  room = test_pair (server, &ana, &pablo);
  carla = test_client_hello (server, "Carla");
  silent = test_connect_tcp (server->host, server->port);
  everyone[0] = ana;
  everyone[1] = pablo;
  everyone[2] = carla;

  g_subprocess_send_signal (server->process, SIGTERM);
  for (guint i = 0; i < G_N_ELEMENTS (everyone); i++)
    {
      g_autoptr(RcFrame) error = test_client_expect_error (everyone[i], RC_PROTOCOL_ERROR_SHUTTING_DOWN);

      test_client_expect_closed (everyone[i]);
    }
  /* Exits 0 */
  test_server_stop (server);

  /* The last statistics: nobody connected any more */
  stats = test_server_read_json (server, "stats.json");
  g_assert_nonnull (stats);
  g_assert_cmpint (json_object_get_int_member (stats, "visits"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (stats, "active-threads"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "connections"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (stats, "rooms"), "num"), ==, 0);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (json_object_get_object_member (stats, "rooms"), "ids")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (stats, "active-chats"), "num"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "blocked-ips"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "messages-relayed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "bytes-relayed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "uptime-seconds"), >=, 0);
  started_at = g_date_time_new_from_iso8601 (json_object_get_string_member (stats, "started-at"), NULL);
  g_assert_nonnull (started_at);

  ips = test_server_read_json (server, "ips.json");
  entry = json_object_get_object_member (json_object_get_object_member (ips, "127.0.0.1"), "Carla");
  g_assert_cmpint (json_object_get_int_member (entry, "num-connections"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (entry, "num-wrong-credentials"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "blocked-times"), ==, 0);

  assert_private_file (server, "stats.json");
  assert_private_file (server, "ips.json");
  assert_private_file (server, "key.pem");
}

static void
test_live_statistics (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(TestClient) carla = NULL;
  g_autofree char *room = NULL;
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;
  g_autoptr(RcFrame) message = test_frame_message (0, 1000);
  g_autoptr(JsonObject) stats = NULL;
  JsonObject *rooms;

  test_server_start (server);
  room = test_pair (server, &ana, &pablo);
  carla = test_client_hello (server, "Carla");
  test_client_send (carla, create);
  created = test_client_expect (carla, RC_FRAME_CREATED);
  test_client_send (pablo, message);
  rc_frame_free (test_client_expect (pablo, RC_FRAME_RELAYED));

  /* Within a second or so of the change, and in any case without a
   * restart, the file shows it. */
  g_assert_true (test_server_wait_for_stat (server, "messages-relayed", 1));
  g_assert_true (test_server_wait_for_stat (server, "bytes-relayed", 1000));
  stats = test_server_read_json (server, "stats.json");
  g_assert_cmpint (json_object_get_int_member (stats, "connections"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (stats, "active-threads"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (stats, "visits"), ==, 3);
  rooms = json_object_get_object_member (stats, "rooms");
  g_assert_cmpint (json_object_get_int_member (rooms, "num"), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (rooms, "ids"), 0), ==, created->room);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (stats, "active-chats"), "num"), ==, 1);

  /* kill -9 loses no file: both still parse. Counters add up across runs. */
  test_server_kill (server);
  g_clear_pointer (&stats, json_object_unref);
  stats = test_server_read_json (server, "stats.json");
  g_assert_nonnull (stats);
  g_clear_pointer (&stats, json_object_unref);
  test_server_start (server);
  g_assert_true (test_server_wait_for_stat (server, "connections", 0));
  stats = test_server_read_json (server, "stats.json");
  g_assert_cmpint (json_object_get_int_member (stats, "visits"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (stats, "messages-relayed"), ==, 1);
}

static void
test_commands (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autofree char *cert_before = NULL;
  g_autofree char *cert_after = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *fingerprint_log = NULL;
  g_autofree char *expected = NULL;
  const char *files[] = { "stats.json", "ips.json", "blocks.json", "server.log" };

  test_server_start (server);
  ana = test_client_hello (server, "Ana");
  g_clear_pointer (&ana, test_client_free);
  test_server_stop (server);

  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "--version", NULL };

    run (&result, NULL, argv);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_cmpstr (result.out, ==, "roomchat-server " PACKAGE_VERSION "\n");
  }
  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "--help", NULL };

    run (&result, NULL, argv);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "hash-password"));
    g_assert_nonnull (strstr (result.out, "--state-dir"));
  }
  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "--config", server->config_path, "stats", NULL };

    run (&result, NULL, argv);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "\"visits\" : 1"));
    g_assert_nonnull (strstr (result.out, "\"Ana\""));
  }
  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "--config", server->config_path, "fingerprint", NULL };
    g_autofree char *log = test_server_read_log (server);

    run (&result, NULL, argv);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_cmpuint (strlen (result.out), ==, 32 * 3);
    /* The same as the server logs at start */
    result.out[32 * 3 - 1] = '\0';
    g_assert_nonnull (strstr (log, result.out));
  }

  {
    g_auto(Result) result = { 0 };
    g_auto(Result) fingerprint = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "--config", server->config_path, "check-config", NULL };
    const char *fingerprint_argv[] = { ROOMCHAT_SERVER_PATH, "--config", server->config_path, "fingerprint", NULL };

    run (&fingerprint, NULL, fingerprint_argv);
    g_strstrip (fingerprint.out);
    run (&result, NULL, argv);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, server->config_path));
    g_assert_nonnull (strstr (result.out, "MAX_AUTH_FAILURES"));
    g_assert_nonnull (strstr (result.out, "RESUME_SECONDS"));
    g_assert_nonnull (strstr (result.out, fingerprint.out));
    /* The password is said to be there, never shown */
    g_assert_nonnull (strstr (result.out, "(hidden)"));
    g_assert_null (strstr (result.out, TEST_PASSWORD));
    g_assert_null (strstr (result.err, TEST_PASSWORD));
  }

  cert_path = g_build_filename (server->state_dir, "cert.pem", NULL);
  g_file_get_contents (cert_path, &cert_before, NULL, NULL);
  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "--state-dir", server->state_dir, "reset", NULL };

    run (&result, NULL, argv);
    g_assert_cmpint (result.status, ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (server->state_dir, files[i], NULL);

      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  g_file_get_contents (cert_path, &cert_after, NULL, NULL);
  g_assert_cmpstr (cert_before, ==, cert_after);

  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "--state-dir", server->state_dir, "stats", NULL };

    run (&result, NULL, argv);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "No statistics"));
  }
  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "frobnicate", NULL };

    run (&result, NULL, argv);
    g_assert_cmpint (result.status, ==, 2);
  }
}

static void
test_hash_password (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(TestClient) client = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(RcFrame) hello = test_frame_hello ("Ana", "correct horse", 1);
  g_autoptr(RcFrame) welcome = NULL;
  g_autoptr(RcFrame) wrong = test_frame_hello ("Ana", TEST_PASSWORD, 1);
  g_autoptr(RcFrame) error = NULL;

  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "hash-password", "--iterations", "1000", NULL };

    run (&result, "correct horse\n", argv);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_true (g_str_has_prefix (result.out, "pbkdf2-sha256$1000$"));
    g_assert_cmpuint (count_lines (result.out), ==, 1);
    hash = g_strstrip (g_strdup (result.out));
  }
  {
    g_auto(Result) result = { 0 };
    const char *argv[] = { ROOMCHAT_SERVER_PATH, "hash-password", NULL };

    run (&result, "", argv);
    g_assert_cmpint (result.status, ==, 1);
  }

  /* The hash as SERVER_PASSWORD */
  extra = g_strdup_printf ("\"SERVER_PASSWORD\": \"%s\"", hash);
  server = test_server_new (extra);
  test_server_start (server);

  client = test_client_new_for_server (server);
  test_client_send (client, hello);
  welcome = test_client_expect (client, RC_FRAME_WELCOME);
  g_clear_pointer (&client, test_client_free);

  client = test_client_new_for_server (server);
  test_client_send (client, wrong);
  error = test_client_expect_error (client, RC_PROTOCOL_ERROR_AUTH_FAILED);
}

static void
expect_config_error (const char *config,
                     const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("roomchat-config-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "config.json", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_auto(Result) result = { 0 };
  const char *argv[] = { ROOMCHAT_SERVER_PATH, "--config", path, "--state-dir", state, NULL };

  g_assert_no_error (error);
  g_file_set_contents_full (path, config, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);

  run (&result, NULL, argv);
  g_assert_cmpint (result.status, ==, 1);
  /* One line naming the file and the key */
  g_assert_cmpuint (count_lines (result.err), ==, 1);
  g_assert_nonnull (strstr (result.err, path));
  g_assert_nonnull (strstr (result.err, key));

  /* check-config finds it before a start does, in the same words */
  {
    g_auto(Result) check = { 0 };
    const char *check_argv[] = { ROOMCHAT_SERVER_PATH, "--config", path, "--state-dir", state,
                                 "check-config", NULL };

    run (&check, NULL, check_argv);
    g_assert_cmpint (check.status, ==, 1);
    g_assert_cmpstr (check.err, ==, result.err);
    g_assert_cmpstr (check.out, ==, "");
  }

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_config_errors (void)
{
  g_autoptr(TestServer) a = test_server_new (NULL);
  g_autoptr(TestServer) b = test_server_new (NULL);
  g_autofree char *mismatch = NULL;
  g_autofree char *cert_a = NULL;
  g_autofree char *key_b = NULL;

  expect_config_error ("{\"HOST_PORT\": 8888, \"SERVER_PASWORD\": \"x\"}", "SERVER_PASWORD");
  expect_config_error ("{\"HOST_PORT\": \"eighty\"}", "HOST_PORT");
  expect_config_error ("{\"HOST_PORT\": 70000}", "HOST_PORT");
  expect_config_error ("{\"MAX_CONNECTIONS\": 0}", "MAX_CONNECTIONS");
  expect_config_error ("{\"SERVER_PASSWORD\": \"pbkdf2-sha256$x\"}", "SERVER_PASSWORD");
  expect_config_error ("{\"TLS_CERT\": \"/nonexistent/cert.pem\", \"TLS_KEY\": \"/nonexistent/key.pem\", \"SERVER_PASSWORD\": \"x\"}",
                       "TLS_CERT");
  expect_config_error ("{\"TLS_CERT\": \"/nonexistent/cert.pem\"}", "TLS_KEY");

  /* Two servers, two certificates: a key of one with the other's
   * certificate is refused at start. */
  test_server_start (a);
  test_server_stop (a);
  test_server_start (b);
  test_server_stop (b);
  cert_a = g_build_filename (a->state_dir, "cert.pem", NULL);
  key_b = g_build_filename (b->state_dir, "key.pem", NULL);
  mismatch = g_strdup_printf ("{\"SERVER_PASSWORD\": \"x\", \"TLS_CERT\": \"%s\", \"TLS_KEY\": \"%s\"}", cert_a, key_b);
  expect_config_error (mismatch, "TLS_KEY");
}

static char *
wait_for_file_text (const char *path,
                    const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL)
        return g_steal_pointer (&text);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  g_error ("%s never showed %s", path, needle);
}

static void
test_default_password (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autofree char *out_path = g_build_filename (server->dir, "stdout.txt", NULL);
  g_autofree char *kept_path = g_build_filename (server->state_dir, "password", NULL);
  g_autofree char *password = NULL;

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autoptr(GError) error = NULL;
      g_autoptr(TestClient) client = NULL;
      g_autoptr(RcFrame) hello = NULL;
      g_autoptr(RcFrame) welcome = NULL;
      g_autofree char *log = NULL;
      g_autofree char *out = NULL;
      const char *port;

      g_unlink (server->log_path);
      g_unlink (out_path);
      g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
      g_subprocess_launcher_set_stderr_file_path (launcher, server->log_path);
      /* No configuration file at all */
      server->process = g_subprocess_launcher_spawn (launcher, &error, ROOMCHAT_SERVER_PATH,
                                                     "--host", "127.0.0.1", "--port", "0",
                                                     "--state-dir", server->state_dir, NULL);
      g_assert_no_error (error);

      log = wait_for_file_text (server->log_path, " port ");
      port = strstr (strstr (log, "Listening on "), " port ") + strlen (" port ");
      server->port = (guint) g_ascii_strtoull (port, NULL, 10);

      if (round == 0)
        {
          /* Printed once, with a sentence, and kept private */
          const char *start;

          out = wait_for_file_text (out_path, "\n");
          start = strstr (out, "made one: ");
          g_assert_nonnull (start);
          password = g_strndup (start + strlen ("made one: "), 20);
          assert_private_file (server, "password");
        }

      client = test_client_new_for_server (server);
      hello = test_frame_hello ("Ana", password, 1);
      test_client_send (client, hello);
      welcome = test_client_expect (client, RC_FRAME_WELCOME);
      g_clear_pointer (&client, test_client_free);
      test_server_stop (server);

      if (round == 1)
        {
          /* Not printed again */
          g_file_get_contents (out_path, &out, NULL, NULL);
          g_assert_null (strstr (out != NULL ? out : "", password));
        }
    }
}

static gboolean
find_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static void
test_tls_versions (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autofree char *port = NULL;

  if (!find_program ("gnutls-cli") && !find_program ("openssl"))
    {
      g_test_skip ("Neither gnutls-cli nor openssl is installed");
      return;
    }

  test_server_start (server);
  port = g_strdup_printf ("%u", server->port);

  if (find_program ("gnutls-cli"))
    {
      g_auto(Result) old = { 0 };
      g_auto(Result) current = { 0 };
      const char *tls12[] = { "gnutls-cli", "--insecure", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2",
                              "-p", port, "127.0.0.1", NULL };
      const char *tls13[] = { "gnutls-cli", "--insecure", "-p", port, "127.0.0.1", NULL };

      run (&old, "", tls12);
      g_assert_cmpint (old.status, !=, 0);
      g_assert_null (strstr (old.out, "Handshake was completed"));

      run (&current, "", tls13);
      g_assert_nonnull (strstr (current.out, "Handshake was completed"));
      g_assert_nonnull (strstr (current.out, "TLS1.3"));
    }

  if (find_program ("openssl"))
    {
      g_auto(Result) old = { 0 };
      g_autofree char *connect = g_strdup_printf ("127.0.0.1:%u", server->port);
      const char *tls12[] = { "openssl", "s_client", "-tls1_2", "-connect", connect, NULL };
      const char *tls11[] = { "openssl", "s_client", "-tls1_1", "-connect", connect, NULL };
      g_auto(Result) older = { 0 };

      run (&old, "", tls12);
      g_assert_cmpint (old.status, !=, 0);
      run (&older, "", tls11);
      g_assert_cmpint (older.status, !=, 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/process/sigterm", test_sigterm);
  g_test_add_func ("/server/process/live-statistics", test_live_statistics);
  g_test_add_func ("/server/process/commands", test_commands);
  g_test_add_func ("/server/process/hash-password", test_hash_password);
  g_test_add_func ("/server/process/config-errors", test_config_errors);
  g_test_add_func ("/server/process/default-password", test_default_password);
  g_test_add_func ("/server/process/tls-versions", test_tls_versions);

  return g_test_run ();
}
