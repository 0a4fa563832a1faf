/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-certificate-page.h"

/* Shown instead of connecting when a server's certificate differs from
 * the one pinned: both fingerprints, where the pin is kept, and no way to
 * connect from here. Back emits ::back. */
struct _RcCertificatePage
{
  GtkWidget parent_instance;

  /* template children */
  GtkLabel *body_label;
  GtkLabel *pinned_label;
  GtkLabel *seen_label;
  GtkLabel *help_label;
  GtkButton *back_button;
};

G_DEFINE_FINAL_TYPE (RcCertificatePage, rc_certificate_page, GTK_TYPE_WIDGET)

enum {
  BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_back_clicked (RcCertificatePage *self)
{
  g_signal_emit (self, signals[BACK], 0);
}

static void
rc_certificate_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), RC_TYPE_CERTIFICATE_PAGE);
  /* The template's top child has no id: unparent what is left. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rc_certificate_page_parent_class)->dispose (object);
}

static void
rc_certificate_page_class_init (RcCertificatePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_certificate_page_dispose;

  /**
   * RcCertificatePage::back:
   *
   * The person is done reading: back to the connect page.
   */
  signals[BACK] = g_signal_new ("back",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL,
                                G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-certificate-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RcCertificatePage, body_label);
  gtk_widget_class_bind_template_child (widget_class, RcCertificatePage, pinned_label);
  gtk_widget_class_bind_template_child (widget_class, RcCertificatePage, seen_label);
  gtk_widget_class_bind_template_child (widget_class, RcCertificatePage, help_label);
  gtk_widget_class_bind_template_child (widget_class, RcCertificatePage, back_button);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
rc_certificate_page_init (RcCertificatePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
rc_certificate_page_new (void)
{
  return g_object_new (RC_TYPE_CERTIFICATE_PAGE, NULL);
}

/**
 * rc_certificate_page_set_certificates:
 * @server: the host RoomChat did not connect to
 * @pinned: (nullable): the fingerprint remembered
 * @seen: (nullable): the fingerprint shown now
 * @known_servers_path: the file that remembers it
 */
void
rc_certificate_page_set_certificates (RcCertificatePage *self,
                                      const char        *server,
                                      const char        *pinned,
                                      const char        *seen,
                                      const char        *known_servers_path)
{
  g_autofree char *body = NULL;
  g_autofree char *help = NULL;

  g_return_if_fail (RC_IS_CERTIFICATE_PAGE (self));
  g_return_if_fail (server != NULL);
  g_return_if_fail (known_servers_path != NULL);

  /* Translators: %s is a server as host:port */
  body = g_strdup_printf (_("The server at %s shows a different certificate from the one RoomChat remembered. Someone may be pretending to be your server, so RoomChat did not connect."),
                          server);
  /* Translators: %s is a file */
  help = g_strdup_printf (_("Ask the server’s administrator whether its certificate really changed. Only if it did, remove the server from RoomChat’s known servers in %s and connect again."),
                          known_servers_path);

  gtk_label_set_label (self->body_label, body);
  gtk_label_set_label (self->pinned_label, pinned ? pinned : "");
  gtk_label_set_label (self->seen_label, seen ? seen : "");
  gtk_label_set_label (self->help_label, help);
}

void
rc_certificate_page_focus (RcCertificatePage *self)
{
  g_return_if_fail (RC_IS_CERTIFICATE_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
}
