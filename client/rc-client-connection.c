/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "rc-client-connection.h"
#include "rc-client-connection-private.h"
#include "rc-known-servers.h"
#include "rc-task.h"

/* The object and opening it: TCP, TLS and the pinned certificate. The
 * streams, once open, are in rc-client-connection-io.c. */

/* Time allowed for the TCP connect and the TLS handshake. Reset to none
 * afterwards: a chat may stay quiet for long. */
#define CONNECT_TIMEOUT_SECONDS 20

G_DEFINE_FINAL_TYPE (RcClientConnection, rc_client_connection, G_TYPE_OBJECT)

guint _rc_client_connection_signals[N_SIGNALS];

static void
rc_client_connection_dispose (GObject *object)
{
  rc_client_connection_close (RC_CLIENT_CONNECTION (object));

  G_OBJECT_CLASS (rc_client_connection_parent_class)->dispose (object);
}

static void
rc_client_connection_finalize (GObject *object)
{
  RcClientConnection *self = RC_CLIENT_CONNECTION (object);

  g_free (self->host);
  g_free (self->known_servers_path);
  g_free (self->certificate_fingerprint);
  g_free (self->pinned_fingerprint);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rc_client_connection_parent_class)->finalize (object);
}

static void
rc_client_connection_class_init (RcClientConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rc_client_connection_dispose;
  object_class->finalize = rc_client_connection_finalize;

  _rc_client_connection_signals[SIGNAL_CERTIFICATE_UNKNOWN] =
    g_signal_new ("certificate-unknown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  _rc_client_connection_signals[SIGNAL_FRAME_RECEIVED] =
    g_signal_new ("frame-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  _rc_client_connection_signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rc_client_connection_init (RcClientConnection *self)
{
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->write_queue);
}

RcClientConnection *
rc_client_connection_new (const char *host,
                          guint16     port,
                          const char *known_servers_path)
{
  RcClientConnection *self;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (known_servers_path != NULL, NULL);

  self = g_object_new (RC_TYPE_CLIENT_CONNECTION, NULL);
  self->host = g_strdup (host);
  self->port = port;
  self->known_servers_path = g_strdup (known_servers_path);
  return self;
}

void
rc_client_connection_set_trust_new_certificates (RcClientConnection *self,
                                                 gboolean            trust)
{
  g_return_if_fail (RC_IS_CLIENT_CONNECTION (self));

  self->trust_new_certificates = !!trust;
}

/* Opening ----------------------------------------------------------------- */

static char *
server_key (RcClientConnection *self)
{
  return rc_known_servers_key (self->host, self->port);
}

/* Completes the pending open; on failure the streams are closed first. */
void
_rc_client_connection_finish_open (RcClientConnection *self,
                                   GError             *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->open_task);

  self->awaiting_trust = FALSE;
  self->lost_while_awaiting_trust = FALSE;
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  rc_task_unwatch_cancellable (task);

  if (error != NULL)
    {
      g_debug ("Opening the connection to %s failed: %s", self->host, error->message);
      _rc_client_connection_close_streams (self);
      g_task_return_error (task, error);
      return;
    }

  self->open = TRUE;
  g_task_return_boolean (task, TRUE);
}

/* Shared with the TLS handshake, which may run accept-certificate in a
 * worker thread: @pinned is set before the handshake and only read then,
 * @seen is written there and read once the handshake has completed. */
typedef struct
{
  char *pinned;
  char *seen;
} PinCheck;

static void
pin_check_free (gpointer  data,
                GClosure *closure)
{
  PinCheck *check = data;

  g_free (check->pinned);
  g_free (check->seen);
  g_free (check);
}

/* There is no CA database: the pinned fingerprint is the only trust. A new
 * server is let through here and asked about before anything is sent. */
static gboolean
accept_certificate_cb (GTlsConnection       *connection,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  PinCheck *check = user_data;

  g_free (check->seen);
  check->seen = rc_known_servers_fingerprint (certificate);

  return check->pinned == NULL || g_str_equal (check->pinned, check->seen);
}

static GError *
certificate_changed_error (RcClientConnection *self)
{
  g_autofree char *key = server_key (self);

  return g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_CHANGED,
                      "The certificate of %s has changed: it was %s and is now %s",
                      key, self->pinned_fingerprint, self->certificate_fingerprint);
}

static gboolean
pin_certificate (RcClientConnection  *self,
                 GError             **error)
{
  g_autofree char *key = server_key (self);

  if (!rc_known_servers_pin (self->known_servers_path, key, self->certificate_fingerprint, error))
    return FALSE;

  g_free (self->pinned_fingerprint);
  self->pinned_fingerprint = g_strdup (self->certificate_fingerprint);
  return TRUE;
}

/* The handshake is done: the certificate decides whether the open is. */
static void
check_certificate (RcClientConnection *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;

  if (self->pinned_fingerprint != NULL)
    {
      /* accept-certificate has already refused a different one; this
       * holds even if the backend never asked. */
      if (!g_str_equal (self->pinned_fingerprint, self->certificate_fingerprint))
        _rc_client_connection_finish_open (self, certificate_changed_error (self));
      else
        _rc_client_connection_finish_open (self, NULL);
      return;
    }

  if (self->trust_new_certificates)
    {
      if (!pin_certificate (self, &error))
        _rc_client_connection_finish_open (self, g_steal_pointer (&error));
      else
        _rc_client_connection_finish_open (self, NULL);
      return;
    }

  self->awaiting_trust = TRUE;
  key = server_key (self);
  g_signal_emit (self, _rc_client_connection_signals[SIGNAL_CERTIFICATE_UNKNOWN], 0,
                 key, self->certificate_fingerprint);
}

/* Callbacks get the connection unowned and return at once on CANCELLED;
 * see rc-client-connection-private.h. */
static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTlsConnection *tls = G_TLS_CONNECTION (source);
  g_autoptr(RcClientConnection) self = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  if (!g_tls_connection_handshake_finish (tls, result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = g_object_ref (user_data);
  if (tls != self->tls)
    return;

  certificate = g_tls_connection_get_peer_certificate (tls);
  g_free (self->certificate_fingerprint);
  self->certificate_fingerprint = certificate != NULL ? rc_known_servers_fingerprint (certificate) : NULL;

  if (error != NULL)
    {
      PinCheck *check = g_object_get_data (G_OBJECT (tls), "rc-pin-check");

      if (self->certificate_fingerprint == NULL && check->seen != NULL)
        self->certificate_fingerprint = g_strdup (check->seen);
      if (self->pinned_fingerprint != NULL && self->certificate_fingerprint != NULL &&
          !g_str_equal (self->pinned_fingerprint, self->certificate_fingerprint))
        _rc_client_connection_finish_open (self, certificate_changed_error (self));
      else
        _rc_client_connection_finish_open (self,
          g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_TLS,
                       "The TLS handshake with %s failed: %s", self->host, error->message));
      return;
    }

  if (g_tls_connection_get_protocol_version (tls) != G_TLS_PROTOCOL_VERSION_TLS_1_3)
    {
      _rc_client_connection_finish_open (self,
        g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_TLS,
                     "%s did not negotiate TLS 1.3", self->host));
      return;
    }

  g_socket_set_timeout (g_socket_connection_get_socket (self->tcp), 0);
  /* Reading starts before anything is sent, so that a server that gives
   * up while the person looks at a new certificate is noticed. */
  _rc_client_connection_start_reading (self);
  check_certificate (self);
}

static void
tcp_connected_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RcClientConnection) self = NULL;
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  PinCheck *check;
  GIOStream *tls;

  tcp = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = g_object_ref (user_data);
  if (tcp == NULL)
    {
      _rc_client_connection_finish_open (self, g_steal_pointer (&error));
      return;
    }

  /* A server that reset the connection at once leaves a socket with no
   * remote address, and glib-networking 2.74 then unrefs a NULL address
   * while it prepares the handshake (a critical warning, fatal under
   * G_DEBUG): such a connection fails here, as it would in the handshake. */
  remote = g_socket_connection_get_remote_address (tcp, &error);
  if (remote == NULL)
    {
      _rc_client_connection_finish_open (self, g_steal_pointer (&error));
      return;
    }

  self->tcp = g_steal_pointer (&tcp);
  if (!g_socket_set_option (g_socket_connection_get_socket (self->tcp),
                            IPPROTO_TCP, TCP_NODELAY, 1, &error))
    {
      g_debug ("Cannot set TCP_NODELAY: %s", error->message);
      g_clear_error (&error);
    }

  key = server_key (self);
  g_free (self->pinned_fingerprint);
  self->pinned_fingerprint = rc_known_servers_lookup (self->known_servers_path, key, &error);
  if (error != NULL)
    {
      _rc_client_connection_finish_open (self, g_steal_pointer (&error));
      return;
    }

  /* No CA database: loading the system's costs milliseconds and megabytes
   * per connection, and pinning does not use it. */
  identity = g_network_address_new (self->host, self->port);
  tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                        NULL, &error,
                        "base-io-stream", self->tcp,
                        "server-identity", identity,
                        "database", NULL,
                        NULL);
  if (tls == NULL)
    {
      _rc_client_connection_finish_open (self,
        g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_TLS, "Cannot use TLS: %s", error->message));
      return;
    }
  self->tls = G_TLS_CONNECTION (tls);

  check = g_new0 (PinCheck, 1);
  check->pinned = g_strdup (self->pinned_fingerprint);
  g_object_set_data (G_OBJECT (tls), "rc-pin-check", check);
  g_signal_connect_data (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                         check, pin_check_free, 0);

  g_tls_connection_handshake_async (self->tls, G_PRIORITY_DEFAULT, self->cancellable,
                                    handshake_cb, self);
}

static void
start_connecting (RcClientConnection *self)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_SECONDS);
  g_socket_client_connect_to_host_async (client, self->host, self->port, self->cancellable,
                                         tcp_connected_cb, self);
}

static gboolean
open_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  _rc_client_connection_finish_open (RC_CLIENT_CONNECTION (user_data),
    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Connecting was cancelled"));
  return G_SOURCE_REMOVE;
}

void
rc_client_connection_open_async (RcClientConnection  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RC_IS_CLIENT_CONNECTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->open_task == NULL && self->tcp == NULL && !self->open);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_name (task, "rc_client_connection_open_async");

  /* The task holds the connection, so the watch cannot outlive it. */
  rc_task_watch_cancellable (task, cancellable, open_cancelled_cb, self);

  self->open_task = g_steal_pointer (&task);
  g_clear_pointer (&self->certificate_fingerprint, g_free);
  g_clear_pointer (&self->pinned_fingerprint, g_free);
  start_connecting (self);
}

gboolean
rc_client_connection_open_finish (RcClientConnection  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (RC_IS_CLIENT_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rc_client_connection_trust_certificate (RcClientConnection *self,
                                        gboolean            trusted)
{
  g_autoptr(RcClientConnection) self_ref = NULL;
  g_autoptr(GError) error = NULL;
  gboolean lost;

  g_return_if_fail (RC_IS_CLIENT_CONNECTION (self));
  g_return_if_fail (self->awaiting_trust);

  self_ref = g_object_ref (self);
  lost = self->lost_while_awaiting_trust;
  self->awaiting_trust = FALSE;
  self->lost_while_awaiting_trust = FALSE;

  if (!trusted)
    {
      g_autofree char *key = server_key (self);

      _rc_client_connection_finish_open (self,
        g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_REJECTED,
                     "The certificate of %s was not trusted", key));
      return;
    }

  if (!pin_certificate (self, &error))
    {
      _rc_client_connection_finish_open (self, g_steal_pointer (&error));
      return;
    }

  /* The server gave up waiting while the person was deciding; the
   * certificate is pinned now, so the next handshake asks nothing. */
  if (lost)
    {
      _rc_client_connection_close_streams (self);
      start_connecting (self);
      return;
    }

  _rc_client_connection_finish_open (self, NULL);
}

gboolean
rc_client_connection_get_open (RcClientConnection *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_CONNECTION (self), FALSE);

  return self->open;
}

const char *
rc_client_connection_get_certificate_fingerprint (RcClientConnection *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_CONNECTION (self), NULL);

  return self->certificate_fingerprint;
}

const char *
rc_client_connection_get_pinned_fingerprint (RcClientConnection *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_CONNECTION (self), NULL);

  return self->pinned_fingerprint;
}
