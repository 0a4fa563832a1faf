/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-names.h"

G_BEGIN_DECLS

/* The end-to-end encryption of docs/protocol.md section 4. No GnuTLS or nettle
 * type appears here: only rc-crypto-private.h includes their headers, for
 * rc-crypto.c, rc-identity.c and rc-channel.c. */

#define RC_CRYPTO_ERROR (rc_crypto_error_quark ())

typedef enum
{
  RC_CRYPTO_ERROR_FAILED,        /* the library failed */
  /* not an RSA key >= 3072 bits in canonical DER, wrong X25519 size,
   * all-zero shared secret, unreadable PEM, malformed room id */
  RC_CRYPTO_ERROR_BAD_KEY,
  RC_CRYPTO_ERROR_BAD_SIGNATURE,
  RC_CRYPTO_ERROR_DECRYPT,       /* tag does not verify, or plaintext not UTF-8 */
  RC_CRYPTO_ERROR_SEQUENCE,      /* not the next expected seq */
  RC_CRYPTO_ERROR_TOO_LONG,      /* plaintext over RC_MAX_PLAINTEXT_SIZE */
  RC_CRYPTO_ERROR_INVALID_TEXT,  /* plaintext to seal is not valid UTF-8 or empty */
} RcCryptoError;

#define RC_X25519_KEY_SIZE 32
#define RC_FINGERPRINT_SIZE 32
#define RC_MAX_PLAINTEXT_SIZE 16384
#define RC_MAX_CIPHERTEXT_SIZE 49152   /* what the server accepts, docs/protocol.md 3.3 */
#define RC_IDENTITY_MIN_BITS 3072

GQuark          rc_crypto_error_quark               (void);

void            rc_crypto_random                    (guint8              *buffer,
                                                     gsize                length);
GBytes         *rc_crypto_sha256                    (const guint8        *data,
                                                     gsize                length);
GBytes         *rc_crypto_fingerprint               (GBytes              *spki);
char           *rc_crypto_format_fingerprint        (GBytes              *fingerprint);
char           *rc_crypto_safety_code               (GBytes              *fingerprint_a,
                                                     GBytes              *fingerprint_b);

/* RcIdentity: the long-term RSA key pair of one installation. It never
 * changes after construction, so any thread may use it. The getters of
 * GBytes return a new reference: the caller unrefs it. */
#define RC_TYPE_IDENTITY (rc_identity_get_type ())
G_DECLARE_FINAL_TYPE (RcIdentity, rc_identity, RC, IDENTITY, GObject)

RcIdentity     *rc_identity_generate                (GError             **error);
RcIdentity     *rc_identity_new_from_pem            (const char          *pem,
                                                     gsize                length,
                                                     GError             **error);
RcIdentity     *rc_identity_load                    (const char          *path,
                                                     GError             **error);
gboolean        rc_identity_save                    (RcIdentity          *self,
                                                     const char          *path,
                                                     GError             **error);
void            rc_identity_load_or_generate_async  (const char          *path,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
RcIdentity     *rc_identity_load_or_generate_finish (GAsyncResult        *result,
                                                     GError             **error);
GBytes         *rc_identity_get_spki                (RcIdentity          *self);
GBytes         *rc_identity_get_fingerprint         (RcIdentity          *self);
GBytes         *rc_identity_sign_ephemeral          (RcIdentity          *self,
                                                     RcRole               role,
                                                     GBytes              *ephemeral_public,
                                                     GError             **error);
gboolean        rc_crypto_verify_ephemeral          (GBytes              *spki,
                                                     RcRole               role,
                                                     GBytes              *ephemeral_public,
                                                     GBytes              *signature,
                                                     GError             **error);

/* RcEphemeralKey: one side's X25519 key pair for one room. */
typedef struct _RcEphemeralKey RcEphemeralKey;

RcEphemeralKey *rc_ephemeral_key_new                (void);
RcEphemeralKey *rc_ephemeral_key_new_from_private   (GBytes              *private_key,
                                                     GError             **error);
GBytes         *rc_ephemeral_key_get_public         (RcEphemeralKey      *self);
void            rc_ephemeral_key_free               (RcEphemeralKey      *self);

/* docs/protocol.md 4's HKDF: okm[0..32) encrypts creator -> joiner,
 * okm[32..64) joiner -> creator. */
gboolean rc_crypto_derive_keys (const guint8   shared[RC_X25519_KEY_SIZE],
                                const char    *room_id,
                                GBytes        *creator_spki,
                                GBytes        *joiner_spki,
                                GBytes        *creator_ephemeral,
                                GBytes        *joiner_ephemeral,
                                guint8         okm[64],
                                GError       **error);

/* RcChannel: the cipher state of one room, both directions. Not thread-safe:
 * one owner uses it at a time. */
typedef struct _RcChannel RcChannel;

RcChannel      *rc_channel_new                      (RcRole               own_role,
                                                     const char          *room_id,
                                                     RcEphemeralKey      *own_ephemeral,
                                                     GBytes              *own_spki,
                                                     GBytes              *peer_spki,
                                                     GBytes              *peer_ephemeral,
                                                     GError             **error);
RcChannel      *rc_channel_new_from_keys            (RcRole               own_role,
                                                     const char          *room_id,
                                                     const guint8         okm[64]);
GBytes         *rc_channel_seal                     (RcChannel           *self,
                                                     const char          *text,
                                                     gint64              *seq_out,
                                                     GError             **error);
char           *rc_channel_open                     (RcChannel           *self,
                                                     gint64               seq,
                                                     GBytes              *ciphertext,
                                                     GError             **error);
gint64          rc_channel_get_send_seq             (RcChannel           *self);
gint64          rc_channel_get_receive_seq          (RcChannel           *self);
void            rc_channel_free                     (RcChannel           *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcEphemeralKey, rc_ephemeral_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcChannel, rc_channel_free)

G_END_DECLS
