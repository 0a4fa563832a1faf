/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-client-session.h"
#include "rc-crypto.h"
#include "rc-frame.h"
#include "rc-frame-reader.h"

G_BEGIN_DECLS

/* RcClientSession is split over five files that share this struct:
 * rc-client-session.c (the object, its properties and signals),
 * rc-client-session-connect.c (TCP, TLS and pinning, hello, the identity
 * key), rc-client-session-io.c (the reader loop and frame dispatch, the
 * write queue, keep-alive, ending), rc-client-session-room.c (rooms and
 * the end-to-end handshake) and rc-client-session-chat.c (messages,
 * leaving, the server's errors in a room). */

#define RC_PING_INTERVAL_SECONDS 30

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

extern guint rc_client_session_signals[N_SIGNALS];
extern GParamSpec *rc_client_session_properties[N_PROPS];

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

  /* The connection, owned. @cancellable is cancelled and replaced when the
   * connection ends, so callbacks of its operations see CANCELLED and
   * touch nothing else. */
  GCancellable       *cancellable;
  GSocketConnection  *tcp;
  GTlsConnection     *tls;
  RcFrameReader      *reader;
  GQueue              write_queue;      /* GBytes lines */
  gboolean            writing;
  guint               ping_id;
  GError             *closing_error;    /* a server error seen before it closed */

  /* Connecting, owned */
  GTask              *connect_task;
  char               *password;
  char               *certificate_fingerprint;
  char               *pinned_fingerprint;
  gboolean            awaiting_trust;
  gboolean            lost_while_awaiting_trust;
  char               *server_name;

  /* The identity key, loaded at connect; owned */
  RcIdentity         *identity;
  GError             *identity_error;
  gboolean            identity_loading;
  GCancellable       *identity_cancellable;

  /* The room, owned */
  RcSessionState      state;
  GTask              *room_task;        /* create or join */
  GTask              *leave_task;
  gboolean            room_task_waits_for_identity;
  char               *join_room;        /* the id to join, normalised */
  RcEphemeralKey     *ephemeral;
  RcChannel          *channel;
  char               *room;
  RcRole              role;
  char               *peer_name;
  gboolean            my_turn;
  char               *safety_code;
  gboolean            leaving;
  guint               stale_bad_states; /* answers to a leave the server did not need */
};

/* rc-client-session.c */
void     rc_client_session_set_state          (RcClientSession *self,
                                               RcSessionState   state);
void     rc_client_session_set_my_turn        (RcClientSession *self,
                                               gboolean         my_turn);
void     rc_client_session_set_room_id        (RcClientSession *self,
                                               const char      *room);
void     rc_client_session_set_peer           (RcClientSession *self,
                                               const char      *peer_name,
                                               const char      *safety_code);

/* rc-client-session-io.c */
GError  *rc_client_session_error_from_frame   (RcClientSession *self,
                                               const RcFrame   *frame);
void     rc_client_session_send_frame         (RcClientSession *self,
                                               const RcFrame   *frame);
void     rc_client_session_restart_ping       (RcClientSession *self);
void     rc_client_session_start_reading      (RcClientSession *self);
void     rc_client_session_drop_connection    (RcClientSession *self);
void     rc_client_session_connection_failed  (RcClientSession *self,
                                               GError          *error);
void     rc_client_session_teardown           (RcClientSession *self);

/* rc-client-session-connect.c */
void     rc_client_session_finish_connect     (RcClientSession *self,
                                               GError          *error);
void     rc_client_session_load_identity      (RcClientSession *self);

/* rc-client-session-room.c */
void     rc_client_session_identity_ready     (RcClientSession *self);
void     rc_client_session_end_room           (RcClientSession *self);
void     rc_client_session_fail_room_tasks    (RcClientSession *self,
                                               const GError    *error);
void     rc_client_session_fail_room_task     (RcClientSession *self,
                                               GError          *error);
void     rc_client_session_start_leaving      (RcClientSession *self);
void     rc_client_session_room_failed        (RcClientSession *self,
                                               GError          *error);
void     rc_client_session_handle_paired      (RcClientSession *self,
                                               RcFrame         *frame);

/* rc-client-session-chat.c */
void     rc_client_session_handle_room_frame  (RcClientSession *self,
                                               RcFrame         *frame);
gboolean rc_client_session_handle_room_error  (RcClientSession *self,
                                               const RcFrame   *frame);

G_END_DECLS
