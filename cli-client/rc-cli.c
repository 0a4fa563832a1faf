/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <glib-unix.h>

#include "rc-cli.h"
#include "rc-cli-messages.h"
#include "rc-cli-private.h"
#include "rc-cli-terminal.h"
#include "rc-cli-text.h"

/* How long Ctrl+C waits for the server to confirm that this side left. */
#define LEAVE_SECONDS 2

G_DEFINE_FINAL_TYPE (RcCli, rc_cli, G_TYPE_OBJECT)

static void
rc_cli_dispose (GObject *object)
{
  RcCli *self = RC_CLI (object);

  g_cancellable_cancel (self->cancellable);
  rc_cli_terminal_stop ();
  _rc_cli_stop_connecting (self);
  g_clear_object (&self->probe);
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_ids); i++)
    g_clear_handle_id (&self->signal_ids[i], g_source_remove);
  g_clear_handle_id (&self->leave_timeout_id, g_source_remove);
  if (self->session != NULL)
    rc_client_session_close (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->input);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_queue_clear_full (&self->outbox, g_free);
  g_queue_clear_full (&self->typed_ahead, g_free);

  G_OBJECT_CLASS (rc_cli_parent_class)->dispose (object);
}

static void
rc_cli_finalize (GObject *object)
{
  g_clear_pointer (&RC_CLI (object)->options, rc_cli_options_free);

  G_OBJECT_CLASS (rc_cli_parent_class)->finalize (object);
}

static void
rc_cli_class_init (RcCliClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rc_cli_dispose;
  G_OBJECT_CLASS (klass)->finalize = rc_cli_finalize;
}

static void
rc_cli_init (RcCli *self)
{
  g_queue_init (&self->outbox);
  g_queue_init (&self->typed_ahead);
  self->held_seq = -1;
  self->cancellable = g_cancellable_new ();
  self->loop = g_main_loop_new (NULL, FALSE);
}

/* Output ------------------------------------------------------------------- */

static void
emit_event (RcCli *self,
            char  *line)
{
  g_autofree char *owned = line;

  /* Flushed line by line: a script reads each event as it happens. */
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Interactive text; --batch writes events only. */
void
_rc_cli_say (RcCli      *self,
             const char *format,
             ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (self->options->batch)
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  rc_cli_terminal_print (stdout, text);
}

void
_rc_cli_report_error (RcCli        *self,
                      const GError *error)
{
  g_autofree char *text = rc_cli_describe_error (error, self->session, self->options);
  g_autofree char *line = g_strconcat ("roomchat-cli: ", text, NULL);

  if (self->options->batch)
    emit_event (self, rc_cli_event_error (rc_cli_error_code (error), text));
  rc_cli_terminal_print (stderr, line);
}

/* The prompt says where the person is and whose turn it is. */
void
_rc_cli_update_prompt (RcCli *self)
{
  g_autofree char *peer = NULL;
  g_autofree char *prompt = NULL;

  /* On the way out the prompt stays as it was. */
  if (!rc_cli_terminal_is_active () || self->awaiting_trust_answer || self->awaiting_password ||
      self->quit_after_leave || self->finished)
    return;

  if (rc_client_session_get_reconnecting (self->session))
    {
      rc_cli_terminal_set_prompt ("[reconnecting] > ", FALSE);
      return;
    }

  switch (rc_client_session_get_state (self->session))
    {
    case RC_SESSION_STATE_DISCONNECTED:
    case RC_SESSION_STATE_CONNECTING:
      prompt = g_strdup ("");
      break;
    case RC_SESSION_STATE_LOBBY:
      prompt = g_strdup ("[lobby] > ");
      break;
    case RC_SESSION_STATE_WAITING:
      prompt = g_strdup ("[waiting for someone to join] > ");
      break;
    case RC_SESSION_STATE_CHATTING:
      if (rc_client_session_get_my_turn (self->session))
        prompt = g_strdup ("[your turn] > ");
      else
        {
          peer = rc_cli_text_escape (rc_client_session_get_peer_name (self->session), NULL);
          prompt = g_strdup_printf ("[%s's turn] > ", peer);
        }
      break;
    }

  rc_cli_terminal_set_prompt (prompt, FALSE);
}

/* Stops the run; the first exit code set wins. */
void
_rc_cli_finish (RcCli *self,
                int    exit_code)
{
  if (!self->finished)
    {
      self->finished = TRUE;
      self->exit_code = exit_code;
    }
  g_cancellable_cancel (self->cancellable);
  g_main_loop_quit (self->loop);
}

void
_rc_cli_fail (RcCli        *self,
              const GError *error)
{
  if (self->finished)
    return;
  _rc_cli_report_error (self, error);
  _rc_cli_finish (self, rc_cli_exit_for_error (error));
}

static void
show_turn (RcCli *self)
{
  RcClientSession *session = self->session;

  /* Leaving, the turn passes for the last time: nothing to announce. */
  if (rc_client_session_get_state (session) != RC_SESSION_STATE_CHATTING || self->leaving ||
      self->finished)
    return;

  if (rc_client_session_get_my_turn (session))
    _rc_cli_say (self, "-- Your turn: type your message. --");
  else
    {
      g_autofree char *peer = rc_cli_text_escape (rc_client_session_get_peer_name (session), NULL);

      _rc_cli_say (self, "-- %s's turn: what you type now is sent when your turn comes. --", peer);
    }
}

/* The session's events --------------------------------------------------- */

static void
paired_cb (RcClientSession *session,
           const char      *peer_name,
           int              role,
           gboolean         my_turn,
           const char      *safety_code,
           RcCli           *self)
{
  g_autofree char *peer = rc_cli_text_escape (peer_name, NULL);

  if (self->options->batch)
    emit_event (self, rc_cli_event_paired (peer_name, role, safety_code));

  _rc_cli_say (self, "%s joined. Safety code: %s", peer, safety_code);
  _rc_cli_say (self, "Compare the safety code with %s over another channel (a call, in person): "
               "if it differs, someone is in between. /safety shows it again.", peer);
  show_turn (self);
  _rc_cli_try_send (self);
}

static void
message_received_cb (RcClientSession *session,
                     const char      *text,
                     GDateTime       *sent_at,
                     RcCli           *self)
{
  const char *peer_name = rc_client_session_get_peer_name (session);
  g_autoptr(GDateTime) local = g_date_time_to_local (sent_at);
  g_autofree char *time = g_date_time_format (local, "%H:%M");
  g_autofree char *peer = NULL;
  g_autofree char *shown = NULL;

  if (self->options->batch)
    {
      emit_event (self, rc_cli_event_message (peer_name, text));
      return;
    }

  /* A line break the peer typed stays, indented past the time, so that
   * no line of theirs can pass for one of the client's own. */
  peer = rc_cli_text_escape (peer_name, NULL);
  shown = rc_cli_text_escape (text, "        ");
  _rc_cli_say (self, "[%s] %s: %s", time, peer, shown);
}

static void
state_cb (RcClientSession *session,
          GParamSpec      *pspec,
          RcCli           *self)
{
  _rc_cli_update_prompt (self);
}

static void
my_turn_cb (RcClientSession *session,
            GParamSpec      *pspec,
            RcCli           *self)
{
  _rc_cli_update_prompt (self);
  show_turn (self);
  _rc_cli_try_send (self);
}

static void
relayed_cb (RcClientSession *session,
            gint64           seq,
            RcCli           *self)
{
  if (self->pending_relays > 0)
    self->pending_relays--;
  if (self->options->batch)
    emit_event (self, rc_cli_event_relayed (seq));
  else if (seq == self->held_seq)
    {
      g_autofree char *peer = rc_cli_text_escape (rc_client_session_get_peer_name (session), NULL);

      _rc_cli_say (self, "-- Your message was delivered to %s. --", peer);
    }
  if (seq == self->held_seq)
    self->held_seq = -1;
  _rc_cli_try_send (self);
}

static void
held_cb (RcClientSession *session,
         gint64           seq,
         RcCli           *self)
{
  g_autofree char *peer = rc_cli_text_escape (rc_client_session_get_peer_name (session), NULL);

  self->held_seq = seq;
  if (self->options->batch)
    emit_event (self, rc_cli_event_held (seq));
  _rc_cli_say (self, "-- Waiting for %s to come back: the server keeps your message until then. --", peer);
}

static void
reconnecting_cb (RcClientSession *session,
                 GError          *reason,
                 guint            seconds,
                 RcCli           *self)
{
  if (self->options->batch)
    emit_event (self, rc_cli_event_reconnecting (seconds, reason->message));
  _rc_cli_say (self, "-- The connection to the server was lost. Reconnecting; the server keeps "
               "your place in the chat for %u seconds. You can keep typing. --", seconds);
  _rc_cli_update_prompt (self);
}

static void
resumed_cb (RcClientSession *session,
            RcCli           *self)
{
  if (self->options->batch)
    emit_event (self, rc_cli_event_resumed ());
  _rc_cli_say (self, "-- Reconnected: the chat goes on. --");
  _rc_cli_update_prompt (self);
  show_turn (self);
  _rc_cli_try_send (self);
}

static void
peer_away_cb (RcClientSession *session,
              guint            seconds,
              RcCli           *self)
{
  g_autofree char *peer = rc_cli_text_escape (rc_client_session_get_peer_name (session), NULL);

  if (self->options->batch)
    emit_event (self, rc_cli_event_peer_away (seconds));
  _rc_cli_say (self, "-- %s's connection dropped. The server keeps their place for %u seconds. --",
               peer, seconds);
}

static void
peer_back_cb (RcClientSession *session,
              RcCli           *self)
{
  g_autofree char *peer = rc_cli_text_escape (rc_client_session_get_peer_name (session), NULL);

  if (self->options->batch)
    emit_event (self, rc_cli_event_peer_back ());
  _rc_cli_say (self, "-- %s is back. --", peer);
}

static void
not_delivered_cb (RcClientSession *session,
                  gint64           seq,
                  RcCli           *self)
{
  g_autoptr(GError) error = g_error_new (RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NOT_DELIVERED,
                                         "message %" G_GINT64_FORMAT " could not be delivered",
                                         seq);

  if (self->pending_relays > 0)
    self->pending_relays--;
  if (seq == self->held_seq)
    self->held_seq = -1;
  _rc_cli_report_error (self, error);
}

static void
peer_left_cb (RcClientSession *session,
              const char      *reason,
              RcCli           *self)
{
  if (self->options->batch)
    {
      emit_event (self, rc_cli_event_peer_left (reason));
      _rc_cli_finish (self, RC_CLI_EXIT_OK);
      return;
    }

  g_queue_clear_full (&self->outbox, g_free);
  _rc_cli_say (self, g_str_equal (reason, "left") ? "The other person left the chat."
                                                 : "The other person lost their connection.");
  _rc_cli_say (self, "/create or /join ID for another chat, /quit to quit.");
}

static void
room_error_cb (RcClientSession *session,
               GError          *error,
               RcCli           *self)
{
  if (self->options->batch)
    {
      _rc_cli_fail (self, error);
      return;
    }

  g_queue_clear_full (&self->outbox, g_free);
  _rc_cli_report_error (self, error);
  _rc_cli_say (self, "/create or /join ID for another chat, /quit to quit.");
}

static void
disconnected_cb (RcClientSession *session,
                 GError          *error,
                 RcCli           *self)
{
  if (error != NULL)
    _rc_cli_fail (self, error);
}

/* Rooms -------------------------------------------------------------------- */

static void
create_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RcCli) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *room = NULL;
  g_autofree char *shown = NULL;

  room = rc_client_session_create_room_finish (RC_CLIENT_SESSION (source), result, &error);
  if (room == NULL)
    {
      if (self->options->batch)
        _rc_cli_fail (self, error);
      else
        _rc_cli_report_error (self, error);
      return;
    }

  if (self->options->batch)
    {
      emit_event (self, rc_cli_event_room (room));
      return;
    }
  shown = rc_cli_text_escape (room, NULL);
  _rc_cli_say (self, "Room created. Pass this id on to the person you want to talk to:\n\n"
               "    %s\n\nWaiting for them to join... (/leave to give up)", shown);
}

static void
join_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(RcCli) self = user_data;
  g_autoptr(GError) error = NULL;

  if (rc_client_session_join_room_finish (RC_CLIENT_SESSION (source), result, &error))
    return;

  /* A room that is not secure has been reported by ::room-error. */
  if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY))
    return;

  if (self->options->batch)
    _rc_cli_fail (self, error);
  else
    _rc_cli_report_error (self, error);
}

void
_rc_cli_start_room (RcCli      *self,
                    gboolean    create,
                    const char *room)
{
  if (create)
    {
      rc_client_session_create_room_async (self->session, NULL, create_cb, g_object_ref (self));
      return;
    }

  /* Kept for the messages about this room; @room may be the old value. */
  if (room != self->options->join)
    {
      g_free (self->options->join);
      self->options->join = g_strdup (room);
    }
  rc_client_session_join_room_async (self->session, room, NULL, join_cb, g_object_ref (self));
}

/* Running ------------------------------------------------------------------ */

static gboolean
leave_timeout_cb (gpointer user_data)
{
  RcCli *self = user_data;

  self->leave_timeout_id = 0;
  _rc_cli_finish (self, RC_CLI_EXIT_OK);
  return G_SOURCE_REMOVE;
}

/* Ctrl+C in a room leaves it first, so that the other person reads that
 * this side left rather than lost its connection; a second one, or a
 * server that does not answer soon, ends the run at once. */
static gboolean
quit_signal_cb (gpointer user_data)
{
  RcCli *self = user_data;
  RcSessionState state = rc_client_session_get_state (self->session);

  if (self->leave_timeout_id != 0 ||
      (state != RC_SESSION_STATE_WAITING && state != RC_SESSION_STATE_CHATTING))
    {
      _rc_cli_finish (self, RC_CLI_EXIT_OK);
      return G_SOURCE_CONTINUE;
    }

  self->leave_timeout_id = g_timeout_add_seconds (LEAVE_SECONDS, leave_timeout_cb, self);
  _rc_cli_leave (self, TRUE);
  return G_SOURCE_CONTINUE;
}

RcCli *
rc_cli_new (RcCliOptions *options)
{
  RcCli *self;

  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (RC_TYPE_CLI, NULL);
  self->options = options;
  self->session = rc_client_session_new (options->host, options->port, options->name);
  rc_client_session_set_trust_new_certificates (self->session, options->trust);
  _rc_cli_init_connect (self);

  g_signal_connect_object (self->session, "paired", G_CALLBACK (paired_cb), self, 0);
  g_signal_connect_object (self->session, "message-received", G_CALLBACK (message_received_cb), self, 0);
  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (state_cb), self, 0);
  g_signal_connect_object (self->session, "notify::my-turn", G_CALLBACK (my_turn_cb), self, 0);
  g_signal_connect_object (self->session, "message-relayed", G_CALLBACK (relayed_cb), self, 0);
  g_signal_connect_object (self->session, "message-not-delivered", G_CALLBACK (not_delivered_cb), self, 0);
  g_signal_connect_object (self->session, "peer-left", G_CALLBACK (peer_left_cb), self, 0);
  g_signal_connect_object (self->session, "room-error", G_CALLBACK (room_error_cb), self, 0);
  g_signal_connect_object (self->session, "disconnected", G_CALLBACK (disconnected_cb), self, 0);
  g_signal_connect_object (self->session, "message-held", G_CALLBACK (held_cb), self, 0);
  g_signal_connect_object (self->session, "reconnecting", G_CALLBACK (reconnecting_cb), self, 0);
  g_signal_connect_object (self->session, "resumed", G_CALLBACK (resumed_cb), self, 0);
  g_signal_connect_object (self->session, "peer-away", G_CALLBACK (peer_away_cb), self, 0);
  g_signal_connect_object (self->session, "peer-back", G_CALLBACK (peer_back_cb), self, 0);

  return self;
}

/**
 * rc_cli_run:
 *
 * Connects, runs the chat on the default main context and returns the exit
 * status.
 */
int
rc_cli_run (RcCli *self)
{
  g_return_val_if_fail (RC_IS_CLI (self), RC_CLI_EXIT_USAGE);

  self->signal_ids[0] = g_unix_signal_add (SIGINT, quit_signal_cb, self);
  self->signal_ids[1] = g_unix_signal_add (SIGTERM, quit_signal_cb, self);

  _rc_cli_start_input (self);
  _rc_cli_connect (self);
  g_main_loop_run (self->loop);
  rc_cli_terminal_stop ();
  _rc_cli_stop_connecting (self);

  /* Ends the connection with a TLS close_notify before the process goes. */
  rc_client_session_close (self->session);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return self->exit_code;
}

int
rc_cli_main (int    argc,
             char **argv)
{
  g_autoptr(RcCliOptions) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RcCli) cli = NULL;

  setlocale (LC_ALL, "");

  options = rc_cli_options_parse (argv, &error);
  if (options != NULL && options->version)
    {
      printf ("roomchat-cli %s\n", PACKAGE_VERSION);
      return RC_CLI_EXIT_OK;
    }

  /* Interactive, the password is asked once the server is trusted
   * (rc-cli-connect.c); a script has nobody to ask about the server. */
  if (options == NULL ||
      (options->batch && !rc_cli_options_resolve_password (options, &error)))
    {
      fprintf (stderr, "roomchat-cli: %s\nSee roomchat-cli --help.\n", error->message);
      return RC_CLI_EXIT_USAGE;
    }

  if (!options->batch)
    rc_cli_options_password_from_environment (options);
  cli = rc_cli_new (g_steal_pointer (&options));
  return rc_cli_run (cli);
}
