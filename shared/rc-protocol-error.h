/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RC_PROTOCOL_ERROR (rc_protocol_error_quark ())

/* The error codes of docs/protocol.md section 3.5, in that order. */
typedef enum
{
  RC_PROTOCOL_ERROR_BAD_FRAME,
  RC_PROTOCOL_ERROR_BAD_STATE,
  RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
  RC_PROTOCOL_ERROR_BAD_NAME,
  RC_PROTOCOL_ERROR_AUTH_FAILED,
  RC_PROTOCOL_ERROR_BLOCKED,
  RC_PROTOCOL_ERROR_SERVER_FULL,
  RC_PROTOCOL_ERROR_NO_SUCH_ROOM,
  RC_PROTOCOL_ERROR_ROOM_FULL,
  RC_PROTOCOL_ERROR_NOT_YOUR_TURN,
  RC_PROTOCOL_ERROR_BAD_SEQUENCE,
  RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE,
  RC_PROTOCOL_ERROR_NOT_DELIVERED,
  RC_PROTOCOL_ERROR_RATE_LIMITED,
  RC_PROTOCOL_ERROR_SHUTTING_DOWN,
  /* Version 2 (docs/protocol.md 3.6) */
  RC_PROTOCOL_ERROR_RESUME_FAILED,
  RC_PROTOCOL_ERROR_SESSION_REPLACED,
  /* A code this version does not know; the frame's text is kept. */
  RC_PROTOCOL_ERROR_UNKNOWN,
} RcProtocolError;

GQuark          rc_protocol_error_quark        (void);
const char     *rc_protocol_error_to_code      (RcProtocolError  error);
RcProtocolError rc_protocol_error_from_code    (const char      *code);
const char     *rc_protocol_error_default_text (RcProtocolError  error);

/* An error in RC_PROTOCOL_ERROR carries the numbers of an error frame
 * (docs/protocol.md 3.5): attempts_left with auth-failed, retry_after in
 * seconds with blocked and rate-limited; -1 where the frame has none, and
 * in errors made with g_set_error(). */
GError         *rc_protocol_error_new          (RcProtocolError  code,
                                                const char      *message,
                                                gint64           attempts_left,
                                                gint64           retry_after);
gint64          rc_protocol_error_get_attempts_left (const GError *error);
gint64          rc_protocol_error_get_retry_after   (const GError *error);

G_END_DECLS
