/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <locale.h>

#include "rc-message.h"

/* The chat's model: RcMessage items in a GListStore. */

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_message_kinds (void)
{
  g_autoptr(GDateTime) time = g_date_time_new_utc (2026, 11, 25, 16, 2, 11);
  RcMessage *own = rc_message_new_own ("Pablo", "Hola", 0, time);
  RcMessage *peer = rc_message_new_peer ("Ana", "Hi", time);
  RcMessage *notice = rc_message_new_notice (RC_MESSAGE_KIND_NOTICE, "Ana left the room", NULL);
  RcMessage *warning = rc_message_new_notice (RC_MESSAGE_KIND_WARNING, "Not secure", NULL);

  g_assert_cmpint (rc_message_get_kind (own), ==, RC_MESSAGE_KIND_OWN);
  g_assert_cmpstr (rc_message_get_author (own), ==, "Pablo");
  g_assert_cmpstr (rc_message_get_text (own), ==, "Hola");
  g_assert_cmpint (rc_message_get_seq (own), ==, 0);
  g_assert_cmpint (rc_message_get_state (own), ==, RC_MESSAGE_STATE_SENDING);
  g_assert_true (g_date_time_equal (rc_message_get_time (own), time));

  g_assert_cmpint (rc_message_get_kind (peer), ==, RC_MESSAGE_KIND_PEER);
  g_assert_cmpstr (rc_message_get_author (peer), ==, "Ana");
  g_assert_cmpint (rc_message_get_seq (peer), ==, -1);
  g_assert_cmpint (rc_message_get_state (peer), ==, RC_MESSAGE_STATE_NONE);
  g_assert_null (rc_message_get_state_text (peer));

  g_assert_cmpint (rc_message_get_kind (notice), ==, RC_MESSAGE_KIND_NOTICE);
  g_assert_null (rc_message_get_author (notice));
  g_assert_nonnull (rc_message_get_time (notice));
  g_assert_cmpint (rc_message_get_kind (warning), ==, RC_MESSAGE_KIND_WARNING);

  g_assert_finalize_object (own);
  g_assert_finalize_object (peer);
  g_assert_finalize_object (notice);
  g_assert_finalize_object (warning);
}

static void
test_message_state (void)
{
  RcMessage *message = rc_message_new_own ("Pablo", "Hola", 3, NULL);
  guint notifies = 0;

  g_signal_connect (message, "notify::state", G_CALLBACK (on_notify_count), &notifies);

  g_assert_cmpstr (rc_message_get_state_text (message), ==, "Sending…");

  rc_message_set_state (message, RC_MESSAGE_STATE_RELAYED);
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpstr (rc_message_get_state_text (message), ==, "Delivered");

  /* No notification without a change. */
  rc_message_set_state (message, RC_MESSAGE_STATE_RELAYED);
  g_assert_cmpuint (notifies, ==, 1);

  g_object_set (message, "state", RC_MESSAGE_STATE_NOT_DELIVERED, NULL);
  g_assert_cmpuint (notifies, ==, 2);
  g_assert_cmpstr (rc_message_get_state_text (message), ==, "Not delivered");

  g_assert_finalize_object (message);
}

static void
test_message_time (void)
{
  g_autoptr(GDateTime) utc = g_date_time_new_utc (2026, 11, 25, 16, 2, 11);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *expected = g_date_time_format (local, "%H:%M");
  g_autoptr(RcMessage) message = rc_message_new_peer ("Ana", "Hi", utc);
  g_autofree char *shown = rc_message_format_time (message);

  g_assert_cmpstr (shown, ==, expected);
}

static void
test_message_store (void)
{
  GListStore *store = g_list_store_new (RC_TYPE_MESSAGE);
  guint n_changes = 0;

  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), &n_changes);

  for (gint64 seq = 0; seq < 2000; seq++)
    {
      g_autoptr(RcMessage) own = rc_message_new_own ("Pablo", "ping", seq, NULL);
      g_autoptr(RcMessage) peer = rc_message_new_peer ("Ana", "pong", NULL);

      g_list_store_append (store, own);
      g_list_store_append (store, peer);
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4000);
  g_assert_cmpuint (n_changes, ==, 4000);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == RC_TYPE_MESSAGE);

  {
    g_autoptr(RcMessage) found = rc_message_store_find_own (store, 1999);
    g_autoptr(RcMessage) early = rc_message_store_find_own (store, 0);
    g_autoptr(RcMessage) missing = rc_message_store_find_own (store, 2000);

    g_assert_nonnull (found);
    g_assert_cmpint (rc_message_get_seq (found), ==, 1999);
    g_assert_nonnull (early);
    g_assert_cmpint (rc_message_get_seq (early), ==, 0);
    g_assert_null (missing);
  }

  g_assert_true (rc_message_store_set_state (store, 7, RC_MESSAGE_STATE_RELAYED));
  g_assert_false (rc_message_store_set_state (store, 5000, RC_MESSAGE_STATE_RELAYED));
  {
    g_autoptr(RcMessage) seventh = rc_message_store_find_own (store, 7);
    g_autoptr(RcMessage) eighth = rc_message_store_find_own (store, 8);

    g_assert_cmpint (rc_message_get_state (seventh), ==, RC_MESSAGE_STATE_RELAYED);
    g_assert_cmpint (rc_message_get_state (eighth), ==, RC_MESSAGE_STATE_SENDING);
  }

  /* A peer message never matches a seq. */
  g_list_store_remove_all (store);
  {
    g_autoptr(RcMessage) peer = rc_message_new_peer ("Ana", "pong", NULL);

    g_list_store_append (store, peer);
    g_assert_null (rc_message_store_find_own (store, -1));
  }

  g_assert_finalize_object (store);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/message/kinds", test_message_kinds);
  g_test_add_func ("/message/state", test_message_state);
  g_test_add_func ("/message/time", test_message_time);
  g_test_add_func ("/message/store", test_message_store);

  return g_test_run ();
}
