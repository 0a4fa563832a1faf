/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-client-session.h"
#include "rc-connect-page.h"

/* RoomChat's own words for why a connection failed. Server errors are
 * told apart by their code only: a server's text is never shown. */

static char *
describe_protocol_error (const GError   *error,
                         RcConnectField *field)
{
  gint64 attempts_left = rc_protocol_error_get_attempts_left (error);
  gint64 retry_after = rc_protocol_error_get_retry_after (error);
  gint64 minutes;

  switch ((RcProtocolError)error->code)
    {
    case RC_PROTOCOL_ERROR_AUTH_FAILED:
      *field = RC_CONNECT_FIELD_PASSWORD;
      if (attempts_left < 0)
        return g_strdup (_("Wrong password."));
      if (attempts_left == 0)
        return g_strdup (_("Wrong password. This address is now blocked for a while."));
      return g_strdup_printf (ngettext ("Wrong password. %d attempt left before this address is blocked.",
                                        "Wrong password. %d attempts left before this address is blocked.",
                                        (gulong)attempts_left),
                              (int)attempts_left);

    case RC_PROTOCOL_ERROR_BLOCKED:
      *field = RC_CONNECT_FIELD_PASSWORD;
      if (retry_after < 0)
        return g_strdup (_("Too many wrong passwords. This address is blocked for a while."));
      minutes = MAX (1, (retry_after + 59) / 60);
      return g_strdup_printf (ngettext ("Too many wrong passwords. This address is blocked for %d more minute.",
                                        "Too many wrong passwords. This address is blocked for %d more minutes.",
                                        (gulong)minutes),
                              (int)minutes);

    case RC_PROTOCOL_ERROR_SERVER_FULL:
      return g_strdup (_("The server is full. Try again later."));

    case RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION:
      return g_strdup (_("This server speaks another version of RoomChat. Update RoomChat or the server."));

    case RC_PROTOCOL_ERROR_BAD_NAME:
      *field = RC_CONNECT_FIELD_NAME;
      return g_strdup_printf (_("A name has 1 to %d characters and no control characters."),
                              RC_NAME_MAX_CHARS);

    case RC_PROTOCOL_ERROR_SHUTTING_DOWN:
      return g_strdup (_("The server is shutting down. Try again later."));

    case RC_PROTOCOL_ERROR_RATE_LIMITED:
      if (retry_after > 0)
        return g_strdup_printf (ngettext ("Too many attempts. Try again in %d second.",
                                          "Too many attempts. Try again in %d seconds.",
                                          (gulong)retry_after),
                                (int)retry_after);
      return g_strdup (_("Too many attempts. Try again later."));

    case RC_PROTOCOL_ERROR_BAD_FRAME:
    case RC_PROTOCOL_ERROR_BAD_STATE:
    case RC_PROTOCOL_ERROR_NO_SUCH_ROOM:
    case RC_PROTOCOL_ERROR_ROOM_FULL:
    case RC_PROTOCOL_ERROR_NOT_YOUR_TURN:
    case RC_PROTOCOL_ERROR_BAD_SEQUENCE:
    case RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE:
    case RC_PROTOCOL_ERROR_NOT_DELIVERED:
    case RC_PROTOCOL_ERROR_RESUME_FAILED:
    case RC_PROTOCOL_ERROR_SESSION_REPLACED:
    case RC_PROTOCOL_ERROR_UNKNOWN:
      /* Errors about rooms, or that this version does not know. */
      break;
    }

  return g_strdup (_("The server answered with an error RoomChat does not expect here."));
}

static char *
describe_client_error (const GError   *error,
                       RcConnectField *field)
{
  switch ((RcClientError)error->code)
    {
    case RC_CLIENT_ERROR_CERTIFICATE_CHANGED:
      return g_strdup (_("The server’s certificate has changed since you last connected. RoomChat did not connect."));
    case RC_CLIENT_ERROR_CERTIFICATE_REJECTED:
      return g_strdup (_("You did not trust the server’s certificate, so RoomChat did not connect."));
    case RC_CLIENT_ERROR_TLS:
      return g_strdup (_("No secure connection could be made with the server. It may not be a RoomChat server."));
    case RC_CLIENT_ERROR_PROTOCOL:
      return g_strdup (_("The server does not follow the RoomChat protocol."));
    case RC_CLIENT_ERROR_CLOSED:
      return g_strdup (_("The server closed the connection."));
    case RC_CLIENT_ERROR_NOT_RESUMED:
      return g_strdup (_("The connection to the server was lost and the chat could not be resumed. Connect again to start a new chat."));
    case RC_CLIENT_ERROR_SECURITY:
    case RC_CLIENT_ERROR_NOT_YOUR_TURN:
    case RC_CLIENT_ERROR_MESSAGE_TOO_LONG:
    case RC_CLIENT_ERROR_EMPTY_MESSAGE:
    case RC_CLIENT_ERROR_NOT_IN_ROOM:
    case RC_CLIENT_ERROR_INVALID_TEXT:
      /* Errors about rooms and messages: connecting never gives them. */
      break;
    }

  return g_strdup (_("Something went wrong while connecting. Try again."));
}

/**
 * rc_connect_page_describe_error:
 * @field: (out): the field the error is about
 *
 * Returns: (nullable): the text to show, or %NULL for a cancelled attempt
 */
char *
rc_connect_page_describe_error (const GError   *error,
                                RcConnectField *field)
{
  RcConnectField unused;

  g_return_val_if_fail (error != NULL, NULL);

  if (field == NULL)
    field = &unused;
  *field = RC_CONNECT_FIELD_NONE;

  if (error->domain == RC_PROTOCOL_ERROR)
    return describe_protocol_error (error, field);

  if (error->domain == RC_CLIENT_ERROR)
    return describe_client_error (error, field);

  if (error->domain == G_RESOLVER_ERROR)
    {
      *field = RC_CONNECT_FIELD_HOST;
      return g_strdup (_("No server is known by that name. Check the server’s address."));
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup (_("The server did not answer in time. Check the address and port, and that the server is running."));

  if (error->domain == G_TLS_ERROR)
    return g_strdup (_("No secure connection could be made with the server. It may not be a RoomChat server."));

  if (error->domain == G_IO_ERROR)
    {
      *field = RC_CONNECT_FIELD_HOST;
      return g_strdup (_("The server cannot be reached. Check the address and port, and that the server is running."));
    }

  return g_strdup (_("Something went wrong while connecting. Try again."));
}
