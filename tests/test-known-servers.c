/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <glib/gstdio.h>

#include "rc-known-servers.h"
#include "server-helpers.h"

/* The known-servers file: keys, pins, replacing a pin, and the file's
 * mode. */

static void
test_known_servers (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("roomchat-known-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "deep", "known-servers", NULL);
  g_autofree char *v6 = rc_known_servers_key ("::1", 8888);
  g_autofree char *name = rc_known_servers_key ("Chat.Example.org", 443);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *other = NULL;
  GStatBuf buf;

  g_assert_no_error (error);
  g_assert_cmpstr (v6, ==, "[::1]:8888");
  g_assert_cmpstr (name, ==, "chat.example.org:443");

  g_assert_null (rc_known_servers_lookup (path, name, &error));
  g_assert_no_error (error);

  g_assert_true (rc_known_servers_pin (path, name, "AA:BB", &error));
  g_assert_true (rc_known_servers_pin (path, v6, "CC:DD", &error));
  g_assert_true (rc_known_servers_pin (path, name, "ee:ff", &error));
  g_assert_no_error (error);

  first = rc_known_servers_lookup (path, name, &error);
  second = rc_known_servers_lookup (path, v6, &error);
  other = rc_known_servers_lookup (path, "chat.example.org:8888", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "EE:FF");
  g_assert_cmpstr (second, ==, "CC:DD");
  g_assert_null (other);

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);

  test_remove_tree (folder);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/known-servers/pin-and-lookup", test_known_servers);

  return g_test_run ();
}
