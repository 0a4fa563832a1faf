/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "rc-certificate.h"
#include "rc-crypto.h"

/* The server's TLS certificate (docs/protocol.md 1): the administrator's, or a
 * self-signed Ed25519 one made at first start, kept in the state directory
 * and reused. GLib does not check that a key belongs to its certificate
 * (a mismatch shows only as failed handshakes on the clients), so this file
 * does, with GnuTLS, before the server listens.
 * It is the only file of the server that uses GnuTLS for certificates. */

#define VALIDITY_SECONDS ((time_t) 10 * 365 * 24 * 60 * 60 + 3 * 24 * 60 * 60)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)

static void
datum_free (gnutls_datum_t *datum)
{
  gnutls_free (datum->data);
  datum->data = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, datum_free)

static gboolean
gnutls_failed (int          ret,
               const char  *what,
               const char  *path,
               GError     **error)
{
  if (ret >= 0)
    return FALSE;

  if (path != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s (%s): %s", what, path, gnutls_strerror (ret));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, gnutls_strerror (ret));
  return TRUE;
}

static gboolean
read_file (const char  *path,
           const char  *key,
           char       **contents,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, contents, NULL, &local_error))
    {
      const char *reason = local_error->message;

      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        reason = "no such file";
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
        reason = "permission denied";
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s (%s): cannot read it: %s",
                   key, path, reason);
      return FALSE;
    }

  return TRUE;
}

/* Checks that @key_pem belongs to the certificate in @cert_pem: both must
 * name the same public key. The names say where each came from. */
static gboolean
check_pair (const char  *cert_pem,
            const char  *key_pem,
            const char  *cert_name,
            const char  *key_name,
            GError     **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_x509_privkey_t) key = NULL;
  gnutls_datum_t cert_datum = { (unsigned char *) cert_pem, (unsigned int) strlen (cert_pem) };
  gnutls_datum_t key_datum = { (unsigned char *) key_pem, (unsigned int) strlen (key_pem) };
  guint8 cert_id[64];
  guint8 key_id[64];
  size_t cert_id_size = sizeof cert_id;
  size_t key_id_size = sizeof key_id;

  if (gnutls_failed (gnutls_x509_crt_init (&crt), "TLS_CERT", cert_name, error) ||
      gnutls_failed (gnutls_x509_crt_import (crt, &cert_datum, GNUTLS_X509_FMT_PEM),
                     "TLS_CERT is not a PEM certificate", cert_name, error) ||
      gnutls_failed (gnutls_x509_privkey_init (&key), "TLS_KEY", key_name, error) ||
      gnutls_failed (gnutls_x509_privkey_import2 (key, &key_datum, GNUTLS_X509_FMT_PEM, NULL, 0),
                     "TLS_KEY is not an unencrypted PEM private key", key_name, error))
    return FALSE;

  if (gnutls_failed (gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA256, cert_id, &cert_id_size),
                     "TLS_CERT", cert_name, error) ||
      gnutls_failed (gnutls_x509_privkey_get_key_id (key, GNUTLS_KEYID_USE_SHA256, key_id, &key_id_size),
                     "TLS_KEY", key_name, error))
    return FALSE;

  if (cert_id_size != key_id_size || memcmp (cert_id, key_id, cert_id_size) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "TLS_KEY (%s) does not belong to the certificate of TLS_CERT (%s)", key_name, cert_name);
      return FALSE;
    }

  return TRUE;
}

static GTlsCertificate *
new_from_pem (const char  *cert_pem,
              const char  *key_pem,
              const char  *cert_name,
              const char  *key_name,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *both = NULL;
  GTlsCertificate *certificate;

  if (!check_pair (cert_pem, key_pem, cert_name, key_name, error))
    return NULL;

  both = g_strconcat (cert_pem, "\n", key_pem, NULL);
  certificate = g_tls_certificate_new_from_pem (both, -1, &local_error);
  explicit_bzero (both, strlen (both));
  if (certificate == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "TLS_CERT (%s) or TLS_KEY cannot be used: %s",
                   cert_name, local_error->message);
      return NULL;
    }

  return certificate;
}

/**
 * rc_certificate_load:
 *
 * Loads the administrator's PEM certificate (chain) and its key, after
 * checking they belong together. Errors are one line naming the file and
 * the setting.
 */
GTlsCertificate *
rc_certificate_load (const char  *cert_path,
                     const char  *key_path,
                     GError     **error)
{
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  GTlsCertificate *certificate;

  g_return_val_if_fail (cert_path != NULL, NULL);
  g_return_val_if_fail (key_path != NULL, NULL);

  if (!read_file (cert_path, "TLS_CERT", &cert_pem, error) ||
      !read_file (key_path, "TLS_KEY", &key_pem, error))
    return NULL;

  certificate = new_from_pem (cert_pem, key_pem, cert_path, key_path, error);
  explicit_bzero (key_pem, strlen (key_pem));
  return certificate;
}

static gboolean
generate (RcStateDir  *dir,
          const char  *common_name,
          GError     **error)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_datum_t) cert_pem = { NULL, 0 };
  g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
  guint8 serial[16];
  time_t now = time (NULL);

  rc_crypto_random (serial, sizeof serial);
  serial[0] &= 0x7f;

  if (gnutls_failed (gnutls_x509_privkey_init (&key), "Making the key", NULL, error) ||
      gnutls_failed (gnutls_x509_privkey_generate2 (key, GNUTLS_PK_EDDSA_ED25519,
                                                    GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519),
                                                    0, NULL, 0),
                     "Making the Ed25519 key", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_init (&crt), "Making the certificate", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_version (crt, 3), "Certificate version", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "Certificate serial", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_activation_time (crt, now - 60 * 60), "Certificate time", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_expiration_time (crt, now + VALIDITY_SECONDS), "Certificate time", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                    common_name, strlen (common_name)),
                     "Certificate name", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_key (crt, key), "Certificate key", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), "Certificate constraints", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "Certificate key usage", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "Certificate purpose", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA512, 0), "Signing the certificate", NULL, error) ||
      gnutls_failed (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &cert_pem), "Writing the certificate", NULL, error) ||
      gnutls_failed (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &key_pem),
                     "Writing the key", NULL, error))
    return FALSE;

  /* The key first: a certificate without its key would be useless. */
  if (!rc_state_dir_write (dir, RC_STATE_KEY_FILE, (const char *) key_pem.data, key_pem.size, 0600,
                           RC_STATE_WRITE_DURABLE, error) ||
      !rc_state_dir_write (dir, RC_STATE_CERT_FILE, (const char *) cert_pem.data, cert_pem.size, 0644,
                           RC_STATE_WRITE_DURABLE, error))
    return FALSE;

  g_info ("Made a self-signed Ed25519 certificate, valid for 10 years: %s/%s",
             rc_state_dir_get_path (dir), RC_STATE_CERT_FILE);
  return TRUE;
}

/**
 * rc_certificate_load_or_create:
 *
 * Loads the certificate the server made in its state directory at an
 * earlier start, or makes one: self-signed, Ed25519, valid for ten years.
 */
GTlsCertificate *
rc_certificate_load_or_create (RcStateDir  *dir,
                               const char  *common_name,
                               GError     **error)
{
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr(GError) cert_error = NULL;
  g_autoptr(GError) key_error = NULL;
  GTlsCertificate *certificate;

  g_return_val_if_fail (RC_IS_STATE_DIR (dir), NULL);
  g_return_val_if_fail (common_name != NULL, NULL);

  cert_pem = rc_state_dir_read (dir, RC_STATE_CERT_FILE, NULL, &cert_error);
  key_pem = rc_state_dir_read (dir, RC_STATE_KEY_FILE, NULL, &key_error);
  if (g_error_matches (cert_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
      g_error_matches (key_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_clear_pointer (&cert_pem, g_free);
      g_clear_pointer (&key_pem, g_free);
      g_clear_error (&cert_error);
      g_clear_error (&key_error);
      if (!generate (dir, common_name, error))
        return NULL;
      cert_pem = rc_state_dir_read (dir, RC_STATE_CERT_FILE, NULL, &cert_error);
      key_pem = rc_state_dir_read (dir, RC_STATE_KEY_FILE, NULL, &key_error);
    }
  if (cert_pem == NULL || key_pem == NULL)
    {
      g_propagate_error (error, cert_error != NULL ? g_steal_pointer (&cert_error) : g_steal_pointer (&key_error));
      return NULL;
    }

  cert_path = g_build_filename (rc_state_dir_get_path (dir), RC_STATE_CERT_FILE, NULL);
  key_path = g_build_filename (rc_state_dir_get_path (dir), RC_STATE_KEY_FILE, NULL);
  certificate = new_from_pem (cert_pem, key_pem, cert_path, key_path, error);
  explicit_bzero (key_pem, strlen (key_pem));
  return certificate;
}

/* The SHA-256 fingerprint of the certificate's DER form, as clients show it
 * at first contact: "AB:CD:...". */
char *
rc_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GBytes) digest = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  digest = rc_crypto_sha256 (der->data, der->len);

  return rc_crypto_format_fingerprint (digest);
}
