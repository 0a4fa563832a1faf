/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <gnutls/gnutls.h>

#include "rc-tls-session.h"

/* TLS 1.3 with GnuTLS directly on a connection's socket, in the thread
 * GThreadedSocketService gave the connection: no GTask machinery, no
 * second thread for a handshake, no poll() before every read.
 *
 * The socket is made blocking, with two timeouts of its own: a read waits
 * at most quiet_ms (then the caller gets G_IO_ERROR_WOULD_BLOCK and decides:
 * a connection quiet for that long is idle, gives its buffers back and
 * waits with rc_tls_session_wait_readable(), which holds no TLS buffer),
 * and a write waits at most write_timeout_s for the peer's TCP window. The
 * handshake runs to an absolute deadline, its steps without blocking on
 * the handshake pool (rc-handshake-pool.c), its waits in the caller.
 *
 * GnuTLS reads a record's header and its body separately; it reads here
 * from a buffer of the session's, filled by one recv() as far as the
 * socket has data, so that a message costs one system call to read. The
 * owner waits for data with rc_tls_session_wait_data(), which fills that
 * buffer, before it reads: GnuTLS takes a record buffer of 16 KiB for
 * every read it makes, and would hold it for as long as its read waits.
 * The session's buffer exists while the connection is lively
 * (rc_tls_session_release()).
 *
 * One thread reads and one writes at a time, which GnuTLS allows for a
 * session; the owner serialises writers. A peer's KeyUpdate is answered
 * by the next write, not by the reader. */

#define READ_BUFFER_SIZE 4096

struct _RcTlsSession
{
  GObject           parent_instance;

  /* Immutable after construction */
  GSocket          *socket;
  int               fd;
  guint             quiet_ms;

  /* The reader's */
  guint             read_timeout_ms;  /* the socket's SO_RCVTIMEO now */
  guint8           *buffer;           /* READ_BUFFER_SIZE; NULL while idle */
  gsize             buffered_start;
  gsize             buffered_end;
  gboolean          ended;            /* the peer closed: reads give 0 */

  /* Set by the handshake, before anyone else may use the session */
  gnutls_session_t  session;
  gboolean          nonblocking;      /* during a handshake step */
};

G_DEFINE_FINAL_TYPE (RcTlsSession, rc_tls_session, G_TYPE_OBJECT)

static void
rc_tls_session_finalize (GObject *object)
{
  RcTlsSession *self = RC_TLS_SESSION (object);

  g_clear_pointer (&self->session, gnutls_deinit);
  g_clear_pointer (&self->buffer, g_free);
  g_clear_object (&self->socket);

  G_OBJECT_CLASS (rc_tls_session_parent_class)->finalize (object);
}

static void
rc_tls_session_class_init (RcTlsSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_tls_session_finalize;
}

static void
rc_tls_session_init (RcTlsSession *self)
{
  self->fd = -1;
}

static void
set_timeout (int      fd,
             int      option,
             gint64   ms)
{
  struct timeval timeout = { (time_t) (ms / 1000), (suseconds_t) (ms % 1000) * 1000 };

  setsockopt (fd, SOL_SOCKET, option, &timeout, sizeof timeout);
}

/**
 * rc_tls_session_new:
 * @socket: the connection's socket; made blocking
 * @quiet_ms: how long one read waits before it gives up with
 *   %G_IO_ERROR_WOULD_BLOCK
 * @write_timeout_s: how long one write waits for the peer to read
 */
RcTlsSession *
rc_tls_session_new (GSocket *socket,
                    guint    quiet_ms,
                    guint    write_timeout_s)
{
  RcTlsSession *self;
  int flags;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  self = g_object_new (RC_TYPE_TLS_SESSION, NULL);
  self->socket = g_object_ref (socket);
  self->fd = g_socket_get_fd (socket);

  /* GSocket keeps its descriptor non-blocking and emulates blocking with
   * poll(); GnuTLS reads it directly. */
  flags = fcntl (self->fd, F_GETFL);
  if (flags >= 0)
    fcntl (self->fd, F_SETFL, flags & ~O_NONBLOCK);
  self->quiet_ms = self->read_timeout_ms = quiet_ms;
  set_timeout (self->fd, SO_RCVTIMEO, quiet_ms);
  set_timeout (self->fd, SO_SNDTIMEO, (gint64) write_timeout_s * 1000);

  return self;
}

/**
 * rc_tls_session_wait_readable:
 * @deadline: monotonic time to give up at
 * @wake: (nullable): ends the wait when cancelled
 *
 * Waits until the socket has something to read (or has ended). Fails with
 * %G_IO_ERROR_TIMED_OUT at @deadline and %G_IO_ERROR_CANCELLED when @wake
 * is cancelled.
 */
gboolean
rc_tls_session_wait_readable (RcTlsSession  *self,
                              gint64         deadline,
                              GCancellable  *wake,
                              GError       **error)
{
  for (;;)
    {
      struct pollfd fds[2];
      GPollFD wake_fd;
      nfds_t n_fds = 1;
      gint64 remaining = deadline - g_get_monotonic_time ();
      int result;

      if (g_cancellable_set_error_if_cancelled (wake, error))
        return FALSE;
      if (remaining <= 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timed out");
          return FALSE;
        }

      fds[0].fd = self->fd;
      fds[0].events = POLLIN;
      fds[0].revents = 0;
      if (wake != NULL && g_cancellable_make_pollfd (wake, &wake_fd))
        {
          fds[1].fd = wake_fd.fd;
          fds[1].events = POLLIN;
          fds[1].revents = 0;
          n_fds = 2;
        }

      result = poll (fds, n_fds, (int) MIN ((remaining + 999) / 1000, G_MAXINT));
      if (n_fds == 2)
        g_cancellable_release_fd (wake);

      if (result > 0 && fds[0].revents != 0)
        return TRUE;
      if (result < 0 && errno != EINTR)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "poll: %s",
                       g_strerror (saved_errno));
          return FALSE;
        }
    }
}

/* GnuTLS's push function: one sendmsg() of a record's pieces. */
static ssize_t
push (gnutls_transport_ptr_t  transport,
      const giovec_t         *iov,
      int                     iovcnt)
{
  RcTlsSession *self = transport;
  struct msghdr message = { 0 };
  ssize_t n;

  message.msg_iov = (struct iovec *) iov;
  message.msg_iovlen = (size_t) iovcnt;
  n = sendmsg (self->fd, &message, MSG_NOSIGNAL | (self->nonblocking ? MSG_DONTWAIT : 0));
  if (n < 0)
    gnutls_transport_set_errno (self->session, errno);
  return n;
}

/* GnuTLS's pull function: what is buffered, or one blocking recv(). */
static ssize_t
pull (gnutls_transport_ptr_t  transport,
      void                   *data,
      size_t                  size)
{
  RcTlsSession *self = transport;
  gsize available;

  if (self->buffered_start == self->buffered_end)
    {
      ssize_t n;

      if (self->ended)
        return 0;
      if (self->buffer == NULL)
        self->buffer = g_malloc (READ_BUFFER_SIZE);
      n = recv (self->fd, self->buffer, READ_BUFFER_SIZE, self->nonblocking ? MSG_DONTWAIT : 0);
      if (n <= 0)
        {
          gnutls_transport_set_errno (self->session, n < 0 ? errno : 0);
          return n;
        }
      self->buffered_start = 0;
      self->buffered_end = (gsize) n;
    }

  available = MIN (size, self->buffered_end - self->buffered_start);
  memcpy (data, self->buffer + self->buffered_start, available);
  self->buffered_start += available;
  return (ssize_t) available;
}

/* Used by GnuTLS only if it ever waits with a timeout itself. */
static int
pull_timeout (gnutls_transport_ptr_t transport,
              unsigned int           ms)
{
  RcTlsSession *self = transport;
  struct pollfd pfd = { self->fd, POLLIN, 0 };

  if (self->buffered_start < self->buffered_end)
    return 1;
  return poll (&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int) MIN (ms, (unsigned int) G_MAXINT));
}

/**
 * rc_tls_session_release:
 *
 * Gives the read buffer back while it holds nothing; the next read takes
 * a new one.
 */
void
rc_tls_session_release (RcTlsSession *self)
{
  g_return_if_fail (RC_IS_TLS_SESSION (self));

  if (self->buffered_start == self->buffered_end)
    g_clear_pointer (&self->buffer, g_free);
}

static void
set_tls_error (GError     **error,
               int          ret,
               const char  *what)
{
  if (ret == GNUTLS_E_AGAIN)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s: timed out", what);
  else
    g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC, "%s: %s", what, gnutls_strerror (ret));
}

static gboolean
wait_writable (RcTlsSession  *self,
               gint64         deadline,
               GCancellable  *wake,
               GError       **error)
{
  struct pollfd pfd = { self->fd, POLLOUT, 0 };
  gint64 remaining = deadline - g_get_monotonic_time ();

  if (g_cancellable_set_error_if_cancelled (wake, error))
    return FALSE;
  if (remaining > 0)
    poll (&pfd, 1, (int) MIN ((remaining + 999) / 1000, G_MAXINT));
  return TRUE;
}

typedef struct
{
  RcTlsSession *self;
  int           result;
} Step;

/* On a thread of the handshake pool: what the bytes received allow. */
static void
handshake_step (gpointer data,
                gpointer user_data)
{
  Step *step = data;

  step->result = gnutls_handshake (step->self->session);
}

/**
 * rc_tls_session_handshake:
 * @pool: (nullable): where the handshake's CPU work runs; %NULL for here
 * @deadline: monotonic time by which the whole handshake must be done
 * @wake: (nullable): ends the handshake when cancelled
 *
 * Runs the server side of a TLS 1.3 handshake. Its steps run on @pool, and
 * never wait there; the waits for the peer happen in the calling thread.
 */
gboolean
rc_tls_session_handshake (RcTlsSession      *self,
                          RcTlsCredentials  *credentials,
                          RcHandshakePool   *pool,
                          gint64             deadline,
                          GCancellable      *wake,
                          GError           **error)
{
  int ret;

  g_return_val_if_fail (RC_IS_TLS_SESSION (self), FALSE);
  g_return_val_if_fail (self->session == NULL, FALSE);

  ret = gnutls_init (&self->session, GNUTLS_SERVER);
  if (ret < 0)
    {
      set_tls_error (error, ret, "Cannot start TLS");
      return FALSE;
    }
  if (!rc_tls_credentials_set_up (credentials, self->session, error))
    return FALSE;
  gnutls_transport_set_ptr (self->session, self);
  gnutls_transport_set_pull_function (self->session, pull);
  gnutls_transport_set_pull_timeout_function (self->session, pull_timeout);
  /* Writes go straight to the socket, as GnuTLS's own push does. */
  gnutls_transport_set_vec_push_function (self->session, push);
  /* Our deadline, not GnuTLS's, which would poll before every read. */
  gnutls_handshake_set_timeout (self->session, 0);

  for (;;)
    {
      Step step = { self, 0 };
      gboolean waited;

      self->nonblocking = TRUE;
      if (pool != NULL)
        rc_handshake_pool_run (pool, handshake_step, &step);
      else
        handshake_step (&step, NULL);
      self->nonblocking = FALSE;
      ret = step.result;

      if (ret == GNUTLS_E_SUCCESS)
        break;
      if (ret != GNUTLS_E_AGAIN && ret != GNUTLS_E_INTERRUPTED && gnutls_error_is_fatal (ret))
        {
          set_tls_error (error, ret, "TLS handshake failed");
          return FALSE;
        }

      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "The TLS handshake took too long");
          return FALSE;
        }
      if (ret != GNUTLS_E_AGAIN)
        continue;

      if (gnutls_record_get_direction (self->session) == 1)
        waited = wait_writable (self, deadline, wake, error);
      else
        {
          g_autoptr(GError) wait_error = NULL;

          waited = rc_tls_session_wait_readable (self, deadline, wake, &wait_error);
          if (!waited && g_error_matches (wait_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                   "The TLS handshake took too long");
              return FALSE;
            }
          if (!waited)
            g_propagate_error (error, g_steal_pointer (&wait_error));
        }
      if (!waited)
        return FALSE;
    }

  if (gnutls_protocol_get_version (self->session) != GNUTLS_TLS1_3)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC, "A TLS version older than 1.3");
      return FALSE;
    }

  return TRUE;
}

/* A read waits quiet_ms at most, or until @deadline when that is sooner;
 * the socket's timeout changes only near a deadline. */
static void
set_read_timeout (RcTlsSession *self,
                  gint64        deadline)
{
  guint timeout_ms = self->quiet_ms;

  if (deadline != G_MAXINT64)
    {
      gint64 remaining = deadline - g_get_monotonic_time ();

      if (remaining < (gint64) self->quiet_ms * 1000)
        timeout_ms = (guint) CLAMP ((remaining + 999) / 1000, 1, (gint64) self->quiet_ms);
    }
  if (timeout_ms != self->read_timeout_ms)
    {
      set_timeout (self->fd, SO_RCVTIMEO, timeout_ms);
      self->read_timeout_ms = timeout_ms;
    }
}

/**
 * rc_tls_session_wait_data:
 * @deadline: monotonic time the wait must not go past, or G_MAXINT64
 *
 * Waits for something to read: bytes from the socket in the session's
 * buffer, or text GnuTLS has decrypted already, or the end of the stream.
 * Fails with %G_IO_ERROR_WOULD_BLOCK when nothing came for quiet_ms or
 * until @deadline.
 */
gboolean
rc_tls_session_wait_data (RcTlsSession  *self,
                          gint64         deadline,
                          GError       **error)
{
  g_return_val_if_fail (RC_IS_TLS_SESSION (self), FALSE);

  if (self->ended || self->buffered_start < self->buffered_end ||
      gnutls_record_check_pending (self->session) > 0)
    return TRUE;

  set_read_timeout (self, deadline);
  if (self->buffer == NULL)
    self->buffer = g_malloc (READ_BUFFER_SIZE);

  for (;;)
    {
      ssize_t n = recv (self->fd, self->buffer, READ_BUFFER_SIZE, 0);

      if (n > 0)
        {
          self->buffered_start = 0;
          self->buffered_end = (gsize) n;
          return TRUE;
        }
      if (n == 0)
        {
          self->ended = TRUE;
          return TRUE;
        }
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)  /* EWOULDBLOCK on Linux */
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Nothing to read for now");
          return FALSE;
        }
      {
        int saved_errno = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "recv: %s", g_strerror (saved_errno));
        return FALSE;
      }
    }
}

/**
 * rc_tls_session_read:
 * @deadline: monotonic time the read must not wait past, or G_MAXINT64
 *
 * Reads what the peer sent, up to @size bytes. Returns the number of bytes,
 * 0 at the end of the stream (with or without close_notify), or -1 with
 * @error set: %G_IO_ERROR_WOULD_BLOCK when nothing came for quiet_ms or
 * until @deadline, in which case the next read goes on where this one
 * stopped.
 */
gssize
rc_tls_session_read (RcTlsSession  *self,
                     void          *buffer,
                     gsize          size,
                     gint64         deadline,
                     GError       **error)
{
  set_read_timeout (self, deadline);

  for (;;)
    {
      ssize_t n = gnutls_record_recv (self->session, buffer, size);

      if (n >= 0)
        return n;

      switch (n)
        {
        case GNUTLS_E_INTERRUPTED:
        case GNUTLS_E_WARNING_ALERT_RECEIVED:
          continue;

        case GNUTLS_E_AGAIN:
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Nothing to read for now");
          return -1;

        case GNUTLS_E_PREMATURE_TERMINATION:
          /* Closed without close_notify: ended all the same. */
          return 0;

        default:
          set_tls_error (error, (int) n, "TLS");
          return -1;
        }
    }
}

/**
 * rc_tls_session_write_all:
 *
 * Writes all of @data. The caller is the session's only writer at the
 * time. A write that fails or times out leaves the session unusable.
 */
gboolean
rc_tls_session_write_all (RcTlsSession  *self,
                          const void    *data,
                          gsize          size,
                          GError       **error)
{
  const char *p = data;

  while (size > 0)
    {
      ssize_t n = gnutls_record_send (self->session, p, size);

      if (n == GNUTLS_E_INTERRUPTED)
        continue;
      if (n < 0)
        {
          set_tls_error (error, (int) n, "Write");
          return FALSE;
        }
      p += n;
      size -= (gsize) n;
    }

  return TRUE;
}

/**
 * rc_tls_session_write_two:
 *
 * Writes @first then @second, in as few TLS records as they fit in: one
 * system call for both when they are small.
 */
gboolean
rc_tls_session_write_two (RcTlsSession  *self,
                          const void    *first,
                          gsize          first_size,
                          const void    *second,
                          gsize          second_size,
                          GError       **error)
{
  const char *p = second;
  ssize_t n;

  g_return_val_if_fail (RC_IS_TLS_SESSION (self), FALSE);

  gnutls_record_cork (self->session);
  n = gnutls_record_send (self->session, first, first_size);
  while (n >= 0 && second_size > 0)
    {
      n = gnutls_record_send (self->session, p, second_size);
      if (n > 0)
        {
          p += n;
          second_size -= (gsize) n;
        }
    }
  /* Not GNUTLS_RECORD_WAIT, which retries a timed-out write for ever. */
  if (n >= 0)
    do
      n = gnutls_record_uncork (self->session, 0);
    while (n == GNUTLS_E_INTERRUPTED);

  if (n < 0)
    {
      set_tls_error (error, (int) n, "Write");
      return FALSE;
    }
  return TRUE;
}

/* Sends close_notify (bounded by the write timeout); reading stays open. */
void
rc_tls_session_close_notify (RcTlsSession *self)
{
  int ret;

  g_return_if_fail (RC_IS_TLS_SESSION (self));

  if (self->session == NULL)
    return;

  do
    ret = gnutls_bye (self->session, GNUTLS_SHUT_WR);
  while (ret == GNUTLS_E_INTERRUPTED);
}
