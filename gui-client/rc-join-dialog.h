/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_JOIN_DIALOG (rc_join_dialog_get_type ())

G_DECLARE_FINAL_TYPE (RcJoinDialog, rc_join_dialog, RC, JOIN_DIALOG, GtkWindow)

RcJoinDialog *rc_join_dialog_new            (GtkWindow    *parent);
char         *rc_join_dialog_dup_room_id    (RcJoinDialog *self);
gboolean      rc_join_dialog_get_busy       (RcJoinDialog *self);
void          rc_join_dialog_set_busy       (RcJoinDialog *self,
                                             gboolean      busy);
void          rc_join_dialog_show_error     (RcJoinDialog *self,
                                             const GError *error);
const char   *rc_join_dialog_get_error_text (RcJoinDialog *self);

G_END_DECLS
