/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "rc-client-session.h"
#include "rc-crypto.h"
#include "rc-frame.h"
#include "rc-frame-reader.h"
#include "test-client-util.h"
#include "test-session-util.h"
#include "test-crypto-util.h"

/* RcClientSession against the real server: two sessions in this process
 * talk through it; a hand-made client plays a peer that cheats or stops
 * reading. Its connection, its room and the known-servers file have tests
 * of their own. */

static void
test_chat (Fixture       *f,
           gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");
  Client *bo = client_new (f, "Bo");
  g_autofree char *room = NULL;
  g_autofree char *longest = g_strnfill (RC_MAX_PLAINTEXT_SIZE, 'x');
  g_autofree char *too_long = g_strnfill (RC_MAX_PLAINTEXT_SIZE + 1, 'x');
  g_autofree char *lower = NULL;
  g_autofree char *typed = NULL;

  client_connect_ok (ana);
  client_connect_ok (bo);
  room = client_create (ana);
  g_assert_cmpint (strlen (room), ==, RC_ROOM_ID_LENGTH);
  g_assert_cmpstr (rc_client_session_get_room (ana->session), ==, room);

  /* People type ids in lower case, with spaces and dashes. */
  lower = g_ascii_strdown (room, -1);
  typed = g_strdup_printf ("%.4s-%.4s %.4s", lower, lower + 4, lower + 8);
  client_join (bo, typed);
  g_assert_no_error (bo->error);

  rc_test_expect (&bo->events, "my-turn 1");
  rc_test_expect (&bo->events, "paired Ana joiner my-turn");
  rc_test_expect (&ana->events, "paired Bo creator their-turn");
  g_assert_cmpstr (rc_client_session_get_safety_code (ana->session), ==,
                   rc_client_session_get_safety_code (bo->session));
  g_assert_cmpint (strlen (rc_client_session_get_safety_code (ana->session)), ==, 39);
  g_assert_cmpstr (rc_client_session_get_peer_name (bo->session), ==, "Ana");
  g_assert_cmpint (rc_client_session_get_role (bo->session), ==, RC_ROLE_JOINER);
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_CHATTING);

  /* Refused locally, with the reason: nothing is sent and the seq stays. */
  send_refused (ana, "not yet", RC_CLIENT_ERROR_NOT_YOUR_TURN);
  send_refused (bo, "", RC_CLIENT_ERROR_EMPTY_MESSAGE);
  send_refused (bo, too_long, RC_CLIENT_ERROR_MESSAGE_TOO_LONG);
  send_refused (bo, "\xff\xfe", RC_CLIENT_ERROR_INVALID_TEXT);

  send_ok (bo, "Hola, ¿qué tal? Ñandú", 0);
  rc_test_expect (&bo->events, "my-turn 0");
  send_refused (bo, "twice", RC_CLIENT_ERROR_NOT_YOUR_TURN);
  rc_test_expect (&bo->events, "relayed 0");
  rc_test_expect (&ana->events, "message Hola, ¿qué tal? Ñandú");
  rc_test_expect (&ana->events, "my-turn 1");

  send_ok (ana, "Γειά σου — مرحبا — 你好 🙂", 0);
  rc_test_expect (&ana->events, "my-turn 0");
  rc_test_expect (&ana->events, "relayed 0");
  rc_test_expect (&bo->events, "message Γειά σου — مرحبا — 你好 🙂");
  rc_test_expect (&bo->events, "my-turn 1");

  send_ok (bo, longest, 1);
  rc_test_expect (&bo->events, "my-turn 0");
  rc_test_expect (&bo->events, "relayed 1");
  rc_test_expect (&ana->events, "message (long)");
  rc_test_expect (&ana->events, "my-turn 1");

  client_leave (bo);
  g_assert_null (rc_client_session_get_room (bo->session));
  rc_test_expect (&ana->events, "my-turn 0");
  rc_test_expect (&ana->events, "peer-left left");
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_LOBBY);
  g_assert_null (rc_client_session_get_peer_name (ana->session));
  send_refused (ana, "anyone?", RC_CLIENT_ERROR_NOT_IN_ROOM);

  /* A new chat needs a new room, from the lobby, on the same connection. */
  g_free (room);
  room = client_create (ana);
  client_join (bo, room);
  g_assert_no_error (bo->error);
  rc_test_expect (&bo->events, "my-turn 1");
  rc_test_expect (&bo->events, "paired Ana joiner my-turn");
  rc_test_expect (&ana->events, "paired Bo creator their-turn");

  /* Both speak version 2: a connection closed without leave keeps its
   * place for a while, and the other side is told it is away. */
  g_assert_cmpint (rc_client_session_get_version (bo->session), ==, 2);
  rc_client_session_close (bo->session);
  rc_test_expect (&bo->events, "my-turn 0");
  rc_test_expect (&bo->events, "disconnected (none)");
  g_assert_cmpint (rc_client_session_get_state (bo->session), ==, RC_SESSION_STATE_DISCONNECTED);
  rc_test_expect (&ana->events, "peer-away");
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_CHATTING);
  client_leave (ana);
  g_assert_true (g_queue_is_empty (&ana->events));

  client_free (ana);
  client_free (bo);
}

static void
test_creator_leaves_waiting_room (Fixture       *f,
                                  gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");
  Client *bo = client_new (f, "Bo");
  g_autofree char *room = NULL;

  client_connect_ok (ana);
  client_connect_ok (bo);
  room = client_create (ana);
  client_leave (ana);

  client_join (bo, room);
  g_assert_error (bo->error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
  g_assert_cmpint (rc_client_session_get_state (bo->session), ==, RC_SESSION_STATE_LOBBY);
  g_clear_error (&bo->error);

  client_free (ana);
  client_free (bo);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");

  client_connect (ana, "wrong");
  g_assert_error (ana->error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_AUTH_FAILED);
  g_assert_cmpint (rc_protocol_error_get_attempts_left (ana->error), ==, 2);
  g_assert_cmpint (rc_protocol_error_get_retry_after (ana->error), ==, -1);
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_DISCONNECTED);
  g_clear_error (&ana->error);

  /* The session can connect again; the right password resets the count. */
  client_connect_ok (ana);
  g_assert_true (g_queue_is_empty (&ana->events));
  rc_client_session_close (ana->session);
  rc_test_expect (&ana->events, "disconnected (none)");
  client_connect (ana, "wrong");
  g_assert_error (ana->error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_AUTH_FAILED);
  g_assert_cmpint (rc_protocol_error_get_attempts_left (ana->error), ==, 2);
  g_clear_error (&ana->error);

  client_free (ana);
}

static void
test_blocked (Fixture       *f,
              gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");

  for (int attempt = 0; attempt < 3; attempt++)
    {
      client_connect (ana, "wrong");
      g_assert_error (ana->error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_AUTH_FAILED);
      g_assert_cmpint (rc_protocol_error_get_attempts_left (ana->error), ==, 2 - attempt);
      g_clear_error (&ana->error);
    }

  client_connect (ana, TEST_PASSWORD);
  g_assert_error (ana->error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BLOCKED);
  g_assert_cmpint (rc_protocol_error_get_retry_after (ana->error), >, 0);
  g_assert_cmpint (rc_protocol_error_get_retry_after (ana->error), <=, 600);
  g_clear_error (&ana->error);

  client_free (ana);
}

/* A peer written by hand, straight on TLS, to send what a real client
 * never would. ------------------------------------------------------------ */

typedef struct
{
  GIOStream     *tls;
  RcFrameReader *reader;
} RawPeer;

static gboolean
accept_any_cb (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
               gpointer user_data)
{
  return TRUE;
}

static void
raw_send (RawPeer *raw,
          RcFrame *frame)
{
  g_autoptr(GError) error = NULL;

  rc_frame_write (g_io_stream_get_output_stream (raw->tls), frame, NULL, &error);
  g_assert_no_error (error);
}

static void
raw_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Reads with the main context running: the sessions of the test live on
 * it, and a frame the peer waits for may depend on one of them. */
static RcFrame *
raw_read (RawPeer     *raw,
          RcFrameType  expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;
  RcFrame *frame;

  rc_frame_reader_read_async (raw->reader, G_PRIORITY_DEFAULT, NULL, raw_read_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  line = rc_frame_reader_read_finish (raw->reader, result, &length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  frame = rc_frame_parse (line, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (frame->type_name, ==, rc_frame_type_to_string (expected));
  return frame;
}

/* @receive_buffer: the socket's SO_RCVBUF in bytes, or 0 for the system's
 * (growing) default. */
static RawPeer *
raw_connect_full (Fixture *f,
                  int      receive_buffer)
{
  RawPeer *raw = g_new0 (RawPeer, 1);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", f->server->port);
  g_autoptr(RcFrame) hello = rc_frame_new (RC_FRAME_HELLO);
  g_autoptr(RcFrame) welcome = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  /* Set before connecting, so that the window offered in the handshake
   * is small and stays small. */
  if (receive_buffer > 0)
    {
      g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, receive_buffer, &error);
      g_assert_no_error (error);
    }
  address = g_inet_socket_address_new_from_string ("127.0.0.1", f->server->port);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  tcp = g_socket_connection_factory_create_connection (socket);
  raw->tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                             NULL, &error, "base-io-stream", tcp, "server-identity", identity,
                             "database", NULL, NULL);
  g_assert_no_error (error);
  g_signal_connect (raw->tls, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  g_tls_connection_handshake (G_TLS_CONNECTION (raw->tls), NULL, &error);
  g_assert_no_error (error);
  raw->reader = rc_frame_reader_new (g_io_stream_get_input_stream (raw->tls));

  hello->version = RC_PROTOCOL_VERSION;
  hello->name = g_strdup ("Mallory");
  hello->password = g_strdup (TEST_PASSWORD);
  raw_send (raw, hello);
  welcome = raw_read (raw, RC_FRAME_WELCOME);
  return raw;
}

static RawPeer *
raw_connect (Fixture *f)
{
  return raw_connect_full (f, 0);
}

static void
raw_free (RawPeer *raw)
{
  g_io_stream_close (raw->tls, NULL, NULL);
  g_object_unref (raw->reader);
  g_object_unref (raw->tls);
  g_free (raw);
}

/* An identity from the independent test vectors: no key to generate. */
static RcIdentity *
vector_identity (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();

  return load_vector_identity (vectors_root (parser), RC_ROLE_JOINER);
}

/* Joins @room as a joiner whose signature is made for @signed_role. */
static RcFrame *
raw_join (RawPeer        *raw,
          const char     *room,
          RcIdentity     *identity,
          RcEphemeralKey *ephemeral,
          RcRole          signed_role)
{
  g_autoptr(RcFrame) join = rc_frame_new (RC_FRAME_JOIN);
  g_autoptr(GError) error = NULL;

  join->room = g_strdup (room);
  join->keys.identity = rc_identity_get_spki (identity);
  join->keys.ephemeral = rc_ephemeral_key_get_public (ephemeral);
  join->keys.signature = rc_identity_sign_ephemeral (identity, signed_role, join->keys.ephemeral, &error);
  g_assert_no_error (error);
  raw_send (raw, join);
  return raw_read (raw, RC_FRAME_PAIRED);
}

static void
test_bad_peer_signature (Fixture       *f,
                         gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");
  g_autoptr(RcIdentity) identity = vector_identity ();
  g_autoptr(RcEphemeralKey) ephemeral = rc_ephemeral_key_new ();
  g_autoptr(RcFrame) paired = NULL;
  g_autoptr(RcFrame) peer_left = NULL;
  g_autofree char *room = NULL;
  g_autofree char *expected = g_strdup_printf ("room-error %s %d", g_quark_to_string (RC_CLIENT_ERROR),
                                               RC_CLIENT_ERROR_SECURITY);
  RawPeer *raw;

  client_connect_ok (ana);
  room = client_create (ana);

  /* Signed as if it were the creator: the signature does not verify for
   * a joiner, so a server cannot swap roles unnoticed. */
  raw = raw_connect (f);
  paired = raw_join (raw, room, identity, ephemeral, RC_ROLE_CREATOR);

  rc_test_expect (&ana->events, expected);
  while (rc_client_session_get_state (ana->session) != RC_SESSION_STATE_LOBBY)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (rc_client_session_get_room (ana->session));
  g_assert_true (g_queue_is_empty (&ana->events));

  peer_left = raw_read (raw, RC_FRAME_PEER_LEFT);
  g_assert_cmpstr (peer_left->reason, ==, "left");

  raw_free (raw);
  client_free (ana);
}

static void
test_bad_peer_message (Fixture       *f,
                       gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");
  g_autoptr(RcIdentity) identity = vector_identity ();
  g_autoptr(RcEphemeralKey) ephemeral = rc_ephemeral_key_new ();
  g_autoptr(RcFrame) paired = NULL;
  g_autoptr(RcFrame) relayed = NULL;
  g_autoptr(RcFrame) answer = NULL;
  g_autoptr(RcFrame) good = rc_frame_new (RC_FRAME_MESSAGE);
  g_autoptr(RcFrame) forged = rc_frame_new (RC_FRAME_MESSAGE);
  g_autoptr(RcChannel) channel = NULL;
  g_autoptr(GBytes) spki = rc_identity_get_spki (identity);
  g_autoptr(GError) error = NULL;
  g_autofree char *room = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = g_strdup_printf ("room-error %s %d", g_quark_to_string (RC_CLIENT_ERROR),
                                               RC_CLIENT_ERROR_SECURITY);
  guint8 garbage[48];
  RawPeer *raw;

  client_connect_ok (ana);
  room = client_create (ana);

  raw = raw_connect (f);
  paired = raw_join (raw, room, identity, ephemeral, RC_ROLE_JOINER);
  rc_test_expect (&ana->events, "paired Mallory creator their-turn");
  channel = rc_channel_new (RC_ROLE_JOINER, paired->room, ephemeral, spki,
                            paired->peer_keys.identity, paired->peer_keys.ephemeral, &error);
  g_assert_no_error (error);

  /* A proper message first: the two sides agree on the keys. */
  good->ciphertext = rc_channel_seal (channel, "made by hand", &good->seq, &error);
  g_assert_no_error (error);
  raw_send (raw, good);
  relayed = raw_read (raw, RC_FRAME_RELAYED);
  rc_test_expect (&ana->events, "message made by hand");
  rc_test_expect (&ana->events, "my-turn 1");
  send_ok (ana, "¡recibido!", 0);
  answer = raw_read (raw, RC_FRAME_MESSAGE);
  text = rc_channel_open (channel, answer->seq, answer->ciphertext, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "¡recibido!");

  /* Then one whose tag cannot verify. */
  rc_crypto_random (garbage, sizeof garbage);
  forged->seq = 1;
  forged->ciphertext = g_bytes_new (garbage, sizeof garbage);
  raw_send (raw, forged);

  rc_test_expect (&ana->events, "my-turn 0");
  rc_test_expect (&ana->events, "relayed 0");
  rc_test_expect (&ana->events, expected);
  while (rc_client_session_get_state (ana->session) != RC_SESSION_STATE_LOBBY)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_queue_is_empty (&ana->events));

  raw_free (raw);
  client_free (ana);
}

/* The peer stops reading: the server gives up on a write to it after
 * ROOMCHAT_SERVER_TEST_WRITE_S, tells the author which message was not
 * delivered, and ends the room. */
static const char * const slow_write_env[] = { "ROOMCHAT_SERVER_TEST_WRITE_S=1", NULL };

static void
test_message_not_delivered (Fixture       *f,
                            gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");
  g_autoptr(RcIdentity) identity = vector_identity ();
  g_autoptr(RcEphemeralKey) ephemeral = rc_ephemeral_key_new ();
  g_autoptr(RcFrame) paired = NULL;
  g_autoptr(RcChannel) channel = NULL;
  g_autoptr(GBytes) spki = rc_identity_get_spki (identity);
  g_autoptr(GError) error = NULL;
  g_autofree char *room = NULL;
  g_autofree char *big = g_strnfill (16000, 'x');
  g_autofree char *outcome = NULL;
  g_autofree char *relayed = NULL;
  g_autofree char *not_delivered = NULL;
  gint64 seq;
  RawPeer *raw;

  client_connect_ok (ana);
  room = client_create (ana);

  /* A small receive buffer keeps the peer's share of the pipe small; the
   * server's send buffer still holds megabytes on loopback. */
  raw = raw_connect_full (f, 4096);
  paired = raw_join (raw, room, identity, ephemeral, RC_ROLE_JOINER);
  rc_test_expect (&ana->events, "paired Mallory creator their-turn");
  channel = rc_channel_new (RC_ROLE_JOINER, paired->room, ephemeral, spki,
                            paired->peer_keys.identity, paired->peer_keys.ephemeral, &error);
  g_assert_no_error (error);

  /* From here on the peer only writes. One message cannot fill what the
   * kernels buffer on the way, so the peer keeps handing the turn back
   * with short messages while Ana's long ones pile up unread. The
   * server's short "relayed" to the peer shares that pipe, but a long
   * message needs room long before a short one does, so in practice it is
   * the long one that times out (after some 140 rounds on Linux loopback). */
  for (seq = 0; ; seq++)
    {
      g_autoptr(RcFrame) tick = rc_frame_new (RC_FRAME_MESSAGE);

      g_assert_cmpint (seq, <, 10000);
      tick->ciphertext = rc_channel_seal (channel, "tick", &tick->seq, &error);
      g_assert_no_error (error);
      g_assert_cmpint (tick->seq, ==, seq);
      raw_send (raw, tick);
      rc_test_expect (&ana->events, "message tick");
      rc_test_expect (&ana->events, "my-turn 1");

      send_ok (ana, big, seq);
      rc_test_expect (&ana->events, "my-turn 0");
      g_free (outcome);
      outcome = next_event_in_time (&ana->events);
      g_free (relayed);
      relayed = g_strdup_printf ("relayed %" G_GINT64_FORMAT, seq);
      if (g_strcmp0 (outcome, relayed) != 0)
        break;
    }
  g_test_message ("Message %" G_GINT64_FORMAT " was the first one not delivered", seq);

  not_delivered = g_strdup_printf ("not-delivered %" G_GINT64_FORMAT, seq);
  g_assert_cmpstr (outcome, ==, not_delivered);
  rc_test_expect (&ana->events, "peer-left disconnected");
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_LOBBY);
  g_assert_null (rc_client_session_get_room (ana->session));
  g_assert_null (rc_client_session_get_peer_name (ana->session));
  g_assert_true (g_queue_is_empty (&ana->events));

  /* Still connected: a new room on the same connection. */
  g_free (room);
  room = client_create (ana);

  raw_free (raw);
  client_free (ana);
}

/* Keep-alive: the server drops a connection that sends nothing for
 * ROOMCHAT_SERVER_TEST_IDLE_MS; the sessions of this process ping every
 * TEST_PING_MS. */
static const char * const long_idle_env[] = { "ROOMCHAT_SERVER_TEST_IDLE_MS=1500", NULL };
static const char * const short_idle_env[] = { "ROOMCHAT_SERVER_TEST_IDLE_MS=50", NULL };

static void
test_keep_alive (Fixture       *f,
                 gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");

  client_connect_ok (ana);

  /* Twice the idle timeout with nothing to do but ping. */
  spin_for (3000);
  g_assert_true (g_queue_is_empty (&ana->events));
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_LOBBY);
  g_free (client_create (ana));

  client_free (ana);
}

/* The control: a server that gives up sooner than the session pings
 * drops it, so the test above can fail. */
static void
test_keep_alive_too_slow (Fixture       *f,
                          gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");
  g_autofree char *event = NULL;

  client_connect_ok (ana);

  event = next_event_in_time (&ana->events);
  g_assert_true (g_str_has_prefix (event, "disconnected "));
  g_assert_cmpstr (event, !=, "disconnected (none)");
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_DISCONNECTED);

  client_free (ana);
}

static void
test_cancel_connect (Fixture       *f,
                     gconstpointer  data)
{
  Client *ana = client_new (f, "Ana");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  rc_client_session_connect_async (ana->session, TEST_PASSWORD, cancellable, connect_cb, ana);
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_CONNECTING);
  g_cancellable_cancel (cancellable);
  rc_test_spin_until (&ana->done);
  g_assert_error (ana->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (rc_client_session_get_state (ana->session), ==, RC_SESSION_STATE_DISCONNECTED);
  g_assert_true (g_queue_is_empty (&ana->events));
  g_clear_error (&ana->error);

  /* Nothing of the cancelled attempt is left in the way. */
  client_connect_ok (ana);
  client_free (ana);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  rc_test_client_init (&argc, &argv);

  identities_dir = g_dir_make_tmp ("roomchat-identities-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add ("/session/chat", Fixture, NULL, fixture_set_up, test_chat, fixture_tear_down);
  g_test_add ("/session/creator-leaves-waiting-room", Fixture, NULL, fixture_set_up,
              test_creator_leaves_waiting_room, fixture_tear_down);
  g_test_add ("/session/cancel-connect", Fixture, NULL, fixture_set_up, test_cancel_connect,
              fixture_tear_down);
  g_test_add ("/session/wrong-password", Fixture, NULL, fixture_set_up, test_wrong_password, fixture_tear_down);
  g_test_add ("/session/blocked", Fixture, NULL, fixture_set_up, test_blocked, fixture_tear_down);
  g_test_add ("/session/bad-peer-signature", Fixture, NULL, fixture_set_up,
              test_bad_peer_signature, fixture_tear_down);
  g_test_add ("/session/bad-peer-message", Fixture, NULL, fixture_set_up,
              test_bad_peer_message, fixture_tear_down);
  g_test_add ("/session/message-not-delivered", Fixture, slow_write_env, fixture_set_up,
              test_message_not_delivered, fixture_tear_down);
  g_test_add ("/session/keep-alive", Fixture, long_idle_env, fixture_set_up,
              test_keep_alive, fixture_tear_down);
  g_test_add ("/session/keep-alive-too-slow", Fixture, short_idle_env, fixture_set_up,
              test_keep_alive_too_slow, fixture_tear_down);

  status = g_test_run ();
  test_remove_tree (identities_dir);
  g_free (identities_dir);
  return status;
}
