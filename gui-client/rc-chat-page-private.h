/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-chat-page.h"

G_BEGIN_DECLS

/* The chat: the messages of the room in a GtkListView over a GListStore
 * of RcMessage, and the input, greyed out while it is the other person's
 * turn. The draft stays in the entry across turns, rooms and lost
 * connections; only a sent message clears it. */
struct _RcChatPage
{
  GtkWidget parent_instance;

  /* owned */
  RcClientSession *session;
  GSignalGroup *session_signals;   /* follows @session */
  char *own_name;
  char *peer_name;

  gboolean active;
  gboolean my_turn;
  gboolean stick_to_bottom;
  gboolean refocus_entry;

  /* template children */
  GtkScrolledWindow *scroller;
  GtkListView *list_view;
  GListStore *messages;
  GtkBox *input_bar;
  GtkLabel *counter_label;
  GtkEntry *entry;
  GtkButton *send_button;
};

/* rc-chat-page.c */
void _rc_chat_page_append         (RcChatPage *self,
                                   RcMessage  *message);

/* rc-chat-page-input.c */
void _rc_chat_page_update_counter (RcChatPage *self,
                                   const char *error_text);
void _rc_chat_page_update_input   (RcChatPage *self);

G_END_DECLS
