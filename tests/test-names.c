/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-names.h"
#include "rc-protocol-error.h"

static void
test_name_rules (void)
{
  const struct { const char *in; const char *out; } good[] = {
    { "Pablo", "Pablo" },
    { "  Ana \t", "Ana" },
    { "Zoë", "Zoë" },
    { "李小龙", "李小龙" },
    { "x", "x" },
    { "abcdefghijklmnopqrstuvwxyzabcdef", "abcdefghijklmnopqrstuvwxyzabcdef" },
    { "ñññññññññññññññññññññññññññññññ ", "ñññññññññññññññññññññññññññññññ" },
    { "Ana María", "Ana María" },
  };
  const char *bad[] = {
    "", "   ", "\t\n",
    "abcdefghijklmnopqrstuvwxyzabcdefg",
    "ñññññññññññññññññññññññññññññññññ",
    "Ana\nMaría", "bell\a", "del\x7f",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = rc_name_normalize (good[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, good[i].out);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = rc_name_normalize (bad[i], &error);

      g_assert_error (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_NAME);
      g_assert_null (name);
    }
}

static void
test_room_id_normalize (void)
{
  const char *same[] = {
    "1KYAUPMB9KRT", "1kyaupmb9krt", "1KYA-UPMB-9KRT", "1kya upmb 9krt",
    " 1KY-AUP MB9-KRT ", "1kYaUpMb9KrT",
  };
  const char *bad[] = {
    "", "1KYAUPMB9KR", "1KYAUPMB9KRTX", "1KYAUPMB9KR_", "1KYAUPMB9KRÉ",
    "1KYA.UPMB.9KRT", "------------",
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *id = rc_room_id_normalize (same[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (id, ==, "1KYAUPMB9KRT");
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *id = rc_room_id_normalize (bad[i], &error);

      g_assert_error (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
      g_assert_null (id);
    }
}

static void
test_room_id_partial (void)
{
  guint n_valid = 0;

  g_assert_true (rc_room_id_is_partial ("", &n_valid));
  g_assert_cmpuint (n_valid, ==, 0);
  g_assert_true (rc_room_id_is_partial ("1ky-a", &n_valid));
  g_assert_cmpuint (n_valid, ==, 4);
  g_assert_true (rc_room_id_is_partial ("1KYA UPMB 9KRT", &n_valid));
  g_assert_cmpuint (n_valid, ==, 12);
  g_assert_false (rc_room_id_is_partial ("1KYA UPMB 9KRT7", &n_valid));
  g_assert_false (rc_room_id_is_partial ("1KY!", &n_valid));
}

static void
test_room_id_generate (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint counts[256] = { 0 };

  for (guint i = 0; i < 2000; i++)
    {
      char *id = rc_room_id_generate ();
      g_autofree char *normal = rc_room_id_normalize (id, NULL);

      g_assert_cmpuint (strlen (id), ==, RC_ROOM_ID_LENGTH);
      g_assert_cmpstr (normal, ==, id);
      for (const char *p = id; *p; p++)
        counts[(guint8) *p]++;
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }

  /* 24,000 characters over 36 symbols: each appears about 667 times; a
   * symbol far outside that means the draw is biased or broken. */
  for (const char *c = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"; *c; c++)
    g_assert_cmpuint (counts[(guint8) *c], >, 450);
}

static void
test_roles (void)
{
  RcRole role;

  g_assert_cmpstr (rc_role_to_string (RC_ROLE_CREATOR), ==, "creator");
  g_assert_cmpstr (rc_role_to_string (RC_ROLE_JOINER), ==, "joiner");
  g_assert_true (rc_role_from_string ("joiner", &role));
  g_assert_cmpint (role, ==, RC_ROLE_JOINER);
  g_assert_true (rc_role_from_string ("creator", &role));
  g_assert_cmpint (role, ==, RC_ROLE_CREATOR);
  g_assert_false (rc_role_from_string ("Creator", &role));
}

static void
test_error_codes (void)
{
  for (RcProtocolError e = RC_PROTOCOL_ERROR_BAD_FRAME; e < RC_PROTOCOL_ERROR_UNKNOWN; e++)
    g_assert_cmpint (rc_protocol_error_from_code (rc_protocol_error_to_code (e)), ==, e);

  g_assert_cmpstr (rc_protocol_error_to_code (RC_PROTOCOL_ERROR_AUTH_FAILED), ==, "auth-failed");
  g_assert_cmpstr (rc_protocol_error_to_code (RC_PROTOCOL_ERROR_SHUTTING_DOWN), ==, "shutting-down");
  g_assert_cmpint (rc_protocol_error_from_code ("no-such-code"), ==, RC_PROTOCOL_ERROR_UNKNOWN);
}

/* The numbers of an error frame travel with the GError, copies included;
 * an error made the plain way (as the server makes its own) has none. */
static void
test_error_data (void)
{
  g_autoptr(GError) blocked = rc_protocol_error_new (RC_PROTOCOL_ERROR_BLOCKED, "Blocked", -1, 299);
  g_autoptr(GError) auth = rc_protocol_error_new (RC_PROTOCOL_ERROR_AUTH_FAILED, "Wrong", 2, -1);
  g_autoptr(GError) copy = g_error_copy (auth);
  g_autoptr(GError) plain = NULL;

  g_assert_error (blocked, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BLOCKED);
  g_assert_cmpstr (blocked->message, ==, "Blocked");
  g_assert_cmpint (rc_protocol_error_get_retry_after (blocked), ==, 299);
  g_assert_cmpint (rc_protocol_error_get_attempts_left (blocked), ==, -1);

  g_assert_error (copy, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_AUTH_FAILED);
  g_assert_cmpint (rc_protocol_error_get_attempts_left (copy), ==, 2);
  g_assert_cmpint (rc_protocol_error_get_retry_after (copy), ==, -1);

  g_set_error (&plain, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_NAME, "Bad name %s", "x");
  g_assert_cmpstr (plain->message, ==, "Bad name x");
  g_assert_cmpint (rc_protocol_error_get_attempts_left (plain), ==, -1);
  g_assert_cmpint (rc_protocol_error_get_retry_after (plain), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/names/name-rules", test_name_rules);
  g_test_add_func ("/names/room-id/normalize", test_room_id_normalize);
  g_test_add_func ("/names/room-id/partial", test_room_id_partial);
  g_test_add_func ("/names/room-id/generate", test_room_id_generate);
  g_test_add_func ("/names/roles", test_roles);
  g_test_add_func ("/names/error-codes", test_error_codes);
  g_test_add_func ("/names/error-data", test_error_data);

  return g_test_run ();
}
