/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "rc-client-session.h"
#include "rc-client-session-private.h"
#include "rc-task.h"

/* The session's side of its connection: connecting (the connection, the
 * identity key, hello and welcome), the one place where every frame from
 * the server is dispatched by its type, and the end of the connection. */

#define signals _rc_client_session_signals

static void on_certificate_unknown (RcClientSession    *self,
                                    const char         *server,
                                    const char         *fingerprint,
                                    RcClientConnection *connection);
static void on_frame_received      (RcClientSession    *self,
                                    RcFrame            *frame,
                                    RcClientConnection *connection);
static void on_connection_closed   (RcClientSession    *self,
                                    GError             *error,
                                    RcClientConnection *connection);

/* Connected once: each new connection only becomes the group's target. */
void
_rc_client_session_init_connection (RcClientSession *self)
{
  self->connection_signals = g_signal_group_new (RC_TYPE_CLIENT_CONNECTION);
  g_signal_group_connect_swapped (self->connection_signals, "certificate-unknown",
                                  G_CALLBACK (on_certificate_unknown), self);
  g_signal_group_connect_swapped (self->connection_signals, "frame-received",
                                  G_CALLBACK (on_frame_received), self);
  g_signal_group_connect_swapped (self->connection_signals, "closed",
                                  G_CALLBACK (on_connection_closed), self);
}

void
_rc_client_session_wipe_password (RcClientSession *self)
{
  if (self->password == NULL)
    return;

  memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
}

/* Connecting --------------------------------------------------------------- */

/* Completes the pending connect. On failure, the connection is dropped
 * first, so the caller's callback sees the session disconnected. */
static void
finish_connect (RcClientSession *self,
                GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  /* A resume logs in again with it; nothing else needs it any more. */
  if (error != NULL || self->version < RC_PROTOCOL_VERSION_RESUME || self->resume_seconds <= 0)
    _rc_client_session_wipe_password (self);
  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  rc_task_unwatch_cancellable (task);

  if (error != NULL)
    {
      g_debug ("Connecting failed: %s", error->message);
      _rc_client_session_teardown (self);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

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
    _rc_client_session_identity_ready (self);
}

/* Starts loading (or making, the first time) the identity key in a worker
 * thread, so that creating or joining a room does not wait for it. */
static void
load_identity (RcClientSession *self)
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

static void
send_hello (RcClientSession *self)
{
  g_autoptr(RcFrame) hello = rc_frame_new (RC_FRAME_HELLO);

  hello->version = self->hello_version;
  hello->name = g_strdup (self->name);
  hello->password = g_strdup (self->password != NULL ? self->password : "");
  _rc_client_session_send (self, hello);
}

static void
connection_opened_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  RcClientConnection *connection = RC_CLIENT_CONNECTION (source);
  g_autoptr(RcClientSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (connection != self->connection)
    return;

  if (!rc_client_connection_open_finish (connection, result, &error))
    {
      if (self->reconnecting)
        _rc_client_session_reconnect_failed (self, g_steal_pointer (&error));
      else
        finish_connect (self, g_steal_pointer (&error));
      return;
    }

  /* The pin is checked by the connection; this also catches a
   * known-servers file changed behind the session's back. */
  if (self->reconnecting &&
      g_strcmp0 (rc_client_connection_get_certificate_fingerprint (connection),
                 self->server_fingerprint) != 0)
    {
      _rc_client_session_reconnect_failed (self,
        g_error_new (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_CHANGED,
                     "The server's certificate changed: it is %s now, it was %s",
                     rc_client_connection_get_certificate_fingerprint (connection),
                     self->server_fingerprint));
      return;
    }

  if (self->connect_task != NULL || self->reconnecting)
    send_hello (self);
}

static gboolean
unref_cb (gpointer object)
{
  g_object_unref (object);
  return G_SOURCE_REMOVE;
}

/* Closes the current connection for good: nothing more is heard of it.
 * This may run from the connection's own callbacks, so its last
 * reference goes from the main loop, once they have returned. */
void
_rc_client_session_release_connection (RcClientSession *self)
{
  if (self->connection != NULL)
    {
      rc_client_connection_close (self->connection);
      g_idle_add_full (G_PRIORITY_DEFAULT, unref_cb, g_steal_pointer (&self->connection), NULL);
    }
  g_signal_group_set_target (self->connection_signals, NULL);
  self->link_welcomed = FALSE;
}

/* Puts a new connection under the session and opens it; a room the
 * session is in is not touched. */
void
_rc_client_session_open_connection (RcClientSession *self)
{
  g_autoptr(RcClientConnection) connection = NULL;

  _rc_client_session_release_connection (self);
  connection = rc_client_connection_new (self->host, self->port, self->known_servers_path);
  rc_client_connection_set_trust_new_certificates (connection,
                                                   self->trust_new_certificates && !self->reconnecting);
  g_set_object (&self->connection, connection);
  g_signal_group_set_target (self->connection_signals, connection);
  rc_client_connection_open_async (connection, NULL, connection_opened_cb, g_object_ref (self));
}

static gboolean
connect_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  finish_connect (RC_CLIENT_SESSION (user_data),
                  g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Connecting was cancelled"));
  return G_SOURCE_REMOVE;
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

  /* The person's cancellable ends the whole connect, hello and welcome
   * included; ending it closes the connection, which ends a pending open. */
  rc_task_watch_cancellable (task, cancellable, connect_cancelled_cb, self);

  self->connect_task = g_steal_pointer (&task);
  _rc_client_session_wipe_password (self);
  self->password = g_strdup (password);
  g_clear_pointer (&self->server_name, g_free);
  g_clear_error (&self->closing_error);
  self->hello_version = RC_PROTOCOL_VERSION_RESUME;
  self->version = 0;
  self->resume_seconds = 0;

  _rc_client_session_set_state (self, RC_SESSION_STATE_CONNECTING);
  load_identity (self);
  _rc_client_session_open_connection (self);
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

static void
on_certificate_unknown (RcClientSession    *self,
                        const char         *server,
                        const char         *fingerprint,
                        RcClientConnection *connection)
{
  /* The room began on a pinned certificate: a reconnect never asks. */
  if (self->reconnecting)
    {
      rc_client_connection_trust_certificate (connection, FALSE);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_CERTIFICATE_UNKNOWN], 0, server, fingerprint);
}

void
rc_client_session_trust_certificate (RcClientSession *self,
                                     gboolean         trusted)
{
  g_return_if_fail (RC_IS_CLIENT_SESSION (self));
  g_return_if_fail (self->connect_task != NULL);

  rc_client_connection_trust_certificate (self->connection, trusted);
}

/* Ending ------------------------------------------------------------------- */

/* Back to disconnected: closes the connection, fails whatever waits and
 * forgets the room. */
void
_rc_client_session_teardown (RcClientSession *self)
{
  g_autoptr(GError) error = g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_CLOSED,
                                                 "The connection ended");

  _rc_client_session_stop_reconnecting (self);
  _rc_client_session_wipe_password (self);
  if (self->connection != NULL)
    rc_client_connection_close (self->connection);
  self->link_welcomed = FALSE;
  _rc_client_session_fail_room_tasks (self, error);
  _rc_client_session_end_room (self);
  _rc_client_session_set_state (self, RC_SESSION_STATE_DISCONNECTED);
  if (self->connect_task != NULL)
    finish_connect (self, g_steal_pointer (&error));
}

/* The end of a session that was let in: says so with @error (taken). */
void
_rc_client_session_disconnect (RcClientSession *self,
                               GError          *error)
{
  g_autoptr(RcClientSession) self_ref = g_object_ref (self);
  gboolean was_welcomed = _rc_client_session_is_welcomed (self);

  g_debug ("Connection failed: %s", error->message);
  _rc_client_session_fail_room_tasks (self, error);
  _rc_client_session_teardown (self);
  if (was_welcomed)
    g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, error);
  g_error_free (error);
}

static void
connection_failed (RcClientSession *self,
                   GError          *error)
{
  g_autoptr(RcClientSession) self_ref = g_object_ref (self);

  if (self->connect_task != NULL)
    finish_connect (self, error);
  else if (self->reconnecting)
    _rc_client_session_reconnect_failed (self, error);
  else if (_rc_client_session_can_resume (self, error))
    _rc_client_session_start_reconnecting (self, error);
  else
    _rc_client_session_disconnect (self, error);
}

/* The server broke the protocol: nothing it says can be trusted now. */
void
_rc_client_session_protocol_failed (RcClientSession *self,
                                    const char      *message)
{
  connection_failed (self, g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_PROTOCOL, message));
}

/* The server did what a server that keeps the protocol never does, and
 * what a malicious one would: cross-wire people, or hand out names that
 * break the rules. */
void
_rc_client_session_security_failed (RcClientSession *self,
                                    const char      *message)
{
  connection_failed (self, g_error_new_literal (RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY, message));
}

/* docs/protocol.md 3.1: SERVER_NAME is 1 to 64 characters; as a name, it
 * holds no control characters. */
static gboolean
is_server_name (const char *name)
{
  glong n_chars;

  if (name == NULL)
    return FALSE;
  n_chars = g_utf8_strlen (name, -1);
  if (n_chars < 1 || n_chars > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)) || g_unichar_type (g_utf8_get_char (p)) == G_UNICODE_FORMAT)
      return FALSE;
  return TRUE;
}

static void
on_connection_closed (RcClientSession    *self,
                      GError             *error,
                      RcClientConnection *connection)
{
  /* An error the server sent just before closing says more. */
  if (self->closing_error != NULL)
    connection_failed (self, g_steal_pointer (&self->closing_error));
  else
    connection_failed (self, g_error_copy (error));
}

void
rc_client_session_close (RcClientSession *self)
{
  g_autoptr(RcClientSession) self_ref = NULL;
  gboolean was_welcomed;

  g_return_if_fail (RC_IS_CLIENT_SESSION (self));

  self_ref = g_object_ref (self);
  was_welcomed = _rc_client_session_is_welcomed (self);

  if (self->connect_task != NULL)
    finish_connect (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               "The connection was closed"));
  _rc_client_session_teardown (self);

  if (was_welcomed)
    g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, NULL);
}

/* Frames ------------------------------------------------------------------- */

static void
handle_welcome (RcClientSession *self,
                const RcFrame   *frame)
{
  if (!is_server_name (frame->server))
    {
      _rc_client_session_protocol_failed (self, "The server's name breaks the rules for names");
      return;
    }

  /* The server answers with the version it will use: no higher than
   * asked, and 2 comes with how long it keeps a place. */
  if (frame->version < 1 || frame->version > self->hello_version ||
      (frame->version >= RC_PROTOCOL_VERSION_RESUME && frame->resume_seconds < 0))
    {
      _rc_client_session_protocol_failed (self, "The server answered in a protocol version this client did not ask for");
      return;
    }

  self->link_welcomed = TRUE;
  self->version = frame->version;
  self->resume_seconds = self->version >= RC_PROTOCOL_VERSION_RESUME ? frame->resume_seconds : 0;
  g_free (self->server_name);
  self->server_name = g_strdup (frame->server);
  rc_client_connection_start_keep_alive (self->connection);

  if (self->reconnecting)
    {
      _rc_client_session_send_resume (self);
      return;
    }

  g_free (self->server_fingerprint);
  self->server_fingerprint = g_strdup (rc_client_connection_get_certificate_fingerprint (self->connection));
  _rc_client_session_set_state (self, RC_SESSION_STATE_LOBBY);
  finish_connect (self, NULL);
}

static void
handle_error (RcClientSession *self,
              const RcFrame   *frame)
{
  g_autoptr(GError) error = _rc_client_session_error_from_frame (frame);

  /* A server that speaks only version 1 and refuses 2 instead of
   * answering 1 gets a second hello, on a new connection. */
  if (self->connect_task != NULL && !self->link_welcomed &&
      frame->code == RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION &&
      self->hello_version > RC_PROTOCOL_VERSION)
    {
      self->hello_version = RC_PROTOCOL_VERSION;
      _rc_client_session_open_connection (self);
      return;
    }

  if (self->connect_task != NULL)
    {
      finish_connect (self, g_steal_pointer (&error));
      return;
    }

  if (self->reconnecting)
    {
      _rc_client_session_handle_resume_error (self, frame);
      return;
    }

  /* These come right before the server closes: the end of the stream
   * reports them through ::disconnected. */
  if (frame->code == RC_PROTOCOL_ERROR_SHUTTING_DOWN ||
      frame->code == RC_PROTOCOL_ERROR_BAD_FRAME ||
      frame->code == RC_PROTOCOL_ERROR_SERVER_FULL ||
      frame->code == RC_PROTOCOL_ERROR_SESSION_REPLACED)
    {
      g_clear_error (&self->closing_error);
      self->closing_error = g_steal_pointer (&error);
      return;
    }

  if (!_rc_client_session_handle_room_error (self, frame))
    g_debug ("Ignoring error \"%s\" from the server: %s", frame->code_name, error->message);
}

/* Every frame from the server comes here, and goes on by its type. */
static void
on_frame_received (RcClientSession    *self,
                   RcFrame            *frame,
                   RcClientConnection *connection)
{
  g_autoptr(RcClientSession) self_ref = g_object_ref (self);
  gboolean welcomed = _rc_client_session_is_welcomed (self) && self->link_welcomed &&
                      !self->reconnecting;
  gboolean speaks_resume = welcomed && self->version >= RC_PROTOCOL_VERSION_RESUME;
  g_autofree char *message = NULL;

  switch (frame->type)
    {
    case RC_FRAME_PING:
      {
        g_autoptr(RcFrame) pong = rc_frame_new (RC_FRAME_PONG);

        _rc_client_session_send (self, pong);
      }
      return;

    case RC_FRAME_PONG:
      _rc_client_session_handle_pong (self);
      return;

    case RC_FRAME_UNKNOWN:
      /* Ignored, for forward compatibility. */
      return;

    case RC_FRAME_WELCOME:
      if ((self->connect_task == NULL && !self->reconnecting) || self->link_welcomed)
        break;
      handle_welcome (self, frame);
      return;

    case RC_FRAME_RESUMED:
      if (!self->resuming)
        break;
      _rc_client_session_handle_resumed (self, frame);
      return;

    case RC_FRAME_PEER_AWAY:
      if (!speaks_resume)
        break;
      _rc_client_session_handle_peer_away (self, frame);
      return;

    case RC_FRAME_PEER_BACK:
      if (!speaks_resume)
        break;
      _rc_client_session_handle_peer_back (self, frame);
      return;

    case RC_FRAME_ERROR:
      handle_error (self, frame);
      return;

    case RC_FRAME_CREATED:
      if (!welcomed)
        break;
      _rc_client_session_handle_created (self, frame);
      return;

    case RC_FRAME_PAIRED:
      if (!welcomed)
        break;
      _rc_client_session_handle_paired (self, frame);
      return;

    case RC_FRAME_MESSAGE:
      if (!welcomed)
        break;
      _rc_client_session_handle_message (self, frame);
      return;

    case RC_FRAME_RELAYED:
      if (!welcomed)
        break;
      _rc_client_session_handle_relayed (self, frame);
      return;

    case RC_FRAME_LEFT:
      if (!welcomed)
        break;
      _rc_client_session_handle_left (self, frame);
      return;

    case RC_FRAME_PEER_LEFT:
      if (!welcomed)
        break;
      _rc_client_session_handle_peer_left (self, frame);
      return;

    case RC_FRAME_HELLO:
    case RC_FRAME_CREATE:
    case RC_FRAME_JOIN:
    case RC_FRAME_LEAVE:
    case RC_FRAME_RESUME:
      /* Frames only a client sends. */
      break;
    }

  message = g_strdup_printf ("The server sent an unexpected \"%s\" frame",
                             frame->type_name != NULL ? frame->type_name : "?");
  _rc_client_session_protocol_failed (self, message);
}
