/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Failures that happen on the client's side, not reported by the server.
 * The server's own error codes arrive in RC_PROTOCOL_ERROR. */
#define RC_CLIENT_ERROR (rc_client_error_quark ())

typedef enum
{
  RC_CLIENT_ERROR_CERTIFICATE_CHANGED,   /* the pinned certificate differs */
  RC_CLIENT_ERROR_CERTIFICATE_REJECTED,  /* the user did not trust a new one */
  RC_CLIENT_ERROR_TLS,                   /* handshake failed or not TLS 1.3 */
  RC_CLIENT_ERROR_SECURITY,              /* peer keys or a message failed to verify */
  RC_CLIENT_ERROR_NOT_YOUR_TURN,         /* refused locally before sending */
  RC_CLIENT_ERROR_MESSAGE_TOO_LONG,      /* refused locally before sending */
  RC_CLIENT_ERROR_EMPTY_MESSAGE,         /* refused locally before sending */
  RC_CLIENT_ERROR_NOT_IN_ROOM,           /* no chat to send to or leave */
  RC_CLIENT_ERROR_PROTOCOL,              /* the server broke the protocol */
  RC_CLIENT_ERROR_CLOSED,                /* the connection ended */
  RC_CLIENT_ERROR_INVALID_TEXT,          /* refused locally: not UTF-8 */
  RC_CLIENT_ERROR_NOT_RESUMED,           /* a lost connection's chat could not be resumed */
} RcClientError;

GQuark rc_client_error_quark (void);

G_END_DECLS
