/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-screenshots"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "rc-application.h"
#include "rc-client-session.h"
#include "rc-chat-page.h"
#include "rc-create-dialog.h"
#include "rc-join-dialog.h"
#include "rc-window.h"
#include "rc-tls-priority.h"

/* Drives the real window through every page against a running server,
 * with roomchat-cli --batch as the other person, and saves a PNG of each.
 * Run by build-aux/screenshots.sh; not installed. */

static char *output_dir;
static GPtrArray *peer_lines;

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

#define WAIT_FOR(condition)                                                  \
  G_STMT_START {                                                             \
    gint64 end_ = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;             \
    while (!(condition))                                                     \
      {                                                                      \
        if (g_get_monotonic_time () > end_)                                  \
          g_error ("Timed out waiting for %s", #condition);                  \
        if (!g_main_context_iteration (NULL, FALSE))                         \
          g_usleep (2000);                                                   \
      }                                                                      \
  } G_STMT_END

static void
snapshot_widget (GtkSnapshot *snapshot,
                 GtkWidget   *widget,
                 float        x,
                 float        y)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  gtk_snapshot_restore (snapshot);
}

/* The window, with @dialog centred over it or @popover where it shows. */
static void
shoot (RcWindow   *window,
       GtkWidget  *dialog,
       GtkWidget  *popover,
       const char *name)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (output_dir, name, NULL);
  int width;
  int height;

  spin (600);
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  snapshot_widget (snapshot, GTK_WIDGET (window), 0, 0);

  if (dialog != NULL)
    {
      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.25 },
                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
      snapshot_widget (snapshot, dialog,
                       (width - gtk_widget_get_width (dialog)) / 2.0,
                       (height - gtk_widget_get_height (dialog)) / 3.0);
    }

  if (popover != NULL)
    {
      graphene_rect_t bounds;

      /* A popover is a surface of its own and may reach past the window's
       * edge; the picture keeps it inside. */
      if (gtk_widget_compute_bounds (popover, GTK_WIDGET (window), &bounds))
        snapshot_widget (snapshot, popover,
                         MIN (bounds.origin.x, width - bounds.size.width - 4),
                         bounds.origin.y);
    }

  node = gtk_snapshot_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Cannot write %s", path);
  g_print ("%s\n", path);
}

static GtkWidget *
child (gpointer    widget,
       GType       type,
       const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (widget), type, name));
}

static void read_peer_line (GDataInputStream *stream);

static void
on_peer_line (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  if (line == NULL)
    return;
  g_ptr_array_add (peer_lines, line);
  read_peer_line (G_DATA_INPUT_STREAM (source));
}

static void
read_peer_line (GDataInputStream *stream)
{
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, on_peer_line, NULL);
}

static gboolean
peer_said (const char *needle)
{
  for (guint i = 0; i < peer_lines->len; i++)
    if (strstr (g_ptr_array_index (peer_lines, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
peer_say (GSubprocess *peer,
          const char  *text)
{
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  GOutputStream *input = g_subprocess_get_stdin_pipe (peer);

  g_output_stream_write_all (input, line, strlen (line), NULL, NULL, NULL);
  g_output_stream_flush (input, NULL, NULL);
}

/* Ana joins @room_id from the terminal. */
static GSubprocess *
spawn_ana (const char        *cli,
           const char        *port,
           const char        *home,
           const char        *room_id,
           GDataInputStream **output)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *peer;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, home);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", home, TRUE);
  peer = g_subprocess_launcher_spawn (launcher, &error, cli, "--batch", "--trust",
                                      "--host", "localhost", "--port", port, "--name", "Ana",
                                      "--join", room_id, NULL);
  if (peer == NULL)
    g_error ("%s", error->message);
  *output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  read_peer_line (*output);
  return peer;
}

static char *
create_room (RcWindow *window)
{
  GtkWindow *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.create-room", NULL);
  WAIT_FOR (RC_IS_CREATE_DIALOG (rc_window_get_dialog (window))
            && rc_create_dialog_get_room_id (RC_CREATE_DIALOG (rc_window_get_dialog (window))) != NULL);
  dialog = rc_window_get_dialog (window);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  return g_strdup (rc_create_dialog_get_room_id (RC_CREATE_DIALOG (dialog)));
}

static gboolean
page_is (RcWindow   *window,
         const char *name)
{
  return g_strcmp0 (rc_window_get_page_name (window), name) == 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RcApplication) application = NULL;
  g_autoptr(GSubprocess) peer = NULL;
  g_autoptr(GDataInputStream) peer_output = NULL;
  g_autoptr(GSubprocess) second_peer = NULL;
  g_autoptr(GDataInputStream) second_output = NULL;
  const char *server_pid = g_getenv ("ROOMCHAT_SCREENSHOTS_SERVER_PID");
  g_autoptr(GError) error = NULL;
  g_autofree char *room_id = NULL;
  g_autofree char *peer_home = NULL;
  const char *localedir = g_getenv ("ROOMCHAT_LOCALEDIR");
  const char *password = g_getenv ("ROOMCHAT_PASSWORD");
  RcWindow *window;
  GtkWidget *chat;
  GtkWidget *entry;
  GtkWindow *dialog;

  if (argc != 5)
    {
      g_printerr ("Usage: %s PORT ROOMCHAT-CLI OUTPUT-DIR PEER-HOME (password in ROOMCHAT_PASSWORD)\n", argv[0]);
      return 2;
    }
  output_dir = argv[3];
  peer_home = g_strdup (argv[4]);

  rc_tls_priority_apply ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gtk_init ();

  peer_lines = g_ptr_array_new_with_free_func (g_free);
  application = rc_application_new ();
  g_application_set_flags (G_APPLICATION (application), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (application), NULL, &error))
    g_error ("%s", error->message);

  window = rc_window_new (GTK_APPLICATION (application));
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 600);
  rc_window_prefill (window, "localhost", (guint16)g_ascii_strtoull (argv[1], NULL, 10), "Pablo", password);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)));
  shoot (window, NULL, NULL, "connect.png");

  /* First contact */
  rc_window_connect_now (window);
  WAIT_FOR (rc_window_get_dialog (window) != NULL);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (rc_window_get_dialog (window))));
  shoot (window, GTK_WIDGET (rc_window_get_dialog (window)), NULL, "trust.png");
  g_signal_emit_by_name (child (rc_window_get_dialog (window), G_OBJECT_TYPE (rc_window_get_dialog (window)), "confirm_button"),
                         "clicked");
  WAIT_FOR (page_is (window, "lobby"));
  shoot (window, NULL, NULL, "lobby.png");

  /* Joining, half typed */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.join-room", NULL);
  WAIT_FOR (RC_IS_JOIN_DIALOG (rc_window_get_dialog (window)));
  dialog = rc_window_get_dialog (window);
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, RC_TYPE_JOIN_DIALOG, "room_entry")), "q7vm-2kx9 wd");
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  shoot (window, GTK_WIDGET (dialog), NULL, "join-room.png");
  gtk_window_close (dialog);
  WAIT_FOR (rc_window_get_dialog (window) == NULL);

  /* Creating */
  room_id = create_room (window);
  shoot (window, GTK_WIDGET (rc_window_get_dialog (window)), NULL, "create-room.png");

  /* Ana joins from the terminal */
  peer = spawn_ana (argv[2], argv[1], peer_home, room_id, &peer_output);

  WAIT_FOR (page_is (window, "chat"));
  chat = child (window, RC_TYPE_WINDOW, "chat_page");
  entry = child (chat, RC_TYPE_CHAT_PAGE, "entry");

  peer_say (peer, "Hi Pablo! 👋 Did the new build pass its tests?");
  WAIT_FOR (gtk_widget_get_sensitive (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), "It did, in both build folders 🎉 Want to see the screenshots?");
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (peer_said ("both build folders"));
  peer_say (peer, "Yes please! But first, shall we compare our safety codes?");
  WAIT_FOR (gtk_widget_get_sensitive (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Sure, mine starts with");
  shoot (window, NULL, NULL, "chat.png");

  gtk_menu_button_popup (GTK_MENU_BUTTON (child (window, RC_TYPE_WINDOW, "safety_button")));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (child (window, RC_TYPE_WINDOW, "safety_button"))))));
  shoot (window, NULL, GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (child (window, RC_TYPE_WINDOW, "safety_button")))),
         "safety-code.png");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (child (window, RC_TYPE_WINDOW, "safety_button")));

  /* Ana leaves */
  g_output_stream_close (g_subprocess_get_stdin_pipe (peer), NULL, NULL);
  WAIT_FOR (!rc_chat_page_get_active (RC_CHAT_PAGE (chat)));
  shoot (window, NULL, NULL, "peer-left.png");

  g_subprocess_wait (peer, NULL, NULL);

  /* Another chat: Ana's connection drops, and a message waits for her */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.leave-room", NULL);
  WAIT_FOR (page_is (window, "lobby"));
  g_free (room_id);
  room_id = create_room (window);
  second_peer = spawn_ana (argv[2], argv[1], peer_home, room_id, &second_output);
  WAIT_FOR (page_is (window, "chat"));
  peer_say (second_peer, "On the train now, the signal comes and goes 🚆");
  WAIT_FOR (gtk_widget_get_sensitive (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), "No problem, write when you can");
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (peer_said ("write when you can"));
  peer_say (second_peer, "Thanks! Entering a tunnel…");
  WAIT_FOR (gtk_widget_get_sensitive (entry));
  g_subprocess_force_exit (second_peer);
  WAIT_FOR (rc_client_session_get_peer_away (rc_window_get_session (window)));
  gtk_editable_set_text (GTK_EDITABLE (entry), "See you on the other side 👋");
  g_signal_emit_by_name (entry, "activate");
  shoot (window, NULL, NULL, "peer-away.png");

  /* This side's connection drops: the server is gone */
  if (server_pid != NULL)
    {
      kill ((pid_t) g_ascii_strtoll (server_pid, NULL, 10), SIGKILL);
      WAIT_FOR (rc_client_session_get_reconnecting (rc_window_get_session (window)));
      gtk_editable_set_text (GTK_EDITABLE (entry), "Are you still th");
      shoot (window, NULL, NULL, "reconnecting.png");
    }

  gtk_window_destroy (GTK_WINDOW (window));
  spin (200);
  g_clear_pointer (&peer_lines, g_ptr_array_unref);

  return 0;
}
