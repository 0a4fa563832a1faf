/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-connection.h"
#include "rc-room.h"
#include "rc-server-context.h"

G_BEGIN_DECLS

/* A room's two seats and what it shares between rc-room.c (pairing,
 * relaying, leaving) and rc-room-seat.c (version 2: seats away, resuming,
 * held messages, expiry). Everything here is guarded by the room's lock. */

/* A place in a room: who sits there, and while their connection is lost,
 * what the room keeps for them (docs/protocol.md 3.6). */
typedef struct
{
  RcConnection    *connection;    /* owned; NULL while away, or nobody yet */
  char            *name;          /* NULL: nobody has sat here yet */
  RcKeyMaterial    keys;
  gint64           version;       /* the protocol version of that connection */
  char            *address_key;   /* its address, where an away seat counts */
  RcServerContext *context;       /* owned; its context: away time, timers */

  /* Version 2 only */
  guint8           token[RC_RESUME_TOKEN_SIZE];
  guint8           previous_token[RC_RESUME_TOKEN_SIZE];
  gboolean         has_previous;  /* the one replaced, until the new one is used */
  guint            serial;        /* counts the connections that sat here */
  gint64           written;       /* the peer's messages written to this seat */
  char            *kept;          /* the last of them, until shown received */
  gsize            kept_length;
  char            *held;          /* a message for this seat while it is away */
  gsize            held_length;
  gint64           held_seq;
  gboolean         held_unsure;   /* its write failed, but it may have arrived */
  gboolean         away;
  gint64           away_until;    /* monotonic */
  GSource         *expiry;        /* owned; in the server's main context */
} RcSeat;

struct _RcRoom
{
  /* Immutable */
  char            id[RC_ROOM_ID_LENGTH + 1];
  RcRoomRegistry *registry;        /* borrowed: it outlives its rooms */

  /* Guards everything below; see the lock order in rc-room.h. */
  GMutex          lock;
  gboolean        paired;
  gboolean        closed;          /* left, dropped, expired: never reused */
  RcSeat          seats[2];        /* by RcRole */
  RcRole          turn;
  gint64          next_seq[2];
};

static inline RcRole
_rc_room_other_role (RcRole role)
{
  return role == RC_ROLE_CREATOR ? RC_ROLE_JOINER : RC_ROLE_CREATOR;
}

/* rc-room.c, with the lock held */
void     _rc_room_close          (RcRoom       *room);
void     _rc_room_clear_members  (RcRoom       *room);
void     _rc_room_tell_peer_left (RcConnection *peer,
                                  const char   *reason);
void     _rc_room_seat_occupy    (RcRoom       *room,
                                  RcRole        role,
                                  RcConnection *connection);

/* rc-room-seat.c, with the lock held */
gboolean _rc_room_seat_can_wait  (RcRoom       *room,
                                  RcRole        role);
void     _rc_room_seat_go_away   (RcRoom       *room,
                                  RcRole        role);
void     _rc_room_seat_release   (RcSeat       *seat);
void     _rc_room_seat_new_token (RcSeat       *seat,
                                  gboolean      keep_current);
void     _rc_room_tell_away      (RcRoom       *room,
                                  RcRole        role,
                                  RcConnection *to);
void     _rc_room_write_relayed  (RcConnection *author,
                                  gint64        seq,
                                  gboolean      held);

G_END_DECLS
