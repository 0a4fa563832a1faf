/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_LOBBY_PAGE (rc_lobby_page_get_type ())

G_DECLARE_FINAL_TYPE (RcLobbyPage, rc_lobby_page, RC, LOBBY_PAGE, GtkWidget)

GtkWidget *rc_lobby_page_new        (void);
void       rc_lobby_page_set_server (RcLobbyPage *self,
                                     const char  *server,
                                     const char  *name);
void       rc_lobby_page_focus      (RcLobbyPage *self);

G_END_DECLS
