/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "test-gui-util.h"

#include "rc-client-session.h"
#include "rc-connect-page.h"

/* The connect page: its form and the words it shows for each way a
 * connection can fail. Server texts are never shown. */

#define SERVER_TEXT "text from the server"

/* What each way of failing reads as, and which field it points at. The
 * numbers come with the server's error, as the session makes it. */
static const struct
{
  GQuark        (*domain) (void);
  int             code;
  gint64          attempts_left;
  gint64          retry_after;
  RcConnectField  field;
  const char     *text;
} error_texts[] = {
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_AUTH_FAILED, 2, -1, RC_CONNECT_FIELD_PASSWORD,
    "Wrong password. 2 attempts left before this address is blocked." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_AUTH_FAILED, 1, -1, RC_CONNECT_FIELD_PASSWORD,
    "Wrong password. 1 attempt left before this address is blocked." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_AUTH_FAILED, 0, -1, RC_CONNECT_FIELD_PASSWORD,
    "Wrong password. This address is now blocked for a while." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_AUTH_FAILED, -1, -1, RC_CONNECT_FIELD_PASSWORD,
    "Wrong password." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_BLOCKED, -1, 300, RC_CONNECT_FIELD_PASSWORD,
    "Too many wrong passwords. This address is blocked for 5 more minutes." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_BLOCKED, -1, 61, RC_CONNECT_FIELD_PASSWORD,
    "Too many wrong passwords. This address is blocked for 2 more minutes." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_BLOCKED, -1, 5, RC_CONNECT_FIELD_PASSWORD,
    "Too many wrong passwords. This address is blocked for 1 more minute." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_SERVER_FULL, -1, -1, RC_CONNECT_FIELD_NONE,
    "The server is full. Try again later." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION, -1, -1, RC_CONNECT_FIELD_NONE,
    "This server speaks another version of RoomChat. Update RoomChat or the server." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_BAD_NAME, -1, -1, RC_CONNECT_FIELD_NAME,
    "A name has 1 to 32 characters and no control characters." },
  { rc_protocol_error_quark, RC_PROTOCOL_ERROR_SHUTTING_DOWN, -1, -1, RC_CONNECT_FIELD_NONE,
    "The server is shutting down. Try again later." },
  { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, -1, -1, RC_CONNECT_FIELD_HOST,
    "The server cannot be reached. Check the address and port, and that the server is running." },
  { g_io_error_quark, G_IO_ERROR_HOST_UNREACHABLE, -1, -1, RC_CONNECT_FIELD_HOST,
    "The server cannot be reached. Check the address and port, and that the server is running." },
  { g_io_error_quark, G_IO_ERROR_TIMED_OUT, -1, -1, RC_CONNECT_FIELD_NONE,
    "The server did not answer in time. Check the address and port, and that the server is running." },
  { g_resolver_error_quark, G_RESOLVER_ERROR_NOT_FOUND, -1, -1, RC_CONNECT_FIELD_HOST,
    "No server is known by that name. Check the server’s address." },
  { rc_client_error_quark, RC_CLIENT_ERROR_CERTIFICATE_CHANGED, -1, -1, RC_CONNECT_FIELD_NONE,
    "The server’s certificate has changed since you last connected. RoomChat did not connect." },
  { rc_client_error_quark, RC_CLIENT_ERROR_CERTIFICATE_REJECTED, -1, -1, RC_CONNECT_FIELD_NONE,
    "You did not trust the server’s certificate, so RoomChat did not connect." },
  { rc_client_error_quark, RC_CLIENT_ERROR_TLS, -1, -1, RC_CONNECT_FIELD_NONE,
    "No secure connection could be made with the server. It may not be a RoomChat server." },
  { g_tls_error_quark, G_TLS_ERROR_NOT_TLS, -1, -1, RC_CONNECT_FIELD_NONE,
    "No secure connection could be made with the server. It may not be a RoomChat server." },
  { rc_client_error_quark, RC_CLIENT_ERROR_CLOSED, -1, -1, RC_CONNECT_FIELD_NONE,
    "The server closed the connection." },
};

static void
test_error_texts (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_texts); i++)
    {
      g_autoptr(GError) error = NULL;
      RcConnectField field = RC_CONNECT_FIELD_NONE;
      g_autofree char *text = NULL;

      if (error_texts[i].domain () == RC_PROTOCOL_ERROR)
        error = rc_protocol_error_new (error_texts[i].code, SERVER_TEXT,
                                       error_texts[i].attempts_left, error_texts[i].retry_after);
      else
        error = g_error_new_literal (error_texts[i].domain (), error_texts[i].code, SERVER_TEXT);
      text = rc_connect_page_describe_error (error, &field);

      g_assert_cmpstr (text, ==, error_texts[i].text);
      g_assert_cmpint (field, ==, error_texts[i].field);
    }

  /* Every code gets RoomChat's own words, never the server's. */
  for (int code = 0; code <= RC_PROTOCOL_ERROR_UNKNOWN; code++)
    {
      g_autoptr(GError) error = rc_protocol_error_new (code, SERVER_TEXT, 1, 60);
      g_autofree char *text = rc_connect_page_describe_error (error, NULL);

      g_assert_nonnull (text);
      g_assert_null (strstr (text, SERVER_TEXT));
    }

  /* And every error of the client's own. */
  for (int code = 0; code <= RC_CLIENT_ERROR_INVALID_TEXT; code++)
    {
      g_autoptr(GError) error = g_error_new_literal (RC_CLIENT_ERROR, code, SERVER_TEXT);
      g_autofree char *text = rc_connect_page_describe_error (error, NULL);

      g_assert_nonnull (text);
      g_assert_null (strstr (text, SERVER_TEXT));
    }

  /* A cancelled attempt is no error. */
  {
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");

    g_assert_null (rc_connect_page_describe_error (error, NULL));
  }
}

static void
on_connect (RcConnectPage *page,
            guint         *count)
{
  (*count)++;
}

static void
test_form (void)
{
  GtkWidget *window = gtk_window_new ();
  RcConnectPage *page = RC_CONNECT_PAGE (g_object_ref_sink (rc_connect_page_new ()));
  GtkWidget *button = rc_test_child (page, RC_TYPE_CONNECT_PAGE, "connect_button");
  guint connects = 0;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (page, "connect", G_CALLBACK (on_connect), &connects);

  /* Incomplete: no Connect. */
  rc_connect_page_set_host (page, "");
  rc_connect_page_set_name (page, "Pablo");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "name_entry"), "activate");
  g_assert_cmpuint (connects, ==, 0);

  rc_connect_page_set_host (page, "chat.example.org");
  rc_connect_page_set_port (page, 8888);
  rc_connect_page_set_password (page, "secret");
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_cmpstr (rc_connect_page_get_host (page), ==, "chat.example.org");
  g_assert_cmpuint (rc_connect_page_get_port (page), ==, 8888);
  g_assert_cmpstr (rc_connect_page_get_name (page), ==, "Pablo");
  g_assert_cmpstr (rc_connect_page_get_password (page), ==, "secret");

  /* A port out of range is no port. */
  gtk_editable_set_text (GTK_EDITABLE (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "port_entry")), "70000");
  g_assert_cmpuint (rc_connect_page_get_port (page), ==, 0);
  g_assert_false (gtk_widget_get_sensitive (button));
  rc_connect_page_set_port (page, 9000);

  /* Enter in any field connects. */
  g_signal_emit_by_name (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "password_entry"), "activate");
  g_assert_cmpuint (connects, ==, 1);
  g_signal_emit_by_name (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "host_entry"), "activate");
  g_assert_cmpuint (connects, ==, 2);

  /* Busy: a spinner, no second attempt. */
  rc_connect_page_set_busy (page, TRUE);
  g_assert_true (gtk_widget_get_visible (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "spinner")));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (connects, ==, 2);
  rc_connect_page_set_busy (page, FALSE);
  g_assert_false (gtk_widget_get_visible (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "spinner")));

  /* A name of spaces only is refused beside the form. */
  rc_connect_page_set_name (page, "   ");
  g_assert_false (gtk_widget_get_sensitive (button));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (page);
}

static void
test_show_error (void)
{
  RcConnectPage *page = RC_CONNECT_PAGE (g_object_ref_sink (rc_connect_page_new ()));
  g_autoptr(GError) error = rc_protocol_error_new (RC_PROTOCOL_ERROR_AUTH_FAILED, SERVER_TEXT, 2, -1);
  GtkWidget *password = rc_test_child (page, RC_TYPE_CONNECT_PAGE, "password_entry");
  GtkWidget *error_box = rc_test_child (page, RC_TYPE_CONNECT_PAGE, "error_box");

  g_assert_false (gtk_widget_get_visible (error_box));

  rc_connect_page_show_error (page, error);
  g_assert_true (gtk_widget_get_visible (error_box));
  g_assert_cmpstr (rc_connect_page_get_error_text (page), ==,
                   "Wrong password. 2 attempts left before this address is blocked.");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (rc_test_child (page, RC_TYPE_CONNECT_PAGE, "error_label"))), ==,
                   rc_connect_page_get_error_text (page));
  g_assert_true (gtk_widget_has_css_class (password, "error"));

  /* A new attempt clears the error. */
  rc_connect_page_set_busy (page, TRUE);
  g_assert_false (gtk_widget_get_visible (error_box));
  g_assert_null (rc_connect_page_get_error_text (page));
  g_assert_false (gtk_widget_has_css_class (password, "error"));

  g_assert_finalize_object (page);
}

int
main (int   argc,
      char *argv[])
{
  rc_test_gui_init (&argc, &argv);

  g_test_add_func ("/connect-page/error-texts", test_error_texts);
  g_test_add_func ("/connect-page/form", test_form);
  g_test_add_func ("/connect-page/show-error", test_show_error);

  return rc_test_gui_run ();
}
