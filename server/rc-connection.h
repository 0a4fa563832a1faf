/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-server.h"

G_BEGIN_DECLS

#define RC_TYPE_CONNECTION (rc_connection_get_type ())

G_DECLARE_FINAL_TYPE (RcConnection, rc_connection, RC, CONNECTION, GObject)

RcConnection *rc_connection_new       (RcServer          *server,
                                       GSocketConnection *connection,
                                       guint64            id);
void          rc_connection_run       (RcConnection      *self);
void          rc_connection_terminate (RcConnection      *self);

G_END_DECLS
