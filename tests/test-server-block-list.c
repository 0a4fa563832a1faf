/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "rc-block-list.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("roomchat-blocks-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "blocks.json", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_unlink (fixture->path);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
describe (const char  *address_text,
          char       **text,
          char       **key)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (address_text);

  g_assert_nonnull (address);
  rc_block_list_describe_address (address, text, key);
}

static void
test_keys (void)
{
  g_autofree char *text = NULL;
  g_autofree char *key = NULL;

  describe ("192.0.2.7", &text, &key);
  g_assert_cmpstr (text, ==, "192.0.2.7");
  g_assert_cmpstr (key, ==, "192.0.2.7");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&key, g_free);

  /* What a dual-stack socket reports for an IPv4 client */
  describe ("::ffff:192.0.2.7", &text, &key);
  g_assert_cmpstr (text, ==, "192.0.2.7");
  g_assert_cmpstr (key, ==, "192.0.2.7");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&key, g_free);

  describe ("2001:db8:1:2:3:4:5:6", &text, &key);
  g_assert_cmpstr (text, ==, "2001:db8:1:2:3:4:5:6");
  g_assert_cmpstr (key, ==, "2001:db8:1:2::/64");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&key, g_free);

  describe ("::1", &text, &key);
  g_assert_cmpstr (text, ==, "::1");
  g_assert_cmpstr (key, ==, "::/64");
}

static void
fail_times (RcBlockList *blocks,
            const char  *key,
            guint        times)
{
  for (guint i = 0; i < times; i++)
    {
      guint attempts_left = 99;
      gboolean blocked = rc_block_list_add_failure (blocks, key, &attempts_left);

      g_assert_cmpuint (attempts_left, ==, 3 - (i + 1));
      g_assert_cmpint (blocked, ==, i + 1 == 3);
    }
}

static void
test_block_and_expire (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (fixture->path, 3, 300);
  gint64 retry_after = 0;

  g_assert_false (rc_block_list_is_blocked (blocks, "192.0.2.7", NULL));
  fail_times (blocks, "192.0.2.7", 3);

  g_assert_true (rc_block_list_is_blocked (blocks, "192.0.2.7", &retry_after));
  g_assert_cmpint (retry_after, >, 0);
  g_assert_cmpint (retry_after, <=, 300);
  g_assert_false (rc_block_list_is_blocked (blocks, "192.0.2.8", NULL));
  g_assert_cmpuint (rc_block_list_count_blocked (blocks), ==, 1);

  /* 299 seconds later it still is; after 300 it is not, and it has three
   * attempts again. */
  rc_block_list_set_clock_offset (blocks, 299);
  g_assert_true (rc_block_list_is_blocked (blocks, "192.0.2.7", &retry_after));
  g_assert_cmpint (retry_after, ==, 1);
  rc_block_list_set_clock_offset (blocks, 301);
  g_assert_false (rc_block_list_is_blocked (blocks, "192.0.2.7", NULL));
  g_assert_cmpuint (rc_block_list_count_blocked (blocks), ==, 0);
  fail_times (blocks, "192.0.2.7", 2);
}

static void
test_success_resets (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (fixture->path, 3, 300);

  fail_times (blocks, "192.0.2.7", 2);
  rc_block_list_add_success (blocks, "192.0.2.7");
  /* Counting starts again: three more before the block */
  fail_times (blocks, "192.0.2.7", 3);
  g_assert_true (rc_block_list_is_blocked (blocks, "192.0.2.7", NULL));
}

static void
test_ipv6_prefix (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (fixture->path, 3, 300);
  g_autofree char *text_a = NULL;
  g_autofree char *key_a = NULL;
  g_autofree char *text_b = NULL;
  g_autofree char *key_b = NULL;
  g_autofree char *text_c = NULL;
  g_autofree char *key_c = NULL;

  describe ("2001:db8:aa:bb::1", &text_a, &key_a);
  describe ("2001:db8:aa:bb:ffff:ffff:ffff:fffe", &text_b, &key_b);
  describe ("2001:db8:aa:bc::1", &text_c, &key_c);

  fail_times (blocks, key_a, 3);
  g_assert_true (rc_block_list_is_blocked (blocks, key_a, NULL));
  /* Same /64: blocked too */
  g_assert_true (rc_block_list_is_blocked (blocks, key_b, NULL));
  /* The next /64 is not */
  g_assert_false (rc_block_list_is_blocked (blocks, key_c, NULL));
}

static void
test_persistence (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (fixture->path, 3, 300);
  g_autoptr(RcBlockList) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf buf;
  guint attempts_left = 0;

  fail_times (blocks, "192.0.2.7", 3);
  rc_block_list_add_failure (blocks, "198.51.100.1", &attempts_left);
  g_assert_cmpuint (attempts_left, ==, 2);

  /* Written at once, private to the server */
  g_assert_cmpint (g_stat (fixture->path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);

  reloaded = rc_block_list_new (fixture->path, 3, 300);
  rc_block_list_load (reloaded, &error);
  g_assert_no_error (error);
  g_assert_true (rc_block_list_is_blocked (reloaded, "192.0.2.7", NULL));
  /* The count of wrong passwords survives too. */
  rc_block_list_add_failure (reloaded, "198.51.100.1", &attempts_left);
  g_assert_cmpuint (attempts_left, ==, 1);
}

static void
test_bad_file (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (fixture->path, 3, 300);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (fixture->path, "[1, 2", -1, &error);
  g_assert_no_error (error);
  g_assert_false (rc_block_list_load (blocks, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, fixture->path));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/block-list/keys", test_keys);
  g_test_add ("/server/block-list/block-and-expire", Fixture, NULL,
              fixture_set_up, test_block_and_expire, fixture_tear_down);
  g_test_add ("/server/block-list/success-resets", Fixture, NULL,
              fixture_set_up, test_success_resets, fixture_tear_down);
  g_test_add ("/server/block-list/ipv6-prefix", Fixture, NULL,
              fixture_set_up, test_ipv6_prefix, fixture_tear_down);
  g_test_add ("/server/block-list/persistence", Fixture, NULL,
              fixture_set_up, test_persistence, fixture_tear_down);
  g_test_add ("/server/block-list/bad-file", Fixture, NULL,
              fixture_set_up, test_bad_file, fixture_tear_down);

  return g_test_run ();
}
