/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <errno.h>

#include "rc-timed-input-stream.h"

/* Blocking reads with a deadline, for a connection's own thread. It reads
 * the TLS stream without blocking and, when nothing is there, waits for the
 * socket to become readable until the deadline. So a connection sleeps in
 * poll() with no periodic wake-up, times out exactly (hello within 10 s, a
 * frame within 90 s), and its socket's own timeout stays free to bound the
 * writes other threads make to it. Cancelling the cancellable wakes the
 * wait at once without touching the TLS session, which can then still
 * write a last frame. The wait polls one cancellable shared by all
 * connections (cancelled at shutdown), so an idle connection costs one file
 * descriptor, its socket; the connection's own cancellable is checked on
 * waking.
 *
 * Only the connection's own thread uses this object. */

struct _RcTimedInputStream
{
  GInputStream          parent_instance;

  /* Owned */
  GPollableInputStream *base;
  GSocket              *socket;
  GCancellable         *wake;      /* shared by all connections: one descriptor */

  gint64                deadline;   /* monotonic time; G_MAXINT64 for none */
};

G_DEFINE_FINAL_TYPE (RcTimedInputStream, rc_timed_input_stream, G_TYPE_INPUT_STREAM)

/* g_socket_condition_timed_wait() would stop at the socket's own timeout,
 * which bounds writes here; so poll the socket and the cancellable. */
static gboolean
wait_readable (RcTimedInputStream  *self,
               gint64               remaining,
               GCancellable        *cancellable,
               GError             **error)
{
  GPollFD fds[2];
  guint n_fds = 1;
  int timeout_ms = remaining < 0 ? -1 : (int) MIN ((remaining + 999) / 1000, G_MAXINT);
  int result;

  fds[0].fd = g_socket_get_fd (self->socket);
  fds[0].events = G_IO_IN | G_IO_HUP | G_IO_ERR;
  fds[0].revents = 0;
  if (g_cancellable_make_pollfd (self->wake, &fds[1]))
    n_fds++;

  do
    result = g_poll (fds, n_fds, timeout_ms);
  while (result < 0 && errno == EINTR);

  if (n_fds > 1)
    g_cancellable_release_fd (self->wake);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      g_cancellable_set_error_if_cancelled (self->wake, error))
    return FALSE;

  /* On a timeout the caller checks its deadline. */
  return TRUE;
}

static gssize
rc_timed_input_stream_read (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  RcTimedInputStream *self = RC_TIMED_INPUT_STREAM (stream);

  for (;;)
    {
      GError *local_error = NULL;
      gssize n_read;
      gint64 remaining;

      n_read = g_pollable_input_stream_read_nonblocking (self->base, buffer, count,
                                                         cancellable, &local_error);
      if (n_read >= 0 || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          if (local_error != NULL)
            g_propagate_error (error, local_error);
          return n_read;
        }
      g_clear_error (&local_error);

      remaining = self->deadline == G_MAXINT64 ? -1 : self->deadline - g_get_monotonic_time ();
      if (self->deadline != G_MAXINT64 && remaining <= 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timed out");
          return -1;
        }

      if (!wait_readable (self, remaining, cancellable, error))
        return -1;
    }
}

static gboolean
rc_timed_input_stream_close (GInputStream  *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  /* The connection closes the TLS stream itself. */
  return TRUE;
}

static void
rc_timed_input_stream_finalize (GObject *object)
{
  RcTimedInputStream *self = RC_TIMED_INPUT_STREAM (object);

  g_clear_object (&self->base);
  g_clear_object (&self->socket);
  g_clear_object (&self->wake);

  G_OBJECT_CLASS (rc_timed_input_stream_parent_class)->finalize (object);
}

static void
rc_timed_input_stream_class_init (RcTimedInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = rc_timed_input_stream_finalize;
  stream_class->read_fn = rc_timed_input_stream_read;
  stream_class->close_fn = rc_timed_input_stream_close;
}

static void
rc_timed_input_stream_init (RcTimedInputStream *self)
{
  self->deadline = G_MAXINT64;
}

/**
 * rc_timed_input_stream_new:
 * @base: the TLS connection's input stream
 * @socket: the socket under it
 * @wake: a cancellable that ends every wait, shared by many streams so
 *   that a waiting connection holds no descriptor of its own for it
 */
GInputStream *
rc_timed_input_stream_new (GPollableInputStream *base,
                           GSocket              *socket,
                           GCancellable         *wake)
{
  RcTimedInputStream *self;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (base), NULL);
  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  self = g_object_new (RC_TYPE_TIMED_INPUT_STREAM, NULL);
  self->base = g_object_ref (base);
  self->socket = g_object_ref (socket);
  self->wake = g_object_ref (wake);

  return G_INPUT_STREAM (self);
}

/**
 * rc_timed_input_stream_set_deadline:
 * @deadline: a g_get_monotonic_time() value, or G_MAXINT64 for none
 *
 * Reads from now on fail with %G_IO_ERROR_TIMED_OUT once @deadline passes.
 */
void
rc_timed_input_stream_set_deadline (RcTimedInputStream *self,
                                    gint64              deadline)
{
  g_return_if_fail (RC_IS_TIMED_INPUT_STREAM (self));

  self->deadline = deadline;
}
