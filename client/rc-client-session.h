/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-client-error.h"
#include "rc-names.h"
#include "rc-protocol-error.h"

G_BEGIN_DECLS

/* A person's session with a RoomChat server (docs/protocol.md section 3):
 * the state machine over one connection (RcClientConnection) and at most
 * one room (RcClientRoom), and the identity key that rooms are made with.
 * This is what the terminal and the desktop client talk to. */

typedef enum
{
  RC_SESSION_STATE_DISCONNECTED,
  RC_SESSION_STATE_CONNECTING,
  RC_SESSION_STATE_LOBBY,
  RC_SESSION_STATE_WAITING,    /* created a room, nobody joined yet */
  RC_SESSION_STATE_CHATTING,
} RcSessionState;

#define RC_TYPE_CLIENT_SESSION (rc_client_session_get_type ())

G_DECLARE_FINAL_TYPE (RcClientSession, rc_client_session, RC, CLIENT_SESSION, GObject)

RcClientSession *rc_client_session_new                  (const char           *host,
                                                         guint16               port,
                                                         const char           *name);

/* Where keys and pins live; both default to $XDG_DATA_HOME/roomchat/. */
void             rc_client_session_set_identity_path    (RcClientSession      *self,
                                                         const char           *path);
void             rc_client_session_set_known_servers_path (RcClientSession    *self,
                                                         const char           *path);
/* Scripts: trust a first-seen certificate without asking. Never overrides
 * a changed one. */
void             rc_client_session_set_trust_new_certificates (RcClientSession *self,
                                                         gboolean              trust);

/* Connects, pins the certificate, sends hello. When the certificate is new,
 * emits ::certificate-unknown and waits for
 * rc_client_session_trust_certificate(). Also loads or makes the identity
 * key in a worker thread. Errors: G_IO_ERROR / G_RESOLVER_ERROR (cannot
 * connect), RC_CLIENT_ERROR (certificate, TLS), RC_PROTOCOL_ERROR (the
 * server's answer: auth-failed, blocked, server-full, unsupported-version,
 * bad-name; rc_protocol_error_get_attempts_left() and _get_retry_after()
 * read the numbers that come with them). */
void             rc_client_session_connect_async        (RcClientSession      *self,
                                                         const char           *password,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         rc_client_session_connect_finish       (RcClientSession      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void             rc_client_session_trust_certificate    (RcClientSession      *self,
                                                         gboolean              trusted);

/* Lobby -> waiting: completes with the room id to pass on. ::paired follows
 * when someone joins. */
void             rc_client_session_create_room_async    (RcClientSession      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
char            *rc_client_session_create_room_finish   (RcClientSession      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Lobby -> chatting: @room as a person typed it. Completes after ::paired,
 * or with RC_PROTOCOL_ERROR_NO_SUCH_ROOM / _ROOM_FULL (still in the lobby). */
void             rc_client_session_join_room_async      (RcClientSession      *self,
                                                         const char           *room,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         rc_client_session_join_room_finish     (RcClientSession      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Encrypts and sends @text on this side's turn. Refused locally (nothing
 * sent) when it is not this side's turn, the text is empty or longer than
 * 16,384 bytes. Returns the message's seq, or -1 with @error set. Its fate
 * arrives as ::message-relayed or ::message-not-delivered. */
gint64           rc_client_session_send_message         (RcClientSession      *self,
                                                         const char           *text,
                                                         GError              **error);

/* Waiting or chatting -> lobby. Completes on the server's "left". */
void             rc_client_session_leave_async          (RcClientSession      *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean         rc_client_session_leave_finish         (RcClientSession      *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Ends the connection at once; emits ::disconnected with no error. */
void             rc_client_session_close                (RcClientSession      *self);

RcSessionState   rc_client_session_get_state            (RcClientSession      *self);
const char      *rc_client_session_get_host             (RcClientSession      *self);
guint16          rc_client_session_get_port             (RcClientSession      *self);
const char      *rc_client_session_get_name             (RcClientSession      *self);
const char      *rc_client_session_get_server_name      (RcClientSession      *self);
const char      *rc_client_session_get_room             (RcClientSession      *self);
RcRole           rc_client_session_get_role             (RcClientSession      *self);
const char      *rc_client_session_get_peer_name        (RcClientSession      *self);
gboolean         rc_client_session_get_my_turn          (RcClientSession      *self);
const char      *rc_client_session_get_safety_code      (RcClientSession      *self);
/* "AB:CD:…" of the server certificate seen on this connection, and of the
 * one pinned before when they differ (CERTIFICATE_CHANGED). */
const char      *rc_client_session_get_certificate_fingerprint (RcClientSession *self);
const char      *rc_client_session_get_pinned_fingerprint (RcClientSession    *self);

/* Added with the implementation. */
#define RC_TYPE_SESSION_STATE (rc_session_state_get_type ())
GType            rc_session_state_get_type              (void);
/* Version 2 (docs/protocol.md 3.6): whether the connection was lost in a
 * room and the session is getting it back, and whether the other
 * person's connection was lost and the server keeps their place. */
gboolean         rc_client_session_get_reconnecting     (RcClientSession      *self);
gboolean         rc_client_session_get_peer_away        (RcClientSession      *self);
/* The protocol version the server answered with: 1 or 2; 0 before. */
gint64           rc_client_session_get_version          (RcClientSession      *self);

/* The file where certificates are pinned, to name it in messages. */
const char      *rc_client_session_get_known_servers_path (RcClientSession   *self);

/* Signals (all emitted on the thread-default main context of the caller of
 * rc_client_session_new()):
 *   ::certificate-unknown (const char *server, const char *fingerprint)
 *   ::paired              (const char *peer_name, RcRole role, gboolean my_turn,
 *                          const char *safety_code)
 *   ::message-received    (const char *text, GDateTime *sent_at)
 *   ::message-relayed     (gint64 seq)
 *   ::message-not-delivered (gint64 seq)
 *   ::peer-left           (const char *reason)   "left" or "disconnected"
 *   ::room-error          (GError *error)        e.g. RC_CLIENT_ERROR_SECURITY:
 *                                                the room was left
 *   ::disconnected        (GError *error)        NULL when closed on purpose
 *   ::reconnecting        (GError *reason, guint seconds)  the connection
 *                         was lost in a room; the session tries for at
 *                         most @seconds to get it back (the room stays)
 *   ::resumed             ()                     the room is back
 *   ::peer-away           (guint seconds)        the other person's
 *                         connection was lost; their place is kept
 *                         @seconds longer
 *   ::peer-back           ()
 *   ::message-held        (gint64 seq)           the server keeps it for
 *                         an away peer; ::message-relayed follows when it
 *                         is written to them, ::message-not-delivered when
 *                         their place expires
 * Properties (notify): state, room, peer-name, my-turn, safety-code,
 * reconnecting, peer-away.
 *
 * Details of the implementation:
 * - ::disconnected follows a completed connect only; a connect that fails
 *   reports through connect_finish() alone.
 * - ::room-error also carries a server's error about the room
 *   (RC_PROTOCOL_ERROR: not-your-turn, bad-sequence, message-too-large end
 *   the room, since both sides' seq no longer agree; rate-limited does not).
 * - notify::my-turn for a received message comes after ::message-received,
 *   so an answer sent from it follows the message on screen.
 * - A message's text that is not UTF-8 is refused with
 *   RC_CLIENT_ERROR_INVALID_TEXT.
 * - The session says hello in version 2 and goes on in version 1 with a
 *   server that answers 1: it then never reconnects by itself.
 * - While reconnecting the state stays waiting or chatting, and a message
 *   may be sent on this side's turn: it goes out once the room is back.
 *   A leave waits for the room to be back, to tell the other person.
 * - When the room cannot be had back (the server's place expired, it
 *   refuses the resume, a changed certificate, a wrong password), the
 *   session ends with ::disconnected and RC_CLIENT_ERROR_NOT_RESUMED, or,
 *   when the new connection is in and only the room is gone, goes back to
 *   the lobby with ::room-error and RC_CLIENT_ERROR_NOT_RESUMED. A
 *   message sent but not counted by the server gets ::message-not-delivered
 *   first. */

G_END_DECLS
