/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>
#include <nettle/memops.h>

#include "rc-crypto.h"
#include "rc-room-private.h"
#include "rc-server-log.h"
#include "rc-tsan.h"

/* Version 2 (docs/protocol.md 3.6): a seat whose connection is lost waits
 * RESUME_SECONDS for a new one, which proves it is the same person with
 * the seat's token, a bearer secret that is never logged. While a seat is
 * away its messages are held, and the last message written to each seat
 * is kept until the seat shows it has it, so that a resume can write it
 * again. An away seat expires in the server's main context. */

/* Called with the lock held: whether a dropped connection at @role keeps
 * its seat rather than ending the room. */
gboolean
_rc_room_seat_can_wait (RcRoom *room,
                        RcRole  role)
{
  const RcSeat *seat = &room->seats[role];

  return !room->closed && seat->version >= 2 && seat->context != NULL &&
         seat->context->resume_seconds > 0;
}

/* Called with the lock held: a fresh token for the seat. The one it
 * replaces is still accepted until the new one has been used; with
 * @keep_current FALSE no earlier token counts any more. */
void
_rc_room_seat_new_token (RcSeat   *seat,
                         gboolean  keep_current)
{
  if (keep_current)
    {
      memcpy (seat->previous_token, seat->token, sizeof seat->token);
      seat->has_previous = TRUE;
    }
  else
    {
      memset (seat->previous_token, 0, sizeof seat->previous_token);
      seat->has_previous = FALSE;
    }
  rc_crypto_random (seat->token, sizeof seat->token);
}

/* The held message has reached the seat: it becomes the one kept until
 * the seat shows it received. Returns its seq. */
static gint64
seat_deliver_held (RcSeat *seat)
{
  g_free (seat->kept);
  seat->kept = g_steal_pointer (&seat->held);
  seat->kept_length = seat->held_length;
  seat->written++;
  return seat->held_seq;
}

/* Called with the lock held: the seat is no longer away, for whatever
 * reason; its place and its timer go. Its messages stay for the caller to
 * decide on. */
static void
seat_stop_waiting (RcSeat *seat)
{
  if (!seat->away)
    return;

  seat->away = FALSE;
  if (seat->expiry != NULL)
    {
      g_source_destroy (seat->expiry);
      g_clear_pointer (&seat->expiry, g_source_unref);
    }
  rc_admission_free_seat (seat->context->admission, seat->address_key);
}

/* Called with the lock held, when the room ends or is freed. */
void
_rc_room_seat_release (RcSeat *seat)
{
  seat_stop_waiting (seat);
  g_clear_pointer (&seat->kept, g_free);
  g_clear_pointer (&seat->held, g_free);
  memset (seat->token, 0, sizeof seat->token);
  memset (seat->previous_token, 0, sizeof seat->previous_token);
}

static gint64
seconds_left (const RcSeat *seat)
{
  gint64 left = seat->away_until - g_get_monotonic_time ();

  return MAX ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 0);
}

/* Called with the lock held: tells @to, if it speaks version 2, that the
 * seat at @role is away and for how long it waits. */
void
_rc_room_tell_away (RcRoom       *room,
                    RcRole        role,
                    RcConnection *to)
{
  RcFrame frame;

  if (to == NULL || rc_connection_get_version (to) < 2)
    return;

  rc_frame_init (&frame, RC_FRAME_PEER_AWAY);
  frame.seconds = seconds_left (&room->seats[role]);
  rc_connection_write_frame (to, &frame);
  rc_frame_clear (&frame);
}

static void
tell_back (RcConnection *to)
{
  if (to != NULL && rc_connection_get_version (to) >= 2)
    {
      RcFrame frame;

      rc_frame_init (&frame, RC_FRAME_PEER_BACK);
      rc_connection_write_frame (to, &frame);
      rc_frame_clear (&frame);
    }
}

/* "relayed" for a message held, or written at last: "held" is only for a
 * version 2 author. */
void
_rc_room_write_relayed (RcConnection *author,
                        gint64        seq,
                        gboolean      held)
{
  RcFrame frame;

  if (author == NULL)
    return;

  rc_frame_init (&frame, RC_FRAME_RELAYED);
  frame.seq = seq;
  frame.held = held && rc_connection_get_version (author) >= 2;
  rc_connection_write_frame (author, &frame);
  rc_frame_clear (&frame);
}

typedef struct
{
  RcRoom *room;
  RcRole  role;
  guint   serial;
} Expiry;

static void
expiry_free (gpointer data)
{
  Expiry *expiry = data;

  rc_room_unref (expiry->room);
  g_free (expiry);
}

/* In the server's main context: the seat waited long enough. The room
 * ends as a dropped version 1 connection ends it. */
static gboolean
expire (gpointer data)
{
  Expiry *expiry = data;
  RcRoom *room = expiry->room;
  RcSeat *seat = &room->seats[expiry->role];

  g_mutex_lock (&room->lock);
  if (!room->closed && seat->away && seat->serial == expiry->serial)
    {
      RcConnection *peer = room->seats[_rc_room_other_role (expiry->role)].connection;

      rc_log_info (&(RcLogSubject) { NULL, room->id, seat->name }, "Room %s ended: %s did not come back in time",
                   room->id, seat->name);
      if (seat->held != NULL && peer != NULL)
        {
          RcFrame answer;

          rc_frame_init (&answer, RC_FRAME_ERROR);
          answer.code = RC_PROTOCOL_ERROR_NOT_DELIVERED;
          answer.seq = seat->held_seq;
          rc_connection_write_frame (peer, &answer);
          rc_frame_clear (&answer);
        }
      _rc_room_close (room);
      if (room->paired)
        _rc_room_tell_peer_left (peer, "disconnected");
      _rc_room_clear_members (room);
    }
  g_mutex_unlock (&room->lock);

  return G_SOURCE_REMOVE;
}

/* Called with the lock held: the connection at @role is gone, and the
 * seat waits RESUME_SECONDS for it. A version 2 peer hears peer-away. */
void
_rc_room_seat_go_away (RcRoom *room,
                       RcRole  role)
{
  RcSeat *seat = &room->seats[role];
  guint seconds = seat->context->resume_seconds;
  Expiry *expiry;

  if (seat->connection != NULL)
    {
      rc_connection_set_room (seat->connection, NULL);
      g_clear_object (&seat->connection);
    }
  seat->away = TRUE;
  seat->away_until = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  rc_admission_hold_seat (seat->context->admission, seat->address_key);

  expiry = g_new (Expiry, 1);
  expiry->room = rc_room_ref (room);
  expiry->role = role;
  expiry->serial = seat->serial;
  seat->expiry = g_timeout_source_new (seconds * 1000);
  g_source_set_callback (seat->expiry, expire, expiry, expiry_free);
  g_source_attach (seat->expiry, seat->context->main_context);

  rc_log_info (&(RcLogSubject) { NULL, room->id, seat->name }, "Room %s: %s's connection dropped; the seat waits %u s",
               room->id, seat->name, seconds);
  _rc_room_tell_away (room, role, room->seats[_rc_room_other_role (role)].connection);
}

/* Called with the lock held: the seat whose token @token is, if any. */
static gboolean
find_seat (RcRoom *room,
           GBytes *token,
           RcRole *role,
           gboolean *used_previous)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (token, &size);

  if (size != RC_RESUME_TOKEN_SIZE)
    return FALSE;

  for (guint i = 0; i < 2; i++)
    {
      const RcSeat *seat = &room->seats[i];
      gboolean current;
      gboolean previous;

      if (seat->name == NULL || seat->version < 2)
        continue;
      /* Both compared, in constant time, whichever matches. */
      current = memeql_sec (data, seat->token, RC_RESUME_TOKEN_SIZE);
      previous = memeql_sec (data, seat->previous_token, RC_RESUME_TOKEN_SIZE) && seat->has_previous;
      if (current || previous)
        {
          *role = i;
          *used_previous = !current;
          return TRUE;
        }
    }

  return FALSE;
}

static void
init_resumed_frame (RcFrame *frame,
                    RcRoom  *room,
                    RcRole   role)
{
  const RcSeat *seat = &room->seats[role];
  const RcSeat *peer = &room->seats[_rc_room_other_role (role)];

  rc_frame_init (frame, RC_FRAME_RESUMED);
  frame->room = g_strdup (room->id);
  frame->role = role;
  frame->your_turn = room->paired && room->turn == role;
  frame->resume_token = g_bytes_new (seat->token, sizeof seat->token);
  frame->relayed_count = room->next_seq[role];
  frame->has_peer = room->paired && peer->name != NULL;
  if (frame->has_peer)
    {
      frame->peer_name = g_strdup (peer->name);
      rc_key_material_copy (&frame->peer_keys, &peer->keys);
    }
}

/**
 * rc_room_resume:
 * @received: how many of the peer's messages the client has
 *
 * Puts @connection in the seat whose token @token is (docs/protocol.md
 * 3.6), taking it over from a connection the server still thinks alive,
 * and writes again what the seat missed. Anything that does not add up is
 * resume-failed, and @connection stays in the lobby.
 *
 * Returns: %FALSE when @connection can no longer be written to; @resumed
 *   says whether it sits in the room now
 */
gboolean
rc_room_resume (RcRoom       *room,
                RcConnection *connection,
                GBytes       *token,
                gint64        received,
                gboolean     *resumed)
{
  RcRole role = RC_ROLE_CREATOR;
  gboolean used_previous = FALSE;
  RcSeat *seat;
  RcSeat *peer;
  gint64 written;
  gboolean valid;
  gboolean held_delivered = FALSE;
  gint64 held_seq = -1;
  RcFrame frame;
  gboolean ok;

  *resumed = FALSE;

  g_mutex_lock (&room->lock);
  if (room->closed || !find_seat (room, token, &role, &used_previous))
    {
      g_mutex_unlock (&room->lock);
      return rc_connection_write_error (connection, RC_PROTOCOL_ERROR_RESUME_FAILED);
    }

  seat = &room->seats[role];
  peer = &room->seats[_rc_room_other_role (role)];
  written = seat->written;
  valid = received == written ||
          (received == written - 1 && seat->kept != NULL) ||
          (received == written + 1 && seat->held != NULL && seat->held_unsure);
  if (!valid)
    {
      g_mutex_unlock (&room->lock);
      return rc_connection_write_error (connection, RC_PROTOCOL_ERROR_RESUME_FAILED);
    }

  if (seat->connection != NULL)
    {
      /* The old connection is gone, but the server has not noticed yet. */
      RcConnection *old = g_steal_pointer (&seat->connection);

      rc_log_info (&(RcLogSubject) { NULL, room->id, seat->name }, "Room %s: %s resumed on a new connection; the old one is closed",
                   room->id, seat->name);
      rc_connection_write_error (old, RC_PROTOCOL_ERROR_SESSION_REPLACED);
      rc_connection_kill (old);
      rc_connection_set_room (old, NULL);
      g_object_unref (old);
    }
  else
    {
      seat_stop_waiting (seat);
      rc_log_info (&(RcLogSubject) { NULL, room->id, seat->name }, "Room %s: %s is back", room->id, seat->name);
    }

  _rc_room_seat_occupy (room, role, connection);
  _rc_room_seat_new_token (seat, !used_previous);
  if (used_previous)
    {
      /* The client never saw the token it would have replaced: the one it
       * used is still the one a lost "resumed" falls back on. */
      memcpy (seat->previous_token, g_bytes_get_data (token, NULL), RC_RESUME_TOKEN_SIZE);
      seat->has_previous = TRUE;
    }

  init_resumed_frame (&frame, room, role);
  ok = rc_connection_write_frame (connection, &frame);
  rc_frame_clear (&frame);
  if (peer->away)
    _rc_room_tell_away (room, _rc_room_other_role (role), connection);

  /* What the seat missed */
  if (received == written - 1)
    ok = ok && rc_connection_write_line (connection, seat->kept, seat->kept_length);
  else if (received == written + 1)
    {
      /* The message whose write failed had arrived after all. */
      held_seq = seat_deliver_held (seat);
      held_delivered = TRUE;
    }
  else
    g_clear_pointer (&seat->kept, g_free);

  if (seat->held != NULL)
    {
      ok = ok && rc_connection_write_line (connection, seat->held, seat->held_length);
      held_seq = seat_deliver_held (seat);
      held_delivered = TRUE;
    }

  tell_back (peer->connection);
  /* A version 1 author had its plain "relayed" when the message was held. */
  if (held_delivered && peer->connection != NULL && rc_connection_get_version (peer->connection) >= 2)
    _rc_room_write_relayed (peer->connection, held_seq, FALSE);

  *resumed = TRUE;
  g_mutex_unlock (&room->lock);

  return ok;
}
