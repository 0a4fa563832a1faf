/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-trust-dialog.h"

/* Asked on the first connection to a server: shows its certificate's
 * fingerprint and emits ::response once, TRUE for Trust. Closing it is
 * the same as Cancel. */
struct _RcTrustDialog
{
  GtkWindow parent_instance;

  gboolean responded;

  /* template children */
  GtkLabel *intro_label;
  GtkLabel *fingerprint_label;
  GtkButton *cancel_button;
  GtkButton *trust_button;
};

G_DEFINE_FINAL_TYPE (RcTrustDialog, rc_trust_dialog, GTK_TYPE_WINDOW)

enum {
  RESPONSE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
rc_trust_dialog_respond (RcTrustDialog *self,
                         gboolean       trusted)
{
  if (self->responded)
    return;

  self->responded = TRUE;
  g_signal_emit (self, signals[RESPONSE], 0, trusted);
}

static gboolean
on_close_request (RcTrustDialog *self)
{
  rc_trust_dialog_respond (self, FALSE);
  return GDK_EVENT_PROPAGATE;
}

static void
on_cancel_clicked (RcTrustDialog *self)
{
  rc_trust_dialog_respond (self, FALSE);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_trust_clicked (RcTrustDialog *self)
{
  rc_trust_dialog_respond (self, TRUE);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
rc_trust_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RC_TYPE_TRUST_DIALOG);

  G_OBJECT_CLASS (rc_trust_dialog_parent_class)->dispose (object);
}

static void
rc_trust_dialog_class_init (RcTrustDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_trust_dialog_dispose;

  /**
   * RcTrustDialog::response:
   * @trusted: whether the person trusts the certificate
   */
  signals[RESPONSE] = g_signal_new ("response",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-trust-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RcTrustDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, RcTrustDialog, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, RcTrustDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RcTrustDialog, trust_button);
  gtk_widget_class_bind_template_callback (widget_class, on_close_request);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_trust_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rc_trust_dialog_init (RcTrustDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->cancel_button));
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->cancel_button));
}

RcTrustDialog *
rc_trust_dialog_new (GtkWindow  *parent,
                     const char *server,
                     const char *fingerprint)
{
  RcTrustDialog *self;
  g_autofree char *intro = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (fingerprint != NULL, NULL);

  self = g_object_new (RC_TYPE_TRUST_DIALOG,
                       "transient-for", parent,
                       NULL);

  /* Translators: %s is a server as host:port */
  intro = g_strdup_printf (_("This is the first time RoomChat connects to %s. The server’s certificate has this fingerprint:"),
                           server);
  gtk_label_set_label (self->intro_label, intro);
  gtk_label_set_label (self->fingerprint_label, fingerprint);

  return self;
}
