/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-frame.h"
#include "rc-names.h"

G_BEGIN_DECLS

/* A room of two (docs/protocol.md 3.2 and 3.3): its creator, its joiner once
 * paired, their key material, the turn and both sequence counters; in
 * version 2 (3.6) their seats, which wait for a lost connection to come
 * back (rc-room-seat.c).
 *
 * Every event of a room happens under the room's lock, so both people see
 * the events of their room in one order: "paired" before any message,
 * "relayed" before the peer's answer, "peer-left" after the last message.
 * Pairing, leaving and dropping write under it (bounded by the socket's
 * write timeout); a relay, the one frequent event, decides under it and
 * writes after it (see rc_room_relay()).
 *
 * Lock order, for the whole server:
 *   1. a room's lock (a thread holds one room's at most);
 *   2. a connection's write lock (when a thread needs two, the lower
 *      connection id's first: rc_connection_lock_writes_pair());
 *   3. leaf locks, held briefly and never across I/O: the room registry's,
 *      the main context's (an away seat's timer),
 *      a connection's state lock, and those of the admission,
 *      the block list, the statistics and the state writer, none of which
 *      is taken while another is held. */

typedef struct _RcConnection RcConnection;
typedef struct _RcRoomRegistry RcRoomRegistry;
typedef struct _RcRoom RcRoom;

RcRoom     *rc_room_ref      (RcRoom              *room);
void        rc_room_unref    (RcRoom              *room);
const char *rc_room_get_id   (RcRoom              *room);

RcRoom     *rc_room_new      (RcRoomRegistry      *registry);
RcRoom     *rc_room_create   (RcRoomRegistry      *registry,
                              RcConnection        *creator,
                              const char          *name,
                              const RcKeyMaterial *keys);
gboolean    rc_room_join     (RcRoom              *room,
                              RcConnection        *joiner,
                              const char          *name,
                              const RcKeyMaterial *keys,
                              RcProtocolError     *refusal);
gboolean    rc_room_leave    (RcRoom              *room,
                              RcConnection        *member);
void        rc_room_drop     (RcRoom              *room,
                              RcConnection        *member,
                              gboolean             tell_peer);
gboolean    rc_room_resume   (RcRoom              *room,
                              RcConnection        *connection,
                              GBytes              *token,
                              gint64               received,
                              gboolean            *resumed);
gboolean    rc_room_relay    (RcRoom              *room,
                              RcConnection        *author,
                              gint64               seq,
                              gsize                ciphertext_size,
                              const char          *line,
                              gsize                length,
                              gboolean            *relayed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcRoom, rc_room_unref)

G_END_DECLS
