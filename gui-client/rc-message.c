/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-message.h"

/* One row of a chat: a message or something RoomChat says about the room.
 * Everything but the delivery state is fixed at construction. */
struct _RcMessage
{
  GObject parent_instance;

  /* owned */
  char *author;
  char *text;
  GDateTime *time;
  char *held_text;    /* "Waiting for Ana to come back", while held */

  RcMessageKind kind;
  RcMessageState state;
  gint64 seq;
};

G_DEFINE_ENUM_TYPE (RcMessageKind, rc_message_kind,
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_KIND_OWN, "own"),
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_KIND_PEER, "peer"),
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_KIND_NOTICE, "notice"),
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_KIND_WARNING, "warning"))

G_DEFINE_ENUM_TYPE (RcMessageState, rc_message_state,
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_STATE_NONE, "none"),
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_STATE_SENDING, "sending"),
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_STATE_RELAYED, "relayed"),
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_STATE_NOT_DELIVERED, "not-delivered"),
  G_DEFINE_ENUM_VALUE (RC_MESSAGE_STATE_HELD, "held"))

G_DEFINE_FINAL_TYPE (RcMessage, rc_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_AUTHOR,
  PROP_TEXT,
  PROP_TIME,
  PROP_SEQ,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rc_message_finalize (GObject *object)
{
  RcMessage *self = (RcMessage *)object;

  g_clear_pointer (&self->author, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->time, g_date_time_unref);
  g_clear_pointer (&self->held_text, g_free);

  G_OBJECT_CLASS (rc_message_parent_class)->finalize (object);
}

static void
rc_message_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RcMessage *self = RC_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_AUTHOR:
      g_value_set_string (value, self->author);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_TIME:
      g_value_set_boxed (value, self->time);
      break;
    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_message_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RcMessage *self = RC_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_AUTHOR:
      self->author = g_value_dup_string (value);
      break;
    case PROP_TEXT:
      self->text = g_value_dup_string (value);
      break;
    case PROP_TIME:
      self->time = g_value_dup_boxed (value);
      break;
    case PROP_SEQ:
      self->seq = g_value_get_int64 (value);
      break;
    case PROP_STATE:
      rc_message_set_state (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_message_constructed (GObject *object)
{
  RcMessage *self = RC_MESSAGE (object);

  G_OBJECT_CLASS (rc_message_parent_class)->constructed (object);

  if (self->time == NULL)
    self->time = g_date_time_new_now_local ();
  if (self->text == NULL)
    self->text = g_strdup ("");
}

static void
rc_message_class_init (RcMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rc_message_finalize;
  object_class->get_property = rc_message_get_property;
  object_class->set_property = rc_message_set_property;
  object_class->constructed = rc_message_constructed;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       RC_TYPE_MESSAGE_KIND, RC_MESSAGE_KIND_NOTICE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTHOR] =
    g_param_spec_string ("author", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME] =
    g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEQ] =
    g_param_spec_int64 ("seq", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RC_TYPE_MESSAGE_STATE, RC_MESSAGE_STATE_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rc_message_init (RcMessage *self)
{
  self->seq = -1;
}

RcMessage *
rc_message_new_own (const char *author,
                    const char *text,
                    gint64      seq,
                    GDateTime  *time)
{
  g_return_val_if_fail (text != NULL, NULL);

  return g_object_new (RC_TYPE_MESSAGE,
                       "kind", RC_MESSAGE_KIND_OWN,
                       "author", author,
                       "text", text,
                       "seq", seq,
                       "time", time,
                       "state", RC_MESSAGE_STATE_SENDING,
                       NULL);
}

RcMessage *
rc_message_new_peer (const char *author,
                     const char *text,
                     GDateTime  *time)
{
  g_return_val_if_fail (text != NULL, NULL);

  return g_object_new (RC_TYPE_MESSAGE,
                       "kind", RC_MESSAGE_KIND_PEER,
                       "author", author,
                       "text", text,
                       "time", time,
                       NULL);
}

RcMessage *
rc_message_new_notice (RcMessageKind  kind,
                       const char    *text,
                       GDateTime     *time)
{
  g_return_val_if_fail (kind == RC_MESSAGE_KIND_NOTICE || kind == RC_MESSAGE_KIND_WARNING, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return g_object_new (RC_TYPE_MESSAGE,
                       "kind", kind,
                       "text", text,
                       "time", time,
                       NULL);
}

RcMessageKind
rc_message_get_kind (RcMessage *self)
{
  g_return_val_if_fail (RC_IS_MESSAGE (self), RC_MESSAGE_KIND_NOTICE);

  return self->kind;
}

const char *
rc_message_get_author (RcMessage *self)
{
  g_return_val_if_fail (RC_IS_MESSAGE (self), NULL);

  return self->author;
}

const char *
rc_message_get_text (RcMessage *self)
{
  g_return_val_if_fail (RC_IS_MESSAGE (self), NULL);

  return self->text;
}

GDateTime *
rc_message_get_time (RcMessage *self)
{
  g_return_val_if_fail (RC_IS_MESSAGE (self), NULL);

  return self->time;
}

gint64
rc_message_get_seq (RcMessage *self)
{
  g_return_val_if_fail (RC_IS_MESSAGE (self), -1);

  return self->seq;
}

RcMessageState
rc_message_get_state (RcMessage *self)
{
  g_return_val_if_fail (RC_IS_MESSAGE (self), RC_MESSAGE_STATE_NONE);

  return self->state;
}

void
rc_message_set_state (RcMessage      *self,
                      RcMessageState  state)
{
  g_return_if_fail (RC_IS_MESSAGE (self));
  g_return_if_fail (state <= RC_MESSAGE_STATE_HELD);
  g_return_if_fail (state != RC_MESSAGE_STATE_HELD || self->held_text != NULL);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* The server keeps the message until @recipient, whose connection
 * dropped, is back. */
void
rc_message_set_held_for (RcMessage  *self,
                         const char *recipient)
{
  g_return_if_fail (RC_IS_MESSAGE (self));
  g_return_if_fail (recipient != NULL);

  g_free (self->held_text);
  /* Translators: the state of a message kept by the server for the other
   * person, whose connection dropped; %s is their name */
  self->held_text = g_strdup_printf (_("Waiting for %s to come back"), recipient);
  if (self->state == RC_MESSAGE_STATE_HELD)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  rc_message_set_state (self, RC_MESSAGE_STATE_HELD);
}

/* The time of day in the local time zone, as the clock shows it. */
char *
rc_message_format_time (RcMessage *self)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (RC_IS_MESSAGE (self), NULL);

  local = g_date_time_to_local (self->time);
  return g_date_time_format (local, "%H:%M");
}

const char *
rc_message_get_state_text (RcMessage *self)
{
  g_return_val_if_fail (RC_IS_MESSAGE (self), NULL);

  switch (self->state)
    {
    case RC_MESSAGE_STATE_SENDING:
      return _("Sending…");
    case RC_MESSAGE_STATE_RELAYED:
      return _("Delivered");
    case RC_MESSAGE_STATE_NOT_DELIVERED:
      return _("Not delivered");
    case RC_MESSAGE_STATE_HELD:
      return self->held_text;
    case RC_MESSAGE_STATE_NONE:
      return NULL;
    }

  g_return_val_if_reached (NULL);
}

/**
 * rc_message_store_find_own:
 *
 * Finds the own message with @seq, searching from the newest: the one
 * waiting for its delivery is nearly always the last own one.
 *
 * Returns: (transfer full) (nullable): the message
 */
RcMessage *
rc_message_store_find_own (GListStore *store,
                           gint64      seq)
{
  guint n_items;

  g_return_val_if_fail (G_IS_LIST_STORE (store), NULL);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = n_items; i > 0; i--)
    {
      g_autoptr(RcMessage) message = g_list_model_get_item (G_LIST_MODEL (store), i - 1);

      if (message->kind == RC_MESSAGE_KIND_OWN && message->seq == seq)
        return g_steal_pointer (&message);
    }

  return NULL;
}

gboolean
rc_message_store_set_state (GListStore     *store,
                            gint64          seq,
                            RcMessageState  state)
{
  g_autoptr(RcMessage) message = rc_message_store_find_own (store, seq);

  if (message == NULL)
    return FALSE;

  rc_message_set_state (message, state);
  return TRUE;
}
