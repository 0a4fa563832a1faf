/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-handshake-pool.h"
#include "rc-tls-credentials.h"

G_BEGIN_DECLS

#define RC_TYPE_TLS_SESSION (rc_tls_session_get_type ())

G_DECLARE_FINAL_TYPE (RcTlsSession, rc_tls_session, RC, TLS_SESSION, GObject)

RcTlsSession *rc_tls_session_new            (GSocket           *socket,
                                             guint              quiet_ms,
                                             guint              write_timeout_s);
gboolean      rc_tls_session_wait_readable  (RcTlsSession      *self,
                                             gint64             deadline,
                                             GCancellable      *wake,
                                             GError           **error);
gboolean      rc_tls_session_handshake      (RcTlsSession      *self,
                                             RcTlsCredentials  *credentials,
                                             RcHandshakePool   *pool,
                                             gint64             deadline,
                                             GCancellable      *wake,
                                             GError           **error);
gboolean      rc_tls_session_wait_data      (RcTlsSession      *self,
                                             gint64             deadline,
                                             GError           **error);
gssize        rc_tls_session_read           (RcTlsSession      *self,
                                             void              *buffer,
                                             gsize              size,
                                             gint64             deadline,
                                             GError           **error);
gboolean      rc_tls_session_write_all      (RcTlsSession      *self,
                                             const void        *data,
                                             gsize              size,
                                             GError           **error);
gboolean      rc_tls_session_write_two      (RcTlsSession      *self,
                                             const void        *first,
                                             gsize              first_size,
                                             const void        *second,
                                             gsize              second_size,
                                             GError           **error);
void          rc_tls_session_release        (RcTlsSession      *self);
void          rc_tls_session_close_notify   (RcTlsSession      *self);

G_END_DECLS
