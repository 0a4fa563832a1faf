/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include <gtk/gtk.h>

#include "test-gui-util.h"

#include "rc-application.h"
#include "rc-profile.h"
#include "rc-certificate-page.h"
#include "rc-chat-page.h"
#include "rc-confirm-dialog.h"
#include "rc-connect-page.h"
#include "rc-create-dialog.h"
#include "rc-join-dialog.h"
#include "rc-lobby-page.h"
#include "rc-message-row.h"
#include "rc-shortcuts-window.h"
#include "rc-style-manager.h"
#include "rc-window.h"

/* Every widget is built from its template, shown, destroyed and
 * finalized: a broken template or a leaked reference fails here. */

static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Shows @widget in a window, then destroys both. */
static void
show_and_finalize (GtkWidget *widget)
{
  GtkWidget *window = gtk_window_new ();

  g_object_ref_sink (widget);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  spin ();
  gtk_window_destroy (GTK_WINDOW (window));
  spin ();
  g_assert_finalize_object (widget);
}

/* Shows a toplevel, then destroys it. */
static void
present_and_finalize (GtkWindow *window)
{
  g_object_ref (window);
  gtk_window_present (window);
  spin ();
  gtk_window_destroy (window);
  spin ();
  g_assert_finalize_object (window);
}

static void
test_connect_page (void)
{
  show_and_finalize (rc_connect_page_new ());
}

static void
test_lobby_page (void)
{
  GtkWidget *page = rc_lobby_page_new ();

  rc_lobby_page_set_server (RC_LOBBY_PAGE (page), "localhost:8888", "Pablo");
  show_and_finalize (page);
}

static void
test_chat_page (void)
{
  GtkWidget *page = rc_chat_page_new ();

  rc_chat_page_start (RC_CHAT_PAGE (page), "Pablo", "Ana", FALSE);
  rc_chat_page_add_peer_message (RC_CHAT_PAGE (page), "Hola", NULL);
  show_and_finalize (page);
}

static const char *
page_label (GtkWidget  *page,
            const char *name)
{
  return gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (page, RC_TYPE_CERTIFICATE_PAGE, name)));
}

static void
test_certificate_page (void)
{
  GtkWidget *page = rc_certificate_page_new ();

  rc_certificate_page_set_certificates (RC_CERTIFICATE_PAGE (page), "chat.example.org",
                                        "AB:CD", "EF:01", "/home/ana/known-servers");
  g_assert_nonnull (strstr (page_label (page, "body_label"), "chat.example.org"));
  g_assert_cmpstr (page_label (page, "pinned_label"), ==, "AB:CD");
  g_assert_cmpstr (page_label (page, "seen_label"), ==, "EF:01");
  g_assert_nonnull (strstr (page_label (page, "help_label"), "/home/ana/known-servers"));
  show_and_finalize (page);
}

static void
test_message_row (void)
{
  GtkWidget *row = rc_message_row_new ();
  RcMessage *message = rc_message_new_own ("Pablo", "Hola", 0, NULL);

  rc_message_row_set_message (RC_MESSAGE_ROW (row), message);
  g_assert_true (rc_message_row_get_message (RC_MESSAGE_ROW (row)) == message);
  g_assert_true (gtk_widget_has_css_class (row, "own"));
  g_assert_cmpint (gtk_widget_get_halign (GTK_WIDGET (gtk_widget_get_template_child (row, RC_TYPE_MESSAGE_ROW, "bubble"))),
                   ==, GTK_ALIGN_END);
  show_and_finalize (row);
  g_assert_finalize_object (message);
}

static void
test_create_dialog (void)
{
  RcCreateDialog *dialog = rc_create_dialog_new (NULL);

  rc_create_dialog_set_room_id (dialog, "1KYAUPMB9KRT");
  g_assert_cmpstr (rc_create_dialog_get_room_id (dialog), ==, "1KYAUPMB9KRT");
  present_and_finalize (GTK_WINDOW (dialog));
}

static void
test_join_dialog (void)
{
  present_and_finalize (GTK_WINDOW (rc_join_dialog_new (NULL)));
}

static void
on_response (RcConfirmDialog *dialog,
             gboolean         confirmed,
             GArray          *answers)
{
  g_array_append_val (answers, confirmed);
}

static GtkWidget *
dialog_child (RcConfirmDialog *dialog,
              const char      *name)
{
  return rc_test_child (dialog, RC_TYPE_CONFIRM_DIALOG, name);
}

/* One dialog for every question: what it shows, that Cancel is the
 * default, and one answer per dialog, closing counting as no. */
static void
test_confirm_dialog (void)
{
  g_autoptr(GArray) answers = g_array_new (FALSE, FALSE, sizeof (gboolean));
  RcConfirmDialog *leave = rc_confirm_dialog_new (NULL, "Leave the Room?", "It ends for both.",
                                                  "_Stay", "_Leave");
  RcConfirmDialog *trust = rc_confirm_dialog_new (NULL, "Trust This Server?", "First time.",
                                                  "_Cancel", "_Trust");

  rc_confirm_dialog_set_destructive (leave, TRUE);
  rc_confirm_dialog_set_detail (trust, "AB:CD:EF", "Certificate fingerprint");
  rc_confirm_dialog_set_note (trust, "Compare it.");
  g_signal_connect (leave, "response", G_CALLBACK (on_response), answers);
  g_signal_connect (trust, "response", G_CALLBACK (on_response), answers);

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (leave)), ==, "Leave the Room?");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (dialog_child (leave, "heading_label"))), ==,
                   "Leave the Room?");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (dialog_child (leave, "body_label"))), ==,
                   "It ends for both.");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (dialog_child (leave, "confirm_button"))), ==,
                   "_Leave");
  g_assert_true (gtk_widget_has_css_class (dialog_child (leave, "confirm_button"), "destructive-action"));
  g_assert_false (gtk_widget_get_visible (dialog_child (leave, "detail_label")));
  g_assert_false (gtk_widget_get_visible (dialog_child (leave, "note_label")));
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (leave)) == dialog_child (leave, "cancel_button"));

  g_assert_true (gtk_widget_has_css_class (dialog_child (trust, "confirm_button"), "suggested-action"));
  g_assert_true (gtk_widget_get_visible (dialog_child (trust, "detail_label")));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (dialog_child (trust, "detail_label"))), ==, "AB:CD:EF");
  g_assert_true (gtk_widget_get_visible (dialog_child (trust, "note_label")));
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (trust)) == dialog_child (trust, "cancel_button"));

  g_object_ref (leave);
  g_object_ref (trust);
  gtk_window_present (GTK_WINDOW (leave));
  gtk_window_present (GTK_WINDOW (trust));
  spin ();

  g_signal_emit_by_name (dialog_child (leave, "confirm_button"), "clicked");
  gtk_window_close (GTK_WINDOW (trust));
  spin ();
  g_assert_cmpuint (answers->len, ==, 2);
  g_assert_true (g_array_index (answers, gboolean, 0));
  g_assert_false (g_array_index (answers, gboolean, 1));

  g_assert_finalize_object (leave);
  g_assert_finalize_object (trust);
  g_assert_cmpuint (answers->len, ==, 2);
}

static void
test_shortcuts_window (void)
{
  present_and_finalize (GTK_WINDOW (rc_shortcuts_window_new (NULL)));
}

static void
test_window (void)
{
  RcWindow *window = rc_window_new (NULL);

  g_assert_cmpstr (rc_window_get_page_name (window), ==, "connect");
  g_assert_null (rc_window_get_session (window));
  g_assert_null (rc_window_get_dialog (window));
  g_assert_null (rc_window_get_banner (window));
  present_and_finalize (GTK_WINDOW (window));
}

static void
test_style_manager (void)
{
  RcStyleManager *manager = rc_style_manager_new (gtk_settings_get_default ());

  /* Without a portal on the test's bus nothing changes, and nothing fails. */
  spin ();
  g_assert_false (rc_style_manager_get_dark (manager));
  g_assert_finalize_object (manager);
}

static void
test_application (void)
{
  RcApplication *application = rc_application_new ();

  g_assert_cmpstr (g_application_get_application_id (G_APPLICATION (application)), ==, RC_APPLICATION_ID);
  g_assert_true (g_action_map_lookup_action (G_ACTION_MAP (application), "quit") != NULL);
  g_assert_true (g_action_map_lookup_action (G_ACTION_MAP (application), "about") != NULL);
  g_assert_true (g_action_map_lookup_action (G_ACTION_MAP (application), "shortcuts") != NULL);
  g_assert_finalize_object (application);
}

/* LANGUAGE=es shows Spanish, from the catalogue built in po/. */
static void
test_spanish (void)
{
  g_autofree char *localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_autofree char *catalogue = g_build_filename (localedir, "es", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  GtkWidget *page;

  /* meson builds the catalogue with the client: missing, it is a failure */
  g_assert_true (g_file_test (catalogue, G_FILE_TEST_EXISTS));

  g_setenv ("LANGUAGE", "es", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_assert_cmpstr (_("Waiting for someone to join…"), ==, "Esperando a que alguien entre…");

  page = rc_connect_page_new ();
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (gtk_widget_get_template_child (page, RC_TYPE_CONNECT_PAGE, "connect_button"))),
                   ==, "_Conectar");
  show_and_finalize (page);

  g_unsetenv ("LANGUAGE");
  textdomain ("messages");
}

int
main (int   argc,
      char *argv[])
{
  rc_test_gui_init (&argc, &argv);

  g_test_add_func ("/widgets/connect-page", test_connect_page);
  g_test_add_func ("/widgets/lobby-page", test_lobby_page);
  g_test_add_func ("/widgets/chat-page", test_chat_page);
  g_test_add_func ("/widgets/certificate-page", test_certificate_page);
  g_test_add_func ("/widgets/message-row", test_message_row);
  g_test_add_func ("/widgets/create-dialog", test_create_dialog);
  g_test_add_func ("/widgets/join-dialog", test_join_dialog);
  g_test_add_func ("/widgets/confirm-dialog", test_confirm_dialog);
  g_test_add_func ("/widgets/shortcuts-window", test_shortcuts_window);
  g_test_add_func ("/widgets/window", test_window);
  g_test_add_func ("/widgets/style-manager", test_style_manager);
  g_test_add_func ("/widgets/application", test_application);
  g_test_add_func ("/widgets/spanish", test_spanish);

  return rc_test_gui_run ();
}
