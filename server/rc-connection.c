/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

#include "rc-connection-private.h"
#include "rc-tls-input-stream.h"
#include "rc-tsan.h"

/* The life of one connection, all of it in the thread GThreadedSocketService
 * gave it: wait for the first byte, TLS 1.3 handshake, hello, then frames
 * until one side ends it; then the error frame if there is one,
 * close_notify, and a short linger so that the client reads the error
 * rather than a reset.
 *
 * The way of a message is kept short: the reader hands out the line in
 * place, the frame and its checker are reused, the ciphertext stays the
 * base64 text that came in, and the frame for the peer is built in a
 * buffer kept while the chat is lively. A connection quiet for QUIET_MS
 * gives its buffers back and waits for its socket without holding a TLS
 * buffer either, so thousands of idle ones cost little.
 *
 * "relayed" waits a moment to go out in one TLS record with whatever the
 * author is sent next, the peer's answer most often: every write to the
 * connection sends it first, and the connection's own thread sends it
 * alone when its read has waited QUIET_MS for nothing. A write and a
 * wakeup less per message; the order of frames is the same. QUIET_MS is
 * short enough that a person does not see "delivered" late, and long
 * enough for a busy server's answers to catch it.
 *
 * Other threads touch a connection only through its write lock (its peer
 * relaying, telling it the peer left) and through rc_connection_kill() and
 * rc_connection_terminate(), which wake its reader: by shutting the socket
 * down (the connection is dropped) or, at shutdown, by the flag it checks
 * when its read stops (at most QUIET_MS later). */

#define QUIET_MS 100   /* the longest a relayed waits, and a quiet connection before it goes idle */
#define DRAIN_LIMIT (256 * 1024)

G_DEFINE_FINAL_TYPE (RcConnection, rc_connection, G_TYPE_OBJECT)

static void
rc_connection_finalize (GObject *object)
{
  RcConnection *self = RC_CONNECTION (object);

  g_clear_object (&self->reader);
  g_clear_object (&self->input);
  g_clear_object (&self->tls);
  g_clear_object (&self->socket_connection);
  g_clear_pointer (&self->checker, rc_json_checker_free);
  rc_frame_clear (&self->frame);
  if (self->out != NULL)
    g_string_free (self->out, TRUE);
  g_clear_pointer (&self->context, rc_server_context_unref);
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
  rc_frame_init (&self->frame, RC_FRAME_UNKNOWN);
}

/**
 * rc_connection_new:
 * @address_text: the client's address, as the statistics show it
 * @address_key: the address or prefix limits and blocks apply to
 *
 * A connection just accepted, that has its place (rc_admission_open()).
 */
RcConnection *
rc_connection_new (RcServerContext   *context,
                   GSocketConnection *connection,
                   const char        *address_text,
                   const char        *address_key,
                   guint64            id)
{
  RcConnection *self;

  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);

  self = g_object_new (RC_TYPE_CONNECTION, NULL);
  self->context = rc_server_context_ref (context);
  self->socket_connection = g_object_ref (connection);
  self->socket = g_socket_connection_get_socket (connection);
  self->address_text = g_strdup (address_text);
  self->address_key = g_strdup (address_key);
  self->id = id;
  self->accepted_at = g_get_monotonic_time ();

  return self;
}

/* Writing ----------------------------------------------------------------- */

void
rc_connection_lock_writes (RcConnection *self)
{
  g_mutex_lock (&self->write_lock);
}

void
rc_connection_unlock_writes (RcConnection *self)
{
  g_mutex_unlock (&self->write_lock);
}

/* Two connections' write locks, in the order of the lock order: the lower
 * id first, so that two relays the other way round cannot deadlock. */
void
rc_connection_lock_writes_pair (RcConnection *self,
                                RcConnection *other)
{
  RcConnection *first = self->id < other->id ? self : other;
  RcConnection *second = first == self ? other : self;

  g_mutex_lock (&first->write_lock);
  g_mutex_lock (&second->write_lock);
}

void
rc_connection_unlock_writes_pair (RcConnection *self,
                                  RcConnection *other)
{
  g_mutex_unlock (&self->write_lock);
  g_mutex_unlock (&other->write_lock);
}

/**
 * rc_connection_write_line_locked:
 *
 * Writes an encoded frame; the caller holds the write lock. A write that
 * fails or waits longer than the write timeout ends the connection: the
 * stream is broken in the middle of a TLS record, and a client that does
 * not read is dropped, not waited for.
 */
gboolean
rc_connection_write_line_locked (RcConnection *self,
                                 const char   *line,
                                 gsize         length)
{
  g_autoptr(GError) error = NULL;
  char relayed[sizeof self->relayed];
  gsize relayed_length = 0;
  gboolean written;

  if (self->write_closed || self->tls == NULL)
    return FALSE;

  if (self->relayed_length > 0)
    {
      relayed_length = self->relayed_length;
      memcpy (relayed, self->relayed, relayed_length);
      self->relayed_length = 0;
      g_atomic_int_set (&self->relayed_waiting, FALSE);
    }

  if (relayed_length > 0 && length > 0)
    written = rc_tls_session_write_two (self->tls, relayed, relayed_length, line, length, &error);
  else if (relayed_length > 0)
    written = rc_tls_session_write_all (self->tls, relayed, relayed_length, &error);
  else
    written = rc_tls_session_write_all (self->tls, line, length, &error);

  if (!written)
    {
      g_debug ("Connection %" G_GUINT64_FORMAT ": write failed: %s", self->id, error->message);
      self->write_closed = TRUE;
      rc_connection_kill (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * rc_connection_queue_relayed:
 * @line: a "relayed" frame, encoded
 *
 * Has @line sent before the next frame written to the connection, or by
 * the connection's own thread after QUIET_MS. The caller holds the write
 * lock, from before the message was written to the peer: nothing the peer
 * sends in answer can come first.
 */
void
rc_connection_queue_relayed (RcConnection *self,
                             const char   *line,
                             gsize         length)
{
  if (self->write_closed)
    return;

  /* One waits at most: the author's next message needs the peer's answer
   * first, and writing that answer sends this one. */
  g_assert (self->relayed_length + length <= sizeof self->relayed);
  memcpy (self->relayed + self->relayed_length, line, length);
  self->relayed_length += length;
  g_atomic_int_set (&self->relayed_waiting, TRUE);
}

/* The connection's own thread: sends the waiting relayed once it has
 * waited long enough. Returns FALSE when the connection cannot be written. */
static gboolean
flush_relayed (RcConnection *self)
{
  gboolean ok = TRUE;

  g_mutex_lock (&self->write_lock);
  if (g_atomic_int_get (&self->relayed_waiting))
    ok = rc_connection_write_line_locked (self, "", 0);
  g_mutex_unlock (&self->write_lock);

  return ok;
}

gboolean
rc_connection_write_frame_locked (RcConnection  *self,
                                  const RcFrame *frame)
{
  g_autofree char *line = NULL;
  gsize length = 0;

  line = rc_frame_to_line (frame, &length);
  return rc_connection_write_line_locked (self, line, length);
}

gboolean
rc_connection_write_frame (RcConnection  *self,
                           const RcFrame *frame)
{
  gboolean written;

  g_mutex_lock (&self->write_lock);
  written = rc_connection_write_frame_locked (self, frame);
  g_mutex_unlock (&self->write_lock);

  return written;
}

gboolean
rc_connection_write_error (RcConnection    *self,
                           RcProtocolError  code)
{
  g_autoptr(RcFrame) frame = rc_frame_new_error (code, NULL);

  return rc_connection_write_frame (self, frame);
}

static gboolean
write_static_line (RcConnection *self,
                   const char   *line)
{
  gboolean written;

  g_mutex_lock (&self->write_lock);
  written = rc_connection_write_line_locked (self, line, strlen (line));
  g_mutex_unlock (&self->write_lock);

  return written;
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
}

/**
 * rc_connection_terminate:
 *
 * Any thread: asks the connection to end because the server is shutting
 * down. Its reader notices when its read stops (waits are woken by the
 * server's wake cancellable) and writes shutting-down before it closes.
 */
void
rc_connection_terminate (RcConnection *self)
{
  g_return_if_fail (RC_IS_CONNECTION (self));

  g_atomic_int_set (&self->terminating, TRUE);
}

/* The protocol version the connection logged in with (1 before). */
gint64
rc_connection_get_version (RcConnection *self)
{
  return MAX (self->version, 1);
}

const char *
rc_connection_get_address_key (RcConnection *self)
{
  return self->address_key;
}

RcServerContext *
rc_connection_get_context (RcConnection *self)
{
  return self->context;
}

gboolean
rc_connection_write_line (RcConnection *self,
                          const char   *line,
                          gsize         length)
{
  gboolean written;

  g_mutex_lock (&self->write_lock);
  written = rc_connection_write_line_locked (self, line, length);
  g_mutex_unlock (&self->write_lock);

  return written;
}

const char *
rc_connection_get_name (RcConnection *self)
{
  return self->name;
}

/* Returns: (transfer full) (nullable): the connection's room */
static RcRoom *
get_room (RcConnection *self)
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
handshake (RcConnection *self)
{
  const RcServerContext *context = self->context;
  gint64 deadline = self->accepted_at + context->limits.hello_timeout;
  g_autoptr(GError) error = NULL;

  g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  self->tls = rc_tls_session_new (self->socket, QUIET_MS, context->limits.write_timeout);

  /* A client that connects and says nothing holds nothing of TLS. */
  if (!rc_tls_session_wait_readable (self->tls, deadline, context->wake, &error))
    {
      g_debug ("Connection %" G_GUINT64_FORMAT " from %s sent nothing: %s",
              self->id, self->address_text, error->message);
      return FALSE;
    }
  if (g_atomic_int_get (&self->terminating))
    return FALSE;

  /* The whole handshake within the same deadline: a client sending its
   * hello a byte at a time holds its place for that long at most. */
  if (!rc_tls_session_handshake (self->tls, context->credentials, context->handshakes, deadline, context->wake, &error))
    {
      g_debug ("Connection %" G_GUINT64_FORMAT " from %s: %s", self->id, self->address_text, error->message);
      return FALSE;
    }

  self->input = rc_tls_input_stream_new (self->tls);
  self->reader = rc_frame_reader_new (self->input);
  rc_frame_reader_set_check_utf8 (self->reader, FALSE);
  self->checker = rc_json_checker_new ();
  return TRUE;
}

/* Rate limit -------------------------------------------------------------- */

/* A token bucket per connection: frame_rate frames a second, frame_burst at
 * once. Returns the seconds to wait when the bucket is empty, 0 otherwise. */
static gint64
take_token (RcConnection *self,
            gint64        now)
{
  const RcServerLimits *limits = &self->context->limits;

  self->tokens = MIN (limits->frame_burst,
                      self->tokens + (double) (now - self->tokens_time) / G_USEC_PER_SEC * limits->frame_rate);
  self->tokens_time = now;

  if (self->tokens < 1.0)
    return MAX ((gint64) ceil ((1.0 - self->tokens) / limits->frame_rate), 1);

  self->tokens -= 1.0;
  return 0;
}

/* Frames ------------------------------------------------------------------ */

/* sent_at of a relayed message (docs/protocol.md 3.3): formatted once a
 * second, not per message. */
static const char *
sent_at_now (RcConnection *self)
{
  gint64 second = g_get_real_time () / G_USEC_PER_SEC;

  if (second != self->sent_at_second)
    {
      time_t t = (time_t) second;
      struct tm tm;

      gmtime_r (&t, &tm);
      strftime (self->sent_at, sizeof self->sent_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
      self->sent_at_second = second;
    }
  return self->sent_at;
}

static gboolean
relay (RcConnection *self,
       RcFrame      *frame)
{
  g_autoptr(RcRoom) room = get_room (self);
  gboolean relayed = FALSE;
  gboolean ok;

  if (room == NULL)
    return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);

  /* The frame for the peer, built before the room is locked: the frame
   * received plus sent_at, its ciphertext the text that came in. The
   * frame borrows sent_at for as long as this takes. */
  if (self->out == NULL)
    self->out = g_string_sized_new (512);
  g_string_truncate (self->out, 0);
  frame->sent_at = (char *) sent_at_now (self);
  rc_frame_append_line (frame, self->out);
  frame->sent_at = NULL;

  ok = rc_room_relay (room, self, frame->seq, frame->ciphertext_size, self->out->str, self->out->len, &relayed);
  if (relayed)
    {
      /* Messages the turns allow cost no token: the peer's answers bound
       * them already. */
      self->tokens += 1.0;
      rc_statistics_add_relay (self->context->statistics, frame->ciphertext_size);
    }
  return ok;
}

static gboolean
create_room (RcConnection *self,
             RcFrame      *frame)
{
  g_autoptr(RcRoom) room = rc_room_create (self->context->registry, self, self->name, &frame->keys);

  return room != NULL;
}

static gboolean
join_room (RcConnection *self,
           RcFrame      *frame)
{
  g_autoptr(RcRoom) room = rc_room_registry_lookup (self->context->registry, frame->room);

  if (room == NULL)
    return rc_connection_write_error (self, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
  return rc_room_join (room, self, self->name, &frame->keys, NULL);
}

static gboolean
resume_room (RcConnection *self,
             RcFrame      *frame)
{
  g_autoptr(RcRoom) room = rc_room_registry_lookup (self->context->registry, frame->room);
  gboolean resumed = FALSE;
  gboolean ok;

  if (room == NULL)
    return rc_connection_write_error (self, RC_PROTOCOL_ERROR_RESUME_FAILED);
  ok = rc_room_resume (room, self, frame->resume_token, frame->received, &resumed);
  if (resumed)
    self->resume_only = FALSE;
  return ok;
}

static gboolean
leave_room (RcConnection *self)
{
  g_autoptr(RcRoom) room = get_room (self);

  if (room == NULL)
    return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
  return rc_room_leave (room, self);
}

/* In the lobby only: a frame a client in a room may not send. */
static gboolean
in_lobby (RcConnection *self)
{
  gboolean lobby;

  g_mutex_lock (&self->state_lock);
  lobby = self->room == NULL;
  g_mutex_unlock (&self->state_lock);

  return lobby;
}

ServeResult
_rc_connection_close_with (RcConnection     *self,
                           RcFrame         **close_frame,
                           RcProtocolError   code)
{
  *close_frame = rc_frame_new_error (code, NULL);
  return SERVE_CLOSE;
}

/* A frame that could not be parsed. */
static ServeResult
handle_parse_error (RcConnection  *self,
                    GError        *error,
                    RcFrame      **close_frame)
{
  RcBlockList *blocks = self->context->blocks;
  gint64 retry_after = 0;

  if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_NAME) && !self->authenticated)
    {
      /* A blocked address learns nothing but that it is blocked. */
      if (rc_block_list_is_blocked (blocks, self->address_key, &retry_after))
        {
          _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_BLOCKED);
          (*close_frame)->retry_after = retry_after;
          return SERVE_CLOSE;
        }
      /* No failure is counted and the client may say hello again, within
       * the same ten seconds. */
      return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_NAME) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
    }

  if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_RESUME_FAILED))
    {
      /* A resume of an id no room can have: from the lobby of a version 2
       * connection, it fails like any other. */
      if (!self->authenticated)
        return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_STATE);
      return rc_connection_write_error (self, self->version >= 2 && in_lobby (self)
                                                ? RC_PROTOCOL_ERROR_RESUME_FAILED
                                                : RC_PROTOCOL_ERROR_BAD_STATE) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
    }

  if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_NAME) ||
      g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM))
    {
      if (!self->authenticated)
        return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_STATE);
      /* A join with an id no room can have, from the lobby. */
      if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM) && in_lobby (self))
        return rc_connection_write_error (self, RC_PROTOCOL_ERROR_NO_SUCH_ROOM) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
      return rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
    }

  g_debug ("Connection %" G_GUINT64_FORMAT ": bad frame: %s", self->id, error->message);
  return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_FRAME);
}

static ServeResult
handle_frame (RcConnection  *self,
              RcFrame       *frame,
              RcFrame      **close_frame)
{
  gboolean ok = TRUE;

  if (!self->authenticated)
    {
      if (frame->type != RC_FRAME_HELLO)
        return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_STATE);
      return _rc_connection_handle_hello (self, frame, close_frame);
    }

  /* Let in over the limits only to resume its seat (docs/protocol.md 3.6). */
  if (self->resume_only && frame->type != RC_FRAME_RESUME && frame->type != RC_FRAME_PING)
    return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_SERVER_FULL);

  switch (frame->type)
    {
    case RC_FRAME_MESSAGE:
      ok = relay (self, frame);
      break;

    case RC_FRAME_RESUME:
      /* Version 2 only; a version 1 client gets what an unknown type gets. */
      ok = self->version >= 2 && in_lobby (self) ? resume_room (self, frame)
                                                 : rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
      break;

    case RC_FRAME_PING:
      ok = write_static_line (self, "{\"type\":\"pong\"}\n");
      break;

    case RC_FRAME_PONG:
      /* An answer to nothing the server asked; it still shows the client
       * is alive. */
      break;

    case RC_FRAME_CREATE:
      ok = in_lobby (self) ? create_room (self, frame)
                           : rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
      break;

    case RC_FRAME_JOIN:
      ok = in_lobby (self) ? join_room (self, frame)
                           : rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
      break;

    case RC_FRAME_LEAVE:
      ok = leave_room (self);
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
    case RC_FRAME_RESUMED:
    case RC_FRAME_PEER_AWAY:
    case RC_FRAME_PEER_BACK:
    default:
      ok = rc_connection_write_error (self, RC_PROTOCOL_ERROR_BAD_STATE);
      break;
    }

  return ok ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
}

/* Gives back the part of this thread's stack below the current frame:
 * what the deepest calls so far (GnuTLS, logging) touched stays resident
 * otherwise, for as long as the connection lives, a few pages each for
 * thousands of idle connections. The kernel gives zeroed pages back when
 * the stack grows there again. */
static void
release_stack_below (void)
{
  /* What the wait calls after this uses: a poll(). */
  static const gsize margin = 512;
  pthread_attr_t attr;
  void *low = NULL;
  gsize size = 0;
  guintptr page = (guintptr) sysconf (_SC_PAGESIZE);
  guintptr here = (guintptr) __builtin_frame_address (0);
  guintptr start;
  guintptr end;

  if (pthread_getattr_np (pthread_self (), &attr) != 0)
    return;
  pthread_attr_getstack (&attr, &low, &size);
  pthread_attr_destroy (&attr);

  start = ((guintptr) low + page - 1) & ~(page - 1);
  end = here > margin ? (here - margin) & ~(page - 1) : 0;
  if (low != NULL && end > start && end <= (guintptr) low + size)
    madvise ((void *) start, end - start, MADV_DONTNEED);
}

/* Gives back what a quiet connection does not need while it waits. */
static void
go_idle (RcConnection *self)
{
  rc_frame_clear (&self->frame);
  rc_frame_reader_release (self->reader);
  rc_tls_session_release (self->tls);
  release_stack_below ();
  if (self->out != NULL)
    {
      g_string_free (self->out, TRUE);
      self->out = NULL;
    }
}

/* A line could not be read. */
static ServeResult
handle_read_error (RcConnection  *self,
                   GError        *error,
                   RcFrame      **close_frame)
{
  if (error == NULL ||
      g_error_matches (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TRUNCATED))
    {
      g_debug ("Connection %" G_GUINT64_FORMAT " closed by the client", self->id);
      return SERVE_CLOSE_QUIETLY;
    }
  if (g_error_matches (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TOO_LONG) ||
      g_error_matches (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_INVALID_UTF8))
    {
      g_debug ("Connection %" G_GUINT64_FORMAT ": bad frame: %s", self->id, error->message);
      return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_BAD_FRAME);
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_debug ("Connection %" G_GUINT64_FORMAT " from %s: %s", self->id, self->address_text,
              self->authenticated ? "no frame for too long, closed" : "no hello in time, closed");
      return SERVE_CLOSE;
    }
  g_debug ("Connection %" G_GUINT64_FORMAT ": %s", self->id, error->message);
  return SERVE_CLOSE_QUIETLY;
}

/* Reads and answers frames until the connection is to end. */
static ServeResult
serve (RcConnection  *self,
       RcFrame      **close_frame)
{
  const RcServerLimits *limits = &self->context->limits;

  self->hello_deadline = g_get_monotonic_time () + limits->hello_timeout;
  self->tokens = limits->frame_burst;
  self->tokens_time = g_get_monotonic_time ();

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gint64 deadline = self->authenticated ? self->last_frame + limits->idle_timeout : self->hello_deadline;
      const char *line = NULL;
      gsize length = 0;
      gint64 retry_after;
      gint64 now;
      ServeResult result;

      /* Wait before the frame reader and GnuTLS take their buffers. */
      if (rc_frame_reader_has_buffered (self->reader) ||
          rc_tls_session_wait_data (self->tls, deadline, &error))
        {
          rc_tls_input_stream_set_deadline (RC_TLS_INPUT_STREAM (self->input), deadline);
          line = rc_frame_reader_read_line (self->reader, &length, NULL, &error);
        }
      else
        line = NULL;

      if (g_atomic_int_get (&self->terminating))
        return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_SHUTTING_DOWN);

      if (line == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_clear_error (&error);
          if (g_atomic_int_get (&self->relayed_waiting))
            {
              /* Nothing came in a quiet time to take the waiting relayed
               * along: it goes alone, and the wait goes on. */
              if (!flush_relayed (self))
                return SERVE_CLOSE_QUIETLY;
              continue;
            }
          go_idle (self);
          if (rc_tls_session_wait_readable (self->tls, deadline, self->context->wake, &error))
            continue;
          if (g_atomic_int_get (&self->terminating))
            return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_SHUTTING_DOWN);
        }

      if (line == NULL)
        return handle_read_error (self, error, close_frame);

      now = g_get_monotonic_time ();
      self->last_frame = now;

      retry_after = take_token (self, now);
      if (retry_after > 0)
        {
          g_autoptr(RcFrame) limited = rc_frame_new_error (RC_PROTOCOL_ERROR_RATE_LIMITED, NULL);

          limited->retry_after = retry_after;
          if (!rc_connection_write_frame (self, limited))
            return SERVE_CLOSE_QUIETLY;
          continue;
        }

      if (rc_frame_parse_into (&self->frame, line, length, RC_FRAME_PARSE_KEEP_BASE64, self->checker, &error))
        result = handle_frame (self, &self->frame, close_frame);
      else
        result = handle_parse_error (self, error, close_frame);

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
  gint64 deadline = g_get_monotonic_time () + self->context->limits.linger;
  int fd = g_socket_get_fd (self->socket);
  gsize drained = 0;

  g_mutex_lock (&self->state_lock);
  if (!self->fd_closed)
    shutdown (fd, SHUT_WR);
  g_mutex_unlock (&self->state_lock);

  while (drained < DRAIN_LIMIT)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      gint64 remaining = deadline - g_get_monotonic_time ();
      ssize_t n;

      if (remaining <= 0 || poll (&pfd, 1, (int) ((remaining + 999) / 1000)) <= 0)
        break;

      /* MSG_TRUNC: discarded by the kernel, never copied here. */
      n = recv (fd, NULL, DRAIN_LIMIT - drained, MSG_TRUNC | MSG_DONTWAIT);
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
  g_autoptr(RcRoom) room = get_room (self);

  if (room != NULL)
    /* At shutdown, the peer hears shutting-down instead. */
    rc_room_drop (room, self, !g_atomic_int_get (&self->terminating));

  g_mutex_lock (&self->write_lock);
  if (!self->write_closed && self->reader != NULL)
    {
      if (close_frame != NULL && !quietly)
        rc_connection_write_frame_locked (self, close_frame);
      else if (g_atomic_int_get (&self->relayed_waiting))
        rc_connection_write_line_locked (self, "", 0);
      rc_tls_session_close_notify (self->tls);
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
  g_io_stream_close (G_IO_STREAM (self->socket_connection), NULL, NULL);
  g_mutex_unlock (&self->state_lock);
  g_mutex_unlock (&self->write_lock);

  rc_admission_close (self->context->admission, self->address_key, self->admitted);

  if (self->name != NULL)
    g_debug ("%s left (connection %" G_GUINT64_FORMAT " from %s closed)",
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

  g_debug ("Connection %" G_GUINT64_FORMAT " from %s", self->id, self->address_text);

  if (!handshake (self))
    {
      finish (self, NULL, TRUE);
      return;
    }

  result = serve (self, &close_frame);
  finish (self, close_frame, result == SERVE_CLOSE_QUIETLY);
}
