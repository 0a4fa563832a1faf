/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-tls-session.h"

G_BEGIN_DECLS

#define RC_TYPE_TLS_INPUT_STREAM (rc_tls_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (RcTlsInputStream, rc_tls_input_stream, RC, TLS_INPUT_STREAM, GInputStream)

GInputStream *rc_tls_input_stream_new          (RcTlsSession     *session);
void          rc_tls_input_stream_set_deadline (RcTlsInputStream *self,
                                                gint64            deadline);

G_END_DECLS
