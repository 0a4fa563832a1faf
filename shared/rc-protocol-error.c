/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-protocol"

#include "config.h"

#include "rc-protocol-error.h"

typedef struct
{
  gint64 attempts_left;
  gint64 retry_after;
} RcProtocolErrorPrivate;

/* GLib hands these the private data of an error of this domain, which is
 * never NULL. */
static void
rc_protocol_error_private_init (RcProtocolErrorPrivate *priv)
{
  g_assert (priv != NULL);
  priv->attempts_left = -1;
  priv->retry_after = -1;
}

static void
rc_protocol_error_private_copy (const RcProtocolErrorPrivate *src,
                                RcProtocolErrorPrivate       *dest)
{
  g_assert (src != NULL && dest != NULL);
  *dest = *src;
}

static void
rc_protocol_error_private_clear (RcProtocolErrorPrivate *priv)
{
}

/* An extended domain: the numbers travel with the error, so whoever shows
 * it needs nothing else to say "2 attempts left". */
G_DEFINE_EXTENDED_ERROR (RcProtocolError, rc_protocol_error)

static const struct
{
  const char *code;
  const char *text;
} protocol_errors[] = {
  [RC_PROTOCOL_ERROR_BAD_FRAME] = { "bad-frame", "The frame is not valid" },
  [RC_PROTOCOL_ERROR_BAD_STATE] = { "bad-state", "This frame is not allowed now" },
  [RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION] = { "unsupported-version", "This protocol version is not supported" },
  [RC_PROTOCOL_ERROR_BAD_NAME] = { "bad-name", "Names have 1 to 32 characters and no control characters" },
  [RC_PROTOCOL_ERROR_AUTH_FAILED] = { "auth-failed", "Wrong server password" },
  [RC_PROTOCOL_ERROR_BLOCKED] = { "blocked", "This address is blocked for a while after too many wrong passwords" },
  [RC_PROTOCOL_ERROR_SERVER_FULL] = { "server-full", "The server is full" },
  [RC_PROTOCOL_ERROR_NO_SUCH_ROOM] = { "no-such-room", "No room is waiting with that id" },
  [RC_PROTOCOL_ERROR_ROOM_FULL] = { "room-full", "The room already has two people" },
  [RC_PROTOCOL_ERROR_NOT_YOUR_TURN] = { "not-your-turn", "It is not your turn" },
  [RC_PROTOCOL_ERROR_BAD_SEQUENCE] = { "bad-sequence", "Unexpected message sequence number" },
  [RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE] = { "message-too-large", "The message is too large" },
  [RC_PROTOCOL_ERROR_NOT_DELIVERED] = { "not-delivered", "The message could not be delivered" },
  [RC_PROTOCOL_ERROR_RATE_LIMITED] = { "rate-limited", "Too many requests" },
  [RC_PROTOCOL_ERROR_SHUTTING_DOWN] = { "shutting-down", "The server is shutting down" },
  [RC_PROTOCOL_ERROR_RESUME_FAILED] = { "resume-failed", "That chat cannot be resumed" },
  [RC_PROTOCOL_ERROR_SESSION_REPLACED] = { "session-replaced", "The chat was resumed on another connection" },
  [RC_PROTOCOL_ERROR_UNKNOWN] = { "unknown", "Unknown error" },
};

const char *
rc_protocol_error_to_code (RcProtocolError error)
{
  g_return_val_if_fail (error <= RC_PROTOCOL_ERROR_UNKNOWN, NULL);

  return protocol_errors[error].code;
}

RcProtocolError
rc_protocol_error_from_code (const char *code)
{
  g_return_val_if_fail (code != NULL, RC_PROTOCOL_ERROR_UNKNOWN);

  for (guint i = 0; i < RC_PROTOCOL_ERROR_UNKNOWN; i++)
    if (g_str_equal (code, protocol_errors[i].code))
      return i;

  return RC_PROTOCOL_ERROR_UNKNOWN;
}

/* English text for the "message" member of an error frame. Clients show
 * their own translated words for each code instead. */
const char *
rc_protocol_error_default_text (RcProtocolError error)
{
  g_return_val_if_fail (error <= RC_PROTOCOL_ERROR_UNKNOWN, NULL);

  return protocol_errors[error].text;
}

GError *
rc_protocol_error_new (RcProtocolError  code,
                       const char      *message,
                       gint64           attempts_left,
                       gint64           retry_after)
{
  GError *error;
  RcProtocolErrorPrivate *priv;

  g_return_val_if_fail (message != NULL, NULL);

  error = g_error_new_literal (RC_PROTOCOL_ERROR, code, message);
  priv = rc_protocol_error_get_private (error);
  g_assert (priv != NULL);
  priv->attempts_left = MAX (attempts_left, -1);
  priv->retry_after = MAX (retry_after, -1);
  return error;
}

/* Wrong passwords still allowed before the address is blocked, or -1. */
gint64
rc_protocol_error_get_attempts_left (const GError *error)
{
  const RcProtocolErrorPrivate *priv;

  g_return_val_if_fail (error != NULL && error->domain == RC_PROTOCOL_ERROR, -1);

  priv = rc_protocol_error_get_private (error);
  g_assert (priv != NULL);
  return priv->attempts_left;
}

/* Seconds to wait before trying again, or -1. */
gint64
rc_protocol_error_get_retry_after (const GError *error)
{
  const RcProtocolErrorPrivate *priv;

  g_return_val_if_fail (error != NULL && error->domain == RC_PROTOCOL_ERROR, -1);

  priv = rc_protocol_error_get_private (error);
  g_assert (priv != NULL);
  return priv->retry_after;
}
