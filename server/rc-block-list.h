/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a login attempt may do, asked before its password is checked. */
typedef enum
{
  RC_ATTEMPT_ALLOWED,   /* check it; then rc_block_list_end_attempt() */
  RC_ATTEMPT_BLOCKED,   /* the address is blocked */
  RC_ATTEMPT_BUSY,      /* the attempts in flight use up what is left; none came free in time */
} RcAttempt;

#define RC_TYPE_BLOCK_LIST (rc_block_list_get_type ())

G_DECLARE_FINAL_TYPE (RcBlockList, rc_block_list, RC, BLOCK_LIST, GObject)

void         rc_block_list_describe_address  (GInetAddress  *address,
                                              char         **text,
                                              char         **key);

RcBlockList *rc_block_list_new               (guint          max_failures,
                                              guint          block_seconds);
void         rc_block_list_set_limits        (RcBlockList   *self,
                                              guint          max_failures,
                                              guint          block_seconds);
gboolean     rc_block_list_load              (RcBlockList   *self,
                                              const char    *contents,
                                              gsize          length,
                                              GError       **error);
char        *rc_block_list_serialize         (RcBlockList   *self,
                                              gsize         *length,
                                              guint64       *generation);
void         rc_block_list_saved             (RcBlockList   *self,
                                              guint64        generation,
                                              gboolean       ok);
gboolean     rc_block_list_has_changes      (RcBlockList   *self);

gboolean     rc_block_list_is_blocked        (RcBlockList   *self,
                                              const char    *key,
                                              gint64        *retry_after);
RcAttempt    rc_block_list_begin_attempt     (RcBlockList   *self,
                                              const char    *key,
                                              gint64         deadline,
                                              gint64        *retry_after);
gboolean     rc_block_list_end_attempt       (RcBlockList   *self,
                                              const char    *key,
                                              gboolean       correct,
                                              guint         *attempts_left);
guint        rc_block_list_count_blocked     (RcBlockList   *self);
void         rc_block_list_set_clock_offset  (RcBlockList   *self,
                                              gint64         seconds);

G_END_DECLS
