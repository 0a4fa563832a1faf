/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-lobby-page.h"
#include "rc-profile.h"

/* Connected, in no room: create one or join one. The buttons activate the
 * window's actions win.create-room and win.join-room. */
struct _RcLobbyPage
{
  GtkWidget parent_instance;

  /* template children */
  GtkImage *logo_image;
  GtkLabel *status_label;
  GtkButton *create_button;
  GtkButton *join_button;
};

G_DEFINE_FINAL_TYPE (RcLobbyPage, rc_lobby_page, GTK_TYPE_WIDGET)

static void
rc_lobby_page_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), RC_TYPE_LOBBY_PAGE);
  /* The template's top child has no id: unparent what is left. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rc_lobby_page_parent_class)->dispose (object);
}

static void
rc_lobby_page_class_init (RcLobbyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_lobby_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-lobby-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RcLobbyPage, logo_image);
  gtk_widget_class_bind_template_child (widget_class, RcLobbyPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, RcLobbyPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, RcLobbyPage, join_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
rc_lobby_page_init (RcLobbyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_image_set_from_icon_name (self->logo_image, RC_APPLICATION_ID "-symbolic");
}

GtkWidget *
rc_lobby_page_new (void)
{
  return g_object_new (RC_TYPE_LOBBY_PAGE, NULL);
}

void
rc_lobby_page_set_server (RcLobbyPage *self,
                          const char  *server,
                          const char  *name)
{
  g_autofree char *text = NULL;

  g_return_if_fail (RC_IS_LOBBY_PAGE (self));

  /* Translators: the first %s is the server, the second your name */
  text = g_strdup_printf (_("Connected to %s as %s. Create a room and pass its id on, or join the room someone made for you."),
                          server ? server : "", name ? name : "");
  gtk_label_set_label (self->status_label, text);
}

void
rc_lobby_page_focus (RcLobbyPage *self)
{
  g_return_if_fail (RC_IS_LOBBY_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->create_button));
}
