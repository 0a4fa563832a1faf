/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>

G_BEGIN_DECLS

#define RC_TYPE_TLS_CREDENTIALS (rc_tls_credentials_get_type ())

G_DECLARE_FINAL_TYPE (RcTlsCredentials, rc_tls_credentials, RC, TLS_CREDENTIALS, GObject)

RcTlsCredentials *rc_tls_credentials_new          (GTlsCertificate   *certificate,
                                                   GError           **error);
GTlsCertificate  *rc_tls_credentials_get_certificate (RcTlsCredentials *self);
gboolean          rc_tls_credentials_set_up       (RcTlsCredentials  *self,
                                                   gnutls_session_t   session,
                                                   GError           **error);

G_END_DECLS
