/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <sys/resource.h>

#include "rc-certificate.h"
#include "rc-connection.h"
#include "rc-server.h"
#include "rc-tsan.h"

/* The listening side: GThreadedSocketService with no thread limit of its
 * own (ten is the default, and the eleventh client would hang
 * without a word), one thread per connection, and our own cap instead:
 *
 * - MAX_CONNECTIONS and MAX_CONNECTIONS_PER_IP count authenticated
 *   connections. The hello of one more gets server-full.
 * - So that it can be told, the server keeps accepting some connections
 *   beyond MAX_CONNECTIONS (OVERFLOW); past that, and past what the
 *   file-descriptor limit allows, a new connection is closed at once.
 *
 * Connections that have not said hello yet are bounded by the hello timeout
 * and by the overflow cap. */

#define FD_RESERVE 64
/* A connection holds one descriptor, its socket; during its TLS handshake
 * GLib holds a second one for it. Handshakes at once are limited so that
 * these fit in the limit too. */
#define MAX_HANDSHAKES 1024
#define MIN_HANDSHAKES 16

struct _RcServer
{
  GThreadedSocketService parent_instance;

  /* Immutable after rc_server_start() */
  char            *host;
  guint            port;
  char            *state_dir;
  char            *name;
  guint            max_connections;
  guint            max_connections_per_ip;
  guint            max_open;            /* accepted at most: MAX_CONNECTIONS plus overflow */
  RcServerLimits   limits;
  RcPassword      *password;
  GTlsCertificate *certificate;
  RcRoomRegistry  *registry;
  RcBlockList     *blocks;
  RcStatistics    *statistics;
  GCancellable    *wake;                /* cancelled at shutdown; ends every wait */
  guint            max_handshakes;

  /* Guards everything below. Never held across I/O. */
  GMutex           lock;
  GCond            handshake_cond;
  guint            handshakes;
  GHashTable      *connections;         /* RcConnection, owned: every open one */
  GHashTable      *admitted_per_key;    /* address key -> count */
  guint            admitted;
  guint            open;
  guint64          next_id;
  gboolean         shutting_down;
};

G_DEFINE_FINAL_TYPE (RcServer, rc_server, G_TYPE_THREADED_SOCKET_SERVICE)

void
rc_server_default_limits (RcServerLimits *limits)
{
  limits->hello_timeout = 10 * G_TIME_SPAN_SECOND;
  limits->idle_timeout = 90 * G_TIME_SPAN_SECOND;
  limits->write_timeout = 10;
  limits->linger = 1 * G_TIME_SPAN_SECOND;
  limits->frame_rate = 50.0;
  limits->frame_burst = 100.0;
}

static gboolean
rc_server_run (GThreadedSocketService *service,
               GSocketConnection      *connection,
               GObject                *source_object)
{
  RcServer *self = RC_SERVER (service);
  g_autoptr(RcConnection) rc_connection = NULL;
  gboolean refused;
  guint64 id;

  g_mutex_lock (&self->lock);
  refused = self->shutting_down || self->open >= self->max_open;
  if (!refused)
    self->open++;
  id = ++self->next_id;
  g_mutex_unlock (&self->lock);

  if (refused)
    {
      g_info ("Connection %" G_GUINT64_FORMAT " refused: %s", id,
              self->shutting_down ? "shutting down" : "too many connections");
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  rc_connection = rc_connection_new (self, connection, id);

  g_mutex_lock (&self->lock);
  g_hash_table_add (self->connections, g_object_ref (rc_connection));
  /* A shutdown may have begun while this one was being set up. */
  if (self->shutting_down)
    rc_connection_terminate (rc_connection);
  g_mutex_unlock (&self->lock);
  rc_statistics_thread_started (self->statistics);

  rc_connection_run (rc_connection);

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->connections, rc_connection);
  self->open--;
  g_mutex_unlock (&self->lock);
  rc_statistics_thread_finished (self->statistics);

  return TRUE;
}

static void
rc_server_finalize (GObject *object)
{
  RcServer *self = RC_SERVER (object);

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->state_dir, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_object (&self->password);
  g_clear_object (&self->certificate);
  g_clear_object (&self->statistics);
  g_clear_object (&self->wake);
  g_cond_clear (&self->handshake_cond);
  g_clear_object (&self->registry);
  g_clear_object (&self->blocks);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->admitted_per_key, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (rc_server_parent_class)->finalize (object);
}

static void
rc_server_class_init (RcServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_server_finalize;
  G_THREADED_SOCKET_SERVICE_CLASS (klass)->run = rc_server_run;
}

static void
rc_server_init (RcServer *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->handshake_cond);
  self->wake = g_cancellable_new ();
  self->connections = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->admitted_per_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

RcServer *
rc_server_new (const RcServerSettings *settings,
               const RcServerLimits   *limits)
{
  RcServer *self;
  g_autofree char *blocks_path = NULL;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (RC_IS_PASSWORD (settings->password), NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (settings->certificate), NULL);
  g_return_val_if_fail (settings->state_dir != NULL, NULL);

  /* -1: no thread limit; the cap is ours (see above). */
  self = g_object_new (RC_TYPE_SERVER, "max-threads", -1, NULL);
  self->host = g_strdup (settings->host);
  self->port = settings->port;
  self->state_dir = g_strdup (settings->state_dir);
  self->name = g_strdup (settings->server_name);
  self->max_connections = settings->max_connections;
  self->max_connections_per_ip = settings->max_connections_per_ip;
  self->password = g_object_ref (settings->password);
  self->certificate = g_object_ref (settings->certificate);
  if (limits != NULL)
    self->limits = *limits;
  else
    rc_server_default_limits (&self->limits);

  blocks_path = g_build_filename (settings->state_dir, "blocks.json", NULL);
  self->blocks = rc_block_list_new (blocks_path, settings->max_auth_failures, settings->block_seconds);
  self->registry = rc_room_registry_new ();
  self->statistics = rc_statistics_new (settings->state_dir, self->registry, self->blocks);

  return self;
}

/* Raises the soft file-descriptor limit to the hard one (GLib aborts the
 * process when it runs out of descriptors) and keeps the connection cap
 * below it. */
static void
fit_connection_cap (RcServer *self)
{
  struct rlimit limit = { 1024, 1024 };
  guint64 budget;
  guint64 needed;
  guint overflow;

  overflow = CLAMP (self->max_connections / 16, 8, 1024);
  needed = (guint64) self->max_connections + overflow + MAX_HANDSHAKES + FD_RESERVE;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed)
    {
      struct rlimit raised = limit;

      /* A privileged server may raise the hard limit too. */
      raised.rlim_cur = raised.rlim_max = MAX (needed, limit.rlim_max);
      if (setrlimit (RLIMIT_NOFILE, &raised) != 0)
        {
          raised.rlim_cur = raised.rlim_max = limit.rlim_max;
          setrlimit (RLIMIT_NOFILE, &raised);
        }
      getrlimit (RLIMIT_NOFILE, &limit);
    }

  if (limit.rlim_cur == RLIM_INFINITY)
    {
      self->max_handshakes = MAX_HANDSHAKES;
      budget = G_MAXUINT;
    }
  else
    {
      guint64 usable = limit.rlim_cur - MIN (limit.rlim_cur, FD_RESERVE);

      self->max_handshakes = (guint) CLAMP (usable / 16, MIN_HANDSHAKES, MAX_HANDSHAKES);
      budget = usable - MIN (usable, self->max_handshakes);
    }

  if ((guint64) self->max_connections + overflow > budget)
    {
      guint fitted = budget > overflow + 1 ? (guint) (budget - overflow) : 1;

      g_message ("MAX_CONNECTIONS lowered from %u to %u: the file-descriptor limit is %" G_GUINT64_FORMAT
                 " (raise LimitNOFILE or ulimit -n)",
                 self->max_connections, fitted, (guint64) limit.rlim_cur);
      self->max_connections = fitted;
    }

  self->max_open = self->max_connections + overflow;
}

static GList *
resolve_host (const char  *host,
              GError     **error)
{
  GInetAddress *literal = g_inet_address_new_from_string (host);
  g_autoptr(GResolver) resolver = NULL;

  if (literal != NULL)
    return g_list_append (NULL, literal);

  resolver = g_resolver_get_default ();
  return g_resolver_lookup_by_name (resolver, host, NULL, error);
}

static gboolean
listen_on_host (RcServer  *self,
                GError   **error)
{
  g_autoptr(GError) last_error = NULL;
  GList *addresses;
  guint port = self->port;
  guint bound = 0;

  addresses = resolve_host (self->host, error);
  if (addresses == NULL)
    {
      g_prefix_error (error, "HOST_ADDRESS %s: ", self->host);
      return FALSE;
    }

  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self), 1024);

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, port);
      g_autoptr(GSocketAddress) effective = NULL;
      g_autofree char *text = g_inet_address_to_string (l->data);

      g_clear_error (&last_error);
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self), address, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, &effective, &last_error))
        {
          g_message ("Cannot listen on %s port %u: %s", text, port, last_error->message);
          continue;
        }

      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
      g_message ("Listening on %s port %u", text, port);
      bound++;
    }
  g_resolver_free_addresses (addresses);

  if (bound == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot listen on %s port %u: %s",
                   self->host, self->port, last_error != NULL ? last_error->message : "no address");
      return FALSE;
    }

  self->port = port;
  return TRUE;
}

/**
 * rc_server_start:
 *
 * Loads the blocks and statistics of earlier runs, listens and starts
 * serving in the thread-default main context.
 */
gboolean
rc_server_start (RcServer  *self,
                 GError   **error)
{
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (RC_IS_SERVER (self), FALSE);

  fit_connection_cap (self);

  if (!rc_block_list_load (self->blocks, error))
    return FALSE;
  rc_statistics_load (self->statistics);

  if (!listen_on_host (self, error))
    return FALSE;

  fingerprint = rc_certificate_fingerprint (self->certificate);
  g_message ("%s is up: at most %u connections, %u per address; certificate SHA-256 fingerprint %s",
             self->name, self->max_connections, self->max_connections_per_ip, fingerprint);

  rc_statistics_start (self->statistics);
  g_socket_service_start (G_SOCKET_SERVICE (self));

  return TRUE;
}

guint
rc_server_get_port (RcServer *self)
{
  g_return_val_if_fail (RC_IS_SERVER (self), 0);

  return self->port;
}

/**
 * rc_server_begin_shutdown:
 *
 * Stops accepting and asks every connection to end: each writes
 * shutting-down to its client and closes. rc_server_count_connections()
 * tells when all are gone.
 */
void
rc_server_begin_shutdown (RcServer *self)
{
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  RcConnection *connection;

  g_return_if_fail (RC_IS_SERVER (self));

  g_socket_service_stop (G_SOCKET_SERVICE (self));
  g_socket_listener_close (G_SOCKET_LISTENER (self));

  g_mutex_lock (&self->lock);
  self->shutting_down = TRUE;
  g_cond_broadcast (&self->handshake_cond);
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, (gpointer *) &connection, NULL))
    g_ptr_array_add (connections, g_object_ref (connection));
  g_mutex_unlock (&self->lock);

  g_message ("Shutting down: closing %u connections", connections->len);
  for (guint i = 0; i < connections->len; i++)
    rc_connection_terminate (g_ptr_array_index (connections, i));
  /* Last: a connection woken by it must find its own flag set. */
  g_cancellable_cancel (self->wake);
}

guint
rc_server_count_connections (RcServer *self)
{
  guint open;

  g_return_val_if_fail (RC_IS_SERVER (self), 0);

  g_mutex_lock (&self->lock);
  open = self->open;
  g_mutex_unlock (&self->lock);

  return open;
}

/* Writes the statistics a last time. */
void
rc_server_finish (RcServer *self)
{
  g_return_if_fail (RC_IS_SERVER (self));

  rc_statistics_stop (self->statistics);
}

const RcServerLimits *
rc_server_get_limits (RcServer *self)
{
  return &self->limits;
}

const char *
rc_server_get_name (RcServer *self)
{
  return self->name;
}

GTlsCertificate *
rc_server_get_certificate (RcServer *self)
{
  return self->certificate;
}

RcPassword *
rc_server_get_password (RcServer *self)
{
  return self->password;
}

RcRoomRegistry *
rc_server_get_registry (RcServer *self)
{
  return self->registry;
}

RcBlockList *
rc_server_get_block_list (RcServer *self)
{
  return self->blocks;
}

RcStatistics *
rc_server_get_statistics (RcServer *self)
{
  return self->statistics;
}

/**
 * rc_server_admit:
 * @key: the address key (rc_block_list_describe_address())
 *
 * Takes one of the MAX_CONNECTIONS places, and one of the address's
 * MAX_CONNECTIONS_PER_IP. Returns %FALSE when either is full.
 */
gboolean
rc_server_admit (RcServer   *self,
                 const char *key)
{
  guint per_key;
  gboolean admitted = FALSE;

  g_mutex_lock (&self->lock);
  per_key = GPOINTER_TO_UINT (g_hash_table_lookup (self->admitted_per_key, key));
  if (self->admitted < self->max_connections && per_key < self->max_connections_per_ip)
    {
      self->admitted++;
      g_hash_table_insert (self->admitted_per_key, g_strdup (key), GUINT_TO_POINTER (per_key + 1));
      admitted = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (admitted)
    rc_statistics_connection_admitted (self->statistics);

  return admitted;
}

void
rc_server_release (RcServer   *self,
                   const char *key)
{
  guint per_key;

  g_mutex_lock (&self->lock);
  per_key = GPOINTER_TO_UINT (g_hash_table_lookup (self->admitted_per_key, key));
  g_assert (per_key > 0 && self->admitted > 0);
  self->admitted--;
  if (per_key == 1)
    g_hash_table_remove (self->admitted_per_key, key);
  else
    g_hash_table_insert (self->admitted_per_key, g_strdup (key), GUINT_TO_POINTER (per_key - 1));
  g_mutex_unlock (&self->lock);

  rc_statistics_connection_released (self->statistics);
}

/* Ends every connection's waits at shutdown; shared, so that a waiting
 * connection holds no descriptor of its own for it. */
GCancellable *
rc_server_get_wake_cancellable (RcServer *self)
{
  return self->wake;
}

/**
 * rc_server_begin_handshake:
 * @deadline: monotonic time to give up at
 *
 * Takes one of the handshake places, waiting for one until @deadline.
 * Returns %FALSE if none came free in time or the server is shutting down.
 */
gboolean
rc_server_begin_handshake (RcServer *self,
                           gint64    deadline)
{
  gboolean ok = TRUE;

  g_mutex_lock (&self->lock);
  while (ok && !self->shutting_down && self->handshakes >= self->max_handshakes)
    ok = g_cond_wait_until (&self->handshake_cond, &self->lock, deadline);
  ok = ok && !self->shutting_down;
  if (ok)
    self->handshakes++;
  g_mutex_unlock (&self->lock);

  return ok;
}

void
rc_server_end_handshake (RcServer *self)
{
  g_mutex_lock (&self->lock);
  g_assert (self->handshakes > 0);
  self->handshakes--;
  g_cond_signal (&self->handshake_cond);
  g_mutex_unlock (&self->lock);
}
