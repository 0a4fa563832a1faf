/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RC_TYPE_BLOCK_LIST (rc_block_list_get_type ())

G_DECLARE_FINAL_TYPE (RcBlockList, rc_block_list, RC, BLOCK_LIST, GObject)

void         rc_block_list_describe_address  (GInetAddress  *address,
                                              char         **text,
                                              char         **key);

RcBlockList *rc_block_list_new               (const char    *path,
                                              guint          max_failures,
                                              guint          block_seconds);
gboolean     rc_block_list_load              (RcBlockList   *self,
                                              GError       **error);
gboolean     rc_block_list_is_blocked        (RcBlockList   *self,
                                              const char    *key,
                                              gint64        *retry_after);
gboolean     rc_block_list_add_failure       (RcBlockList   *self,
                                              const char    *key,
                                              guint         *attempts_left);
void         rc_block_list_add_success       (RcBlockList   *self,
                                              const char    *key);
guint        rc_block_list_count_blocked     (RcBlockList   *self);
void         rc_block_list_set_clock_offset  (RcBlockList   *self,
                                              gint64         seconds);

G_END_DECLS
