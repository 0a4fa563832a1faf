/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "rc-client-session.h"
#include "test-client-util.h"

/* The session against a server that breaks the protocol the way a
 * malicious one would: it pairs the client in a room it never asked for,
 * hands out names no real server lets in, or stops reading while it
 * keeps sending pings; and against servers that speak only version 1. A
 * fake TLS server on 127.0.0.1 plays each part, in a thread of its own,
 * with the certificate a real roomchat-server made. */

typedef enum
{
  PLAY_CROSS_WIRED,      /* paired for another room than the one created */
  PLAY_BAD_PEER_NAME,    /* paired with a control character in the name */
  PLAY_BAD_SERVER_NAME,  /* welcome with a control character in the name */
  PLAY_NEVER_READS,      /* pings without end, reads nothing after hello */
  PLAY_VERSION_1,        /* answers version 1, creates a room, drops the connection */
  PLAY_REFUSES_VERSION_2, /* unsupported-version for 2; welcome for 1 */
} Play;

typedef struct
{
  Play             play;
  GSocketListener *listener;
  guint16          port;
  GTlsCertificate *certificate;
  GThread         *thread;
  gint             finished;   /* atomic: the thread is done */
  gint             hellos[3];  /* atomic: hellos received, by version (0: other) */
} HostileServer;

static void
write_frame (GOutputStream *output,
             const RcFrame *frame)
{
  gsize length = 0;
  g_autofree char *line = rc_frame_to_line (frame, &length);

  g_output_stream_write_all (output, line, length, NULL, NULL, NULL);
}

static RcFrame *
fake_paired (const char *room,
             const char *peer_name)
{
  static const guint8 filler[64] = { 1 };
  RcFrame *paired = rc_frame_new (RC_FRAME_PAIRED);

  paired->room = g_strdup (room);
  paired->role = RC_ROLE_CREATOR;
  paired->your_turn = FALSE;
  paired->has_peer = TRUE;
  paired->peer_name = g_strdup (peer_name);
  paired->peer_keys.identity = g_bytes_new_static (filler, 44);
  paired->peer_keys.ephemeral = g_bytes_new_static (filler, 32);
  paired->peer_keys.signature = g_bytes_new_static (filler, 64);
  return paired;
}

/* Reads hello and counts it by its version. */
static gint64
read_hello (HostileServer    *server,
            GDataInputStream *input)
{
  g_autofree char *line = g_data_input_stream_read_line (input, NULL, NULL, NULL);
  g_autoptr(RcFrame) hello = NULL;
  gint64 version;

  g_assert_nonnull (line);
  hello = rc_frame_parse (line, strlen (line), NULL);
  g_assert_nonnull (hello);
  g_assert_cmpint (hello->type, ==, RC_FRAME_HELLO);
  version = hello->version;
  g_atomic_int_inc (&server->hellos[version == 1 || version == 2 ? version : 0]);
  return version;
}

static gpointer
hostile_server_run (gpointer user_data)
{
  HostileServer *server = user_data;
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(RcFrame) welcome = rc_frame_new (RC_FRAME_WELCOME);
  GOutputStream *output;

accept:
  tcp = g_socket_listener_accept (server->listener, NULL, NULL, NULL);
  g_assert_nonnull (tcp);
  tls = g_tls_server_connection_new (G_IO_STREAM (tcp), server->certificate, NULL);
  g_assert_nonnull (tls);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL))
    {
      g_atomic_int_set (&server->finished, TRUE);
      return NULL;
    }
  input = g_data_input_stream_new (g_io_stream_get_input_stream (tls));
  output = g_io_stream_get_output_stream (tls);

  if (read_hello (server, input) > 1 && server->play == PLAY_REFUSES_VERSION_2)
    {
      g_autoptr(RcFrame) refusal = rc_frame_new_error (RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                                                       "This server speaks version 1");

      write_frame (output, refusal);
      g_io_stream_close (tls, NULL, NULL);
      g_clear_object (&input);
      g_clear_object (&tls);
      g_clear_object (&tcp);
      goto accept;
    }
  welcome->version = 1;
  welcome->server = g_strdup (server->play == PLAY_BAD_SERVER_NAME ? "Evil\x1b[2J" : "Evil");
  write_frame (output, welcome);

  switch (server->play)
    {
    case PLAY_REFUSES_VERSION_2:
      while (g_data_input_stream_read_line (input, NULL, NULL, NULL) != NULL)
        ;
      break;

    case PLAY_VERSION_1:
      {
        g_autoptr(RcFrame) created = rc_frame_new (RC_FRAME_CREATED);

        for (;;)
          {
            g_autofree char *line = g_data_input_stream_read_line (input, NULL, NULL, NULL);

            g_assert_nonnull (line);
            if (strstr (line, "\"create\"") != NULL)
              break;
          }
        created->room = g_strdup ("AAAAAAAAAAAA");
        write_frame (output, created);
        /* Gone without a word: a lost connection, in version 1 */
        g_socket_close (g_socket_connection_get_socket (tcp), NULL);
        g_atomic_int_set (&server->finished, TRUE);
        return NULL;
      }

    case PLAY_CROSS_WIRED:
    case PLAY_BAD_PEER_NAME:
      {
        g_autoptr(RcFrame) created = rc_frame_new (RC_FRAME_CREATED);
        g_autoptr(RcFrame) paired = NULL;

        /* Pings may come first */
        for (;;)
          {
            g_autofree char *line = g_data_input_stream_read_line (input, NULL, NULL, NULL);

            g_assert_nonnull (line);
            if (strstr (line, "\"create\"") != NULL)
              break;
          }
        created->room = g_strdup ("AAAAAAAAAAAA");
        write_frame (output, created);
        if (server->play == PLAY_CROSS_WIRED)
          paired = fake_paired ("BBBBBBBBBBBB", "Mallory");
        else
          paired = fake_paired ("AAAAAAAAAAAA", "Mal\alory");
        write_frame (output, paired);
        /* Until the client hangs up */
        while (g_data_input_stream_read_line (input, NULL, NULL, NULL) != NULL)
          ;
      }
      break;

    case PLAY_BAD_SERVER_NAME:
      g_free (g_data_input_stream_read_line (input, NULL, NULL, NULL));
      break;

    case PLAY_NEVER_READS:
      {
        g_autoptr(RcFrame) ping = rc_frame_new (RC_FRAME_PING);
        gsize length = 0;
        g_autofree char *line = rc_frame_to_line (ping, &length);
        g_autoptr(GString) burst = g_string_new (NULL);

        /* Many pings a record, until the client gives up and the writes
         * fail */
        while (burst->len + length <= 16000)
          g_string_append_len (burst, line, length);
        while (g_output_stream_write_all (output, burst->str, burst->len, NULL, NULL, NULL))
          ;
      }
      break;
    }

  g_io_stream_close (tls, NULL, NULL);
  g_atomic_int_set (&server->finished, TRUE);
  return NULL;
}

/* The real server makes a certificate on its first start. */
static GTlsCertificate *
certificate_from_real_server (void)
{
  g_autoptr(TestServer) real = test_server_new (NULL);
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  test_server_start (real);
  test_server_stop (real);
  cert = g_build_filename (real->state_dir, "cert.pem", NULL);
  key = g_build_filename (real->state_dir, "key.pem", NULL);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  return certificate;
}

static HostileServer *
hostile_server_start (Play play)
{
  HostileServer *server = g_new0 (HostileServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  server->play = play;
  server->certificate = certificate_from_real_server ();
  /* A small receive window, inherited by the accepted socket: a server
   * that never reads is found out after kilobytes, not megabytes, of
   * pongs, which keeps the test short under the sanitizers too */
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  server->listener = g_socket_listener_new ();
  g_socket_listener_add_socket (server->listener, socket, NULL, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  server->thread = g_thread_new ("hostile-server", hostile_server_run, server);
  return server;
}

static void
hostile_server_free (HostileServer *server)
{
  /* The client's closing runs on the main loop; the thread waits for it */
  while (!g_atomic_int_get (&server->finished))
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_thread_join (server->thread);
  g_socket_listener_close (server->listener);
  g_object_unref (server->listener);
  g_object_unref (server->certificate);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostileServer, hostile_server_free)

typedef struct
{
  GQueue  events;
  GError *error;
  gboolean done;
} Outcome;

static void
on_disconnected (RcClientSession *session,
                 GError          *error,
                 Outcome         *outcome)
{
  g_clear_error (&outcome->error);
  outcome->error = error != NULL ? g_error_copy (error) : NULL;
  rc_test_record (&outcome->events, "disconnected");
}

static void
on_paired (RcClientSession *session,
           const char      *peer_name,
           RcRole           role,
           gboolean         my_turn,
           const char      *safety_code,
           Outcome         *outcome)
{
  rc_test_record (&outcome->events, "paired");
}

static void
connect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Outcome *outcome = user_data;

  g_clear_error (&outcome->error);
  rc_client_session_connect_finish (RC_CLIENT_SESSION (source), result, &outcome->error);
  outcome->done = TRUE;
}

static void
create_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autofree char *room = rc_client_session_create_room_finish (RC_CLIENT_SESSION (source),
                                                                result, NULL);

  rc_test_record (&((Outcome *) user_data)->events, "created");
}

static RcClientSession *
session_for (HostileServer *server,
             Outcome       *outcome)
{
  RcClientSession *session = rc_client_session_new ("127.0.0.1", server->port, "Ana");
  g_autofree char *identity = g_build_filename (g_get_user_data_dir (), "identity.pem", NULL);
  g_autofree char *known = g_build_filename (g_get_user_data_dir (), "known-servers", NULL);

  rc_client_session_set_identity_path (session, identity);
  rc_client_session_set_known_servers_path (session, known);
  rc_client_session_set_trust_new_certificates (session, TRUE);
  g_signal_connect (session, "disconnected", G_CALLBACK (on_disconnected), outcome);
  g_signal_connect (session, "paired", G_CALLBACK (on_paired), outcome);
  rc_client_session_connect_async (session, "secret", NULL, connect_done_cb, outcome);
  rc_test_spin_until (&outcome->done);
  return session;
}

static void
outcome_clear (Outcome *outcome)
{
  g_queue_clear_full (&outcome->events, g_free);
  g_clear_error (&outcome->error);
}

/* A server that pairs people in rooms they did not ask for could put
 * anyone in front of them: the session ends, as for a forged signature. */
static void
assert_room_refused (Play play)
{
  g_autoptr(HostileServer) server = hostile_server_start (play);
  g_autoptr(RcClientSession) session = NULL;
  Outcome outcome = { G_QUEUE_INIT, NULL, FALSE };

  session = session_for (server, &outcome);
  g_assert_no_error (outcome.error);
  rc_client_session_create_room_async (session, NULL, create_done_cb, &outcome);
  rc_test_expect (&outcome.events, "created");
  /* never "paired" */
  rc_test_expect (&outcome.events, "disconnected");
  g_assert_error (outcome.error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY);
  g_assert_cmpint (rc_client_session_get_state (session), ==, RC_SESSION_STATE_DISCONNECTED);
  g_assert_null (rc_client_session_get_peer_name (session));
  outcome_clear (&outcome);
}

static void
test_cross_wired (void)
{
  assert_room_refused (PLAY_CROSS_WIRED);
}

static void
test_bad_peer_name (void)
{
  assert_room_refused (PLAY_BAD_PEER_NAME);
}

static void
test_bad_server_name (void)
{
  g_autoptr(HostileServer) server = hostile_server_start (PLAY_BAD_SERVER_NAME);
  g_autoptr(RcClientSession) session = NULL;
  Outcome outcome = { G_QUEUE_INIT, NULL, FALSE };

  session = session_for (server, &outcome);
  g_assert_error (outcome.error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL);
  g_assert_null (rc_client_session_get_server_name (session));
  outcome_clear (&outcome);
}

/* Without a bound the client queued a pong per ping, 68 MB in 5 s. */
static void
test_server_never_reads (void)
{
  g_autoptr(HostileServer) server = hostile_server_start (PLAY_NEVER_READS);
  g_autoptr(RcClientSession) session = NULL;
  Outcome outcome = { G_QUEUE_INIT, NULL, FALSE };

  session = session_for (server, &outcome);
  g_assert_no_error (outcome.error);
  /* Thousands of pings to read and answer before the queue is full:
   * slow under AddressSanitizer's stack unwinding, so this one wait is
   * bounded more loosely */
  {
    gint64 deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;

    while (g_queue_is_empty (&outcome.events))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  }
  rc_test_expect (&outcome.events, "disconnected");
  g_assert_error (outcome.error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (outcome.error->message, "stopped reading"));
  outcome_clear (&outcome);
}

/* A server that answers version 1 to the session's hello in version 2:
 * the session goes on in version 1, and a lost connection ends it as
 * version 1 says, without reconnecting. */
static void
test_version_1_server (void)
{
  g_autoptr(HostileServer) server = hostile_server_start (PLAY_VERSION_1);
  g_autoptr(RcClientSession) session = NULL;
  Outcome outcome = { G_QUEUE_INIT, NULL, FALSE };

  session = session_for (server, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (g_atomic_int_get (&server->hellos[2]), ==, 1);
  g_assert_cmpint (rc_client_session_get_version (session), ==, 1);
  rc_client_session_create_room_async (session, NULL, create_done_cb, &outcome);
  rc_test_expect (&outcome.events, "created");
  rc_test_expect (&outcome.events, "disconnected");
  g_assert_error (outcome.error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CLOSED);
  g_assert_false (rc_client_session_get_reconnecting (session));
  g_assert_cmpint (rc_client_session_get_state (session), ==, RC_SESSION_STATE_DISCONNECTED);
  outcome_clear (&outcome);
}

/* A server that refuses version 2 outright gets a second hello, in 1. */
static void
test_server_refuses_version_2 (void)
{
  g_autoptr(HostileServer) server = hostile_server_start (PLAY_REFUSES_VERSION_2);
  g_autoptr(RcClientSession) session = NULL;
  Outcome outcome = { G_QUEUE_INIT, NULL, FALSE };

  session = session_for (server, &outcome);
  g_assert_no_error (outcome.error);
  g_assert_cmpint (rc_client_session_get_state (session), ==, RC_SESSION_STATE_LOBBY);
  g_assert_cmpint (rc_client_session_get_version (session), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&server->hellos[2]), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&server->hellos[1]), ==, 1);
  rc_client_session_close (session);
  outcome_clear (&outcome);
}

int
main (int    argc,
      char **argv)
{
  /* A queue of 64 KiB fills with some 4,000 pongs */
  g_setenv ("ROOMCHAT_CLIENT_TEST_QUEUE_BYTES", "65536", TRUE);
  rc_test_client_init (&argc, &argv);

  g_test_add_func ("/client-hostile/cross-wired", test_cross_wired);
  g_test_add_func ("/client-hostile/bad-peer-name", test_bad_peer_name);
  g_test_add_func ("/client-hostile/bad-server-name", test_bad_server_name);
  g_test_add_func ("/client-hostile/server-never-reads", test_server_never_reads);
  g_test_add_func ("/client-hostile/version-1-server", test_version_1_server);
  g_test_add_func ("/client-hostile/server-refuses-version-2", test_server_refuses_version_2);

  return g_test_run ();
}
