/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <string.h>
#include <gio/gunixinputstream.h>

#include "rc-cli-messages.h"
#include "rc-cli-private.h"
#include "rc-cli-terminal.h"
#include "rc-cli-text.h"
#include "rc-crypto.h"
#include "rc-names.h"

/* Standard input, read line by line on the main loop: messages in --batch;
 * messages, commands and the answer to the certificate question when
 * interactive, through readline when a person sits at a terminal (see
 * rc-cli-terminal.c). Messages wait in the outbox for this side's turn. */

/* Sending ------------------------------------------------------------------ */

static void
leave_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RcCli) self = user_data;
  g_autoptr(GError) error = NULL;

  self->leaving = FALSE;
  if (!rc_client_session_leave_finish (RC_CLIENT_SESSION (source), result, &error) &&
      !g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_IN_ROOM))
    {
      _rc_cli_fail (self, error);
      return;
    }

  if (self->quit_after_leave || self->options->batch)
    {
      _rc_cli_finish (self, RC_CLI_EXIT_OK);
      return;
    }

  _rc_cli_say (self, "You left the room. /create or /join ID for another chat, /quit to quit.");
}

void
_rc_cli_leave (RcCli    *self,
               gboolean  then_quit)
{
  RcSessionState state = rc_client_session_get_state (self->session);

  self->quit_after_leave = self->quit_after_leave || then_quit;
  if (state != RC_SESSION_STATE_WAITING && state != RC_SESSION_STATE_CHATTING)
    {
      if (self->quit_after_leave)
        _rc_cli_finish (self, RC_CLI_EXIT_OK);
      return;
    }
  if (self->leaving)
    return;

  self->leaving = TRUE;
  g_queue_clear_full (&self->outbox, g_free);
  rc_client_session_leave_async (self->session, NULL, leave_cb, g_object_ref (self));
}

/* --batch ends once its input is used up and its last message relayed. */
static void
maybe_done (RcCli *self)
{
  if (!self->options->batch || self->options->stay || !self->input_done ||
      !g_queue_is_empty (&self->outbox) || self->pending_relays > 0 ||
      rc_client_session_get_state (self->session) != RC_SESSION_STATE_CHATTING)
    return;

  _rc_cli_leave (self, TRUE);
}

/* Sends the oldest waiting line when it is this side's turn. Lines refused
 * locally (too long, not text) are reported and skipped: the chat goes on. */
void
_rc_cli_try_send (RcCli *self)
{
  while (!self->leaving && !g_queue_is_empty (&self->outbox) &&
         rc_client_session_get_state (self->session) == RC_SESSION_STATE_CHATTING &&
         rc_client_session_get_my_turn (self->session))
    {
      g_autofree char *line = g_queue_pop_head (&self->outbox);
      g_autoptr(GError) error = NULL;

      if (rc_client_session_send_message (self->session, line, &error) >= 0)
        {
          self->pending_relays++;
          break;
        }
      _rc_cli_report_error (self, error);
    }

  maybe_done (self);
}

/* Standard input --------------------------------------------------------- */

void
_rc_cli_print_help (RcCli *self)
{
  _rc_cli_say (self,
               "Commands:\n"
               "  /create     create a room and get its id to pass on\n"
               "  /join ID    join the room someone gave you the id of\n"
               "  /leave      leave the room\n"
               "  /safety     show the safety code to compare with the other person\n"
               "  /quit       leave and quit\n"
               "  /help       this list\n"
               "Anything else you type in a chat is a message.");
}

static void
run_command (RcCli      *self,
             const char *line)
{
  RcSessionState state = rc_client_session_get_state (self->session);
  g_auto(GStrv) words = g_strsplit_set (line, " \t", 2);
  const char *command = words[0];
  const char *argument = words[1] != NULL ? g_strstrip (words[1]) : "";

  if (g_str_equal (command, "/help"))
    _rc_cli_print_help (self);
  else if (g_str_equal (command, "/quit"))
    _rc_cli_leave (self, TRUE);
  else if (g_str_equal (command, "/leave"))
    {
      if (state == RC_SESSION_STATE_WAITING || state == RC_SESSION_STATE_CHATTING)
        _rc_cli_leave (self, FALSE);
      else
        _rc_cli_say (self, "You are not in a room.");
    }
  else if (g_str_equal (command, "/safety"))
    {
      if (state == RC_SESSION_STATE_CHATTING)
        {
          g_autofree char *peer = rc_cli_text_escape (rc_client_session_get_peer_name (self->session),
                                                      NULL);

          _rc_cli_say (self, "Safety code with %s: %s", peer,
                       rc_client_session_get_safety_code (self->session));
        }
      else
        _rc_cli_say (self, "The safety code exists once someone is in the chat with you.");
    }
  else if (g_str_equal (command, "/create") || g_str_equal (command, "/join"))
    {
      gboolean create = g_str_equal (command, "/create");
      g_autofree char *room = NULL;

      if (state != RC_SESSION_STATE_LOBBY)
        {
          _rc_cli_say (self, "/leave this room first.");
          return;
        }
      if (!create && (room = rc_room_id_normalize (argument, NULL)) == NULL)
        {
          _rc_cli_say (self, "Type /join and the 12 letters and digits of the room id.");
          return;
        }
      _rc_cli_start_room (self, create, room);
    }
  else
    _rc_cli_say (self, "Unknown command %s; /help lists them.", command);
}

static void
handle_line (RcCli *self,
             char  *line)
{
  RcSessionState state = rc_client_session_get_state (self->session);
  gsize length = strlen (line);

  if (length > 0 && line[length - 1] == '\r')
    line[--length] = '\0';

  if (self->awaiting_trust_answer)
    {
      _rc_cli_answer_trust (self, line);
      g_free (line);
      return;
    }
  if (self->awaiting_password)
    {
      _rc_cli_answer_password (self, line);
      return;
    }

  /* Kept for once connected; never taken as the answer to a question
   * that was not on the screen yet. */
  if (!self->options->batch && state < RC_SESSION_STATE_LOBBY)
    {
      g_queue_push_tail (&self->typed_ahead, line);
      return;
    }

  /* An empty line is no message. */
  if (length == 0)
    {
      g_free (line);
      return;
    }

  if (!self->options->batch && line[0] == '/')
    {
      run_command (self, line);
      g_free (line);
      return;
    }

  if (!self->options->batch && state != RC_SESSION_STATE_CHATTING)
    {
      _rc_cli_say (self, "You are not in a chat: /create or /join ID first (/help).");
      g_free (line);
      return;
    }

  /* Refused whole while it is still on the screen, not when its turn
   * comes; in --batch the session refuses it in turn, as an event. */
  if (!self->options->batch && length > RC_MAX_PLAINTEXT_SIZE)
    {
      g_autoptr(GError) error = g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_MESSAGE_TOO_LONG,
                                             "The message has %" G_GSIZE_FORMAT " bytes; at most "
                                             "%d fit in one message. Nothing was sent",
                                             length, RC_MAX_PLAINTEXT_SIZE);

      _rc_cli_report_error (self, error);
      g_free (line);
      return;
    }

  g_queue_push_tail (&self->outbox, line);
  if (!self->options->batch && !rc_client_session_get_my_turn (self->session))
    _rc_cli_say (self, "(waits for your turn)");
  _rc_cli_try_send (self);
}

/* Runs what was typed while connecting. */
void
_rc_cli_replay_input (RcCli *self)
{
  char *line;

  while (!self->finished && (line = g_queue_pop_head (&self->typed_ahead)) != NULL)
    handle_line (self, line);
}

static void
input_ended (RcCli *self)
{
  self->input_done = TRUE;
  if (self->options->batch)
    _rc_cli_try_send (self);
  else if (self->awaiting_trust_answer)
    _rc_cli_answer_trust (self, "");
  else if (self->awaiting_password)
    _rc_cli_answer_password (self, NULL);
  else
    _rc_cli_leave (self, TRUE);
}

static void
terminal_line_cb (char     *line,
                  gpointer  user_data)
{
  RcCli *self = user_data;

  if (line == NULL)
    input_ended (self);
  else
    handle_line (self, line);
}

static void read_next_line (RcCli *self);

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  RcCli *self;
  char *line;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not cancelled, so the run is still going and owns @self. */
  self = user_data;
  if (line == NULL)
    {
      if (error != NULL)
        g_debug ("Standard input failed: %s", error->message);
      input_ended (self);
      return;
    }

  handle_line (self, line);
  if (!self->finished)
    read_next_line (self);
}

static void
read_next_line (RcCli *self)
{
  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT, self->cancellable,
                                       line_read_cb, self);
}

void
_rc_cli_start_input (RcCli *self)
{
  g_autoptr(GInputStream) stdin_stream = NULL;

  if (!self->options->batch && rc_cli_terminal_usable ())
    {
      rc_cli_terminal_start ("", terminal_line_cb, self);
      return;
    }

  stdin_stream = g_unix_input_stream_new (0, FALSE);
  self->input = g_data_input_stream_new (stdin_stream);
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_LF);
  read_next_line (self);
}
