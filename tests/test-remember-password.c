/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <gtk/gtk.h>
#include <libsecret/secret.h>

#include "rc-application.h"
#include "rc-confirm-dialog.h"
#include "rc-connect-page.h"
#include "rc-known-servers.h"
#include "rc-password-store.h"
#include "rc-tls-priority.h"
#include "rc-window.h"
#include "server-helpers.h"
#include "test-gui-util.h"

/* "Remember password" as a person uses it: a real roomchat-server, the
 * real window, and a real Secret Service, GNOME Keyring, on a D-Bus of
 * the test's own with its keyrings in a folder of the test's own, so the
 * keyring of whoever runs the tests is never read or written. Each test
 * gets a new keyring; the one without a keyring has no Secret Service on
 * its bus at all. Waits are bounded; nothing is timed. */

#define WAIT 60
#define KEYRING_DAEMON "gnome-keyring-daemon"
/* gnome-keyring asks, through a prompt, before it makes a keyring with an
 * empty password; with one, --unlock makes it without asking. */
#define KEYRING_PASSWORD "roomchat-test-keyring"

static GTestDBus *bus;
static RcApplication *application;

typedef struct
{
  char *dir;
  TestServer *server;
  guint16 port;
  GSubprocess *keyring;      /* NULL in the test without one */
  RcWindow *window;
} Fixture;

/* The keyring ------------------------------------------------------------- */

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
secret_service_is_up (void)
{
  g_autoptr(GDBusConnection) connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  g_assert_nonnull (connection);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

/* gnome-keyring-daemon with its own home, unlocked, on the test's bus. */
static GSubprocess *
start_keyring (const char *dir)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_build_filename (dir, "keyring-home", NULL);
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *runtime = g_build_filename (home, "runtime", NULL);
  const char *argv[] = { KEYRING_DAEMON, "--foreground", "--components=secrets", "--unlock", NULL };
  g_autofree char *program = g_find_program_in_path (KEYRING_DAEMON);
  GSubprocess *keyring;
  GOutputStream *input;

  if (program == NULL)
    g_error ("%s is not installed: build-aux/install-deps.sh installs it (gnome-keyring)", KEYRING_DAEMON);

  g_assert_cmpint (g_mkdir_with_parents (data, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", g_test_dbus_get_bus_address (bus), TRUE);
  /* Replacing an item, it warns about its own bookkeeping (gnome-keyring
   * 42); the test's fatal warnings are for RoomChat's code. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  keyring = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  /* --unlock reads the keyring's password up to the end of its input. */
  input = g_subprocess_get_stdin_pipe (keyring);
  g_output_stream_write_all (input, KEYRING_PASSWORD, strlen (KEYRING_PASSWORD), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, &error);
  g_assert_no_error (error);

  RC_TEST_WAIT_FOR (secret_service_is_up () || g_subprocess_get_identifier (keyring) == NULL, WAIT);
  if (!secret_service_is_up ())
    g_error ("%s did not start: see its messages above", KEYRING_DAEMON);
  return keyring;
}

static void
stop_keyring (GSubprocess *keyring)
{
  g_subprocess_force_exit (keyring);
  RC_TEST_WAIT_FOR (g_subprocess_get_identifier (keyring) == NULL, WAIT);
  g_object_unref (keyring);
}

/* What the keyring holds for a server, read through the schema itself
 * rather than through RoomChat's code. */
static char *
keyring_lookup (const char *host,
                guint16     port)
{
  g_autoptr(GError) error = NULL;
  char *password = secret_password_lookup_sync (rc_password_store_get_schema (), NULL, &error,
                                                "host", host,
                                                "port", (int)port,
                                                NULL);

  g_assert_no_error (error);
  return password;
}

static gboolean
keyring_holds (const char *host,
               guint16     port,
               const char *expected)
{
  g_autofree char *password = keyring_lookup (host, port);

  return g_strcmp0 (password, expected) == 0;
}

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
store_save (const char *host,
            guint16     port,
            const char *password)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rc_password_store_save_async (host, port, password, NULL, on_result, &result);
  RC_TEST_WAIT_FOR (result != NULL, WAIT);
  g_assert_true (rc_password_store_save_finish (result, &error));
  g_assert_no_error (error);
}

/* What the store answers for a server, waited for. */
static char *
store_lookup (const char *host,
              guint16     port)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RcStoredPassword) password = NULL;

  rc_password_store_lookup_async (host, port, NULL, on_result, &result);
  RC_TEST_WAIT_FOR (result != NULL, WAIT);
  password = rc_password_store_lookup_finish (result, &error);
  g_assert_no_error (error);
  return g_strdup (password);
}

/* The server and the window ------------------------------------------------ */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  gboolean with_keyring = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("roomchat-remember-XXXXXX", &error);
  g_assert_no_error (error);

  if (with_keyring)
    fixture->keyring = start_keyring (fixture->dir);

  fixture->server = test_server_new_in (fixture->dir, "server-state", NULL);
  test_server_start (fixture->server);
  fixture->port = (guint16)fixture->server->port;
  g_assert_cmpuint (fixture->port, >, 0);
}

static void
close_window (Fixture *fixture)
{
  if (fixture->window == NULL)
    return;
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  rc_test_spin ();
  g_clear_object (&fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *known_servers = rc_known_servers_default_path ();

  close_window (fixture);
  /* The next test's server may get this port again, with another
   * certificate: a pin left would refuse it. */
  g_unlink (known_servers);
  /* libsecret keeps its connection to the service: the next test has
   * another keyring, or none. */
  secret_service_disconnect ();
  g_clear_pointer (&fixture->keyring, stop_keyring);
  g_clear_pointer (&fixture->server, test_server_free);
  rc_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* A new window, as when RoomChat is started again. */
static void
open_window (Fixture *fixture)
{
  close_window (fixture);
  fixture->window = g_object_ref (rc_window_new (GTK_APPLICATION (application)));
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static RcConnectPage *
connect_page (Fixture *fixture)
{
  return RC_CONNECT_PAGE (rc_test_child (fixture->window, RC_TYPE_WINDOW, "connect_page"));
}

static GtkWidget *
page_child (Fixture    *fixture,
            const char *name)
{
  return rc_test_child (connect_page (fixture), RC_TYPE_CONNECT_PAGE, name);
}

static const char *
password_shown (Fixture *fixture)
{
  return gtk_editable_get_text (GTK_EDITABLE (page_child (fixture, "password_entry")));
}

static gboolean
remember_ticked (Fixture *fixture)
{
  return gtk_check_button_get_active (GTK_CHECK_BUTTON (page_child (fixture, "remember_check")));
}

static gboolean
forget_shown (Fixture *fixture)
{
  return gtk_widget_get_visible (page_child (fixture, "forget_button"));
}

static gboolean
page_is (Fixture    *fixture,
         const char *name)
{
  return g_strcmp0 (rc_window_get_page_name (fixture->window), name) == 0;
}

static void
type_into (Fixture    *fixture,
           const char *entry,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (page_child (fixture, entry)), text);
}

static void
type_port (Fixture *fixture,
           guint16  port)
{
  g_autofree char *text = g_strdup_printf ("%u", port);

  type_into (fixture, "port_entry", text);
}

/* The server, and a name; the password is left as the page has it. */
static void
fill_server (Fixture *fixture)
{
  g_assert_true (page_is (fixture, "connect"));
  type_into (fixture, "host_entry", "127.0.0.1");
  type_port (fixture, fixture->port);
  type_into (fixture, "name_entry", "Pablo");
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_visible (button) && gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Connect, trusting the certificate when asked (the first time only). */
static void
press_connect (Fixture *fixture)
{
  click (page_child (fixture, "connect_button"));
  RC_TEST_WAIT_FOR (!rc_connect_page_get_busy (connect_page (fixture))
                    || rc_window_get_dialog (fixture->window) != NULL, WAIT);
  if (rc_window_get_dialog (fixture->window) != NULL)
    {
      GtkWindow *dialog = rc_window_get_dialog (fixture->window);

      g_assert_true (RC_IS_CONFIRM_DIALOG (dialog));
      click (rc_test_child (dialog, RC_TYPE_CONFIRM_DIALOG, "confirm_button"));
    }
  RC_TEST_WAIT_FOR (!rc_connect_page_get_busy (connect_page (fixture)), WAIT);
}

/* Trusts the certificate if asked, then waits for the lobby or an error. */
static void
finish_connect (Fixture *fixture)
{
  RC_TEST_WAIT_FOR (page_is (fixture, "lobby")
                    || rc_connect_page_get_error_text (connect_page (fixture)) != NULL
                    || rc_window_get_dialog (fixture->window) != NULL, WAIT);
  if (rc_window_get_dialog (fixture->window) != NULL)
    {
      click (rc_test_child (rc_window_get_dialog (fixture->window), RC_TYPE_CONFIRM_DIALOG,
                            "confirm_button"));
      RC_TEST_WAIT_FOR (page_is (fixture, "lobby")
                        || rc_connect_page_get_error_text (connect_page (fixture)) != NULL, WAIT);
    }
}

static void
assert_in_lobby (Fixture *fixture)
{
  g_assert_cmpstr (rc_connect_page_get_error_text (connect_page (fixture)), ==, NULL);
  g_assert_cmpstr (rc_window_get_page_name (fixture->window), ==, "lobby");
}

static void
disconnect (Fixture *fixture)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.disconnect", NULL);
  g_assert_true (page_is (fixture, "connect"));
}

/* Tests ------------------------------------------------------------------- */

/* The store itself: one password per server, the host's case ignored,
 * forgetting what is not there is no error. */
static void
test_store (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GAsyncResult) forgotten = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *other = NULL;

  store_save ("Chat.Example.org", 8888, "first");
  store_save ("chat.example.org", 8888, "second");
  g_assert_true (keyring_holds ("chat.example.org", 8888, "second"));
  g_assert_true (keyring_holds ("chat.example.org", 8889, NULL));

  found = store_lookup ("CHAT.EXAMPLE.ORG", 8888);
  g_assert_cmpstr (found, ==, "second");
  other = store_lookup ("chat.example.org", 8889);
  g_assert_null (other);

  for (guint i = 0; i < 2; i++)
    {
      rc_password_store_forget_async ("CHAT.example.org", 8888, NULL, on_result, &forgotten);
      RC_TEST_WAIT_FOR (forgotten != NULL, WAIT);
      g_assert_true (rc_password_store_forget_finish (forgotten, &error));
      g_assert_no_error (error);
      g_clear_object (&forgotten);
      g_assert_true (keyring_holds ("chat.example.org", 8888, NULL));
    }
}

/* Ticked, a login that works remembers the password; the next start
 * fills it in; Forget removes it in one click. */
static void
test_remember_and_forget (Fixture       *fixture,
                          gconstpointer  data)
{
  const guint16 other_port = fixture->port == 1 ? 2 : fixture->port - 1;

  open_window (fixture);
  fill_server (fixture);
  g_assert_false (forget_shown (fixture));
  g_assert_false (remember_ticked (fixture));
  type_into (fixture, "password_entry", TEST_PASSWORD);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (page_child (fixture, "remember_check")), TRUE);
  g_assert_true (rc_connect_page_get_remember_password (connect_page (fixture)));
  press_connect (fixture);
  assert_in_lobby (fixture);
  RC_TEST_WAIT_FOR (keyring_holds ("127.0.0.1", fixture->port, TEST_PASSWORD), WAIT);

  /* Started again: the server is in the settings, its password filled in. */
  open_window (fixture);
  RC_TEST_WAIT_FOR (g_str_equal (password_shown (fixture), TEST_PASSWORD), WAIT);
  g_assert_true (remember_ticked (fixture));
  g_assert_true (forget_shown (fixture));

  /* Another server: its own password, or none. */
  store_save ("127.0.0.1", other_port, "another password");
  type_port (fixture, other_port);
  RC_TEST_WAIT_FOR (g_str_equal (password_shown (fixture), "another password"), WAIT);
  g_assert_true (remember_ticked (fixture));
  type_port (fixture, fixture->port);
  RC_TEST_WAIT_FOR (g_str_equal (password_shown (fixture), TEST_PASSWORD), WAIT);

  /* The password filled in is the one the server takes. */
  press_connect (fixture);
  assert_in_lobby (fixture);
  disconnect (fixture);

  click (page_child (fixture, "forget_button"));
  g_assert_false (remember_ticked (fixture));
  g_assert_false (forget_shown (fixture));
  RC_TEST_WAIT_FOR (keyring_holds ("127.0.0.1", fixture->port, NULL), WAIT);
  g_assert_true (keyring_holds ("127.0.0.1", other_port, "another password"));

  /* Started again: nothing filled in for it. The other server's password
   * comes first, and it goes again when the server is this one. */
  open_window (fixture);
  type_port (fixture, other_port);
  RC_TEST_WAIT_FOR (g_str_equal (password_shown (fixture), "another password"), WAIT);
  type_port (fixture, fixture->port);
  RC_TEST_WAIT_FOR (g_str_equal (password_shown (fixture), ""), WAIT);
  g_assert_false (remember_ticked (fixture));
  g_assert_false (forget_shown (fixture));
}

/* A password the server refuses is never remembered, even ticked. */
static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *kept = NULL;
  RcConnectPage *page;

  open_window (fixture);
  page = connect_page (fixture);
  fill_server (fixture);
  type_into (fixture, "password_entry", "not the password");
  rc_connect_page_set_remember_password (page, TRUE);
  press_connect (fixture);
  g_assert_true (page_is (fixture, "connect"));
  g_assert_nonnull (rc_connect_page_get_error_text (page));
  /* Had the page asked to save, it would have asked first, on the same
   * connection and through the same steps as this save: once this one
   * is done, so is the page's. */
  store_save ("barrier.example.org", 1, "barrier");
  kept = store_lookup ("127.0.0.1", fixture->port);
  g_assert_null (kept);

  type_into (fixture, "password_entry", TEST_PASSWORD);
  g_assert_true (rc_connect_page_get_remember_password (page));
  press_connect (fixture);
  assert_in_lobby (fixture);
  RC_TEST_WAIT_FOR (keyring_holds ("127.0.0.1", fixture->port, TEST_PASSWORD), WAIT);
}

/* Unticked, a login that works forgets what was remembered. */
static void
test_untick_forgets (Fixture       *fixture,
                     gconstpointer  data)
{
  store_save ("127.0.0.1", fixture->port, TEST_PASSWORD);

  open_window (fixture);
  fill_server (fixture);
  RC_TEST_WAIT_FOR (g_str_equal (password_shown (fixture), TEST_PASSWORD), WAIT);
  g_assert_true (remember_ticked (fixture));

  gtk_check_button_set_active (GTK_CHECK_BUTTON (page_child (fixture, "remember_check")), FALSE);
  press_connect (fixture);
  assert_in_lobby (fixture);
  RC_TEST_WAIT_FOR (keyring_holds ("127.0.0.1", fixture->port, NULL), WAIT);
}

/* roomchat --host … --connect without ROOMCHAT_PASSWORD: it logs in with
 * the remembered password, not with the field still empty. */
static void
test_connect_at_start (Fixture       *fixture,
                       gconstpointer  data)
{
  store_save ("127.0.0.1", fixture->port, TEST_PASSWORD);

  close_window (fixture);
  fixture->window = g_object_ref (rc_window_new (GTK_APPLICATION (application)));
  rc_window_prefill (fixture->window, "127.0.0.1", fixture->port, "Pablo", NULL);
  gtk_window_present (GTK_WINDOW (fixture->window));
  rc_window_connect_now (fixture->window);
  finish_connect (fixture);
  assert_in_lobby (fixture);
  g_assert_cmpstr (password_shown (fixture), ==, TEST_PASSWORD);
}

/* No Secret Service on the bus: connecting works as before, box ticked
 * or not, and nothing is said but at debug level. */
static void
test_no_keyring (Fixture       *fixture,
                 gconstpointer  data)
{
  g_assert_false (secret_service_is_up ());

  open_window (fixture);
  fill_server (fixture);
  type_into (fixture, "password_entry", TEST_PASSWORD);
  rc_connect_page_set_remember_password (connect_page (fixture), TRUE);
  press_connect (fixture);
  assert_in_lobby (fixture);

  disconnect (fixture);
  g_assert_false (forget_shown (fixture));
  press_connect (fixture);
  assert_in_lobby (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  char *display;
  int status;

  rc_test_isolate_user_dirs ();
  rc_tls_priority_apply ();
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  /* The test's own bus; GTestDBus takes DISPLAY and XDG_RUNTIME_DIR away
   * so that nothing finds the desktop's bus, and GTK needs the display. */
  display = g_strdup (g_getenv ("DISPLAY"));
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  g_free (display);
  /* That bus has no accessibility bus to offer; test-accessible-names
   * reads the page's names. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  rc_test_gtk_init ();

  application = rc_application_new ();
  g_application_set_flags (G_APPLICATION (application),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/remember-password/store", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_store, fixture_tear_down);
  g_test_add ("/remember-password/remember-and-forget", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_remember_and_forget, fixture_tear_down);
  g_test_add ("/remember-password/wrong-password", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_wrong_password, fixture_tear_down);
  g_test_add ("/remember-password/untick-forgets", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_untick_forgets, fixture_tear_down);
  g_test_add ("/remember-password/connect-at-start", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_connect_at_start, fixture_tear_down);
  g_test_add ("/remember-password/no-keyring", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_no_keyring, fixture_tear_down);

  status = rc_test_gui_run ();

  g_clear_object (&application);
  /* Not g_test_dbus_down(), nor its unref, which waits for the bus
   * connection to go: GTK and libsecret keep it to the end. */
  g_test_dbus_stop (bus);
  return status;
}
