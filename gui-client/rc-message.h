/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Who a row of the chat belongs to. */
typedef enum
{
  RC_MESSAGE_KIND_OWN,      /* written here */
  RC_MESSAGE_KIND_PEER,     /* written by the other person */
  RC_MESSAGE_KIND_NOTICE,   /* said by RoomChat: someone joined or left */
  RC_MESSAGE_KIND_WARNING,  /* said by RoomChat: the room is not secure */
} RcMessageKind;

/* What became of an own message. Other kinds stay at NONE. */
typedef enum
{
  RC_MESSAGE_STATE_NONE,
  RC_MESSAGE_STATE_SENDING,
  RC_MESSAGE_STATE_RELAYED,
  RC_MESSAGE_STATE_NOT_DELIVERED,
  RC_MESSAGE_STATE_HELD,            /* kept by the server for an away peer */
} RcMessageState;

#define RC_TYPE_MESSAGE_KIND (rc_message_kind_get_type ())
#define RC_TYPE_MESSAGE_STATE (rc_message_state_get_type ())
#define RC_TYPE_MESSAGE (rc_message_get_type ())

GType rc_message_kind_get_type (void);
GType rc_message_state_get_type (void);

G_DECLARE_FINAL_TYPE (RcMessage, rc_message, RC, MESSAGE, GObject)

RcMessage      *rc_message_new_own         (const char     *author,
                                            const char     *text,
                                            gint64          seq,
                                            GDateTime      *time);
RcMessage      *rc_message_new_peer        (const char     *author,
                                            const char     *text,
                                            GDateTime      *time);
RcMessage      *rc_message_new_notice      (RcMessageKind   kind,
                                            const char     *text,
                                            GDateTime      *time);

RcMessageKind   rc_message_get_kind        (RcMessage      *self);
const char     *rc_message_get_author      (RcMessage      *self);
const char     *rc_message_get_text        (RcMessage      *self);
GDateTime      *rc_message_get_time        (RcMessage      *self);
gint64          rc_message_get_seq         (RcMessage      *self);
RcMessageState  rc_message_get_state       (RcMessage      *self);
void            rc_message_set_state       (RcMessage      *self,
                                            RcMessageState  state);
void            rc_message_set_held_for    (RcMessage      *self,
                                            const char     *recipient);
char           *rc_message_format_time     (RcMessage      *self);
const char     *rc_message_get_state_text  (RcMessage      *self);

/* A chat is a GListStore of RcMessage; these find own messages in it. */
RcMessage      *rc_message_store_find_own  (GListStore     *store,
                                            gint64          seq);
gboolean        rc_message_store_set_state (GListStore     *store,
                                            gint64          seq,
                                            RcMessageState  state);

G_END_DECLS
