/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <sys/resource.h>

#include "rc-admission.h"

/* Who may hold a connection: the caps of docs/protocol.md 3.1, in process. */

static void
test_caps (void)
{
  /* MAX_CONNECTIONS 16 keeps an overflow of 8 beyond it open. */
  g_autoptr(RcAdmission) admission = rc_admission_new (16, 4);
  guint open = 0;
  guint admitted = 0;

  g_assert_cmpuint (rc_admission_get_max_open (admission), ==, 24);

  /* Four from one address that have not logged in; the fifth is closed. */
  for (guint i = 0; i < 4; i++)
    g_assert_true (rc_admission_open (admission, "192.0.2.1"));
  g_assert_false (rc_admission_open (admission, "192.0.2.1"));
  /* Another address is not shut out by them. */
  g_assert_true (rc_admission_open (admission, "192.0.2.2"));

  /* Logging in moves a connection out of the address's count of those
   * that have not: room for one more. */
  g_assert_cmpint (rc_admission_admit (admission, "192.0.2.1"), ==, RC_ADMIT_OK);
  g_assert_true (rc_admission_open (admission, "192.0.2.1"));
  g_assert_false (rc_admission_open (admission, "192.0.2.1"));

  rc_admission_get_counts (admission, &open, &admitted, NULL);
  g_assert_cmpuint (open, ==, 6);
  g_assert_cmpuint (admitted, ==, 1);

  /* A failed login gives its place among the logged-in back. */
  g_assert_cmpint (rc_admission_admit (admission, "192.0.2.2"), ==, RC_ADMIT_OK);
  rc_admission_release (admission, "192.0.2.2");
  rc_admission_close (admission, "192.0.2.2", FALSE);
  rc_admission_get_counts (admission, &open, &admitted, NULL);
  g_assert_cmpuint (open, ==, 5);
  g_assert_cmpuint (admitted, ==, 1);
}

static void
test_logged_in_per_address (void)
{
  g_autoptr(RcAdmission) admission = rc_admission_new (100, 2);

  for (guint i = 0; i < 3; i++)
    g_assert_true (i < 2 ? rc_admission_open (admission, "2001:db8::/64") : TRUE);
  g_assert_cmpint (rc_admission_admit (admission, "2001:db8::/64"), ==, RC_ADMIT_OK);
  g_assert_true (rc_admission_open (admission, "2001:db8::/64"));
  g_assert_cmpint (rc_admission_admit (admission, "2001:db8::/64"), ==, RC_ADMIT_OK);
  g_assert_true (rc_admission_open (admission, "2001:db8::/64"));
  /* MAX_CONNECTIONS_PER_IP logged in already: server-full for the third. */
  g_assert_cmpint (rc_admission_admit (admission, "2001:db8::/64"), ==, RC_ADMIT_FULL);
}

static void
test_server_full (void)
{
  g_autoptr(RcAdmission) admission = rc_admission_new (2, 64);
  guint max_open = rc_admission_get_max_open (admission);

  for (guint i = 0; i < max_open; i++)
    {
      g_autofree char *key = g_strdup_printf ("192.0.2.%u", i);

      g_assert_true (rc_admission_open (admission, key));
      if (i < 2)
        g_assert_cmpint (rc_admission_admit (admission, key), ==, RC_ADMIT_OK);
      else
        g_assert_cmpint (rc_admission_admit (admission, key), ==, RC_ADMIT_FULL);
    }
  /* Past the overflow, even the accept is refused. */
  g_assert_false (rc_admission_open (admission, "198.51.100.1"));

  /* A reload that lowers the caps keeps the connections there are. */
  rc_admission_set_limits (admission, 1, 64);
  g_assert_cmpuint (rc_admission_get_max_connections (admission), ==, 1);
}

/* Away seats (docs/protocol.md 3.6) take places like connections; the
 * places their own address's seats fill still let it in, to resume. */
static void
test_away_seats (void)
{
  g_autoptr(RcAdmission) admission = rc_admission_new (3, 2);
  guint away = 0;

  /* 192.0.2.1 had two connections; both dropped, their seats away */
  rc_admission_hold_seat (admission, "192.0.2.1");
  rc_admission_hold_seat (admission, "192.0.2.1");
  rc_admission_get_counts (admission, NULL, NULL, &away);
  g_assert_cmpuint (away, ==, 2);

  /* Full for that address but for its seats: in, to resume */
  g_assert_true (rc_admission_open (admission, "192.0.2.1"));
  g_assert_cmpint (rc_admission_admit (admission, "192.0.2.1"), ==, RC_ADMIT_TO_RESUME);

  /* Another address takes the last place; then the server is full for it,
   * whatever another address's seats */
  g_assert_true (rc_admission_open (admission, "192.0.2.2"));
  g_assert_true (rc_admission_open (admission, "192.0.2.2"));
  g_assert_cmpint (rc_admission_admit (admission, "192.0.2.2"), ==, RC_ADMIT_FULL);

  /* A seat resumed or expired frees its place */
  rc_admission_free_seat (admission, "192.0.2.1");
  rc_admission_free_seat (admission, "192.0.2.1");
  g_assert_cmpint (rc_admission_admit (admission, "192.0.2.2"), ==, RC_ADMIT_OK);
  rc_admission_get_counts (admission, NULL, NULL, &away);
  g_assert_cmpuint (away, ==, 0);
}

/* With a low descriptor limit, MAX_CONNECTIONS is lowered (and said so)
 * and the cap on open connections stays below the limit, so accept()
 * never runs out of descriptors. In a child: the limit cannot be raised
 * again once lowered. */
static void
test_descriptors (void)
{
  if (g_test_subprocess ())
    {
      struct rlimit low = { 256, 256 };
      g_autoptr(RcAdmission) admission = rc_admission_new (10000, 64);

      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);
      g_test_expect_message ("roomchat-server", G_LOG_LEVEL_WARNING, "MAX_CONNECTIONS lowered from 10000 to *");
      rc_admission_fit_descriptors (admission);
      g_test_assert_expected_messages ();

      g_assert_cmpuint (rc_admission_get_max_open (admission), <=, 256 - 64);
      g_assert_cmpuint (rc_admission_get_max_connections (admission), <, rc_admission_get_max_open (admission));
      g_assert_cmpuint (rc_admission_get_max_connections (admission), >=, 1);
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

  g_test_add_func ("/server/admission/caps", test_caps);
  g_test_add_func ("/server/admission/logged-in-per-address", test_logged_in_per_address);
  g_test_add_func ("/server/admission/server-full", test_server_full);
  g_test_add_func ("/server/admission/away-seats", test_away_seats);
  g_test_add_func ("/server/admission/descriptors", test_descriptors);

  return g_test_run ();
}
