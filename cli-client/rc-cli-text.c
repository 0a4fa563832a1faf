/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <string.h>

#include "rc-cli-text.h"

static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

char *
rc_cli_text_escape (const char *text,
                    const char *continuation)
{
  g_autoptr(GString) out = NULL;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));
  p = text;
  while (*p != '\0')
    {
      guchar byte = (guchar) *p;
      gunichar c;
      const char *next;

      if (byte < 0x80)
        {
          if (byte == '\n' && continuation != NULL)
            {
              g_string_append_c (out, '\n');
              g_string_append (out, continuation);
            }
          else if (byte < 0x20 || byte == 0x7F)
            g_string_append_printf (out, "\\x%02x", byte);
          else
            g_string_append_c (out, (char) byte);
          p++;
          continue;
        }

      /* A byte that starts no valid character is shown alone, and reading
       * goes on with the next one: nothing from it reaches the terminal. */
      c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", byte);
          p++;
          continue;
        }

      next = g_utf8_next_char (p);
      if ((c >= 0x80 && c <= 0x9F) || is_bidi_control (c))
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
