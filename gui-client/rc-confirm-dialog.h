/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_CONFIRM_DIALOG (rc_confirm_dialog_get_type ())

G_DECLARE_FINAL_TYPE (RcConfirmDialog, rc_confirm_dialog, RC, CONFIRM_DIALOG, GtkWindow)

RcConfirmDialog *rc_confirm_dialog_new             (GtkWindow       *parent,
                                                    const char      *heading,
                                                    const char      *body,
                                                    const char      *cancel_label,
                                                    const char      *confirm_label);
void             rc_confirm_dialog_set_detail      (RcConfirmDialog *self,
                                                    const char      *detail,
                                                    const char      *accessible_name);
void             rc_confirm_dialog_set_note        (RcConfirmDialog *self,
                                                    const char      *note);
void             rc_confirm_dialog_set_destructive (RcConfirmDialog *self,
                                                    gboolean         destructive);

G_END_DECLS
