/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-crypto"

#include "config.h"

#include <string.h>

#include "rc-crypto.h"
#include "rc-crypto-private.h"

G_DEFINE_QUARK (rc-crypto-error-quark, rc_crypto_error)

void
rc_crypto_secret_block_clear (SecretBlock *block)
{
  gnutls_memset (block->bytes, 0, sizeof block->bytes);
}

void
rc_crypto_secret_buffer_clear (SecretBuffer *buffer)
{
  if (buffer->data != NULL)
    gnutls_memset (buffer->data, 0, buffer->length);
  g_clear_pointer (&buffer->data, g_free);
  buffer->length = 0;
}

void
rc_crypto_set_gnutls_error (GError       **error,
                            RcCryptoError  code,
                            int            gnutls_code,
                            const char    *what)
{
  g_set_error (error, RC_CRYPTO_ERROR, code, "%s: %s", what, gnutls_strerror (gnutls_code));
}

/* Constant time, so the check says nothing about the secret but its zeroness. */
gboolean
rc_crypto_is_all_zero (const guint8 *data,
                       gsize         length)
{
  guint8 bits = 0;

  for (gsize i = 0; i < length; i++)
    bits |= data[i];

  return bits == 0;
}

gboolean
rc_crypto_is_valid_role (RcRole role)
{
  return role == RC_ROLE_CREATOR || role == RC_ROLE_JOINER;
}

/* The room id is both the HKDF salt and part of every AAD, byte for byte,
 * as the server gave it. It comes from the network, so a malformed one is
 * an error, not a programming mistake. */
gboolean
rc_crypto_is_valid_room_id (const char *room_id)
{
  gsize i;

  if (room_id == NULL)
    return FALSE;

  for (i = 0; room_id[i] != '\0'; i++)
    if (i >= RC_ROOM_ID_LENGTH || !g_ascii_isalnum (room_id[i]))
      return FALSE;

  return i == RC_ROOM_ID_LENGTH;
}

gboolean
rc_crypto_check_room_id (const char  *room_id,
                         GError     **error)
{
  if (!rc_crypto_is_valid_room_id (room_id))
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "A room id has %d letters and digits", RC_ROOM_ID_LENGTH);
      return FALSE;
    }

  return TRUE;
}

gboolean
rc_crypto_check_ephemeral_size (GBytes  *ephemeral,
                                GError **error)
{
  if (g_bytes_get_size (ephemeral) != RC_X25519_KEY_SIZE)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "An X25519 public key has %d bytes, not %" G_GSIZE_FORMAT,
                   RC_X25519_KEY_SIZE, g_bytes_get_size (ephemeral));
      return FALSE;
    }

  return TRUE;
}

/**
 * rc_crypto_random:
 *
 * Fills @buffer with bytes from GnuTLS's cryptographic generator. There is
 * no safe way on without randomness, so a failure aborts the program.
 */
void
rc_crypto_random (guint8 *buffer,
                  gsize   length)
{
  int ret;

  g_return_if_fail (buffer != NULL || length == 0);

  if (length == 0)
    return;

  ret = gnutls_rnd (GNUTLS_RND_RANDOM, buffer, length);
  if (ret < 0)
    g_error ("The random number generator failed: %s", gnutls_strerror (ret));
}

/**
 * rc_crypto_sha256:
 *
 * Returns: (transfer full): the 32-byte SHA-256 digest of @data.
 */
GBytes *
rc_crypto_sha256 (const guint8 *data,
                  gsize         length)
{
  guint8 digest[SHA256_SIZE];
  int ret;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  ret = gnutls_hash_fast (GNUTLS_DIG_SHA256, data != NULL ? data : (const guint8 *) "", length,
                          digest);
  /* Only a broken library fails here, and no caller could go on without it. */
  if (ret < 0)
    g_error ("SHA-256 failed: %s", gnutls_strerror (ret));

  return g_bytes_new (digest, sizeof digest);
}

/**
 * rc_crypto_fingerprint:
 * @spki: a DER SubjectPublicKeyInfo, as sent on the wire
 *
 * Hashes the bytes as they are, without parsing them: both sides must get
 * the same fingerprint for the same bytes.
 *
 * Returns: (transfer full): SHA-256 of @spki.
 */
GBytes *
rc_crypto_fingerprint (GBytes *spki)
{
  const guint8 *data;
  gsize size;

  g_return_val_if_fail (spki != NULL, NULL);

  data = g_bytes_get_data (spki, &size);
  return rc_crypto_sha256 (data, size);
}

/**
 * rc_crypto_format_fingerprint:
 *
 * Formats any digest as upper-case hex bytes joined by colons
 * ("AB:CD:..."), the way TLS tools show certificate fingerprints.
 */
char *
rc_crypto_format_fingerprint (GBytes *fingerprint)
{
  const guint8 *data;
  gsize size;
  GString *text;

  g_return_val_if_fail (fingerprint != NULL, NULL);

  data = g_bytes_get_data (fingerprint, &size);
  text = g_string_sized_new (size * 3);
  for (gsize i = 0; i < size; i++)
    {
      if (i > 0)
        g_string_append_c (text, ':');
      g_string_append_printf (text, "%02X", data[i]);
    }

  return g_string_free (text, FALSE);
}

/**
 * rc_crypto_safety_code:
 *
 * Computes docs/protocol.md 4's safety code of two identity fingerprints. The
 * order of the arguments does not matter, so both people see the same code.
 *
 * Returns: (transfer full): 8 groups of 4 upper-case hex digits.
 */
char *
rc_crypto_safety_code (GBytes *fingerprint_a,
                       GBytes *fingerprint_b)
{
  g_autoptr(GByteArray) input = NULL;
  g_autoptr(GBytes) digest = NULL;
  GBytes *low;
  GBytes *high;
  const guint8 *code;
  GString *text;

  g_return_val_if_fail (fingerprint_a != NULL, NULL);
  g_return_val_if_fail (fingerprint_b != NULL, NULL);
  g_return_val_if_fail (g_bytes_get_size (fingerprint_a) == RC_FINGERPRINT_SIZE, NULL);
  g_return_val_if_fail (g_bytes_get_size (fingerprint_b) == RC_FINGERPRINT_SIZE, NULL);

  /* Equal sizes, so g_bytes_compare() is memcmp(): byte-string order. */
  if (g_bytes_compare (fingerprint_a, fingerprint_b) <= 0)
    {
      low = fingerprint_a;
      high = fingerprint_b;
    }
  else
    {
      low = fingerprint_b;
      high = fingerprint_a;
    }

  input = g_byte_array_sized_new (strlen (SAFETY_LABEL) + 2 * RC_FINGERPRINT_SIZE);
  g_byte_array_append (input, (const guint8 *) SAFETY_LABEL, strlen (SAFETY_LABEL));
  g_byte_array_append (input, g_bytes_get_data (low, NULL), RC_FINGERPRINT_SIZE);
  g_byte_array_append (input, g_bytes_get_data (high, NULL), RC_FINGERPRINT_SIZE);
  digest = rc_crypto_sha256 (input->data, input->len);
  code = g_bytes_get_data (digest, NULL);

  text = g_string_sized_new (SAFETY_CODE_SIZE / 2 * 5);
  for (gsize i = 0; i < SAFETY_CODE_SIZE; i += 2)
    {
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, "%02X%02X", code[i], code[i + 1]);
    }

  return g_string_free (text, FALSE);
}

/**
 * rc_crypto_derive_keys:
 * @shared: the X25519 result of both ephemeral keys
 * @room_id: the 12-character room id, exactly as the server gave it
 * @okm: (out caller-allocates): 64 bytes: creator -> joiner key, then
 *   joiner -> creator key
 *
 * HKDF-SHA-256 as docs/protocol.md 4 defines it. @okm is all zero on failure.
 */
gboolean
rc_crypto_derive_keys (const guint8   shared[RC_X25519_KEY_SIZE],
                       const char    *room_id,
                       GBytes        *creator_spki,
                       GBytes        *joiner_spki,
                       GBytes        *creator_ephemeral,
                       GBytes        *joiner_ephemeral,
                       guint8         okm[64],
                       GError       **error)
{
  g_auto (SecretBlock) prk = { { 0 } };
  g_autoptr(GByteArray) info = NULL;
  g_autoptr(GBytes) creator_fingerprint = NULL;
  g_autoptr(GBytes) joiner_fingerprint = NULL;
  gnutls_datum_t ikm_datum;
  gnutls_datum_t salt_datum;
  gnutls_datum_t prk_datum;
  gnutls_datum_t info_datum;
  int ret;

  g_return_val_if_fail (shared != NULL, FALSE);
  g_return_val_if_fail (room_id != NULL, FALSE);
  g_return_val_if_fail (creator_spki != NULL, FALSE);
  g_return_val_if_fail (joiner_spki != NULL, FALSE);
  g_return_val_if_fail (creator_ephemeral != NULL, FALSE);
  g_return_val_if_fail (joiner_ephemeral != NULL, FALSE);
  g_return_val_if_fail (okm != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (okm, 0, OKM_SIZE);

  if (!rc_crypto_check_room_id (room_id, error) ||
                !rc_crypto_check_ephemeral_size (creator_ephemeral, error) ||
                !rc_crypto_check_ephemeral_size (joiner_ephemeral, error))
    return FALSE;

  if (rc_crypto_is_all_zero (shared, RC_X25519_KEY_SIZE))
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "The X25519 shared secret is all zero");
      return FALSE;
    }

  creator_fingerprint = rc_crypto_fingerprint (creator_spki);
  joiner_fingerprint = rc_crypto_fingerprint (joiner_spki);

  info = g_byte_array_sized_new (strlen (KEYS_INFO_LABEL) + 2 * SHA256_SIZE +
                                 2 * RC_X25519_KEY_SIZE);
  g_byte_array_append (info, (const guint8 *) KEYS_INFO_LABEL, strlen (KEYS_INFO_LABEL));
  g_byte_array_append (info, g_bytes_get_data (creator_fingerprint, NULL), SHA256_SIZE);
  g_byte_array_append (info, g_bytes_get_data (joiner_fingerprint, NULL), SHA256_SIZE);
  g_byte_array_append (info, g_bytes_get_data (creator_ephemeral, NULL), RC_X25519_KEY_SIZE);
  g_byte_array_append (info, g_bytes_get_data (joiner_ephemeral, NULL), RC_X25519_KEY_SIZE);

  ikm_datum.data = (unsigned char *) shared;
  ikm_datum.size = RC_X25519_KEY_SIZE;
  salt_datum.data = (unsigned char *) room_id;
  salt_datum.size = RC_ROOM_ID_LENGTH;
  prk_datum.data = prk.bytes;
  prk_datum.size = SHA256_SIZE;
  info_datum.data = info->data;
  info_datum.size = info->len;

  ret = gnutls_hkdf_extract (GNUTLS_MAC_SHA256, &ikm_datum, &salt_datum, prk.bytes);
  if (ret >= 0)
    ret = gnutls_hkdf_expand (GNUTLS_MAC_SHA256, &prk_datum, &info_datum, okm, OKM_SIZE);
  if (ret < 0)
    {
      gnutls_memset (okm, 0, OKM_SIZE);
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot derive the room keys");
      return FALSE;
    }

  return TRUE;
}
