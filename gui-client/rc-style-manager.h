/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_STYLE_MANAGER (rc_style_manager_get_type ())

G_DECLARE_FINAL_TYPE (RcStyleManager, rc_style_manager, RC, STYLE_MANAGER, GObject)

RcStyleManager *rc_style_manager_new         (GtkSettings    *settings);
gboolean        rc_style_manager_get_dark    (RcStyleManager *self);

G_END_DECLS
