/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <malloc.h>
#include <string.h>

#include "rc-block-list.h"
#include "rc-certificate.h"
#include "rc-connection.h"
#include "rc-server.h"
#include "rc-tsan.h"

/* The listening side: GThreadedSocketService with no thread limit of its
 * own (ten is the default, and the eleventh client would hang without a
 * word) and one thread per connection. Who may connect is the admission's
 * to say (rc-admission.c), counted as a connection is accepted; each
 * connection gets the server's context of the moment (rc-server-context.h)
 * and needs nothing else of the server. */

struct _RcServer
{
  GThreadedSocketService parent_instance;

  /* Immutable after rc_server_start() */
  char            *host;
  guint            port;
  RcStateDir      *state_dir;
  RcAdmission     *admission;           /* the context's, in every context */
  GPollFD          wake_fd;             /* keeps the wake cancellable's descriptor open */

  /* Guards everything below. Never held across I/O. */
  GMutex           lock;
  RcServerContext *context;
  GHashTable      *connections;         /* RcConnection, owned: every running one */
  guint64          next_id;
  gboolean         shutting_down;
};

G_DEFINE_FINAL_TYPE (RcServer, rc_server, G_TYPE_THREADED_SOCKET_SERVICE)

static void
describe_remote (GSocketConnection  *connection,
                 char              **text,
                 char              **key)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  if (G_IS_INET_SOCKET_ADDRESS (remote))
    rc_block_list_describe_address (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)), text, key);
  else
    {
      *text = g_strdup ("unknown");
      *key = g_strdup ("unknown");
    }
}

/* In the main context, for each connection accepted: it takes its place
 * here, or is closed before it costs a thread. */
static gboolean
rc_server_incoming (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source_object)
{
  RcServer *self = RC_SERVER (service);
  g_autofree char *text = NULL;
  g_autofree char *key = NULL;
  gboolean shutting_down;

  describe_remote (connection, &text, &key);

  g_mutex_lock (&self->lock);
  shutting_down = self->shutting_down;
  g_mutex_unlock (&self->lock);

  if (shutting_down || !rc_admission_open (self->admission, key))
    {
      g_debug ("Connection from %s refused: %s", text,
              shutting_down ? "shutting down" : "too many connections, or too many from there not logged in");
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  return G_SOCKET_SERVICE_CLASS (rc_server_parent_class)->incoming (service, connection, source_object);
}

/* In a thread of its own, for each connection incoming() let through. */
static gboolean
rc_server_run (GThreadedSocketService *service,
               GSocketConnection      *connection,
               GObject                *source_object)
{
  RcServer *self = RC_SERVER (service);
  g_autoptr(RcConnection) rc_connection = NULL;
  g_autoptr(RcServerContext) context = NULL;
  g_autofree char *text = NULL;
  g_autofree char *key = NULL;
  guint64 id;

  describe_remote (connection, &text, &key);

  g_mutex_lock (&self->lock);
  context = rc_server_context_ref (self->context);
  id = ++self->next_id;
  g_mutex_unlock (&self->lock);

  rc_connection = rc_connection_new (context, connection, text, key, id);

  g_mutex_lock (&self->lock);
  g_hash_table_add (self->connections, g_object_ref (rc_connection));
  /* A shutdown may have begun while this one was being set up. */
  if (self->shutting_down)
    rc_connection_terminate (rc_connection);
  g_mutex_unlock (&self->lock);

  rc_connection_run (rc_connection);

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->connections, rc_connection);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static void
rc_server_finalize (GObject *object)
{
  RcServer *self = RC_SERVER (object);

  if (self->context != NULL && self->wake_fd.fd >= 0)
    g_cancellable_release_fd (self->context->wake);
  g_clear_pointer (&self->host, g_free);
  g_clear_object (&self->state_dir);
  g_clear_object (&self->admission);
  g_clear_pointer (&self->context, rc_server_context_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (rc_server_parent_class)->finalize (object);
}

static void
rc_server_class_init (RcServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_server_finalize;
  G_SOCKET_SERVICE_CLASS (klass)->incoming = rc_server_incoming;
  G_THREADED_SOCKET_SERVICE_CLASS (klass)->run = rc_server_run;
}

static void
rc_server_init (RcServer *self)
{
  g_mutex_init (&self->lock);
  self->connections = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->wake_fd.fd = -1;
}

RcServer *
rc_server_new (const RcServerSettings  *settings,
               const RcServerLimits    *limits,
               GError                 **error)
{
  g_autoptr(RcServer) self = NULL;
  RcServerContext *context;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (RC_IS_PASSWORD (settings->password), NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (settings->certificate), NULL);
  g_return_val_if_fail (RC_IS_STATE_DIR (settings->state_dir), NULL);

  /* -1: no thread limit; the cap is the admission's. */
  self = g_object_new (RC_TYPE_SERVER, "max-threads", -1, NULL);
  self->host = g_strdup (settings->host);
  self->port = settings->port;
  self->state_dir = g_object_ref (settings->state_dir);

  context = self->context = rc_server_context_new ();
  if (limits != NULL)
    context->limits = *limits;
  context->name = g_strdup (settings->server_name);
  context->password = g_object_ref (settings->password);
  context->resume_seconds = settings->resume_seconds;
  context->main_context = g_main_context_ref_thread_default ();
  context->credentials = rc_tls_credentials_new (settings->certificate, error);
  if (context->credentials == NULL)
    return NULL;
  context->handshakes = rc_handshake_pool_new (g_get_num_processors ());
  context->registry = rc_room_registry_new ();
  context->blocks = rc_block_list_new (settings->max_auth_failures, settings->block_seconds);
  context->admission = rc_admission_new (settings->max_connections, settings->max_connections_per_ip);
  self->admission = g_object_ref (context->admission);
  context->statistics = rc_statistics_new (context->registry, context->blocks, context->admission);
  context->writer = rc_state_writer_new (settings->state_dir, context->statistics, context->blocks);
  context->wake = g_cancellable_new ();

  return g_steal_pointer (&self);
}

/* Reads a file an earlier run left into @contents; a missing one is no
 * error and leaves it NULL. */
static gboolean
read_state (RcServer    *self,
            const char  *name,
            char       **contents,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  *contents = rc_state_dir_read (self->state_dir, name, NULL, &local_error);
  if (*contents == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Takes over the blocks and statistics of earlier runs. */
static gboolean
load_state (RcServer  *self,
            GError   **error)
{
  RcServerContext *context = self->context;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *blocks = NULL;
  g_autofree char *stats = NULL;
  g_autofree char *ips = NULL;

  rc_state_dir_remove_stale (self->state_dir);

  if (!read_state (self, RC_STATE_BLOCKS_FILE, &blocks, error))
    return FALSE;
  if (blocks != NULL && !rc_block_list_load (context->blocks, blocks, strlen (blocks), &local_error))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s/%s: %s",
                   rc_state_dir_get_path (self->state_dir), RC_STATE_BLOCKS_FILE, local_error->message);
      return FALSE;
    }

  /* Statistics never stop the server. */
  if (!read_state (self, RC_STATE_STATS_FILE, &stats, &local_error) ||
      !read_state (self, RC_STATE_IPS_FILE, &ips, &local_error))
    g_warning ("Starting the statistics afresh: %s", local_error->message);
  rc_statistics_load (context->statistics, stats, ips);

  return TRUE;
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
          g_warning ("Cannot listen on %s port %u: %s", text, port, last_error->message);
          continue;
        }

      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
      g_info ("Listening on %s port %u", text, port);
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
  RcServerContext *context;
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (RC_IS_SERVER (self), FALSE);

  context = self->context;
  rc_admission_fit_descriptors (context->admission);

  if (!load_state (self, error))
    return FALSE;

  if (!listen_on_host (self, error))
    return FALSE;

  /* Every idle connection waits on this cancellable: one descriptor for
   * all, kept open from now on. */
  g_cancellable_make_pollfd (context->wake, &self->wake_fd);

  fingerprint = rc_certificate_fingerprint (rc_tls_credentials_get_certificate (context->credentials));
  g_info ("%s is up: at most %u connections, %u per address; certificate SHA-256 fingerprint %s",
             context->name, rc_admission_get_max_connections (context->admission),
             rc_admission_get_max_per_address (context->admission), fingerprint);

  rc_state_writer_start (context->writer);
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
 * rc_server_reconfigure:
 * @settings: a reloaded configuration's; host, port, state directory and
 *   certificate are not read
 *
 * Applies what a reload may change: the name and the password for the
 * connections accepted from now on (a connection keeps the context it was
 * accepted with), and the limits of admission and blocking for everyone at
 * once. Connections over a lowered limit stay.
 */
void
rc_server_reconfigure (RcServer               *self,
                       const RcServerSettings *settings)
{
  RcServerContext *context;
  RcServerContext *old;

  g_return_if_fail (RC_IS_SERVER (self));
  g_return_if_fail (RC_IS_PASSWORD (settings->password));

  g_mutex_lock (&self->lock);
  context = rc_server_context_copy (self->context);
  g_mutex_unlock (&self->lock);

  g_free (context->name);
  context->name = g_strdup (settings->server_name);
  g_set_object (&context->password, settings->password);
  context->resume_seconds = settings->resume_seconds;
  rc_admission_set_limits (context->admission, settings->max_connections, settings->max_connections_per_ip);
  rc_block_list_set_limits (context->blocks, settings->max_auth_failures, settings->block_seconds);

  g_mutex_lock (&self->lock);
  old = self->context;
  self->context = context;
  g_mutex_unlock (&self->lock);
  rc_server_context_unref (old);
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
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, (gpointer *) &connection, NULL))
    g_ptr_array_add (connections, g_object_ref (connection));
  g_mutex_unlock (&self->lock);

  g_info ("Shutting down: closing %u connections", connections->len);
  for (guint i = 0; i < connections->len; i++)
    rc_connection_terminate (g_ptr_array_index (connections, i));
  /* Last: a connection woken by it must find its own flag set. */
  g_cancellable_cancel (self->context->wake);
}

guint
rc_server_count_connections (RcServer *self)
{
  guint open = 0;

  g_return_val_if_fail (RC_IS_SERVER (self), 0);

  rc_admission_get_counts (self->context->admission, &open, NULL, NULL);
  return open;
}

/**
 * rc_server_log_status:
 *
 * Logs how the server is doing (SIGUSR1): connections, rooms, memory.
 */
void
rc_server_log_status (RcServer *self)
{
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) active = NULL;
  struct mallinfo2 heap = mallinfo2 ();
  guint open = 0;
  guint admitted = 0;
  guint away = 0;

  g_return_if_fail (RC_IS_SERVER (self));

  rc_admission_get_counts (self->admission, &open, &admitted, &away);
  rc_room_registry_snapshot (self->context->registry, &waiting, &active);
  g_info ("Status: %u connections open, %u logged in, %u seats away; %u rooms waiting, %u chats; "
             "heap %.1f MiB in use, %.1f MiB free",
             open, admitted, away, waiting->len, active->len,
             (double) (heap.uordblks + heap.hblkhd) / (1024 * 1024), (double) heap.fordblks / (1024 * 1024));
}

/* Writes the statistics and blocks a last time. */
void
rc_server_finish (RcServer *self)
{
  g_return_if_fail (RC_IS_SERVER (self));

  rc_state_writer_stop (self->context->writer);
}
