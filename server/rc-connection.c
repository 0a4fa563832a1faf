/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "rc-connection-private.h"
#include "rc-timed-input-stream.h"
#include "rc-tsan.h"

/* The life of one connection, all of it in the thread GThreadedSocketService
 * gave it: wait for the first byte, TLS 1.3 handshake, hello, then frames
 * until one side ends it; then the error frame if there is one, close_notify,
 * and a short linger so that the client reads the error rather than a reset.
 *
 * Other threads touch a connection only through its write lock (its peer
 * relaying, telling it the peer left) and through rc_connection_kill() and
 * rc_connection_terminate(), which wake its reader: by shutting the socket
 * down (the connection is dropped) or by its cancellable (shutdown). */

#define DRAIN_LIMIT (256 * 1024)

G_DEFINE_FINAL_TYPE (RcConnection, rc_connection, G_TYPE_OBJECT)

typedef enum
{
  SERVE_CONTINUE,
  SERVE_CLOSE,          /* close after the error frame, if any */
  SERVE_CLOSE_QUIETLY,  /* the other side is gone: no frame, no linger */
} ServeResult;

static void
rc_connection_finalize (GObject *object)
{
  RcConnection *self = RC_CONNECTION (object);

  g_clear_object (&self->reader);
  g_clear_object (&self->input);
  g_clear_object (&self->tls);
  g_clear_object (&self->socket_connection);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->address_text, g_free);
  g_clear_pointer (&self->address_key, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->room, rc_room_unref);
  g_mutex_clear (&self->write_lock);
  g_mutex_clear (&self->state_lock);

  G_OBJECT_CLASS (rc_connection_parent_class)->finalize (object);
}

static void
rc_connection_class_init (RcConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_connection_finalize;
}

static void
rc_connection_init (RcConnection *self)
{
  g_mutex_init (&self->write_lock);
  g_mutex_init (&self->state_lock);
}

RcConnection *
rc_connection_new (RcServer          *server,
                   GSocketConnection *connection,
                   guint64            id)
{
  g_autoptr(GSocketAddress) remote = NULL;
  RcConnection *self;

  g_return_val_if_fail (RC_IS_SERVER (server), NULL);
  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);

  self = g_object_new (RC_TYPE_CONNECTION, NULL);
  self->server = server;
  self->socket_connection = g_object_ref (connection);
  self->socket = g_socket_connection_get_socket (connection);
  self->id = id;
  self->cancellable = g_cancellable_new ();

  remote = g_socket_connection_get_remote_address (connection, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    rc_block_list_describe_address (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)),
                                    &self->address_text, &self->address_key);
  else
    {
      self->address_text = g_strdup ("unknown");
      self->address_key = g_strdup ("unknown");
    }

  return self;
}

/* Writing ----------------------------------------------------------------- */

/**
 * rc_connection_write_locked:
 *
 * Writes @frame; the caller holds the write lock. A write that fails or
 * waits longer than the write timeout ends the connection: the stream is
 * broken in the middle of a TLS record, and a client that does not read is
 * dropped, not waited for.
 */
gboolean
rc_connection_write_locked (RcConnection  *self,
                            const RcFrame *frame)
{
  g_autofree char *line = NULL;
  gsize length = 0;

  line = rc_frame_to_line (frame, &length);
  return rc_connection_write_line_locked (self, line, length);
}

/* The same, for a frame already encoded. */
gboolean
rc_connection_write_line_locked (RcConnection *self,
                                 const char   *line,
                                 gsize         length)
{
  g_autoptr(GError) error = NULL;

  if (self->write_closed || self->output == NULL)
    return FALSE;

  if (!g_output_stream_write_all (self->output, line, length, NULL, NULL, &error))
    {
      g_debug ("Connection %" G_GUINT64_FORMAT ": write failed: %s", self->id, error->message);
      self->write_closed = TRUE;
      rc_connection_kill (self);
      return FALSE;
    }

  return TRUE;
}

gboolean
rc_connection_write (RcConnection  *self,
                     const RcFrame *frame)
{
  gboolean written;

  g_mutex_lock (&self->write_lock);
  written = rc_connection_write_locked (self, frame);
  g_mutex_unlock (&self->write_lock);

  return written;
}

gboolean
rc_connection_write_error (RcConnection    *self,
                           RcProtocolError  code)
{
  g_autoptr(RcFrame) frame = rc_frame_new_error (code, NULL);

  return rc_connection_write (self, frame);
}

/* Any thread: ends the connection at once. Its reader wakes up to an end
 * of stream and its writers fail. */
void
rc_connection_kill (RcConnection *self)
{
  g_mutex_lock (&self->state_lock);
  if (!self->fd_closed)
    shutdown (g_socket_get_fd (self->socket), SHUT_RDWR);
  g_mutex_unlock (&self->state_lock);

  g_cancellable_cancel (self->cancellable);
}

/**
 * rc_connection_terminate:
 *
 * Any thread: asks the connection to end because the server is shutting
 * down. Its reader wakes up and writes shutting-down before it closes.
 */
void
rc_connection_terminate (RcConnection *self)
{
  g_return_if_fail (RC_IS_CONNECTION (self));

  /* Only the cancellable: a read that met an end of stream would leave the
   * TLS session unable to write shutting-down. */
  g_atomic_int_set (&self->terminating, TRUE);
  g_cancellable_cancel (self->cancellable);
}

/* Returns: (transfer full) (nullable): the connection's room */
RcRoom *
rc_connection_get_room (RcConnection *self)
{
  RcRoom *room;

  g_mutex_lock (&self->state_lock);
  room = self->room != NULL ? rc_room_ref (self->room) : NULL;
  g_mutex_unlock (&self->state_lock);

  return room;
}

/* Called with the room's lock held. */
void
rc_connection_set_room (RcConnection *self,
                        RcRoom       *room)
{
  RcRoom *old;

  g_mutex_lock (&self->state_lock);
  old = g_steal_pointer (&self->room);
  self->room = room != NULL ? rc_room_ref (room) : NULL;
  g_mutex_unlock (&self->state_lock);

  g_clear_pointer (&old, rc_room_unref);
}

/* Handshake --------------------------------------------------------------- */

static gboolean
tls_handshake (RcConnection         *self,
               const RcServerLimits *limits)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;
  GTlsBackend *backend = g_tls_backend_get_default ();

  /* Bounds each step of the handshake, then every write. */
  g_socket_set_timeout (self->socket, limits->write_timeout);

  tls = g_initable_new (g_tls_backend_get_server_connection_type (backend), NULL, &error,
                        "base-io-stream", self->socket_connection,
                        "certificate", rc_server_get_certificate (self->server),
                        "database", NULL,
                        NULL);
  if (tls == NULL)
    {
      g_message ("Cannot start TLS: %s", error->message);
      return FALSE;
    }

  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), self->cancellable, &error))
    {
      g_info ("Connection %" G_GUINT64_FORMAT " from %s: TLS handshake failed: %s",
              self->id, self->address_text, error->message);
      self->tls = g_steal_pointer (&tls);
      return FALSE;
    }

  if (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (tls)) != G_TLS_PROTOCOL_VERSION_TLS_1_3)
    {
      g_message ("Connection %" G_GUINT64_FORMAT " from %s: refused a TLS version older than 1.3",
                 self->id, self->address_text);
      self->tls = g_steal_pointer (&tls);
      return FALSE;
    }

  self->tls = g_steal_pointer (&tls);
  self->output = g_io_stream_get_output_stream (self->tls);
  self->input = rc_timed_input_stream_new (G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->tls)),
                                           self->socket,
                                           rc_server_get_wake_cancellable (self->server));
  self->reader = rc_frame_reader_new (self->input);

  return TRUE;
}

static gboolean
handshake (RcConnection *self)
{
  const RcServerLimits *limits = rc_server_get_limits (self->server);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  /* A client that connects and says nothing must not hold one of the
   * few shared threads glib-networking runs handshakes on, or idle
   * connections starve real ones. */
  if (!g_socket_condition_timed_wait (self->socket, G_IO_IN, limits->hello_timeout,
                                      rc_server_get_wake_cancellable (self->server), &error))
    {
      g_info ("Connection %" G_GUINT64_FORMAT " from %s sent nothing: %s",
              self->id, self->address_text, error->message);
      return FALSE;
    }
  if (g_atomic_int_get (&self->terminating))
    return FALSE;

  /* A handshake holds a second descriptor: their number is bounded. */
  if (!rc_server_begin_handshake (self->server, g_get_monotonic_time () + limits->hello_timeout))
    {
      g_info ("Connection %" G_GUINT64_FORMAT " from %s: no handshake place in time", self->id, self->address_text);
      return FALSE;
    }
  ok = tls_handshake (self, limits);
  rc_server_end_handshake (self->server);

  return ok;
}

/* Rate limit -------------------------------------------------------------- */

/* A token bucket per connection: frame_rate frames a second, frame_burst at
 * once. Returns the seconds to wait when the bucket is empty, 0 otherwise. */
static gint64
take_token (RcConnection *self)
{
  const RcServerLimits *limits = rc_server_get_limits (self->server);
  gint64 now = g_get_monotonic_time ();

  self->tokens = MIN (limits->frame_burst,
                      self->tokens + (double) (now - self->tokens_time) / G_USEC_PER_SEC * limits->frame_rate);
  self->tokens_time = now;

  if (self->tokens < 1.0)
    return MAX ((gint64) ceil ((1.0 - self->tokens) / limits->frame_rate), 1);

  self->tokens -= 1.0;
  return 0;
}

/* Frames ------------------------------------------------------------------ */

static ServeResult
close_with (RcConnection     *self,
            RcFrame         **close_frame,
            RcProtocolError   code)
{
  *close_frame = rc_frame_new_error (code, NULL);
  return SERVE_CLOSE;
}

static ServeResult
handle_hello (RcConnection  *self,
              RcFrame       *frame,
              RcFrame      **close_frame)
{
  RcBlockList *blocks = rc_server_get_block_list (self->server);
  RcStatistics *statistics = rc_server_get_statistics (self->server);
  g_autoptr(RcFrame) welcome = NULL;
  gint64 retry_after = 0;
  guint attempts_left = 0;

  rc_statistics_add_hello (statistics, self->address_text, frame->name);

  if (rc_block_list_is_blocked (blocks, self->address_key, &retry_after))
    {
      g_message ("Refused %s from blocked address %s for another %" G_GINT64_FORMAT " s",
                 frame->name, self->address_text, retry_after);
      close_with (self, close_frame, RC_PROTOCOL_ERROR_BLOCKED);
      (*close_frame)->retry_after = retry_after;
      return SERVE_CLOSE;
    }

  if (frame->version < RC_PROTOCOL_VERSION)
    {
      g_message ("Refused %s from %s: protocol version %" G_GINT64_FORMAT,
                 frame->name, self->address_text, frame->version);
      return close_with (self, close_frame, RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION);
    }

  if (!rc_server_admit (self->server, self->address_key))
    {
      g_message ("Refused %s from %s: the server is full", frame->name, self->address_text);
      return close_with (self, close_frame, RC_PROTOCOL_ERROR_SERVER_FULL);
    }

  if (!rc_password_check (rc_server_get_password (self->server), frame->password))
    {
      rc_server_release (self->server, self->address_key);
      rc_statistics_add_wrong_credentials (statistics, self->address_text, frame->name);

      if (rc_block_list_add_failure (blocks, self->address_key, &attempts_left))
        {
          rc_statistics_add_block (statistics, self->address_text, frame->name);
          g_message ("Blocked %s after too many wrong passwords (last one given by %s)",
                     self->address_key, frame->name);
        }
      else
        {
          g_message ("Wrong password from %s at %s; %u attempts left",
                     frame->name, self->address_text, attempts_left);
        }

      close_with (self, close_frame, RC_PROTOCOL_ERROR_AUTH_FAILED);
      (*close_frame)->attempts_left = attempts_left;
      return SERVE_CLOSE;
    }

  rc_block_list_add_success (blocks, self->address_key);
  rc_statistics_add_visit (statistics);
  self->admitted = TRUE;
  self->authenticated = TRUE;
  self->name = g_strdup (frame->name);
  g_message ("%s authenticated from %s (connection %" G_GUINT64_FORMAT ")",
             self->name, self->address_text, self->id);

  welcome = rc_frame_new (RC_FRAME_WELCOME);
  welcome->version = RC_PROTOCOL_VERSION;
  welcome->server = g_strdup (rc_server_get_name (self->server));
  return rc_connection_write (self, welcome) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
}

/* A frame that could not be parsed. */
static ServeResult
handle_parse_error (RcConnection  *self,
                    GError        *error,
                    RcFrame      **close_frame)
{
  gint64 retry_after = 0;

  if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_NAME) && !self->authenticated)
    {
      /* A blocked address learns nothing but that it is blocked. */
      if (rc_block_list_is_blocked (rc_server_get_block_list (self->server), self->address_key, &retry_after))
        {
          close_with (self, close_frame, RC_PROTOCOL_ERROR_BLOCKED);
          (*close_frame)->retry_after = retry_after;
          return SERVE_CLOSE;
        }
      /* No failure is counted and the client may say hello again, within
       * the same ten seconds. */
      return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_NAME) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
    }

  if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_NAME) ||
      g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM))
    {
      g_autoptr(RcRoom) room = rc_connection_get_room (self);

      if (!self->authenticated)
        return close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_STATE);
      /* A join with an id no room can have, from the lobby. */
      if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM) && room == NULL)
        return rc_connection_write_error (self, RC_PROTOCOL_ERROR_NO_SUCH_ROOM) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
      return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
    }

  g_info ("Connection %" G_GUINT64_FORMAT ": bad frame: %s", self->id, error->message);
  return close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_FRAME);
}

static ServeResult
handle_frame (RcConnection  *self,
              RcFrame       *frame,
              RcFrame      **close_frame)
{
  g_autoptr(RcRoom) room = NULL;
  gboolean ok = TRUE;

  if (!self->authenticated)
    {
      if (frame->type != RC_FRAME_HELLO)
        return close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_STATE);
      return handle_hello (self, frame, close_frame);
    }

  room = rc_connection_get_room (self);

  switch (frame->type)
    {
    case RC_FRAME_PING:
      {
        g_autoptr(RcFrame) pong = rc_frame_new (RC_FRAME_PONG);

        ok = rc_connection_write (self, pong);
      }
      break;

    case RC_FRAME_PONG:
      /* An answer to nothing the server asked; it still shows the client
       * is alive. */
      break;

    case RC_FRAME_CREATE:
      ok = room == NULL ? rc_connection_create_room (self, frame)
                        : rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
      break;

    case RC_FRAME_JOIN:
      ok = room == NULL ? rc_connection_join_room (self, frame)
                        : rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
      break;

    case RC_FRAME_LEAVE:
      ok = rc_connection_leave_room (self);
      break;

    case RC_FRAME_MESSAGE:
      {
        gboolean relayed = FALSE;

        ok = rc_connection_relay (self, frame, &relayed);
        /* Messages the turns allow cost no token: they are bounded by the
         * peer's answers already. */
        if (relayed)
          self->tokens += 1.0;
      }
      break;

    case RC_FRAME_HELLO:
    case RC_FRAME_UNKNOWN:
    case RC_FRAME_WELCOME:
    case RC_FRAME_ERROR:
    case RC_FRAME_CREATED:
    case RC_FRAME_PAIRED:
    case RC_FRAME_LEFT:
    case RC_FRAME_PEER_LEFT:
    case RC_FRAME_RELAYED:
    default:
      ok = rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
      break;
    }

  return ok ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
}

/* Reads and answers frames until the connection is to end. */
static ServeResult
serve (RcConnection  *self,
       RcFrame      **close_frame)
{
  const RcServerLimits *limits = rc_server_get_limits (self->server);

  self->hello_deadline = g_get_monotonic_time () + limits->hello_timeout;
  self->tokens = limits->frame_burst;
  self->tokens_time = g_get_monotonic_time ();

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RcFrame) frame = NULL;
      g_autofree char *line = NULL;
      gsize length = 0;
      gint64 retry_after;
      ServeResult result;

      rc_timed_input_stream_set_deadline (RC_TIMED_INPUT_STREAM (self->input),
                                          self->authenticated ? self->last_frame + limits->idle_timeout
                                                              : self->hello_deadline);
      line = rc_frame_reader_read (self->reader, &length, self->cancellable, &error);

      if (g_atomic_int_get (&self->terminating))
        return close_with (self, close_frame, RC_PROTOCOL_ERROR_SHUTTING_DOWN);

      if (line == NULL)
        {
          if (error == NULL ||
              g_error_matches (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TRUNCATED))
            {
              g_info ("Connection %" G_GUINT64_FORMAT " closed by the client", self->id);
              return SERVE_CLOSE_QUIETLY;
            }
          if (g_error_matches (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TOO_LONG) ||
              g_error_matches (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_INVALID_UTF8))
            {
              g_info ("Connection %" G_GUINT64_FORMAT ": bad frame: %s", self->id, error->message);
              return close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_FRAME);
            }
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            {
              g_message ("Connection %" G_GUINT64_FORMAT " from %s: %s", self->id, self->address_text,
                         self->authenticated ? "no frame for too long, closed"
                                             : "no hello in time, closed");
              return SERVE_CLOSE;
            }
          g_info ("Connection %" G_GUINT64_FORMAT ": %s", self->id, error->message);
          return SERVE_CLOSE_QUIETLY;
        }

      self->last_frame = g_get_monotonic_time ();

      retry_after = take_token (self);
      if (retry_after > 0)
        {
          g_autoptr(RcFrame) limited = rc_frame_new_error (RC_PROTOCOL_ERROR_RATE_LIMITED, NULL);

          limited->retry_after = retry_after;
          if (!rc_connection_write (self, limited))
            return SERVE_CLOSE_QUIETLY;
          continue;
        }

      frame = rc_frame_parse (line, length, &error);
      if (frame == NULL)
        result = handle_parse_error (self, error, close_frame);
      else
        result = handle_frame (self, frame, close_frame);

      if (result != SERVE_CONTINUE)
        return result;
    }
}

/* Closing ----------------------------------------------------------------- */

/* Reads and throws away what the client still sends, for a moment, after
 * our side is closed: closing a socket with unread input makes the kernel
 * send a reset, and a reset can destroy the error frame before the client
 * reads it. */
static void
linger (RcConnection *self)
{
  const RcServerLimits *limits = rc_server_get_limits (self->server);
  gint64 deadline = g_get_monotonic_time () + limits->linger;
  gsize drained = 0;

  g_mutex_lock (&self->state_lock);
  if (!self->fd_closed)
    shutdown (g_socket_get_fd (self->socket), SHUT_WR);
  g_mutex_unlock (&self->state_lock);

  while (drained < DRAIN_LIMIT)
    {
      char buffer[4096];
      gint64 remaining = deadline - g_get_monotonic_time ();
      gssize n;

      if (remaining <= 0 ||
          !g_socket_condition_timed_wait (self->socket, G_IO_IN, remaining, NULL, NULL))
        break;

      n = g_socket_receive_with_blocking (self->socket, buffer, sizeof buffer, FALSE, NULL, NULL);
      if (n <= 0)
        break;
      drained += (gsize) n;
    }
}

static void
finish (RcConnection *self,
        RcFrame      *close_frame,
        gboolean      quietly)
{
  rc_connection_drop_room (self);

  if (self->admitted)
    {
      rc_server_release (self->server, self->address_key);
      self->admitted = FALSE;
    }

  g_mutex_lock (&self->write_lock);
  if (!self->write_closed && self->output != NULL)
    {
      if (close_frame != NULL && !quietly)
        rc_frame_write (self->output, close_frame, NULL, NULL);
      /* close_notify, without closing the socket yet */
      g_output_stream_close (self->output, NULL, NULL);
    }
  self->write_closed = TRUE;
  g_mutex_unlock (&self->write_lock);

  if (!quietly)
    linger (self);

  /* Under both locks: nobody writes to or shuts down a closed descriptor,
   * which the kernel may already have given to a new connection. */
  g_mutex_lock (&self->write_lock);
  g_mutex_lock (&self->state_lock);
  self->fd_closed = TRUE;
  g_io_stream_close (self->tls != NULL ? self->tls : G_IO_STREAM (self->socket_connection), NULL, NULL);
  g_mutex_unlock (&self->state_lock);
  g_mutex_unlock (&self->write_lock);

  if (self->name != NULL)
    g_message ("%s left (connection %" G_GUINT64_FORMAT " from %s closed)",
               self->name, self->id, self->address_text);
}

/**
 * rc_connection_run:
 *
 * Serves the connection from start to end, in the calling thread.
 */
void
rc_connection_run (RcConnection *self)
{
  g_autoptr(RcFrame) close_frame = NULL;
  ServeResult result;

  g_return_if_fail (RC_IS_CONNECTION (self));

  g_info ("Connection %" G_GUINT64_FORMAT " from %s", self->id, self->address_text);

  if (!handshake (self))
    {
      finish (self, NULL, TRUE);
      return;
    }

  result = serve (self, &close_frame);
  finish (self, close_frame, result == SERVE_CLOSE_QUIETLY);
}
