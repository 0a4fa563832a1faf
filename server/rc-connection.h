/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-frame.h"
#include "rc-room.h"
#include "rc-server-context.h"

G_BEGIN_DECLS

#define RC_TYPE_CONNECTION (rc_connection_get_type ())

G_DECLARE_FINAL_TYPE (RcConnection, rc_connection, RC, CONNECTION, GObject)

RcConnection *rc_connection_new                (RcServerContext   *context,
                                                GSocketConnection *connection,
                                                const char        *address_text,
                                                const char        *address_key,
                                                guint64            id);
void          rc_connection_run                (RcConnection      *self);
void          rc_connection_terminate          (RcConnection      *self);

/* For rooms (rc-room.c), from any thread. A write that fails or times out
 * ends the connection. */
const char   *rc_connection_get_name           (RcConnection      *self);
gint64        rc_connection_get_version        (RcConnection      *self);
const char   *rc_connection_get_address_key    (RcConnection      *self);
RcServerContext *rc_connection_get_context     (RcConnection      *self);
gboolean      rc_connection_write_line         (RcConnection      *self,
                                                const char        *line,
                                                gsize              length);
gboolean      rc_connection_write_frame        (RcConnection      *self,
                                                const RcFrame     *frame);
gboolean      rc_connection_write_error        (RcConnection      *self,
                                                RcProtocolError    code);
void          rc_connection_lock_writes        (RcConnection      *self);
void          rc_connection_unlock_writes      (RcConnection      *self);
gboolean      rc_connection_write_line_locked  (RcConnection      *self,
                                                const char        *line,
                                                gsize              length);
gboolean      rc_connection_write_frame_locked (RcConnection      *self,
                                                const RcFrame     *frame);
void          rc_connection_lock_writes_pair   (RcConnection      *self,
                                                RcConnection      *other);
void          rc_connection_unlock_writes_pair (RcConnection      *self,
                                                RcConnection      *other);
void          rc_connection_queue_relayed      (RcConnection      *self,
                                                const char        *line,
                                                gsize              length);
void          rc_connection_kill               (RcConnection      *self);
void          rc_connection_set_room           (RcConnection      *self,
                                                RcRoom            *room);

G_END_DECLS
