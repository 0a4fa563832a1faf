/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RC_TYPE_HANDSHAKE_POOL (rc_handshake_pool_get_type ())

G_DECLARE_FINAL_TYPE (RcHandshakePool, rc_handshake_pool, RC, HANDSHAKE_POOL, GObject)

RcHandshakePool *rc_handshake_pool_new (guint             threads);
void             rc_handshake_pool_run (RcHandshakePool  *self,
                                        GFunc             func,
                                        gpointer          data);

G_END_DECLS
