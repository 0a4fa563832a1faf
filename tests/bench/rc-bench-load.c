/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-bench"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gnutls/gnutls.h>

#include "rc-bench-load.h"

/* Every client is a small state machine driven by epoll: TCP connect, TLS
 * handshake, then the protocol's lines. Rooms alternate messages: the
 * joiner writes first, and whoever receives a message answers it, at once
 * (closed loop) or after pace_ms. Only lines that concern the benchmark are
 * looked at, and only as far as needed (the type, a room id). */

#define IN_SIZE (64 * 1024 + 1)
#define MAX_EVENTS 256
#define STALL_US G_USEC_PER_SEC

typedef enum
{
  CLIENT_IDLE,          /* not started yet */
  CLIENT_CONNECTING,
  CLIENT_HANDSHAKE,
  CLIENT_HELLO,         /* hello sent, waiting for welcome */
  CLIENT_LOBBY,         /* logged in */
  CLIENT_PAIRING,       /* create or join sent */
  CLIENT_PAIRED,
  CLIENT_FAILED,
} ClientState;

typedef struct _Room Room;

typedef struct
{
  RcBenchLoad      *load;
  guint             index;
  int               fd;
  gnutls_session_t  tls;
  ClientState       state;
  Room             *room;
  gboolean          joiner;
  gboolean          flushing;     /* a record waits to be pushed out */
  gboolean          want_write;   /* EPOLLOUT is armed */
  GByteArray       *out;          /* lines queued behind a record being flushed */
  char             *in;
  gsize             in_length;
  gint64            next_seq;
  gint64            reply_due;    /* paced mode: when to answer */
} Client;

struct _Room
{
  Client *creator;
  Client *joiner;
  char    id[13];
  gint64  sent_at;              /* when the message in flight was sent */
  gint64  last_delivery;
  gint64  max_gap;
};

struct _RcBenchLoad
{
  RcBenchLoadOptions               options;
  int                              epoll_fd;
  gnutls_certificate_credentials_t credentials;
  gnutls_priority_t                priority;
  struct sockaddr_storage          address;
  socklen_t                        address_length;
  Client                          *clients;
  Room                            *rooms;
  char                            *payload_b64;
  guint                            next_to_start;
  guint                            in_setup;
  guint                            logged_in;
  guint                            paired;
  guint                            failures;
  GQueue                           replies;       /* paced mode: Client*, due in order */
  gboolean                         measuring;
  gint64                           measure_start;  /* latencies of messages sent from here on */
  guint64                          messages;
  GArray                          *latencies;     /* guint32 µs, during the measurement */
};

static void client_fail (Client *client, const char *what);

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

RcBenchLoad *
rc_bench_load_new (const RcBenchLoadOptions *options)
{
  RcBenchLoad *self = g_new0 (RcBenchLoad, 1);
  g_autofree guint8 *payload = g_malloc (MAX (options->payload, 1));

  self->options = *options;
  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  g_assert (self->epoll_fd >= 0);
  gnutls_certificate_allocate_credentials (&self->credentials);
  g_assert (gnutls_priority_init (&self->priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3", NULL) == 0);

  for (guint i = 0; i < options->payload; i++)
    payload[i] = (guint8) g_random_int ();
  self->payload_b64 = g_base64_encode (payload, options->payload);

  self->clients = g_new0 (Client, options->clients);
  self->rooms = g_new0 (Room, options->clients / 2 + 1);
  for (guint i = 0; i < options->clients; i++)
    {
      Client *client = &self->clients[i];

      client->load = self;
      client->index = i;
      client->fd = -1;
      client->joiner = i % 2 == 1;
      client->room = &self->rooms[i / 2];
      if (client->joiner)
        client->room->joiner = client;
      else
        client->room->creator = client;
    }
  self->latencies = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_queue_init (&self->replies);

  return self;
}

void
rc_bench_load_free (RcBenchLoad *self)
{
  for (guint i = 0; i < self->options.clients; i++)
    {
      Client *client = &self->clients[i];

      if (client->tls != NULL)
        gnutls_deinit (client->tls);
      if (client->fd >= 0)
        close (client->fd);
      g_clear_pointer (&client->out, g_byte_array_unref);
      g_free (client->in);
    }
  g_queue_clear (&self->replies);
  g_array_unref (self->latencies);
  g_free (self->clients);
  g_free (self->rooms);
  g_free (self->payload_b64);
  gnutls_priority_deinit (self->priority);
  gnutls_certificate_free_credentials (self->credentials);
  close (self->epoll_fd);
  g_free (self);
}

/* Sockets ---------------------------------------------------------------- */

static void
watch (Client  *client,
       gboolean write)
{
  struct epoll_event event = { 0 };

  event.events = EPOLLIN | (write ? EPOLLOUT : 0);
  event.data.ptr = client;
  if (epoll_ctl (client->load->epoll_fd, EPOLL_CTL_MOD, client->fd, &event) != 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
  client->want_write = write;
}

static void
client_fail (Client     *client,
             const char *what)
{
  RcBenchLoad *self = client->load;

  if (client->state == CLIENT_FAILED)
    return;
  if (self->failures < 10)
    g_printerr ("client %u: %s\n", client->index, what);
  if (client->state >= CLIENT_CONNECTING && client->state <= CLIENT_HELLO)
    self->in_setup--;
  client->state = CLIENT_FAILED;
  self->failures++;
  if (client->fd >= 0)
    {
      epoll_ctl (self->epoll_fd, EPOLL_CTL_DEL, client->fd, NULL);
      close (client->fd);
      client->fd = -1;
    }
}

static void
start_client (Client *client)
{
  RcBenchLoad *self = client->load;
  struct epoll_event event = { 0 };
  int one = 1;

  client->fd = socket (self->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (client->fd < 0)
    {
      client_fail (client, g_strerror (errno));
      return;
    }
  setsockopt (client->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  client->state = CLIENT_CONNECTING;
  self->in_setup++;

  event.events = EPOLLIN | EPOLLOUT;
  event.data.ptr = client;
  epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, client->fd, &event);
  client->want_write = TRUE;

  if (connect (client->fd, (struct sockaddr *) &self->address, self->address_length) != 0 &&
      errno != EINPROGRESS)
    client_fail (client, g_strerror (errno));
}

static void
start_more (RcBenchLoad *self)
{
  while (self->in_setup < self->options.window && self->next_to_start < self->options.clients)
    start_client (&self->clients[self->next_to_start++]);
}

/* Writing ---------------------------------------------------------------- */

static void
flush (Client *client)
{
  while (client->state != CLIENT_FAILED)
    {
      ssize_t sent;

      if (client->flushing)
        {
          sent = gnutls_record_send (client->tls, NULL, 0);
          if (sent == GNUTLS_E_AGAIN || sent == GNUTLS_E_INTERRUPTED)
            {
              if (!client->want_write)
                watch (client, TRUE);
              return;
            }
          if (sent < 0)
            {
              client_fail (client, gnutls_strerror ((int) sent));
              return;
            }
          client->flushing = FALSE;
          continue;
        }

      if (client->out == NULL || client->out->len == 0)
        break;

      sent = gnutls_record_send (client->tls, client->out->data, MIN (client->out->len, 16384u));
      if (sent == GNUTLS_E_AGAIN || sent == GNUTLS_E_INTERRUPTED)
        {
          /* The record is taken: only its pushing remains. */
          client->flushing = TRUE;
          g_byte_array_remove_range (client->out, 0, MIN (client->out->len, 16384u));
          continue;
        }
      if (sent < 0)
        {
          client_fail (client, gnutls_strerror ((int) sent));
          return;
        }
      g_byte_array_remove_range (client->out, 0, (guint) sent);
    }

  if (client->want_write && client->state != CLIENT_FAILED)
    watch (client, FALSE);
}

static void
send_line (Client     *client,
           const char *line,
           gsize       length)
{
  if (client->out == NULL)
    client->out = g_byte_array_new ();
  g_byte_array_append (client->out, (const guint8 *) line, (guint) length);
  flush (client);
}

static void
send_message (Client *client)
{
  RcBenchLoad *self = client->load;
  g_autofree char *line = g_strdup_printf ("{\"type\":\"message\",\"seq\":%" G_GINT64_FORMAT
                                           ",\"ciphertext\":\"%s\"}\n",
                                           client->next_seq++, self->payload_b64);

  client->room->sent_at = now_us ();
  send_line (client, line, strlen (line));
}

/* Frames ----------------------------------------------------------------- */

static gboolean
has_type (const char *line,
          const char *type)
{
  g_autofree char *needle = g_strdup_printf ("\"type\":\"%s\"", type);

  return strstr (line, needle) != NULL;
}

static void
logged_in (Client *client)
{
  RcBenchLoad *self = client->load;

  client->state = CLIENT_LOBBY;
  self->in_setup--;
  self->logged_in++;
  start_more (self);
}

static void
both_paired (Room *room)
{
  RcBenchLoad *self = room->creator->load;

  self->paired++;
  room->last_delivery = now_us ();
}

static void
received_message (Client *client)
{
  RcBenchLoad *self = client->load;
  Room *room = client->room;
  gint64 now = now_us ();

  if (self->measuring)
    {
      guint32 latency = (guint32) MIN (now - room->sent_at, (gint64) G_MAXUINT32);

      /* A message sent during the warm-up is delivered in the window but
       * timed mostly outside it: it counts as a delivery, not as a latency. */
      if (room->sent_at >= self->measure_start)
        g_array_append_val (self->latencies, latency);
      self->messages++;
      room->max_gap = MAX (room->max_gap, now - room->last_delivery);
    }
  room->last_delivery = now;

  if (self->options.pace_ms == 0)
    send_message (client);
  else
    {
      client->reply_due = now + (gint64) self->options.pace_ms * G_TIME_SPAN_MILLISECOND;
      g_queue_push_tail (&self->replies, client);
    }
}

static void
handle_line (Client *client,
             char   *line)
{
  RcBenchLoad *self = client->load;

  if (self->options.floor)
    {
      if (g_str_equal (line, "paired"))
        {
          client->state = CLIENT_PAIRED;
          self->in_setup--;
          self->logged_in++;
          start_more (self);
          if (client->room->creator->state == CLIENT_PAIRED && client->room->joiner->state == CLIENT_PAIRED)
            both_paired (client->room);
        }
      else if (client->state == CLIENT_PAIRED)
        received_message (client);
      return;
    }

  if (has_type (line, "message"))
    received_message (client);
  else if (has_type (line, "relayed") || has_type (line, "pong"))
    ;
  else if (has_type (line, "welcome") && client->state == CLIENT_HELLO)
    logged_in (client);
  else if (has_type (line, "created"))
    {
      const char *id = strstr (line, "\"room\":\"");
      Client *joiner = client->room->joiner;
      g_autofree char *join = NULL;

      if (id == NULL || strlen (id) < 8 + 12)
        {
          client_fail (client, "created without a room");
          return;
        }
      memcpy (client->room->id, id + 8, 12);
      join = g_strdup_printf ("{\"type\":\"join\",\"room\":\"%s\",\"identity\":\"AAAA\","
                              "\"ephemeral\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
                              "\"signature\":\"AAAA\"}\n", client->room->id);
      if (joiner->state == CLIENT_LOBBY)
        {
          joiner->state = CLIENT_PAIRING;
          send_line (joiner, join, strlen (join));
        }
    }
  else if (has_type (line, "paired"))
    {
      client->state = CLIENT_PAIRED;
      if (client->room->creator->state == CLIENT_PAIRED && client->room->joiner->state == CLIENT_PAIRED)
        both_paired (client->room);
    }
  else if (has_type (line, "error"))
    {
      g_autofree char *what = g_strdup_printf ("the server said %s", line);

      client_fail (client, what);
    }
}

static void
read_lines (Client *client)
{
  for (;;)
    {
      ssize_t n;
      char *start;
      char *newline;

      if (client->in == NULL)
        client->in = g_malloc (IN_SIZE);
      n = gnutls_record_recv (client->tls, client->in + client->in_length, IN_SIZE - 1 - client->in_length);
      if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        return;
      if (n <= 0)
        {
          client_fail (client, n == 0 ? "the server closed the connection" : gnutls_strerror ((int) n));
          return;
        }
      client->in_length += (gsize) n;
      client->in[client->in_length] = '\0';

      start = client->in;
      while ((newline = memchr (start, '\n', client->in_length - (gsize) (start - client->in))) != NULL)
        {
          *newline = '\0';
          handle_line (client, start);
          if (client->state == CLIENT_FAILED)
            return;
          start = newline + 1;
        }
      client->in_length -= (gsize) (start - client->in);
      memmove (client->in, start, client->in_length);
      if (client->in_length >= IN_SIZE - 1)
        {
          client_fail (client, "line too long");
          return;
        }
    }
}

/* Setting up ------------------------------------------------------------- */

static void
after_handshake (Client *client)
{
  RcBenchLoad *self = client->load;
  g_autofree char *line = NULL;

  client->state = CLIENT_HELLO;
  if (self->options.floor)
    line = g_strdup_printf ("room-%u\n", client->index / 2);
  else
    line = g_strdup_printf ("{\"type\":\"hello\",\"version\":1,\"name\":\"bench%u\",\"password\":\"%s\"}\n",
                            client->index, self->options.password);
  send_line (client, line, strlen (line));
}

static void
continue_handshake (Client *client)
{
  int ret = gnutls_handshake (client->tls);

  if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
    {
      gboolean write = gnutls_record_get_direction (client->tls) == 1;

      if (write != client->want_write)
        watch (client, write);
      return;
    }
  if (ret < 0)
    {
      client_fail (client, gnutls_strerror (ret));
      return;
    }
  if (client->want_write)
    watch (client, FALSE);
  after_handshake (client);
}

static void
connected (Client *client)
{
  RcBenchLoad *self = client->load;
  int error = 0;
  socklen_t length = sizeof error;

  if (getsockopt (client->fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)
    {
      client_fail (client, g_strerror (error != 0 ? error : errno));
      return;
    }

  gnutls_init (&client->tls, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
  gnutls_priority_set (client->tls, self->priority);
  gnutls_credentials_set (client->tls, GNUTLS_CRD_CERTIFICATE, self->credentials);
  gnutls_transport_set_int (client->tls, client->fd);
  client->state = CLIENT_HANDSHAKE;
  continue_handshake (client);
}

static void
dispatch (Client   *client,
          uint32_t  events)
{
  switch (client->state)
    {
    case CLIENT_CONNECTING:
      connected (client);
      break;
    case CLIENT_HANDSHAKE:
      continue_handshake (client);
      break;
    case CLIENT_HELLO:
    case CLIENT_LOBBY:
    case CLIENT_PAIRING:
    case CLIENT_PAIRED:
      if (events & EPOLLOUT)
        flush (client);
      if (client->state != CLIENT_FAILED && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        read_lines (client);
      break;
    case CLIENT_IDLE:
    case CLIENT_FAILED:
    default:
      break;
    }
}

/* Runs the event loop once, waiting at most until @deadline. */
static void
poll_once (RcBenchLoad *self,
           gint64       deadline)
{
  struct epoll_event events[MAX_EVENTS];
  gint64 wait_until = deadline;
  int timeout_ms;
  int n;

  if (!g_queue_is_empty (&self->replies))
    wait_until = MIN (wait_until, ((Client *) g_queue_peek_head (&self->replies))->reply_due);
  timeout_ms = (int) CLAMP ((wait_until - now_us () + 999) / 1000, 0, 1000);

  n = epoll_wait (self->epoll_fd, events, MAX_EVENTS, timeout_ms);
  for (int i = 0; i < n; i++)
    dispatch (events[i].data.ptr, events[i].events);

  while (!g_queue_is_empty (&self->replies) &&
         ((Client *) g_queue_peek_head (&self->replies))->reply_due <= now_us ())
    {
      Client *client = g_queue_pop_head (&self->replies);

      if (client->state == CLIENT_PAIRED)
        send_message (client);
    }
}

static gboolean
resolve (RcBenchLoad  *self,
         GError      **error)
{
  struct addrinfo hints = { 0 };
  struct addrinfo *found = NULL;
  g_autofree char *port = g_strdup_printf ("%u", self->options.port);
  int ret;

  hints.ai_socktype = SOCK_STREAM;
  ret = getaddrinfo (self->options.host, port, &hints, &found);
  if (ret != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", self->options.host, gai_strerror (ret));
      return FALSE;
    }
  memcpy (&self->address, found->ai_addr, found->ai_addrlen);
  self->address_length = found->ai_addrlen;
  freeaddrinfo (found);
  return TRUE;
}

/**
 * rc_bench_load_connect:
 *
 * Connects every client and logs it in (against the floor: connects and
 * pairs), at most @window at a time. Fills in connected, setup_seconds
 * and failures.
 */
gboolean
rc_bench_load_connect (RcBenchLoad        *self,
                       RcBenchLoadResult  *result,
                       GError            **error)
{
  gint64 start;
  gint64 deadline;

  if (!resolve (self, error))
    return FALSE;

  start = now_us ();
  deadline = start + 600 * G_TIME_SPAN_SECOND;
  start_more (self);
  while (self->logged_in + self->failures < self->options.clients && now_us () < deadline)
    poll_once (self, deadline);

  result->connected = self->logged_in;
  result->setup_seconds = (double) (now_us () - start) / G_USEC_PER_SEC;
  result->failures = self->failures;

  if (self->failures > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%u of %u connections failed",
                   self->failures, self->options.clients);
      return FALSE;
    }
  return TRUE;
}

/* Pairs the logged-in clients into rooms (the floor pairs them at once). */
gboolean
rc_bench_load_pair (RcBenchLoad  *self,
                    GError      **error)
{
  const char *create = "{\"type\":\"create\",\"identity\":\"AAAA\","
                       "\"ephemeral\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
                       "\"signature\":\"AAAA\"}\n";
  gint64 deadline = now_us () + 600 * G_TIME_SPAN_SECOND;
  guint rooms = self->options.clients / 2;

  if (!self->options.floor)
    for (guint r = 0; r < rooms; r++)
      {
        Client *creator = self->rooms[r].creator;

        creator->state = CLIENT_PAIRING;
        send_line (creator, create, strlen (create));
        if (r % 64 == 63)
          poll_once (self, now_us ());
      }

  while (self->paired < rooms && self->failures == 0 && now_us () < deadline)
    poll_once (self, deadline);

  if (self->paired < rooms)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "only %u of %u rooms paired", self->paired, rooms);
      return FALSE;
    }
  return TRUE;
}

static int
compare_latencies (gconstpointer a,
                   gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *sorted,
               double  fraction)
{
  guint index;

  if (sorted->len == 0)
    return 0.0;
  index = (guint) MIN ((double) sorted->len - 1, fraction * sorted->len);
  return g_array_index (sorted, guint32, index) / 1000.0;
}

/**
 * rc_bench_load_run:
 * @measure_cb: (nullable): called as the measurement starts and ends, to
 *   read the server's CPU time
 *
 * Every room's joiner writes first; then the rooms relay for
 * @warmup_seconds unmeasured and @seconds measured.
 */
void
rc_bench_load_run (RcBenchLoad        *self,
                   double              warmup_seconds,
                   double              seconds,
                   void              (*measure_cb) (gboolean start, gpointer user_data),
                   gpointer            user_data,
                   RcBenchLoadResult  *result)
{
  guint rooms = self->options.clients / 2;
  gint64 start;
  gint64 end;

  for (guint r = 0; r < rooms; r++)
    send_message (self->rooms[r].joiner);

  end = now_us () + (gint64) (warmup_seconds * G_USEC_PER_SEC);
  while (now_us () < end)
    poll_once (self, end);

  if (measure_cb != NULL)
    measure_cb (TRUE, user_data);
  start = now_us ();
  self->measure_start = start;
  for (guint r = 0; r < rooms; r++)
    {
      self->rooms[r].max_gap = 0;
      self->rooms[r].last_delivery = start;
    }
  self->messages = 0;
  g_array_set_size (self->latencies, 0);
  self->measuring = TRUE;

  end = start + (gint64) (seconds * G_USEC_PER_SEC);
  while (now_us () < end)
    poll_once (self, end);

  self->measuring = FALSE;
  end = now_us ();
  if (measure_cb != NULL)
    measure_cb (FALSE, user_data);

  result->messages = self->messages;
  result->seconds = (double) (end - start) / G_USEC_PER_SEC;
  result->failures = self->failures;
  result->stalled_rooms = 0;
  for (guint r = 0; r < rooms; r++)
    {
      Room *room = &self->rooms[r];

      if (MAX (room->max_gap, end - room->last_delivery) >= STALL_US)
        result->stalled_rooms++;
    }

  g_array_sort (self->latencies, compare_latencies);
  result->p50_ms = percentile_ms (self->latencies, 0.50);
  result->p99_ms = percentile_ms (self->latencies, 0.99);
  result->max_ms = percentile_ms (self->latencies, 1.0);
}
