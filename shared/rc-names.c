/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-protocol"

#include "config.h"

#include <string.h>

#include "rc-crypto.h"
#include "rc-names.h"
#include "rc-protocol-error.h"

static const char room_id_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const char *
rc_role_to_string (RcRole role)
{
  g_return_val_if_fail (role == RC_ROLE_CREATOR || role == RC_ROLE_JOINER, NULL);

  return role == RC_ROLE_CREATOR ? "creator" : "joiner";
}

gboolean
rc_role_from_string (const char *text,
                     RcRole     *role)
{
  g_return_val_if_fail (text != NULL, FALSE);

  if (g_str_equal (text, "creator"))
    *role = RC_ROLE_CREATOR;
  else if (g_str_equal (text, "joiner"))
    *role = RC_ROLE_JOINER;
  else
    return FALSE;

  return TRUE;
}

/**
 * rc_name_normalize:
 *
 * Applies docs/protocol.md 3.1's name rule: white space trimmed at both ends,
 * then 1 to 32 characters, none of them a control character.
 * Returns the trimmed name, or %NULL with %RC_PROTOCOL_ERROR_BAD_NAME.
 */
char *
rc_name_normalize (const char  *name,
                   GError     **error)
{
  const char *start;
  const char *end;
  glong n_chars;

  g_return_val_if_fail (name != NULL, NULL);

  if (!g_utf8_validate (name, -1, NULL))
    goto bad_name;

  start = name;
  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  end = start + strlen (start);
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  n_chars = g_utf8_strlen (start, end - start);
  if (n_chars < 1 || n_chars > RC_NAME_MAX_CHARS)
    goto bad_name;

  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      goto bad_name;

  return g_strndup (start, end - start);

bad_name:
  g_set_error (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_NAME,
               "A name has 1 to %d characters and no control characters",
               RC_NAME_MAX_CHARS);
  return NULL;
}

static gboolean
is_room_id_separator (char c)
{
  return c == ' ' || c == '-';
}

/**
 * rc_room_id_is_partial:
 * @n_valid: (out) (optional): how many id characters @text holds
 *
 * Tells whether @text could be the start of a room id as a person types it:
 * letters in either case, digits, spaces and dashes.
 */
gboolean
rc_room_id_is_partial (const char *text,
                       guint      *n_valid)
{
  guint count = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (is_room_id_separator (*p))
        continue;
      if (!g_ascii_isalnum (*p) || ++count > RC_ROOM_ID_LENGTH)
        return FALSE;
    }

  if (n_valid != NULL)
    *n_valid = count;
  return TRUE;
}

/**
 * rc_room_id_normalize:
 *
 * Accepts a room id case-insensitively, ignoring spaces and dashes
 * (docs/protocol.md 3.2). Returns the canonical upper-case id, or %NULL with
 * %RC_PROTOCOL_ERROR_NO_SUCH_ROOM: no room can have a malformed id.
 */
char *
rc_room_id_normalize (const char  *text,
                      GError     **error)
{
  GString *id;
  guint n_valid = 0;

  g_return_val_if_fail (text != NULL, NULL);

  if (!rc_room_id_is_partial (text, &n_valid) || n_valid != RC_ROOM_ID_LENGTH)
    {
      g_set_error (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM,
                   "A room id has %d letters and digits", RC_ROOM_ID_LENGTH);
      return NULL;
    }

  id = g_string_sized_new (RC_ROOM_ID_LENGTH);
  for (const char *p = text; *p != '\0'; p++)
    if (!is_room_id_separator (*p))
      g_string_append_c (id, g_ascii_toupper (*p));

  return g_string_free (id, FALSE);
}

/* A room id drawn uniformly from the alphabet with a cryptographic source:
 * bytes at or above the largest multiple of 36 are thrown away, so no
 * character is likelier than another. */
char *
rc_room_id_generate (void)
{
  const guint alphabet_size = sizeof room_id_alphabet - 1;
  const guint limit = 256 - 256 % alphabet_size;
  char *id = g_malloc (RC_ROOM_ID_LENGTH + 1);
  guint filled = 0;

  while (filled < RC_ROOM_ID_LENGTH)
    {
      guint8 random[32];

      rc_crypto_random (random, sizeof random);
      for (gsize i = 0; i < sizeof random && filled < RC_ROOM_ID_LENGTH; i++)
        if (random[i] < limit)
          id[filled++] = room_id_alphabet[random[i] % alphabet_size];
    }
  id[RC_ROOM_ID_LENGTH] = '\0';

  return id;
}
