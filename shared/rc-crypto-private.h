/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The crypto module is four files: rc-crypto.c (hashes, the safety code,
 * key derivation and the helpers below), rc-identity.c (RcIdentity and
 * signatures), rc-channel.c (RcEphemeralKey and RcChannel) and this header.
 * They are the only code in shared/ that sees GnuTLS or nettle, and this
 * header is the only file that includes their headers: everything else
 * uses rc-crypto.h. */

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <nettle/curve25519.h>

#include "rc-crypto.h"

G_BEGIN_DECLS

/* The byte strings of docs/protocol.md section 4, without terminating zero. */
#define SIGNATURE_CONTEXT "roomchat-v1 ephemeral"
#define KEYS_INFO_LABEL   "roomchat-v1 keys"
#define SAFETY_LABEL      "roomchat-v1 safety"

#define SHA256_SIZE     32
#define AES_KEY_SIZE    32
#define OKM_SIZE        (2 * AES_KEY_SIZE)
#define GCM_NONCE_SIZE  12
#define GCM_TAG_SIZE    16
#define AAD_SIZE        (RC_ROOM_ID_LENGTH + 8)
#define SAFETY_CODE_SIZE 16

/* Fixed-size secrets on the stack (shared secret, PRK, okm): g_auto() wipes
 * them on every way out of the function, early returns included. */
typedef struct
{
  guint8 bytes[OKM_SIZE];
} SecretBlock;

void     rc_crypto_secret_block_clear   (SecretBlock    *block);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SecretBlock, rc_crypto_secret_block_clear)

/* Heap secrets (a key file, a decrypted message that is not handed out). */
typedef struct
{
  guint8 *data;
  gsize   length;
} SecretBuffer;

void     rc_crypto_secret_buffer_clear  (SecretBuffer   *buffer);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SecretBuffer, rc_crypto_secret_buffer_clear)

void     rc_crypto_set_gnutls_error     (GError        **error,
                                         RcCryptoError   code,
                                         int             gnutls_code,
                                         const char     *what);
gboolean rc_crypto_is_all_zero          (const guint8   *data,
                                         gsize           length);
gboolean rc_crypto_is_valid_role        (RcRole          role);
gboolean rc_crypto_is_valid_room_id     (const char     *room_id);
gboolean rc_crypto_check_room_id        (const char     *room_id,
                                         GError        **error);
gboolean rc_crypto_check_ephemeral_size (GBytes         *ephemeral,
                                         GError        **error);

G_END_DECLS
