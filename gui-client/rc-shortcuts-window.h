/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_SHORTCUTS_WINDOW (rc_shortcuts_window_get_type ())

G_DECLARE_FINAL_TYPE (RcShortcutsWindow, rc_shortcuts_window, RC, SHORTCUTS_WINDOW, GtkWindow)

RcShortcutsWindow *rc_shortcuts_window_new (GtkWindow *parent);

G_END_DECLS
