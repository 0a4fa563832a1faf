/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "rc-block-list.h"
#include "rc-tsan.h"

/* Wrong passwords per address, and the addresses blocked for them. An
 * IPv4 address stands for itself; an IPv6 address stands for
 * its /64, since one machine usually holds a whole /64. Every change is
 * written to disk before the caller answers the client, atomically, so that
 * neither a restart nor kill -9 lifts a block. */

typedef struct
{
  guint  failures;       /* wrong passwords in a row */
  gint64 blocked_until;  /* wall-clock microseconds since the epoch, 0 if not blocked */
} Entry;

struct _RcBlockList
{
  GObject     parent_instance;

  /* Immutable after construction */
  char       *path;
  guint       max_failures;
  guint       block_seconds;

  /* Guards everything below. Leaf lock: held for the table and the file
   * write, never while taking another lock. */
  GMutex      lock;
  GHashTable *entries;   /* key -> Entry, owned */
  gint64      clock_offset;
};

G_DEFINE_FINAL_TYPE (RcBlockList, rc_block_list, G_TYPE_OBJECT)

static void
rc_block_list_finalize (GObject *object)
{
  RcBlockList *self = RC_BLOCK_LIST (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (rc_block_list_parent_class)->finalize (object);
}

static void
rc_block_list_class_init (RcBlockListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_block_list_finalize;
}

static void
rc_block_list_init (RcBlockList *self)
{
  g_mutex_init (&self->lock);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * rc_block_list_describe_address:
 * @text: (out): the address as the statistics show it
 * @key: (out): the address or prefix blocks and per-address limits apply to
 *
 * An IPv4 address mapped into IPv6 (::ffff:a.b.c.d, as a dual-stack socket
 * reports it) counts as the IPv4 address. Other IPv6 addresses are keyed by
 * their /64 prefix, written "2001:db8:1:2::/64".
 */
void
rc_block_list_describe_address (GInetAddress  *address,
                                char         **text,
                                char         **key)
{
  g_autoptr(GInetAddress) v4 = NULL;

  g_return_if_fail (G_IS_INET_ADDRESS (address));

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *bytes = g_inet_address_to_bytes (address);
      static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0)
        {
          v4 = g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
          address = v4;
        }
    }

  *text = g_inet_address_to_string (address);

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    {
      guint8 prefix[16];
      g_autoptr(GInetAddress) network = NULL;
      g_autofree char *network_text = NULL;

      memcpy (prefix, g_inet_address_to_bytes (address), 8);
      memset (prefix + 8, 0, 8);
      network = g_inet_address_new_from_bytes (prefix, G_SOCKET_FAMILY_IPV6);
      network_text = g_inet_address_to_string (network);
      *key = g_strconcat (network_text, "/64", NULL);
    }
  else
    {
      *key = g_strdup (*text);
    }
}

RcBlockList *
rc_block_list_new (const char *path,
                   guint       max_failures,
                   guint       block_seconds)
{
  RcBlockList *self;

  g_return_val_if_fail (max_failures > 0, NULL);

  self = g_object_new (RC_TYPE_BLOCK_LIST, NULL);
  self->path = g_strdup (path);
  self->max_failures = max_failures;
  self->block_seconds = block_seconds;

  return self;
}

static gint64
now_us (RcBlockList *self)
{
  return g_get_real_time () + self->clock_offset * G_USEC_PER_SEC;
}

/* Forgets blocks that have run out; their failure count starts again. */
static void
expire (RcBlockList *self,
        gint64       now)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->blocked_until != 0 && entry->blocked_until <= now)
      g_hash_table_iter_remove (&iter);
}

/* Called with the lock held. A failed write is logged, not fatal: the block
 * still holds in memory. */
static void
save (RcBlockList *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  GHashTableIter iter;
  const char *key;
  Entry *entry;
  gsize length = 0;

  if (self->path == NULL)
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "addresses");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &entry))
    {
      json_builder_set_member_name (builder, key);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "failures");
      json_builder_add_int_value (builder, entry->failures);
      json_builder_set_member_name (builder, "blocked-until");
      json_builder_add_int_value (builder, (entry->blocked_until + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json = json_generator_to_data (generator, &length);

  if (!g_file_set_contents_full (self->path, json, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_message ("Cannot save the blocked addresses: %s", error->message);
}

/**
 * rc_block_list_load:
 *
 * Reads the blocks a previous run saved. A missing file is no error.
 */
gboolean
rc_block_list_load (RcBlockList  *self,
                    GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;
  JsonNode *root;
  JsonObject *addresses;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), FALSE);

  if (self->path == NULL || !g_file_test (self->path, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!json_parser_load_from_file (parser, self->path, &local_error))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "%s: cannot read the blocked addresses: %s", self->path, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "addresses") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "addresses")))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "%s: not a file of blocked addresses", self->path);
      return FALSE;
    }

  addresses = json_object_get_object_member (json_node_get_object (root), "addresses");
  members = json_object_get_members (addresses);

  g_mutex_lock (&self->lock);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (addresses, l->data);
      JsonObject *object;
      Entry *entry;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);

      entry = g_new0 (Entry, 1);
      entry->failures = (guint) CLAMP (json_object_get_int_member_with_default (object, "failures", 0),
                                       0, G_MAXUINT);
      entry->blocked_until = json_object_get_int_member_with_default (object, "blocked-until", 0) * G_USEC_PER_SEC;
      g_hash_table_replace (self->entries, g_strdup (l->data), entry);
    }
  expire (self, now_us (self));
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/**
 * rc_block_list_is_blocked:
 * @retry_after: (out) (optional): whole seconds until the block ends, rounded up
 */
gboolean
rc_block_list_is_blocked (RcBlockList *self,
                          const char  *key,
                          gint64      *retry_after)
{
  Entry *entry;
  gint64 now;
  gboolean blocked = FALSE;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  g_mutex_lock (&self->lock);
  now = now_us (self);
  entry = g_hash_table_lookup (self->entries, key);
  if (entry != NULL && entry->blocked_until > now)
    {
      blocked = TRUE;
      if (retry_after != NULL)
        *retry_after = MIN ((entry->blocked_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC,
                            (gint64) self->block_seconds);
    }
  else if (entry != NULL && entry->blocked_until != 0)
    {
      g_hash_table_remove (self->entries, key);
      save (self);
    }
  g_mutex_unlock (&self->lock);

  return blocked;
}

/**
 * rc_block_list_add_failure:
 * @attempts_left: (out): wrong passwords still allowed before the block
 *
 * Counts a wrong password. Returns %TRUE when this one blocks the address;
 * the block is on disk when this returns.
 */
gboolean
rc_block_list_add_failure (RcBlockList *self,
                           const char  *key,
                           guint       *attempts_left)
{
  Entry *entry;
  gboolean blocked = FALSE;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->entries, key);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->entries, g_strdup (key), entry);
    }

  entry->failures++;
  if (entry->failures >= self->max_failures)
    {
      entry->blocked_until = now_us (self) + (gint64) self->block_seconds * G_USEC_PER_SEC;
      blocked = TRUE;
    }
  *attempts_left = entry->failures >= self->max_failures ? 0 : self->max_failures - entry->failures;
  save (self);
  g_mutex_unlock (&self->lock);

  return blocked;
}

/* A correct password: the count of wrong ones starts again. */
void
rc_block_list_add_success (RcBlockList *self,
                           const char  *key)
{
  g_return_if_fail (RC_IS_BLOCK_LIST (self));
  g_return_if_fail (key != NULL);

  g_mutex_lock (&self->lock);
  if (g_hash_table_remove (self->entries, key))
    save (self);
  g_mutex_unlock (&self->lock);
}

guint
rc_block_list_count_blocked (RcBlockList *self)
{
  GHashTableIter iter;
  Entry *entry;
  guint count = 0;
  gint64 now;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), 0);

  g_mutex_lock (&self->lock);
  now = now_us (self);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->blocked_until > now)
      count++;
  g_mutex_unlock (&self->lock);

  return count;
}

/* For tests: moves this list's clock by @seconds, as if time had passed. */
void
rc_block_list_set_clock_offset (RcBlockList *self,
                                gint64       seconds)
{
  g_return_if_fail (RC_IS_BLOCK_LIST (self));

  g_mutex_lock (&self->lock);
  self->clock_offset = seconds;
  g_mutex_unlock (&self->lock);
}
