/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include "rc-client-connection.h"
#include "rc-client-connection-private.h"

/* The open streams: frames written in order, the reader loop, the
 * keep-alive ping, and closing. */

/* The server drops a connection that sent nothing for 90 s. */
#define PING_INTERVAL_SECONDS 30
/* How long a ping may go unanswered (20 intervals with the test setting) */
#define ANSWER_TIMEOUT_SECONDS 20

/* What may wait to be written: some forty of the largest messages. A
 * server that stops reading while it keeps sending pings would otherwise
 * have the client queue pongs without end. */
#define MAX_QUEUED_BYTES (1024 * 1024)

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Writing ----------------------------------------------------------------- */

typedef struct
{
  RcClientConnection *self;   /* unowned, see rc-client-connection-private.h */
  GBytes             *line;   /* kept alive for the write */
} WriteData;

static void write_next (RcClientConnection *self);

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WriteData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RcClientConnection) self = NULL;
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
      _rc_client_connection_fail (self, g_steal_pointer (&error));
      return;
    }

  write_next (self);
}

static void
write_next (RcClientConnection *self)
{
  WriteData *data;
  GOutputStream *output;

  if (self->writing || self->tls == NULL || g_queue_is_empty (&self->write_queue))
    return;

  data = g_new0 (WriteData, 1);
  data->self = self;
  data->line = g_queue_pop_head (&self->write_queue);
  self->queued_bytes -= g_bytes_get_size (data->line);
  self->writing = TRUE;

  output = g_io_stream_get_output_stream (G_IO_STREAM (self->tls));
  g_output_stream_write_all_async (output,
                                   g_bytes_get_data (data->line, NULL),
                                   g_bytes_get_size (data->line),
                                   G_PRIORITY_DEFAULT, self->cancellable,
                                   write_done_cb, data);
}

/* Test-only settings (docs/protocol.md section 5), each read once per
 * process: @fallback when @name is not set, else its value within
 * @min..@max. */
static gint64
read_test_setting (const char *name,
                   gint64      min,
                   gint64      max,
                   gint64      fallback)
{
  const char *value = g_getenv (name);

  return value != NULL ? CLAMP (g_ascii_strtoll (value, NULL, 10), min, max) : fallback;
}

/* ROOMCHAT_CLIENT_TEST_PING_MS replaces the 30 s keep-alive interval so
 * that the suite can check pings against a server with a short idle
 * timeout. Returns 0 when it is not set. */
static guint
test_ping_interval_ms (void)
{
  static gsize once = 0;
  static guint interval_ms = 0;

  if (g_once_init_enter (&once))
    {
      interval_ms = (guint) read_test_setting ("ROOMCHAT_CLIENT_TEST_PING_MS", 1, G_MAXINT, 0);
      g_once_init_leave (&once, 1);
    }

  return interval_ms;
}

/* A connection that died without a word (a changed network, a sleeping
 * laptop) keeps taking writes for minutes: a ping the server does not
 * answer in time ends it, so that a room can be resumed while the server
 * still keeps it. */
static gboolean
no_answer_cb (gpointer user_data)
{
  RcClientConnection *self = user_data;

  self->answer_id = 0;
  _rc_client_connection_fail (self,
    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "The server stopped answering"));
  return G_SOURCE_REMOVE;
}

static gboolean
ping_cb (gpointer user_data)
{
  RcClientConnection *self = user_data;
  g_autoptr(RcFrame) ping = rc_frame_new (RC_FRAME_PING);
  guint test_interval_ms = test_ping_interval_ms ();

  self->ping_id = 0;
  rc_client_connection_send_frame (self, ping);
  if (self->answer_id == 0 && self->tls != NULL)
    self->answer_id = test_interval_ms > 0
                        ? g_timeout_add (test_interval_ms * 20, no_answer_cb, self)
                        : g_timeout_add_seconds (ANSWER_TIMEOUT_SECONDS, no_answer_cb, self);
  return G_SOURCE_REMOVE;
}

/* A ping goes out after every interval without a frame sent. */
static void
restart_ping (RcClientConnection *self)
{
  guint test_interval_ms = test_ping_interval_ms ();

  g_clear_handle_id (&self->ping_id, g_source_remove);
  if (!self->keep_alive || self->tls == NULL)
    return;

  if (test_interval_ms > 0)
    self->ping_id = g_timeout_add (test_interval_ms, ping_cb, self);
  else
    self->ping_id = g_timeout_add_seconds (PING_INTERVAL_SECONDS, ping_cb, self);
}

/* ROOMCHAT_CLIENT_TEST_QUEUE_BYTES lowers MAX_QUEUED_BYTES, so that the
 * suite fills the queue with thousands of pongs rather than tens of
 * thousands. */
static gsize
max_queued_bytes (void)
{
  static gsize once = 0;
  static gsize limit = MAX_QUEUED_BYTES;

  if (g_once_init_enter (&once))
    {
      limit = (gsize) read_test_setting ("ROOMCHAT_CLIENT_TEST_QUEUE_BYTES", 1024,
                                         MAX_QUEUED_BYTES, MAX_QUEUED_BYTES);
      g_once_init_leave (&once, 1);
    }

  return limit;
}

static gboolean
overflow_cb (gpointer user_data)
{
  RcClientConnection *self = user_data;

  self->overflow_id = 0;
  self->overflowed = TRUE;
  _rc_client_connection_fail (self,
    g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                         "The server stopped reading what this client sends"));
  return G_SOURCE_REMOVE;
}

void
rc_client_connection_send_frame (RcClientConnection *self,
                                 const RcFrame      *frame)
{
  gsize length = 0;
  char *line;

  g_return_if_fail (RC_IS_CLIENT_CONNECTION (self));
  g_return_if_fail (frame != NULL);

  if (self->tls == NULL)
    return;

  g_debug ("Sending %s", rc_frame_type_to_string (frame->type));
  line = rc_frame_to_line (frame, &length);
  if (self->queued_bytes + length > max_queued_bytes ())
    {
      g_free (line);
      /* Not from inside the caller's send: it hears of the end from the
       * main loop, as of any other. */
      if (self->overflow_id == 0)
        self->overflow_id = g_idle_add_full (G_PRIORITY_DEFAULT, overflow_cb,
                                             g_object_ref (self), g_object_unref);
      return;
    }
  g_queue_push_tail (&self->write_queue, g_bytes_new_take (line, length));
  self->queued_bytes += length;

  restart_ping (self);
  write_next (self);
}

void
rc_client_connection_start_keep_alive (RcClientConnection *self)
{
  g_return_if_fail (RC_IS_CLIENT_CONNECTION (self));

  self->keep_alive = TRUE;
  restart_ping (self);
}

/* Reading ----------------------------------------------------------------- */

static void read_next (RcClientConnection *self);

static GError *
end_of_stream_error (GError *error)
{
  GError *protocol_error;

  if (error == NULL)
    return g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CLOSED,
                                "The server closed the connection");

  if (error->domain != RC_FRAME_READER_ERROR)
    return error;

  protocol_error = g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                                "The server sent an invalid frame: %s", error->message);
  g_error_free (error);
  return protocol_error;
}

static void
frame_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RcFrameReader *reader = RC_FRAME_READER (source);
  g_autoptr(RcClientConnection) self = NULL;
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

  if (self->awaiting_trust)
    {
      /* Nothing was sent yet: whatever the server says now is about a
       * hello that has not come, and its end is retried once trusted. */
      if (line == NULL)
        self->lost_while_awaiting_trust = TRUE;
      else
        read_next (self);
      return;
    }

  if (line == NULL)
    {
      _rc_client_connection_fail (self, end_of_stream_error (g_steal_pointer (&error)));
      return;
    }

  frame = rc_frame_parse (line, length, &error);
  if (frame == NULL)
    {
      _rc_client_connection_fail (self, g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL,
                                                     "The server sent an invalid frame: %s",
                                                     error->message));
      return;
    }

  g_debug ("Received %s", frame->type_name);
  g_clear_handle_id (&self->answer_id, g_source_remove);
  g_signal_emit (self, _rc_client_connection_signals[SIGNAL_FRAME_RECEIVED], 0, frame);

  if (self->reader == reader)
    read_next (self);
}

static void
read_next (RcClientConnection *self)
{
  rc_frame_reader_read_async (self->reader, G_PRIORITY_DEFAULT, self->cancellable,
                              frame_read_cb, self);
}

/* Starts the reader loop: every frame from the server comes through it. */
void
_rc_client_connection_start_reading (RcClientConnection *self)
{
  self->reader = rc_frame_reader_new (g_io_stream_get_input_stream (G_IO_STREAM (self->tls)));
  read_next (self);
}

/* Closing ----------------------------------------------------------------- */

/* Cancels what is under way and closes the streams; the fingerprints stay. */
void
_rc_client_connection_close_streams (RcClientConnection *self)
{
  GIOStream *stream = self->tls != NULL ? G_IO_STREAM (self->tls) : G_IO_STREAM (self->tcp);
  gboolean stuck = self->overflowed;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* Closing sends close_notify, so the server reads a clean end; behind
   * writes a server stopped reading, it would wait as long as the server
   * does not read, holding the socket: then the socket just goes. */
  if (stuck && self->tcp != NULL)
    g_socket_close (g_socket_connection_get_socket (self->tcp), NULL);
  else if (stream != NULL)
    g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  g_clear_object (&self->reader);
  g_clear_object (&self->tls);
  g_clear_object (&self->tcp);
  g_queue_clear_full (&self->write_queue, (GDestroyNotify) g_bytes_unref);
  self->queued_bytes = 0;
  g_clear_handle_id (&self->overflow_id, g_source_remove);
  self->writing = FALSE;
  self->keep_alive = FALSE;
  self->open = FALSE;
  g_clear_handle_id (&self->ping_id, g_source_remove);
  g_clear_handle_id (&self->answer_id, g_source_remove);
}

/* Ends the connection by itself: an open fails, an open connection
 * closes and says why. */
void
_rc_client_connection_fail (RcClientConnection *self,
                            GError             *error)
{
  g_autoptr(RcClientConnection) self_ref = g_object_ref (self);
  g_autoptr(GError) owned = error;

  if (self->open_task != NULL)
    {
      _rc_client_connection_finish_open (self, g_steal_pointer (&owned));
      return;
    }

  if (!self->open)
    return;

  g_debug ("The connection to %s ended: %s", self->host, error->message);
  _rc_client_connection_close_streams (self);
  g_signal_emit (self, _rc_client_connection_signals[SIGNAL_CLOSED], 0, error);
}

void
rc_client_connection_close (RcClientConnection *self)
{
  g_return_if_fail (RC_IS_CLIENT_CONNECTION (self));

  _rc_client_connection_close_streams (self);
  _rc_client_connection_finish_open (self,
    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The connection was closed"));
}
