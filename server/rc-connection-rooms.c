/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include "rc-connection-private.h"
#include "rc-crypto.h"
#include "rc-tsan.h"

/* Rooms and messages (docs/protocol.md 3.2 and 3.3). Every event of a room runs
 * under the room's lock, writes included, so both people see the events of
 * their room in one order: "paired" before any message, "relayed" before
 * the peer's answer, "peer-left" after the last message. Lock order: the
 * room, then the author's write lock, then the peer's write lock; the
 * registry's lock and connection state locks are leaves. Every write is
 * bounded by the socket timeout, so a room's lock is never held for long. */

#define MEMBER(room, role) RC_CONNECTION ((room)->members[(role)])

static RcRole
other_role (RcRole role)
{
  return role == RC_ROLE_CREATOR ? RC_ROLE_JOINER : RC_ROLE_CREATOR;
}

/* Called with the room's lock held. Tells whether @self is still in the
 * room: a peer may have ended it just before we took the lock. */
static gboolean
find_role (RcRoom       *room,
           RcConnection *self,
           RcRole       *role)
{
  if (room->closed)
    return FALSE;

  for (guint i = 0; i < 2; i++)
    if (room->members[i] == G_OBJECT (self))
      {
        *role = i;
        return TRUE;
      }

  return FALSE;
}

/* Called with the room's lock held: the room ends, both people are back in
 * the lobby and the id is never used again. */
static void
close_room (RcConnection *self,
            RcRoom       *room)
{
  RcStatistics *statistics = rc_server_get_statistics (self->server);

  room->closed = TRUE;
  for (guint i = 0; i < 2; i++)
    if (room->members[i] != NULL)
      rc_connection_set_room (RC_CONNECTION (room->members[i]), NULL);

  rc_room_registry_remove (rc_server_get_registry (self->server), room);
  rc_statistics_changed (statistics);
}

/* Called with the room's lock held: drops the member's reference once the
 * room has closed; done last, as it may release the connection. */
static void
clear_members (RcRoom *room)
{
  for (guint i = 0; i < 2; i++)
    g_clear_object (&room->members[i]);
}

static void
tell_peer_left (RcConnection *peer,
                const char   *reason)
{
  g_autoptr(RcFrame) frame = rc_frame_new (RC_FRAME_PEER_LEFT);

  frame->reason = g_strdup (reason);
  rc_connection_write (peer, frame);
}

gboolean
rc_connection_create_room (RcConnection *self,
                           RcFrame      *frame)
{
  RcRoomRegistry *registry = rc_server_get_registry (self->server);
  g_autoptr(RcRoom) room = rc_room_registry_create (registry);
  g_autoptr(RcFrame) created = rc_frame_new (RC_FRAME_CREATED);
  gboolean ok;

  /* The room comes locked: nobody can join before "created" is written. */
  room->members[RC_ROLE_CREATOR] = g_object_ref (G_OBJECT (self));
  room->names[RC_ROLE_CREATOR] = g_strdup (self->name);
  rc_key_material_copy (&room->keys[RC_ROLE_CREATOR], &frame->keys);
  rc_connection_set_room (self, room);

  created->room = g_strdup (room->id);
  ok = rc_connection_write (self, created);
  if (ok)
    g_message ("%s created room %s", self->name, room->id);
  else
    {
      close_room (self, room);
      clear_members (room);
    }

  g_mutex_unlock (&room->lock);
  rc_statistics_changed (rc_server_get_statistics (self->server));

  return ok;
}

static RcFrame *
paired_frame (RcRoom *room,
              RcRole  role)
{
  RcFrame *frame = rc_frame_new (RC_FRAME_PAIRED);
  RcRole peer = other_role (role);

  frame->room = g_strdup (room->id);
  frame->role = role;
  frame->your_turn = room->turn == role;
  frame->peer_name = g_strdup (room->names[peer]);
  rc_key_material_copy (&frame->peer_keys, &room->keys[peer]);

  return frame;
}

gboolean
rc_connection_join_room (RcConnection *self,
                         RcFrame      *frame)
{
  g_autoptr(RcRoom) room = rc_room_registry_lookup (rc_server_get_registry (self->server), frame->room);
  g_autoptr(RcFrame) to_creator = NULL;
  g_autoptr(RcFrame) to_joiner = NULL;
  RcConnection *creator;
  gboolean ok = TRUE;

  if (room == NULL)
    return rc_connection_write_error (self, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);

  g_mutex_lock (&room->lock);

  if (room->closed || room->members[RC_ROLE_CREATOR] == NULL)
    {
      g_mutex_unlock (&room->lock);
      return rc_connection_write_error (self, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
    }
  if (room->paired)
    {
      g_mutex_unlock (&room->lock);
      return rc_connection_write_error (self, RC_PROTOCOL_ERROR_ROOM_FULL);
    }

  room->members[RC_ROLE_JOINER] = g_object_ref (G_OBJECT (self));
  room->names[RC_ROLE_JOINER] = g_strdup (self->name);
  rc_key_material_copy (&room->keys[RC_ROLE_JOINER], &frame->keys);
  room->paired = TRUE;
  room->turn = RC_ROLE_JOINER;
  room->next_seq[RC_ROLE_CREATOR] = 0;
  room->next_seq[RC_ROLE_JOINER] = 0;
  rc_connection_set_room (self, room);
  rc_room_registry_mark_paired (rc_server_get_registry (self->server), room);

  creator = MEMBER (room, RC_ROLE_CREATOR);
  to_creator = paired_frame (room, RC_ROLE_CREATOR);
  to_joiner = paired_frame (room, RC_ROLE_JOINER);

  if (!rc_connection_write (creator, to_creator))
    {
      /* The creator is gone: so is the room. */
      close_room (self, room);
      clear_members (room);
      ok = rc_connection_write_error (self, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
    }
  else if (!rc_connection_write (self, to_joiner))
    {
      close_room (self, room);
      tell_peer_left (creator, "disconnected");
      clear_members (room);
      ok = FALSE;
    }
  else
    {
      g_message ("%s joined room %s of %s", self->name, room->id, room->names[RC_ROLE_CREATOR]);
    }

  g_mutex_unlock (&room->lock);
  rc_statistics_changed (rc_server_get_statistics (self->server));

  return ok;
}

gboolean
rc_connection_leave_room (RcConnection *self)
{
  g_autoptr(RcRoom) room = rc_connection_get_room (self);
  g_autoptr(RcFrame) left = NULL;
  RcConnection *peer = NULL;
  RcRole role = RC_ROLE_CREATOR;
  gboolean ok;

  if (room == NULL)
    return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);

  g_mutex_lock (&room->lock);
  if (!find_role (room, self, &role))
    {
      g_mutex_unlock (&room->lock);
      return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
    }

  close_room (self, room);

  left = rc_frame_new (RC_FRAME_LEFT);
  left->room = g_strdup (room->id);
  ok = rc_connection_write (self, left);

  if (room->paired)
    {
      peer = MEMBER (room, other_role (role));
      tell_peer_left (peer, "left");
    }
  g_message ("%s left room %s", self->name, room->id);

  clear_members (room);
  g_mutex_unlock (&room->lock);

  return ok;
}

/* The connection ends: its peer, if any, learns it was disconnected. */
void
rc_connection_drop_room (RcConnection *self)
{
  g_autoptr(RcRoom) room = rc_connection_get_room (self);
  RcRole role = RC_ROLE_CREATOR;

  if (room == NULL)
    return;

  g_mutex_lock (&room->lock);
  if (find_role (room, self, &role))
    {
      close_room (self, room);
      /* At shutdown, the peer hears shutting-down instead. */
      if (room->paired && !g_atomic_int_get (&self->terminating))
        tell_peer_left (MEMBER (room, other_role (role)), "disconnected");
      g_message ("Room %s ended: %s disconnected", room->id, self->name);
      clear_members (room);
    }
  g_mutex_unlock (&room->lock);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/**
 * rc_connection_relay:
 * @relayed: (out): whether the message reached the peer
 *
 * Checks a message against the turns and relays it. Returns %FALSE when
 * this connection can no longer be written to.
 */
gboolean
rc_connection_relay (RcConnection *self,
                     RcFrame      *frame,
                     gboolean     *relayed)
{
  g_autoptr(RcRoom) room = rc_connection_get_room (self);
  g_autoptr(RcFrame) message = NULL;
  g_autoptr(RcFrame) answer = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;
  RcConnection *peer;
  RcRole role = RC_ROLE_CREATOR;
  gboolean delivered;
  gboolean ok;

  *relayed = FALSE;

  if (room == NULL)
    return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);

  /* Encoded once, before the room is locked. The relayed frame is the
   * received one plus sent_at, so a message near the frame limit could
   * make a frame too long for the peer: that is message-too-large too. */
  message = rc_frame_new (RC_FRAME_MESSAGE);
  message->seq = frame->seq;
  message->ciphertext = g_bytes_ref (frame->ciphertext);
  message->sent_at = now_iso8601 ();
  line = rc_frame_to_line (message, &length);

  g_mutex_lock (&room->lock);

  if (!find_role (room, self, &role) || !room->paired)
    answer = rc_frame_new_error (RC_PROTOCOL_ERROR_BAD_STATE, NULL);
  else if (room->turn != role)
    answer = rc_frame_new_error (RC_PROTOCOL_ERROR_NOT_YOUR_TURN, NULL);
  else if (frame->seq != room->next_seq[role])
    {
      answer = rc_frame_new_error (RC_PROTOCOL_ERROR_BAD_SEQUENCE, NULL);
      answer->seq = frame->seq;
    }
  else if (g_bytes_get_size (frame->ciphertext) > RC_MAX_CIPHERTEXT_SIZE || length > RC_FRAME_MAX_SIZE)
    answer = rc_frame_new_error (RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE, NULL);

  if (answer != NULL)
    {
      g_mutex_unlock (&room->lock);
      return rc_connection_write (self, answer);
    }

  /* The turn passes before the peer can read the message, so that a peer
   * answering at once is never told it is not its turn. */
  room->turn = other_role (role);
  room->next_seq[role]++;
  peer = MEMBER (room, other_role (role));

  /* The author's write lock is held across both writes: "relayed" comes
   * before anything the peer sends after reading the message. */
  g_mutex_lock (&self->write_lock);
  g_mutex_lock (&peer->write_lock);
  delivered = rc_connection_write_line_locked (peer, line, length);
  g_mutex_unlock (&peer->write_lock);
  if (delivered)
    {
      answer = rc_frame_new (RC_FRAME_RELAYED);
      answer->seq = frame->seq;
      ok = rc_connection_write_locked (self, answer);
      rc_statistics_add_relay (rc_server_get_statistics (self->server),
                               g_bytes_get_size (frame->ciphertext));
    }
  else
    {
      g_autoptr(RcFrame) peer_left = rc_frame_new (RC_FRAME_PEER_LEFT);

      /* The peer did not take the message in time: it is dropped, as if it
       * had disconnected. */
      g_message ("Room %s ended: a message to %s could not be delivered", room->id,
                 room->names[other_role (role)]);
      rc_connection_kill (peer);
      close_room (self, room);

      answer = rc_frame_new_error (RC_PROTOCOL_ERROR_NOT_DELIVERED, NULL);
      answer->seq = frame->seq;
      peer_left->reason = g_strdup ("disconnected");
      ok = rc_connection_write_locked (self, answer) && rc_connection_write_locked (self, peer_left);
    }
  g_mutex_unlock (&self->write_lock);

  if (!delivered)
    clear_members (room);
  g_mutex_unlock (&room->lock);

  *relayed = delivered;
  return ok;
}
