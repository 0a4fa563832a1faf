/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-password.h"

static void
test_plain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcPassword) password = rc_password_new ("test12345", &error);

  g_assert_no_error (error);
  g_assert_true (rc_password_check (password, "test12345"));
  g_assert_false (rc_password_check (password, "test1234"));
  g_assert_false (rc_password_check (password, "test123456"));
  g_assert_false (rc_password_check (password, ""));
}

static void
test_hashed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = rc_password_hash ("correct horse", 1000, &error);
  g_autoptr(RcPassword) password = NULL;
  g_auto(GStrv) parts = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "pbkdf2-sha256$1000$"));
  parts = g_strsplit (hash, "$", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 4);

  password = rc_password_new (hash, &error);
  g_assert_no_error (error);
  g_assert_true (rc_password_check (password, "correct horse"));
  g_assert_false (rc_password_check (password, "correct horse "));
  g_assert_false (rc_password_check (password, hash));
}

static void
test_known_vector (void)
{
  /* PBKDF2-HMAC-SHA-256 ("password", "salt", 1 iteration, 32 bytes), the
   * widely published vector (also: openssl kdf ... PBKDF2) */
  g_autoptr(GError) error = NULL;
  g_autoptr(RcPassword) password =
    rc_password_new ("pbkdf2-sha256$1$c2FsdA==$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs=", &error);

  g_assert_no_error (error);
  g_assert_true (rc_password_check (password, "password"));
  g_assert_false (rc_password_check (password, "Password"));
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "pbkdf2-sha256$",
    "pbkdf2-sha256$1000$c2FsdA==",
    "pbkdf2-sha256$zero$c2FsdA==$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs=",
    "pbkdf2-sha256$0$c2FsdA==$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs=",
    "pbkdf2-sha256$1$c2Fsd!==$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs=",
    "pbkdf2-sha256$1$c2FsdA==$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVI",
    "pbkdf2-sha256$1$c2FsdA==$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs=$x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RcPassword) password = rc_password_new (bad[i], &error);

      g_assert_null (password);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "SERVER_PASSWORD"));
    }
}

static void
test_generate (void)
{
  g_autofree char *a = rc_password_generate ();
  g_autofree char *b = rc_password_generate ();

  g_assert_cmpuint (strlen (a), ==, 20);
  g_assert_cmpstr (a, !=, b);
  for (const char *p = a; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/password/plain", test_plain);
  g_test_add_func ("/server/password/hashed", test_hashed);
  g_test_add_func ("/server/password/known-vector", test_known_vector);
  g_test_add_func ("/server/password/malformed", test_malformed);
  g_test_add_func ("/server/password/generate", test_generate);

  return g_test_run ();
}
