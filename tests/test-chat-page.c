/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "test-gui-util.h"

#include "rc-chat-page.h"
#include "rc-crypto.h"
#include "rc-message-row.h"

/* The chat page without a connection: turns, focus, the counter, the
 * draft and the end of a chat. */

typedef struct
{
  GtkWindow *window;
  RcChatPage *page;
  GtkWidget *entry;
  GtkWidget *send_button;
  GtkWidget *counter_label;
} Fixture;

static void
spin_until_mapped (GtkWidget *widget)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_get_mapped (widget))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
focus_in (Fixture   *fixture,
          GtkWidget *widget)
{
  GtkWidget *focus = gtk_window_get_focus (fixture->window);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->page = RC_CHAT_PAGE (g_object_ref_sink (rc_chat_page_new ()));
  fixture->entry = rc_test_child (fixture->page, RC_TYPE_CHAT_PAGE, "entry");
  fixture->send_button = rc_test_child (fixture->page, RC_TYPE_CHAT_PAGE, "send_button");
  fixture->counter_label = rc_test_child (fixture->page, RC_TYPE_CHAT_PAGE, "counter_label");

  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);
  spin_until_mapped (GTK_WIDGET (fixture->page));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fixture->page);
}

static void
test_chat_turns (Fixture       *fixture,
                 gconstpointer  data)
{
  GListStore *messages = rc_chat_page_get_messages (fixture->page);

  /* Nothing to write before a chat. */
  g_assert_false (gtk_widget_get_sensitive (fixture->entry));

  /* The creator waits for the joiner, who writes first. */
  rc_chat_page_start (fixture->page, "Pablo", "Ana", FALSE);
  g_assert_true (rc_chat_page_get_active (fixture->page));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, 1);
  g_assert_false (gtk_widget_get_sensitive (fixture->entry));
  g_assert_false (gtk_widget_get_sensitive (fixture->send_button));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (fixture->entry)), ==, "Waiting for Ana…");

  rc_chat_page_add_peer_message (fixture->page, "Hola, Pablo", NULL);
  rc_chat_page_set_my_turn (fixture->page, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, 2);
  g_assert_true (gtk_widget_get_sensitive (fixture->entry));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (fixture->entry)), ==, "Write to Ana");

  /* Send only with text. */
  g_assert_false (gtk_widget_get_sensitive (fixture->send_button));
  gtk_editable_set_text (GTK_EDITABLE (fixture->entry), "Hola, Ana");
  g_assert_true (gtk_widget_get_sensitive (fixture->send_button));

  {
    g_autoptr(RcMessage) last = g_list_model_get_item (G_LIST_MODEL (messages), 1);

    g_assert_cmpint (rc_message_get_kind (last), ==, RC_MESSAGE_KIND_PEER);
    g_assert_cmpstr (rc_message_get_author (last), ==, "Ana");
    g_assert_cmpstr (rc_message_get_text (last), ==, "Hola, Pablo");
  }
}

static void
test_chat_focus_moves (Fixture       *fixture,
                       gconstpointer  data)
{
  rc_chat_page_start (fixture->page, "Pablo", "Ana", TRUE);
  rc_chat_page_focus_input (fixture->page);
  g_assert_true (focus_in (fixture, fixture->entry));

  /* Greying out a focused entry would warn (fatal here): focus moves first. */
  rc_chat_page_set_my_turn (fixture->page, FALSE);
  g_assert_false (gtk_widget_get_sensitive (fixture->entry));
  g_assert_false (focus_in (fixture, fixture->entry));

  /* ...and comes back with the turn. */
  rc_chat_page_set_my_turn (fixture->page, TRUE);
  g_assert_true (gtk_widget_get_sensitive (fixture->entry));
  g_assert_true (focus_in (fixture, fixture->entry));

  /* The same when the chat ends. */
  rc_chat_page_end (fixture->page, RC_MESSAGE_KIND_NOTICE, "Ana left the room. The chat has ended.");
  g_assert_false (gtk_widget_get_sensitive (fixture->entry));
  g_assert_false (focus_in (fixture, fixture->entry));
}

static void
test_chat_counter (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *near_limit = g_strnfill (RC_MAX_PLAINTEXT_SIZE - 100, 'a');
  g_autofree char *at_limit = g_strnfill (RC_MAX_PLAINTEXT_SIZE, 'a');
  g_autofree char *over_limit = g_strnfill (RC_MAX_PLAINTEXT_SIZE + 2, 'a');

  rc_chat_page_start (fixture->page, "Pablo", "Ana", TRUE);

  gtk_editable_set_text (GTK_EDITABLE (fixture->entry), "short");
  g_assert_false (gtk_widget_get_visible (fixture->counter_label));

  gtk_editable_set_text (GTK_EDITABLE (fixture->entry), near_limit);
  g_assert_true (gtk_widget_get_visible (fixture->counter_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (fixture->counter_label)), ==, "100 bytes left");
  g_assert_true (gtk_widget_get_sensitive (fixture->send_button));

  gtk_editable_set_text (GTK_EDITABLE (fixture->entry), at_limit);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (fixture->counter_label)), ==, "0 bytes left");
  g_assert_true (gtk_widget_get_sensitive (fixture->send_button));

  gtk_editable_set_text (GTK_EDITABLE (fixture->entry), over_limit);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (fixture->counter_label)), ==, "2 bytes too long to send");
  g_assert_true (gtk_widget_has_css_class (fixture->counter_label, "error"));
  g_assert_false (gtk_widget_get_sensitive (fixture->send_button));
}

static void
test_chat_draft_kept (Fixture       *fixture,
                      gconstpointer  data)
{
  GListStore *messages = rc_chat_page_get_messages (fixture->page);

  rc_chat_page_start (fixture->page, "Pablo", "Ana", TRUE);
  gtk_editable_set_text (GTK_EDITABLE (fixture->entry), "a draft");

  /* Across turns */
  rc_chat_page_set_my_turn (fixture->page, FALSE);
  rc_chat_page_set_my_turn (fixture->page, TRUE);
  g_assert_cmpstr (rc_chat_page_get_draft (fixture->page), ==, "a draft");

  /* Across the end of the room and a new one */
  rc_chat_page_end (fixture->page, RC_MESSAGE_KIND_NOTICE, "Ana left the room. The chat has ended.");
  g_assert_cmpstr (rc_chat_page_get_draft (fixture->page), ==, "a draft");
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (fixture->entry)), ==, "This chat has ended");
  {
    g_autoptr(RcMessage) last = g_list_model_get_item (G_LIST_MODEL (messages), 1);

    g_assert_cmpint (rc_message_get_kind (last), ==, RC_MESSAGE_KIND_NOTICE);
    g_assert_cmpstr (rc_message_get_text (last), ==, "Ana left the room. The chat has ended.");
  }

  rc_chat_page_start (fixture->page, "Pablo", "Luis", TRUE);
  g_assert_cmpstr (rc_chat_page_get_draft (fixture->page), ==, "a draft");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, 1);

  /* Without a session nothing is sent and the draft stays. */
  g_assert_false (rc_chat_page_send (fixture->page));
  g_assert_cmpstr (rc_chat_page_get_draft (fixture->page), ==, "a draft");
}

static void
test_chat_security_warning (Fixture       *fixture,
                            gconstpointer  data)
{
  GListStore *messages = rc_chat_page_get_messages (fixture->page);
  g_autoptr(RcMessage) last = NULL;

  rc_chat_page_start (fixture->page, "Pablo", "Ana", FALSE);
  rc_chat_page_end (fixture->page, RC_MESSAGE_KIND_WARNING, "Security warning");
  last = g_list_model_get_item (G_LIST_MODEL (messages), 1);
  g_assert_cmpint (rc_message_get_kind (last), ==, RC_MESSAGE_KIND_WARNING);
  g_assert_false (rc_chat_page_get_active (fixture->page));
}

static void
test_chat_many_messages (Fixture       *fixture,
                         gconstpointer  data)
{
  GListStore *messages = rc_chat_page_get_messages (fixture->page);
  GtkWidget *list = rc_test_child (fixture->page, RC_TYPE_CHAT_PAGE, "list_view");
  guint n_rows = 0;

  rc_chat_page_start (fixture->page, "Pablo", "Ana", FALSE);
  for (guint i = 0; i < 5000; i++)
    rc_chat_page_add_peer_message (fixture->page, "Lorem ipsum dolor sit amet", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, 5001);

  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  /* The list view only makes rows for what is on screen. */
  for (GtkWidget *row = gtk_widget_get_first_child (list); row; row = gtk_widget_get_next_sibling (row))
    n_rows++;
  g_assert_cmpuint (n_rows, <, 500);
}

int
main (int   argc,
      char *argv[])
{
  rc_test_gui_init (&argc, &argv);

  g_test_add ("/chat-page/turns", Fixture, NULL, fixture_set_up, test_chat_turns, fixture_tear_down);
  g_test_add ("/chat-page/focus-moves", Fixture, NULL, fixture_set_up, test_chat_focus_moves, fixture_tear_down);
  g_test_add ("/chat-page/counter", Fixture, NULL, fixture_set_up, test_chat_counter, fixture_tear_down);
  g_test_add ("/chat-page/draft-kept", Fixture, NULL, fixture_set_up, test_chat_draft_kept, fixture_tear_down);
  g_test_add ("/chat-page/security-warning", Fixture, NULL, fixture_set_up, test_chat_security_warning, fixture_tear_down);
  g_test_add ("/chat-page/many-messages", Fixture, NULL, fixture_set_up, test_chat_many_messages, fixture_tear_down);

  return rc_test_gui_run ();
}
