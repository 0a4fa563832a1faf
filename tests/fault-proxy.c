/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <sys/socket.h>

#include "fault-proxy.h"

typedef struct _Link Link;

/* One side of a link: the bytes read from @from go to @to. */
typedef struct
{
  Link              *link;
  FaultDirection     direction;
  GSocketConnection *from;
  GSocketConnection *to;
  guint8             buffer[16384];
} Pump;

struct _Link
{
  FaultProxy        *proxy;
  GSocketConnection *client;
  GSocketConnection *server;     /* NULL until connected */
  GCancellable      *cancellable;
  Pump               pumps[2];   /* by FaultDirection */
  guint              busy;       /* pending operations, each holding the link */
  gboolean           closed;
};

struct _FaultProxy
{
  /* With a thread of its own, everything below is its thread's, and the
   * public functions run there (call_in_thread) */
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;

  GSocketService *service;
  char           *server_host;
  guint16         server_port;
  guint16         port;
  GPtrArray      *links;         /* open links; the proxy holds each once */
  GPtrArray      *kept;          /* links whose server side is kept open */
  gboolean        swallow[2];
  gboolean        cut_on_write[2];
  gboolean        refuse;
  guint           accepted;
};

static void pump_read (Pump *pump);

static void
link_hold (Link *link)
{
  link->busy++;
}

static void
link_release (Link *link)
{
  if (--link->busy > 0)
    return;

  g_clear_object (&link->client);
  g_clear_object (&link->server);
  g_clear_object (&link->cancellable);
  g_free (link);
}

/* A reset, not a FIN: the other end learns at once that the link is gone. */
static void
close_with_reset (GSocketConnection *connection)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };
  GSocket *socket;

  if (connection == NULL)
    return;

  socket = g_socket_connection_get_socket (connection);
  setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  g_socket_close (socket, NULL);
}

static void
link_close (Link     *link,
            gboolean  keep_server_side)
{
  if (link->closed)
    return;

  link->closed = TRUE;
  g_ptr_array_remove (link->proxy->links, link);
  if (keep_server_side)
    {
      /* Only the client's socket goes; the server's stays open with
       * nothing read from it, held until the proxy is freed. */
      close_with_reset (link->client);
      g_cancellable_cancel (link->cancellable);
      g_ptr_array_add (link->proxy->kept, link);
      return;
    }

  g_cancellable_cancel (link->cancellable);
  close_with_reset (link->client);
  close_with_reset (link->server);
  link_release (link);
}

static void
pump_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pump *pump = user_data;
  Link *link = pump->link;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    link_close (link, FALSE);
  else if (!link->closed)
    pump_read (pump);
  link_release (link);
}

static void
pump_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *pump = user_data;
  Link *link = pump->link;
  FaultProxy *proxy = link->proxy;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  if (link->closed)
    {
      link_release (link);
      return;
    }
  if (n <= 0)
    {
      link_close (link, FALSE);
      link_release (link);
      return;
    }

  if (proxy->cut_on_write[pump->direction])
    {
      proxy->cut_on_write[pump->direction] = FALSE;
      fault_proxy_cut_all (proxy);
      link_release (link);
      return;
    }

  if (proxy->swallow[pump->direction])
    {
      pump_read (pump);
      link_release (link);
      return;
    }

  link_hold (link);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (pump->to)),
                                   pump->buffer, (gsize) n, G_PRIORITY_DEFAULT,
                                   link->cancellable, pump_written_cb, pump);
  link_release (link);
}

static void
pump_read (Pump *pump)
{
  link_hold (pump->link);
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (pump->from)),
                             pump->buffer, sizeof pump->buffer, G_PRIORITY_DEFAULT,
                             pump->link->cancellable, pump_read_cb, pump);
}

static void
server_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Link *link = user_data;

  link->server = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, NULL);
  if (link->closed && !g_ptr_array_find (link->proxy->kept, link, NULL))
    close_with_reset (link->server);
  if (link->server == NULL || link->closed)
    {
      link_close (link, FALSE);
      link_release (link);
      return;
    }

  link->pumps[FAULT_TO_SERVER] = (Pump) { link, FAULT_TO_SERVER, link->client, link->server, { 0 } };
  link->pumps[FAULT_TO_CLIENT] = (Pump) { link, FAULT_TO_CLIENT, link->server, link->client, { 0 } };
  pump_read (&link->pumps[FAULT_TO_SERVER]);
  pump_read (&link->pumps[FAULT_TO_CLIENT]);
  link_release (link);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  FaultProxy *self = user_data;
  g_autoptr(GSocketClient) client = NULL;
  Link *link;

  self->accepted++;
  if (self->refuse)
    {
      close_with_reset (connection);
      return TRUE;
    }

  link = g_new0 (Link, 1);
  link->proxy = self;
  link->client = g_object_ref (connection);
  link->cancellable = g_cancellable_new ();
  link->busy = 1;   /* the proxy's own hold, dropped when it is freed */
  g_ptr_array_add (self->links, link);

  client = g_socket_client_new ();
  link_hold (link);
  g_socket_client_connect_to_host_async (client, self->server_host, self->server_port,
                                         link->cancellable, server_connected_cb, link);
  return TRUE;
}

static void
start_listening (FaultProxy *self)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  self->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->service);
}

static FaultProxy *
proxy_new (const char *server_host,
           guint16     server_port)
{
  FaultProxy *self = g_new0 (FaultProxy, 1);

  self->server_host = g_strdup (server_host);
  self->server_port = server_port;
  self->links = g_ptr_array_new ();
  self->kept = g_ptr_array_new ();
  return self;
}

FaultProxy *
fault_proxy_new (const char *server_host,
                 guint16     server_port)
{
  FaultProxy *self = proxy_new (server_host, server_port);

  start_listening (self);
  return self;
}

/* A call from the test's thread, run in the proxy's */
typedef struct
{
  FaultProxy *proxy;
  void      (*func) (FaultProxy *proxy, gpointer data);
  gpointer    data;
  GMutex      lock;
  GCond       cond;
  gboolean    done;
} Call;

static gboolean
call_cb (gpointer user_data)
{
  Call *call = user_data;

  call->func (call->proxy, call->data);
  g_mutex_lock (&call->lock);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

static void
call_in_thread (FaultProxy *self,
                void      (*func) (FaultProxy *proxy, gpointer data),
                gpointer    data)
{
  Call call = { self, func, data, { 0 }, { 0 }, FALSE };

  if (self->thread == NULL || g_thread_self () == self->thread)
    {
      func (self, data);
      return;
    }

  g_mutex_init (&call.lock);
  g_cond_init (&call.cond);
  g_main_context_invoke (self->context, call_cb, &call);
  g_mutex_lock (&call.lock);
  while (!call.done)
    g_cond_wait (&call.cond, &call.lock);
  g_mutex_unlock (&call.lock);
  g_mutex_clear (&call.lock);
  g_cond_clear (&call.cond);
}

static void
listen_in_thread (FaultProxy *self,
                  gpointer    data)
{
  start_listening (self);
}

static gpointer
proxy_thread_run (gpointer user_data)
{
  FaultProxy *self = user_data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  /* What the links had pending ends here */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

FaultProxy *
fault_proxy_new_in_thread (const char *server_host,
                           guint16     server_port)
{
  FaultProxy *self = proxy_new (server_host, server_port);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("fault-proxy", proxy_thread_run, self);
  call_in_thread (self, listen_in_thread, NULL);
  return self;
}

guint16
fault_proxy_get_port (FaultProxy *self)
{
  return self->port;
}

static void
cut_all (FaultProxy *self,
         gpointer    data)
{
  while (self->links->len > 0)
    link_close (g_ptr_array_index (self->links, 0), FALSE);
}

void
fault_proxy_cut_all (FaultProxy *self)
{
  call_in_thread (self, cut_all, NULL);
}

static void
cut_client_side (FaultProxy *self,
                 gpointer    data)
{
  g_autoptr(GPtrArray) links = g_ptr_array_copy (self->links, NULL, NULL);

  for (guint i = 0; i < links->len; i++)
    link_close (g_ptr_array_index (links, i), TRUE);
}

void
fault_proxy_cut_client_side (FaultProxy *self)
{
  call_in_thread (self, cut_client_side, NULL);
}

typedef struct
{
  FaultDirection direction;
  gboolean       value;
} Setting;

static void
set_swallow (FaultProxy *self,
             gpointer    data)
{
  Setting *setting = data;

  self->swallow[setting->direction] = setting->value;
}

void
fault_proxy_set_swallow (FaultProxy     *self,
                         FaultDirection  direction,
                         gboolean        swallow)
{
  Setting setting = { direction, swallow };

  call_in_thread (self, set_swallow, &setting);
}

static void
set_cut_on_write (FaultProxy *self,
                  gpointer    data)
{
  Setting *setting = data;

  self->cut_on_write[setting->direction] = setting->value;
}

void
fault_proxy_cut_on_write (FaultProxy     *self,
                          FaultDirection  direction)
{
  Setting setting = { direction, TRUE };

  call_in_thread (self, set_cut_on_write, &setting);
}

static void
set_refuse (FaultProxy *self,
            gpointer    data)
{
  self->refuse = *(gboolean *) data;
}

void
fault_proxy_set_refuse (FaultProxy *self,
                        gboolean    refuse)
{
  call_in_thread (self, set_refuse, &refuse);
}

static void
read_accepted (FaultProxy *self,
               gpointer    data)
{
  *(guint *) data = self->accepted;
}

guint
fault_proxy_get_accepted (FaultProxy *self)
{
  guint accepted = 0;

  call_in_thread (self, read_accepted, &accepted);
  return accepted;
}

static void
shut_down (FaultProxy *self,
           gpointer    data)
{
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  fault_proxy_cut_all (self);
  for (guint i = 0; i < self->kept->len; i++)
    {
      Link *link = g_ptr_array_index (self->kept, i);

      close_with_reset (link->server);
      link_release (link);
    }
  g_clear_object (&self->service);
  if (self->loop != NULL)
    g_main_loop_quit (self->loop);
}

void
fault_proxy_free (FaultProxy *self)
{
  call_in_thread (self, shut_down, NULL);
  if (self->thread != NULL)
    {
      g_thread_join (self->thread);
      g_main_loop_unref (self->loop);
      g_main_context_unref (self->context);
    }
  g_ptr_array_unref (self->links);
  g_ptr_array_unref (self->kept);
  g_free (self->server_host);
  g_free (self);
}
