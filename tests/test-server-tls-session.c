/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "rc-certificate.h"
#include "rc-tls-input-stream.h"
#include "rc-tls-session.h"
#include "rc-tls-priority.h"
#include "server-helpers.h"

/* The server's TLS on its socket, in process: a GIO client on one end of a
 * socket pair, an RcTlsSession on the other, in a thread of its own as in
 * the server. */

#define QUIET_MS 100

typedef struct
{
  char             *dir;
  RcTlsCredentials *credentials;
  RcHandshakePool  *pool;
  GSocket          *server_socket;
  GIOStream        *client;          /* the client's TLS connection */
  GSocketConnection *client_base;
} Fixture;

static gboolean
accept_any (GTlsConnection       *connection,
            GTlsCertificate      *certificate,
            GTlsCertificateFlags  errors,
            gpointer              user_data)
{
  return TRUE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcStateDir) dir = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocket) client_socket = NULL;
  int fds[2];

  f->dir = g_dir_make_tmp ("roomchat-tls-XXXXXX", &error);
  g_assert_no_error (error);
  dir = rc_state_dir_open (f->dir, FALSE, &error);
  g_assert_no_error (error);
  certificate = rc_certificate_load_or_create (dir, "Test", &error);
  g_assert_no_error (error);
  f->credentials = rc_tls_credentials_new (certificate, &error);
  g_assert_no_error (error);
  f->pool = rc_handshake_pool_new (1);

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  f->server_socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  client_socket = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
  g_socket_set_timeout (client_socket, 30);
  f->client_base = g_socket_connection_factory_create_connection (client_socket);
  f->client = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                              NULL, &error,
                              "base-io-stream", f->client_base,
                              "database", NULL,
                              NULL);
  g_assert_no_error (error);
  g_signal_connect (f->client, "accept-certificate", G_CALLBACK (accept_any), NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->client_base);
  g_clear_object (&f->server_socket);
  g_clear_object (&f->credentials);
  g_clear_object (&f->pool);
  test_remove_tree (f->dir);
  g_free (f->dir);
}

typedef struct
{
  Fixture      *f;
  RcTlsSession *session;
  gint64        deadline;
  GError       *error;
  gboolean      ok;
} Handshake;

static gpointer
handshake_thread (gpointer data)
{
  Handshake *h = data;

  h->ok = rc_tls_session_handshake (h->session, h->f->credentials, h->f->pool, h->deadline, NULL, &h->error);
  return NULL;
}

static RcTlsSession *
handshake (Fixture *f)
{
  Handshake h = { f, rc_tls_session_new (f->server_socket, QUIET_MS, 5),
                  g_get_monotonic_time () + 20 * G_USEC_PER_SEC, NULL, FALSE };
  g_autoptr(GError) error = NULL;
  GThread *thread = g_thread_new ("server", handshake_thread, &h);

  g_tls_connection_handshake (G_TLS_CONNECTION (f->client), NULL, &error);
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_no_error (h.error);
  g_assert_true (h.ok);
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (f->client)), ==,
                   G_TLS_PROTOCOL_VERSION_TLS_1_3);
  return h.session;
}

static void
client_write (Fixture    *f,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (f->client), text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

static char *
server_read (RcTlsSession *session,
             gsize         size)
{
  g_autoptr(GError) error = NULL;
  char *buffer = g_malloc0 (size + 1);
  gsize filled = 0;

  while (filled < size)
    {
      gssize n = rc_tls_session_read (session, buffer + filled, size - filled, G_MAXINT64, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_clear_error (&error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      filled += (gsize) n;
    }
  return buffer;
}

/* Both ways, a frame larger than a TLS record included, then close_notify:
 * the client reads a clean end. */
static void
test_echo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(RcTlsSession) session = handshake (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_malloc (40000 + 1);
  g_autofree char *received = NULL;
  char buffer[64];
  gsize read_back = 0;

  client_write (f, "hello\n");
  received = server_read (session, 6);
  g_assert_cmpstr (received, ==, "hello\n");
  g_clear_pointer (&received, g_free);

  memset (big, 'x', 40000);
  big[40000] = '\0';
  client_write (f, big);
  received = server_read (session, 40000);
  g_assert_cmpstr (received, ==, big);

  g_assert_true (rc_tls_session_write_all (session, "world\n", 6, &error));
  g_assert_no_error (error);
  g_input_stream_read_all (g_io_stream_get_input_stream (f->client), buffer, 6, &read_back, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, read_back, "world\n", 6);

  rc_tls_session_close_notify (session);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (f->client), buffer, sizeof buffer,
                                        NULL, &error), ==, 0);
  g_assert_no_error (error);
}

/* A quiet socket: a read gives up after the quiet time (the caller may go
 * idle), a wait gives up at its deadline, and data arriving later is read
 * where it left off. */
static void
test_quiet_and_deadlines (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(RcTlsSession) session = handshake (f);
  g_autoptr(GInputStream) input = rc_tls_input_stream_new (session);
  g_autoptr(GCancellable) wake = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  char buffer[16];

  g_assert_cmpint (rc_tls_session_read (session, buffer, sizeof buffer, G_MAXINT64, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);
  g_assert_false (rc_tls_session_wait_data (session, G_MAXINT64, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  /* A read that gave up leaves writing as it was. */
  g_assert_true (rc_tls_session_write_all (session, "x\n", 2, &error));
  g_assert_no_error (error);
  {
    gsize got = 0;

    g_input_stream_read_all (g_io_stream_get_input_stream (f->client), buffer, 2, &got, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (buffer, got, "x\n", 2);
  }

  rc_tls_session_release (session);
  g_assert_false (rc_tls_session_wait_readable (session, g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND,
                                                wake, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* A deadline that has passed: the stream refuses at once. */
  rc_tls_input_stream_set_deadline (RC_TLS_INPUT_STREAM (input), g_get_monotonic_time () - 1);
  g_assert_cmpint (g_input_stream_read (input, buffer, sizeof buffer, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* A deadline nearer than the quiet time ends the read at it. */
  rc_tls_input_stream_set_deadline (RC_TLS_INPUT_STREAM (input), g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_input_stream_read (input, buffer, sizeof buffer, NULL, &error), ==, -1);
  g_assert_nonnull (error);
  g_clear_error (&error);

  client_write (f, "later\n");
  g_assert_true (rc_tls_session_wait_readable (session, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, wake, &error));
  received = server_read (session, 6);
  g_assert_cmpstr (received, ==, "later\n");

  /* Cancelling the wake cancellable ends a wait at once. */
  g_cancellable_cancel (wake);
  g_assert_false (rc_tls_session_wait_readable (session, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, wake, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A client that starts its hello and stops: the handshake ends at its
 * deadline, the whole of it, however the bytes trickle. */
static void
test_handshake_deadline (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(RcTlsSession) session = rc_tls_session_new (f->server_socket, QUIET_MS, 5);
  g_autoptr(GError) error = NULL;
  const guint8 start_of_hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
  gint64 start = g_get_monotonic_time ();

  g_socket_send (g_socket_connection_get_socket (f->client_base), (const char *) start_of_hello,
                 sizeof start_of_hello, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (rc_tls_session_handshake (session, f->credentials, f->pool, start + 300 * G_TIME_SPAN_MILLISECOND,
                                            NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  /* Bounded: it gave up, not much after the deadline. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

int
main (int    argc,
      char **argv)
{
  rc_tls_priority_apply ();
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/tls-session/echo", Fixture, NULL, fixture_set_up, test_echo, fixture_tear_down);
  g_test_add ("/server/tls-session/quiet-and-deadlines", Fixture, NULL, fixture_set_up,
              test_quiet_and_deadlines, fixture_tear_down);
  g_test_add ("/server/tls-session/handshake-deadline", Fixture, NULL, fixture_set_up,
              test_handshake_deadline, fixture_tear_down);

  return g_test_run ();
}
