/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rc-client-session.h"

G_BEGIN_DECLS

#define RC_TYPE_WINDOW (rc_window_get_type ())

G_DECLARE_FINAL_TYPE (RcWindow, rc_window, RC, WINDOW, GtkApplicationWindow)

RcWindow        *rc_window_new           (GtkApplication *application);
void             rc_window_prefill       (RcWindow       *self,
                                          const char     *host,
                                          guint16         port,
                                          const char     *name,
                                          const char     *password);
void             rc_window_connect_now   (RcWindow       *self);
RcClientSession *rc_window_get_session   (RcWindow       *self);
const char      *rc_window_get_page_name (RcWindow       *self);
GtkWindow       *rc_window_get_dialog    (RcWindow       *self);
const char      *rc_window_get_banner    (RcWindow       *self);

G_END_DECLS
