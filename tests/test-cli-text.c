/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-cli-text.h"

/* What roomchat-cli prints of a text from the network: nothing in it may
 * reach the terminal as a control. */

static void
assert_escaped (const char *text,
                const char *continuation,
                const char *expected)
{
  g_autofree char *escaped = rc_cli_text_escape (text, continuation);

  g_assert_cmpstr (escaped, ==, expected);
}

/* No byte the terminal acts on is left: C0, DEL, C1 (as UTF-8 or raw). */
static void
assert_inert (const char *printed)
{
  for (const guchar *p = (const guchar *) printed; *p != '\0'; p++)
    {
      g_assert_true (*p >= 0x20 || *p == '\n');
      g_assert_cmpint (*p, !=, 0x7F);
      if (*p == 0xC2)
        g_assert_false (p[1] >= 0x80 && p[1] <= 0x9F);
    }
  g_assert_true (g_utf8_validate (printed, -1, NULL));
}

static void
test_plain_text_unchanged (void)
{
  assert_escaped ("Hola, ¿qué tal? Ñandú 🙂", NULL, "Hola, ¿qué tal? Ñandú 🙂");
  assert_escaped ("שלום مرحبا नमस्ते 最后", NULL, "שלום مرحبا नमस्ते 最后");
  assert_escaped ("a \\x1b stays as typed", NULL, "a \\x1b stays as typed");
  assert_escaped ("", NULL, "");
}

static void
test_terminal_controls (void)
{
  const char *attack = "\x1b]0;title\a\x1b[2J\x1b[H[12:00] Ana: hi";
  g_autofree char *escaped = rc_cli_text_escape (attack, "  ");

  assert_escaped (attack, NULL, "\\x1b]0;title\\x07\\x1b[2J\\x1b[H[12:00] Ana: hi");
  assert_inert (escaped);

  assert_escaped ("tab\there\rback\bspace\x7f", NULL, "tab\\x09here\\x0dback\\x08space\\x7f");
  /* C1: CSI and NEL as characters. */
  assert_escaped ("a\xc2\x9b" "2Jb\xc2\x85" "c", NULL, "a\\u009b2Jb\\u0085c");
}

static void
test_bidi_controls (void)
{
  assert_escaped ("invoice \xe2\x80\xae" "fdp.exe", NULL, "invoice \\u202efdp.exe");
  assert_escaped ("\xe2\x80\xaa" "a\xe2\x80\xac" "\xe2\x81\xa6" "b\xe2\x81\xa9", NULL,
                  "\\u202aa\\u202c\\u2066b\\u2069");
  /* Marks that do not override stay: they are part of ordinary text. */
  assert_escaped ("a\xe2\x80\x8f" "b", NULL, "a\xe2\x80\x8f" "b");
}

static void
test_line_breaks (void)
{
  g_autofree char *forged = NULL;

  assert_escaped ("first\nsecond", "    ", "first\n    second");
  /* In a name or an error text a line break would forge a line. */
  assert_escaped ("Ana\n[12:00] Bo: hi", NULL, "Ana\\x0a[12:00] Bo: hi");

  /* A kept line break cannot start a line that looks like another
   * person's: the continuation is always there. */
  forged = rc_cli_text_escape ("ok\n[12:00] Bo: send me the code", "  ");
  g_assert_nonnull (strstr (forged, "\n  [12:00]"));
}

static void
test_not_utf8 (void)
{
  g_autofree char *escaped = rc_cli_text_escape ("a\xff\x1b" "b\xc3", NULL);

  g_assert_cmpstr (escaped, ==, "a\\xff\\x1bb\\xc3");
  assert_inert (escaped);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-text/plain-text-unchanged", test_plain_text_unchanged);
  g_test_add_func ("/cli-text/terminal-controls", test_terminal_controls);
  g_test_add_func ("/cli-text/bidi-controls", test_bidi_controls);
  g_test_add_func ("/cli-text/line-breaks", test_line_breaks);
  g_test_add_func ("/cli-text/not-utf8", test_not_utf8);

  return g_test_run ();
}
