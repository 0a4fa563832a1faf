/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_LEAVE_DIALOG (rc_leave_dialog_get_type ())

G_DECLARE_FINAL_TYPE (RcLeaveDialog, rc_leave_dialog, RC, LEAVE_DIALOG, GtkWindow)

RcLeaveDialog *rc_leave_dialog_new (GtkWindow  *parent,
                                    const char *peer_name);

G_END_DECLS
