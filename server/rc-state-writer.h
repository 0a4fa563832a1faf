/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-block-list.h"
#include "rc-state-dir.h"
#include "rc-statistics.h"

G_BEGIN_DECLS

#define RC_TYPE_STATE_WRITER (rc_state_writer_get_type ())

G_DECLARE_FINAL_TYPE (RcStateWriter, rc_state_writer, RC, STATE_WRITER, GObject)

RcStateWriter *rc_state_writer_new   (RcStateDir     *dir,
                                      RcStatistics   *statistics,
                                      RcBlockList    *blocks);
void           rc_state_writer_start (RcStateWriter  *self);
void           rc_state_writer_stop  (RcStateWriter  *self);
gboolean       rc_state_writer_sync  (RcStateWriter  *self);

G_END_DECLS
