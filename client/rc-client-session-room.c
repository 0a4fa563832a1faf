/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include <string.h>

#include "rc-client-session.h"
#include "rc-client-session-private.h"

/* Rooms and the end-to-end handshake of docs/protocol.md section 4 on top of
 * the connection of rc-client-session-io.c. */

static RcRole
other_role (RcRole role)
{
  return role == RC_ROLE_CREATOR ? RC_ROLE_JOINER : RC_ROLE_CREATOR;
}

/* Forgets the room: keys are wiped when the channel and the ephemeral key
 * are freed, which is this room's forward secrecy. */
void
rc_client_session_end_room (RcClientSession *self)
{
  g_clear_pointer (&self->channel, rc_channel_free);
  g_clear_pointer (&self->ephemeral, rc_ephemeral_key_free);
  g_clear_pointer (&self->join_room, g_free);
  self->room_task_waits_for_identity = FALSE;
  self->leaving = FALSE;
  rc_client_session_set_my_turn (self, FALSE);
  rc_client_session_set_room_id (self, NULL);
  rc_client_session_set_peer (self, NULL, NULL);
}

void
rc_client_session_fail_room_tasks (RcClientSession *self,
                                   const GError    *error)
{
  g_autoptr(GTask) room_task = g_steal_pointer (&self->room_task);
  g_autoptr(GTask) leave_task = g_steal_pointer (&self->leave_task);

  if (room_task != NULL)
    g_task_return_error (room_task, g_error_copy (error));
  if (leave_task != NULL)
    g_task_return_error (leave_task, g_error_copy (error));
}

void
rc_client_session_fail_room_task (RcClientSession *self,
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

void
rc_client_session_start_leaving (RcClientSession *self)
{
  g_autoptr(RcFrame) leave = rc_frame_new (RC_FRAME_LEAVE);

  self->leaving = TRUE;
  rc_client_session_send_frame (self, leave);
}

/* The room can no longer be trusted or used: leave it and say why. */
void
rc_client_session_room_failed (RcClientSession *self,
                               GError          *error)
{
  g_autoptr(GError) owned = error;

  g_debug ("Leaving room %s: %s", self->room, error->message);
  g_clear_pointer (&self->channel, rc_channel_free);
  g_clear_pointer (&self->ephemeral, rc_ephemeral_key_free);
  rc_client_session_set_my_turn (self, FALSE);
  if (!self->leaving)
    rc_client_session_start_leaving (self);

  if (self->room_task != NULL)
    rc_client_session_fail_room_task (self, g_error_copy (error));
  g_signal_emit (self, rc_client_session_signals[SIGNAL_ROOM_ERROR], 0, error);
}

/* Sends create or join once the identity key is there. */
static void
send_room_request (RcClientSession *self)
{
  g_autoptr(RcFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ephemeral_public = NULL;

  if (self->identity == NULL)
    {
      if (self->identity_error != NULL)
        rc_client_session_fail_room_task (self, g_error_copy (self->identity_error));
      else
        self->room_task_waits_for_identity = TRUE;
      return;
    }

  g_clear_pointer (&self->ephemeral, rc_ephemeral_key_free);
  self->ephemeral = rc_ephemeral_key_new ();
  frame = rc_frame_new (self->role == RC_ROLE_CREATOR ? RC_FRAME_CREATE : RC_FRAME_JOIN);
  frame->room = g_strdup (self->join_room);

  ephemeral_public = rc_ephemeral_key_get_public (self->ephemeral);
  frame->keys.signature = rc_identity_sign_ephemeral (self->identity, self->role,
                                                      ephemeral_public, &error);
  if (frame->keys.signature == NULL)
    {
      rc_client_session_fail_room_task (self, g_steal_pointer (&error));
      return;
    }
  frame->keys.identity = rc_identity_get_spki (self->identity);
  frame->keys.ephemeral = g_steal_pointer (&ephemeral_public);

  rc_client_session_send_frame (self, frame);
}

void
rc_client_session_identity_ready (RcClientSession *self)
{
  if (!self->room_task_waits_for_identity)
    return;

  self->room_task_waits_for_identity = FALSE;
  send_room_request (self);
}

static gboolean
start_room_task (RcClientSession *self,
                 GTask           *task)
{
  if (self->state < RC_SESSION_STATE_LOBBY)
    {
      g_task_return_new_error (task, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CLOSED,
                               "Not connected to a server");
      return FALSE;
    }

  if (self->state != RC_SESSION_STATE_LOBBY || self->room_task != NULL ||
      self->leave_task != NULL)
    {
      g_task_return_new_error (task, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_STATE,
                               "Leave the current room first");
      return FALSE;
    }

  return TRUE;
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
  if (!start_room_task (self, task))
    return;

  self->role = RC_ROLE_CREATOR;
  self->room_task = g_steal_pointer (&task);
  send_room_request (self);
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
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  g_return_if_fail (RC_IS_CLIENT_SESSION (self));
  g_return_if_fail (room != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_name (task, "rc_client_session_join_room_async");
  if (!start_room_task (self, task))
    return;

  normalized = rc_room_id_normalize (room, &error);
  if (normalized == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->role = RC_ROLE_JOINER;
  self->join_room = g_steal_pointer (&normalized);
  self->room_task = g_steal_pointer (&task);
  send_room_request (self);
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

/* Checks the peer's key material and derives the room's keys. */
static RcChannel *
open_channel (RcClientSession  *self,
              const RcFrame    *frame,
              char            **safety_code,
              GError          **error)
{
  const RcKeyMaterial *peer = &frame->peer_keys;
  g_autoptr(GBytes) own_spki = rc_identity_get_spki (self->identity);
  g_autoptr(GBytes) own_fingerprint = rc_identity_get_fingerprint (self->identity);
  g_autoptr(GBytes) peer_fingerprint = NULL;
  g_autoptr(GError) local_error = NULL;
  RcChannel *channel;

  if (!rc_crypto_verify_ephemeral (peer->identity, other_role (self->role), peer->ephemeral,
                                   peer->signature, &local_error) ||
      (channel = rc_channel_new (self->role, frame->room, self->ephemeral, own_spki,
                                 peer->identity, peer->ephemeral, &local_error)) == NULL)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY,
                   "The room is not secure: %s's keys do not verify (%s)",
                   frame->peer_name, local_error->message);
      return NULL;
    }

  peer_fingerprint = rc_crypto_fingerprint (peer->identity);
  *safety_code = rc_crypto_safety_code (own_fingerprint, peer_fingerprint);
  return channel;
}

void
rc_client_session_handle_paired (RcClientSession *self,
                                 RcFrame         *frame)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *safety_code = NULL;
  gboolean expected = self->role == RC_ROLE_CREATOR
                        ? self->state == RC_SESSION_STATE_WAITING
                        : self->state == RC_SESSION_STATE_LOBBY && self->room_task != NULL;

  if (self->leaving)
    return;

  if (!expected || frame->role != self->role || self->ephemeral == NULL)
    {
      rc_client_session_connection_failed (self,
        g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                             "The server paired this client unexpectedly"));
      return;
    }

  rc_client_session_set_room_id (self, frame->room);
  self->channel = open_channel (self, frame, &safety_code, &error);
  g_clear_pointer (&self->ephemeral, rc_ephemeral_key_free);
  if (self->channel == NULL)
    {
      rc_client_session_set_state (self, RC_SESSION_STATE_CHATTING);
      rc_client_session_room_failed (self, g_steal_pointer (&error));
      return;
    }

  rc_client_session_set_peer (self, frame->peer_name, safety_code);
  rc_client_session_set_state (self, RC_SESSION_STATE_CHATTING);
  rc_client_session_set_my_turn (self, frame->your_turn);
  g_clear_pointer (&self->join_room, g_free);

  task = g_steal_pointer (&self->room_task);
  g_signal_emit (self, rc_client_session_signals[SIGNAL_PAIRED], 0,
                 frame->peer_name, (int) self->role, frame->your_turn, safety_code);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}
