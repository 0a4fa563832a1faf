/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-block-list.h"
#include "rc-tsan.h"

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

/* One login attempt with a wrong or right password, as a hello makes it. */
static gboolean
attempt (RcBlockList *blocks,
         const char  *key,
         gboolean     correct,
         guint       *attempts_left)
{
  g_assert_cmpint (rc_block_list_begin_attempt (blocks, key, g_get_monotonic_time () + G_USEC_PER_SEC, NULL),
                   ==, RC_ATTEMPT_ALLOWED);
  return rc_block_list_end_attempt (blocks, key, correct, attempts_left);
}

static void
fail_times (RcBlockList *blocks,
            const char  *key,
            guint        times)
{
  for (guint i = 0; i < times; i++)
    {
      guint attempts_left = 99;
      gboolean blocked = attempt (blocks, key, FALSE, &attempts_left);

      g_assert_cmpuint (attempts_left, ==, 3 - (i + 1));
      g_assert_cmpint (blocked, ==, i + 1 == 3);
    }
}

static void
test_block_and_expire (void)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (3, 300);
  gint64 retry_after = 0;

  g_assert_false (rc_block_list_is_blocked (blocks, "192.0.2.7", NULL));
  fail_times (blocks, "192.0.2.7", 3);

  g_assert_true (rc_block_list_is_blocked (blocks, "192.0.2.7", &retry_after));
  g_assert_cmpint (retry_after, >, 0);
  g_assert_cmpint (retry_after, <=, 300);
  g_assert_false (rc_block_list_is_blocked (blocks, "192.0.2.8", NULL));
  g_assert_cmpuint (rc_block_list_count_blocked (blocks), ==, 1);
  g_assert_cmpint (rc_block_list_begin_attempt (blocks, "192.0.2.7", g_get_monotonic_time (), &retry_after),
                   ==, RC_ATTEMPT_BLOCKED);

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
test_success_resets (void)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (3, 300);

  fail_times (blocks, "192.0.2.7", 2);
  attempt (blocks, "192.0.2.7", TRUE, NULL);
  /* Counting starts again: three more before the block */
  fail_times (blocks, "192.0.2.7", 3);
  g_assert_true (rc_block_list_is_blocked (blocks, "192.0.2.7", NULL));
}

/* Wrong passwords in a row are forgotten after BLOCK_SECONDS without one. */
static void
test_failures_expire (void)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (3, 300);
  g_autofree char *saved = NULL;
  guint64 generation = 0;
  gsize length = 0;

  fail_times (blocks, "192.0.2.7", 2);
  rc_block_list_set_clock_offset (blocks, 301);
  fail_times (blocks, "192.0.2.7", 2);
  g_assert_false (rc_block_list_is_blocked (blocks, "192.0.2.7", NULL));

  /* And they leave the file. */
  rc_block_list_set_clock_offset (blocks, 700);
  saved = rc_block_list_serialize (blocks, &length, &generation);
  g_assert_null (strstr (saved, "192.0.2.7"));
}

static void
test_ipv6_prefix (void)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (3, 300);
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
test_persistence (void)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (3, 300);
  g_autoptr(RcBlockList) reloaded = rc_block_list_new (3, 300);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  guint64 generation = 0;
  gsize length = 0;
  guint attempts_left = 0;

  fail_times (blocks, "192.0.2.7", 3);
  attempt (blocks, "198.51.100.1", FALSE, &attempts_left);
  g_assert_cmpuint (attempts_left, ==, 2);
  g_assert_true (rc_block_list_has_changes (blocks));

  saved = rc_block_list_serialize (blocks, &length, &generation);
  g_assert_cmpuint (length, ==, strlen (saved));
  g_assert_false (rc_block_list_has_changes (blocks));

  g_assert_true (rc_block_list_load (reloaded, saved, length, &error));
  g_assert_no_error (error);
  g_assert_true (rc_block_list_is_blocked (reloaded, "192.0.2.7", NULL));
  /* The count of wrong passwords survives too. */
  attempt (reloaded, "198.51.100.1", FALSE, &attempts_left);
  g_assert_cmpuint (attempts_left, ==, 1);
}

static void
test_bad_file (void)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (3, 300);
  g_autoptr(GError) error = NULL;

  g_assert_false (rc_block_list_load (blocks, "[1, 2", 5, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (rc_block_list_load (blocks, "{\"x\": 1}", 8, &error));
  g_assert_nonnull (error);
}

typedef struct
{
  RcBlockList *blocks;
  GMutex       lock;
  GCond        cond;
  guint        ready;
  guint        verified;     /* attempts that were let through to the password */
  guint        refused;
} Race;

static gpointer
race_thread (gpointer data)
{
  Race *race = data;
  gint64 retry_after = 0;
  RcAttempt result;

  g_mutex_lock (&race->lock);
  race->ready++;
  g_cond_broadcast (&race->cond);
  while (race->ready < 64)
    g_cond_wait (&race->cond, &race->lock);
  g_mutex_unlock (&race->lock);

  result = rc_block_list_begin_attempt (race->blocks, "192.0.2.9", g_get_monotonic_time () + 5 * G_USEC_PER_SEC,
                                        &retry_after);
  if (result == RC_ATTEMPT_ALLOWED)
    {
      /* A password check takes a while: the others arrive meanwhile. */
      g_usleep (2000);
      rc_block_list_end_attempt (race->blocks, "192.0.2.9", FALSE, NULL);
    }

  g_mutex_lock (&race->lock);
  if (result == RC_ATTEMPT_ALLOWED)
    race->verified++;
  else
    race->refused++;
  g_mutex_unlock (&race->lock);
  return NULL;
}

/* 64 wrong passwords at the same moment: three are checked, the rest are
 * told the address is blocked. */
static void
test_parallel_attempts (void)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (3, 300);
  GThread *threads[64];
  Race race = { blocks };

  g_mutex_init (&race.lock);
  g_cond_init (&race.cond);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("attempt", race_thread, &race);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (race.verified, ==, 3);
  g_assert_cmpuint (race.refused, ==, 61);
  g_assert_true (rc_block_list_is_blocked (blocks, "192.0.2.9", NULL));
  g_mutex_clear (&race.lock);
  g_cond_clear (&race.cond);
}

/* A failure that could not be written: logins from that address are
 * refused until a write succeeds, others go on. */
static void
test_fails_closed (void)
{
  g_autoptr(RcBlockList) blocks = rc_block_list_new (3, 300);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  guint64 generation = 0;
  gsize length = 0;
  gint64 retry_after = 0;

  attempt (blocks, "192.0.2.7", FALSE, NULL);
  first = rc_block_list_serialize (blocks, &length, &generation);
  rc_block_list_saved (blocks, generation, FALSE);

  g_assert_true (rc_block_list_is_blocked (blocks, "192.0.2.7", &retry_after));
  g_assert_cmpint (retry_after, >, 0);
  g_assert_false (rc_block_list_is_blocked (blocks, "192.0.2.8", NULL));
  g_assert_true (rc_block_list_has_changes (blocks));

  second = rc_block_list_serialize (blocks, &length, &generation);
  rc_block_list_saved (blocks, generation, TRUE);
  g_assert_false (rc_block_list_is_blocked (blocks, "192.0.2.7", NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/block-list/keys", test_keys);
  g_test_add_func ("/server/block-list/block-and-expire", test_block_and_expire);
  g_test_add_func ("/server/block-list/success-resets", test_success_resets);
  g_test_add_func ("/server/block-list/failures-expire", test_failures_expire);
  g_test_add_func ("/server/block-list/ipv6-prefix", test_ipv6_prefix);
  g_test_add_func ("/server/block-list/persistence", test_persistence);
  g_test_add_func ("/server/block-list/bad-file", test_bad_file);
  g_test_add_func ("/server/block-list/parallel-attempts", test_parallel_attempts);
  g_test_add_func ("/server/block-list/fails-closed", test_fails_closed);

  return g_test_run ();
}
