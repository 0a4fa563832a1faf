/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-leave-dialog.h"

/* Asks before leaving a chat that is going on: leaving ends it for both
 * people. Emits ::response once, TRUE for Leave; closing is Stay. */
struct _RcLeaveDialog
{
  GtkWindow parent_instance;

  gboolean responded;

  /* template children */
  GtkLabel *body_label;
  GtkButton *cancel_button;
  GtkButton *leave_button;
};

G_DEFINE_FINAL_TYPE (RcLeaveDialog, rc_leave_dialog, GTK_TYPE_WINDOW)

enum {
  RESPONSE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
rc_leave_dialog_respond (RcLeaveDialog *self,
                         gboolean       leave)
{
  if (self->responded)
    return;

  self->responded = TRUE;
  g_signal_emit (self, signals[RESPONSE], 0, leave);
}

static gboolean
on_close_request (RcLeaveDialog *self)
{
  rc_leave_dialog_respond (self, FALSE);
  return GDK_EVENT_PROPAGATE;
}

static void
on_cancel_clicked (RcLeaveDialog *self)
{
  rc_leave_dialog_respond (self, FALSE);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_leave_clicked (RcLeaveDialog *self)
{
  rc_leave_dialog_respond (self, TRUE);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
rc_leave_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RC_TYPE_LEAVE_DIALOG);

  G_OBJECT_CLASS (rc_leave_dialog_parent_class)->dispose (object);
}

static void
rc_leave_dialog_class_init (RcLeaveDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_leave_dialog_dispose;

  /**
   * RcLeaveDialog::response:
   * @leave: whether the person wants to leave
   */
  signals[RESPONSE] = g_signal_new ("response",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-leave-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RcLeaveDialog, body_label);
  gtk_widget_class_bind_template_child (widget_class, RcLeaveDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RcLeaveDialog, leave_button);
  gtk_widget_class_bind_template_callback (widget_class, on_close_request);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_leave_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rc_leave_dialog_init (RcLeaveDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->leave_button));
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->cancel_button));
}

RcLeaveDialog *
rc_leave_dialog_new (GtkWindow  *parent,
                     const char *peer_name)
{
  RcLeaveDialog *self;
  g_autofree char *body = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (peer_name != NULL, NULL);

  self = g_object_new (RC_TYPE_LEAVE_DIALOG,
                       "transient-for", parent,
                       NULL);

  /* Translators: %s is the other person's name */
  body = g_strdup_printf (_("The chat with %s ends for both of you, and its messages are gone. To talk again, one of you makes a new room."),
                          peer_name);
  gtk_label_set_label (self->body_label, body);

  return self;
}
