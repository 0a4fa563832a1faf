/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gio/gio.h>

#include "rc-crypto.h"
#include "rc-frame.h"
#include "rc-password.h"

/* The server password, as SERVER_PASSWORD gives it: plain text, or
 * "pbkdf2-sha256$ITERATIONS$SALT$HASH" with SALT and HASH in standard
 * base64 and HASH = PBKDF2-HMAC-SHA-256 (password, SALT, ITERATIONS, 32).
 * This file is the server's second user of GnuTLS (for PBKDF2); the
 * certificate code is the first. Checks take the same time whatever the
 * candidate: a plain password is compared by its SHA-256 digest, so that
 * not even its length shows. */

#define HASH_PREFIX "pbkdf2-sha256$"
#define SALT_SIZE 16
#define HASH_SIZE 32
#define MAX_ITERATIONS 10000000

struct _RcPassword
{
  GObject  parent_instance;

  /* Immutable after construction, so any thread may check. */
  gboolean hashed;
  guint    iterations;
  GBytes  *salt;
  guint8   digest[HASH_SIZE];   /* SHA-256 of a plain password, or the PBKDF2 hash */
};

G_DEFINE_FINAL_TYPE (RcPassword, rc_password, G_TYPE_OBJECT)

static void
rc_password_finalize (GObject *object)
{
  RcPassword *self = RC_PASSWORD (object);

  g_clear_pointer (&self->salt, g_bytes_unref);
  memset (self->digest, 0, sizeof self->digest);

  G_OBJECT_CLASS (rc_password_parent_class)->finalize (object);
}

static void
rc_password_class_init (RcPasswordClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_password_finalize;
}

static void
rc_password_init (RcPassword *self)
{
}

static gboolean
pbkdf2 (const char    *password,
        GBytes        *salt,
        guint          iterations,
        guint8         out[HASH_SIZE],
        GError       **error)
{
  gsize salt_size = 0;
  const guint8 *salt_data = g_bytes_get_data (salt, &salt_size);
  gnutls_datum_t key = { (unsigned char *) password, (unsigned int) strlen (password) };
  gnutls_datum_t salt_datum = { (unsigned char *) salt_data, (unsigned int) salt_size };
  int ret;

  ret = gnutls_pbkdf2 (GNUTLS_MAC_SHA256, &key, &salt_datum, iterations, out, HASH_SIZE);
  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PBKDF2 failed: %s", gnutls_strerror (ret));
      return FALSE;
    }

  return TRUE;
}

static void
sha256 (const char *text,
        guint8      out[HASH_SIZE])
{
  g_autoptr(GBytes) digest = rc_crypto_sha256 ((const guint8 *) text, strlen (text));

  memcpy (out, g_bytes_get_data (digest, NULL), HASH_SIZE);
}

static gboolean
parse_hash (RcPassword  *self,
            const char  *configured,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (configured + strlen (HASH_PREFIX), "$", -1);
  g_autoptr(GBytes) hash = NULL;
  guint64 iterations = 0;

  if (g_strv_length (parts) != 3 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 1, MAX_ITERATIONS, &iterations, NULL) ||
      (self->salt = rc_base64_decode_strict (parts[1], NULL)) == NULL ||
      g_bytes_get_size (self->salt) == 0 ||
      (hash = rc_base64_decode_strict (parts[2], NULL)) == NULL ||
      g_bytes_get_size (hash) != HASH_SIZE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "SERVER_PASSWORD starts with \"" HASH_PREFIX "\" but is not "
                           HASH_PREFIX "ITERATIONS$SALT$HASH as `roomchat-server hash-password` writes it");
      return FALSE;
    }

  self->hashed = TRUE;
  self->iterations = (guint) iterations;
  memcpy (self->digest, g_bytes_get_data (hash, NULL), HASH_SIZE);
  return TRUE;
}

/**
 * rc_password_new:
 * @configured: SERVER_PASSWORD as configured, plain or hashed
 */
RcPassword *
rc_password_new (const char  *configured,
                 GError     **error)
{
  g_autoptr(RcPassword) self = NULL;

  g_return_val_if_fail (configured != NULL, NULL);

  self = g_object_new (RC_TYPE_PASSWORD, NULL);

  if (g_str_has_prefix (configured, HASH_PREFIX))
    {
      if (!parse_hash (self, configured, error))
        return NULL;
    }
  else
    {
      sha256 (configured, self->digest);
    }

  return g_steal_pointer (&self);
}

/* 0 for a plain password. */
guint
rc_password_get_iterations (RcPassword *self)
{
  g_return_val_if_fail (RC_IS_PASSWORD (self), 0);

  return self->hashed ? self->iterations : 0;
}

static gboolean
equal_in_constant_time (const guint8 *a,
                        const guint8 *b,
                        gsize         length)
{
  volatile guint8 difference = 0;

  for (gsize i = 0; i < length; i++)
    difference |= a[i] ^ b[i];

  return difference == 0;
}

/**
 * rc_password_check:
 *
 * Compares @candidate with the configured password in constant time.
 */
gboolean
rc_password_check (RcPassword *self,
                   const char *candidate)
{
  guint8 digest[HASH_SIZE];
  gboolean equal;

  g_return_val_if_fail (RC_IS_PASSWORD (self), FALSE);
  g_return_val_if_fail (candidate != NULL, FALSE);

  if (self->hashed)
    {
      if (!pbkdf2 (candidate, self->salt, self->iterations, digest, NULL))
        return FALSE;
    }
  else
    {
      sha256 (candidate, digest);
    }

  equal = equal_in_constant_time (digest, self->digest, HASH_SIZE);
  memset (digest, 0, sizeof digest);

  return equal;
}

/**
 * rc_password_hash:
 *
 * Returns: the "pbkdf2-sha256$..." form of @password, with a fresh random salt.
 */
char *
rc_password_hash (const char  *password,
                  guint        iterations,
                  GError     **error)
{
  guint8 salt_data[SALT_SIZE];
  guint8 hash[HASH_SIZE];
  g_autoptr(GBytes) salt = NULL;
  g_autofree char *salt_text = NULL;
  g_autofree char *hash_text = NULL;

  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (iterations > 0 && iterations <= MAX_ITERATIONS, NULL);

  rc_crypto_random (salt_data, sizeof salt_data);
  salt = g_bytes_new (salt_data, sizeof salt_data);

  if (!pbkdf2 (password, salt, iterations, hash, error))
    return NULL;

  salt_text = g_base64_encode (salt_data, sizeof salt_data);
  hash_text = g_base64_encode (hash, sizeof hash);
  memset (hash, 0, sizeof hash);

  return g_strdup_printf (HASH_PREFIX "%u$%s$%s", iterations, salt_text, hash_text);
}

/* A random password of 20 letters and digits (about 119 bits), without the
 * look-alikes 0, O, 1, l and I, for the embedded default configuration. */
char *
rc_password_generate (void)
{
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const guint size = sizeof alphabet - 1;
  const guint limit = 256 - 256 % size;
  char *password = g_malloc (21);
  guint filled = 0;

  while (filled < 20)
    {
      guint8 random[32];

      rc_crypto_random (random, sizeof random);
      for (gsize i = 0; i < sizeof random && filled < 20; i++)
        if (random[i] < limit)
          password[filled++] = alphabet[random[i] % size];
    }
  password[20] = '\0';

  return password;
}
