/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include "rc-client-session.h"
#include "rc-client-session-private.h"

/* Version 2 (docs/protocol.md 3.6): when the connection is lost in a
 * room, a new one logs in again and resumes the room, and the other
 * person's lost connection is told as such. The room (its keys, turn and
 * sequence numbers) is not touched by any of this: it carries over. */

#define signals _rc_client_session_signals
#define properties _rc_client_session_properties

/* The first attempt goes at once; then half a second, doubled up to this. */
#define FIRST_RETRY_MS 500
#define LONGEST_RETRY_MS 4000
/* An attempt that neither fails nor resumes in this time is given up. */
#define ATTEMPT_TIMEOUT_MS 10000

static void schedule_attempt (RcClientSession *self);

void
_rc_client_session_set_peer_away (RcClientSession *self,
                                  gboolean         away)
{
  if (self->peer_away == !!away)
    return;

  self->peer_away = !!away;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_AWAY]);
}

static void
set_reconnecting (RcClientSession *self,
                  gboolean         reconnecting)
{
  if (self->reconnecting == !!reconnecting)
    return;

  self->reconnecting = !!reconnecting;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECTING]);
}

/* created, paired and resumed carry the seat's token; a version 1 server
 * sends none. */
void
_rc_client_session_keep_token (RcClientSession *self,
                               const RcFrame   *frame)
{
  if (self->version < RC_PROTOCOL_VERSION_RESUME || frame->resume_token == NULL ||
      g_bytes_get_size (frame->resume_token) != RC_RESUME_TOKEN_SIZE)
    return;

  g_clear_pointer (&self->resume_token, g_bytes_unref);
  self->resume_token = g_bytes_ref (frame->resume_token);
}

/* Whether a lost connection is worth coming back over: the network or the
 * server's end of it failed, not the server's word or its rules. */
static gboolean
is_transient (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    return error->code != G_IO_ERROR_CANCELLED;
  if (error->domain == G_TLS_ERROR || error->domain == G_RESOLVER_ERROR)
    return TRUE;
  if (error->domain == RC_CLIENT_ERROR)
    return error->code == RC_CLIENT_ERROR_CLOSED || error->code == RC_CLIENT_ERROR_TLS;
  if (error->domain == RC_PROTOCOL_ERROR)
    return error->code == RC_PROTOCOL_ERROR_SERVER_FULL ||
           error->code == RC_PROTOCOL_ERROR_RATE_LIMITED;
  return FALSE;
}

gboolean
_rc_client_session_can_resume (RcClientSession *self,
                               const GError    *error)
{
  return self->version >= RC_PROTOCOL_VERSION_RESUME && self->resume_seconds > 0 &&
         self->resume_token != NULL && self->room_id != NULL &&
         _rc_client_session_in_room (self) && is_transient (error);
}

/* The message sent last may never have reached the server: its author
 * must not think it was delivered. */
static void
report_unconfirmed (RcClientSession *self)
{
  gint64 seq = self->unconfirmed_seq >= 0 ? self->unconfirmed_seq : self->counted_seq;

  self->unconfirmed_seq = -1;
  self->counted_seq = -1;
  if (seq >= 0 && self->state == RC_SESSION_STATE_CHATTING && !self->leaving)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_NOT_DELIVERED], 0, seq);
}

static GError *
not_resumed_error (const GError *cause)
{
  return g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_RESUMED,
                      "The connection to the server was lost and the chat could not be resumed: %s",
                      cause->message);
}

static void
give_up (RcClientSession *self,
         GError          *cause)
{
  g_autoptr(GError) owned = cause;
  GError *error = not_resumed_error (cause);

  g_debug ("Giving up on room %s: %s", self->room_id, cause->message);
  report_unconfirmed (self);
  _rc_client_session_stop_reconnecting (self);
  _rc_client_session_disconnect (self, error);
}

void
_rc_client_session_stop_reconnecting (RcClientSession *self)
{
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  self->resuming = FALSE;
  self->counted_seq = -1;
  set_reconnecting (self, FALSE);
}

static void
drop_attempt (RcClientSession *self)
{
  _rc_client_session_release_connection (self);
  self->resuming = FALSE;
}

static gboolean
attempt_timeout_cb (gpointer user_data)
{
  RcClientSession *self = user_data;

  self->reconnect_id = 0;
  _rc_client_session_reconnect_failed (self,
    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "The server did not answer in time"));
  return G_SOURCE_REMOVE;
}

static gboolean
attempt_cb (gpointer user_data)
{
  RcClientSession *self = user_data;
  gint64 left_ms = (self->reconnect_deadline - g_get_monotonic_time ()) / 1000;

  self->reconnect_id = 0;
  self->reconnect_attempts++;
  g_debug ("Reconnecting to room %s, attempt %u", self->room_id, self->reconnect_attempts);
  _rc_client_session_open_connection (self);
  self->reconnect_id = g_timeout_add ((guint) CLAMP (left_ms, 1, ATTEMPT_TIMEOUT_MS),
                                      attempt_timeout_cb, self);
  return G_SOURCE_REMOVE;
}

static void
schedule_attempt (RcClientSession *self)
{
  guint delay_ms = 0;

  if (self->reconnect_attempts > 0)
    delay_ms = MIN ((guint) FIRST_RETRY_MS << MIN (self->reconnect_attempts - 1, 8),
                    (guint) LONGEST_RETRY_MS);

  if (g_get_monotonic_time () + (gint64) delay_ms * 1000 >= self->reconnect_deadline)
    {
      give_up (self, g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CLOSED,
                                  "the server keeps a place for %" G_GINT64_FORMAT " seconds, and they are over",
                                  self->resume_seconds));
      return;
    }

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  self->reconnect_id = g_timeout_add (delay_ms, attempt_cb, self);
}

void
_rc_client_session_start_reconnecting (RcClientSession *self,
                                       GError          *error)
{
  g_autoptr(GError) owned = error;

  g_debug ("Lost the connection in room %s: %s", self->room_id, error->message);
  drop_attempt (self);
  self->reconnect_deadline = g_get_monotonic_time () + self->resume_seconds * G_USEC_PER_SEC;
  self->reconnect_attempts = 0;
  set_reconnecting (self, TRUE);
  schedule_attempt (self);
  /* The place may be gone by the time anyone asks; a handler may also
   * close the session. */
  if (self->reconnecting)
    g_signal_emit (self, signals[SIGNAL_RECONNECTING], 0, error, (guint) self->resume_seconds);
}

void
_rc_client_session_reconnect_failed (RcClientSession *self,
                                     GError          *error)
{
  if (!self->reconnecting)
    {
      g_error_free (error);
      return;
    }

  g_debug ("Reconnect attempt %u failed: %s", self->reconnect_attempts, error->message);
  drop_attempt (self);
  if (!is_transient (error))
    {
      give_up (self, error);
      return;
    }

  g_error_free (error);
  schedule_attempt (self);
}

/* Resuming ---------------------------------------------------------------- */

void
_rc_client_session_send_resume (RcClientSession *self)
{
  g_autoptr(RcFrame) resume = rc_frame_new (RC_FRAME_RESUME);

  if (self->version < RC_PROTOCOL_VERSION_RESUME)
    {
      _rc_client_session_reconnect_failed (self,
        g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                             "the server no longer speaks the protocol version that resumes chats"));
      return;
    }

  resume->room = g_strdup (self->room_id);
  resume->resume_token = g_bytes_ref (self->resume_token);
  resume->received = self->room != NULL ? rc_client_room_get_received (self->room) : 0;
  self->resuming = TRUE;
  _rc_client_session_send (self, resume);
}

/* The new connection is in, the room is not: the session goes on in the
 * lobby and says why. */
static void
resume_refused (RcClientSession *self,
                GError          *cause)
{
  g_autoptr(GError) owned = cause;
  g_autoptr(GError) error = NULL;
  gboolean leaving = self->leaving;

  _rc_client_session_stop_reconnecting (self);
  report_unconfirmed (self);
  error = not_resumed_error (cause);
  _rc_client_session_back_to_lobby (self);
  if (!leaving)
    g_signal_emit (self, signals[SIGNAL_ROOM_ERROR], 0, error);
}

void
_rc_client_session_handle_resume_error (RcClientSession *self,
                                        const RcFrame   *frame)
{
  GError *error = _rc_client_session_error_from_frame (frame);

  if (self->resuming &&
      (frame->code == RC_PROTOCOL_ERROR_RESUME_FAILED || frame->code == RC_PROTOCOL_ERROR_BAD_STATE))
    {
      resume_refused (self, error);
      return;
    }

  /* The answer to hello, or a server closing this attempt. */
  _rc_client_session_reconnect_failed (self, error);
}

/* The messages this side sent, as the server counts them (@relayed),
 * against those the room sealed: the last one is sent again, as it was,
 * when the server never had it. */
static gboolean
catch_up (RcClientSession *self,
          gint64           relayed)
{
  gint64 sent = rc_client_room_get_sent (self->room);

  if (relayed == sent - 1 && self->last_sent != NULL && self->last_sent->seq == relayed)
    {
      g_debug ("Sending message %" G_GINT64_FORMAT " again", relayed);
      self->unconfirmed_seq = relayed;
      _rc_client_session_send (self, self->last_sent);
      return TRUE;
    }

  if (relayed != sent)
    return FALSE;

  /* The server had it but its answer was lost: held or relayed? A peer
   * away is told at once after resumed, before the answer to a ping. */
  if (self->unconfirmed_seq >= 0)
    {
      g_autoptr(RcFrame) ping = rc_frame_new (RC_FRAME_PING);

      self->counted_seq = self->unconfirmed_seq;
      self->unconfirmed_seq = -1;
      _rc_client_session_send (self, ping);
    }
  return TRUE;
}

void
_rc_client_session_handle_resumed (RcClientSession *self,
                                   const RcFrame   *frame)
{
  if (g_strcmp0 (frame->room, self->room_id) != 0 || frame->role != self->role)
    {
      _rc_client_session_security_failed (self, "The server resumed another room than this client's");
      return;
    }
  if (frame->resume_token == NULL || g_bytes_get_size (frame->resume_token) != RC_RESUME_TOKEN_SIZE)
    {
      _rc_client_session_protocol_failed (self, "The server resumed the room without a valid token");
      return;
    }

  _rc_client_session_keep_token (self, frame);
  _rc_client_session_stop_reconnecting (self);
  g_debug ("Resumed room %s after %u attempts", self->room_id, self->reconnect_attempts);

  if (self->leaving)
    {
      /* Now the other person can be told. */
      _rc_client_session_send_leave (self);
      return;
    }

  if (self->state == RC_SESSION_STATE_WAITING)
    {
      if (frame->has_peer && !_rc_client_session_begin_room (self, frame))
        return;
    }
  else if (self->room != NULL)
    {
      if (!frame->has_peer || !rc_client_room_has_peer_keys (self->room, &frame->peer_keys))
        {
          _rc_client_session_security_failed (self, "The server resumed this chat with someone else");
          return;
        }
      if (!catch_up (self, frame->relayed_count))
        {
          _rc_client_session_protocol_failed (self, "The server's count of this client's messages does not match");
          return;
        }
    }

  g_signal_emit (self, signals[SIGNAL_RESUMED], 0);
}

void
_rc_client_session_handle_peer_away (RcClientSession *self,
                                     const RcFrame   *frame)
{
  gint64 counted_seq = self->counted_seq;

  if (!_rc_client_session_in_room (self) || self->leaving)
    return;

  _rc_client_session_set_peer_away (self, TRUE);
  self->counted_seq = -1;
  if (counted_seq >= 0)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_HELD], 0, counted_seq);
  g_signal_emit (self, signals[SIGNAL_PEER_AWAY], 0, (guint) CLAMP (frame->seconds, 0, G_MAXUINT));
}

void
_rc_client_session_handle_peer_back (RcClientSession *self,
                                     const RcFrame   *frame)
{
  if (!_rc_client_session_in_room (self) || self->leaving)
    return;

  _rc_client_session_set_peer_away (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_PEER_BACK], 0);
}

void
_rc_client_session_handle_pong (RcClientSession *self)
{
  gint64 counted_seq = self->counted_seq;

  self->counted_seq = -1;
  if (counted_seq >= 0 && self->state == RC_SESSION_STATE_CHATTING && !self->leaving)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_RELAYED], 0, counted_seq);
}
