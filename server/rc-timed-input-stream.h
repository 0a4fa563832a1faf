/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RC_TYPE_TIMED_INPUT_STREAM (rc_timed_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (RcTimedInputStream, rc_timed_input_stream, RC, TIMED_INPUT_STREAM, GInputStream)

GInputStream *rc_timed_input_stream_new          (GPollableInputStream *base,
                                                  GSocket              *socket,
                                                  GCancellable         *wake);
void          rc_timed_input_stream_set_deadline (RcTimedInputStream   *self,
                                                  gint64                deadline);

G_END_DECLS
