/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include "rc-confirm-dialog.h"

/* A question with two answers, asked over the window: whether to trust a
 * server's certificate, whether to leave a chat. It may show a detail to
 * compare (a fingerprint) and a note under it. Emits ::response once,
 * TRUE for the confirming button; closing it is the same as Cancel,
 * which is also the default, so that Enter never says yes by accident. */
struct _RcConfirmDialog
{
  GtkWindow parent_instance;

  gboolean responded;

  /* template children */
  GtkLabel *heading_label;
  GtkLabel *body_label;
  GtkLabel *detail_label;
  GtkLabel *note_label;
  GtkButton *cancel_button;
  GtkButton *confirm_button;
};

G_DEFINE_FINAL_TYPE (RcConfirmDialog, rc_confirm_dialog, GTK_TYPE_WINDOW)

enum {
  RESPONSE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
rc_confirm_dialog_respond (RcConfirmDialog *self,
                           gboolean         confirmed)
{
  if (self->responded)
    return;

  self->responded = TRUE;
  g_signal_emit (self, signals[RESPONSE], 0, confirmed);
}

static gboolean
on_close_request (RcConfirmDialog *self)
{
  rc_confirm_dialog_respond (self, FALSE);
  return GDK_EVENT_PROPAGATE;
}

static void
on_cancel_clicked (RcConfirmDialog *self)
{
  rc_confirm_dialog_respond (self, FALSE);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_confirm_clicked (RcConfirmDialog *self)
{
  rc_confirm_dialog_respond (self, TRUE);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
rc_confirm_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RC_TYPE_CONFIRM_DIALOG);

  G_OBJECT_CLASS (rc_confirm_dialog_parent_class)->dispose (object);
}

static void
rc_confirm_dialog_class_init (RcConfirmDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_confirm_dialog_dispose;

  /**
   * RcConfirmDialog::response:
   * @confirmed: whether the person chose the confirming button
   */
  signals[RESPONSE] = g_signal_new ("response",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-confirm-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RcConfirmDialog, heading_label);
  gtk_widget_class_bind_template_child (widget_class, RcConfirmDialog, body_label);
  gtk_widget_class_bind_template_child (widget_class, RcConfirmDialog, detail_label);
  gtk_widget_class_bind_template_child (widget_class, RcConfirmDialog, note_label);
  gtk_widget_class_bind_template_child (widget_class, RcConfirmDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RcConfirmDialog, confirm_button);
  gtk_widget_class_bind_template_callback (widget_class, on_close_request);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_confirm_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rc_confirm_dialog_init (RcConfirmDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->cancel_button));
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->cancel_button));
  rc_confirm_dialog_set_destructive (self, FALSE);
}

/**
 * rc_confirm_dialog_new:
 * @heading: the question, in title case
 * @body: what answering yes means
 * @cancel_label: the button that says no, with a mnemonic
 * @confirm_label: the button that says yes, with a mnemonic
 */
RcConfirmDialog *
rc_confirm_dialog_new (GtkWindow  *parent,
                       const char *heading,
                       const char *body,
                       const char *cancel_label,
                       const char *confirm_label)
{
  RcConfirmDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (heading != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (cancel_label != NULL, NULL);
  g_return_val_if_fail (confirm_label != NULL, NULL);

  self = g_object_new (RC_TYPE_CONFIRM_DIALOG,
                       "transient-for", parent,
                       "title", heading,
                       NULL);
  gtk_label_set_label (self->heading_label, heading);
  gtk_label_set_label (self->body_label, body);
  gtk_button_set_label (self->cancel_button, cancel_label);
  gtk_button_set_label (self->confirm_button, confirm_label);

  return self;
}

/* Something to compare letter by letter, such as a fingerprint: shown in
 * a fixed-width font and selectable. */
void
rc_confirm_dialog_set_detail (RcConfirmDialog *self,
                              const char      *detail,
                              const char      *accessible_name)
{
  g_return_if_fail (RC_IS_CONFIRM_DIALOG (self));
  g_return_if_fail (detail != NULL);
  g_return_if_fail (accessible_name != NULL);

  gtk_label_set_label (self->detail_label, detail);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->detail_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name,
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), TRUE);
}

void
rc_confirm_dialog_set_note (RcConfirmDialog *self,
                            const char      *note)
{
  g_return_if_fail (RC_IS_CONFIRM_DIALOG (self));
  g_return_if_fail (note != NULL);

  gtk_label_set_label (self->note_label, note);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
}

/* Whether saying yes destroys something (leaving ends the chat for both
 * people), which the confirming button's colour says. */
void
rc_confirm_dialog_set_destructive (RcConfirmDialog *self,
                                   gboolean         destructive)
{
  GtkWidget *button;

  g_return_if_fail (RC_IS_CONFIRM_DIALOG (self));

  button = GTK_WIDGET (self->confirm_button);
  if (destructive)
    {
      gtk_widget_remove_css_class (button, "suggested-action");
      gtk_widget_add_css_class (button, "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (button, "destructive-action");
      gtk_widget_add_css_class (button, "suggested-action");
    }
}
