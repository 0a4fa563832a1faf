/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-application.h"
#include "rc-profile.h"
#include "rc-shortcuts-window.h"
#include "rc-style-manager.h"
#include "rc-window.h"

/* The GTK client. One instance per desktop session; every invocation of
 * roomchat opens or presents a window in it. --host, --port and --name
 * fill in the connect page; the password comes from ROOMCHAT_PASSWORD,
 * never from a command-line option, which other users could read. */
struct _RcApplication
{
  GtkApplication parent_instance;

  /* owned */
  RcStyleManager *style_manager;
};

G_DEFINE_FINAL_TYPE (RcApplication, rc_application, GTK_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "host", 0, 0, G_OPTION_ARG_STRING, NULL, N_("The server to connect to"), N_("HOST") },
  { "port", 0, 0, G_OPTION_ARG_INT, NULL, N_("The server’s port"), N_("PORT") },
  { "name", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Your name in chats"), N_("NAME") },
  { "connect", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Connect at once with what the connect page holds"), NULL },
  { "new-window", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open a new window"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
  { NULL }
};

static RcWindow *
rc_application_new_window (RcApplication *self)
{
  RcWindow *window = rc_window_new (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
rc_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (rc_application_new_window (RC_APPLICATION (application)));

  gtk_window_present (window);
}

static int
rc_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("roomchat %s\n", PACKAGE_VERSION);
      return 0;
    }

  return G_APPLICATION_CLASS (rc_application_parent_class)->handle_local_options (application, options);
}

static int
rc_application_command_line (GApplication            *application,
                             GApplicationCommandLine *command_line)
{
  RcApplication *self = RC_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *host = NULL;
  g_autofree char *name = NULL;
  const char *password;
  GtkWindow *window;
  gint32 port = 0;
  gboolean new_window = FALSE;
  gboolean connect = FALSE;
  gboolean prefill;

  g_variant_dict_lookup (options, "host", "s", &host);
  g_variant_dict_lookup (options, "name", "s", &name);
  g_variant_dict_lookup (options, "port", "i", &port);
  g_variant_dict_lookup (options, "new-window", "b", &new_window);
  g_variant_dict_lookup (options, "connect", "b", &connect);

  if (port < 0 || port > G_MAXUINT16)
    {
      g_application_command_line_printerr (command_line, _("The port must be between 1 and 65535.\n"));
      return 1;
    }

  password = g_application_command_line_getenv (command_line, "ROOMCHAT_PASSWORD");
  prefill = host != NULL || name != NULL || port != 0 || password != NULL;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL || new_window || prefill)
    window = GTK_WINDOW (rc_application_new_window (self));

  if (prefill)
    rc_window_prefill (RC_WINDOW (window), host, (guint16)port, name, password);

  gtk_window_present (window);
  if (connect)
    rc_window_connect_now (RC_WINDOW (window));
  return 0;
}

static void
rc_application_load_css (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/io/github/roomchat/RoomChat/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
rc_application_startup (GApplication *application)
{
  RcApplication *self = RC_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *new_window_accels[] = { "<Control><Shift>n", NULL };

  G_APPLICATION_CLASS (rc_application_parent_class)->startup (application);

  g_set_application_name ("RoomChat");
  gtk_window_set_default_icon_name (RC_APPLICATION_ID);

  rc_application_load_css ();
  self->style_manager = rc_style_manager_new (gtk_settings_get_default ());

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-window", new_window_accels);
}

static void
rc_application_shutdown (GApplication *application)
{
  RcApplication *self = RC_APPLICATION (application);

  g_clear_object (&self->style_manager);

  G_APPLICATION_CLASS (rc_application_parent_class)->shutdown (application);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (application);

  /* Destroying a window closes its connection, leaving its room. */
  while (windows != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (windows->data));
      windows = gtk_application_get_windows (application);
    }

  g_application_quit (G_APPLICATION (application));
}

static void
new_window_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  rc_application_new_window (RC_APPLICATION (user_data));
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  RcShortcutsWindow *window = rc_shortcuts_window_new (parent);

  gtk_window_present (GTK_WINDOW (window));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  static const char *authors[] = { "The RoomChat authors", NULL };

  gtk_show_about_dialog (parent,
                         "program-name", "RoomChat",
                         "logo-icon-name", RC_APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Talk privately with one other person, end-to-end encrypted."),
                         "website", "https://github.com/roomchat/roomchat",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2025 The RoomChat authors",
                         "authors", authors,
                         /* Translators: your names, one a line */
                         "translator-credits", _("translator-credits"),
                         "modal", TRUE,
                         "destroy-with-parent", TRUE,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_activated },
  { .name = "new-window", .activate = new_window_activated },
  { .name = "shortcuts", .activate = shortcuts_activated },
  { .name = "about", .activate = about_activated },
};

static void
rc_application_class_init (RcApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->activate = rc_application_activate;
  application_class->command_line = rc_application_command_line;
  application_class->handle_local_options = rc_application_handle_local_options;
  application_class->startup = rc_application_startup;
  application_class->shutdown = rc_application_shutdown;
}

static void
rc_application_init (RcApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
}

RcApplication *
rc_application_new (void)
{
  return g_object_new (RC_TYPE_APPLICATION,
                       "application-id", RC_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/roomchat/RoomChat",
                       NULL);
}
