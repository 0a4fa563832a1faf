/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include <string.h>

#include "rc-client-session.h"
#include "rc-client-session-private.h"

/* The connection: writing, the reader loop, ending. Callbacks of its
 * operations get the session unowned: every such operation uses
 * self->cancellable, which is cancelled before the session can go away, so
 * a callback that sees CANCELLED returns at once without touching it. */

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Writing ----------------------------------------------------------------- */

typedef struct
{
  RcClientSession *self;   /* unowned, see above */
  GBytes          *line;   /* kept alive for the write */
} WriteData;

static void write_next (RcClientSession *self);

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WriteData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RcClientSession) self = NULL;
  gboolean ok;

  ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  g_bytes_unref (data->line);
  if (is_cancelled (error))
    {
      g_free (data);
      return;
    }

  self = g_object_ref (data->self);
  g_free (data);

  self->writing = FALSE;
  if (!ok)
    {
      rc_client_session_connection_failed (self, g_steal_pointer (&error));
      return;
    }

  write_next (self);
}

static void
write_next (RcClientSession *self)
{
  WriteData *data;
  GOutputStream *output;

  if (self->writing || self->tls == NULL || g_queue_is_empty (&self->write_queue))
    return;

  data = g_new0 (WriteData, 1);
  data->self = self;
  data->line = g_queue_pop_head (&self->write_queue);
  self->writing = TRUE;

  output = g_io_stream_get_output_stream (G_IO_STREAM (self->tls));
  g_output_stream_write_all_async (output,
                                   g_bytes_get_data (data->line, NULL),
                                   g_bytes_get_size (data->line),
                                   G_PRIORITY_DEFAULT, self->cancellable,
                                   write_done_cb, data);
}

static gboolean
ping_cb (gpointer user_data)
{
  RcClientSession *self = user_data;
  g_autoptr(RcFrame) ping = rc_frame_new (RC_FRAME_PING);

  self->ping_id = 0;
  rc_client_session_send_frame (self, ping);
  return G_SOURCE_REMOVE;
}

/* Queues @frame; frames go out one at a time, in order. */
void
rc_client_session_send_frame (RcClientSession *self,
                              const RcFrame   *frame)
{
  gsize length = 0;
  char *line;

  if (self->tls == NULL)
    return;

  line = rc_frame_to_line (frame, &length);
  g_queue_push_tail (&self->write_queue, g_bytes_new_take (line, length));

  rc_client_session_restart_ping (self);
  write_next (self);
}

/* Test-only: ROOMCHAT_CLIENT_TEST_PING_MS, read once per process, replaces
 * the 30 s keep-alive interval so that the suite can check pings against
 * a server with a short idle timeout. Not part of the protocol (see
 * docs/protocol.md section 5). Returns 0 when it is not set. */
static guint
test_ping_interval_ms (void)
{
  static gsize once = 0;
  static guint interval_ms = 0;

  if (g_once_init_enter (&once))
    {
      const char *value = g_getenv ("ROOMCHAT_CLIENT_TEST_PING_MS");

      if (value != NULL)
        interval_ms = (guint) CLAMP (g_ascii_strtoll (value, NULL, 10), 1, G_MAXINT);
      g_once_init_leave (&once, 1);
    }

  return interval_ms;
}

/* The server drops a connection that sent nothing for 90 s: once past
 * hello, a ping goes out after every 30 s without a frame sent. */
void
rc_client_session_restart_ping (RcClientSession *self)
{
  guint test_interval_ms = test_ping_interval_ms ();

  g_clear_handle_id (&self->ping_id, g_source_remove);
  if (self->state < RC_SESSION_STATE_LOBBY || self->tls == NULL)
    return;

  if (test_interval_ms > 0)
    self->ping_id = g_timeout_add (test_interval_ms, ping_cb, self);
  else
    self->ping_id = g_timeout_add_seconds (RC_PING_INTERVAL_SECONDS, ping_cb, self);
}

/* Frames ------------------------------------------------------------------ */

/* Makes the GError for a server's error frame, with the numbers a UI
 * shows with it. */
GError *
rc_client_session_error_from_frame (RcClientSession *self,
                                    const RcFrame   *frame)
{
  const char *text = frame->message != NULL ? frame->message
                                            : rc_protocol_error_default_text (frame->code);

  return rc_protocol_error_new (frame->code, text, frame->attempts_left, frame->retry_after);
}

static void
handle_error_frame (RcClientSession *self,
                    const RcFrame   *frame)
{
  g_autoptr(GError) error = rc_client_session_error_from_frame (self, frame);

  if (self->connect_task != NULL)
    {
      rc_client_session_finish_connect (self, g_steal_pointer (&error));
      rc_client_session_teardown (self);
      return;
    }

  /* These come right before the server closes: the end of the stream
   * reports them through ::disconnected. */
  if (frame->code == RC_PROTOCOL_ERROR_SHUTTING_DOWN ||
      frame->code == RC_PROTOCOL_ERROR_BAD_FRAME ||
      frame->code == RC_PROTOCOL_ERROR_SERVER_FULL)
    {
      g_clear_error (&self->closing_error);
      self->closing_error = g_steal_pointer (&error);
      return;
    }

  if (!rc_client_session_handle_room_error (self, frame))
    g_debug ("Ignoring error \"%s\" from the server: %s", frame->code_name, error->message);
}

static void
dispatch (RcClientSession *self,
          RcFrame         *frame)
{
  switch (frame->type)
    {
    case RC_FRAME_PING:
      {
        g_autoptr(RcFrame) pong = rc_frame_new (RC_FRAME_PONG);

        rc_client_session_send_frame (self, pong);
      }
      break;

    case RC_FRAME_PONG:
    case RC_FRAME_UNKNOWN:
      /* Unknown frame types are ignored for forward compatibility. */
      break;

    case RC_FRAME_WELCOME:
      if (self->connect_task == NULL || self->awaiting_trust)
        goto unexpected;
      g_free (self->server_name);
      self->server_name = g_strdup (frame->server);
      rc_client_session_set_state (self, RC_SESSION_STATE_LOBBY);
      rc_client_session_restart_ping (self);
      rc_client_session_finish_connect (self, NULL);
      break;

    case RC_FRAME_ERROR:
      handle_error_frame (self, frame);
      break;

    case RC_FRAME_CREATED:
    case RC_FRAME_PAIRED:
    case RC_FRAME_LEFT:
    case RC_FRAME_PEER_LEFT:
    case RC_FRAME_MESSAGE:
    case RC_FRAME_RELAYED:
      if (self->state < RC_SESSION_STATE_LOBBY)
        goto unexpected;
      rc_client_session_handle_room_frame (self, frame);
      break;

    case RC_FRAME_HELLO:
    case RC_FRAME_CREATE:
    case RC_FRAME_JOIN:
    case RC_FRAME_LEAVE:
    default:
      goto unexpected;
    }

  return;

unexpected:
  rc_client_session_connection_failed (self,
    g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                 "The server sent an unexpected \"%s\" frame",
                 frame->type_name != NULL ? frame->type_name : "?"));
}

/* Reading ----------------------------------------------------------------- */

static void read_next (RcClientSession *self);

/* Starts the reader loop: every frame from the server comes through it. */
void
rc_client_session_start_reading (RcClientSession *self)
{
  self->reader = rc_frame_reader_new (g_io_stream_get_input_stream (G_IO_STREAM (self->tls)));
  read_next (self);
}

static GError *
end_of_stream_error (RcClientSession *self,
                     GError          *error)
{
  if (self->closing_error != NULL)
    {
      g_clear_error (&error);
      return g_steal_pointer (&self->closing_error);
    }

  if (error == NULL)
    return g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CLOSED,
                                "The server closed the connection");

  if (error->domain == RC_FRAME_READER_ERROR)
    {
      GError *protocol_error = g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                                            "The server sent an invalid frame: %s",
                                            error->message);
      g_error_free (error);
      return protocol_error;
    }

  return error;
}

static void
frame_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RcFrameReader *reader = RC_FRAME_READER (source);
  g_autoptr(RcClientSession) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RcFrame) frame = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = rc_frame_reader_read_finish (reader, result, &length, &error);
  if (is_cancelled (error))
    return;

  self = g_object_ref (user_data);
  if (reader != self->reader)
    return;

  if (line == NULL)
    {
      if (self->awaiting_trust)
        {
          /* The server gave up waiting for hello while the person was
           * deciding; trusting the certificate connects again. */
          self->lost_while_awaiting_trust = TRUE;
          return;
        }
      rc_client_session_connection_failed (self, end_of_stream_error (self, g_steal_pointer (&error)));
      return;
    }

  if (self->awaiting_trust)
    {
      /* Nothing was sent yet; whatever the server says now is about a
       * hello that has not come. */
      read_next (self);
      return;
    }

  frame = rc_frame_parse (line, length, &error);
  if (frame == NULL)
    {
      rc_client_session_connection_failed (self,
        g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                     "The server sent an invalid frame: %s", error->message));
      return;
    }

  g_debug ("Received %s", frame->type_name);
  dispatch (self, frame);

  if (self->reader == reader)
    read_next (self);
}

static void
read_next (RcClientSession *self)
{
  rc_frame_reader_read_async (self->reader, G_PRIORITY_DEFAULT, self->cancellable,
                              frame_read_cb, self);
}

/* Ending ------------------------------------------------------------------ */

/* Ends the connection but leaves tasks and room state alone. */
void
rc_client_session_drop_connection (RcClientSession *self)
{
  GIOStream *stream = self->tls != NULL ? G_IO_STREAM (self->tls) : G_IO_STREAM (self->tcp);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* Closing sends close_notify, so the server reads a clean end. */
  if (stream != NULL)
    g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  g_clear_object (&self->reader);
  g_clear_object (&self->tls);
  g_clear_object (&self->tcp);
  g_queue_clear_full (&self->write_queue, (GDestroyNotify) g_bytes_unref);
  self->writing = FALSE;
  g_clear_handle_id (&self->ping_id, g_source_remove);
  self->awaiting_trust = FALSE;
  self->lost_while_awaiting_trust = FALSE;
}

/* Back to disconnected: fails whatever waits and forgets the room. */
void
rc_client_session_teardown (RcClientSession *self)
{
  g_autoptr(GError) error = g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CLOSED,
                                                 "The connection ended");

  rc_client_session_drop_connection (self);
  rc_client_session_fail_room_tasks (self, error);
  rc_client_session_end_room (self);
  rc_client_session_set_state (self, RC_SESSION_STATE_DISCONNECTED);
  if (self->connect_task != NULL)
    rc_client_session_finish_connect (self, g_steal_pointer (&error));
}

void
rc_client_session_connection_failed (RcClientSession *self,
                                     GError          *error)
{
  gboolean was_connected = self->state >= RC_SESSION_STATE_LOBBY;

  if (self->connect_task != NULL)
    {
      rc_client_session_finish_connect (self, error);
      return;
    }

  g_debug ("Connection failed: %s", error->message);
  rc_client_session_fail_room_tasks (self, error);
  rc_client_session_teardown (self);
  if (was_connected)
    g_signal_emit (self, rc_client_session_signals[SIGNAL_DISCONNECTED], 0, error);
  g_error_free (error);
}

void
rc_client_session_close (RcClientSession *self)
{
  g_autoptr(RcClientSession) self_ref = NULL;
  gboolean was_connected;

  g_return_if_fail (RC_IS_CLIENT_SESSION (self));

  self_ref = g_object_ref (self);
  was_connected = self->state >= RC_SESSION_STATE_LOBBY;

  if (self->connect_task != NULL)
    rc_client_session_finish_connect (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                 "The connection was closed"));
  rc_client_session_teardown (self);

  if (was_connected)
    g_signal_emit (self, rc_client_session_signals[SIGNAL_DISCONNECTED], 0, NULL);
}

