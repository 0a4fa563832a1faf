/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-client-connection.h"
#include "rc-known-servers.h"
#include "test-client-util.h"

/* RcClientConnection against the real server: opening and the pinned
 * certificate, frames both ways, its end, and keep-alive. Frames are
 * written by hand here; what they mean is the session's test. */

/* A connection and what it has emitted. */
typedef struct
{
  RcClientConnection *connection;
  GQueue              events;
  gboolean            trust_answer;   /* to ::certificate-unknown */
  gboolean            done;
  GError             *error;
} Watch;

static void
certificate_unknown_cb (RcClientConnection *connection,
                        const char         *server,
                        const char         *fingerprint,
                        Watch              *w)
{
  rc_test_record (&w->events, "certificate-unknown %s", server);
  g_assert_cmpstr (fingerprint, ==, rc_client_connection_get_certificate_fingerprint (connection));
  rc_client_connection_trust_certificate (connection, w->trust_answer);
}

static void
frame_received_cb (RcClientConnection *connection,
                   RcFrame            *frame,
                   Watch              *w)
{
  if (frame->type == RC_FRAME_ERROR)
    rc_test_record (&w->events, "frame error %s", frame->code_name);
  else
    rc_test_record (&w->events, "frame %s", frame->type_name);
}

static void
closed_cb (RcClientConnection *connection,
           GError             *error,
           Watch              *w)
{
  g_assert_false (rc_client_connection_get_open (connection));
  rc_test_record (&w->events, "closed %s %d", g_quark_to_string (error->domain), error->code);
}

static Watch *
watch_new (Fixture    *f,
           const char *name)
{
  Watch *w = g_new0 (Watch, 1);
  g_autofree char *known = g_strdup_printf ("%s/%s-known-servers", f->folder, name);

  w->connection = rc_client_connection_new ("127.0.0.1", f->server->port, known);
  rc_client_connection_set_trust_new_certificates (w->connection, TRUE);
  g_queue_init (&w->events);

  g_signal_connect (w->connection, "certificate-unknown", G_CALLBACK (certificate_unknown_cb), w);
  g_signal_connect (w->connection, "frame-received", G_CALLBACK (frame_received_cb), w);
  g_signal_connect (w->connection, "closed", G_CALLBACK (closed_cb), w);
  return w;
}

/* Closes and drops the connection, and checks nothing keeps it alive. */
static void
watch_free (Watch *w)
{
  rc_client_connection_close (w->connection);
  g_signal_handlers_disconnect_by_data (w->connection, w);
  rc_test_unref_and_wait (g_steal_pointer (&w->connection));

  g_queue_clear_full (&w->events, g_free);
  g_clear_error (&w->error);
  g_free (w);
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Watch *w = user_data;

  rc_client_connection_open_finish (RC_CLIENT_CONNECTION (source), result, &w->error);
  w->done = TRUE;
}

static void
watch_open (Watch        *w,
            GCancellable *cancellable)
{
  rc_client_connection_open_async (w->connection, cancellable, open_cb, w);
  rc_test_spin_until (&w->done);
}

static void
watch_open_ok (Watch *w)
{
  watch_open (w, NULL);
  g_assert_no_error (w->error);
  g_assert_true (rc_client_connection_get_open (w->connection));
}

static void
send_hello (Watch      *w,
            const char *password)
{
  g_autoptr(RcFrame) hello = rc_frame_new (RC_FRAME_HELLO);

  hello->version = RC_PROTOCOL_VERSION;
  hello->name = g_strdup ("Ana");
  hello->password = g_strdup (password);
  rc_client_connection_send_frame (w->connection, hello);
}

static void
send_ping (Watch *w)
{
  g_autoptr(RcFrame) ping = rc_frame_new (RC_FRAME_PING);

  rc_client_connection_send_frame (w->connection, ping);
}

static void
test_certificate_pinning (Fixture       *f,
                          gconstpointer  data)
{
  Watch *ana = watch_new (f, "Ana");
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", f->server->port);
  g_autofree char *expected = g_strdup_printf ("certificate-unknown %s", server);
  g_autofree char *known_path = g_strdup_printf ("%s/Ana-known-servers", f->folder);
  g_autofree char *pinned = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *real = test_server_get_fingerprint (f->server);
  g_autoptr(GError) error = NULL;
  const char *forged = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                       "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

  rc_client_connection_set_trust_new_certificates (ana->connection, FALSE);

  /* First contact, not trusted: nothing pinned, nothing sent. */
  watch_open (ana, NULL);
  g_assert_error (ana->error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_REJECTED);
  g_clear_error (&ana->error);
  rc_test_expect (&ana->events, expected);
  g_assert_null (rc_known_servers_lookup (known_path, server, NULL));
  g_assert_false (rc_client_connection_get_open (ana->connection));

  /* Trusted: pinned, and asked no more. The fingerprint is the server's. */
  ana->trust_answer = TRUE;
  watch_open_ok (ana);
  rc_test_expect (&ana->events, expected);
  seen = g_strdup (rc_client_connection_get_certificate_fingerprint (ana->connection));
  g_assert_cmpstr (seen, ==, real);
  pinned = rc_known_servers_lookup (known_path, server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pinned, ==, seen);
  rc_client_connection_close (ana->connection);

  watch_open_ok (ana);
  g_assert_cmpstr (rc_client_connection_get_pinned_fingerprint (ana->connection), ==, seen);
  rc_client_connection_close (ana->connection);
  spin_for (100);
  g_assert_true (g_queue_is_empty (&ana->events));

  /* Another certificate for the same server is refused even when new
   * ones are trusted, and the error names both. */
  rc_known_servers_pin (known_path, server, forged, &error);
  g_assert_no_error (error);
  rc_client_connection_set_trust_new_certificates (ana->connection, TRUE);
  watch_open (ana, NULL);
  g_assert_error (ana->error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_CHANGED);
  g_assert_nonnull (strstr (ana->error->message, forged));
  g_assert_nonnull (strstr (ana->error->message, seen));
  g_assert_cmpstr (rc_client_connection_get_pinned_fingerprint (ana->connection), ==, forged);
  g_assert_cmpstr (rc_client_connection_get_certificate_fingerprint (ana->connection), ==, seen);
  g_assert_true (g_queue_is_empty (&ana->events));
  g_clear_error (&ana->error);

  watch_free (ana);
}

/* Frames go out in order and each one read comes back as a signal;
 * closing on purpose is not reported as an end. */
static void
test_frames (Fixture       *f,
             gconstpointer  data)
{
  Watch *ana = watch_new (f, "Ana");

  watch_open_ok (ana);
  g_assert_true (g_queue_is_empty (&ana->events));

  send_hello (ana, TEST_PASSWORD);
  send_ping (ana);
  rc_test_expect (&ana->events, "frame welcome");
  rc_test_expect (&ana->events, "frame pong");

  rc_client_connection_close (ana->connection);
  g_assert_false (rc_client_connection_get_open (ana->connection));
  send_ping (ana);
  spin_for (200);
  g_assert_true (g_queue_is_empty (&ana->events));

  watch_free (ana);
}

/* The server closes after a wrong password: its last frame comes first,
 * then the end. */
static void
test_closed_by_server (Fixture       *f,
                       gconstpointer  data)
{
  Watch *ana = watch_new (f, "Ana");
  g_autofree char *closed = g_strdup_printf ("closed %s %d", g_quark_to_string (RC_CLIENT_ERROR),
                                             RC_CLIENT_ERROR_CLOSED);

  watch_open_ok (ana);
  send_hello (ana, "wrong");
  rc_test_expect (&ana->events, "frame error auth-failed");
  rc_test_expect (&ana->events, closed);
  g_assert_false (rc_client_connection_get_open (ana->connection));

  /* The same object opens again. */
  watch_open_ok (ana);
  send_hello (ana, TEST_PASSWORD);
  rc_test_expect (&ana->events, "frame welcome");

  watch_free (ana);
}

static void
test_cancel_open (Fixture       *f,
                  gconstpointer  data)
{
  Watch *ana = watch_new (f, "Ana");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  rc_client_connection_open_async (ana->connection, cancellable, open_cb, ana);
  g_cancellable_cancel (cancellable);
  rc_test_spin_until (&ana->done);
  g_assert_error (ana->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (rc_client_connection_get_open (ana->connection));
  g_clear_error (&ana->error);

  /* Closing ends an open too. */
  rc_client_connection_open_async (ana->connection, NULL, open_cb, ana);
  rc_client_connection_close (ana->connection);
  rc_test_spin_until (&ana->done);
  g_assert_error (ana->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&ana->error);

  /* Nothing of either attempt is left in the way. */
  watch_open_ok (ana);
  g_assert_true (g_queue_is_empty (&ana->events));

  watch_free (ana);
}

/* The server drops a connection that sends nothing for
 * ROOMCHAT_SERVER_TEST_IDLE_MS; with keep-alive, this process pings every
 * TEST_PING_MS. */
static const char * const idle_env[] = { "ROOMCHAT_SERVER_TEST_IDLE_MS=1500", NULL };

static void
test_keep_alive (Fixture       *f,
                 gconstpointer  data)
{
  Watch *ana = watch_new (f, "Ana");
  Watch *bo = watch_new (f, "Bo");
  g_autofree char *event = NULL;

  watch_open_ok (ana);
  watch_open_ok (bo);
  send_hello (ana, TEST_PASSWORD);
  send_hello (bo, TEST_PASSWORD);
  rc_test_expect (&ana->events, "frame welcome");
  rc_test_expect (&bo->events, "frame welcome");

  /* Twice the idle timeout: only Ana pings (the server answers each
   * ping), and only Bo is dropped. */
  rc_client_connection_start_keep_alive (ana->connection);
  spin_for (3000);
  g_assert_cmpuint (g_queue_get_length (&ana->events), >=, 2);
  while (!g_queue_is_empty (&ana->events))
    rc_test_expect (&ana->events, "frame pong");
  g_assert_true (rc_client_connection_get_open (ana->connection));

  event = next_event_in_time (&bo->events);
  g_assert_true (g_str_has_prefix (event, "closed "));
  g_assert_false (rc_client_connection_get_open (bo->connection));

  watch_free (ana);
  watch_free (bo);
}

int
main (int    argc,
      char **argv)
{
  rc_test_client_init (&argc, &argv);

  g_test_add ("/client-connection/certificate-pinning", Fixture, NULL, fixture_set_up,
              test_certificate_pinning, fixture_tear_down);
  g_test_add ("/client-connection/frames", Fixture, NULL, fixture_set_up,
              test_frames, fixture_tear_down);
  g_test_add ("/client-connection/closed-by-server", Fixture, NULL, fixture_set_up,
              test_closed_by_server, fixture_tear_down);
  g_test_add ("/client-connection/cancel-open", Fixture, NULL, fixture_set_up,
              test_cancel_open, fixture_tear_down);
  g_test_add ("/client-connection/keep-alive", Fixture, idle_env, fixture_set_up,
              test_keep_alive, fixture_tear_down);

  return g_test_run ();
}
