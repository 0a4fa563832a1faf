/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-crypto"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <nettle/curve25519.h>

#include "rc-crypto.h"

/* The byte strings of PROTOCOL.md section 4, without terminating zero. */
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

/* A PEM RSA-3072 key is about 2.5 KB; anything much larger is not one. */
#define MAX_IDENTITY_FILE_SIZE (64 * 1024)

G_DEFINE_QUARK (rc-crypto-error-quark, rc_crypto_error)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)

/* Buffers GnuTLS allocates for us. Some hold a private key in PEM, so all of
 * them are wiped before they go back: one rule is easier to keep than two. */
static void
datum_clear (gnutls_datum_t *datum)
{
  if (datum->data != NULL)
    {
      gnutls_memset (datum->data, 0, datum->size);
      gnutls_free (datum->data);
    }
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, datum_clear)

/* Fixed-size secrets on the stack (shared secret, PRK, okm): g_auto() wipes
 * them on every way out of the function, early returns included. */
typedef struct
{
  guint8 bytes[OKM_SIZE];
} SecretBlock;

static void
secret_block_clear (SecretBlock *block)
{
  gnutls_memset (block->bytes, 0, sizeof block->bytes);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SecretBlock, secret_block_clear)

/* Heap secrets (a key file, a decrypted message that is not handed out). */
typedef struct
{
  guint8 *data;
  gsize   length;
} SecretBuffer;

static void
secret_buffer_clear (SecretBuffer *buffer)
{
  if (buffer->data != NULL)
    gnutls_memset (buffer->data, 0, buffer->length);
  g_clear_pointer (&buffer->data, g_free);
  buffer->length = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SecretBuffer, secret_buffer_clear)

static void
set_gnutls_error (GError       **error,
                  RcCryptoError  code,
                  int            gnutls_code,
                  const char    *what)
{
  g_set_error (error, RC_CRYPTO_ERROR, code, "%s: %s", what, gnutls_strerror (gnutls_code));
}

/* Constant time, so the check says nothing about the secret but its zeroness. */
static gboolean
is_all_zero (const guint8 *data,
             gsize         length)
{
  guint8 bits = 0;

  for (gsize i = 0; i < length; i++)
    bits |= data[i];

  return bits == 0;
}

static gboolean
is_valid_role (RcRole role)
{
  return role == RC_ROLE_CREATOR || role == RC_ROLE_JOINER;
}

/* The room id is both the HKDF salt and part of every AAD, byte for byte,
 * as the server gave it. It comes from the network, so a malformed one is
 * an error, not a programming mistake. */
static gboolean
is_valid_room_id (const char *room_id)
{
  gsize i;

  if (room_id == NULL)
    return FALSE;

  for (i = 0; room_id[i] != '\0'; i++)
    if (i >= RC_ROOM_ID_LENGTH || !g_ascii_isalnum (room_id[i]))
      return FALSE;

  return i == RC_ROOM_ID_LENGTH;
}

static gboolean
check_room_id (const char  *room_id,
               GError     **error)
{
  if (!is_valid_room_id (room_id))
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "A room id has %d letters and digits", RC_ROOM_ID_LENGTH);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_ephemeral_size (GBytes  *ephemeral,
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
 * Computes PROTOCOL.md 4's safety code of two identity fingerprints. The
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

/* Identity keys */

struct _RcIdentity
{
  GObject parent_instance;

  /* All owned, set once by identity_new_take_x509() and never changed,
   * which is what makes an identity safe to share between threads. */
  gnutls_privkey_t  key;
  GBytes           *spki;
  GBytes           *fingerprint;
};

G_DEFINE_FINAL_TYPE (RcIdentity, rc_identity, G_TYPE_OBJECT)

static void
rc_identity_finalize (GObject *object)
{
  RcIdentity *self = (RcIdentity *)object;

  /* GnuTLS wipes the key's numbers as it frees them. */
  g_clear_pointer (&self->key, gnutls_privkey_deinit);
  g_clear_pointer (&self->spki, g_bytes_unref);
  g_clear_pointer (&self->fingerprint, g_bytes_unref);

  G_OBJECT_CLASS (rc_identity_parent_class)->finalize (object);
}

static void
rc_identity_class_init (RcIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rc_identity_finalize;
}

static void
rc_identity_init (RcIdentity *self G_GNUC_UNUSED)
{
}

/* PROTOCOL.md 4 wants an RSA key of at least 3072 bits. An even public
 * exponent or 1 makes no RSA key at all; one over 256 bits (the bound of
 * NIST SP 800-56B) is no key anybody makes, and would let a peer make every
 * verification slow. */
static gboolean
check_rsa_public_key (gnutls_pubkey_t   key,
                      GError          **error)
{
  g_auto (gnutls_datum_t) modulus = { NULL, 0 };
  g_auto (gnutls_datum_t) exponent = { NULL, 0 };
  unsigned int bits = 0;
  int ret;

  if (gnutls_pubkey_get_pk_algorithm (key, &bits) != GNUTLS_PK_RSA || bits < RC_IDENTITY_MIN_BITS)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "The identity key is not an RSA key of at least %d bits",
                   RC_IDENTITY_MIN_BITS);
      return FALSE;
    }

  ret = gnutls_pubkey_export_rsa_raw2 (key, &modulus, &exponent, GNUTLS_EXPORT_FLAG_NO_LZ);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot read the RSA key");
      return FALSE;
    }

  if (exponent.size == 0 || exponent.size > 32 ||
      (exponent.data[exponent.size - 1] & 1) == 0 ||
      (exponent.size == 1 && exponent.data[0] == 1))
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "The identity key has an unusable RSA public exponent");
      return FALSE;
    }

  return TRUE;
}

static gnutls_pubkey_t
import_spki (GBytes  *spki,
             GError **error)
{
  g_auto (gnutls_pubkey_t) key = NULL;
  g_auto (gnutls_datum_t) canonical = { NULL, 0 };
  gnutls_datum_t der;
  gsize size;
  int ret;

  der.data = (unsigned char *) g_bytes_get_data (spki, &size);
  der.size = (unsigned int) size;
  if (size == 0 || size > G_MAXUINT)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "The identity key is not a DER SubjectPublicKeyInfo");
      return NULL;
    }

  ret = gnutls_pubkey_init (&key);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot read the identity key");
      return NULL;
    }

  ret = gnutls_pubkey_import (key, &der, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_BAD_KEY, ret,
                        "The identity key is not a DER SubjectPublicKeyInfo");
      return NULL;
    }

  if (!check_rsa_public_key (key, error))
    return NULL;

  /* GnuTLS reads past odd algorithm parameters and a non-zero count of
   * unused bits. Holding the peer to the exact DER that GnuTLS (and every
   * other library) writes gives each key one SPKI, so one fingerprint. */
  ret = gnutls_pubkey_export2 (key, GNUTLS_X509_FMT_DER, &canonical);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot export the identity key");
      return NULL;
    }

  if (canonical.size != der.size || memcmp (canonical.data, der.data, der.size) != 0)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "The identity key is not in canonical DER form");
      return NULL;
    }

  return g_steal_pointer (&key);
}

/* Always takes @x509_in, also on failure. */
static RcIdentity *
identity_new_take_x509 (gnutls_x509_privkey_t   x509_in,
                        GError                **error)
{
  g_auto (gnutls_x509_privkey_t) x509 = x509_in;
  g_auto (gnutls_privkey_t) key = NULL;
  g_auto (gnutls_pubkey_t) public_key = NULL;
  g_auto (gnutls_datum_t) spki = { NULL, 0 };
  g_autoptr(RcIdentity) self = NULL;
  unsigned int bits = 0;
  int ret;

  if (gnutls_x509_privkey_get_pk_algorithm2 (x509, &bits) != GNUTLS_PK_RSA ||
      bits < RC_IDENTITY_MIN_BITS)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "The identity key is not an RSA key of at least %d bits",
                   RC_IDENTITY_MIN_BITS);
      return NULL;
    }

  /* A damaged key file would otherwise show up only as signatures that
   * the peer rejects, far from the cause. */
  ret = gnutls_x509_privkey_verify_params (x509);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_BAD_KEY, ret, "The identity key is damaged");
      return NULL;
    }

  ret = gnutls_privkey_init (&key);
  if (ret >= 0)
    ret = gnutls_privkey_import_x509 (key, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot use the identity key");
      return NULL;
    }
  /* @key owns it now. */
  x509 = NULL;

  ret = gnutls_pubkey_init (&public_key);
  if (ret >= 0)
    ret = gnutls_pubkey_import_privkey (public_key, key, 0, 0);
  if (ret >= 0)
    ret = gnutls_pubkey_export2 (public_key, GNUTLS_X509_FMT_DER, &spki);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot export the identity key");
      return NULL;
    }

  if (!check_rsa_public_key (public_key, error))
    return NULL;

  self = g_object_new (RC_TYPE_IDENTITY, NULL);
  self->key = g_steal_pointer (&key);
  self->spki = g_bytes_new (spki.data, spki.size);
  self->fingerprint = rc_crypto_fingerprint (self->spki);

  return g_steal_pointer (&self);
}

/**
 * rc_identity_generate:
 *
 * Makes a new RSA-3072 key pair (e = 65537, GnuTLS's choice). It takes up
 * to a second or more: call it from a worker thread.
 */
RcIdentity *
rc_identity_generate (GError **error)
{
  g_auto (gnutls_x509_privkey_t) x509 = NULL;
  int ret;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ret = gnutls_x509_privkey_init (&x509);
  if (ret >= 0)
    ret = gnutls_x509_privkey_generate2 (x509, GNUTLS_PK_RSA, RC_IDENTITY_MIN_BITS, 0, NULL, 0);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot generate an identity key");
      return NULL;
    }

  return identity_new_take_x509 (g_steal_pointer (&x509), error);
}

/**
 * rc_identity_new_from_pem:
 * @pem: an unencrypted PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1
 *   ("BEGIN RSA PRIVATE KEY") key in PEM; need not end in a zero byte
 *
 * Fails with %RC_CRYPTO_ERROR_BAD_KEY unless @pem holds an intact RSA key
 * of at least 3072 bits.
 */
RcIdentity *
rc_identity_new_from_pem (const char  *pem,
                          gsize        length,
                          GError     **error)
{
  g_auto (gnutls_x509_privkey_t) x509 = NULL;
  gnutls_datum_t datum;
  int ret;

  g_return_val_if_fail (pem != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length == 0 || length > G_MAXUINT)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "The identity key is not a PEM private key");
      return NULL;
    }

  ret = gnutls_x509_privkey_init (&x509);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot read the identity key");
      return NULL;
    }

  datum.data = (unsigned char *) pem;
  datum.size = (unsigned int) length;
  ret = gnutls_x509_privkey_import2 (x509, &datum, GNUTLS_X509_FMT_PEM, NULL, 0);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_BAD_KEY, ret,
                        "The identity key is not an unencrypted PEM private key");
      return NULL;
    }

  return identity_new_take_x509 (g_steal_pointer (&x509), error);
}

/* One read into a buffer of the final size: a growing buffer would leave
 * pieces of the private key behind in freed memory. */
static gboolean
read_secret_file (const char    *path,
                  SecretBuffer  *contents,
                  gsize         *length,
                  GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  goffset size;

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return FALSE;

  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, error);
  if (info == NULL)
    return FALSE;

  size = g_file_info_get_size (info);
  if (size <= 0 || size > MAX_IDENTITY_FILE_SIZE)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY,
                   "%s is not an identity key file", path);
      return FALSE;
    }

  /* One byte more than the size, to notice a file that grew meanwhile. */
  contents->length = (gsize) size + 1;
  contents->data = g_malloc (contents->length);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), contents->data, contents->length,
                                length, NULL, error))
    return FALSE;

  if (*length != (gsize) size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s changed while it was being read", path);
      return FALSE;
    }

  return TRUE;
}

/**
 * rc_identity_load:
 *
 * Reads an identity saved by rc_identity_save(). A missing file fails with
 * %G_IO_ERROR_NOT_FOUND, so callers can tell "first use" from a damaged
 * file, which fails with %RC_CRYPTO_ERROR_BAD_KEY.
 */
RcIdentity *
rc_identity_load (const char  *path,
                  GError     **error)
{
  g_auto (SecretBuffer) contents = { NULL, 0 };
  RcIdentity *identity;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_secret_file (path, &contents, &length, error))
    return NULL;

  identity = rc_identity_new_from_pem ((const char *) contents.data, length, error);
  if (identity == NULL)
    g_prefix_error (error, "%s: ", path);

  return identity;
}

/**
 * rc_identity_save:
 *
 * Writes the private key as unencrypted PKCS#8 PEM. Missing parent folders
 * are created with mode 0700. The file is replaced atomically, and its
 * temporary file has mode 0600 from its creation on, so the key is never
 * readable by others, not even for a moment.
 */
gboolean
rc_identity_save (RcIdentity  *self,
                  const char  *path,
                  GError     **error)
{
  g_auto (gnutls_x509_privkey_t) x509 = NULL;
  g_auto (gnutls_datum_t) pem = { NULL, 0 };
  g_autofree char *directory = NULL;
  int ret;

  g_return_val_if_fail (RC_IS_IDENTITY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ret = gnutls_privkey_export_x509 (self->key, &x509);
  if (ret >= 0)
    ret = gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                             &pem);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot export the identity key");
      return FALSE;
    }

  directory = g_path_get_dirname (path);
  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create the folder %s: %s", directory, g_strerror (saved_errno));
      return FALSE;
    }

  /* Durable too: losing the key in a crash would change the safety code
   * every peer knows for us. */
  return g_file_set_contents_full (path, (const char *) pem.data, pem.size,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/* Two requests at once in one process must not both generate a key and
 * overwrite each other's file: the second one waits and loads the file. */
static GMutex load_or_generate_lock;

static void
load_or_generate_thread (GTask        *task,
                         gpointer      source_object G_GNUC_UNUSED,
                         gpointer      task_data,
                         GCancellable *cancellable G_GNUC_UNUSED)
{
  const char *path = task_data;
  g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new (&load_or_generate_lock);
  g_autoptr(RcIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  identity = rc_identity_load (path, &error);
  if (identity == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_clear_error (&error);
      identity = rc_identity_generate (&error);

      /* A caller that gave up during the slow part gets no file it no
       * longer wants. */
      if (identity != NULL && g_task_return_error_if_cancelled (task))
        return;

      if (identity != NULL && !rc_identity_save (identity, path, &error))
        g_clear_object (&identity);
    }

  if (identity == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&identity), g_object_unref);
}

/**
 * rc_identity_load_or_generate_async:
 *
 * Loads the identity at @path in a worker thread; on first use (no file)
 * generates one and saves it there.
 */
void
rc_identity_load_or_generate_async (const char          *path,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  /* No source tag: -Wpedantic forbids a function pointer as gpointer. */
  g_task_set_name (task, "rc_identity_load_or_generate_async");
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, load_or_generate_thread);
}

RcIdentity *
rc_identity_load_or_generate_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rc_identity_get_spki:
 *
 * Returns: (transfer full): the DER SubjectPublicKeyInfo of the public key,
 *   a new reference: the caller unrefs it.
 */
GBytes *
rc_identity_get_spki (RcIdentity *self)
{
  g_return_val_if_fail (RC_IS_IDENTITY (self), NULL);

  return g_bytes_ref (self->spki);
}

/**
 * rc_identity_get_fingerprint:
 *
 * Returns: (transfer full): SHA-256 of the SPKI, a new reference: the
 *   caller unrefs it.
 */
GBytes *
rc_identity_get_fingerprint (RcIdentity *self)
{
  g_return_val_if_fail (RC_IS_IDENTITY (self), NULL);

  return g_bytes_ref (self->fingerprint);
}

/* The signer names its own role, so a server cannot hand one side's
 * signed key back to it as the peer's. */
static GBytes *
build_signed_message (RcRole  role,
                      GBytes *ephemeral)
{
  const char *role_name = rc_role_to_string (role);
  GByteArray *message;

  message = g_byte_array_sized_new (sizeof SIGNATURE_CONTEXT + strlen (role_name) + 1 +
                                    RC_X25519_KEY_SIZE);
  /* Both sizeofs count the terminating zero: that is the 0x00 separator. */
  g_byte_array_append (message, (const guint8 *) SIGNATURE_CONTEXT, sizeof SIGNATURE_CONTEXT);
  g_byte_array_append (message, (const guint8 *) role_name, strlen (role_name) + 1);
  g_byte_array_append (message, g_bytes_get_data (ephemeral, NULL), RC_X25519_KEY_SIZE);

  return g_byte_array_free_to_bytes (message);
}

/**
 * rc_identity_sign_ephemeral:
 * @role: the signer's own role
 * @ephemeral_public: the signer's 32-byte X25519 public key
 *
 * Makes the RSASSA-PSS signature of PROTOCOL.md 4 (SHA-256, MGF1-SHA-256,
 * salt of 32 bytes).
 */
GBytes *
rc_identity_sign_ephemeral (RcIdentity  *self,
                            RcRole       role,
                            GBytes      *ephemeral_public,
                            GError     **error)
{
  g_auto (gnutls_datum_t) signature = { NULL, 0 };
  g_autoptr(GBytes) message = NULL;
  gnutls_datum_t message_datum;
  gsize size;
  int ret;

  g_return_val_if_fail (RC_IS_IDENTITY (self), NULL);
  g_return_val_if_fail (is_valid_role (role), NULL);
  g_return_val_if_fail (ephemeral_public != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_ephemeral_size (ephemeral_public, error))
    return NULL;

  message = build_signed_message (role, ephemeral_public);
  message_datum.data = (unsigned char *) g_bytes_get_data (message, &size);
  message_datum.size = (unsigned int) size;

  ret = gnutls_privkey_sign_data2 (self->key, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256,
                                   GNUTLS_PRIVKEY_FLAG_RSA_PSS_FIXED_SALT_LENGTH,
                                   &message_datum, &signature);
  if (ret < 0)
    {
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot sign the ephemeral key");
      return NULL;
    }

  return g_bytes_new (signature.data, signature.size);
}

/**
 * rc_crypto_verify_ephemeral:
 * @spki: the signer's identity, DER SubjectPublicKeyInfo
 * @role: the role the signer claims
 *
 * Fails with %RC_CRYPTO_ERROR_BAD_KEY unless @spki is an RSA key of at
 * least 3072 bits and @ephemeral_public has 32 bytes, and with
 * %RC_CRYPTO_ERROR_BAD_SIGNATURE unless @signature is a PSS signature with a
 * salt of exactly 32 bytes over @role and @ephemeral_public.
 */
gboolean
rc_crypto_verify_ephemeral (GBytes  *spki,
                            RcRole   role,
                            GBytes  *ephemeral_public,
                            GBytes  *signature,
                            GError **error)
{
  g_auto (gnutls_pubkey_t) key = NULL;
  g_autoptr(GBytes) message = NULL;
  gnutls_datum_t message_datum;
  gnutls_datum_t signature_datum;
  gsize size;
  int ret;

  g_return_val_if_fail (spki != NULL, FALSE);
  g_return_val_if_fail (is_valid_role (role), FALSE);
  g_return_val_if_fail (ephemeral_public != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = import_spki (spki, error);
  if (key == NULL)
    return FALSE;

  if (!check_ephemeral_size (ephemeral_public, error))
    return FALSE;

  message = build_signed_message (role, ephemeral_public);
  message_datum.data = (unsigned char *) g_bytes_get_data (message, &size);
  message_datum.size = (unsigned int) size;
  signature_datum.data = (unsigned char *) g_bytes_get_data (signature, &size);
  signature_datum.size = (unsigned int) MIN (size, G_MAXUINT);

  /* GnuTLS already wants the salt to be exactly the digest size for an
   * rsaEncryption key; the flag says so in case a later version relaxes it.
   * Every failure is a bad signature: a verification can only say yes. */
  ret = gnutls_pubkey_verify_data2 (key, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256,
                                    GNUTLS_VERIFY_RSA_PSS_FIXED_SALT_LENGTH,
                                    &message_datum, &signature_datum);
  if (ret < 0)
    {
      g_set_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE,
                   "The %s's ephemeral key does not carry a valid signature: %s",
                   rc_role_to_string (role), gnutls_strerror (ret));
      return FALSE;
    }

  return TRUE;
}

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

/**
 * rc_crypto_derive_keys:
 * @shared: the X25519 result of both ephemeral keys
 * @room_id: the 12-character room id, exactly as the server gave it
 * @okm: (out caller-allocates): 64 bytes: creator -> joiner key, then
 *   joiner -> creator key
 *
 * HKDF-SHA-256 as PROTOCOL.md 4 defines it. @okm is all zero on failure.
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

  if (!check_room_id (room_id, error) ||
      !check_ephemeral_size (creator_ephemeral, error) ||
      !check_ephemeral_size (joiner_ephemeral, error))
    return FALSE;

  if (is_all_zero (shared, RC_X25519_KEY_SIZE))
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
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot derive the room keys");
      return FALSE;
    }

  return TRUE;
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

  g_assert (is_valid_role (own_role));
  g_assert (is_valid_room_id (room_id));

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
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot set up AES-256-GCM");
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

  g_return_val_if_fail (is_valid_role (own_role), NULL);
  g_return_val_if_fail (room_id != NULL, NULL);
  g_return_val_if_fail (own_ephemeral != NULL, NULL);
  g_return_val_if_fail (own_spki != NULL, NULL);
  g_return_val_if_fail (peer_spki != NULL, NULL);
  g_return_val_if_fail (peer_ephemeral != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_room_id (room_id, error) || !check_ephemeral_size (peer_ephemeral, error))
    return NULL;

  curve25519_mul (shared.bytes, own_ephemeral->private_key,
                  g_bytes_get_data (peer_ephemeral, NULL));

  /* nettle gives zeros for a low-order point instead of failing; a peer
   * (or the server) sending one would fix the keys to known values. */
  if (is_all_zero (shared.bytes, RC_X25519_KEY_SIZE))
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

  g_return_val_if_fail (is_valid_role (own_role), NULL);
  g_return_val_if_fail (is_valid_room_id (room_id), NULL);
  g_return_val_if_fail (okm != NULL, NULL);

  channel = channel_new_from_keys (own_role, room_id, okm, &error);
  if (channel == NULL)
    g_critical ("%s", error->message);

  return channel;
}

/* PROTOCOL.md 4: nonce = 0x00000000 || seq, aad = ROOM_ID || seq, seq as
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
      set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot encrypt the message");
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
