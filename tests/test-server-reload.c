/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include "server-helpers.h"

/* What an administrator does to a running server: SIGHUP to reload the
 * configuration or after logrotate, the other signals out of habit, and
 * what the server says about a password kept carelessly. */

static void
send_signal (TestServer *server,
             int         number)
{
  g_subprocess_send_signal (server->process, number);
}

/* Connects as @name with @password and returns the server's answer. */
static RcFrame *
hello_answer (TestServer *server,
              const char *name,
              const char *password)
{
  g_autoptr(TestClient) client = test_client_new_for_server (server);
  g_autoptr(RcFrame) hello = test_frame_hello (name, password, 1);

  test_client_send (client, hello);
  return test_client_read (client);
}

static void
test_reload_applies (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(RcFrame) welcome = NULL;
  g_autoptr(RcFrame) refused = NULL;
  g_autoptr(RcFrame) ping = rc_frame_new (RC_FRAME_PING);
  g_autoptr(RcFrame) pong = NULL;
  g_autofree char *room = NULL;
  g_autofree char *log = NULL;

  test_server_start (server);
  room = test_pair (server, &ana, &pablo);

  test_server_rewrite_config (server, "\"SERVER_NAME\": \"Renamed\", \"SERVER_PASSWORD\": \"new secret\", "
                                      "\"MAX_AUTH_FAILURES\": 1");
  send_signal (server, SIGHUP);
  log = test_server_wait_for_log (server, "Reloaded", 1);
  g_assert_nonnull (strstr (log, "SERVER_PASSWORD, SERVER_NAME, MAX_AUTH_FAILURES changed"));

  /* New clients meet the new configuration */
  welcome = hello_answer (server, "Carla", "new secret");
  g_assert_cmpint (welcome->type, ==, RC_FRAME_WELCOME);
  g_assert_cmpstr (welcome->server, ==, "Renamed");

  /* One wrong password is enough now */
  refused = hello_answer (server, "Mallory", TEST_PASSWORD);
  g_assert_cmpint (refused->type, ==, RC_FRAME_ERROR);
  g_assert_cmpint (refused->code, ==, RC_PROTOCOL_ERROR_AUTH_FAILED);
  g_assert_cmpint (refused->attempts_left, ==, 0);

  /* The chat that was going on goes on */
  test_client_send (ana, ping);
  pong = test_client_expect (ana, RC_FRAME_PONG);
}

static void
test_reload_keeps_what_does_not_load (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autofree char *log = NULL;

  test_server_start (server);

  /* A broken file: nothing changes, and the log says why */
  g_assert_true (g_file_set_contents (server->config_path, "{\"SERVER_NAME\": ", -1, NULL));
  send_signal (server, SIGHUP);
  log = test_server_wait_for_log (server, "Reload failed, the configuration stays as it was", 1);
  g_assert_nonnull (strstr (log, server->config_path));
  ana = test_client_hello (server, "Ana");
  g_clear_pointer (&ana, test_client_free);
  g_clear_pointer (&log, g_free);

  /* A key that only a restart changes is named, the rest applies */
  test_server_rewrite_config (server, "\"HOST_PORT\": 1, \"MAX_CONNECTIONS\": 50");
  send_signal (server, SIGHUP);
  log = test_server_wait_for_log (server, "Reloaded", 1);
  g_assert_nonnull (strstr (log, "HOST_PORT changed"));
  g_assert_nonnull (strstr (log, "that takes a restart"));
  g_assert_nonnull (strstr (log, "MAX_CONNECTIONS changed"));
  ana = test_client_hello (server, "Ana");
}

static void
test_reload_reopens_log (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autofree char *log_path = g_build_filename (server->state_dir, "server.log", NULL);
  g_autofree char *rotated_path = g_build_filename (server->state_dir, "server.log.1", NULL);
  g_autofree char *rotated = NULL;
  g_autofree char *fresh = NULL;
  gint64 deadline;

  test_server_start (server);

  /* logrotate's way: move the file, then SIGHUP */
  g_assert_cmpint (g_rename (log_path, rotated_path), ==, 0);
  send_signal (server, SIGHUP);
  g_free (test_server_wait_for_log (server, "Reloaded", 1));

  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while (!g_file_get_contents (log_path, &fresh, NULL, NULL) || strstr (fresh, "Reloaded") == NULL)
    {
      g_clear_pointer (&fresh, g_free);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  g_assert_true (g_file_get_contents (rotated_path, &rotated, NULL, NULL));
  g_assert_nonnull (strstr (rotated, "is up"));
  g_assert_null (strstr (rotated, "Reloaded"));
}

static void
test_habitual_signals (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  const struct { int number; const char *logged; } signals[] = {
    { SIGPIPE, NULL },
    { SIGUSR1, "Status: " },
    { SIGUSR2, "SIGUSR2 does nothing here" },
    { SIGHUP, "Reloaded" },
  };

  test_server_start (server);
  /* One after the other, each seen to: as an administrator sends them */
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      send_signal (server, signals[i].number);
      if (signals[i].logged != NULL)
        g_free (test_server_wait_for_log (server, signals[i].logged, 1));
    }

  /* Still serving */
  test_client_free (test_client_hello (server, "Ana"));
}

/* Reads the next datagram the server sent to the notify socket. */
static char *
next_notification (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  char buffer[512];
  gssize n;

  g_socket_set_timeout (socket, 30);
  n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  buffer[n] = '\0';
  return g_strdup (buffer);
}

/* Type=notify: systemd hears when the server listens, reloads, stops. */
static void
test_notify (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autofree char *path = g_build_filename (server->dir, "notify", NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_autofree char *ready = NULL;
  g_autofree char *reloading = NULL;
  g_autofree char *ready_again = NULL;
  g_autofree char *stopping = NULL;

  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  test_server_setenv (server, "NOTIFY_SOCKET", path);

  test_server_start (server);
  ready = next_notification (socket);
  g_assert_nonnull (strstr (ready, "READY=1"));
  g_assert_nonnull (strstr (ready, "STATUS=Serving on port"));
  /* It listens by then */
  test_client_free (test_client_hello (server, "Ana"));

  send_signal (server, SIGHUP);
  reloading = next_notification (socket);
  g_assert_nonnull (strstr (reloading, "RELOADING=1"));
  ready_again = next_notification (socket);
  g_assert_nonnull (strstr (ready_again, "READY=1"));

  send_signal (server, SIGTERM);
  stopping = next_notification (socket);
  g_assert_nonnull (strstr (stopping, "STOPPING=1"));
  test_server_stop (server);
}

static void
test_password_at_rest (void)
{
  const char *warning = "holds SERVER_PASSWORD in plain text and other users can read it";
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autofree char *log = NULL;

  /* The helper writes the file 0600: no warning */
  test_server_start (server);
  test_server_stop (server);
  log = test_server_read_log (server);
  g_assert_null (strstr (log, warning));
  g_clear_pointer (&log, g_free);

  /* Readable by others: a warning at start and at every reload */
  test_server_start (server);
  g_assert_cmpint (g_chmod (server->config_path, 0644), ==, 0);
  send_signal (server, SIGHUP);
  log = test_server_wait_for_log (server, warning, 1);
  g_assert_nonnull (strstr (log, server->config_path));
  g_assert_nonnull (strstr (log, "chmod 600"));
  g_clear_pointer (&log, g_free);

  /* A hash of few iterations */
  {
    g_autofree char *weak = g_strdup_printf ("\"SERVER_PASSWORD\": \"%s\"",
                                             "pbkdf2-sha256$1000$c2FsdHNhbHQ=$"
                                             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");

    test_server_rewrite_config (server, weak);
    send_signal (server, SIGHUP);
    log = test_server_wait_for_log (server, "1000 PBKDF2 iterations, which is quick to crack", 1);
    g_assert_nonnull (strstr (log, "hash-password"));
  }
}

/* LoadCredential=roomchat-password: the secret lives outside the
 * configuration and wins over SERVER_PASSWORD, plain or hashed. */
static void
test_password_credential (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autofree char *credentials = g_build_filename (server->dir, "credentials", NULL);
  g_autofree char *path = g_build_filename (credentials, "roomchat-password", NULL);
  g_autoptr(RcFrame) welcome = NULL;
  g_autoptr(RcFrame) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  g_assert_cmpint (g_mkdir (credentials, 0700), ==, 0);
  g_file_set_contents (path, "from the credential\n", -1, &error);
  g_assert_no_error (error);
  test_server_setenv (server, "CREDENTIALS_DIRECTORY", credentials);

  test_server_start (server);
  log = test_server_wait_for_log (server, "Using the password of the credential", 1);
  g_assert_nonnull (strstr (log, "SERVER_PASSWORD"));
  welcome = hello_answer (server, "Ana", "from the credential");
  g_assert_cmpint (welcome->type, ==, RC_FRAME_WELCOME);
  refused = hello_answer (server, "Pablo", TEST_PASSWORD);
  g_assert_cmpint (refused->type, ==, RC_FRAME_ERROR);
  g_assert_cmpint (refused->code, ==, RC_PROTOCOL_ERROR_AUTH_FAILED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/reload/applies", test_reload_applies);
  g_test_add_func ("/server/reload/keeps-what-does-not-load", test_reload_keeps_what_does_not_load);
  g_test_add_func ("/server/reload/reopens-log", test_reload_reopens_log);
  g_test_add_func ("/server/reload/habitual-signals", test_habitual_signals);
  g_test_add_func ("/server/reload/notify", test_notify);
  g_test_add_func ("/server/reload/password-at-rest", test_password_at_rest);
  g_test_add_func ("/server/reload/password-credential", test_password_credential);

  return g_test_run ();
}
