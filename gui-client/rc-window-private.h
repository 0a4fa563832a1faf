/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-certificate-page.h"
#include "rc-chat-page.h"
#include "rc-connect-page.h"
#include "rc-create-dialog.h"
#include "rc-join-dialog.h"
#include "rc-lobby-page.h"
#include "rc-window.h"

G_BEGIN_DECLS

struct _RcWindow
{
  GtkApplicationWindow parent_instance;

  /* owned */
  GSettings *settings;             /* NULL when the schema is not installed */
  RcClientSession *session;        /* NULL while not connected */
  GSignalGroup *session_signals;   /* follows @session */
  GCancellable *cancellable;       /* the connection attempt and its rooms */
  GCancellable *join_cancellable;

  /* borrowed: destroyed with the window */
  GtkWindow *dialog;               /* the create, join, trust or leave dialog shown */

  gboolean connecting;
  gboolean trusted;                /* a new certificate was trusted in this attempt */
  gint64 peer_away_until;          /* monotonic µs: the server keeps the peer's place; 0 when present */
  guint peer_away_id;              /* ticks the header while the peer is away */
  gboolean retried;                /* this attempt is the automatic second one */

  /* template children */
  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkButton *leave_button;
  GtkButton *disconnect_button;
  GtkMenuButton *menu_button;
  GtkMenuButton *safety_button;
  GtkLabel *safety_code_label;
  GtkLabel *safety_text_label;
  GtkRevealer *banner_revealer;
  GtkLabel *banner_label;
  GtkStack *stack;
  RcConnectPage *connect_page;
  RcLobbyPage *lobby_page;
  RcChatPage *chat_page;
  RcCertificatePage *certificate_page;
};

/* rc-window.c */
void _rc_window_show_page         (RcWindow   *self,
                                   const char *name);
void _rc_window_show_banner       (RcWindow   *self,
                                   const char *text);
void _rc_window_update_header     (RcWindow   *self);
void _rc_window_update_actions    (RcWindow   *self);
void _rc_window_set_dialog        (RcWindow   *self,
                                   GtkWindow  *dialog);
void _rc_window_close_dialog      (RcWindow   *self);

/* rc-window-session.c */
void _rc_window_init_session      (RcWindow   *self);
void _rc_window_connect           (RcWindow   *self);
void _rc_window_drop_session      (RcWindow   *self);
void _rc_window_create_room       (RcWindow   *self);
void _rc_window_join_room         (RcWindow   *self);
void _rc_window_leave_room        (RcWindow   *self);
void _rc_window_disconnect        (RcWindow   *self);

G_END_DECLS
