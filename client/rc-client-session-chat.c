/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include <string.h>

#include "rc-client-session.h"
#include "rc-client-session-private.h"

/* A paired room: messages in turns, leaving, and what the server says
 * about them. */

static void
handle_message (RcClientSession *self,
                RcFrame         *frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) sent_at = NULL;
  g_autofree char *text = NULL;

  if (self->leaving || self->channel == NULL)
    return;

  text = rc_channel_open (self->channel, frame->seq, frame->ciphertext, &error);
  if (text == NULL)
    {
      rc_client_session_room_failed (self,
        g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY,
                     "The room is not secure: message %" G_GINT64_FORMAT
                     " from %s was altered, replayed or lost (%s)",
                     frame->seq, self->peer_name, error->message));
      return;
    }

  if (frame->sent_at != NULL)
    sent_at = g_date_time_new_from_iso8601 (frame->sent_at, NULL);
  if (sent_at == NULL)
    sent_at = g_date_time_new_now_utc ();

  /* The message is shown before the turn passes, so that an answer
   * written on notify::my-turn comes after it. */
  g_signal_emit (self, rc_client_session_signals[SIGNAL_MESSAGE_RECEIVED], 0, text, sent_at);
  if (self->channel != NULL && !self->leaving)
    rc_client_session_set_my_turn (self, TRUE);
}

static void
back_to_lobby (RcClientSession *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->leave_task);

  rc_client_session_end_room (self);
  rc_client_session_set_state (self, RC_SESSION_STATE_LOBBY);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

void
rc_client_session_handle_room_frame (RcClientSession *self,
                                     RcFrame         *frame)
{
  switch (frame->type)
    {
    case RC_FRAME_CREATED:
      {
        g_autoptr(GTask) task = g_steal_pointer (&self->room_task);

        if (task == NULL || self->role != RC_ROLE_CREATOR ||
            self->state != RC_SESSION_STATE_LOBBY)
          {
            rc_client_session_connection_failed (self,
              g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                                   "The server created a room nobody asked for"));
            return;
          }
        rc_client_session_set_room_id (self, frame->room);
        rc_client_session_set_state (self, RC_SESSION_STATE_WAITING);
        g_task_return_pointer (task, g_strdup (frame->room), g_free);
      }
      break;

    case RC_FRAME_PAIRED:
      rc_client_session_handle_paired (self, frame);
      break;

    case RC_FRAME_MESSAGE:
      if (self->state == RC_SESSION_STATE_CHATTING)
        handle_message (self, frame);
      break;

    case RC_FRAME_RELAYED:
      if (self->state == RC_SESSION_STATE_CHATTING && !self->leaving)
        g_signal_emit (self, rc_client_session_signals[SIGNAL_MESSAGE_RELAYED], 0, frame->seq);
      break;

    case RC_FRAME_LEFT:
      if (self->leaving)
        back_to_lobby (self);
      break;

    case RC_FRAME_PEER_LEFT:
      if (self->state != RC_SESSION_STATE_CHATTING)
        break;
      if (self->leaving)
        {
          /* The server ended the room before it read our leave, which it
           * will answer with bad-state. */
          self->stale_bad_states++;
          back_to_lobby (self);
          break;
        }
      back_to_lobby (self);
      g_signal_emit (self, rc_client_session_signals[SIGNAL_PEER_LEFT], 0, frame->reason);
      break;

    case RC_FRAME_UNKNOWN:
    case RC_FRAME_HELLO:
    case RC_FRAME_WELCOME:
    case RC_FRAME_ERROR:
    case RC_FRAME_CREATE:
    case RC_FRAME_JOIN:
    case RC_FRAME_LEAVE:
    case RC_FRAME_PING:
    case RC_FRAME_PONG:
    default:
      g_assert_not_reached ();
    }
}

gboolean
rc_client_session_handle_room_error (RcClientSession *self,
                                     const RcFrame   *frame)
{
  gboolean in_room = self->state == RC_SESSION_STATE_WAITING ||
                     self->state == RC_SESSION_STATE_CHATTING;

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
      rc_client_session_fail_room_task (self, rc_client_session_error_from_frame (self, frame));
      return TRUE;

    case RC_PROTOCOL_ERROR_NOT_DELIVERED:
      if (self->state != RC_SESSION_STATE_CHATTING || self->leaving)
        return TRUE;
      g_signal_emit (self, rc_client_session_signals[SIGNAL_MESSAGE_NOT_DELIVERED], 0, frame->seq);
      return TRUE;

    case RC_PROTOCOL_ERROR_NOT_YOUR_TURN:
    case RC_PROTOCOL_ERROR_BAD_SEQUENCE:
    case RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE:
      /* Our seq has moved on and the server's has not: the room cannot
       * go on. */
      if (self->state != RC_SESSION_STATE_CHATTING || self->leaving)
        return TRUE;
      rc_client_session_room_failed (self, rc_client_session_error_from_frame (self, frame));
      return TRUE;

    case RC_PROTOCOL_ERROR_BAD_FRAME:
    case RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION:
    case RC_PROTOCOL_ERROR_BAD_NAME:
    case RC_PROTOCOL_ERROR_AUTH_FAILED:
    case RC_PROTOCOL_ERROR_BLOCKED:
    case RC_PROTOCOL_ERROR_SERVER_FULL:
    case RC_PROTOCOL_ERROR_SHUTTING_DOWN:
    case RC_PROTOCOL_ERROR_UNKNOWN:
    default:
      break;
    }

  if (in_room && !self->leaving)
    {
      g_autoptr(GError) error = rc_client_session_error_from_frame (self, frame);

      g_signal_emit (self, rc_client_session_signals[SIGNAL_ROOM_ERROR], 0, error);
      return TRUE;
    }

  return FALSE;
}

gint64
rc_client_session_send_message (RcClientSession  *self,
                                const char       *text,
                                GError          **error)
{
  g_autoptr(RcFrame) frame = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), -1);
  g_return_val_if_fail (text != NULL, -1);

  length = strlen (text);
  if (self->state != RC_SESSION_STATE_CHATTING || self->channel == NULL || self->leaving)
    {
      g_set_error_literal (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_IN_ROOM,
                           "You are not in a chat");
      return -1;
    }
  if (!self->my_turn)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_YOUR_TURN,
                   "It is %s's turn: wait for their answer", self->peer_name);
      return -1;
    }
  if (length == 0)
    {
      g_set_error_literal (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_EMPTY_MESSAGE,
                           "The message is empty");
      return -1;
    }
  if (length > RC_MAX_PLAINTEXT_SIZE)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_MESSAGE_TOO_LONG,
                   "The message has %" G_GSIZE_FORMAT " bytes; at most %d fit in one message",
                   length, RC_MAX_PLAINTEXT_SIZE);
      return -1;
    }
  if (!g_utf8_validate (text, (gssize) length, NULL))
    {
      g_set_error_literal (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_INVALID_TEXT,
                           "The message is not valid UTF-8 text");
      return -1;
    }

  frame = rc_frame_new (RC_FRAME_MESSAGE);
  frame->ciphertext = rc_channel_seal (self->channel, text, &frame->seq, &local_error);
  if (frame->ciphertext == NULL)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_INVALID_TEXT,
                   "The message cannot be encrypted: %s", local_error->message);
      return -1;
    }

  rc_client_session_send_frame (self, frame);
  rc_client_session_set_my_turn (self, FALSE);
  return frame->seq;
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

  if ((self->state != RC_SESSION_STATE_WAITING && self->state != RC_SESSION_STATE_CHATTING) ||
      self->leave_task != NULL)
    {
      g_task_return_new_error (task, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_IN_ROOM,
                               "You are not in a room");
      return;
    }

  self->leave_task = g_steal_pointer (&task);
  g_clear_pointer (&self->channel, rc_channel_free);
  rc_client_session_set_my_turn (self, FALSE);
  if (!self->leaving)
    rc_client_session_start_leaving (self);
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
