/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-client-error.h"
#include "rc-crypto.h"
#include "rc-frame.h"

G_BEGIN_DECLS

/* A paired room seen from one side: the end-to-end keys of
 * docs/protocol.md section 4, the sequence numbers, whose turn it is and
 * the safety code. It knows nothing of the connection its frames travel
 * on, so it can outlive one. */

#define RC_TYPE_CLIENT_ROOM (rc_client_room_get_type ())

G_DECLARE_FINAL_TYPE (RcClientRoom, rc_client_room, RC, CLIENT_ROOM, GObject)

/* The first half of the handshake: @ephemeral signed by @identity for
 * @role, in the "keys" that create and join carry. */
gboolean      rc_client_room_offer_keys      (RcIdentity      *identity,
                                              RcRole           role,
                                              RcEphemeralKey  *ephemeral,
                                              RcKeyMaterial   *keys,
                                              GError         **error);

/* The second half: checks the peer's keys in @paired against its identity
 * and derives the room's keys from them and @ephemeral, the key offered
 * before. @paired is a paired frame, or a resumed one with a peer (a
 * creator who was away when someone joined). RC_CLIENT_ERROR_SECURITY
 * when the peer's keys do not verify. */
RcClientRoom *rc_client_room_new             (RcIdentity      *identity,
                                              RcEphemeralKey  *ephemeral,
                                              const RcFrame   *paired,
                                              GError         **error);

const char   *rc_client_room_get_id          (RcClientRoom    *self);
RcRole        rc_client_room_get_role        (RcClientRoom    *self);
const char   *rc_client_room_get_peer_name   (RcClientRoom    *self);
/* What both people read out to each other: equal on both sides only if
 * nobody is in between. */
const char   *rc_client_room_get_safety_code (RcClientRoom    *self);
gboolean      rc_client_room_get_my_turn     (RcClientRoom    *self);
/* How many messages this side has sealed and opened: what a resume
 * counts (docs/protocol.md 3.6). Still readable once closed. */
gint64        rc_client_room_get_sent        (RcClientRoom    *self);
gint64        rc_client_room_get_received    (RcClientRoom    *self);
/* Whether @keys are the ones the peer was paired with: a resume carries
 * the same peer, or the server is swapping people. */
gboolean      rc_client_room_has_peer_keys   (RcClientRoom    *self,
                                              const RcKeyMaterial *keys);

/* Seals @text as the next message on this side's turn and passes the
 * turn. Refused with RC_CLIENT_ERROR NOT_YOUR_TURN, EMPTY_MESSAGE,
 * MESSAGE_TOO_LONG, INVALID_TEXT, or NOT_IN_ROOM once closed. */
RcFrame      *rc_client_room_seal            (RcClientRoom    *self,
                                              const char      *text,
                                              GError         **error);
/* Opens the peer's @message, which must be the next one, and takes the
 * turn. RC_CLIENT_ERROR_SECURITY when it was altered, replayed or lost. */
char         *rc_client_room_open            (RcClientRoom    *self,
                                              const RcFrame   *message,
                                              GError         **error);
/* Wipes the keys (forward secrecy): nothing is sealed or opened any more,
 * and it is nobody's turn. The names and the safety code stay. */
void          rc_client_room_close           (RcClientRoom    *self);

G_END_DECLS
