/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-room.h"

G_BEGIN_DECLS

#define RC_TYPE_ROOM_REGISTRY (rc_room_registry_get_type ())

G_DECLARE_FINAL_TYPE (RcRoomRegistry, rc_room_registry, RC, ROOM_REGISTRY, GObject)

RcRoomRegistry *rc_room_registry_new          (void);
void            rc_room_registry_add          (RcRoomRegistry  *self,
                                               RcRoom          *room,
                                               char             id[RC_ROOM_ID_LENGTH + 1]);
RcRoom         *rc_room_registry_lookup       (RcRoomRegistry  *self,
                                               const char      *id);
void            rc_room_registry_mark_paired  (RcRoomRegistry  *self,
                                               RcRoom          *room);
void            rc_room_registry_remove       (RcRoomRegistry  *self,
                                               RcRoom          *room);
void            rc_room_registry_snapshot     (RcRoomRegistry  *self,
                                               GPtrArray      **waiting,
                                               GPtrArray      **active);
gboolean        rc_room_registry_has_changes  (RcRoomRegistry  *self);

G_END_DECLS
