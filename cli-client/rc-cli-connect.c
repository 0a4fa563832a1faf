/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <stdio.h>

#include "rc-cli-messages.h"
#include "rc-cli-private.h"
#include "rc-cli-terminal.h"
#include "rc-cli-text.h"
#include "rc-known-servers.h"

/* Connecting, in the order ssh keeps: a server seen for the first time is
 * trusted or not before a password is typed for it, and a wrong password
 * is asked again while the server allows more attempts. Since the session
 * sends its password as soon as it is connected, the question about a new
 * server is asked over a connection of its own (the probe), which pins
 * the certificate and closes before any password exists. --batch has
 * nobody to ask and keeps its exit codes. */

static void connect_session (RcCli *self);

static void
ask_trust (RcCli      *self,
           const char *server,
           const char *fingerprint)
{
  g_autofree char *question = g_strdup_printf ("Trust this server? fingerprint %s [y/N] ",
                                               fingerprint);

  self->awaiting_trust_answer = TRUE;
  _rc_cli_say (self, "This is the first connection to %s. Its certificate's SHA-256 fingerprint is\n"
               "  %s\nCompare it with the one the server's administrator gives you.",
               server, fingerprint);
  if (rc_cli_terminal_is_active ())
    rc_cli_terminal_set_prompt (question, FALSE);
  else
    {
      fputs (question, stdout);
      fflush (stdout);
    }
}

static void
session_certificate_unknown_cb (RcClientSession *session,
                                const char      *server,
                                const char      *fingerprint,
                                RcCli           *self)
{
  /* Nobody to ask: connecting fails with a message saying what to do. */
  if (self->options->batch)
    rc_client_session_trust_certificate (session, FALSE);
  else
    ask_trust (self, server, fingerprint);
}

static void
probe_certificate_unknown_cb (RcClientConnection *probe,
                              const char         *server,
                              const char         *fingerprint,
                              RcCli              *self)
{
  ask_trust (self, server, fingerprint);
}

void
_rc_cli_answer_trust (RcCli      *self,
                      const char *line)
{
  g_autofree char *answer = g_utf8_strdown (line, -1);
  gboolean trusted;

  self->awaiting_trust_answer = FALSE;
  _rc_cli_update_prompt (self);
  g_strstrip (answer);
  trusted = g_str_equal (answer, "y") || g_str_equal (answer, "yes");

  if (self->probe != NULL)
    rc_client_connection_trust_certificate (self->probe, trusted);
  else
    rc_client_session_trust_certificate (self->session, trusted);
}

/* At a terminal, through readline without echo (the main loop runs on:
 * Ctrl+C still quits); otherwise on /dev/tty, as --batch does. */
static void
ask_password (RcCli *self)
{
  g_autoptr(GError) error = NULL;

  if (rc_cli_terminal_is_active ())
    {
      self->awaiting_password = TRUE;
      rc_cli_terminal_set_prompt ("Password: ", TRUE);
      return;
    }

  if (!rc_cli_options_prompt_password (self->options, &error))
    {
      _rc_cli_fail (self, error);
      return;
    }
  connect_session (self);
}

void
_rc_cli_answer_password (RcCli *self,
                         char  *password)
{
  self->awaiting_password = FALSE;
  rc_cli_terminal_set_prompt ("", FALSE);

  if (password == NULL)
    {
      g_autoptr(GError) error = rc_cli_options_no_password_error (self->options);

      _rc_cli_fail (self, error);
      return;
    }

  rc_cli_options_set_typed_password (self->options, password);
  connect_session (self);
}

static void
probe_opened_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RcCli) self = user_data;
  g_autoptr(RcClientConnection) probe = g_steal_pointer (&self->probe);
  g_autoptr(GError) error = NULL;

  self->awaiting_trust_answer = FALSE;
  if (!rc_client_connection_open_finish (RC_CLIENT_CONNECTION (source), result, &error))
    {
      if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_REJECTED))
        _rc_cli_say (self, "Not trusted; nothing was sent to the server.");
      _rc_cli_fail (self, error);
      return;
    }

  /* Pinned now: the session's own connection is checked against it. */
  rc_client_connection_close (probe);
  if (self->finished)
    return;
  _rc_cli_update_prompt (self);
  ask_password (self);
}

static gboolean
is_pinned (RcCli *self)
{
  g_autofree char *server = rc_known_servers_key (self->options->host, self->options->port);
  g_autofree char *pinned = NULL;

  pinned = rc_known_servers_lookup (rc_client_session_get_known_servers_path (self->session),
                                    server, NULL);
  return pinned != NULL;
}

static void
start_probe (RcCli *self)
{
  self->probe = rc_client_connection_new (self->options->host, self->options->port,
                                          rc_client_session_get_known_servers_path (self->session));
  g_signal_connect_object (self->probe, "certificate-unknown",
                           G_CALLBACK (probe_certificate_unknown_cb), self, 0);
  rc_client_connection_open_async (self->probe, NULL, probe_opened_cb, g_object_ref (self));
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RcCli) self = user_data;
  g_autoptr(GError) error = NULL;
  RcClientSession *session = RC_CLIENT_SESSION (source);
  g_autofree char *server_name = NULL;

  self->awaiting_trust_answer = FALSE;
  if (!rc_client_session_connect_finish (session, result, &error))
    {
      if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_REJECTED) &&
          !self->options->batch)
        _rc_cli_say (self, "Not trusted; nothing was sent to the server.");

      /* With attempts left, a person may type it again; blocked, or in
       * a script, the run ends with exit status 4. */
      if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_AUTH_FAILED) &&
          rc_protocol_error_get_attempts_left (error) != 0 && !self->finished &&
          rc_cli_terminal_is_active ())
        {
          _rc_cli_report_error (self, error);
          ask_password (self);
          return;
        }

      _rc_cli_fail (self, error);
      return;
    }

  server_name = rc_cli_text_escape (rc_client_session_get_server_name (session), NULL);
  _rc_cli_say (self, "Connected to %s (%s:%u) as %s.", server_name,
               self->options->host, self->options->port, self->options->name);

  if (self->options->create || self->options->join != NULL)
    _rc_cli_start_room (self, self->options->create, self->options->join);
  else
    _rc_cli_print_help (self);
  _rc_cli_replay_input (self);
}

static void
connect_session (RcCli *self)
{
  if (self->finished)
    return;
  rc_client_session_connect_async (self->session, self->options->password, NULL, connect_cb,
                                   g_object_ref (self));
}

void
_rc_cli_init_connect (RcCli *self)
{
  g_signal_connect_object (self->session, "certificate-unknown",
                           G_CALLBACK (session_certificate_unknown_cb), self, 0);
}

void
_rc_cli_connect (RcCli *self)
{
  if (self->options->password != NULL)
    connect_session (self);
  else if (!self->options->trust && !is_pinned (self))
    start_probe (self);
  else
    ask_password (self);
}

void
_rc_cli_stop_connecting (RcCli *self)
{
  if (self->probe != NULL)
    rc_client_connection_close (self->probe);
}
