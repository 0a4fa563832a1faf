/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-json.h"

/* The strict JSON of docs/protocol.md section 2, one rule at a time. */

static gboolean
check (const char  *text,
       gsize        length,
       GError     **error)
{
  g_autoptr(RcJsonChecker) checker = rc_json_checker_new ();
  RcJsonValue object;

  return rc_json_checker_check_object (checker, text, length, &object, error);
}

static void
assert_valid (const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!check (text, strlen (text), &error))
    g_error ("refused %s: %s", text, error->message);
}

static void
assert_invalid (const char  *text,
                RcJsonError  code)
{
  g_autoptr(GError) error = NULL;

  if (check (text, strlen (text), &error))
    g_error ("accepted %s", text);
  if (!g_error_matches (error, RC_JSON_ERROR, code))
    g_error ("refused %s with \"%s\", not code %d", text, error->message, code);
}

static void
test_json_valid (void)
{
  const char *valid[] = {
    "{}",
    " {} ",
    "\t{\r\n}\r",
    "{\"a\":1}",
    "{\"a\":-0,\"b\":0.5,\"c\":-1.25e+10,\"d\":2E-3,\"e\":1e0,\"f\":123456789012345678901234567890}",
    "{\"a\":true,\"b\":false,\"c\":null}",
    "{\"a\":[],\"b\":{},\"c\":[[]],\"d\":[{}]}",
    "{\"a\":[1, \"x\" ,true,null,{\"b\":[]}]}",
    "{\"a\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\"}",
    "{\"a\":\"Zo\xc3\xab \xf0\x9f\x8e\x89 \xe2\x82\xac \x7f\"}",
    "{\"\":0}",
    "{\"a\":{\"a\":{\"a\":1}}}",           /* the same name in different objects */
    "{\"a\":[{\"x\":1},{\"x\":2}]}",
    "{\"a\":1,\"A\":2}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    assert_valid (valid[i]);
}

static void
test_json_numbers (void)
{
  const char *invalid[] = {
    "{\"a\":01}", "{\"a\":-01}", "{\"a\":00}", "{\"a\":0x1}", "{\"a\":0x10}", "{\"a\":2.}",
    "{\"a\":.2e-3}", "{\"a\":- 1}", "{\"a\":+1}", "{\"a\":1e}", "{\"a\":1e+}", "{\"a\":1.e5}",
    "{\"a\":-}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":1_000}",
    "{\"a\":1 2}", "{\"a\":0.1.2}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    assert_invalid (invalid[i], RC_JSON_ERROR_SYNTAX);
}

static void
test_json_strings (void)
{
  const char *invalid[] = {
    "{\"a\":\"\\x41\"}", "{\"a\":\"\\U0041\"}", "{\"a\":\"\\'\"}", "{\"a\":\"\\\t\"}",
    "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\uD83D\"}", "{\"a\":\"\\uDE00\"}",
    "{\"a\":\"\\uD83D\\u0041\"}", "{\"a\":\"\\uD83Dx\"}", "{\"a\":\"\\a\"}", "{\"a\":\"\\0\"}",
    "{\"a\":\"tab\there\"}", "{\"a\":\"line\nbreak\"}", "{\"a\":'x'}", "{'a':1}",
    "{\"a\":\"unterminated}", "{\"a\":\"\\\"}",
    /* not UTF-8: a lone continuation byte, an overlong '/', a surrogate, past U+10FFFF */
    "{\"a\":\"\x80\"}", "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
    "{\"a\":\"\xe2\x82\"}",
  };
  const char nul_inside[] = "{\"a\":\"x\0y\"}";

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    assert_invalid (invalid[i], RC_JSON_ERROR_SYNTAX);

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (check (nul_inside, sizeof nul_inside - 1, &error));
    g_assert_error (error, RC_JSON_ERROR, RC_JSON_ERROR_SYNTAX);
  }
}

static void
test_json_structure (void)
{
  const char *invalid[] = {
    "", "   ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{,\"a\":1}",
    "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1 2]}", "{\"a\":[}", "{\"a\":{]}", "{\"a\":1}}",
    "{\"a\":1} {\"b\":2}", "{\"a\":1}x", "{\"a\":1} /* c */", "{\"a\":1 // c\n}", "{a:1}",
    "{\"a\":tru}", "{\"a\":truex}", "{\"a\":nul}", "{\"a\":True}", "\xef\xbb\xbf{}", "{\f}",
    "{\v}", "{\"a\":1}\f",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    assert_invalid (invalid[i], RC_JSON_ERROR_SYNTAX);

  assert_invalid ("[]", RC_JSON_ERROR_NOT_OBJECT);
  assert_invalid ("\"a\"", RC_JSON_ERROR_NOT_OBJECT);
  assert_invalid ("42", RC_JSON_ERROR_NOT_OBJECT);
  assert_invalid ("null", RC_JSON_ERROR_NOT_OBJECT);
}

static void
test_json_depth (void)
{
  GString *sixteen = g_string_new ("{\"a\":");
  GString *seventeen = NULL;
  g_autofree char *deep = NULL;
  g_autofree char *wide = NULL;
  g_autofree char *unclosed = NULL;
  g_autoptr(GError) error = NULL;
  gsize n = 65536;

  /* The object counts as one level: 15 arrays inside make 16. */
  for (guint i = 0; i < 15; i++)
    g_string_append_c (sixteen, '[');
  for (guint i = 0; i < 15; i++)
    g_string_append_c (sixteen, ']');
  g_string_append_c (sixteen, '}');
  assert_valid (sixteen->str);

  seventeen = g_string_new ("{\"a\":");
  for (guint i = 0; i < 16; i++)
    g_string_append (seventeen, "{\"b\":");
  g_string_append (seventeen, "1");
  for (guint i = 0; i < 17; i++)
    g_string_append_c (seventeen, '}');
  assert_invalid (seventeen->str, RC_JSON_ERROR_TOO_DEEP);

  /* What crashed json-glib on a small thread stack, closed and not. */
  deep = g_malloc (n + 1);
  memset (deep, '[', n);
  deep[n] = '\0';
  memcpy (deep, "{\"a\":", 5);
  assert_invalid (deep, RC_JSON_ERROR_TOO_DEEP);
  unclosed = g_strconcat ("{\"type\":\"ping\",\"x\":", deep + 5, NULL);
  assert_invalid (unclosed, RC_JSON_ERROR_TOO_DEEP);

  g_assert_false (check (deep, n, &error));
  g_string_free (sixteen, TRUE);
  g_string_free (seventeen, TRUE);

  /* Wide is fine: 10,000 elements in one array. */
  {
    GString *array = g_string_new ("{\"a\":[");

    for (guint i = 0; i < 10000; i++)
      g_string_append (array, i == 0 ? "0" : ",0");
    g_string_append (array, "]}");
    wide = g_string_free (array, FALSE);
    assert_valid (wide);
  }
}

static void
test_json_duplicates (void)
{
  GString *many = g_string_new ("{");
  GString *many_twice = NULL;

  assert_invalid ("{\"a\":1,\"a\":2}", RC_JSON_ERROR_DUPLICATE);
  assert_invalid ("{\"type\":\"ping\",\"type\":\"hello\"}", RC_JSON_ERROR_DUPLICATE);
  /* The same name written two ways is the same name. */
  assert_invalid ("{\"a\":1,\"\\u0061\":2}", RC_JSON_ERROR_DUPLICATE);
  assert_invalid ("{\"\\/\":1,\"/\":2}", RC_JSON_ERROR_DUPLICATE);
  assert_invalid ("{\"x\":{\"b\":1,\"c\":2,\"b\":3}}", RC_JSON_ERROR_DUPLICATE);
  assert_invalid ("{\"x\":[{\"b\":1,\"b\":3}]}", RC_JSON_ERROR_DUPLICATE);

  /* Many names: the sorted comparison, with and without a repeat. */
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (many, "%s\"k%u\":%u", i == 0 ? "" : ",", i, i);
  many_twice = g_string_new (many->str);
  g_string_append_c (many, '}');
  assert_valid (many->str);
  g_string_append (many_twice, ",\"k\\u0031234\":0}");
  assert_invalid (many_twice->str, RC_JSON_ERROR_DUPLICATE);

  g_string_free (many, TRUE);
  g_string_free (many_twice, TRUE);
}

static void
test_json_reading (void)
{
  const char *text = "{ \"type\" : \"mes\\u0073age\", \"seq\":12, \"big\":9223372036854775807,"
                     " \"over\":9223372036854775808, \"neg\":-9223372036854775808, \"frac\":1.0,"
                     " \"nul\":\"a\\u0000b\", \"nested\":{\"x\":[1,{\"y\":\"}\"}]}, \"t\":true }";
  g_autoptr(RcJsonChecker) checker = rc_json_checker_new ();
  g_autoptr(GError) error = NULL;
  RcJsonValue object;
  RcJsonValue name;
  RcJsonValue value;
  RcJsonIter iter;
  guint members = 0;

  g_assert_true (rc_json_checker_check_object (checker, text, strlen (text), &object, &error));
  g_assert_no_error (error);

  rc_json_iter_init (&iter, &object);
  while (rc_json_iter_next (&iter, &name, &value))
    {
      g_autofree char *key = rc_json_string_dup (&name, NULL);
      gint64 number = 0;

      members++;
      if (g_str_equal (key, "type"))
        {
          g_autofree char *type = rc_json_string_dup (&value, NULL);

          g_assert_cmpint (value.kind, ==, RC_JSON_STRING);
          g_assert_true (value.escaped);
          g_assert_true (rc_json_string_equal (&value, "message"));
          g_assert_cmpstr (type, ==, "message");
        }
      else if (g_str_equal (key, "seq"))
        {
          g_assert_true (rc_json_number_get_int64 (&value, &number));
          g_assert_cmpint (number, ==, 12);
        }
      else if (g_str_equal (key, "big"))
        {
          g_assert_true (rc_json_number_get_int64 (&value, &number));
          g_assert_cmpint (number, ==, G_MAXINT64);
        }
      else if (g_str_equal (key, "neg"))
        {
          g_assert_true (rc_json_number_get_int64 (&value, &number));
          g_assert_cmpint (number, ==, G_MININT64);
        }
      else if (g_str_equal (key, "over") || g_str_equal (key, "frac"))
        g_assert_false (rc_json_number_get_int64 (&value, &number));
      else if (g_str_equal (key, "nul"))
        g_assert_null (rc_json_string_dup (&value, NULL));
      else if (g_str_equal (key, "nested"))
        {
          RcJsonIter inner;
          RcJsonValue inner_name;
          RcJsonValue inner_value;

          g_assert_cmpint (value.kind, ==, RC_JSON_OBJECT);
          rc_json_iter_init (&inner, &value);
          g_assert_true (rc_json_iter_next (&inner, &inner_name, &inner_value));
          g_assert_true (rc_json_string_equal (&inner_name, "x"));
          g_assert_cmpint (inner_value.kind, ==, RC_JSON_ARRAY);
          g_assert_cmpmem (inner_value.start, inner_value.end - inner_value.start, "[1,{\"y\":\"}\"}]", 13);
          g_assert_false (rc_json_iter_next (&inner, &inner_name, &inner_value));
        }
      else if (g_str_equal (key, "t"))
        g_assert_cmpint (value.kind, ==, RC_JSON_TRUE);
      else
        g_assert_not_reached ();
    }
  g_assert_cmpuint (members, ==, 9);
}

/* A checker keeps working across documents, after refusing one too. */
static void
test_json_reuse (void)
{
  g_autoptr(RcJsonChecker) checker = rc_json_checker_new ();
  const char *texts[] = { "{\"a\":1,\"a\":2}", "{\"a\":1}", "{\"a\":[", "{\"b\":{\"a\":1},\"a\":2}" };
  const gboolean expected[] = { FALSE, TRUE, FALSE, TRUE };

  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        g_autoptr(GError) error = NULL;
        RcJsonValue object;

        g_assert_cmpint (rc_json_checker_check_object (checker, texts[i], strlen (texts[i]), &object, &error),
                         ==, expected[i]);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/valid", test_json_valid);
  g_test_add_func ("/json/numbers", test_json_numbers);
  g_test_add_func ("/json/strings", test_json_strings);
  g_test_add_func ("/json/structure", test_json_structure);
  g_test_add_func ("/json/depth", test_json_depth);
  g_test_add_func ("/json/duplicates", test_json_duplicates);
  g_test_add_func ("/json/reading", test_json_reading);
  g_test_add_func ("/json/reuse", test_json_reuse);

  return g_test_run ();
}
