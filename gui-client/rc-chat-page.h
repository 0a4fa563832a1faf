/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rc-client-session.h"
#include "rc-message.h"

G_BEGIN_DECLS

#define RC_TYPE_CHAT_PAGE (rc_chat_page_get_type ())

G_DECLARE_FINAL_TYPE (RcChatPage, rc_chat_page, RC, CHAT_PAGE, GtkWidget)

GtkWidget       *rc_chat_page_new              (void);

RcClientSession *rc_chat_page_get_session      (RcChatPage      *self);
void             rc_chat_page_set_session      (RcChatPage      *self,
                                                RcClientSession *session);
GListStore      *rc_chat_page_get_messages     (RcChatPage      *self);

void             rc_chat_page_start            (RcChatPage      *self,
                                                const char      *own_name,
                                                const char      *peer_name,
                                                gboolean         my_turn);
void             rc_chat_page_end              (RcChatPage      *self,
                                                RcMessageKind    kind,
                                                const char      *notice);
gboolean         rc_chat_page_get_active       (RcChatPage      *self);
const char      *rc_chat_page_get_peer_name    (RcChatPage      *self);
gboolean         rc_chat_page_get_my_turn      (RcChatPage      *self);
void             rc_chat_page_set_my_turn      (RcChatPage      *self,
                                                gboolean         my_turn);

void             rc_chat_page_add_peer_message (RcChatPage      *self,
                                                const char      *text,
                                                GDateTime       *sent_at);
void             rc_chat_page_add_notice       (RcChatPage      *self,
                                                RcMessageKind    kind,
                                                const char      *text);
gboolean         rc_chat_page_send             (RcChatPage      *self);
const char      *rc_chat_page_get_draft        (RcChatPage      *self);
void             rc_chat_page_set_draft        (RcChatPage      *self,
                                                const char      *draft);
void             rc_chat_page_focus_input      (RcChatPage      *self);

G_END_DECLS
