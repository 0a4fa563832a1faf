/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rc-known-servers.h"

/**
 * rc_known_servers_default_path:
 *
 * Returns `$XDG_DATA_HOME/roomchat/known-servers`.
 */
char *
rc_known_servers_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "roomchat", "known-servers", NULL);
}

/**
 * rc_known_servers_key:
 *
 * Returns "host:port", with an IPv6 literal in brackets so the port stays
 * unambiguous, and the host in lower case since DNS names are not case
 * sensitive: "Example.org" and "example.org" share one pin.
 */
char *
rc_known_servers_key (const char *host,
                      guint16     port)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  lower = g_ascii_strdown (host, -1);
  if (strchr (lower, ':') != NULL && lower[0] != '[')
    return g_strdup_printf ("[%s]:%u", lower, port);

  return g_strdup_printf ("%s:%u", lower, port);
}

/* Returns the fingerprint on @line when it pins @server, else NULL. */
static char *
match_line (const char *line,
            const char *server)
{
  g_auto(GStrv) fields = NULL;

  if (line[0] == '#' || line[0] == '\0')
    return NULL;

  fields = g_strsplit_set (line, " \t", -1);
  if (g_strv_length (fields) < 2 || !g_str_equal (fields[0], server))
    return NULL;

  return g_ascii_strup (fields[1], -1);
}

static gboolean
read_file (const char  *path,
           char       **contents,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_file_get_contents (path, contents, NULL, &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      *contents = g_strdup ("");
      return TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * rc_known_servers_lookup:
 * @server: a key made by rc_known_servers_key()
 *
 * Returns the fingerprint pinned for @server, or %NULL: with @error set when
 * the file cannot be read, without when nothing is pinned (a missing file
 * pins nothing).
 */
char *
rc_known_servers_lookup (const char  *path,
                         const char  *server,
                         GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (server != NULL, NULL);

  if (!read_file (path, &contents, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *fingerprint = match_line (g_strstrip (lines[i]), server);

      if (fingerprint != NULL)
        return fingerprint;
    }

  return NULL;
}

/**
 * rc_known_servers_pin:
 *
 * Pins @fingerprint for @server, replacing an older pin of the same server.
 * The file is replaced atomically and readable by its owner only, so a
 * crash never leaves half a file and other users cannot learn which
 * servers this one talks to.
 */
gboolean
rc_known_servers_pin (const char  *path,
                      const char  *server,
                      const char  *fingerprint,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *folder = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  if (!read_file (path, &contents, error))
    return FALSE;

  folder = g_path_get_dirname (path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Cannot create %s: %s", folder, g_strerror (saved_errno));
      return FALSE;
    }

  out = g_string_new (NULL);
  if (contents[0] == '\0')
    g_string_append (out, "# RoomChat servers trusted on first use: HOST:PORT SHA-256 of the certificate\n");

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *old = match_line (lines[i], server);

      if (old == NULL && lines[i][0] != '\0')
        g_string_append_printf (out, "%s\n", lines[i]);
    }
  g_string_append_printf (out, "%s %s\n", server, fingerprint);

  return g_file_set_contents_full (path, out->str, (gssize) out->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/**
 * rc_certificate_fingerprint:
 *
 * Returns the SHA-256 of @certificate's DER as "AB:CD:…", the form shown
 * to people and kept in the known-servers file.
 */
char *
rc_known_servers_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  GString *text;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  g_return_val_if_fail (der != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &digest_length);

  text = g_string_sized_new (digest_length * 3);
  for (gsize i = 0; i < digest_length; i++)
    g_string_append_printf (text, i == 0 ? "%02X" : ":%02X", digest[i]);

  return g_string_free (text, FALSE);
}
