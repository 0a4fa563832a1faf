/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-crypto"

#include "config.h"

#include <string.h>

#include "rc-crypto.h"
#include "rc-crypto-private.h"

/* Ephemeral X25519 keys */

struct _RcEphemeralKey
{
  guint8 private_key[RC_X25519_KEY_SIZE];
  guint8 public_key[RC_X25519_KEY_SIZE];
};

/**
 * rc_ephemeral_key_new:
 *
 * Makes a fresh X25519 key pair. nettle clamps the scalar itself, so any
 * 32 random bytes are a private key.
 */
RcEphemeralKey *
rc_ephemeral_key_new (void)
{
  RcEphemeralKey *self = g_new0 (RcEphemeralKey, 1);
  int ret;

  ret = gnutls_rnd (GNUTLS_RND_KEY, self->private_key, sizeof self->private_key);
  if (ret < 0)
    g_error ("The random number generator failed: %s", gnutls_strerror (ret));

  curve25519_mul_g (self->public_key, self->private_key);

  return self;
}

/**
 * rc_ephemeral_key_new_from_private:
 *
 * Builds a key pair from a known private key, for test vectors.
 */
RcEphemeralKey *
rc_ephemeral_key_new_from_private (GBytes  *private_key,
                                   GError **error)
{
  RcEphemeralKey *self;

  g_return_val_if_fail (private_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_bytes_get_size (private_key) != RC_X25519_KEY_SIZE)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "An X25519 private key has %d bytes", RC_X25519_KEY_SIZE);
      return NULL;
    }

  self = g_new0 (RcEphemeralKey, 1);
  memcpy (self->private_key, g_bytes_get_data (private_key, NULL), RC_X25519_KEY_SIZE);
  curve25519_mul_g (self->public_key, self->private_key);

  return self;
}

/**
 * rc_ephemeral_key_get_public:
 *
 * Returns: (transfer full): the 32-byte public key.
 */
GBytes *
rc_ephemeral_key_get_public (RcEphemeralKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_bytes_new (self->public_key, sizeof self->public_key);
}

/* Forward secrecy per room rests on this wipe. */
void
rc_ephemeral_key_free (RcEphemeralKey *self)
{
  if (self == NULL)
    return;

  gnutls_memset (self, 0, sizeof *self);
  g_free (self);
}

/* Channels */

struct _RcChannel
{
  RcRole own_role;
  char   room_id[RC_ROOM_ID_LENGTH + 1];

  /* Owned. Each holds only the key schedule of its direction; GnuTLS wipes
   * it in gnutls_aead_cipher_deinit(). */
  gnutls_aead_cipher_hd_t send_cipher;
  gnutls_aead_cipher_hd_t receive_cipher;

  gint64 send_seq;     /* next seq to seal */
  gint64 receive_seq;  /* next seq to accept */
};

void
rc_channel_free (RcChannel *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->send_cipher, gnutls_aead_cipher_deinit);
  g_clear_pointer (&self->receive_cipher, gnutls_aead_cipher_deinit);
  g_free (self);
}

static RcChannel *
channel_new_from_keys (RcRole         own_role,
                       const char    *room_id,
                       const guint8  *okm,
                       GError       **error)
{
  g_autoptr(RcChannel) self = g_new0 (RcChannel, 1);
  gboolean is_creator = own_role == RC_ROLE_CREATOR;
  gnutls_datum_t send_key;
  gnutls_datum_t receive_key;
  int ret;

  g_assert (rc_crypto_is_valid_role (own_role));
  g_assert (rc_crypto_is_valid_room_id (room_id));

  self->own_role = own_role;
  memcpy (self->room_id, room_id, RC_ROOM_ID_LENGTH + 1);

  /* okm[0..32) encrypts creator -> joiner, okm[32..64) joiner -> creator. */
  send_key.data = (unsigned char *) (is_creator ? okm : okm + AES_KEY_SIZE);
  send_key.size = AES_KEY_SIZE;
  receive_key.data = (unsigned char *) (is_creator ? okm + AES_KEY_SIZE : okm);
  receive_key.size = AES_KEY_SIZE;

  ret = gnutls_aead_cipher_init (&self->send_cipher, GNUTLS_CIPHER_AES_256_GCM, &send_key);
  if (ret >= 0)
    ret = gnutls_aead_cipher_init (&self->receive_cipher, GNUTLS_CIPHER_AES_256_GCM,
                                   &receive_key);
  if (ret < 0)
    {
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot set up AES-256-GCM");
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * rc_channel_new:
 * @own_spki: our identity, DER SubjectPublicKeyInfo
 * @peer_spki: the peer's identity; its signature must have been checked
 *   with rc_crypto_verify_ephemeral() first
 * @peer_ephemeral: the peer's X25519 public key
 *
 * Agrees on the room keys. Fails with %RC_CRYPTO_ERROR_BAD_KEY when
 * @peer_ephemeral has not 32 bytes or is a low-order point, or @room_id
 * is not 12 letters and digits.
 */
RcChannel *
rc_channel_new (RcRole           own_role,
                const char      *room_id,
                RcEphemeralKey  *own_ephemeral,
                GBytes          *own_spki,
                GBytes          *peer_spki,
                GBytes          *peer_ephemeral,
                GError         **error)
{
  g_auto (SecretBlock) shared = { { 0 } };
  g_auto (SecretBlock) okm = { { 0 } };
  g_autoptr(GBytes) own_public = NULL;
  gboolean is_creator = own_role == RC_ROLE_CREATOR;

  g_return_val_if_fail (rc_crypto_is_valid_role (own_role), NULL);
  g_return_val_if_fail (room_id != NULL, NULL);
  g_return_val_if_fail (own_ephemeral != NULL, NULL);
  g_return_val_if_fail (own_spki != NULL, NULL);
  g_return_val_if_fail (peer_spki != NULL, NULL);
  g_return_val_if_fail (peer_ephemeral != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rc_crypto_check_room_id (room_id, error) ||
      !rc_crypto_check_ephemeral_size (peer_ephemeral, error))
    return NULL;

  curve25519_mul (shared.bytes, own_ephemeral->private_key,
                  g_bytes_get_data (peer_ephemeral, NULL));

  /* nettle gives zeros for a low-order point instead of failing; a peer
   * (or the server) sending one would fix the keys to known values. */
  if (rc_crypto_is_all_zero (shared.bytes, RC_X25519_KEY_SIZE))
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "The peer's ephemeral key is a low-order point");
      return NULL;
    }

  own_public = rc_ephemeral_key_get_public (own_ephemeral);
  if (!rc_crypto_derive_keys (shared.bytes, room_id,
                              is_creator ? own_spki : peer_spki,
                              is_creator ? peer_spki : own_spki,
                              is_creator ? own_public : peer_ephemeral,
                              is_creator ? peer_ephemeral : own_public,
                              okm.bytes, error))
    return NULL;

  return channel_new_from_keys (own_role, room_id, okm.bytes, error);
}

/**
 * rc_channel_new_from_keys:
 * @okm: 64 bytes as rc_crypto_derive_keys() makes them
 *
 * For tests: a channel with known keys, both seqs at 0.
 */
RcChannel *
rc_channel_new_from_keys (RcRole        own_role,
                          const char   *room_id,
                          const guint8  okm[64])
{
  g_autoptr(GError) error = NULL;
  RcChannel *channel;

  g_return_val_if_fail (rc_crypto_is_valid_role (own_role), NULL);
  g_return_val_if_fail (rc_crypto_is_valid_room_id (room_id), NULL);
  g_return_val_if_fail (okm != NULL, NULL);

  channel = channel_new_from_keys (own_role, room_id, okm, &error);
  if (channel == NULL)
    g_critical ("%s", error->message);

  return channel;
}

/* docs/protocol.md 4: nonce = 0x00000000 || seq, aad = ROOM_ID || seq, seq as
 * 8-byte big-endian. */
static void
build_nonce_and_aad (const RcChannel *self,
                     gint64           seq,
                     guint8           nonce[GCM_NONCE_SIZE],
                     guint8           aad[AAD_SIZE])
{
  guint64 seq_be = GUINT64_TO_BE ((guint64) seq);

  memset (nonce, 0, GCM_NONCE_SIZE - sizeof seq_be);
  memcpy (nonce + GCM_NONCE_SIZE - sizeof seq_be, &seq_be, sizeof seq_be);
  memcpy (aad, self->room_id, RC_ROOM_ID_LENGTH);
  memcpy (aad + RC_ROOM_ID_LENGTH, &seq_be, sizeof seq_be);
}

/**
 * rc_channel_seal:
 * @text: 1 to %RC_MAX_PLAINTEXT_SIZE bytes of valid UTF-8
 * @seq_out: (out) (optional): the seq to send the ciphertext with
 *
 * Encrypts the next message of our direction and advances the send seq,
 * so every seq is sealed once. Empty text fails with
 * %RC_CRYPTO_ERROR_INVALID_TEXT: our clients send no empty messages.
 *
 * Returns: (transfer full): ciphertext with the 16-byte tag appended.
 */
GBytes *
rc_channel_seal (RcChannel   *self,
                 const char  *text,
                 gint64      *seq_out,
                 GError     **error)
{
  g_autofree guint8 *ciphertext = NULL;
  guint8 nonce[GCM_NONCE_SIZE];
  guint8 aad[AAD_SIZE];
  gsize text_length;
  gsize ciphertext_length;
  int ret;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  text_length = strlen (text);
  if (text_length > RC_MAX_PLAINTEXT_SIZE)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_TOO_LONG,
                   "A message has at most %d bytes, this one has %" G_GSIZE_FORMAT,
                   RC_MAX_PLAINTEXT_SIZE, text_length);
      return NULL;
    }

  if (text_length == 0 || !g_utf8_validate (text, text_length, NULL))
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_INVALID_TEXT,
                   "A message is non-empty UTF-8 text");
      return NULL;
    }

  build_nonce_and_aad (self, self->send_seq, nonce, aad);
  ciphertext_length = text_length + GCM_TAG_SIZE;
  ciphertext = g_malloc (ciphertext_length);
  ret = gnutls_aead_cipher_encrypt (self->send_cipher, nonce, sizeof nonce, aad, sizeof aad,
                                    GCM_TAG_SIZE, text, text_length,
                                    ciphertext, &ciphertext_length);
  if (ret < 0)
    {
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot encrypt the message");
      return NULL;
    }

  if (seq_out != NULL)
    *seq_out = self->send_seq;
  self->send_seq++;

  return g_bytes_new_take (g_steal_pointer (&ciphertext), ciphertext_length);
}

/**
 * rc_channel_open:
 *
 * Decrypts the peer's next message. Fails with %RC_CRYPTO_ERROR_SEQUENCE
 * unless @seq is the next expected one, with %RC_CRYPTO_ERROR_TOO_LONG for
 * a ciphertext longer than the longest message, and with
 * %RC_CRYPTO_ERROR_DECRYPT when the tag does not verify or the text is not
 * UTF-8 (a zero byte counts as not UTF-8: it could hide the rest of the
 * text). Empty text is accepted: the protocol allows it. The receive seq
 * advances only on success.
 *
 * Returns: (transfer full): the text; the caller frees it.
 */
char *
rc_channel_open (RcChannel  *self,
                 gint64      seq,
                 GBytes     *ciphertext,
                 GError    **error)
{
  g_auto (SecretBuffer) plaintext = { NULL, 0 };
  guint8 nonce[GCM_NONCE_SIZE];
  guint8 aad[AAD_SIZE];
  const guint8 *data;
  gsize size;
  gsize plaintext_length;
  int ret;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (seq != self->receive_seq)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_SEQUENCE,
                   "Expected message %" G_GINT64_FORMAT ", received %" G_GINT64_FORMAT,
                   self->receive_seq, seq);
      return NULL;
    }

  data = g_bytes_get_data (ciphertext, &size);
  if (size < GCM_TAG_SIZE)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_DECRYPT,
                   "The message is too short to carry a tag");
      return NULL;
    }

  if (size - GCM_TAG_SIZE > RC_MAX_PLAINTEXT_SIZE)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_TOO_LONG,
                   "The message is longer than %d bytes", RC_MAX_PLAINTEXT_SIZE);
      return NULL;
    }

  /* One byte more for the terminating zero. GnuTLS may leave unverified
   * plaintext in the buffer when the tag fails: the g_auto wipes it. */
  plaintext.length = size - GCM_TAG_SIZE + 1;
  plaintext.data = g_malloc (plaintext.length);
  plaintext_length = plaintext.length;

  build_nonce_and_aad (self, seq, nonce, aad);
  ret = gnutls_aead_cipher_decrypt (self->receive_cipher, nonce, sizeof nonce, aad, sizeof aad,
                                    GCM_TAG_SIZE, data, size, plaintext.data, &plaintext_length);
  if (ret < 0)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_DECRYPT,
                   "The message does not verify: it was changed, or not sealed for this room");
      return NULL;
    }

  if (!g_utf8_validate ((const char *) plaintext.data, plaintext_length, NULL))
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_DECRYPT,
                   "The message is not valid UTF-8 text");
      return NULL;
    }

  plaintext.data[plaintext_length] = '\0';
  self->receive_seq++;

  return (char *) g_steal_pointer (&plaintext.data);
}

gint64
rc_channel_get_send_seq (RcChannel *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->send_seq;
}

gint64
rc_channel_get_receive_seq (RcChannel *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->receive_seq;
}
