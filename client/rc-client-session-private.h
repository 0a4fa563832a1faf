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
  SIGNAL_RECONNECTING,
  SIGNAL_RESUMED,
  SIGNAL_PEER_AWAY,
  SIGNAL_PEER_BACK,
  SIGNAL_MESSAGE_HELD,
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
  PROP_RECONNECTING,
  PROP_PEER_AWAY,
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
  char               *password;         /* wiped at the end, or after hello when
                                         * no resume can need it again */
  char               *server_name;
  gint64              hello_version;    /* asked for in the next hello */
  gint64              version;          /* welcomed in: 1 or 2; 0 before */
  gboolean            link_welcomed;    /* the current connection got welcome */

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

  /* Version 2: getting a room back over a new connection
   * (rc-client-session-resume.c); owned */
  gint64              resume_seconds;   /* from welcome: how long the server keeps a place */
  GBytes             *resume_token;     /* the latest one received */
  RcFrame            *last_sent;        /* the last message sealed, for a resend under its seq */
  gint64              unconfirmed_seq;  /* sent, neither relayed nor held yet; -1 none */
  gint64              counted_seq;      /* counted by a resume: held or relayed follows; -1 */
  gboolean            peer_away;
  gboolean            reconnecting;
  gboolean            resuming;         /* resume sent, resumed not yet read */
  gint64              reconnect_deadline; /* monotonic µs: the server forgets the place */
  guint               reconnect_attempts;
  guint               reconnect_id;     /* the next attempt, or the end of this one */
  char               *server_fingerprint; /* of the connection the room began on */
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

/* rc-client-session-connection.c */
void     _rc_client_session_open_connection  (RcClientSession *self);
void     _rc_client_session_release_connection (RcClientSession *self);
void     _rc_client_session_disconnect       (RcClientSession *self,
                                              GError          *error);

/* rc-client-session-resume.c */
gboolean _rc_client_session_can_resume       (RcClientSession *self,
                                              const GError    *error);
void     _rc_client_session_start_reconnecting (RcClientSession *self,
                                              GError          *error);
void     _rc_client_session_reconnect_failed (RcClientSession *self,
                                              GError          *error);
void     _rc_client_session_stop_reconnecting (RcClientSession *self);
void     _rc_client_session_send_resume      (RcClientSession *self);
void     _rc_client_session_handle_resume_error (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_resumed   (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_peer_away (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_peer_back (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_handle_pong      (RcClientSession *self);
void     _rc_client_session_keep_token       (RcClientSession *self,
                                              const RcFrame   *frame);
void     _rc_client_session_set_peer_away    (RcClientSession *self,
                                              gboolean         away);

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
void     _rc_client_session_send_leave       (RcClientSession *self);
void     _rc_client_session_back_to_lobby    (RcClientSession *self);
gboolean _rc_client_session_in_room          (RcClientSession *self);
void     _rc_client_session_notify_turn      (RcClientSession *self,
                                              gboolean         was_my_turn);
gboolean _rc_client_session_begin_room       (RcClientSession *self,
                                              const RcFrame   *frame);

G_END_DECLS
