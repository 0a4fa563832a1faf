/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include <string.h>

#include "rc-client-room.h"

struct _RcClientRoom
{
  GObject     parent_instance;

  /* Owned */
  char       *id;
  char       *peer_name;
  char       *safety_code;
  GBytes     *peer_identity;
  GBytes     *peer_ephemeral;
  RcChannel  *channel;      /* NULL once closed */

  /* Messages sealed and opened; they outlive the keys, for a resume. */
  gint64      sent;
  gint64      received;

  RcRole      role;
  gboolean    my_turn;
};

G_DEFINE_FINAL_TYPE (RcClientRoom, rc_client_room, G_TYPE_OBJECT)

static void
rc_client_room_finalize (GObject *object)
{
  RcClientRoom *self = RC_CLIENT_ROOM (object);

  g_clear_pointer (&self->channel, rc_channel_free);
  g_clear_pointer (&self->peer_identity, g_bytes_unref);
  g_clear_pointer (&self->peer_ephemeral, g_bytes_unref);
  g_free (self->id);
  g_free (self->peer_name);
  g_free (self->safety_code);

  G_OBJECT_CLASS (rc_client_room_parent_class)->finalize (object);
}

static void
rc_client_room_class_init (RcClientRoomClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_client_room_finalize;
}

static void
rc_client_room_init (RcClientRoom *self)
{
}

static RcRole
other_role (RcRole role)
{
  return role == RC_ROLE_CREATOR ? RC_ROLE_JOINER : RC_ROLE_CREATOR;
}

gboolean
rc_client_room_offer_keys (RcIdentity      *identity,
                           RcRole           role,
                           RcEphemeralKey  *ephemeral,
                           RcKeyMaterial   *keys,
                           GError         **error)
{
  g_autoptr(GBytes) ephemeral_public = NULL;
  g_autoptr(GBytes) signature = NULL;

  g_return_val_if_fail (RC_IS_IDENTITY (identity), FALSE);
  g_return_val_if_fail (ephemeral != NULL, FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);

  ephemeral_public = rc_ephemeral_key_get_public (ephemeral);
  signature = rc_identity_sign_ephemeral (identity, role, ephemeral_public, error);
  if (signature == NULL)
    return FALSE;

  rc_key_material_clear (keys);
  keys->identity = rc_identity_get_spki (identity);
  keys->ephemeral = g_steal_pointer (&ephemeral_public);
  keys->signature = g_steal_pointer (&signature);
  return TRUE;
}

RcClientRoom *
rc_client_room_new (RcIdentity      *identity,
                    RcEphemeralKey  *ephemeral,
                    const RcFrame   *paired,
                    GError         **error)
{
  const RcKeyMaterial *peer;
  g_autoptr(RcClientRoom) self = NULL;
  g_autoptr(GBytes) own_spki = NULL;
  g_autoptr(GBytes) own_fingerprint = NULL;
  g_autoptr(GBytes) peer_fingerprint = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (RC_IS_IDENTITY (identity), NULL);
  g_return_val_if_fail (ephemeral != NULL, NULL);
  g_return_val_if_fail (paired != NULL, NULL);
  g_return_val_if_fail (paired->type == RC_FRAME_PAIRED ||
                        (paired->type == RC_FRAME_RESUMED && paired->has_peer), NULL);

  peer = &paired->peer_keys;
  own_spki = rc_identity_get_spki (identity);

  /* The peer signed for the other role: a server cannot swap the roles
   * unnoticed. */
  self = g_object_new (RC_TYPE_CLIENT_ROOM, NULL);
  if (!rc_crypto_verify_ephemeral (peer->identity, other_role (paired->role), peer->ephemeral,
                                   peer->signature, &local_error) ||
      (self->channel = rc_channel_new (paired->role, paired->room, ephemeral, own_spki,
                                       peer->identity, peer->ephemeral, &local_error)) == NULL)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY,
                   "The room is not secure: %s's keys do not verify (%s)",
                   paired->peer_name, local_error->message);
      return NULL;
    }

  own_fingerprint = rc_identity_get_fingerprint (identity);
  peer_fingerprint = rc_crypto_fingerprint (peer->identity);
  self->safety_code = rc_crypto_safety_code (own_fingerprint, peer_fingerprint);
  self->id = g_strdup (paired->room);
  self->peer_name = g_strdup (paired->peer_name);
  self->peer_identity = g_bytes_ref (peer->identity);
  self->peer_ephemeral = g_bytes_ref (peer->ephemeral);
  self->role = paired->role;
  /* A room first seen in resumed starts where every room does, with the
   * joiner's turn: what the peer wrote meanwhile follows and passes it. */
  if (paired->type == RC_FRAME_PAIRED)
    self->my_turn = !!paired->your_turn;
  else
    self->my_turn = paired->role == RC_ROLE_JOINER;

  return g_steal_pointer (&self);
}

const char *
rc_client_room_get_id (RcClientRoom *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), NULL);

  return self->id;
}

RcRole
rc_client_room_get_role (RcClientRoom *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), RC_ROLE_CREATOR);

  return self->role;
}

const char *
rc_client_room_get_peer_name (RcClientRoom *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), NULL);

  return self->peer_name;
}

const char *
rc_client_room_get_safety_code (RcClientRoom *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), NULL);

  return self->safety_code;
}

gint64
rc_client_room_get_sent (RcClientRoom *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), 0);

  return self->sent;
}

gint64
rc_client_room_get_received (RcClientRoom *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), 0);

  return self->received;
}

gboolean
rc_client_room_has_peer_keys (RcClientRoom        *self,
                              const RcKeyMaterial *keys)
{
  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);

  return keys->identity != NULL && keys->ephemeral != NULL &&
         g_bytes_equal (keys->identity, self->peer_identity) &&
         g_bytes_equal (keys->ephemeral, self->peer_ephemeral);
}

gboolean
rc_client_room_get_my_turn (RcClientRoom *self)
{
  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), FALSE);

  return self->my_turn;
}

RcFrame *
rc_client_room_seal (RcClientRoom  *self,
                     const char    *text,
                     GError       **error)
{
  g_autoptr(RcFrame) message = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  length = strlen (text);
  if (self->channel == NULL)
    {
      g_set_error_literal (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_IN_ROOM,
                           "You are not in a chat");
      return NULL;
    }
  if (!self->my_turn)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_YOUR_TURN,
                   "It is %s's turn: wait for their answer", self->peer_name);
      return NULL;
    }
  if (length == 0)
    {
      g_set_error_literal (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_EMPTY_MESSAGE,
                           "The message is empty");
      return NULL;
    }
  if (length > RC_MAX_PLAINTEXT_SIZE)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_MESSAGE_TOO_LONG,
                   "The message has %" G_GSIZE_FORMAT " bytes; at most %d fit in one message",
                   length, RC_MAX_PLAINTEXT_SIZE);
      return NULL;
    }
  if (!g_utf8_validate (text, (gssize) length, NULL))
    {
      g_set_error_literal (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_INVALID_TEXT,
                           "The message is not valid UTF-8 text");
      return NULL;
    }

  message = rc_frame_new (RC_FRAME_MESSAGE);
  message->ciphertext = rc_channel_seal (self->channel, text, &message->seq, &local_error);
  if (message->ciphertext == NULL)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_INVALID_TEXT,
                   "The message cannot be encrypted: %s", local_error->message);
      return NULL;
    }

  self->my_turn = FALSE;
  self->sent++;
  return g_steal_pointer (&message);
}

char *
rc_client_room_open (RcClientRoom   *self,
                     const RcFrame  *message,
                     GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  char *text;

  g_return_val_if_fail (RC_IS_CLIENT_ROOM (self), NULL);
  g_return_val_if_fail (message != NULL && message->type == RC_FRAME_MESSAGE, NULL);

  if (self->channel == NULL)
    {
      g_set_error_literal (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_IN_ROOM,
                           "The room is closed");
      return NULL;
    }

  text = rc_channel_open (self->channel, message->seq, message->ciphertext, &local_error);
  if (text == NULL)
    {
      g_set_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY,
                   "The room is not secure: message %" G_GINT64_FORMAT
                   " from %s was altered, replayed or lost (%s)",
                   message->seq, self->peer_name, local_error->message);
      return NULL;
    }

  self->my_turn = TRUE;
  self->received++;
  return text;
}

void
rc_client_room_close (RcClientRoom *self)
{
  g_return_if_fail (RC_IS_CLIENT_ROOM (self));

  g_clear_pointer (&self->channel, rc_channel_free);
  self->my_turn = FALSE;
}
