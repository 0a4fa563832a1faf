/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "rc-certificate-page.h"
#include "rc-chat-page.h"
#include "rc-connect-page.h"
#include "rc-create-dialog.h"
#include "rc-join-dialog.h"
#include "rc-lobby-page.h"
#include "test-gui-util.h"

/* What a screen reader says: each page and dialog shown in a window, its
 * accessibility tree read over AT-SPI (the accessibility bus, as Orca
 * reads it) from a thread of its own while the main loop answers, and
 * every name checked to be said once ("Server", never "Server Server"). */

#define ATSPI_ACCESSIBLE "org.a11y.atspi.Accessible"
#define ATSPI_ROOT_PATH  "/org/a11y/atspi/accessible/root"
#define CALL_TIMEOUT_MS  10000
/* No real page is deeper: a bound, since the tree is read from a bus */
#define MAX_DEPTH 64

typedef struct
{
  GDBusConnection *bus;
  GPtrArray       *names;     /* every non-empty name read */
  GPtrArray       *doubled;   /* the names that repeat themselves */
  GError          *error;
  gboolean         done;
} Walk;

/* "Server Server", "Create Room Create Room" */
static gboolean
is_doubled (const char *name)
{
  gsize length = strlen (name);
  gsize half = (length - 1) / 2;

  return length >= 3 && length % 2 == 1 && name[half] == ' ' &&
         strncmp (name, name + half + 1, half) == 0;
}

static GVariant *
call (Walk       *walk,
      const char *bus_name,
      const char *path,
      const char *interface,
      const char *method,
      GVariant   *parameters,
      const char *reply_type)
{
  return g_dbus_connection_call_sync (walk->bus, bus_name, path, interface, method, parameters,
                                      G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE,
                                      CALL_TIMEOUT_MS, NULL, &walk->error);
}

typedef struct
{
  char  *bus_name;
  char  *path;
  guint  depth;
} Node;

static void
node_free (Node *node)
{
  g_free (node->bus_name);
  g_free (node->path);
  g_free (node);
}

static Node *
node_new (const char *bus_name,
          const char *path,
          guint       depth)
{
  Node *node = g_new0 (Node, 1);

  node->bus_name = g_strdup (bus_name);
  node->path = g_strdup (path);
  node->depth = depth;
  return node;
}

/* Breadth first with a queue: no recursion on what the bus says. */
static gboolean
walk_tree (Walk *walk)
{
  g_autoptr(GQueue) queue = g_queue_new ();
  gboolean ok = TRUE;

  g_queue_push_tail (queue, node_new ("org.a11y.atspi.Registry", ATSPI_ROOT_PATH, 0));
  while (ok && !g_queue_is_empty (queue))
    {
      Node *node = g_queue_pop_head (queue);
      g_autoptr(GVariant) name = NULL;
      g_autoptr(GVariant) children = NULL;
      g_autoptr(GVariantIter) iter = NULL;
      const char *child_bus;
      const char *child_path;

      name = call (walk, node->bus_name, node->path, "org.freedesktop.DBus.Properties", "Get",
                   g_variant_new ("(ss)", ATSPI_ACCESSIBLE, "Name"), "(v)");
      children = name != NULL
                   ? call (walk, node->bus_name, node->path, ATSPI_ACCESSIBLE, "GetChildren",
                           NULL, "(a(so))")
                   : NULL;
      if (children == NULL || node->depth > MAX_DEPTH)
        {
          ok = FALSE;
          node_free (node);
          break;
        }

      {
        g_autoptr(GVariant) value = NULL;
        const char *text;

        g_variant_get (name, "(v)", &value);
        text = g_variant_get_string (value, NULL);
        if (*text != '\0')
          g_ptr_array_add (walk->names, g_strdup (text));
        if (is_doubled (text))
          g_ptr_array_add (walk->doubled, g_strdup (text));
      }

      g_variant_get (children, "(a(so))", &iter);
      while (g_variant_iter_next (iter, "(&s&o)", &child_bus, &child_path))
        if (g_strcmp0 (child_path, "/org/a11y/atspi/null") != 0)
          g_queue_push_tail (queue, node_new (child_bus, child_path, node->depth + 1));
      node_free (node);
    }

  g_queue_free_full (g_steal_pointer (&queue), (GDestroyNotify) node_free);
  return ok;
}

static gpointer
walk_thread (gpointer user_data)
{
  Walk *walk = user_data;
  g_autoptr(GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &walk->error);
  g_autoptr(GVariant) address = NULL;
  const char *text;

  if (session != NULL)
    address = g_dbus_connection_call_sync (session, "org.a11y.Bus", "/org/a11y/bus",
                                           "org.a11y.Bus", "GetAddress", NULL,
                                           G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                           CALL_TIMEOUT_MS, NULL, &walk->error);
  if (address != NULL)
    {
      g_variant_get (address, "(&s)", &text);
      walk->bus = g_dbus_connection_new_for_address_sync (text,
                    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                    NULL, NULL, &walk->error);
    }
  if (walk->bus != NULL)
    walk_tree (walk);

  g_clear_object (&walk->bus);
  g_atomic_int_set (&walk->done, TRUE);
  return NULL;
}

/* Shows @content in a window and checks what a screen reader reads of
 * it; @expected are names that must be among what it reads. */
static void
assert_names_said_once (GtkWidget          *content,
                        const char * const *expected)
{
  GtkWidget *window = GTK_IS_WINDOW (content) ? content : gtk_window_new ();
  Walk walk = { NULL, g_ptr_array_new_with_free_func (g_free),
                g_ptr_array_new_with_free_func (g_free), NULL, FALSE };
  GThread *thread;

  if (window != content)
    gtk_window_set_child (GTK_WINDOW (window), content);
  gtk_window_present (GTK_WINDOW (window));
  for (guint i = 0; i < 10; i++)
    rc_test_spin ();

  thread = g_thread_new ("walk", walk_thread, &walk);
  RC_TEST_WAIT_FOR (g_atomic_int_get (&walk.done), 60);
  g_thread_join (thread);

  g_assert_no_error (walk.error);
  for (guint i = 0; i < walk.doubled->len; i++)
    g_test_message ("said twice: %s", (char *) g_ptr_array_index (walk.doubled, i));
  g_assert_cmpuint (walk.doubled->len, ==, 0);
  for (guint i = 0; expected[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < walk.names->len && !found; j++)
        found = g_str_equal (g_ptr_array_index (walk.names, j), expected[i]);
      if (!found)
        g_test_message ("not read: %s", expected[i]);
      g_assert_true (found);
    }

  g_ptr_array_unref (walk.names);
  g_ptr_array_unref (walk.doubled);
  gtk_window_destroy (GTK_WINDOW (window));
  rc_test_spin ();
}

static void
test_connect_page (void)
{
  const char * const expected[] = { "Server", "Port", "Name", "Password", "Connect", NULL };

  assert_names_said_once (rc_connect_page_new (), expected);
}

static void
test_lobby_page (void)
{
  const char * const expected[] = { "Create Room", "Join Room", NULL };

  assert_names_said_once (rc_lobby_page_new (), expected);
}

static void
test_chat_page (void)
{
  const char * const expected[] = { "Message", "Send", NULL };

  assert_names_said_once (rc_chat_page_new (), expected);
}

static void
test_certificate_page (void)
{
  const char * const expected[] = { "Back", NULL };

  assert_names_said_once (rc_certificate_page_new (), expected);
}

static void
test_join_dialog (void)
{
  const char * const expected[] = { "Join", "Cancel", NULL };

  assert_names_said_once (GTK_WIDGET (rc_join_dialog_new (NULL)), expected);
}

static void
test_create_dialog (void)
{
  const char * const expected[] = { "Cancel", NULL };

  assert_names_said_once (GTK_WIDGET (rc_create_dialog_new (NULL)), expected);
}

int
main (int    argc,
      char **argv)
{
  rc_test_gui_init (&argc, &argv);

  g_test_add_func ("/accessible-names/connect-page", test_connect_page);
  g_test_add_func ("/accessible-names/lobby-page", test_lobby_page);
  g_test_add_func ("/accessible-names/chat-page", test_chat_page);
  g_test_add_func ("/accessible-names/certificate-page", test_certificate_page);
  g_test_add_func ("/accessible-names/join-dialog", test_join_dialog);
  g_test_add_func ("/accessible-names/create-dialog", test_create_dialog);

  return rc_test_gui_run ();
}
