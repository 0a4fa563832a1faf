/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>

#include "rc-connection.h"
#include "rc-crypto.h"
#include "rc-frame-reader.h"
#include "rc-room.h"
#include "rc-room-registry.h"
#include "rc-tsan.h"

struct _RcRoom
{
  /* Immutable */
  char            id[RC_ROOM_ID_LENGTH + 1];
  RcRoomRegistry *registry;        /* borrowed: it outlives its rooms */

  /* Guards everything below; see the lock order in rc-room.h. */
  GMutex          lock;
  gboolean        paired;
  gboolean        closed;          /* left, dropped: never reused */
  RcConnection   *members[2];      /* owned, by RcRole */
  char           *names[2];
  RcKeyMaterial   keys[2];
  RcRole          turn;
  gint64          next_seq[2];
};

static void
room_clear (RcRoom *room)
{
  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&room->members[i]);
      g_clear_pointer (&room->names[i], g_free);
      rc_key_material_clear (&room->keys[i]);
    }
  g_mutex_clear (&room->lock);
}

RcRoom *
rc_room_ref (RcRoom *room)
{
  return g_atomic_rc_box_acquire (room);
}

void
rc_room_unref (RcRoom *room)
{
  g_atomic_rc_box_release_full (room, (GDestroyNotify) room_clear);
}

const char *
rc_room_get_id (RcRoom *room)
{
  return room->id;
}

static RcRole
other_role (RcRole role)
{
  return role == RC_ROLE_CREATOR ? RC_ROLE_JOINER : RC_ROLE_CREATOR;
}

/* Called with the lock held. Tells whether @member is still in the room: a
 * peer may have ended it just before the lock was taken. */
static gboolean
find_role (RcRoom       *room,
           RcConnection *member,
           RcRole       *role)
{
  if (room->closed)
    return FALSE;

  for (guint i = 0; i < 2; i++)
    if (room->members[i] == member)
      {
        *role = i;
        return TRUE;
      }

  return FALSE;
}

/* Called with the lock held: the room ends, both people are back in the
 * lobby and the id is never used again. The members' references go last,
 * in clear_members(): dropping one may release the connection. */
static void
close_room (RcRoom *room)
{
  room->closed = TRUE;
  for (guint i = 0; i < 2; i++)
    if (room->members[i] != NULL)
      rc_connection_set_room (room->members[i], NULL);

  rc_room_registry_remove (room->registry, room);
}

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
  RcFrame frame;

  rc_frame_init (&frame, RC_FRAME_PEER_LEFT);
  frame.reason = g_strdup (reason);
  rc_connection_write_frame (peer, &frame);
  rc_frame_clear (&frame);
}

/**
 * rc_room_new:
 *
 * A waiting room with a fresh id, in @registry, nobody in it yet: until
 * rc_room_create() puts its creator in, joining it is no-such-room.
 *
 * Returns: (transfer full): the room
 */
RcRoom *
rc_room_new (RcRoomRegistry *registry)
{
  RcRoom *room = g_atomic_rc_box_new0 (RcRoom);

  g_mutex_init (&room->lock);
  room->registry = registry;
  room->turn = RC_ROLE_JOINER;
  rc_room_registry_add (registry, room, room->id);

  return room;
}

/**
 * rc_room_create:
 *
 * Makes a waiting room for @creator and tells it the room's id. Nobody can
 * join before "created" is written.
 *
 * Returns: (transfer full) (nullable): the room, or %NULL when "created"
 *   could not be written (the creator is gone)
 */
RcRoom *
rc_room_create (RcRoomRegistry      *registry,
                RcConnection        *creator,
                const char          *name,
                const RcKeyMaterial *keys)
{
  g_autoptr(RcRoom) room = rc_room_new (registry);
  RcFrame created;
  gboolean ok;

  g_mutex_lock (&room->lock);
  room->members[RC_ROLE_CREATOR] = g_object_ref (creator);
  room->names[RC_ROLE_CREATOR] = g_strdup (name);
  rc_key_material_copy (&room->keys[RC_ROLE_CREATOR], keys);
  rc_connection_set_room (creator, room);

  rc_frame_init (&created, RC_FRAME_CREATED);
  created.room = g_strdup (room->id);
  ok = rc_connection_write_frame (creator, &created);
  rc_frame_clear (&created);
  if (ok)
    g_message ("%s created room %s", name, room->id);
  else
    {
      close_room (room);
      clear_members (room);
    }
  g_mutex_unlock (&room->lock);

  return ok ? g_steal_pointer (&room) : NULL;
}

static void
init_paired_frame (RcFrame *frame,
                   RcRoom  *room,
                   RcRole   role)
{
  RcRole peer = other_role (role);

  rc_frame_init (frame, RC_FRAME_PAIRED);
  frame->room = g_strdup (room->id);
  frame->role = role;
  frame->your_turn = room->turn == role;
  frame->peer_name = g_strdup (room->names[peer]);
  rc_key_material_copy (&frame->peer_keys, &room->keys[peer]);
}

/**
 * rc_room_join:
 *
 * Pairs @joiner with the room's creator: "paired" to the creator first,
 * then to the joiner. A room that is gone or full is answered no-such-room
 * or room-full. Returns %FALSE when @joiner can no longer be written to.
 */
gboolean
rc_room_join (RcRoom              *room,
              RcConnection        *joiner,
              const char          *name,
              const RcKeyMaterial *keys,
              RcProtocolError     *refusal)
{
  RcConnection *creator;
  RcFrame to_creator;
  RcFrame to_joiner;
  gboolean ok = TRUE;

  g_mutex_lock (&room->lock);

  if (room->closed || room->members[RC_ROLE_CREATOR] == NULL || room->paired)
    {
      RcProtocolError code = room->paired && !room->closed ? RC_PROTOCOL_ERROR_ROOM_FULL
                                                           : RC_PROTOCOL_ERROR_NO_SUCH_ROOM;

      g_mutex_unlock (&room->lock);
      if (refusal != NULL)
        *refusal = code;
      return rc_connection_write_error (joiner, code);
    }

  room->members[RC_ROLE_JOINER] = g_object_ref (joiner);
  room->names[RC_ROLE_JOINER] = g_strdup (name);
  rc_key_material_copy (&room->keys[RC_ROLE_JOINER], keys);
  room->paired = TRUE;
  room->turn = RC_ROLE_JOINER;
  room->next_seq[RC_ROLE_CREATOR] = 0;
  room->next_seq[RC_ROLE_JOINER] = 0;
  rc_connection_set_room (joiner, room);
  rc_room_registry_mark_paired (room->registry, room);

  creator = room->members[RC_ROLE_CREATOR];
  init_paired_frame (&to_creator, room, RC_ROLE_CREATOR);
  init_paired_frame (&to_joiner, room, RC_ROLE_JOINER);

  if (!rc_connection_write_frame (creator, &to_creator))
    {
      /* The creator is gone: so is the room. */
      close_room (room);
      clear_members (room);
      if (refusal != NULL)
        *refusal = RC_PROTOCOL_ERROR_NO_SUCH_ROOM;
      ok = rc_connection_write_error (joiner, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
    }
  else if (!rc_connection_write_frame (joiner, &to_joiner))
    {
      close_room (room);
      tell_peer_left (creator, "disconnected");
      clear_members (room);
      ok = FALSE;
    }
  else
    {
      g_message ("%s joined room %s of %s", name, room->id, room->names[RC_ROLE_CREATOR]);
    }

  rc_frame_clear (&to_creator);
  rc_frame_clear (&to_joiner);
  g_mutex_unlock (&room->lock);

  return ok;
}

/**
 * rc_room_leave:
 *
 * @member leaves: "left" to it, "peer-left" to the peer, and the room is
 * gone. Returns %FALSE when @member can no longer be written to.
 */
gboolean
rc_room_leave (RcRoom       *room,
               RcConnection *member)
{
  RcRole role = RC_ROLE_CREATOR;
  RcFrame left;
  gboolean ok;

  g_mutex_lock (&room->lock);
  if (!find_role (room, member, &role))
    {
      g_mutex_unlock (&room->lock);
      return rc_connection_write_error (member, RC_PROTOCOL_ERROR_BAD_STATE);
    }

  close_room (room);

  rc_frame_init (&left, RC_FRAME_LEFT);
  left.room = g_strdup (room->id);
  ok = rc_connection_write_frame (member, &left);
  rc_frame_clear (&left);

  if (room->paired)
    tell_peer_left (room->members[other_role (role)], "left");
  g_message ("%s left room %s", room->names[role], room->id);

  clear_members (room);
  g_mutex_unlock (&room->lock);

  return ok;
}

/**
 * rc_room_drop:
 * @tell_peer: whether the peer hears "peer-left" (not at shutdown, when
 *   everyone hears shutting-down)
 *
 * @member's connection ended: so does the room.
 */
void
rc_room_drop (RcRoom       *room,
              RcConnection *member,
              gboolean      tell_peer)
{
  RcRole role = RC_ROLE_CREATOR;

  g_mutex_lock (&room->lock);
  if (find_role (room, member, &role))
    {
      close_room (room);
      if (room->paired && tell_peer)
        tell_peer_left (room->members[other_role (role)], "disconnected");
      g_message ("Room %s ended: %s disconnected", room->id, room->names[role]);
      clear_members (room);
    }
  g_mutex_unlock (&room->lock);
}

/* Writes {"type":"relayed","seq":N}\n without formatting machinery. */
static gsize
format_relayed (char   *buffer,
                gsize   size,
                gint64  seq)
{
  static const char head[] = "{\"type\":\"relayed\",\"seq\":";
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 value = (guint64) seq;
  gsize length;

  do
    *--p = (char) ('0' + value % 10);
  while ((value /= 10) != 0);

  length = sizeof head - 1 + (gsize) (digits + sizeof digits - p) + 2;
  g_assert (length <= size);
  memcpy (buffer, head, sizeof head - 1);
  memcpy (buffer + sizeof head - 1, p, (gsize) (digits + sizeof digits - p));
  memcpy (buffer + length - 2, "}\n", 2);
  return length;
}

/**
 * rc_room_relay:
 * @line: the frame to write to the peer, sent_at included
 * @relayed: (out): whether the message reached the peer
 *
 * Checks a message against the turns (docs/protocol.md 3.3) and relays it.
 * Returns %FALSE when @author can no longer be written to.
 *
 * Of all the room's events, this one writes outside the room's lock: a
 * thread that held it across the write, and was preempted there, would
 * keep the peer's thread from even checking its turn for as long as the
 * scheduler kept it waiting. The room's lock covers the turn; the order of
 * frames is kept by the write locks of both, held across the write to the
 * peer and the queueing of "relayed" on the author, which then goes out
 * before anything the peer sends in answer (or alone, QUIET_MS later).
 */
gboolean
rc_room_relay (RcRoom       *room,
               RcConnection *author,
               gint64        seq,
               gsize         ciphertext_size,
               const char   *line,
               gsize         length,
               gboolean     *relayed)
{
  RcProtocolError refusal = RC_PROTOCOL_ERROR_UNKNOWN;
  g_autoptr(RcConnection) peer = NULL;
  RcRole role = RC_ROLE_CREATOR;
  char ack[64];
  gsize ack_length;
  gboolean delivered;
  gboolean ok = TRUE;

  *relayed = FALSE;

  g_mutex_lock (&room->lock);

  if (!find_role (room, author, &role) || !room->paired)
    refusal = RC_PROTOCOL_ERROR_BAD_STATE;
  else if (room->turn != role)
    refusal = RC_PROTOCOL_ERROR_NOT_YOUR_TURN;
  else if (seq != room->next_seq[role])
    refusal = RC_PROTOCOL_ERROR_BAD_SEQUENCE;
  else if (ciphertext_size > RC_MAX_CIPHERTEXT_SIZE || length > RC_FRAME_MAX_SIZE)
    refusal = RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE;

  if (refusal == RC_PROTOCOL_ERROR_UNKNOWN)
    {
      /* The turn passes before the peer can read the message, so that a
       * peer answering at once is never told it is not its turn. */
      room->turn = other_role (role);
      room->next_seq[role]++;
      peer = g_object_ref (room->members[other_role (role)]);
    }
  g_mutex_unlock (&room->lock);

  if (refusal != RC_PROTOCOL_ERROR_UNKNOWN)
    {
      RcFrame answer;

      rc_frame_init (&answer, RC_FRAME_ERROR);
      answer.code = refusal;
      if (refusal == RC_PROTOCOL_ERROR_BAD_SEQUENCE)
        answer.seq = seq;
      ok = rc_connection_write_frame (author, &answer);
      rc_frame_clear (&answer);
      return ok;
    }

  rc_connection_lock_writes_pair (author, peer);
  delivered = rc_connection_write_line_locked (peer, line, length);
  if (delivered)
    {
      ack_length = format_relayed (ack, sizeof ack, seq);
      rc_connection_queue_relayed (author, ack, ack_length);
    }
  rc_connection_unlock_writes_pair (author, peer);

  if (!delivered)
    {
      RcRole peer_role = other_role (role);
      RcFrame answer;

      rc_frame_init (&answer, RC_FRAME_ERROR);
      answer.code = RC_PROTOCOL_ERROR_NOT_DELIVERED;
      answer.seq = seq;

      /* The peer did not take the message in time: it is dropped, as if it
       * had disconnected. If it left or dropped meanwhile, the author has
       * heard peer-left from there, and now hears what became of its
       * message. */
      g_mutex_lock (&room->lock);
      if (find_role (room, author, &role) && room->members[peer_role] == peer)
        {
          RcFrame peer_left;

          g_message ("Room %s ended: a message to %s could not be delivered", room->id, room->names[peer_role]);
          rc_connection_kill (peer);
          close_room (room);

          rc_frame_init (&peer_left, RC_FRAME_PEER_LEFT);
          peer_left.reason = g_strdup ("disconnected");
          rc_connection_lock_writes (author);
          ok = rc_connection_write_frame_locked (author, &answer) &&
               rc_connection_write_frame_locked (author, &peer_left);
          rc_connection_unlock_writes (author);
          rc_frame_clear (&peer_left);
          clear_members (room);
        }
      else
        ok = rc_connection_write_frame (author, &answer);
      g_mutex_unlock (&room->lock);
      rc_frame_clear (&answer);
    }

  *relayed = delivered;
  return ok;
}
