/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include "rc-client-session.h"
#include "rc-client-session-private.h"
#include "rc-known-servers.h"

/* The object: its settings, properties, signals and state. The
 * connection's side is in rc-client-session-connection.c, rooms are in
 * rc-client-session-room.c. */

G_DEFINE_ENUM_TYPE (RcSessionState, rc_session_state,
  G_DEFINE_ENUM_VALUE (RC_SESSION_STATE_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (RC_SESSION_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (RC_SESSION_STATE_LOBBY, "lobby"),
  G_DEFINE_ENUM_VALUE (RC_SESSION_STATE_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (RC_SESSION_STATE_CHATTING, "chatting"))

G_DEFINE_FINAL_TYPE (RcClientSession, rc_client_session, G_TYPE_OBJECT)

guint _rc_client_session_signals[N_SIGNALS];
GParamSpec *_rc_client_session_properties[N_PROPS];

#define signals _rc_client_session_signals
#define properties _rc_client_session_properties

RcClientSession *
rc_client_session_new (const char *host,
                       guint16     port,
                       const char *name)
{
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (RC_TYPE_CLIENT_SESSION,
                       "host", host,
                       "port", (guint) port,
                       "name", name,
                       NULL);
}

static void
rc_client_session_dispose (GObject *object)
{
  RcClientSession *self = RC_CLIENT_SESSION (object);

  g_cancellable_cancel (self->identity_cancellable);
  _rc_client_session_teardown (self);
  g_signal_group_set_target (self->connection_signals, NULL);

  /* Pending tasks hold a reference to the session, so none can be left
   * here; these only guard against a future change of that rule. */
  g_clear_object (&self->connect_task);
  g_clear_object (&self->room_task);
  g_clear_object (&self->leave_task);
  g_clear_object (&self->connection);
  g_clear_object (&self->identity);
  g_clear_object (&self->identity_cancellable);

  G_OBJECT_CLASS (rc_client_session_parent_class)->dispose (object);
}

static void
rc_client_session_finalize (GObject *object)
{
  RcClientSession *self = RC_CLIENT_SESSION (object);

  _rc_client_session_wipe_password (self);
  g_free (self->host);
  g_free (self->name);
  g_free (self->identity_path);
  g_free (self->known_servers_path);
  g_free (self->server_name);
  g_free (self->server_fingerprint);
  g_clear_pointer (&self->resume_token, g_bytes_unref);
  g_clear_pointer (&self->last_sent, rc_frame_free);
  g_clear_error (&self->identity_error);
  g_clear_error (&self->closing_error);
  g_clear_object (&self->connection_signals);

  G_OBJECT_CLASS (rc_client_session_parent_class)->finalize (object);
}

static void
rc_client_session_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  RcClientSession *self = RC_CLIENT_SESSION (object);

  switch ((RcClientSessionProperty) prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ROOM:
      g_value_set_string (value, rc_client_session_get_room (self));
      break;
    case PROP_PEER_NAME:
      g_value_set_string (value, rc_client_session_get_peer_name (self));
      break;
    case PROP_MY_TURN:
      g_value_set_boolean (value, rc_client_session_get_my_turn (self));
      break;
    case PROP_SAFETY_CODE:
      g_value_set_string (value, rc_client_session_get_safety_code (self));
      break;
    case PROP_RECONNECTING:
      g_value_set_boolean (value, self->reconnecting);
      break;
    case PROP_PEER_AWAY:
      g_value_set_boolean (value, self->peer_away);
      break;
    case PROP_0:
    case N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_client_session_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  RcClientSession *self = RC_CLIENT_SESSION (object);

  switch ((RcClientSessionProperty) prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = (guint16) g_value_get_uint (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_0:
    case PROP_STATE:
    case PROP_ROOM:
    case PROP_PEER_NAME:
    case PROP_MY_TURN:
    case PROP_SAFETY_CODE:
    case PROP_RECONNECTING:
    case PROP_PEER_AWAY:
    case N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_client_session_class_init (RcClientSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags live = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = rc_client_session_dispose;
  object_class->finalize = rc_client_session_finalize;
  object_class->get_property = rc_client_session_get_property;
  object_class->set_property = rc_client_session_set_property;

  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, construct);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, construct);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, construct);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, RC_TYPE_SESSION_STATE,
                                              RC_SESSION_STATE_DISCONNECTED, live);
  properties[PROP_ROOM] = g_param_spec_string ("room", NULL, NULL, NULL, live);
  properties[PROP_PEER_NAME] = g_param_spec_string ("peer-name", NULL, NULL, NULL, live);
  properties[PROP_MY_TURN] = g_param_spec_boolean ("my-turn", NULL, NULL, FALSE, live);
  properties[PROP_SAFETY_CODE] = g_param_spec_string ("safety-code", NULL, NULL, NULL, live);
  properties[PROP_RECONNECTING] = g_param_spec_boolean ("reconnecting", NULL, NULL, FALSE, live);
  properties[PROP_PEER_AWAY] = g_param_spec_boolean ("peer-away", NULL, NULL, FALSE, live);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CERTIFICATE_UNKNOWN] =
    g_signal_new ("certificate-unknown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_PAIRED] =
    g_signal_new ("paired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_STRING, G_TYPE_INT, G_TYPE_BOOLEAN, G_TYPE_STRING);
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_DATE_TIME);
  signals[SIGNAL_MESSAGE_RELAYED] =
    g_signal_new ("message-relayed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_MESSAGE_NOT_DELIVERED] =
    g_signal_new ("message-not-delivered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_PEER_LEFT] =
    g_signal_new ("peer-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_ROOM_ERROR] =
    g_signal_new ("room-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_RECONNECTING] =
    g_signal_new ("reconnecting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_ERROR, G_TYPE_UINT);
  signals[SIGNAL_RESUMED] =
    g_signal_new ("resumed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_PEER_AWAY] =
    g_signal_new ("peer-away", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_PEER_BACK] =
    g_signal_new ("peer-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MESSAGE_HELD] =
    g_signal_new ("message-held", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
rc_client_session_init (RcClientSession *self)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "roomchat", NULL);

  self->identity_path = g_build_filename (folder, "identity.pem", NULL);
  self->known_servers_path = rc_known_servers_default_path ();
  self->identity_cancellable = g_cancellable_new ();
  self->unconfirmed_seq = -1;
  self->counted_seq = -1;
  _rc_client_session_init_connection (self);
}

void
rc_client_session_set_identity_path (RcClientSession *self,
                                     const char      *path)
{
  g_return_if_fail (RC_IS_CLIENT_SESSION (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (self->identity == NULL && !self->identity_loading);

  g_free (self->identity_path);
  self->identity_path = g_strdup (path);
}

void
rc_client_session_set_known_servers_path (RcClientSession *self,
                                          const char      *path)
{
  g_return_if_fail (RC_IS_CLIENT_SESSION (self));
  g_return_if_fail (path != NULL);

  g_free (self->known_servers_path);
  self->known_servers_path = g_strdup (path);
}

void
rc_client_session_set_trust_new_certificates (RcClientSession *self,
                                              gboolean         trust)
{
  g_return_if_fail (RC_IS_CLIENT_SESSION (self));

  self->trust_new_certificates = !!trust;
}

/* The state ---------------------------------------------------------------- */

void
_rc_client_session_set_state (RcClientSession *self,
                              RcSessionState   state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Whether the server has let this session in: in the lobby or a room. */
gboolean
_rc_client_session_is_welcomed (RcClientSession *self)
{
  switch (self->state)
    {
    case RC_SESSION_STATE_LOBBY:
    case RC_SESSION_STATE_WAITING:
    case RC_SESSION_STATE_CHATTING:
      return TRUE;
    case RC_SESSION_STATE_DISCONNECTED:
    case RC_SESSION_STATE_CONNECTING:
      return FALSE;
    }

  g_return_val_if_reached (FALSE);
}

void
_rc_client_session_send (RcClientSession *self,
                         const RcFrame   *frame)
{
  if (self->connection != NULL)
    rc_client_connection_send_frame (self->connection, frame);
}

/* Makes the GError for a server's error frame, with the numbers a UI
 * shows with it. */
GError *
_rc_client_session_error_from_frame (const RcFrame *frame)
{
  const char *text = frame->message != NULL ? frame->message
                                            : rc_protocol_error_default_text (frame->code);

  return rc_protocol_error_new (frame->code, text, frame->attempts_left, frame->retry_after);
}

/* Getters ------------------------------------------------------------------ */

RcSessionState
rc_client_session_get_state (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), RC_SESSION_STATE_DISCONNECTED);

  return self->state;
}

const char *
rc_client_session_get_host (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->host;
}

guint16
rc_client_session_get_port (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), 0);

  return self->port;
}

const char *
rc_client_session_get_name (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->name;
}

const char *
rc_client_session_get_server_name (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->server_name;
}

const char *
rc_client_session_get_room (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->room_id;
}

RcRole
rc_client_session_get_role (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), RC_ROLE_CREATOR);

  return self->role;
}

const char *
rc_client_session_get_peer_name (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->room != NULL ? rc_client_room_get_peer_name (self->room) : NULL;
}

gboolean
rc_client_session_get_my_turn (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), FALSE);

  return self->room != NULL && rc_client_room_get_my_turn (self->room);
}

const char *
rc_client_session_get_safety_code (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->room != NULL ? rc_client_room_get_safety_code (self->room) : NULL;
}

const char *
rc_client_session_get_certificate_fingerprint (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->connection != NULL ? rc_client_connection_get_certificate_fingerprint (self->connection)
                                  : NULL;
}

const char *
rc_client_session_get_pinned_fingerprint (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->connection != NULL ? rc_client_connection_get_pinned_fingerprint (self->connection)
                                  : NULL;
}

gboolean
rc_client_session_get_reconnecting (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), FALSE);

  return self->reconnecting;
}

gboolean
rc_client_session_get_peer_away (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), FALSE);

  return self->peer_away;
}

gint64
rc_client_session_get_version (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), 0);

  return self->version;
}

const char *
rc_client_session_get_known_servers_path (RcClientSession *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_SESSION (self), NULL);

  return self->known_servers_path;
}
