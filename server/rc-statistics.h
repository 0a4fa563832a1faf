/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-block-list.h"
#include "rc-room-registry.h"

G_BEGIN_DECLS

#define RC_STATS_FILE "stats.json"
#define RC_IPS_FILE "ips.json"

#define RC_TYPE_STATISTICS (rc_statistics_get_type ())

G_DECLARE_FINAL_TYPE (RcStatistics, rc_statistics, RC, STATISTICS, GObject)

RcStatistics *rc_statistics_new                   (const char      *state_dir,
                                                   RcRoomRegistry  *registry,
                                                   RcBlockList     *blocks);
void          rc_statistics_load                  (RcStatistics    *self);
void          rc_statistics_start                 (RcStatistics    *self);
void          rc_statistics_stop                  (RcStatistics    *self);
gboolean      rc_statistics_write                 (RcStatistics    *self,
                                                   GError         **error);
void          rc_statistics_changed               (RcStatistics    *self);

void          rc_statistics_thread_started        (RcStatistics    *self);
void          rc_statistics_thread_finished       (RcStatistics    *self);
void          rc_statistics_connection_admitted   (RcStatistics    *self);
void          rc_statistics_connection_released   (RcStatistics    *self);
void          rc_statistics_add_hello             (RcStatistics    *self,
                                                   const char      *ip,
                                                   const char      *name);
void          rc_statistics_add_visit             (RcStatistics    *self);
void          rc_statistics_add_wrong_credentials (RcStatistics    *self,
                                                   const char      *ip,
                                                   const char      *name);
void          rc_statistics_add_block             (RcStatistics    *self,
                                                   const char      *ip,
                                                   const char      *name);
void          rc_statistics_add_relay             (RcStatistics    *self,
                                                   gsize            bytes);

G_END_DECLS
