/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-client-error.h"
#include "rc-frame.h"

G_BEGIN_DECLS

/* One connection to a RoomChat server: TCP, TLS 1.3, the server's
 * certificate pinned in the known-servers file (docs/protocol.md section
 * 1), frames written one after the other and read one at a time, and a
 * ping when it has been quiet. What the frames mean is for its owner.
 *
 * Signals, emitted on the thread-default main context of the caller of
 * rc_client_connection_new():
 *   ::certificate-unknown (const char *server, const char *fingerprint)
 *       while opening, for a server nothing is pinned for: answer with
 *       rc_client_connection_trust_certificate()
 *   ::frame-received (RcFrame *frame)   each frame read once open (borrowed)
 *   ::closed (GError *error)            the connection ended by itself
 *       once open: the server closed it (RC_CLIENT_ERROR_CLOSED), it sent
 *       something that is no frame (RC_CLIENT_ERROR_PROTOCOL), or reading
 *       or writing failed (G_IO_ERROR, G_TLS_ERROR). Never emitted for
 *       rc_client_connection_close(). */

#define RC_TYPE_CLIENT_CONNECTION (rc_client_connection_get_type ())

G_DECLARE_FINAL_TYPE (RcClientConnection, rc_client_connection, RC, CLIENT_CONNECTION, GObject)

RcClientConnection *rc_client_connection_new          (const char          *host,
                                                       guint16              port,
                                                       const char          *known_servers_path);
/* Pins a first-seen certificate without asking; never a changed one. */
void                rc_client_connection_set_trust_new_certificates (RcClientConnection *self,
                                                       gboolean             trust);

/* Connects, shakes hands and checks the pin. Errors: G_IO_ERROR and
 * G_RESOLVER_ERROR (cannot connect; G_IO_ERROR_CANCELLED when
 * @cancellable or rc_client_connection_close() ended it), RC_CLIENT_ERROR
 * (TLS, CERTIFICATE_CHANGED, CERTIFICATE_REJECTED), G_FILE_ERROR (the
 * known-servers file). */
void                rc_client_connection_open_async   (RcClientConnection  *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            rc_client_connection_open_finish  (RcClientConnection  *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void                rc_client_connection_trust_certificate (RcClientConnection *self,
                                                       gboolean             trusted);

/* Queues @frame; nothing happens once closed. */
void                rc_client_connection_send_frame   (RcClientConnection  *self,
                                                       const RcFrame       *frame);
/* From now on, a ping after 30 s without a frame sent (docs/protocol.md
 * 3.4): call it once the server takes pings, after welcome. */
void                rc_client_connection_start_keep_alive (RcClientConnection *self);
/* Ends the connection with a TLS close_notify; a pending open fails with
 * G_IO_ERROR_CANCELLED. */
void                rc_client_connection_close        (RcClientConnection  *self);

gboolean            rc_client_connection_get_open     (RcClientConnection  *self);
/* "AB:CD:…" of the certificate seen while opening, and of the one pinned
 * before; both stay readable after closing. */
const char         *rc_client_connection_get_certificate_fingerprint (RcClientConnection *self);
const char         *rc_client_connection_get_pinned_fingerprint      (RcClientConnection *self);

G_END_DECLS
