/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-client-connection.h"
#include "rc-client-room.h"
#include "rc-client-session.h"
#include "rc-crypto.h"
#include "rc-frame.h"

G_BEGIN_DECLS

/* RcClientSession is split over rc-client-session.c (the object, its
 * properties, signals and state), rc-client-session-connection.c
 * (connecting, the one place where every frame from the server is
 * dispatched by its type, and the end of the connection) and
 * rc-client-session-room.c (creating, joining and leaving rooms, messages,
 * and the server's frames and errors about them). The connection and the room are objects
 * of their own that know nothing of each other: the session holds both,
 * so that a room can outlive the connection it was made on. */

typedef enum
{
  SIGNAL_CERTIFICATE_UNKNOWN,
  SIGNAL_PAIRED,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_MESSAGE_RELAYED,
  SIGNAL_MESSAGE_NOT_DELIVERED,
  SIGNAL_PEER_LEFT,
  SIGNAL_ROOM_ERROR,
  SIGNAL_DISCONNECTED,
  N_SIGNALS
} RcClientSessionSignal;

typedef enum
{
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_NAME,
  PROP_STATE,
  PROP_ROOM,
  PROP_PEER_NAME,
  PROP_MY_TURN,
  PROP_SAFETY_CODE,
  N_PROPS
} RcClientSessionProperty;

extern guint _rc_client_session_signals[N_SIGNALS];
extern GParamSpec *_rc_client_session_properties[N_PROPS];

struct _RcClientSession
{
  GObject             parent_instance;

  /* Settings, owned */
  char               *host;
  guint16             port;
  char               *name;
  char               *identity_path;
  char               *known_servers_path;
  gboolean            trust_new_certificates;

  RcSessionState      state;

  /* The connection of the last connect, owned: closed once disconnected,
   * and kept until the next connect for its certificate fingerprints.
   * @connection_signals follows it. */
  RcClientConnection *connection;
  GSignalGroup       *connection_signals;
  GError             *closing_error;    /* a server error seen before it closed */

  /* Connecting, owned */
  GTask              *connect_task;
  char               *password;         /* until hello is sent */
  char               *server_name;

  /* The identity key, loaded at connect; owned */
  RcIdentity         *identity;
  GError             *identity_error;
  gboolean            identity_loading;
  GCancellable       *identity_cancellable;

  /* The room, owned */
  GTask              *room_task;        /* create or join */
  GTask              *leave_task;
  gboolean            room_task_waits_for_identity;
  RcRole              role;             /* asked for with create or join */
  char               *join_room;        /* the id to join, normalised */
  RcEphemeralKey     *ephemeral;        /* offered with create or join, until paired */
  char               *room_id;          /* created or paired */
  RcClientRoom       *room;             /* paired; closed while leaving */
  gboolean            leaving;
  guint               stale_bad_states; /* answers to a leave the server did not need */
};

/* rc-client-session.c */
void     _rc_client_session_set_state        (RcClientSession *self,
                                              RcSessionState   state);
gboolean _rc_client_session_is_welcomed      (RcClientSession *self);
void     _rc_client_session_send             (RcClientSession *self,
                                              const RcFrame   *frame);
GError  *_rc_client_session_error_from_frame (const RcFrame   *frame);
void     _rc_client_session_protocol_failed  (RcClientSession *self,
                                              const char      *message);
void     _rc_client_session_security_failed   (RcClientSession *self,
                                              const char      *message);

/* rc-client-session-connection.c */
void     _rc_client_session_init_connection  (RcClientSession *self);
void     _rc_client_session_wipe_password    (RcClientSession *self);
void     _rc_client_session_teardown         (RcClientSession *self);

/* rc-client-session-room.c */
void     _rc_client_session_identity_ready   (RcClientSession *self);
void     _rc_client_session_fail_room_tasks  (RcClientSession *self,
                                              const GError    *error);
void     _rc_client_session_end_room         (RcClientSession *self);
void     _rc_client_session_handle_created   (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_paired    (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_message   (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_relayed   (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_left      (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_peer_left (RcClientSession *self,
                                              const RcFrame   *frame);
gboolean _rc_client_session_handle_room_error (RcClientSession *self,
                                              const RcFrame   *frame);

G_END_DECLS
