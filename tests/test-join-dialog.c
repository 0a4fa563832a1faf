/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "test-gui-util.h"

#include "rc-client-session.h"
#include "rc-join-dialog.h"

/* The join dialog takes a room id as people type it and allows Join only
 * with exactly 12 letters and digits. */

typedef struct
{
  RcJoinDialog *dialog;
  GtkEditable *entry;
  GtkWidget *join_button;
  char *joined;
} Fixture;

static void
on_join (RcJoinDialog *dialog,
         const char   *room_id,
         Fixture      *fixture)
{
  g_free (fixture->joined);
  fixture->joined = g_strdup (room_id);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dialog = g_object_ref (rc_join_dialog_new (NULL));
  fixture->entry = GTK_EDITABLE (rc_test_child (fixture->dialog, RC_TYPE_JOIN_DIALOG, "room_entry"));
  fixture->join_button = rc_test_child (fixture->dialog, RC_TYPE_JOIN_DIALOG, "join_button");
  g_signal_connect (fixture->dialog, "join", G_CALLBACK (on_join), fixture);
  gtk_window_present (GTK_WINDOW (fixture->dialog));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->dialog));
  g_assert_finalize_object (fixture->dialog);
  g_clear_pointer (&fixture->joined, g_free);
}

static gboolean
can_join (Fixture    *fixture,
          const char *text)
{
  gtk_editable_set_text (fixture->entry, text);
  return gtk_widget_get_sensitive (fixture->join_button);
}

static void
test_join_accepts_typed_ids (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *accepted[] = {
    "1KYAUPMB9KRT",
    "1kyaupmb9krt",
    "1kya upmb 9krt",
    "1KYA-UPMB-9KRT",
    " 1k-Ya Up-mB 9k rT ",
    "1kyaupmb9krt-",
  };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *room_id = NULL;

      g_assert_true (can_join (fixture, accepted[i]));
      g_assert_null (rc_join_dialog_get_error_text (fixture->dialog));
      room_id = rc_join_dialog_dup_room_id (fixture->dialog);
      g_assert_cmpstr (room_id, ==, "1KYAUPMB9KRT");
    }
}

static void
test_join_needs_twelve (Fixture       *fixture,
                        gconstpointer  data)
{
  g_assert_false (can_join (fixture, ""));
  g_assert_null (rc_join_dialog_get_error_text (fixture->dialog));
  g_assert_null (rc_join_dialog_dup_room_id (fixture->dialog));

  /* 11 characters: still typing, no error, no Join */
  g_assert_false (can_join (fixture, "1KYAUPMB9KR"));
  g_assert_null (rc_join_dialog_get_error_text (fixture->dialog));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (rc_test_child (fixture->dialog, RC_TYPE_JOIN_DIALOG, "hint_label"))),
                   ==, "11 of 12 characters");
  g_assert_false (can_join (fixture, "1kya-upmb 9kr"));

  /* 12: Join */
  g_assert_true (can_join (fixture, "1KYAUPMB9KRT"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (rc_test_child (fixture->dialog, RC_TYPE_JOIN_DIALOG, "hint_label"))),
                   ==, "12 of 12 characters");

  /* 13: too many */
  g_assert_false (can_join (fixture, "1KYAUPMB9KRTX"));
  g_assert_nonnull (rc_join_dialog_get_error_text (fixture->dialog));
  g_assert_true (gtk_widget_get_visible (rc_test_child (fixture->dialog, RC_TYPE_JOIN_DIALOG, "error_label")));
}

static void
test_join_rejects_other_characters (Fixture       *fixture,
                                    gconstpointer  data)
{
  const char *rejected[] = {
    "1KYA_UPMB_9KRT",
    "1KYA.UPMB.9KRT",
    "1KYAUPMB9KR!",
    "1KYAUPMB9KRÑ",
    "1KYA\tUPMB9KRT",
  };

  for (guint i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_assert_false (can_join (fixture, rejected[i]));
      g_assert_nonnull (rc_join_dialog_get_error_text (fixture->dialog));
      g_assert_null (rc_join_dialog_dup_room_id (fixture->dialog));
    }

  /* Fixing the text clears the error. */
  g_assert_true (can_join (fixture, "1KYAUPMB9KRT"));
  g_assert_null (rc_join_dialog_get_error_text (fixture->dialog));
}

static void
test_join_emits_canonical_id (Fixture       *fixture,
                              gconstpointer  data)
{
  gtk_editable_set_text (fixture->entry, "1kya-upmb 9krt");

  /* Enter in the entry joins. */
  g_signal_emit_by_name (fixture->entry, "activate");
  g_assert_cmpstr (fixture->joined, ==, "1KYAUPMB9KRT");

  /* Busy: no second join, and Join is greyed out. */
  g_clear_pointer (&fixture->joined, g_free);
  rc_join_dialog_set_busy (fixture->dialog, TRUE);
  g_assert_false (gtk_widget_get_sensitive (fixture->join_button));
  g_signal_emit_by_name (fixture->entry, "activate");
  g_assert_null (fixture->joined);

  rc_join_dialog_set_busy (fixture->dialog, FALSE);
  g_assert_true (gtk_widget_get_sensitive (fixture->join_button));
  g_signal_emit_by_name (fixture->join_button, "clicked");
  g_assert_cmpstr (fixture->joined, ==, "1KYAUPMB9KRT");
}

static void
test_join_inline_errors (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) no_room = g_error_new_literal (RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM, "server text");
  g_autoptr(GError) full = g_error_new_literal (RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_ROOM_FULL, "server text");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  GtkWidget *error_label = rc_test_child (fixture->dialog, RC_TYPE_JOIN_DIALOG, "error_label");

  gtk_editable_set_text (fixture->entry, "1KYAUPMB9KRT");

  rc_join_dialog_show_error (fixture->dialog, no_room);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (g_str_has_prefix (rc_join_dialog_get_error_text (fixture->dialog), "No room is waiting with this id."));
  g_assert_null (strstr (rc_join_dialog_get_error_text (fixture->dialog), "server text"));

  rc_join_dialog_show_error (fixture->dialog, full);
  g_assert_true (g_str_has_prefix (rc_join_dialog_get_error_text (fixture->dialog), "This room already has two people in it."));

  /* Editing the id clears the error. */
  gtk_editable_set_text (fixture->entry, "1KYAUPMB9KR");
  g_assert_null (rc_join_dialog_get_error_text (fixture->dialog));
  g_assert_false (gtk_widget_get_visible (error_label));

  rc_join_dialog_show_error (fixture->dialog, cancelled);
  g_assert_null (rc_join_dialog_get_error_text (fixture->dialog));
}

static void
test_join_accessible_names (Fixture       *fixture,
                            gconstpointer  data)
{
  /* Every control says what it is; the entry takes the keyboard focus. */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (fixture->dialog)) == GTK_WIDGET (fixture->entry)
                 || gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (fixture->dialog)),
                                            GTK_WIDGET (fixture->entry)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (fixture->join_button)), ==, "_Join");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (rc_test_child (fixture->dialog, RC_TYPE_JOIN_DIALOG, "cancel_button"))), ==, "_Cancel");
}

int
main (int   argc,
      char *argv[])
{
  rc_test_gui_init (&argc, &argv);

  g_test_add ("/join-dialog/accepts-typed-ids", Fixture, NULL,
              fixture_set_up, test_join_accepts_typed_ids, fixture_tear_down);
  g_test_add ("/join-dialog/needs-twelve", Fixture, NULL,
              fixture_set_up, test_join_needs_twelve, fixture_tear_down);
  g_test_add ("/join-dialog/rejects-other-characters", Fixture, NULL,
              fixture_set_up, test_join_rejects_other_characters, fixture_tear_down);
  g_test_add ("/join-dialog/emits-canonical-id", Fixture, NULL,
              fixture_set_up, test_join_emits_canonical_id, fixture_tear_down);
  g_test_add ("/join-dialog/inline-errors", Fixture, NULL,
              fixture_set_up, test_join_inline_errors, fixture_tear_down);
  g_test_add ("/join-dialog/accessible-names", Fixture, NULL,
              fixture_set_up, test_join_accessible_names, fixture_tear_down);

  return rc_test_gui_run ();
}
