/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include "rc-shortcuts-window.h"

/* A small list of RoomChat's keyboard shortcuts. GtkShortcutsWindow is
 * deprecated in newer GTK, so RoomChat has its own. */
struct _RcShortcutsWindow
{
  GtkWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (RcShortcutsWindow, rc_shortcuts_window, GTK_TYPE_WINDOW)

static void
rc_shortcuts_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RC_TYPE_SHORTCUTS_WINDOW);

  G_OBJECT_CLASS (rc_shortcuts_window_parent_class)->dispose (object);
}

static void
rc_shortcuts_window_class_init (RcShortcutsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_shortcuts_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-shortcuts-window.ui");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rc_shortcuts_window_init (RcShortcutsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

RcShortcutsWindow *
rc_shortcuts_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (RC_TYPE_SHORTCUTS_WINDOW,
                       "transient-for", parent,
                       NULL);
}
