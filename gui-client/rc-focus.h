/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean rc_focus_is_inside    (GtkWidget *widget);
gboolean rc_focus_move_out_of  (GtkWidget *widget,
                                GtkWidget *to);

G_END_DECLS
