/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <json-glib/json-glib.h>

#include "rc-cli-messages.h"
#include "rc-cli-text.h"
#include "rc-config.h"
#include "rc-known-servers.h"

RcCliExit
rc_cli_exit_for_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, RC_CLI_EXIT_USAGE);

  if (error->domain == RC_CLI_ERROR || error->domain == RC_CONFIG_ERROR ||
      error->domain == G_OPTION_ERROR)
    return RC_CLI_EXIT_USAGE;

  if (error->domain == RC_PROTOCOL_ERROR)
    {
      switch ((RcProtocolError) error->code)
        {
        case RC_PROTOCOL_ERROR_AUTH_FAILED:
        case RC_PROTOCOL_ERROR_BLOCKED:
        case RC_PROTOCOL_ERROR_BAD_NAME:
          return RC_CLI_EXIT_AUTH;
        case RC_PROTOCOL_ERROR_SERVER_FULL:
        case RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION:
        case RC_PROTOCOL_ERROR_SHUTTING_DOWN:
        case RC_PROTOCOL_ERROR_BAD_FRAME:
          return RC_CLI_EXIT_CONNECT;
        case RC_PROTOCOL_ERROR_BAD_STATE:
        case RC_PROTOCOL_ERROR_NO_SUCH_ROOM:
        case RC_PROTOCOL_ERROR_ROOM_FULL:
        case RC_PROTOCOL_ERROR_NOT_YOUR_TURN:
        case RC_PROTOCOL_ERROR_BAD_SEQUENCE:
        case RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE:
        case RC_PROTOCOL_ERROR_NOT_DELIVERED:
        case RC_PROTOCOL_ERROR_RATE_LIMITED:
        case RC_PROTOCOL_ERROR_RESUME_FAILED:
        case RC_PROTOCOL_ERROR_SESSION_REPLACED:
        case RC_PROTOCOL_ERROR_UNKNOWN:
          return RC_CLI_EXIT_ROOM;
        }
      g_return_val_if_reached (RC_CLI_EXIT_ROOM);
    }

  if (error->domain == RC_CLIENT_ERROR)
    {
      switch ((RcClientError) error->code)
        {
        case RC_CLIENT_ERROR_SECURITY:
          return RC_CLI_EXIT_SECURITY;
        case RC_CLIENT_ERROR_CERTIFICATE_CHANGED:
        case RC_CLIENT_ERROR_CERTIFICATE_REJECTED:
        case RC_CLIENT_ERROR_TLS:
        case RC_CLIENT_ERROR_PROTOCOL:
        case RC_CLIENT_ERROR_CLOSED:
        case RC_CLIENT_ERROR_NOT_RESUMED:
          return RC_CLI_EXIT_CONNECT;
        case RC_CLIENT_ERROR_NOT_YOUR_TURN:
        case RC_CLIENT_ERROR_MESSAGE_TOO_LONG:
        case RC_CLIENT_ERROR_EMPTY_MESSAGE:
        case RC_CLIENT_ERROR_NOT_IN_ROOM:
        case RC_CLIENT_ERROR_INVALID_TEXT:
          return RC_CLI_EXIT_ROOM;
        }
      g_return_val_if_reached (RC_CLI_EXIT_ROOM);
    }

  /* G_IO_ERROR, G_RESOLVER_ERROR, G_TLS_ERROR: the network. */
  return RC_CLI_EXIT_CONNECT;
}

/**
 * rc_cli_error_code:
 *
 * The "code" of an error event: the server's code for its errors, a
 * code of the same style for the client's own.
 */
const char *
rc_cli_error_code (const GError *error)
{
  static const char * const client_codes[] = {
    [RC_CLIENT_ERROR_CERTIFICATE_CHANGED] = "certificate-changed",
    [RC_CLIENT_ERROR_CERTIFICATE_REJECTED] = "certificate-not-trusted",
    [RC_CLIENT_ERROR_TLS] = "tls-failed",
    [RC_CLIENT_ERROR_SECURITY] = "not-secure",
    [RC_CLIENT_ERROR_NOT_YOUR_TURN] = "not-your-turn",
    [RC_CLIENT_ERROR_MESSAGE_TOO_LONG] = "message-too-long",
    [RC_CLIENT_ERROR_EMPTY_MESSAGE] = "empty-message",
    [RC_CLIENT_ERROR_NOT_IN_ROOM] = "not-in-room",
    [RC_CLIENT_ERROR_PROTOCOL] = "protocol-error",
    [RC_CLIENT_ERROR_CLOSED] = "connection-closed",
    [RC_CLIENT_ERROR_INVALID_TEXT] = "invalid-text",
    [RC_CLIENT_ERROR_NOT_RESUMED] = "not-resumed",
  };

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == RC_PROTOCOL_ERROR)
    return rc_protocol_error_to_code ((RcProtocolError) error->code);
  if (error->domain == RC_CLIENT_ERROR && error->code >= 0 &&
      (gsize) error->code < G_N_ELEMENTS (client_codes))
    return client_codes[error->code];
  if (error->domain == RC_CLI_ERROR || error->domain == RC_CONFIG_ERROR ||
      error->domain == G_OPTION_ERROR)
    return "usage";

  return "cannot-connect";
}

static char *
describe_protocol_error (const GError *error,
                         RcCliOptions *options)
{
  gint64 attempts_left = rc_protocol_error_get_attempts_left (error);
  gint64 retry_after = rc_protocol_error_get_retry_after (error);
  const char *source = options->password_source != NULL ? options->password_source : "the password";
  g_autofree char *server_text = NULL;

  switch ((RcProtocolError) error->code)
    {
    case RC_PROTOCOL_ERROR_AUTH_FAILED:
      if (attempts_left == 0)
        return g_strdup_printf ("Wrong server password (from %s). No attempts are left: this "
                                "address is now blocked for a while.", source);
      if (attempts_left > 0)
        return g_strdup_printf ("Wrong server password (from %s). %" G_GINT64_FORMAT
                                " attempt%s left before this address is blocked; check "
                                "the password and try again.",
                                source, attempts_left, attempts_left == 1 ? "" : "s");
      return g_strdup_printf ("Wrong server password (from %s); check it and try again.", source);

    case RC_PROTOCOL_ERROR_BLOCKED:
      if (retry_after >= 0)
        return g_strdup_printf ("This address is blocked after too many wrong passwords. "
                                "Try again in %" G_GINT64_FORMAT " minute%s (%" G_GINT64_FORMAT
                                " seconds), with the right password.",
                                (retry_after + 59) / 60, (retry_after + 59) / 60 == 1 ? "" : "s",
                                retry_after);
      return g_strdup ("This address is blocked after too many wrong passwords. Try again later.");

    case RC_PROTOCOL_ERROR_RATE_LIMITED:
      return g_strdup_printf ("The server is limiting requests; try again in %" G_GINT64_FORMAT
                              " seconds.", MAX (retry_after, (gint64) 1));

    case RC_PROTOCOL_ERROR_BAD_NAME:
      return g_strdup_printf ("The server refused the name \"%s\": use 1 to 32 characters "
                              "without control characters (--name or USER_NAME).", options->name);

    case RC_PROTOCOL_ERROR_SERVER_FULL:
      return g_strdup ("The server is full; try again later.");

    case RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION:
      return g_strdup ("The server does not speak this version of RoomChat; update roomchat-cli "
                       "or the server.");

    case RC_PROTOCOL_ERROR_SHUTTING_DOWN:
      return g_strdup ("The server is shutting down; try again later.");

    case RC_PROTOCOL_ERROR_NO_SUCH_ROOM:
      return g_strdup_printf ("No room is waiting with the id %s. Check the id; a room exists "
                              "only until someone joins it.", options->join);

    case RC_PROTOCOL_ERROR_ROOM_FULL:
      return g_strdup_printf ("Room %s already has two people; ask for a new room.", options->join);

    case RC_PROTOCOL_ERROR_RESUME_FAILED:
      return g_strdup ("The chat could not be resumed: it has ended. Start a new room.");

    case RC_PROTOCOL_ERROR_SESSION_REPLACED:
      return g_strdup ("This chat was resumed from another connection, so this one has ended.");

    case RC_PROTOCOL_ERROR_BAD_FRAME:
    case RC_PROTOCOL_ERROR_BAD_STATE:
    case RC_PROTOCOL_ERROR_NOT_YOUR_TURN:
    case RC_PROTOCOL_ERROR_BAD_SEQUENCE:
    case RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE:
    case RC_PROTOCOL_ERROR_NOT_DELIVERED:
    case RC_PROTOCOL_ERROR_UNKNOWN:
      break;
    }

  server_text = rc_cli_text_escape (error->message, NULL);
  return g_strdup_printf ("The server said: %s.", server_text);
}

/**
 * rc_cli_describe_error:
 * @session: (nullable): for the fingerprints it keeps
 *
 * Says what went wrong and what to do about it.
 */
char *
rc_cli_describe_error (const GError     *error,
                       RcClientSession  *session,
                       RcCliOptions     *options)
{
  g_autofree char *server = rc_known_servers_key (options->host, options->port);

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == RC_PROTOCOL_ERROR)
    return describe_protocol_error (error, options);

  if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_CHANGED) && session != NULL)
    return g_strdup_printf ("The certificate of %s has CHANGED.\n"
                            "  pinned: %s\n"
                            "  now:    %s\n"
                            "Someone may be intercepting the connection, so nothing was sent. "
                            "If the server's administrator replaced the certificate on purpose "
                            "(ask them for the new fingerprint), remove the line starting with "
                            "\"%s \" from %s and connect again.",
                            server,
                            rc_client_session_get_pinned_fingerprint (session),
                            rc_client_session_get_certificate_fingerprint (session),
                            server, rc_client_session_get_known_servers_path (session));

  /* Asked before the password, the question had a connection of its own
   * and the session saw no certificate: the fingerprint is on the screen
   * just above. */
  if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_REJECTED))
    {
      const char *fingerprint = session != NULL ?
        rc_client_session_get_certificate_fingerprint (session) : NULL;
      g_autofree char *seen = fingerprint != NULL ? g_strdup_printf (" (fingerprint %s)", fingerprint)
                                                  : g_strdup ("");

      return g_strdup_printf ("The certificate of %s is new to this computer and was not trusted%s. "
                              "Compare the fingerprint with the server's administrator, then "
                              "connect again and accept it, or pass --trust in scripts.",
                              server, seen);
    }

  if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_TLS))
    return g_strdup_printf ("Cannot make a secure connection to %s: %s. RoomChat needs TLS 1.3 "
                            "on both sides.", server, error->message);

  if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY))
    {
      g_autofree char *text = rc_cli_text_escape (error->message, NULL);

      return g_strdup_printf ("WARNING: %s. The room was left: do not trust this chat, someone "
                              "may be tampering with it.", text);
    }

  /* These may quote the peer's name or a server's text. */
  if (error->domain == RC_CLIENT_ERROR)
    {
      g_autofree char *text = rc_cli_text_escape (error->message, NULL);

      return g_strdup_printf ("%s.", text);
    }

  if (error->domain == RC_CLI_ERROR || error->domain == RC_CONFIG_ERROR ||
      error->domain == G_OPTION_ERROR)
    return g_strdup_printf ("%s. See roomchat-cli --help.", error->message);

  return g_strdup_printf ("Cannot connect to %s: %s. Check the host and port (--host, --port or "
                          "HOST_ADDRESS, HOST_PORT) and that the server is running.",
                          server, error->message);
}

/* JSON Lines events -------------------------------------------------------- */

static JsonBuilder *
event_begin (const char *event)
{
  JsonBuilder *builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  return builder;
}

static void
event_add_string (JsonBuilder *builder,
                  const char  *member,
                  const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
event_add_int (JsonBuilder *builder,
               const char  *member,
               gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static char *
event_end (JsonBuilder *builder)
{
  g_autoptr(JsonBuilder) owned = builder;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

char *
rc_cli_event_room (const char *room)
{
  JsonBuilder *builder = event_begin ("room");

  event_add_string (builder, "room", room);
  return event_end (builder);
}

char *
rc_cli_event_paired (const char *peer,
                     RcRole      role,
                     const char *safety_code)
{
  JsonBuilder *builder = event_begin ("paired");

  event_add_string (builder, "peer", peer);
  event_add_string (builder, "role", rc_role_to_string (role));
  event_add_string (builder, "safety_code", safety_code);
  return event_end (builder);
}

char *
rc_cli_event_message (const char *from,
                      const char *text)
{
  JsonBuilder *builder = event_begin ("message");

  event_add_string (builder, "from", from);
  event_add_string (builder, "text", text);
  return event_end (builder);
}

char *
rc_cli_event_relayed (gint64 seq)
{
  JsonBuilder *builder = event_begin ("relayed");

  event_add_int (builder, "seq", seq);
  return event_end (builder);
}

char *
rc_cli_event_peer_left (const char *reason)
{
  JsonBuilder *builder = event_begin ("peer-left");

  event_add_string (builder, "reason", reason);
  return event_end (builder);
}

char *
rc_cli_event_reconnecting (guint       seconds,
                           const char *reason)
{
  JsonBuilder *builder = event_begin ("reconnecting");

  event_add_int (builder, "seconds", seconds);
  event_add_string (builder, "reason", reason);
  return event_end (builder);
}

char *
rc_cli_event_resumed (void)
{
  return event_end (event_begin ("resumed"));
}

char *
rc_cli_event_peer_away (guint seconds)
{
  JsonBuilder *builder = event_begin ("peer-away");

  event_add_int (builder, "seconds", seconds);
  return event_end (builder);
}

char *
rc_cli_event_peer_back (void)
{
  return event_end (event_begin ("peer-back"));
}

char *
rc_cli_event_held (gint64 seq)
{
  JsonBuilder *builder = event_begin ("held");

  event_add_int (builder, "seq", seq);
  return event_end (builder);
}

char *
rc_cli_event_error (const char *code,
                    const char *message)
{
  JsonBuilder *builder = event_begin ("error");

  event_add_string (builder, "code", code);
  event_add_string (builder, "message", message);
  return event_end (builder);
}
