/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "fault-proxy.h"
#include "rc-application.h"
#include "rc-certificate-page.h"
#include "rc-chat-page.h"
#include "rc-confirm-dialog.h"
#include "rc-connect-page.h"
#include "rc-create-dialog.h"
#include "rc-known-servers.h"
#include "rc-lobby-page.h"
#include "rc-message-row.h"
#include "rc-window.h"
#include "server-helpers.h"
#include "test-gui-util.h"
#include "rc-tls-priority.h"

/* End to end: a real roomchat-server on a free port with its own state
 * folder, the real window driven through its widgets, and roomchat-cli
 * --batch as the other person. Waits are bounded; nothing is timed. */

#define WAIT 60

static RcApplication *application;
static char *tmp_root;

/* A stand-in for the desktop's notification server, so that the test
 * sees what the client notifies (org.freedesktop.Notifications). */
static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static GPtrArray *notifications;   /* summaries shown, in order */
static GPtrArray *notification_bodies;  /* their bodies, in the same order */
static guint n_closed_notifications;

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *object_path,
                       const char            *interface_name,
                       const char            *method_name,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary = NULL;

      const char *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (notifications, g_strdup (summary));
      g_ptr_array_add (notification_bodies, g_strdup (body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications->len));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      n_closed_notifications++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(@as ['body'],)"));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "test", "RoomChat", "1", "1.2"));
    }
}

static const GDBusInterfaceVTable notifications_vtable = { .method_call = on_notifications_call };

static guint
start_notification_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  GDBusConnection *bus;
  guint id;

  g_assert_no_error (error);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &notifications_vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  id = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                     G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  g_object_unref (bus);
  notifications = g_ptr_array_new_with_free_func (g_free);
  notification_bodies = g_ptr_array_new_with_free_func (g_free);
  return id;
}

static const char *
last_notification_body (void)
{
  g_assert_cmpuint (notification_bodies->len, >, 0);
  return g_ptr_array_index (notification_bodies, notification_bodies->len - 1);
}

static gboolean
notified (const char *summary)
{
  for (guint i = 0; i < notifications->len; i++)
    if (g_str_equal (g_ptr_array_index (notifications, i), summary))
      return TRUE;
  return FALSE;
}

/* A child process whose output lines are collected as they come: the
 * terminal client playing the other person. */
typedef struct
{
  GSubprocess *process;
  GDataInputStream *output;
  GPtrArray *lines;
  GCancellable *cancellable;
} Child;

static void read_next_line (Child *child);

static void
on_line_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Child *child = user_data;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  /* The end, or cancelled by child_free(). */
  if (line == NULL)
    return;

  g_test_message ("%s", line);
  g_ptr_array_add (child->lines, line);
  read_next_line (child);
}

static void
read_next_line (Child *child)
{
  g_data_input_stream_read_line_async (child->output, G_PRIORITY_DEFAULT, child->cancellable,
                                       on_line_read, child);
}

/* A child dies with the test, even when the test aborts. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Child *
child_spawn (GSubprocessLauncher *launcher,
             const char * const  *argv)
{
  g_autoptr(GError) error = NULL;
  Child *child = g_new0 (Child, 1);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  child->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  child->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->process));
  child->lines = g_ptr_array_new_with_free_func (g_free);
  child->cancellable = g_cancellable_new ();
  read_next_line (child);

  return child;
}

static void
child_wait_exit (Child *child)
{
  RC_TEST_WAIT_FOR (g_subprocess_get_identifier (child->process) == NULL, WAIT);
}

static void
child_free (Child *child)
{
  g_cancellable_cancel (child->cancellable);
  if (g_subprocess_get_identifier (child->process) != NULL)
    {
      g_subprocess_force_exit (child->process);
      child_wait_exit (child);
    }
  /* Let the cancelled read finish before its stream goes. */
  rc_test_spin ();
  g_clear_object (&child->output);
  g_clear_object (&child->process);
  g_clear_object (&child->cancellable);
  g_clear_pointer (&child->lines, g_ptr_array_unref);
  g_free (child);
}

/* The events of the terminal client, one JSON object a line. */
static gboolean
peer_has_event (Child      *peer,
                const char *event,
                const char *member,
                const char *value)
{
  for (guint i = 0; i < peer->lines->len; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      if (!json_parser_load_from_data (parser, g_ptr_array_index (peer->lines, i), -1, NULL)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;

      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "event", ""), event) != 0)
        continue;
      if (member == NULL
          || g_strcmp0 (json_object_get_string_member_with_default (object, member, ""), value) == 0)
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  char *dir;
  TestServer *server;
  guint16 port;        /* where the window connects */
  guint16 peer_port;   /* where the other person connects */
  char *fingerprint;
  RcWindow *window;
  FaultProxy *proxy;       /* NULL, or between the window and the server */
  FaultProxy *peer_proxy;  /* NULL, or between the other person and the server */
} Fixture;

/* No extra configuration: the wrong-password test counts on the server's
 * default limits. */
static void
start_server (Fixture *fixture)
{
  fixture->server = test_server_new_in (fixture->dir, "server-state", NULL);
  test_server_start (fixture->server);
  fixture->port = (guint16) fixture->server->port;
  fixture->peer_port = fixture->port;
  g_assert_cmpuint (fixture->port, >, 0);
  fixture->fingerprint = test_server_get_fingerprint (fixture->server);
}

static void
stop_server (Fixture *fixture)
{
  g_clear_pointer (&fixture->server, test_server_free);
}

static Child *
spawn_peer (Fixture    *fixture,
            const char *room_id)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *cli = g_test_build_filename (G_TEST_BUILT, "..", "cli-client", "roomchat-cli", NULL);
  g_autofree char *home = g_build_filename (fixture->dir, "peer", NULL);
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *port = g_strdup_printf ("%u", fixture->peer_port);
  const char *argv[] = {
    cli, "--batch", "--trust", "--host", "127.0.0.1", "--port", port,
    "--name", "Ana", "--join", room_id, NULL
  };

  g_mkdir_with_parents (data, 0700);
  g_mkdir_with_parents (config, 0700);
  g_subprocess_launcher_set_cwd (launcher, home);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "ROOMCHAT_PASSWORD", TEST_PASSWORD, TRUE);

  return child_spawn (launcher, argv);
}

static void
peer_say (Child      *peer,
          const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  GOutputStream *input = g_subprocess_get_stdin_pipe (peer->process);

  g_output_stream_write_all (input, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (input, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("roomchat-gui-XXXXXX", &error);
  g_assert_no_error (error);
  start_server (fixture);

  fixture->window = g_object_ref (rc_window_new (GTK_APPLICATION (application)));
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  rc_test_spin ();
  g_clear_object (&fixture->window);
  g_clear_pointer (&fixture->proxy, fault_proxy_free);
  g_clear_pointer (&fixture->peer_proxy, fault_proxy_free);
  rc_test_spin ();

  stop_server (fixture);
  rc_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->fingerprint, g_free);
}

/* What the person sees ---------------------------------------------------- */

static GtkWidget *
window_child (Fixture    *fixture,
              const char *name)
{
  return rc_test_child (fixture->window, RC_TYPE_WINDOW, name);
}

static RcChatPage *
chat_page (Fixture *fixture)
{
  return RC_CHAT_PAGE (window_child (fixture, "chat_page"));
}

static GtkWidget *
chat_child (Fixture    *fixture,
            const char *name)
{
  return rc_test_child (chat_page (fixture), RC_TYPE_CHAT_PAGE, name);
}

static const char *
label_text (GtkWidget *label)
{
  return gtk_label_get_label (GTK_LABEL (label));
}

static gboolean
page_is (Fixture    *fixture,
         const char *name)
{
  return g_strcmp0 (rc_window_get_page_name (fixture->window), name) == 0;
}

static gboolean
focus_inside (Fixture   *fixture,
              GtkWidget *widget)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (fixture->window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static RcMessage *
find_message (Fixture       *fixture,
              RcMessageKind  kind,
              const char    *text)
{
  GListModel *messages = G_LIST_MODEL (rc_chat_page_get_messages (chat_page (fixture)));

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(RcMessage) message = g_list_model_get_item (messages, i);

      if (rc_message_get_kind (message) == kind && strstr (rc_message_get_text (message), text) != NULL)
        return message;   /* the store keeps it alive */
    }

  return NULL;
}

/* Whether a row on screen shows a message containing @text. */
static gboolean
row_shows (GtkWidget  *widget,
           const char *text)
{
  if (RC_IS_MESSAGE_ROW (widget))
    {
      RcMessage *message = rc_message_row_get_message (RC_MESSAGE_ROW (widget));
      GtkWidget *label = rc_test_child (widget, RC_TYPE_MESSAGE_ROW, "text_label");

      return message != NULL && gtk_widget_get_mapped (widget)
             && strstr (gtk_label_get_label (GTK_LABEL (label)), text) != NULL;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (row_shows (child, text))
      return TRUE;

  return FALSE;
}

static gboolean
list_shows (Fixture    *fixture,
            const char *text)
{
  return row_shows (chat_child (fixture, "list_view"), text);
}

/* Steps ------------------------------------------------------------------- */

static void
fill_connect_page (Fixture    *fixture,
                   const char *password)
{
  GtkWidget *page = window_child (fixture, "connect_page");
  g_autofree char *port = g_strdup_printf ("%u", fixture->port);

  g_assert_true (page_is (fixture, "connect"));
  gtk_editable_set_text (GTK_EDITABLE (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "host_entry")), "127.0.0.1");
  gtk_editable_set_text (GTK_EDITABLE (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "port_entry")), port);
  gtk_editable_set_text (GTK_EDITABLE (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "name_entry")), "Pablo");
  gtk_editable_set_text (GTK_EDITABLE (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "password_entry")), password);
}

static void
press_connect (Fixture *fixture)
{
  GtkWidget *page = window_child (fixture, "connect_page");
  GtkWidget *button = rc_test_child (page, RC_TYPE_CONNECT_PAGE, "connect_button");

  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
trust_certificate (Fixture *fixture)
{
  GtkWindow *dialog;

  RC_TEST_WAIT_FOR (rc_window_get_dialog (fixture->window) != NULL, WAIT);
  dialog = rc_window_get_dialog (fixture->window);
  g_assert_true (RC_IS_CONFIRM_DIALOG (dialog));
  g_assert_true (gtk_window_get_modal (dialog));
  g_assert_cmpstr (label_text (rc_test_child (dialog, RC_TYPE_CONFIRM_DIALOG, "detail_label")),
                   ==, fixture->fingerprint);
  g_signal_emit_by_name (rc_test_child (dialog, RC_TYPE_CONFIRM_DIALOG, "confirm_button"), "clicked");
}

static void
connect_to_lobby (Fixture *fixture)
{
  fill_connect_page (fixture, TEST_PASSWORD);
  press_connect (fixture);
  trust_certificate (fixture);
  RC_TEST_WAIT_FOR (page_is (fixture, "lobby"), WAIT);
}

/* Creates a room through the lobby's button; returns the id the dialog shows. */
static char *
create_room (Fixture *fixture)
{
  GtkWidget *lobby = window_child (fixture, "lobby_page");
  GtkWindow *dialog;
  const char *room_id;

  g_signal_emit_by_name (rc_test_child (lobby, RC_TYPE_LOBBY_PAGE, "create_button"), "clicked");
  RC_TEST_WAIT_FOR (RC_IS_CREATE_DIALOG (rc_window_get_dialog (fixture->window))
                    && rc_create_dialog_get_room_id (RC_CREATE_DIALOG (rc_window_get_dialog (fixture->window))) != NULL,
                    WAIT);
  dialog = rc_window_get_dialog (fixture->window);

  room_id = label_text (rc_test_child (dialog, RC_TYPE_CREATE_DIALOG, "room_label"));
  g_assert_cmpuint (strlen (room_id), ==, 12);
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (rc_test_child (dialog, RC_TYPE_CREATE_DIALOG, "room_label"))));
  g_assert_true (gtk_widget_get_visible (rc_test_child (dialog, RC_TYPE_CREATE_DIALOG, "waiting_label")));

  return g_strdup (room_id);
}

/* What the main menu's Notifications items do */
static void
show_in_notifications (Fixture    *fixture,
                       const char *shown)
{
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "notifications",
                                  g_variant_new_string (shown));
}

/* Tests ------------------------------------------------------------------- */

static void
test_gui_chat (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *room_id = NULL;
  GtkWidget *entry = chat_child (fixture, "entry");
  GtkWidget *send = chat_child (fixture, "send_button");
  RcMessage *own;
  Child *peer;

  connect_to_lobby (fixture);
  room_id = create_room (fixture);

  /* Ana joins from the terminal; the joiner writes first. */
  peer = spawn_peer (fixture, room_id);
  RC_TEST_WAIT_FOR (page_is (fixture, "chat"), WAIT);
  g_assert_null (rc_window_get_dialog (fixture->window));
  g_assert_cmpstr (label_text (window_child (fixture, "title_label")), ==, "Ana");
  g_assert_cmpstr (label_text (window_child (fixture, "subtitle_label")), ==, "Ana’s turn");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "Ana — RoomChat");
  g_assert_false (gtk_widget_get_sensitive (entry));
  g_assert_false (gtk_widget_get_sensitive (send));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (entry)), ==, "Waiting for Ana…");
  g_assert_cmpuint (strlen (label_text (window_child (fixture, "safety_code_label"))), >, 0);
  RC_TEST_WAIT_FOR (peer_has_event (peer, "paired", "peer", "Pablo"), WAIT);

  /* Ana writes: the message shows, and it is Pablo's turn. */
  peer_say (peer, "Hola desde la terminal");
  RC_TEST_WAIT_FOR (find_message (fixture, RC_MESSAGE_KIND_PEER, "Hola desde la terminal") != NULL, WAIT);
  RC_TEST_WAIT_FOR (list_shows (fixture, "Hola desde la terminal"), WAIT);
  /* Who wrote, not what: nothing of the message on the lock screen */
  if (!gtk_window_is_active (GTK_WINDOW (fixture->window)))
    {
      RC_TEST_WAIT_FOR (notified ("New message from Ana"), WAIT);
      g_assert_cmpstr (last_notification_body (), ==, "");
    }
  g_assert_true (gtk_widget_get_sensitive (entry));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (entry)), ==, "Write to Ana");
  g_assert_cmpstr (label_text (window_child (fixture, "subtitle_label")), ==, "Your turn");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "Your Turn with Ana — RoomChat");

  /* Pablo answers with Enter in the entry. The turn passes while the
   * entry has the focus: the focus moves out before it greys out. */
  gtk_widget_grab_focus (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Hello from the desktop");
  g_assert_true (gtk_widget_get_sensitive (send));
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_false (gtk_widget_get_sensitive (entry));
  g_assert_false (focus_inside (fixture, entry));
  own = find_message (fixture, RC_MESSAGE_KIND_OWN, "Hello from the desktop");
  g_assert_nonnull (own);
  RC_TEST_WAIT_FOR (rc_message_get_state (own) == RC_MESSAGE_STATE_RELAYED, WAIT);
  RC_TEST_WAIT_FOR (list_shows (fixture, "Hello from the desktop"), WAIT);
  RC_TEST_WAIT_FOR (peer_has_event (peer, "message", "text", "Hello from the desktop"), WAIT);

  /* Ana again: the focus comes back to the entry with the turn. Asked
   * to, the notification shows the message. */
  show_in_notifications (fixture, "message");
  peer_say (peer, "Adiós");
  RC_TEST_WAIT_FOR (find_message (fixture, RC_MESSAGE_KIND_PEER, "Adiós") != NULL, WAIT);
  g_assert_true (gtk_widget_get_sensitive (entry));
  g_assert_true (focus_inside (fixture, entry));
  if (!gtk_window_is_active (GTK_WINDOW (fixture->window)))
    RC_TEST_WAIT_FOR (g_strcmp0 (last_notification_body (), "Adiós") == 0, WAIT);

  /* Notifications off: a message comes, no notification */
  show_in_notifications (fixture, "none");
  {
    guint n_notifications = notifications->len;

    gtk_editable_set_text (GTK_EDITABLE (entry), "Adiós, Ana");
    g_signal_emit_by_name (entry, "activate");
    RC_TEST_WAIT_FOR (peer_has_event (peer, "message", "text", "Adiós, Ana"), WAIT);
    peer_say (peer, "Hasta luego");
    RC_TEST_WAIT_FOR (find_message (fixture, RC_MESSAGE_KIND_PEER, "Hasta luego") != NULL, WAIT);
    /* A notification would be on the bus by now: it goes out as the
     * message is shown */
    for (guint i = 0; i < 10; i++)
      rc_test_spin ();
    g_assert_cmpuint (notifications->len, ==, n_notifications);
  }

  /* Leaving a chat going on asks first; Stay keeps it. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.leave-room", NULL);
  g_assert_true (RC_IS_CONFIRM_DIALOG (rc_window_get_dialog (fixture->window)));
  g_signal_emit_by_name (rc_test_child (rc_window_get_dialog (fixture->window), RC_TYPE_CONFIRM_DIALOG,
                                        "cancel_button"), "clicked");
  g_assert_null (rc_window_get_dialog (fixture->window));
  g_assert_true (page_is (fixture, "chat"));
  g_assert_true (rc_chat_page_get_active (chat_page (fixture)));

  /* A draft, then Ana leaves: said in the view, the draft stays. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "a draft that stays");
  g_output_stream_close (g_subprocess_get_stdin_pipe (peer->process), NULL, NULL);
  RC_TEST_WAIT_FOR (find_message (fixture, RC_MESSAGE_KIND_NOTICE, "Ana left the room") != NULL, WAIT);
  RC_TEST_WAIT_FOR (list_shows (fixture, "Ana left the room"), WAIT);
  g_assert_false (gtk_widget_get_sensitive (entry));
  g_assert_cmpstr (label_text (window_child (fixture, "subtitle_label")), ==, "The chat has ended");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "a draft that stays");

  child_wait_exit (peer);
  g_assert_true (g_subprocess_get_if_exited (peer->process));
  g_assert_cmpint (g_subprocess_get_exit_status (peer->process), ==, 0);
  g_clear_pointer (&peer, child_free);

  /* Leaving an ended chat needs no confirmation: back to the lobby. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.leave-room", NULL);
  g_assert_null (rc_window_get_dialog (fixture->window));
  g_assert_true (page_is (fixture, "lobby"));
}

static void
test_gui_wrong_password (Fixture       *fixture,
                         gconstpointer  data)
{
  GtkWidget *page = window_child (fixture, "connect_page");
  GtkWindow *dialog;

  fill_connect_page (fixture, "not the password");
  press_connect (fixture);
  trust_certificate (fixture);
  RC_TEST_WAIT_FOR (rc_connect_page_get_error_text (RC_CONNECT_PAGE (page)) != NULL, WAIT);
  g_assert_cmpstr (rc_connect_page_get_error_text (RC_CONNECT_PAGE (page)), ==,
                   "Wrong password. 2 attempts left before this address is blocked.");
  g_assert_true (gtk_widget_get_visible (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "error_box")));
  g_assert_true (page_is (fixture, "connect"));
  g_assert_null (rc_window_get_session (fixture->window));

  /* The right password: no second question about the certificate. */
  fill_connect_page (fixture, TEST_PASSWORD);
  press_connect (fixture);
  RC_TEST_WAIT_FOR (page_is (fixture, "lobby"), WAIT);
  g_assert_null (rc_connect_page_get_error_text (RC_CONNECT_PAGE (page)));

  /* Cancel in the create dialog leaves the room. */
  g_free (create_room (fixture));
  dialog = rc_window_get_dialog (fixture->window);
  g_signal_emit_by_name (rc_test_child (dialog, RC_TYPE_CREATE_DIALOG, "cancel_button"), "clicked");
  g_assert_null (rc_window_get_dialog (fixture->window));
  RC_TEST_WAIT_FOR (rc_client_session_get_state (rc_window_get_session (fixture->window)) == RC_SESSION_STATE_LOBBY,
                    WAIT);
  g_assert_true (page_is (fixture, "lobby"));
}

static void
test_gui_connection_lost (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *room_id = NULL;
  GtkWidget *entry = chat_child (fixture, "entry");
  Child *peer;

  connect_to_lobby (fixture);
  room_id = create_room (fixture);
  peer = spawn_peer (fixture, room_id);
  RC_TEST_WAIT_FOR (page_is (fixture, "chat"), WAIT);
  peer_say (peer, "Are you there?");
  RC_TEST_WAIT_FOR (gtk_widget_get_sensitive (entry), WAIT);

  gtk_widget_grab_focus (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "unsent words");

  /* The server goes away: a banner, the connect page, the draft kept. */
  stop_server (fixture);
  RC_TEST_WAIT_FOR (page_is (fixture, "connect"), WAIT);
  g_assert_nonnull (rc_window_get_banner (fixture->window));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (window_child (fixture, "banner_revealer"))));
  g_assert_null (rc_window_get_session (fixture->window));
  g_assert_cmpstr (rc_chat_page_get_draft (chat_page (fixture)), ==, "unsent words");

  child_wait_exit (peer);
  g_clear_pointer (&peer, child_free);
}

static const char *
subtitle (Fixture *fixture)
{
  return label_text (window_child (fixture, "subtitle_label"));
}

/* Both connections go through proxies that cut them: the window says
 * "Reconnecting…" and keeps the draft, what is sent meanwhile goes out
 * once the chat is back, and while the other person is away the header
 * and the chat say so and a message waits for them. */
static void
test_gui_reconnect (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *room_id = NULL;
  GtkWidget *entry = chat_child (fixture, "entry");
  GtkWidget *send = chat_child (fixture, "send_button");
  GtkRevealer *banner = GTK_REVEALER (window_child (fixture, "banner_revealer"));
  RcMessage *own;
  Child *peer;

  fixture->proxy = fault_proxy_new ("127.0.0.1", fixture->port);
  fixture->peer_proxy = fault_proxy_new ("127.0.0.1", fixture->port);
  fixture->port = fault_proxy_get_port (fixture->proxy);
  fixture->peer_port = fault_proxy_get_port (fixture->peer_proxy);

  connect_to_lobby (fixture);
  room_id = create_room (fixture);
  peer = spawn_peer (fixture, room_id);
  RC_TEST_WAIT_FOR (page_is (fixture, "chat"), WAIT);
  peer_say (peer, "Are you there?");
  RC_TEST_WAIT_FOR (gtk_widget_get_sensitive (entry), WAIT);
  gtk_editable_set_text (GTK_EDITABLE (entry), "I am, in a tunnel");

  /* This side's connection goes */
  fault_proxy_set_refuse (fixture->proxy, TRUE);
  fault_proxy_cut_all (fixture->proxy);
  RC_TEST_WAIT_FOR (gtk_revealer_get_reveal_child (banner), WAIT);
  g_assert_nonnull (strstr (rc_window_get_banner (fixture->window), "Reconnecting…"));
  g_assert_cmpstr (subtitle (fixture), ==, "Reconnecting…");
  g_assert_true (page_is (fixture, "chat"));
  g_assert_true (gtk_widget_get_sensitive (entry));
  g_assert_cmpstr (rc_chat_page_get_draft (chat_page (fixture)), ==, "I am, in a tunnel");
  RC_TEST_WAIT_FOR (peer_has_event (peer, "peer-away", NULL, NULL), WAIT);

  /* Sent while reconnecting: it waits, then goes, once */
  g_signal_emit_by_name (send, "clicked");
  own = find_message (fixture, RC_MESSAGE_KIND_OWN, "I am, in a tunnel");
  g_assert_nonnull (own);
  g_assert_cmpint (rc_message_get_state (own), ==, RC_MESSAGE_STATE_SENDING);
  fault_proxy_set_refuse (fixture->proxy, FALSE);
  RC_TEST_WAIT_FOR (!gtk_revealer_get_reveal_child (banner), WAIT);
  RC_TEST_WAIT_FOR (rc_message_get_state (own) == RC_MESSAGE_STATE_RELAYED, WAIT);
  RC_TEST_WAIT_FOR (peer_has_event (peer, "message", "text", "I am, in a tunnel"), WAIT);
  g_assert_true (peer_has_event (peer, "peer-back", NULL, NULL));

  /* The other person's connection goes */
  peer_say (peer, "Good");
  RC_TEST_WAIT_FOR (gtk_widget_get_sensitive (send) || gtk_widget_get_sensitive (entry), WAIT);
  RC_TEST_WAIT_FOR (find_message (fixture, RC_MESSAGE_KIND_PEER, "Good") != NULL, WAIT);
  fault_proxy_set_refuse (fixture->peer_proxy, TRUE);
  fault_proxy_cut_all (fixture->peer_proxy);
  RC_TEST_WAIT_FOR (strstr (subtitle (fixture), "connection dropped") != NULL, WAIT);
  g_assert_nonnull (strstr (subtitle (fixture), "Ana"));
  RC_TEST_WAIT_FOR (list_shows (fixture, "The server keeps their place for"), WAIT);

  gtk_editable_set_text (GTK_EDITABLE (entry), "Take your time");
  g_signal_emit_by_name (send, "clicked");
  own = find_message (fixture, RC_MESSAGE_KIND_OWN, "Take your time");
  g_assert_nonnull (own);
  RC_TEST_WAIT_FOR (rc_message_get_state (own) == RC_MESSAGE_STATE_HELD, WAIT);
  g_assert_cmpstr (rc_message_get_state_text (own), ==, "Waiting for Ana to come back");

  fault_proxy_set_refuse (fixture->peer_proxy, FALSE);
  RC_TEST_WAIT_FOR (rc_message_get_state (own) == RC_MESSAGE_STATE_RELAYED, WAIT);
  g_assert_cmpstr (rc_message_get_state_text (own), ==, "Delivered");
  RC_TEST_WAIT_FOR (list_shows (fixture, "Ana is back."), WAIT);
  g_assert_null (strstr (subtitle (fixture), "connection dropped"));
  RC_TEST_WAIT_FOR (peer_has_event (peer, "message", "text", "Take your time"), WAIT);

  g_clear_pointer (&peer, child_free);
}

/* A pin that does not match: its own page with both fingerprints, no
 * question about trusting, and the pin left alone. */
static void
test_gui_certificate_changed (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *known_servers = rc_known_servers_default_path ();
  g_autofree char *server = rc_known_servers_key ("127.0.0.1", fixture->port);
  g_autofree char *pinned = NULL;
  const char *forged = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                       "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
  GtkWidget *page = window_child (fixture, "certificate_page");
  g_autoptr(GError) error = NULL;

  rc_known_servers_pin (known_servers, server, forged, &error);
  g_assert_no_error (error);

  fill_connect_page (fixture, TEST_PASSWORD);
  press_connect (fixture);
  RC_TEST_WAIT_FOR (page_is (fixture, "certificate"), WAIT);
  g_assert_null (rc_window_get_dialog (fixture->window));
  g_assert_null (rc_window_get_session (fixture->window));
  g_assert_cmpstr (label_text (rc_test_child (page, RC_TYPE_CERTIFICATE_PAGE, "pinned_label")), ==, forged);
  g_assert_cmpstr (label_text (rc_test_child (page, RC_TYPE_CERTIFICATE_PAGE, "seen_label")), ==,
                   fixture->fingerprint);

  g_signal_emit_by_name (rc_test_child (page, RC_TYPE_CERTIFICATE_PAGE, "back_button"), "clicked");
  g_assert_true (page_is (fixture, "connect"));
  pinned = rc_known_servers_lookup (known_servers, server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pinned, ==, forged);

  /* Other tests may get this port again, with another certificate. */
  g_unlink (known_servers);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  guint notification_name;

  tmp_root = rc_test_isolate_user_dirs ();
  rc_tls_priority_apply ();
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  rc_test_gtk_init ();

  notification_name = start_notification_server ();
  rc_test_spin ();

  /* A registered application, as in a desktop session; not unique, so
   * the GUI tests running at once do not meet on the bus. */
  application = rc_application_new ();
  g_application_set_flags (G_APPLICATION (application),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/gui/chat", Fixture, NULL, fixture_set_up, test_gui_chat, fixture_tear_down);
  g_test_add ("/gui/wrong-password", Fixture, NULL, fixture_set_up, test_gui_wrong_password, fixture_tear_down);
  g_test_add ("/gui/connection-lost", Fixture, NULL, fixture_set_up, test_gui_connection_lost, fixture_tear_down);
  g_test_add ("/gui/reconnect", Fixture, NULL, fixture_set_up, test_gui_reconnect, fixture_tear_down);
  g_test_add ("/gui/certificate-changed", Fixture, NULL, fixture_set_up, test_gui_certificate_changed,
              fixture_tear_down);

  status = g_test_run ();

  g_clear_object (&application);
  g_bus_unown_name (notification_name);
  g_clear_pointer (&notifications, g_ptr_array_unref);
  g_clear_pointer (&notification_bodies, g_ptr_array_unref);
  rc_test_remove_tree (tmp_root);
  g_free (tmp_root);
  return status;
}
