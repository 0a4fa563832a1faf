/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-admission.h"
#include "rc-block-list.h"
#include "rc-room-registry.h"

G_BEGIN_DECLS

/* What a hello did, for ips.json. */
typedef enum
{
  RC_STATISTICS_HELLO,            /* answered without a login: blocked, server full */
  RC_STATISTICS_LOGIN,            /* welcomed */
  RC_STATISTICS_WRONG_PASSWORD,
  RC_STATISTICS_BLOCK,            /* this name's wrong password blocked the address */
} RcStatisticsEvent;

#define RC_TYPE_STATISTICS (rc_statistics_get_type ())

G_DECLARE_FINAL_TYPE (RcStatistics, rc_statistics, RC, STATISTICS, GObject)

RcStatistics *rc_statistics_new          (RcRoomRegistry     *registry,
                                          RcBlockList        *blocks,
                                          RcAdmission        *admission);
void          rc_statistics_load         (RcStatistics       *self,
                                          const char         *stats_json,
                                          const char         *ips_json);
void          rc_statistics_record       (RcStatistics       *self,
                                          RcStatisticsEvent   event,
                                          const char         *ip,
                                          const char         *name);
void          rc_statistics_add_relay    (RcStatistics       *self,
                                          gsize               bytes);
void          rc_statistics_changed      (RcStatistics       *self);
gboolean      rc_statistics_has_changes  (RcStatistics       *self);
void          rc_statistics_serialize_stats (RcStatistics    *self,
                                          GString            *out);
gboolean      rc_statistics_serialize_ips (RcStatistics      *self,
                                          GString            *out,
                                          gboolean            force);

G_END_DECLS
