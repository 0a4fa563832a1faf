/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>

#include "rc-crypto.h"
#include "rc-frame-reader.h"
#include "rc-room-private.h"
#include "rc-room-registry.h"
#include "rc-server-log.h"
#include "rc-tsan.h"

/* A room's life in version 1 terms (docs/protocol.md 3.2, 3.3): created,
 * paired, relaying, left or dropped. What version 2 adds to a seat, being
 * away and coming back, is rc-room-seat.c's. */

static void
room_clear (RcRoom *room)
{
  for (guint i = 0; i < 2; i++)
    {
      RcSeat *seat = &room->seats[i];

      _rc_room_seat_release (seat);
      g_clear_object (&seat->connection);
      g_clear_pointer (&seat->name, g_free);
      rc_key_material_clear (&seat->keys);
      g_clear_pointer (&seat->address_key, g_free);
      g_clear_pointer (&seat->context, rc_server_context_unref);
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

/* Called with the lock held. Tells whether @member is still in the room: a
 * peer may have ended it, or a resume taken its seat, just before the lock
 * was taken. */
static gboolean
find_role (RcRoom       *room,
           RcConnection *member,
           RcRole       *role)
{
  if (room->closed)
    return FALSE;

  for (guint i = 0; i < 2; i++)
    if (room->seats[i].connection == member)
      {
        *role = i;
        return TRUE;
      }

  return FALSE;
}

/* Called with the lock held: the room ends, both people are back in the
 * lobby, away seats are given up and the id is never used again. The
 * members' references go last, in _rc_room_clear_members(): dropping one
 * may release the connection. */
void
_rc_room_close (RcRoom *room)
{
  room->closed = TRUE;
  for (guint i = 0; i < 2; i++)
    {
      if (room->seats[i].connection != NULL)
        rc_connection_set_room (room->seats[i].connection, NULL);
      _rc_room_seat_release (&room->seats[i]);
    }

  rc_room_registry_remove (room->registry, room);
}

void
_rc_room_clear_members (RcRoom *room)
{
  for (guint i = 0; i < 2; i++)
    g_clear_object (&room->seats[i].connection);
}

void
_rc_room_tell_peer_left (RcConnection *peer,
                         const char   *reason)
{
  RcFrame frame;

  if (peer == NULL)
    return;

  rc_frame_init (&frame, RC_FRAME_PEER_LEFT);
  frame.reason = g_strdup (reason);
  rc_connection_write_frame (peer, &frame);
  rc_frame_clear (&frame);
}

/* Called with the lock held: @connection sits at @role from now on. */
void
_rc_room_seat_occupy (RcRoom       *room,
                      RcRole        role,
                      RcConnection *connection)
{
  RcSeat *seat = &room->seats[role];

  g_set_object (&seat->connection, connection);
  seat->version = rc_connection_get_version (connection);
  g_free (seat->address_key);
  seat->address_key = g_strdup (rc_connection_get_address_key (connection));
  g_clear_pointer (&seat->context, rc_server_context_unref);
  seat->context = rc_server_context_ref (rc_connection_get_context (connection));
  seat->serial++;
  rc_connection_set_room (connection, room);
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

static GBytes *
token_bytes (const RcSeat *seat)
{
  return seat->version >= 2 ? g_bytes_new (seat->token, sizeof seat->token) : NULL;
}

/**
 * rc_room_create:
 *
 * Makes a waiting room for @creator and tells it the room's id (and, in
 * version 2, its seat's token). Nobody can join before "created" is
 * written.
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
  RcSeat *seat = &room->seats[RC_ROLE_CREATOR];
  RcFrame created;
  gboolean ok;

  g_mutex_lock (&room->lock);
  _rc_room_seat_occupy (room, RC_ROLE_CREATOR, creator);
  seat->name = g_strdup (name);
  rc_key_material_copy (&seat->keys, keys);
  if (seat->version >= 2)
    _rc_room_seat_new_token (seat, FALSE);

  rc_frame_init (&created, RC_FRAME_CREATED);
  created.room = g_strdup (room->id);
  created.resume_token = token_bytes (seat);
  ok = rc_connection_write_frame (creator, &created);
  rc_frame_clear (&created);
  if (ok)
    rc_log_info (&(RcLogSubject) { NULL, room->id, name }, "%s created room %s", name, room->id);
  else
    {
      _rc_room_close (room);
      _rc_room_clear_members (room);
    }
  g_mutex_unlock (&room->lock);

  return ok ? g_steal_pointer (&room) : NULL;
}

static void
init_paired_frame (RcFrame *frame,
                   RcRoom  *room,
                   RcRole   role)
{
  const RcSeat *peer = &room->seats[_rc_room_other_role (role)];

  rc_frame_init (frame, RC_FRAME_PAIRED);
  frame->room = g_strdup (room->id);
  frame->role = role;
  frame->your_turn = room->turn == role;
  frame->has_peer = TRUE;
  frame->peer_name = g_strdup (peer->name);
  rc_key_material_copy (&frame->peer_keys, &peer->keys);
  frame->resume_token = token_bytes (&room->seats[role]);
}

/**
 * rc_room_join:
 *
 * Pairs @joiner with the room's creator: "paired" to the creator first,
 * then to the joiner. A creator whose seat is away is told when it
 * resumes, and the joiner hears at once that it is away. A room that is
 * gone or full is answered no-such-room or room-full. Returns %FALSE when
 * @joiner can no longer be written to.
 */
gboolean
rc_room_join (RcRoom              *room,
              RcConnection        *joiner,
              const char          *name,
              const RcKeyMaterial *keys,
              RcProtocolError     *refusal)
{
  RcSeat *creator = &room->seats[RC_ROLE_CREATOR];
  RcSeat *seat = &room->seats[RC_ROLE_JOINER];
  RcFrame to_creator;
  RcFrame to_joiner;
  gboolean ok = TRUE;

  g_mutex_lock (&room->lock);

  if (room->closed || creator->name == NULL || room->paired)
    {
      RcProtocolError code = room->paired && !room->closed ? RC_PROTOCOL_ERROR_ROOM_FULL
                                                           : RC_PROTOCOL_ERROR_NO_SUCH_ROOM;

      g_mutex_unlock (&room->lock);
      if (refusal != NULL)
        *refusal = code;
      return rc_connection_write_error (joiner, code);
    }

  _rc_room_seat_occupy (room, RC_ROLE_JOINER, joiner);
  seat->name = g_strdup (name);
  rc_key_material_copy (&seat->keys, keys);
  if (seat->version >= 2)
    _rc_room_seat_new_token (seat, FALSE);
  room->paired = TRUE;
  room->turn = RC_ROLE_JOINER;
  room->next_seq[RC_ROLE_CREATOR] = 0;
  room->next_seq[RC_ROLE_JOINER] = 0;
  rc_room_registry_mark_paired (room->registry, room);

  init_paired_frame (&to_creator, room, RC_ROLE_CREATOR);
  init_paired_frame (&to_joiner, room, RC_ROLE_JOINER);

  if (creator->connection != NULL && !rc_connection_write_frame (creator->connection, &to_creator))
    {
      /* The creator is gone, without its seat in version 2. */
      if (_rc_room_seat_can_wait (room, RC_ROLE_CREATOR))
        _rc_room_seat_go_away (room, RC_ROLE_CREATOR);
      else
        {
          _rc_room_close (room);
          _rc_room_clear_members (room);
          if (refusal != NULL)
            *refusal = RC_PROTOCOL_ERROR_NO_SUCH_ROOM;
          ok = rc_connection_write_error (joiner, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
        }
    }

  if (!room->closed)
    {
      if (!rc_connection_write_frame (joiner, &to_joiner))
        {
          /* The joiner never had its token: nothing to come back to. */
          _rc_room_close (room);
          _rc_room_tell_peer_left (creator->connection, "disconnected");
          _rc_room_clear_members (room);
          ok = FALSE;
        }
      else
        {
          rc_log_info (&(RcLogSubject) { NULL, room->id, name }, "%s joined room %s of %s", name, room->id, creator->name);
          if (creator->away)
            _rc_room_tell_away (room, RC_ROLE_CREATOR, joiner);
        }
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
 * gone, away seats with it. Returns %FALSE when @member can no longer be
 * written to.
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

  _rc_room_close (room);

  rc_frame_init (&left, RC_FRAME_LEFT);
  left.room = g_strdup (room->id);
  ok = rc_connection_write_frame (member, &left);
  rc_frame_clear (&left);

  if (room->paired)
    _rc_room_tell_peer_left (room->seats[_rc_room_other_role (role)].connection, "left");
  rc_log_info (&(RcLogSubject) { NULL, room->id, room->seats[role].name }, "%s left room %s",
               room->seats[role].name, room->id);

  _rc_room_clear_members (room);
  g_mutex_unlock (&room->lock);

  return ok;
}

/**
 * rc_room_drop:
 * @tell_peer: whether the peer hears of it (not at shutdown, when
 *   everyone hears shutting-down and no seat waits)
 *
 * @member's connection ended without leave. In version 2 its seat waits
 * for it (docs/protocol.md 3.6); otherwise the room ends.
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
      if (tell_peer && _rc_room_seat_can_wait (room, role))
        _rc_room_seat_go_away (room, role);
      else
        {
          _rc_room_close (room);
          if (room->paired && tell_peer)
            _rc_room_tell_peer_left (room->seats[_rc_room_other_role (role)].connection, "disconnected");
          rc_log_info (&(RcLogSubject) { NULL, room->id, room->seats[role].name }, "Room %s ended: %s disconnected",
                       room->id, room->seats[role].name);
          _rc_room_clear_members (room);
        }
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

/* The peer's write failed: what becomes of the message. Called with the
 * lock held; @serial is the peer seat's when the message was counted. */
static gboolean
message_not_written (RcRoom       *room,
                     RcConnection *author,
                     RcRole        role,
                     RcConnection *peer,
                     guint         serial,
                     gint64        seq)
{
  RcRole peer_role = _rc_room_other_role (role);
  RcSeat *seat = &room->seats[peer_role];
  gboolean ok = TRUE;

  if (_rc_room_seat_can_wait (room, peer_role) && seat->serial == serial &&
      (seat->connection == peer || seat->away) && seat->kept != NULL)
    {
      /* Version 2: the message waits for the seat, which it may have
       * reached all the same (docs/protocol.md 3.6). */
      seat->held = g_steal_pointer (&seat->kept);
      seat->held_length = seat->kept_length;
      seat->held_seq = seq;
      seat->held_unsure = TRUE;
      seat->written--;
      if (seat->connection == peer)
        {
          rc_connection_kill (peer);
          _rc_room_seat_go_away (room, peer_role);
        }
      _rc_room_write_relayed (author, seq, TRUE);
    }
  else if (!room->closed && seat->version >= 2 && seat->serial != serial)
    {
      /* A resume took the seat meanwhile and has the message from it. */
      _rc_room_write_relayed (author, seq, FALSE);
    }
  else
    {
      RcFrame answer;

      rc_frame_init (&answer, RC_FRAME_ERROR);
      answer.code = RC_PROTOCOL_ERROR_NOT_DELIVERED;
      answer.seq = seq;

      /* The peer did not take the message in time: it is dropped, as if it
       * had disconnected. If it left or dropped meanwhile, the author has
       * heard peer-left from there, and now hears what became of its
       * message. */
      if (find_role (room, author, &role) && seat->connection == peer)
        {
          RcFrame peer_left;

          rc_log_info (&(RcLogSubject) { NULL, room->id, seat->name }, "Room %s ended: a message to %s could not be delivered",
                       room->id, seat->name);
          rc_connection_kill (peer);
          _rc_room_close (room);

          rc_frame_init (&peer_left, RC_FRAME_PEER_LEFT);
          peer_left.reason = g_strdup ("disconnected");
          rc_connection_lock_writes (author);
          ok = rc_connection_write_frame_locked (author, &answer) &&
               rc_connection_write_frame_locked (author, &peer_left);
          rc_connection_unlock_writes (author);
          rc_frame_clear (&peer_left);
          _rc_room_clear_members (room);
        }
      else
        ok = rc_connection_write_frame (author, &answer);
      rc_frame_clear (&answer);
    }

  return ok;
}

/**
 * rc_room_relay:
 * @line: the frame to write to the peer, sent_at included
 * @relayed: (out): whether the message reached the peer, or is held for it
 *
 * Checks a message against the turns (docs/protocol.md 3.3) and relays it,
 * or holds it for a peer whose seat is away (3.6). Returns %FALSE when
 * @author can no longer be written to.
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
  RcSeat *seat = NULL;
  gboolean held = FALSE;
  guint serial = 0;
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
      room->turn = _rc_room_other_role (role);
      room->next_seq[role]++;
      /* By writing, the author shows it has the peer's last message. */
      g_clear_pointer (&room->seats[role].kept, g_free);

      seat = &room->seats[_rc_room_other_role (role)];
      if (seat->connection == NULL)
        {
          seat->held = g_strndup (line, length);
          seat->held_length = length;
          seat->held_seq = seq;
          seat->held_unsure = FALSE;
          held = TRUE;
        }
      else
        {
          peer = g_object_ref (seat->connection);
          serial = seat->serial;
          if (seat->version >= 2)
            {
              /* Counted and kept before the write: a resume that comes
               * while it is under way finds it there. */
              g_free (seat->kept);
              seat->kept = g_strndup (line, length);
              seat->kept_length = length;
              seat->written++;
            }
        }
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

  if (held)
    {
      _rc_room_write_relayed (author, seq, TRUE);
      *relayed = TRUE;
      return TRUE;
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
      g_mutex_lock (&room->lock);
      ok = message_not_written (room, author, role, peer, serial, seq);
      delivered = seat->held != NULL || seat->serial != serial;
      g_mutex_unlock (&room->lock);
    }

  *relayed = delivered;
  return ok;
}
