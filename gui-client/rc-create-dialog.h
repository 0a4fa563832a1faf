/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_CREATE_DIALOG (rc_create_dialog_get_type ())

G_DECLARE_FINAL_TYPE (RcCreateDialog, rc_create_dialog, RC, CREATE_DIALOG, GtkWindow)

RcCreateDialog *rc_create_dialog_new         (GtkWindow      *parent);
const char     *rc_create_dialog_get_room_id (RcCreateDialog *self);
void            rc_create_dialog_set_room_id (RcCreateDialog *self,
                                              const char     *room_id);
void            rc_create_dialog_show_error  (RcCreateDialog *self,
                                              const char     *text);

G_END_DECLS
