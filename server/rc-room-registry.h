/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-frame.h"
#include "rc-names.h"

G_BEGIN_DECLS

/* A room of two (docs/protocol.md 3.2). The connection type is only pointed to. */
typedef struct _RcRoom RcRoom;

struct _RcRoom
{
  /* Immutable */
  char           id[RC_ROOM_ID_LENGTH + 1];

  /* Serializes the events of this room (pairing, each relay, leaving,
   * dropping) and guards the members below. It is held across the writes
   * of one event so that both people see events in the same order. Lock
   * order: a room's lock, then connection write locks, then the registry's
   * lock and connection state locks. A thread holds one room lock at most. */
  GMutex         lock;
  gboolean       paired;
  gboolean       closed;          /* left, dropped: never reused */
  GObject       *members[2];      /* owned RcConnection, by RcRole */
  char          *names[2];
  RcKeyMaterial  keys[2];
  RcRole         turn;
  gint64         next_seq[2];
};

RcRoom *rc_room_ref   (RcRoom *room);
void    rc_room_unref (RcRoom *room);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcRoom, rc_room_unref)

#define RC_TYPE_ROOM_REGISTRY (rc_room_registry_get_type ())

G_DECLARE_FINAL_TYPE (RcRoomRegistry, rc_room_registry, RC, ROOM_REGISTRY, GObject)

RcRoomRegistry *rc_room_registry_new          (void);
RcRoom         *rc_room_registry_create       (RcRoomRegistry       *self);
RcRoom         *rc_room_registry_lookup       (RcRoomRegistry       *self,
                                               const char           *id);
void            rc_room_registry_mark_paired  (RcRoomRegistry       *self,
                                               RcRoom               *room);
void            rc_room_registry_remove       (RcRoomRegistry       *self,
                                               RcRoom               *room);
void            rc_room_registry_snapshot     (RcRoomRegistry       *self,
                                               GPtrArray           **waiting,
                                               GPtrArray           **active);

G_END_DECLS
