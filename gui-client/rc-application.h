/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_APPLICATION (rc_application_get_type ())

G_DECLARE_FINAL_TYPE (RcApplication, rc_application, RC, APPLICATION, GtkApplication)

RcApplication *rc_application_new (void);

G_END_DECLS
