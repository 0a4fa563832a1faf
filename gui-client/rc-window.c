/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-profile.h"
#include "rc-window-private.h"

/* The main window: a stack of pages (connect, lobby, chat, changed
 * certificate) under a header bar that names the other person and whose
 * turn it is. Each window has its own connection, so two windows can
 * talk to each other. What happens on the connection is in
 * rc-window-session.c. */

G_DEFINE_FINAL_TYPE (RcWindow, rc_window, GTK_TYPE_APPLICATION_WINDOW)

static GSettings *
rc_window_open_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, RC_APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s is not installed: nothing is remembered", RC_APPLICATION_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

void
_rc_window_show_page (RcWindow   *self,
                      const char *name)
{
  g_assert (RC_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->stack, name);
  _rc_window_update_header (self);
  _rc_window_update_actions (self);
}

void
_rc_window_show_banner (RcWindow   *self,
                        const char *text)
{
  g_assert (RC_IS_WINDOW (self));

  if (text != NULL)
    gtk_label_set_label (self->banner_label, text);
  gtk_revealer_set_reveal_child (self->banner_revealer, text != NULL);
}

static void
on_banner_dismiss (RcWindow *self)
{
  _rc_window_show_banner (self, NULL);
}

static void
on_certificate_back (RcWindow *self)
{
  _rc_window_show_page (self, "connect");
  rc_connect_page_focus_first (self->connect_page);
}

/* The chat page follows the session's turn; the header follows the page. */
static void
on_chat_changed (RcWindow *self)
{
  _rc_window_update_header (self);
}

static void
on_page_changed (RcWindow *self)
{
  _rc_window_update_header (self);
  _rc_window_update_actions (self);
}

void
_rc_window_update_header (RcWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  g_autofree char *subtitle = NULL;
  g_autofree char *window_title = NULL;
  const char *title = "RoomChat";
  gboolean in_chat = g_strcmp0 (page, "chat") == 0;
  gboolean in_lobby = g_strcmp0 (page, "lobby") == 0;

  if (in_chat && rc_chat_page_get_peer_name (self->chat_page) != NULL)
    {
      const char *peer = rc_chat_page_get_peer_name (self->chat_page);

      title = peer;
      if (!rc_chat_page_get_active (self->chat_page))
        subtitle = g_strdup (_("The chat has ended"));
      else if (self->session != NULL && rc_client_session_get_reconnecting (self->session))
        subtitle = g_strdup (_("Reconnecting…"));
      else if (self->peer_away_until > 0)
        {
          gint64 left = MAX ((self->peer_away_until - g_get_monotonic_time () + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 0);

          /* Translators: the header while the other person's connection is
           * down; %s is their name, %d how many seconds the server keeps
           * their place */
          subtitle = g_strdup_printf (ngettext ("%s’s connection dropped · waiting %d second",
                                                "%s’s connection dropped · waiting %d seconds",
                                                (gulong) left),
                                      peer, (int) left);
        }
      else if (rc_chat_page_get_my_turn (self->chat_page))
        subtitle = g_strdup (_("Your turn"));
      else
        /* Translators: %s is the other person's name, e.g. "Ana’s turn" */
        subtitle = g_strdup_printf (_("%s’s turn"), peer);

      if (rc_chat_page_get_active (self->chat_page) && rc_chat_page_get_my_turn (self->chat_page))
        /* Translators: the window title; %s is the other person's name */
        window_title = g_strdup_printf (_("Your Turn with %s — RoomChat"), peer);
      else
        /* Translators: the window title; %s is the other person's name */
        window_title = g_strdup_printf (_("%s — RoomChat"), peer);
    }
  else if (in_lobby && self->session != NULL)
    {
      subtitle = g_strdup_printf ("%s:%u",
                                  rc_client_session_get_host (self->session),
                                  (guint)rc_client_session_get_port (self->session));
    }

  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->subtitle_label, subtitle ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle != NULL);
  gtk_window_set_title (GTK_WINDOW (self), window_title ? window_title : "RoomChat");

  gtk_widget_set_visible (GTK_WIDGET (self->leave_button), in_chat);
  gtk_widget_set_visible (GTK_WIDGET (self->safety_button), in_chat);
  gtk_widget_set_visible (GTK_WIDGET (self->disconnect_button), in_lobby);
}

void
_rc_window_update_actions (RcWindow *self)
{
  RcSessionState state = RC_SESSION_STATE_DISCONNECTED;
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean no_dialog = self->dialog == NULL;

  if (self->session != NULL)
    state = rc_client_session_get_state (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.create-room",
                                 no_dialog && !self->connecting && state == RC_SESSION_STATE_LOBBY);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.join-room",
                                 no_dialog && !self->connecting && state == RC_SESSION_STATE_LOBBY);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.leave-room",
                                 no_dialog && g_strcmp0 (page, "chat") == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.disconnect",
                                 no_dialog && !self->connecting && self->session != NULL);
}

static void
on_dialog_destroy (RcWindow  *self,
                   GtkWindow *dialog)
{
  if (self->dialog == dialog)
    {
      self->dialog = NULL;
      _rc_window_update_actions (self);
    }
}

/* Remembers @dialog as the one dialog shown and presents it. */
void
_rc_window_set_dialog (RcWindow  *self,
                       GtkWindow *dialog)
{
  g_assert (RC_IS_WINDOW (self));
  g_assert (GTK_IS_WINDOW (dialog));

  _rc_window_close_dialog (self);

  self->dialog = dialog;
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_dialog_destroy), self, G_CONNECT_SWAPPED);
  _rc_window_update_actions (self);
  gtk_window_present (dialog);
}

/* Closes the dialog shown without the answer it would give when closed
 * by the person. */
void
_rc_window_close_dialog (RcWindow *self)
{
  GtkWindow *dialog = g_steal_pointer (&self->dialog);

  if (dialog == NULL)
    return;

  g_signal_handlers_disconnect_by_data (dialog, self);
  gtk_window_destroy (dialog);
  _rc_window_update_actions (self);
}

static void
on_is_active_changed (RcWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (application != NULL && gtk_window_is_active (GTK_WINDOW (self)))
    g_application_withdraw_notification (G_APPLICATION (application), "new-message");
}

static void
create_room_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _rc_window_create_room (RC_WINDOW (widget));
}

static void
join_room_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  _rc_window_join_room (RC_WINDOW (widget));
}

static void
leave_room_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  _rc_window_leave_room (RC_WINDOW (widget));
}

static void
disconnect_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  _rc_window_disconnect (RC_WINDOW (widget));
}

static void
on_connect_requested (RcWindow *self)
{
  self->retried = FALSE;
  _rc_window_connect (self);
}

/* A first name to start from: the person's own, when the system knows it. */
static void
rc_window_suggest_name (RcWindow *self)
{
  const char *real_name = g_get_real_name ();
  g_autofree char *name = NULL;

  if (real_name != NULL && g_strcmp0 (real_name, "Unknown") != 0)
    name = rc_name_normalize (real_name, NULL);
  if (name == NULL)
    name = rc_name_normalize (g_get_user_name (), NULL);
  if (name != NULL)
    rc_connect_page_set_name (self->connect_page, name);
}

static void
rc_window_dispose (GObject *object)
{
  RcWindow *self = (RcWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->join_cancellable);
  _rc_window_close_dialog (self);
  _rc_window_drop_session (self);
  g_clear_handle_id (&self->peer_away_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), RC_TYPE_WINDOW);

  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->join_cancellable);

  G_OBJECT_CLASS (rc_window_parent_class)->dispose (object);
}

static void
rc_window_finalize (GObject *object)
{
  g_clear_object (&RC_WINDOW (object)->session_signals);

  G_OBJECT_CLASS (rc_window_parent_class)->finalize (object);
}

static void
rc_window_class_init (RcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_window_dispose;
  object_class->finalize = rc_window_finalize;

  g_type_ensure (RC_TYPE_CONNECT_PAGE);
  g_type_ensure (RC_TYPE_LOBBY_PAGE);
  g_type_ensure (RC_TYPE_CHAT_PAGE);
  g_type_ensure (RC_TYPE_CERTIFICATE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RcWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, leave_button);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, disconnect_button);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, safety_button);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, safety_code_label);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, safety_text_label);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, connect_page);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, lobby_page);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, chat_page);
  gtk_widget_class_bind_template_child (widget_class, RcWindow, certificate_page);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_dismiss);
  gtk_widget_class_bind_template_callback (widget_class, on_certificate_back);
  gtk_widget_class_bind_template_callback (widget_class, on_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_connect_requested);

  gtk_widget_class_install_action (widget_class, "win.create-room", NULL, create_room_action);
  gtk_widget_class_install_action (widget_class, "win.join-room", NULL, join_room_action);
  gtk_widget_class_install_action (widget_class, "win.leave-room", NULL, leave_room_action);
  gtk_widget_class_install_action (widget_class, "win.disconnect", NULL, disconnect_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.create-room", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, GDK_CONTROL_MASK, "win.join-room", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.leave-room", NULL);
}

static void
rc_window_init (RcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  _rc_window_init_session (self);

  /* The development profile's header bar is striped, so a test build is
   * never taken for the release. */
  if (RC_PROFILE_DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->settings = rc_window_open_settings ();
  if (self->settings != NULL)
    {
      g_autofree char *host = g_settings_get_string (self->settings, "host");
      g_autofree char *name = g_settings_get_string (self->settings, "name");

      rc_connect_page_set_host (self->connect_page, host);
      rc_connect_page_set_port (self->connect_page, (guint16)g_settings_get_uint (self->settings, "port"));
      rc_connect_page_set_name (self->connect_page, name);
      if (name[0] == '\0')
        rc_window_suggest_name (self);

      g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
      {
        g_autoptr(GAction) notifications = g_settings_create_action (self->settings, "notifications");

        g_action_map_add_action (G_ACTION_MAP (self), notifications);
      }
    }
  else
    {
      rc_connect_page_set_host (self->connect_page, "localhost");
      rc_window_suggest_name (self);
    }

  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_is_active_changed), NULL);
  g_signal_connect_object (self->chat_page, "notify::my-turn",
                           G_CALLBACK (on_chat_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->chat_page, "notify::active",
                           G_CALLBACK (on_chat_changed), self, G_CONNECT_SWAPPED);

  _rc_window_show_page (self, "connect");
  rc_connect_page_focus_first (self->connect_page);
}

RcWindow *
rc_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (RC_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/* Fills the connect page from the command line; NULL and 0 keep what the
 * page holds. */
void
rc_window_prefill (RcWindow   *self,
                   const char *host,
                   guint16     port,
                   const char *name,
                   const char *password)
{
  g_return_if_fail (RC_IS_WINDOW (self));

  if (host != NULL)
    rc_connect_page_set_host (self->connect_page, host);
  if (port != 0)
    rc_connect_page_set_port (self->connect_page, port);
  if (name != NULL)
    rc_connect_page_set_name (self->connect_page, name);
  if (password != NULL)
    rc_connect_page_set_password (self->connect_page, password);

  rc_connect_page_focus_first (self->connect_page);
}

/* Connects with what the connect page holds, as if Connect was pressed. */
void
rc_window_connect_now (RcWindow *self)
{
  g_return_if_fail (RC_IS_WINDOW (self));

  if (self->session == NULL && g_strcmp0 (rc_window_get_page_name (self), "connect") == 0)
    rc_connect_page_connect (self->connect_page);
}

/* (nullable): the connection, while there is one */
RcClientSession *
rc_window_get_session (RcWindow *self)
{
  g_return_val_if_fail (RC_IS_WINDOW (self), NULL);

  return self->session;
}

/* "connect", "lobby", "chat" or "certificate" */
const char *
rc_window_get_page_name (RcWindow *self)
{
  g_return_val_if_fail (RC_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* (nullable): the dialog shown over the window */
GtkWindow *
rc_window_get_dialog (RcWindow *self)
{
  g_return_val_if_fail (RC_IS_WINDOW (self), NULL);

  return self->dialog;
}

/* (nullable): the banner's text while it is shown */
const char *
rc_window_get_banner (RcWindow *self)
{
  g_return_val_if_fail (RC_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->banner_revealer))
    return NULL;
  return gtk_label_get_label (self->banner_label);
}
