/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>

#include "rc-tls-credentials.h"
#include "rc-tls-priority.h"

/* What every TLS session of the server shares: the certificate and key in
 * GnuTLS's form and the priority of docs/protocol.md section 1 (TLS 1.3
 * only). No CA database is loaded: the server asks for no client
 * certificate, and clients pin the server's. Immutable after
 * construction, so every connection's thread may use it. */

struct _RcTlsCredentials
{
  GObject                           parent_instance;

  GTlsCertificate                  *certificate;
  gnutls_certificate_credentials_t  credentials;
  gnutls_priority_t                 priority;
};

G_DEFINE_FINAL_TYPE (RcTlsCredentials, rc_tls_credentials, G_TYPE_OBJECT)

static void
rc_tls_credentials_finalize (GObject *object)
{
  RcTlsCredentials *self = RC_TLS_CREDENTIALS (object);

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->credentials, gnutls_certificate_free_credentials);
  g_clear_pointer (&self->priority, gnutls_priority_deinit);

  G_OBJECT_CLASS (rc_tls_credentials_parent_class)->finalize (object);
}

static void
rc_tls_credentials_class_init (RcTlsCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_tls_credentials_finalize;
}

static void
rc_tls_credentials_init (RcTlsCredentials *self)
{
}

static gboolean
failed (int          ret,
        const char  *what,
        GError     **error)
{
  if (ret >= 0)
    return FALSE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, gnutls_strerror (ret));
  return TRUE;
}

/**
 * rc_tls_credentials_new:
 * @certificate: the server's certificate, with its private key
 */
RcTlsCredentials *
rc_tls_credentials_new (GTlsCertificate  *certificate,
                        GError          **error)
{
  g_autoptr(RcTlsCredentials) self = NULL;
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  gnutls_datum_t cert_datum;
  gnutls_datum_t key_datum;
  int ret;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate-pem", &cert_pem, "private-key-pem", &key_pem, NULL);
  if (cert_pem == NULL || key_pem == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The server certificate has no private key");
      return NULL;
    }

  self = g_object_new (RC_TYPE_TLS_CREDENTIALS, NULL);
  self->certificate = g_object_ref (certificate);

  cert_datum.data = (unsigned char *) cert_pem;
  cert_datum.size = (unsigned int) strlen (cert_pem);
  key_datum.data = (unsigned char *) key_pem;
  key_datum.size = (unsigned int) strlen (key_pem);

  ret = gnutls_certificate_allocate_credentials (&self->credentials);
  if (failed (ret, "Cannot set up TLS", error))
    return NULL;
  ret = gnutls_certificate_set_x509_key_mem2 (self->credentials, &cert_datum, &key_datum,
                                              GNUTLS_X509_FMT_PEM, NULL, 0);
  explicit_bzero (key_pem, strlen (key_pem));
  if (failed (ret, "Cannot use the server certificate", error))
    return NULL;

  ret = gnutls_priority_init2 (&self->priority, RC_TLS_PRIORITY, NULL, 0);
  if (failed (ret, "Cannot use the TLS priority " RC_TLS_PRIORITY, error))
    return NULL;

  return g_steal_pointer (&self);
}

GTlsCertificate *
rc_tls_credentials_get_certificate (RcTlsCredentials *self)
{
  g_return_val_if_fail (RC_IS_TLS_CREDENTIALS (self), NULL);

  return self->certificate;
}

/* Gives @session the certificate and the priority. */
gboolean
rc_tls_credentials_set_up (RcTlsCredentials  *self,
                           gnutls_session_t   session,
                           GError           **error)
{
  g_return_val_if_fail (RC_IS_TLS_CREDENTIALS (self), FALSE);

  return !failed (gnutls_priority_set (session, self->priority), "Cannot set the TLS priority", error) &&
         !failed (gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, self->credentials),
                  "Cannot set the server certificate", error);
}
