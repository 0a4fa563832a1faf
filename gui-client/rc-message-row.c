/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-message-row.h"

/* Shows one RcMessage as a bubble: own messages on the right with their
 * delivery state, the other person's on the left, RoomChat's notices in
 * the middle. */
struct _RcMessageRow
{
  GtkWidget parent_instance;

  /* owned */
  RcMessage *message;

  /* template children */
  GtkBox *bubble;
  GtkLabel *author_label;
  GtkLabel *text_label;
  GtkLabel *meta_label;
};

G_DEFINE_FINAL_TYPE (RcMessageRow, rc_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *kind_classes[] = { "own", "peer", "notice", "warning" };

static void
rc_message_row_update_meta (RcMessageRow *self)
{
  g_autofree char *time = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *accessible = NULL;
  const char *state_text;
  RcMessageKind kind;

  if (self->message == NULL)
    {
      gtk_label_set_label (self->meta_label, "");
      return;
    }

  kind = rc_message_get_kind (self->message);
  time = rc_message_format_time (self->message);
  state_text = rc_message_get_state_text (self->message);

  if (state_text != NULL)
    /* Translators: the time a message was written and what became of it,
     * e.g. "14:02 · Delivered" */
    meta = g_strdup_printf (_("%s · %s"), time, state_text);
  else
    meta = g_strdup (time);
  gtk_label_set_label (self->meta_label, meta);

  if (rc_message_get_state (self->message) == RC_MESSAGE_STATE_NOT_DELIVERED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "not-delivered");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "not-delivered");

  if (kind == RC_MESSAGE_KIND_OWN)
    /* Translators: what a screen reader says for an own message:
     * text, time and delivery state */
    accessible = g_strdup_printf (_("You: %s, %s"), rc_message_get_text (self->message), meta);
  else if (kind == RC_MESSAGE_KIND_PEER)
    /* Translators: what a screen reader says for a received message:
     * author, text and time */
    accessible = g_strdup_printf (_("%s: %s, %s"),
                                  rc_message_get_author (self->message),
                                  rc_message_get_text (self->message), meta);
  else
    accessible = g_strdup (rc_message_get_text (self->message));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
on_message_state_changed (RcMessageRow *self,
                          GParamSpec   *pspec,
                          RcMessage    *message)
{
  rc_message_row_update_meta (self);
}

static void
rc_message_row_dispose (GObject *object)
{
  RcMessageRow *self = (RcMessageRow *)object;

  if (self->message != NULL)
    g_signal_handlers_disconnect_by_data (self->message, self);
  g_clear_object (&self->message);

  gtk_widget_dispose_template (GTK_WIDGET (self), RC_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (rc_message_row_parent_class)->dispose (object);
}

static void
rc_message_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RcMessageRow *self = RC_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_message_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  RcMessageRow *self = RC_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      rc_message_row_set_message (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_message_row_class_init (RcMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_message_row_dispose;
  object_class->get_property = rc_message_row_get_property;
  object_class->set_property = rc_message_row_set_property;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, RC_TYPE_MESSAGE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, RcMessageRow, bubble);
  gtk_widget_class_bind_template_child (widget_class, RcMessageRow, author_label);
  gtk_widget_class_bind_template_child (widget_class, RcMessageRow, text_label);
  gtk_widget_class_bind_template_child (widget_class, RcMessageRow, meta_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "message");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
rc_message_row_init (RcMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
rc_message_row_new (void)
{
  return g_object_new (RC_TYPE_MESSAGE_ROW, NULL);
}

RcMessage *
rc_message_row_get_message (RcMessageRow *self)
{
  g_return_val_if_fail (RC_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

void
rc_message_row_set_message (RcMessageRow *self,
                            RcMessage    *message)
{
  RcMessageKind kind;
  GtkAlign align;

  g_return_if_fail (RC_IS_MESSAGE_ROW (self));
  g_return_if_fail (message == NULL || RC_IS_MESSAGE (message));

  if (self->message == message)
    return;

  if (self->message != NULL)
    g_signal_handlers_disconnect_by_data (self->message, self);
  g_set_object (&self->message, message);

  for (guint i = 0; i < G_N_ELEMENTS (kind_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), kind_classes[i]);

  if (message != NULL)
    {
      kind = rc_message_get_kind (message);
      gtk_widget_add_css_class (GTK_WIDGET (self), kind_classes[kind]);

      align = kind == RC_MESSAGE_KIND_OWN ? GTK_ALIGN_END
            : kind == RC_MESSAGE_KIND_PEER ? GTK_ALIGN_START
            : GTK_ALIGN_CENTER;
      gtk_widget_set_halign (GTK_WIDGET (self->bubble), align);
      gtk_label_set_xalign (self->text_label, kind == RC_MESSAGE_KIND_PEER || kind == RC_MESSAGE_KIND_OWN ? 0.0 : 0.5);

      gtk_label_set_label (self->author_label, rc_message_get_author (message));
      gtk_widget_set_visible (GTK_WIDGET (self->author_label), kind == RC_MESSAGE_KIND_PEER);
      gtk_label_set_label (self->text_label, rc_message_get_text (message));
      gtk_widget_set_visible (GTK_WIDGET (self->meta_label),
                              kind == RC_MESSAGE_KIND_OWN || kind == RC_MESSAGE_KIND_PEER);

      g_signal_connect_object (message, "notify::state",
                               G_CALLBACK (on_message_state_changed), self,
                               G_CONNECT_SWAPPED);
    }
  else
    {
      gtk_label_set_label (self->author_label, "");
      gtk_label_set_label (self->text_label, "");
    }

  rc_message_row_update_meta (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}
