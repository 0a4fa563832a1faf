/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <glib/gstdio.h>

#include "rc-client-session.h"
#include "rc-client-session-private.h"
#include "rc-known-servers.h"

/* Connecting: TCP, TLS with the pinned certificate, hello, and the
 * identity key loaded meanwhile. As in rc-client-session-io.c, callbacks
 * get the session unowned and return at once on CANCELLED. */

/* Time allowed for the TCP connect and the TLS handshake. Reset to none
 * afterwards: a chat may stay quiet for long. */
#define CONNECT_TIMEOUT_SECONDS 20

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static char *
server_key (RcClientSession *self)
{
  return rc_known_servers_key (self->host, self->port);
}

/* Connecting -------------------------------------------------------------- */

/* Shared with the TLS handshake, which may run accept-certificate in a
 * worker thread: @pinned is set before the handshake and only read then,
 * @seen is written there and read once the handshake has completed. */
typedef struct
{
  char *pinned;
  char *seen;
} PinCheck;

static void
pin_check_free (gpointer data,
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
certificate_changed_error (RcClientSession *self)
{
  g_autofree char *key = server_key (self);

  return g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_CHANGED,
                      "The certificate of %s has changed: it was %s and is now %s",
                      key, self->pinned_fingerprint, self->certificate_fingerprint);
}

static void
send_hello (RcClientSession *self)
{
  g_autoptr(RcFrame) hello = rc_frame_new (RC_FRAME_HELLO);

  hello->version = RC_PROTOCOL_VERSION;
  hello->name = g_strdup (self->name);
  hello->password = g_strdup (self->password != NULL ? self->password : "");
  rc_client_session_send_frame (self, hello);
}

static gboolean
pin_certificate (RcClientSession  *self,
                 GError          **error)
{
  g_autofree char *key = server_key (self);

  if (!rc_known_servers_pin (self->known_servers_path, key, self->certificate_fingerprint, error))
    return FALSE;

  g_free (self->pinned_fingerprint);
  self->pinned_fingerprint = g_strdup (self->certificate_fingerprint);
  return TRUE;
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTlsConnection *tls = G_TLS_CONNECTION (source);
  g_autoptr(RcClientSession) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) pin_error = NULL;
  g_autofree char *key = NULL;
  GTlsCertificate *certificate;

  if (!g_tls_connection_handshake_finish (tls, result, &error) && is_cancelled (error))
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
        rc_client_session_finish_connect (self, certificate_changed_error (self));
      else
        rc_client_session_finish_connect (self,
          g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_TLS,
                       "The TLS handshake with %s failed: %s", self->host, error->message));
      return;
    }

  if (g_tls_connection_get_protocol_version (tls) != G_TLS_PROTOCOL_VERSION_TLS_1_3)
    {
      rc_client_session_finish_connect (self,
        g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_TLS,
                     "%s did not negotiate TLS 1.3", self->host));
      return;
    }

  g_socket_set_timeout (g_socket_connection_get_socket (self->tcp), 0);
  rc_client_session_start_reading (self);

  if (self->pinned_fingerprint != NULL)
    {
      /* accept-certificate has already refused a different one; this
       * holds even if the backend never asked. */
      if (!g_str_equal (self->pinned_fingerprint, self->certificate_fingerprint))
        rc_client_session_finish_connect (self, certificate_changed_error (self));
      else
        send_hello (self);
      return;
    }

  if (self->trust_new_certificates)
    {
      if (!pin_certificate (self, &pin_error))
        rc_client_session_finish_connect (self, g_steal_pointer (&pin_error));
      else
        send_hello (self);
      return;
    }

  self->awaiting_trust = TRUE;
  key = server_key (self);
  g_signal_emit (self, rc_client_session_signals[SIGNAL_CERTIFICATE_UNKNOWN], 0,
                 key, self->certificate_fingerprint);
}

static void
tcp_connected_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RcClientSession) self = NULL;
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  PinCheck *check;
  GIOStream *tls;

  tcp = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (is_cancelled (error))
    return;

  self = g_object_ref (user_data);
  if (tcp == NULL)
    {
      rc_client_session_finish_connect (self, g_steal_pointer (&error));
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
      rc_client_session_finish_connect (self, g_steal_pointer (&error));
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
      rc_client_session_finish_connect (self,
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
start_connecting (RcClientSession *self)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_SECONDS);
  g_socket_client_connect_to_host_async (client, self->host, self->port, self->cancellable,
                                         tcp_connected_cb, self);
}

static gboolean
connect_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  RcClientSession *self = user_data;

  rc_client_session_finish_connect (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                               "Connecting was cancelled"));
  return G_SOURCE_REMOVE;
}

/* Completes the pending connect. On failure, the connection is dropped
 * first, so the caller's callback sees the session disconnected. */
void
rc_client_session_finish_connect (RcClientSession *self,
                                  GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);
  GSource *source;

  if (self->password != NULL)
    {
      memset (self->password, 0, strlen (self->password));
      g_clear_pointer (&self->password, g_free);
    }

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  source = g_task_get_task_data (task);
  if (source != NULL)
    g_source_destroy (source);

  if (error != NULL)
    {
      g_debug ("Connecting failed: %s", error->message);
      rc_client_session_teardown (self);
      g_task_return_error (task, error);
    }
  else
    {
      g_task_return_boolean (task, TRUE);
    }
}

void
rc_client_session_connect_async (RcClientSession     *self,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RC_IS_CLIENT_SESSION (self));
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->state == RC_SESSION_STATE_DISCONNECTED);
  g_return_if_fail (self->connect_task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_name (task, "rc_client_session_connect_async");

  /* The person's cancellable ends the connecting from the main loop, not
   * from inside g_cancellable_cancel(). */
  if (cancellable != NULL)
    {
      GSource *source = g_cancellable_source_new (cancellable);

      g_source_set_callback (source, G_SOURCE_FUNC (connect_cancelled_cb), self, NULL);
      g_source_attach (source, g_main_context_get_thread_default ());
      g_task_set_task_data (task, source, (GDestroyNotify) g_source_unref);
    }

  self->connect_task = g_steal_pointer (&task);
  self->password = g_strdup (password);
  g_clear_pointer (&self->server_name, g_free);
  g_clear_pointer (&self->certificate_fingerprint, g_free);
  g_clear_pointer (&self->pinned_fingerprint, g_free);
  g_clear_error (&self->closing_error);

  rc_client_session_set_state (self, RC_SESSION_STATE_CONNECTING);
  rc_client_session_load_identity (self);
  start_connecting (self);
}

gboolean
rc_client_session_connect_finish (RcClientSession  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rc_client_session_trust_certificate (RcClientSession *self,
                                     gboolean         trusted)
{
  g_autoptr(RcClientSession) self_ref = NULL;
  g_autoptr(GError) error = NULL;
  gboolean lost;

  g_return_if_fail (RC_IS_CLIENT_SESSION (self));
  g_return_if_fail (self->awaiting_trust);

  self_ref = g_object_ref (self);
  lost = self->lost_while_awaiting_trust;
  self->awaiting_trust = FALSE;
  self->lost_while_awaiting_trust = FALSE;

  if (!trusted)
    {
      g_autofree char *key = server_key (self);

      rc_client_session_finish_connect (self,
        g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_REJECTED,
                     "The certificate of %s was not trusted", key));
      return;
    }

  if (!pin_certificate (self, &error))
    {
      rc_client_session_finish_connect (self, g_steal_pointer (&error));
      return;
    }

  if (lost)
    {
      rc_client_session_drop_connection (self);
      start_connecting (self);
      return;
    }

  send_hello (self);
}

/* The identity key ------------------------------------------------------- */

static void
identity_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(RcClientSession) self = user_data;
  g_autoptr(GError) error = NULL;

  self->identity_loading = FALSE;
  self->identity = rc_identity_load_or_generate_finish (result, &error);
  if (self->identity == NULL)
    {
      g_clear_error (&self->identity_error);
      self->identity_error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                          "Cannot load or make the identity key %s: %s",
                                          self->identity_path, error->message);
    }

  if (!g_cancellable_is_cancelled (self->identity_cancellable))
    rc_client_session_identity_ready (self);
}

/* Starts loading (or making, the first time) the identity key in a worker
 * thread, so that creating or joining a room does not wait for it. */
void
rc_client_session_load_identity (RcClientSession *self)
{
  g_autofree char *folder = NULL;

  if (self->identity != NULL || self->identity_loading)
    return;

  folder = g_path_get_dirname (self->identity_path);
  g_mkdir_with_parents (folder, 0700);

  g_clear_error (&self->identity_error);
  self->identity_loading = TRUE;
  rc_identity_load_or_generate_async (self->identity_path, self->identity_cancellable,
                                      identity_loaded_cb, g_object_ref (self));
}
