/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-chat-page-private.h"
#include "rc-message-row.h"

/* The chat: the messages of the room in a GtkListView over a GListStore
 * of RcMessage; the input is in rc-chat-page-input.c. */

G_DEFINE_FINAL_TYPE (RcChatPage, rc_chat_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_ACTIVE,
  PROP_MY_TURN,
  PROP_PEER_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
scroll_to_bottom (RcChatPage *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment)
                            - gtk_adjustment_get_page_size (adjustment));
}

/* GTK 4.8 has no gtk_list_view_scroll_to(): the view follows the newest
 * message by keeping the adjustment at its end while the person has not
 * scrolled up. */
static void
on_adjustment_changed (RcChatPage    *self,
                       GParamSpec    *pspec,
                       GtkAdjustment *adjustment)
{
  if (self->stick_to_bottom)
    scroll_to_bottom (self);
}

static void
on_adjustment_value_changed (RcChatPage    *self,
                             GtkAdjustment *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->stick_to_bottom = gtk_adjustment_get_value (adjustment) >= bottom - 2.0;
}

void
_rc_chat_page_append (RcChatPage *self,
                      RcMessage  *message)
{
  self->stick_to_bottom = TRUE;
  g_list_store_append (self->messages, message);
  scroll_to_bottom (self);
}

static void
on_entry_changed (RcChatPage *self)
{
  _rc_chat_page_update_counter (self, NULL);
  _rc_chat_page_update_input (self);
}

static void
on_entry_activate (RcChatPage *self)
{
  rc_chat_page_send (self);
}

static void
on_send_clicked (RcChatPage *self)
{
  rc_chat_page_send (self);
}

static void
on_message_received (RcChatPage      *self,
                     const char      *text,
                     GDateTime       *sent_at,
                     RcClientSession *session)
{
  rc_chat_page_add_peer_message (self, text, sent_at);
}

static void
on_message_relayed (RcChatPage      *self,
                    gint64           seq,
                    RcClientSession *session)
{
  rc_message_store_set_state (self->messages, seq, RC_MESSAGE_STATE_RELAYED);
}

static void
on_message_not_delivered (RcChatPage      *self,
                          gint64           seq,
                          RcClientSession *session)
{
  rc_message_store_set_state (self->messages, seq, RC_MESSAGE_STATE_NOT_DELIVERED);
}

static void
on_message_held (RcChatPage      *self,
                 gint64           seq,
                 RcClientSession *session)
{
  g_autoptr(RcMessage) message = rc_message_store_find_own (self->messages, seq);

  if (message != NULL)
    rc_message_set_held_for (message, rc_client_session_get_peer_name (session));
}

static void
on_my_turn_changed (RcChatPage      *self,
                    GParamSpec      *pspec,
                    RcClientSession *session)
{
  rc_chat_page_set_my_turn (self, rc_client_session_get_my_turn (session));
}

static void
rc_chat_page_dispose (GObject *object)
{
  GtkWidget *child;
  RcChatPage *self = (RcChatPage *)object;

  rc_chat_page_set_session (self, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), RC_TYPE_CHAT_PAGE);
  /* The template's top child has no id: unparent what is left. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rc_chat_page_parent_class)->dispose (object);
}

static void
rc_chat_page_finalize (GObject *object)
{
  RcChatPage *self = (RcChatPage *)object;

  g_clear_object (&self->session_signals);
  g_clear_pointer (&self->own_name, g_free);
  g_clear_pointer (&self->peer_name, g_free);

  G_OBJECT_CLASS (rc_chat_page_parent_class)->finalize (object);
}

static void
rc_chat_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RcChatPage *self = RC_CHAT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_MY_TURN:
      g_value_set_boolean (value, self->my_turn);
      break;
    case PROP_PEER_NAME:
      g_value_set_string (value, self->peer_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_chat_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RcChatPage *self = RC_CHAT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      rc_chat_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_MY_TURN:
      rc_chat_page_set_my_turn (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_chat_page_class_init (RcChatPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_chat_page_dispose;
  object_class->finalize = rc_chat_page_finalize;
  object_class->get_property = rc_chat_page_get_property;
  object_class->set_property = rc_chat_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, RC_TYPE_CLIENT_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MY_TURN] =
    g_param_spec_boolean ("my-turn", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PEER_NAME] =
    g_param_spec_string ("peer-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (RC_TYPE_MESSAGE);
  g_type_ensure (RC_TYPE_MESSAGE_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-chat-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RcChatPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, RcChatPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, RcChatPage, messages);
  gtk_widget_class_bind_template_child (widget_class, RcChatPage, input_bar);
  gtk_widget_class_bind_template_child (widget_class, RcChatPage, counter_label);
  gtk_widget_class_bind_template_child (widget_class, RcChatPage, entry);
  gtk_widget_class_bind_template_child (widget_class, RcChatPage, send_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_send_clicked);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
rc_chat_page_init (RcChatPage *self)
{
  GtkAdjustment *adjustment;

  self->stick_to_bottom = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Connected once; a new session only becomes the group's target. */
  self->session_signals = g_signal_group_new (RC_TYPE_CLIENT_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "message-received",
                                  G_CALLBACK (on_message_received), self);
  g_signal_group_connect_swapped (self->session_signals, "message-relayed",
                                  G_CALLBACK (on_message_relayed), self);
  g_signal_group_connect_swapped (self->session_signals, "message-not-delivered",
                                  G_CALLBACK (on_message_not_delivered), self);
  g_signal_group_connect_swapped (self->session_signals, "message-held",
                                  G_CALLBACK (on_message_held), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::my-turn",
                                  G_CALLBACK (on_my_turn_changed), self);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adjustment, "notify::upper",
                           G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "notify::page-size",
                           G_CALLBACK (on_adjustment_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "value-changed",
                           G_CALLBACK (on_adjustment_value_changed), self, G_CONNECT_SWAPPED);

  _rc_chat_page_update_input (self);
}

GtkWidget *
rc_chat_page_new (void)
{
  return g_object_new (RC_TYPE_CHAT_PAGE, NULL);
}

RcClientSession *
rc_chat_page_get_session (RcChatPage *self)
{
  g_return_val_if_fail (RC_IS_CHAT_PAGE (self), NULL);

  return self->session;
}

void
rc_chat_page_set_session (RcChatPage      *self,
                          RcClientSession *session)
{
  g_return_if_fail (RC_IS_CHAT_PAGE (self));
  g_return_if_fail (session == NULL || RC_IS_CLIENT_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  g_signal_group_set_target (self->session_signals, session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/* The messages shown, oldest first. */
GListStore *
rc_chat_page_get_messages (RcChatPage *self)
{
  g_return_val_if_fail (RC_IS_CHAT_PAGE (self), NULL);

  return self->messages;
}

/* A new chat: clears the last room's messages, keeps the draft. */
void
rc_chat_page_start (RcChatPage *self,
                    const char *own_name,
                    const char *peer_name,
                    gboolean    my_turn)
{
  g_autofree char *notice = NULL;

  g_return_if_fail (RC_IS_CHAT_PAGE (self));
  g_return_if_fail (peer_name != NULL);

  g_free (self->own_name);
  self->own_name = g_strdup (own_name);
  g_free (self->peer_name);
  self->peer_name = g_strdup (peer_name);
  self->active = TRUE;
  self->my_turn = !!my_turn;
  self->refocus_entry = FALSE;

  g_list_store_remove_all (self->messages);

  if (my_turn)
    /* Translators: %s is the other person's name */
    notice = g_strdup_printf (_("You are talking with %s. You write first; then you take turns."), peer_name);
  else
    /* Translators: %s is the other person's name */
    notice = g_strdup_printf (_("You are talking with %s. %s writes first; then you take turns."),
                              peer_name, peer_name);
  rc_chat_page_add_notice (self, RC_MESSAGE_KIND_NOTICE, notice);

  _rc_chat_page_update_counter (self, NULL);
  _rc_chat_page_update_input (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_NAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MY_TURN]);
}

/* The chat is over: says why in the list and greys the input out. */
void
rc_chat_page_end (RcChatPage    *self,
                  RcMessageKind  kind,
                  const char    *notice)
{
  g_return_if_fail (RC_IS_CHAT_PAGE (self));

  if (notice != NULL)
    rc_chat_page_add_notice (self, kind, notice);

  if (!self->active)
    return;

  self->active = FALSE;
  _rc_chat_page_update_input (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

gboolean
rc_chat_page_get_active (RcChatPage *self)
{
  g_return_val_if_fail (RC_IS_CHAT_PAGE (self), FALSE);

  return self->active;
}

const char *
rc_chat_page_get_peer_name (RcChatPage *self)
{
  g_return_val_if_fail (RC_IS_CHAT_PAGE (self), NULL);

  return self->peer_name;
}

gboolean
rc_chat_page_get_my_turn (RcChatPage *self)
{
  g_return_val_if_fail (RC_IS_CHAT_PAGE (self), FALSE);

  return self->my_turn;
}

void
rc_chat_page_set_my_turn (RcChatPage *self,
                          gboolean    my_turn)
{
  g_return_if_fail (RC_IS_CHAT_PAGE (self));

  my_turn = !!my_turn;
  if (self->my_turn == my_turn)
    return;

  self->my_turn = my_turn;
  _rc_chat_page_update_input (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MY_TURN]);
}

void
rc_chat_page_add_peer_message (RcChatPage *self,
                               const char *text,
                               GDateTime  *sent_at)
{
  g_autoptr(RcMessage) message = NULL;

  g_return_if_fail (RC_IS_CHAT_PAGE (self));
  g_return_if_fail (text != NULL);

  message = rc_message_new_peer (self->peer_name, text, sent_at);
  _rc_chat_page_append (self, message);
}

void
rc_chat_page_add_notice (RcChatPage    *self,
                         RcMessageKind  kind,
                         const char    *text)
{
  g_autoptr(RcMessage) message = NULL;

  g_return_if_fail (RC_IS_CHAT_PAGE (self));
  g_return_if_fail (text != NULL);

  message = rc_message_new_notice (kind, text, NULL);
  _rc_chat_page_append (self, message);
}
