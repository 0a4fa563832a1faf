/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include "rc-client-session.h"
#include "rc-client-session-private.h"

/* Rooms: creating, joining and leaving them, messages in turns, and what
 * the server says about them. The keys and the turn are the room's
 * (RcClientRoom); this file decides when a room begins and ends. */

#define signals _rc_client_session_signals
#define properties _rc_client_session_properties

gboolean
_rc_client_session_in_room (RcClientSession *self)
{
  switch (self->state)
    {
    case RC_SESSION_STATE_WAITING:
    case RC_SESSION_STATE_CHATTING:
      return TRUE;
    case RC_SESSION_STATE_DISCONNECTED:
    case RC_SESSION_STATE_CONNECTING:
    case RC_SESSION_STATE_LOBBY:
      return FALSE;
    }

  g_return_val_if_reached (FALSE);
}

/* Notifications: only on a real change ------------------------------------ */

void
_rc_client_session_notify_turn (RcClientSession *self,
                                gboolean         was_my_turn)
{
  if (rc_client_session_get_my_turn (self) != was_my_turn)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MY_TURN]);
}

static void
set_room_id (RcClientSession *self,
             const char      *room_id)
{
  if (g_strcmp0 (self->room_id, room_id) == 0)
    return;

  g_free (self->room_id);
  self->room_id = g_strdup (room_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM]);
}

/* Replaces the paired room; the turn is for the caller to tell. */
static void
set_room (RcClientSession *self,
          RcClientRoom    *room)
{
  g_autofree char *old_peer_name = g_strdup (rc_client_session_get_peer_name (self));
  g_autofree char *old_safety_code = g_strdup (rc_client_session_get_safety_code (self));

  g_set_object (&self->room, room);
  if (g_strcmp0 (old_peer_name, rc_client_session_get_peer_name (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_NAME]);
  if (g_strcmp0 (old_safety_code, rc_client_session_get_safety_code (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAFETY_CODE]);
}

/* Wipes the room's keys at once; the room itself stays until the server
 * confirms the end. */
static void
close_room (RcClientSession *self)
{
  gboolean was_my_turn = rc_client_session_get_my_turn (self);

  if (self->room != NULL)
    rc_client_room_close (self->room);
  g_clear_pointer (&self->ephemeral, rc_ephemeral_key_free);
  _rc_client_session_notify_turn (self, was_my_turn);
}

/* Ending rooms ------------------------------------------------------------- */

/* Forgets the room: its keys and the ephemeral key are wiped as they are
 * freed, which is this room's forward secrecy. */
void
_rc_client_session_end_room (RcClientSession *self)
{
  close_room (self);
  g_clear_pointer (&self->join_room, g_free);
  self->room_task_waits_for_identity = FALSE;
  self->leaving = FALSE;
  g_clear_pointer (&self->resume_token, g_bytes_unref);
  g_clear_pointer (&self->last_sent, rc_frame_free);
  self->unconfirmed_seq = -1;
  self->counted_seq = -1;
  _rc_client_session_set_peer_away (self, FALSE);
  set_room_id (self, NULL);
  set_room (self, NULL);
}

void
_rc_client_session_fail_room_tasks (RcClientSession *self,
                                    const GError    *error)
{
  g_autoptr(GTask) room_task = g_steal_pointer (&self->room_task);
  g_autoptr(GTask) leave_task = g_steal_pointer (&self->leave_task);

  if (room_task != NULL)
    g_task_return_error (room_task, g_error_copy (error));
  if (leave_task != NULL)
    g_task_return_error (leave_task, g_error_copy (error));
}

static void
fail_room_task (RcClientSession *self,
                GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->room_task);

  g_clear_pointer (&self->ephemeral, rc_ephemeral_key_free);
  g_clear_pointer (&self->join_room, g_free);
  self->room_task_waits_for_identity = FALSE;

  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

/* While reconnecting, the leave goes out once the room is back
 * (rc-client-session-resume.c), so that the other person reads "left". */
void
_rc_client_session_send_leave (RcClientSession *self)
{
  g_autoptr(RcFrame) leave = rc_frame_new (RC_FRAME_LEAVE);

  self->leaving = TRUE;
  if (!self->reconnecting)
    _rc_client_session_send (self, leave);
}

/* The room can no longer be trusted or used: leave it and say why. */
static void
room_failed (RcClientSession *self,
             GError          *error)
{
  g_autoptr(GError) owned = error;

  g_debug ("Leaving room %s: %s", self->room_id, error->message);
  close_room (self);
  if (!self->leaving)
    _rc_client_session_send_leave (self);

  if (self->room_task != NULL)
    fail_room_task (self, g_error_copy (error));
  g_signal_emit (self, signals[SIGNAL_ROOM_ERROR], 0, error);
}

void
_rc_client_session_back_to_lobby (RcClientSession *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->leave_task);

  _rc_client_session_end_room (self);
  _rc_client_session_set_state (self, RC_SESSION_STATE_LOBBY);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

/* Creating and joining ---------------------------------------------------- */

/* Sends create or join once the identity key is there. */
static void
send_room_request (RcClientSession *self)
{
  g_autoptr(RcFrame) frame = NULL;
  g_autoptr(GError) error = NULL;

  if (self->identity == NULL)
    {
      if (self->identity_error != NULL)
        fail_room_task (self, g_error_copy (self->identity_error));
      else
        self->room_task_waits_for_identity = TRUE;
      return;
    }

  g_clear_pointer (&self->ephemeral, rc_ephemeral_key_free);
  self->ephemeral = rc_ephemeral_key_new ();
  frame = rc_frame_new (self->role == RC_ROLE_CREATOR ? RC_FRAME_CREATE : RC_FRAME_JOIN);
  frame->room = g_strdup (self->join_room);
  if (!rc_client_room_offer_keys (self->identity, self->role, self->ephemeral, &frame->keys, &error))
    {
      fail_room_task (self, g_steal_pointer (&error));
      return;
    }

  _rc_client_session_send (self, frame);
}

void
_rc_client_session_identity_ready (RcClientSession *self)
{
  if (!self->room_task_waits_for_identity)
    return;

  self->room_task_waits_for_identity = FALSE;
  send_room_request (self);
}

/* Asks for a room in @role: create, or join @room as a person typed it.
 * @task completes with the answer. */
static void
request_room (RcClientSession *self,
              GTask           *task,
              RcRole           role,
              const char      *room)
{
  g_autoptr(GTask) owned = task;
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  if (!_rc_client_session_is_welcomed (self))
    {
      g_task_return_new_error (task, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CLOSED,
                               "Not connected to a server");
      return;
    }

  if (self->state != RC_SESSION_STATE_LOBBY || self->room_task != NULL ||
      self->leave_task != NULL)
    {
      g_task_return_new_error (task, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_STATE,
                               "Leave the current room first");
      return;
    }

  if (room != NULL && (normalized = rc_room_id_normalize (room, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->role = role;
  self->join_room = g_steal_pointer (&normalized);
  self->room_task = g_steal_pointer (&owned);
  send_room_request (self);
}

void
rc_client_session_create_room_async (RcClientSession     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RC_IS_CLIENT_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_name (task, "rc_client_session_create_room_async");
  request_room (self, g_steal_pointer (&task), RC_ROLE_CREATOR, NULL);
}

char *
rc_client_session_create_room_finish (RcClientSession  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rc_client_session_join_room_async (RcClientSession     *self,
                                   const char          *room,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RC_IS_CLIENT_SESSION (self));
  g_return_if_fail (room != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_name (task, "rc_client_session_join_room_async");
  request_room (self, g_steal_pointer (&task), RC_ROLE_JOINER, room);
}

gboolean
rc_client_session_join_room_finish (RcClientSession  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Chatting and leaving ---------------------------------------------------- */

gint64
rc_client_session_send_message (RcClientSession  *self,
                                const char       *text,
                                GError          **error)
{
  g_autoptr(RcFrame) message = NULL;

  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), -1);
  g_return_val_if_fail (text != NULL, -1);

  if (self->state != RC_SESSION_STATE_CHATTING || self->room == NULL || self->leaving)
    {
      g_set_error_literal (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_IN_ROOM,
                           "You are not in a chat");
      return -1;
    }

  message = rc_client_room_seal (self->room, text, error);
  if (message == NULL)
    return -1;

  /* Kept as sealed: a resume may ask for this very frame again. */
  self->unconfirmed_seq = message->seq;
  if (!self->reconnecting)
    _rc_client_session_send (self, message);
  g_clear_pointer (&self->last_sent, rc_frame_free);
  self->last_sent = g_steal_pointer (&message);
  _rc_client_session_notify_turn (self, TRUE);
  return self->last_sent->seq;
}

void
rc_client_session_leave_async (RcClientSession     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RC_IS_CLIENT_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_name (task, "rc_client_session_leave_async");

  if (!_rc_client_session_in_room (self) || self->leave_task != NULL)
    {
      g_task_return_new_error (task, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_IN_ROOM,
                               "You are not in a room");
      return;
    }

  self->leave_task = g_steal_pointer (&task);
  close_room (self);
  if (!self->leaving)
    _rc_client_session_send_leave (self);
}

gboolean
rc_client_session_leave_finish (RcClientSession  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The server's frames about rooms ----------------------------------------- */

void
_rc_client_session_handle_created (RcClientSession *self,
                                   const RcFrame   *frame)
{
  g_autoptr(GTask) task = NULL;

  if (self->room_task == NULL || self->role != RC_ROLE_CREATOR ||
      self->state != RC_SESSION_STATE_LOBBY)
    {
      _rc_client_session_protocol_failed (self, "The server created a room nobody asked for");
      return;
    }

  task = g_steal_pointer (&self->room_task);
  set_room_id (self, frame->room);
  _rc_client_session_keep_token (self, frame);
  _rc_client_session_set_state (self, RC_SESSION_STATE_WAITING);
  g_task_return_pointer (task, g_strdup (frame->room), g_free);
}

void
_rc_client_session_handle_paired (RcClientSession *self,
                                  const RcFrame   *frame)
{
  gboolean expected = self->role == RC_ROLE_CREATOR
                        ? self->state == RC_SESSION_STATE_WAITING
                        : self->state == RC_SESSION_STATE_LOBBY && self->room_task != NULL;

  if (self->leaving)
    return;

  if (!expected || frame->role != self->role || self->ephemeral == NULL)
    {
      _rc_client_session_protocol_failed (self, "The server paired this client unexpectedly");
      return;
    }

  if (_rc_client_session_begin_room (self, frame))
    _rc_client_session_keep_token (self, frame);
}

/* The room begins with @frame, paired or resumed with a peer: checks it
 * and emits ::paired. FALSE when the session or the room failed. */
gboolean
_rc_client_session_begin_room (RcClientSession *self,
                               const RcFrame   *frame)
{
  g_autoptr(RcClientRoom) room = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *peer_name = NULL;

  /* A paired frame for another room than the one created or asked for,
   * or with a name no server would let in, is a server cross-wiring
   * people: only the safety code would tell them. */
  if (g_strcmp0 (frame->room, self->role == RC_ROLE_CREATOR ? self->room_id : self->join_room) != 0)
    {
      _rc_client_session_security_failed (self, "The server paired this client in a room it did not ask for");
      return FALSE;
    }
  peer_name = frame->peer_name != NULL ? rc_name_normalize (frame->peer_name, NULL) : NULL;
  if (g_strcmp0 (peer_name, frame->peer_name) != 0)
    {
      _rc_client_session_security_failed (self, "The server gave the other person a name that breaks the rules for names");
      return FALSE;
    }

  set_room_id (self, frame->room);
  room = rc_client_room_new (self->identity, self->ephemeral, frame, &error);
  g_clear_pointer (&self->ephemeral, rc_ephemeral_key_free);
  if (room == NULL)
    {
      _rc_client_session_set_state (self, RC_SESSION_STATE_CHATTING);
      room_failed (self, g_steal_pointer (&error));
      return FALSE;
    }

  set_room (self, room);
  _rc_client_session_set_state (self, RC_SESSION_STATE_CHATTING);
  _rc_client_session_notify_turn (self, FALSE);
  g_clear_pointer (&self->join_room, g_free);

  task = g_steal_pointer (&self->room_task);
  g_signal_emit (self, signals[SIGNAL_PAIRED], 0,
                 rc_client_room_get_peer_name (room), (int) self->role,
                 rc_client_room_get_my_turn (room), rc_client_room_get_safety_code (room));
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
  return TRUE;
}

void
_rc_client_session_handle_message (RcClientSession *self,
                                   const RcFrame   *frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) sent_at = NULL;
  g_autofree char *text = NULL;
  gboolean was_my_turn = rc_client_session_get_my_turn (self);

  if (self->state != RC_SESSION_STATE_CHATTING || self->leaving || self->room == NULL)
    return;

  text = rc_client_room_open (self->room, frame, &error);
  if (text == NULL)
    {
      room_failed (self, g_steal_pointer (&error));
      return;
    }

  if (frame->sent_at != NULL)
    sent_at = g_date_time_new_from_iso8601 (frame->sent_at, NULL);
  if (sent_at == NULL)
    sent_at = g_date_time_new_now_utc ();

  /* The message is shown before the turn is told, so that an answer
   * written on notify::my-turn comes after it. */
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, text, sent_at);
  _rc_client_session_notify_turn (self, was_my_turn);
}

/* The server has told what became of message @seq: a resume need not
 * ask about it again. */
static void
settle_message (RcClientSession *self,
                gint64           seq)
{
  if (seq == self->unconfirmed_seq)
    self->unconfirmed_seq = -1;
  if (seq == self->counted_seq)
    self->counted_seq = -1;
}

void
_rc_client_session_handle_relayed (RcClientSession *self,
                                   const RcFrame   *frame)
{
  if (self->state != RC_SESSION_STATE_CHATTING || self->leaving)
    return;

  settle_message (self, frame->seq);
  g_signal_emit (self, signals[frame->held ? SIGNAL_MESSAGE_HELD : SIGNAL_MESSAGE_RELAYED], 0,
                 frame->seq);
}

void
_rc_client_session_handle_left (RcClientSession *self,
                                const RcFrame   *frame)
{
  if (self->leaving)
    _rc_client_session_back_to_lobby (self);
}

void
_rc_client_session_handle_peer_left (RcClientSession *self,
                                     const RcFrame   *frame)
{
  if (self->state != RC_SESSION_STATE_CHATTING)
    return;

  if (self->leaving)
    {
      /* The server ended the room before it read our leave, which it
       * will answer with bad-state. */
      self->stale_bad_states++;
      _rc_client_session_back_to_lobby (self);
      return;
    }

  _rc_client_session_back_to_lobby (self);
  g_signal_emit (self, signals[SIGNAL_PEER_LEFT], 0, frame->reason);
}

/* Returns whether the error was about a room; the others are for the
 * caller. */
gboolean
_rc_client_session_handle_room_error (RcClientSession *self,
                                      const RcFrame   *frame)
{
  switch (frame->code)
    {
    case RC_PROTOCOL_ERROR_BAD_STATE:
      if (self->stale_bad_states > 0)
        {
          self->stale_bad_states--;
          return TRUE;
        }
      G_GNUC_FALLTHROUGH;
    case RC_PROTOCOL_ERROR_NO_SUCH_ROOM:
    case RC_PROTOCOL_ERROR_ROOM_FULL:
    case RC_PROTOCOL_ERROR_RATE_LIMITED:
      if (self->room_task == NULL)
        break;
      fail_room_task (self, _rc_client_session_error_from_frame (frame));
      return TRUE;

    case RC_PROTOCOL_ERROR_NOT_DELIVERED:
      settle_message (self, frame->seq);
      if (self->state == RC_SESSION_STATE_CHATTING && !self->leaving)
        g_signal_emit (self, signals[SIGNAL_MESSAGE_NOT_DELIVERED], 0, frame->seq);
      return TRUE;

    case RC_PROTOCOL_ERROR_NOT_YOUR_TURN:
    case RC_PROTOCOL_ERROR_BAD_SEQUENCE:
    case RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE:
      /* Our seq has moved on and the server's has not: the room cannot
       * go on. */
      if (self->state == RC_SESSION_STATE_CHATTING && !self->leaving)
        room_failed (self, _rc_client_session_error_from_frame (frame));
      return TRUE;

    case RC_PROTOCOL_ERROR_BAD_FRAME:
    case RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION:
    case RC_PROTOCOL_ERROR_BAD_NAME:
    case RC_PROTOCOL_ERROR_AUTH_FAILED:
    case RC_PROTOCOL_ERROR_BLOCKED:
    case RC_PROTOCOL_ERROR_SERVER_FULL:
    case RC_PROTOCOL_ERROR_SHUTTING_DOWN:
    case RC_PROTOCOL_ERROR_RESUME_FAILED:
    case RC_PROTOCOL_ERROR_SESSION_REPLACED:
    case RC_PROTOCOL_ERROR_UNKNOWN:
      break;
    }

  if (_rc_client_session_in_room (self) && !self->leaving)
    {
      g_autoptr(GError) error = _rc_client_session_error_from_frame (frame);

      g_signal_emit (self, signals[SIGNAL_ROOM_ERROR], 0, error);
      return TRUE;
    }

  return FALSE;
}
