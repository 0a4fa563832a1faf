/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-crypto"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "rc-crypto.h"
#include "rc-crypto-private.h"

/* A PEM RSA-3072 key is about 2.5 KB; anything much larger is not one. */
#define MAX_IDENTITY_FILE_SIZE (64 * 1024)

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

/* docs/protocol.md 4 wants an RSA key of at least 3072 bits. An even public
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
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret, "Cannot read the RSA key");
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
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot read the identity key");
      return NULL;
    }

  ret = gnutls_pubkey_import (key, &der, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    {
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_BAD_KEY, ret,
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
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot export the identity key");
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
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_BAD_KEY, ret,
                                  "The identity key is damaged");
      return NULL;
    }

  ret = gnutls_privkey_init (&key);
  if (ret >= 0)
    ret = gnutls_privkey_import_x509 (key, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
  if (ret < 0)
    {
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot use the identity key");
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
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot export the identity key");
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
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot generate an identity key");
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
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot read the identity key");
      return NULL;
    }

  datum.data = (unsigned char *) pem;
  datum.size = (unsigned int) length;
  ret = gnutls_x509_privkey_import2 (x509, &datum, GNUTLS_X509_FMT_PEM, NULL, 0);
  if (ret < 0)
    {
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_BAD_KEY, ret,
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
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot export the identity key");
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
 * Makes the RSASSA-PSS signature of docs/protocol.md 4 (SHA-256, MGF1-SHA-256,
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
  g_return_val_if_fail (rc_crypto_is_valid_role (role), NULL);
  g_return_val_if_fail (ephemeral_public != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!rc_crypto_check_ephemeral_size (ephemeral_public, error))
    return NULL;

  message = build_signed_message (role, ephemeral_public);
  message_datum.data = (unsigned char *) g_bytes_get_data (message, &size);
  message_datum.size = (unsigned int) size;

  ret = gnutls_privkey_sign_data2 (self->key, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256,
                                   GNUTLS_PRIVKEY_FLAG_RSA_PSS_FIXED_SALT_LENGTH,
                                   &message_datum, &signature);
  if (ret < 0)
    {
      rc_crypto_set_gnutls_error (error, RC_CRYPTO_ERROR_FAILED, ret,
                                  "Cannot sign the ephemeral key");
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
  g_return_val_if_fail (rc_crypto_is_valid_role (role), FALSE);
  g_return_val_if_fail (ephemeral_public != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = import_spki (spki, error);
  if (key == NULL)
    return FALSE;

  if (!rc_crypto_check_ephemeral_size (ephemeral_public, error))
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
