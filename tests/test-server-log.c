/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "rc-server-log.h"
#include "server-helpers.h"

/* The server's log as an administrator reads it: the journal's fields and
 * priorities of an event, and a log file that stays bounded. */

typedef struct
{
  GHashTable *fields;   /* key -> value of the last entry */
} Captured;

static GLogWriterOutput
capture (GLogLevelFlags   level,
         const GLogField *fields,
         gsize            n_fields,
         gpointer         user_data)
{
  Captured *captured = user_data;

  g_hash_table_remove_all (captured->fields);
  for (gsize i = 0; i < n_fields; i++)
    g_hash_table_insert (captured->fields, g_strdup (fields[i].key),
                         fields[i].length < 0 ? g_strdup (fields[i].value)
                                              : g_strndup (fields[i].value, (gsize) fields[i].length));
  return G_LOG_WRITER_HANDLED;
}

static void
test_fields (void)
{
  if (g_test_subprocess ())
    {
      Captured captured = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
      RcLogSubject subject = { "192.0.2.7", "ABCDEFGHJKLM", "Ana" };

      g_log_set_writer_func (capture, &captured, NULL);

      /* A wrong password: notice (5), with who and where */
      rc_log_notice (&subject, "Wrong password from %s", subject.name);
      g_assert_cmpstr (g_hash_table_lookup (captured.fields, "PRIORITY"), ==, "5");
      g_assert_cmpstr (g_hash_table_lookup (captured.fields, "MESSAGE"), ==, "Wrong password from Ana");
      g_assert_cmpstr (g_hash_table_lookup (captured.fields, "ROOMCHAT_ADDRESS"), ==, "192.0.2.7");
      g_assert_cmpstr (g_hash_table_lookup (captured.fields, "ROOMCHAT_ROOM"), ==, "ABCDEFGHJKLM");
      g_assert_cmpstr (g_hash_table_lookup (captured.fields, "ROOMCHAT_NAME"), ==, "Ana");
      g_assert_cmpstr (g_hash_table_lookup (captured.fields, "GLIB_DOMAIN"), ==, "roomchat-server");

      /* A block: warning (4); a room: info (6), and only the fields it has */
      rc_log_warning (&subject, "Blocked");
      g_assert_cmpstr (g_hash_table_lookup (captured.fields, "PRIORITY"), ==, "4");
      rc_log_info (&(RcLogSubject) { NULL, "ABCDEFGHJKLM", NULL }, "Room ended");
      g_assert_cmpstr (g_hash_table_lookup (captured.fields, "PRIORITY"), ==, "6");
      g_assert_false (g_hash_table_contains (captured.fields, "ROOMCHAT_ADDRESS"));
      g_assert_false (g_hash_table_contains (captured.fields, "ROOMCHAT_NAME"));

      g_hash_table_unref (captured.fields);
      return;
    }

  /* In a child: the writer is the process's for good. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The log file is rotated to server.log.1 past 10 MiB: the two together
 * never hold much more than twice that. */
static void
test_file_bounded (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("roomchat-log-XXXXXX", &error);
      g_autofree char *current = g_build_filename (dir, "server.log", NULL);
      g_autofree char *rotated = g_build_filename (dir, "server.log.1", NULL);
      g_autofree char *padding = g_strnfill (200, 'x');
      GStatBuf st;
      int quiet = open ("/dev/null", O_WRONLY);

      g_assert_no_error (error);
      /* The lines go to standard error too: not to the test's. */
      g_assert_cmpint (dup2 (quiet, STDERR_FILENO), ==, STDERR_FILENO);
      rc_server_log_init (open (dir, O_RDONLY | O_DIRECTORY), "server.log");

      for (guint i = 0; i < 60000; i++)
        rc_log_info (NULL, "Line %u %s", i, padding);

      g_assert_cmpint (g_stat (rotated, &st), ==, 0);
      g_assert_cmpint (st.st_size, >=, 10 * 1024 * 1024);
      g_assert_cmpint (st.st_size, <, 11 * 1024 * 1024);
      g_assert_cmpint (g_stat (current, &st), ==, 0);
      g_assert_cmpint (st.st_size, <, 10 * 1024 * 1024);
      g_assert_cmpint (st.st_size, >, 0);

      test_remove_tree (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/log/fields", test_fields);
  g_test_add_func ("/server/log/file-bounded", test_file_bounded);

  return g_test_run ();
}
