/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "rc-block-list.h"
#include "rc-tsan.h"

/* Wrong passwords per address, and the addresses blocked for them. An
 * IPv4 address stands for itself; an IPv6 address stands for its /64, since
 * one machine usually holds a whole /64.
 *
 * Checking the block, checking the password and counting a wrong one are
 * one step per address: an attempt reserves its place before its password
 * is checked, so attempts made at the same moment cannot get past
 * MAX_AUTH_FAILURES together. Wrong passwords in a row are forgotten when
 * BLOCK_SECONDS pass without another.
 *
 * The list is kept in blocks.json by the state writer (rc-state-writer.c),
 * which the caller asks to write a wrong password before answering it.
 * When that write fails, the addresses changed since the last good write
 * are refused, as if blocked, until a write succeeds: a full disk must not
 * lift a block. */

#define FAIL_CLOSED_RETRY_SECONDS 60

typedef struct
{
  guint    failures;       /* wrong passwords in a row */
  guint    pending;        /* attempts being checked right now */
  gint64   last_failure;   /* wall-clock µs since the epoch */
  gint64   blocked_until;  /* wall-clock µs since the epoch, 0 if not blocked */
  guint64  generation;     /* of its last change */
  gboolean unsaved;        /* changed, and the last write failed */
} Entry;

struct _RcBlockList
{
  GObject     parent_instance;

  gint        changed;     /* atomic: something to write */

  /* Guards everything below. Leaf lock, never held across I/O. */
  GMutex      lock;
  GCond       attempt_done;
  guint       max_failures;
  guint       block_seconds;
  GHashTable *entries;     /* key -> Entry, owned */
  guint64     generation;  /* of the newest change */
  guint64     saved;       /* the newest generation on disk */
  gint64      clock_offset;
};

G_DEFINE_FINAL_TYPE (RcBlockList, rc_block_list, G_TYPE_OBJECT)

static void
rc_block_list_finalize (GObject *object)
{
  RcBlockList *self = RC_BLOCK_LIST (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->attempt_done);

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
  g_cond_init (&self->attempt_done);
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
rc_block_list_new (guint max_failures,
                   guint block_seconds)
{
  RcBlockList *self;

  g_return_val_if_fail (max_failures > 0, NULL);

  self = g_object_new (RC_TYPE_BLOCK_LIST, NULL);
  self->max_failures = max_failures;
  self->block_seconds = block_seconds;

  return self;
}

/* The limits of a reloaded configuration, for attempts from now on. */
void
rc_block_list_set_limits (RcBlockList *self,
                          guint        max_failures,
                          guint        block_seconds)
{
  g_return_if_fail (RC_IS_BLOCK_LIST (self));
  g_return_if_fail (max_failures > 0);

  g_mutex_lock (&self->lock);
  self->max_failures = max_failures;
  self->block_seconds = block_seconds;
  g_cond_broadcast (&self->attempt_done);
  g_mutex_unlock (&self->lock);
}

static gint64
now_us (RcBlockList *self)
{
  return g_get_real_time () + self->clock_offset * G_USEC_PER_SEC;
}

/* Called with the lock held. Marks @entry changed, for the next write. */
static void
touch (RcBlockList *self,
       Entry       *entry)
{
  entry->generation = ++self->generation;
  g_atomic_int_set (&self->changed, TRUE);
}

/* Called with the lock held: forgets what time has lifted, a block or a
 * run of wrong passwords, and reports whether anything is left. */
static gboolean
refresh (RcBlockList *self,
         Entry       *entry,
         gint64       now)
{
  if (entry->blocked_until != 0 && entry->blocked_until <= now)
    {
      entry->blocked_until = 0;
      entry->failures = 0;
      touch (self, entry);
    }
  if (entry->blocked_until == 0 && entry->failures > 0 &&
      now - entry->last_failure > (gint64) self->block_seconds * G_USEC_PER_SEC)
    {
      entry->failures = 0;
      touch (self, entry);
    }

  return entry->failures > 0 || entry->blocked_until != 0 || entry->pending > 0 || entry->unsaved;
}

/* Called with the lock held. */
static Entry *
lookup (RcBlockList *self,
        const char  *key,
        gint64       now)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry != NULL && !refresh (self, entry, now))
    {
      g_hash_table_remove (self->entries, key);
      entry = NULL;
    }
  return entry;
}

static gint64
seconds_left (gint64 until,
              gint64 now)
{
  return (until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
}

/* Called with the lock held. */
static gboolean
refuses (RcBlockList *self,
         Entry       *entry,
         gint64       now,
         gint64      *retry_after)
{
  gint64 seconds = 0;

  if (entry == NULL)
    return FALSE;

  if (entry->blocked_until > now)
    seconds = MIN (seconds_left (entry->blocked_until, now), (gint64) self->block_seconds);
  if (entry->unsaved)
    seconds = MAX (seconds, FAIL_CLOSED_RETRY_SECONDS);
  if (seconds == 0)
    return FALSE;

  if (retry_after != NULL)
    *retry_after = MAX (seconds, 1);
  return TRUE;
}

/**
 * rc_block_list_load:
 * @contents: blocks.json as an earlier run wrote it
 *
 * Takes over the blocks and counts of wrong passwords an earlier run kept.
 */
gboolean
rc_block_list_load (RcBlockList  *self,
                    const char   *contents,
                    gsize         length,
                    GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) members = NULL;
  JsonNode *root;
  JsonObject *addresses;
  gint64 now;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), FALSE);

  if (!json_parser_load_from_data (parser, contents, (gssize) length, &local_error))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "cannot read the blocked addresses: %s", local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "addresses") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "addresses")))
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "not a file of blocked addresses");
      return FALSE;
    }

  addresses = json_object_get_object_member (json_node_get_object (root), "addresses");
  members = json_object_get_members (addresses);

  g_mutex_lock (&self->lock);
  now = now_us (self);
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
      /* Files of earlier versions have no time of the last failure: from now. */
      entry->last_failure = json_object_get_int_member_with_default (object, "last-failure", now / G_USEC_PER_SEC)
                            * G_USEC_PER_SEC;
      g_hash_table_replace (self->entries, g_strdup (l->data), entry);
      if (!refresh (self, entry, now))
        g_hash_table_remove (self->entries, l->data);
    }
  self->saved = self->generation;
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/**
 * rc_block_list_serialize:
 * @generation: (out): what the text holds, for rc_block_list_saved()
 *
 * Returns: the contents of blocks.json
 */
char *
rc_block_list_serialize (RcBlockList *self,
                         gsize       *length,
                         guint64     *generation)
{
  GString *out = g_string_new ("{\n  \"addresses\" : {");
  GHashTableIter iter;
  const char *key;
  Entry *entry;
  gboolean first = TRUE;
  gint64 now;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), NULL);

  g_atomic_int_set (&self->changed, FALSE);

  g_mutex_lock (&self->lock);
  now = now_us (self);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &entry))
    {
      if (!refresh (self, entry, now))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      if (entry->failures == 0 && entry->blocked_until == 0)
        continue;

      /* Keys are addresses and prefixes: nothing in them needs escaping. */
      g_string_append_printf (out, "%s\n    \"%s\" : {\"failures\" : %u, \"blocked-until\" : %" G_GINT64_FORMAT
                              ", \"last-failure\" : %" G_GINT64_FORMAT "}",
                              first ? "" : ",", key, entry->failures,
                              (entry->blocked_until + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC,
                              entry->last_failure / G_USEC_PER_SEC);
      first = FALSE;
    }
  *generation = self->generation;
  g_mutex_unlock (&self->lock);

  g_string_append (out, first ? "}\n}\n" : "\n  }\n}\n");
  *length = out->len;
  return g_string_free (out, FALSE);
}

/**
 * rc_block_list_saved:
 * @generation: from rc_block_list_serialize()
 * @ok: whether the file was written
 *
 * After a failed write, the addresses changed since the last good one are
 * refused until a write succeeds.
 */
void
rc_block_list_saved (RcBlockList *self,
                     guint64      generation,
                     gboolean     ok)
{
  GHashTableIter iter;
  Entry *entry;

  g_return_if_fail (RC_IS_BLOCK_LIST (self));

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (ok && entry->generation <= generation)
        entry->unsaved = FALSE;
      else if (!ok && entry->generation > self->saved && entry->generation <= generation)
        entry->unsaved = TRUE;
    }
  if (ok)
    self->saved = MAX (self->saved, generation);
  else
    g_atomic_int_set (&self->changed, TRUE);
  g_cond_broadcast (&self->attempt_done);
  g_mutex_unlock (&self->lock);
}

/* Whether anything changed since the last rc_block_list_serialize(). */
gboolean
rc_block_list_has_changes (RcBlockList *self)
{
  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), FALSE);

  return g_atomic_int_get (&self->changed);
}

/**
 * rc_block_list_is_blocked:
 * @retry_after: (out) (optional): whole seconds until logins are allowed
 *   again, rounded up
 */
gboolean
rc_block_list_is_blocked (RcBlockList *self,
                          const char  *key,
                          gint64      *retry_after)
{
  gboolean blocked;
  gint64 now;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  g_mutex_lock (&self->lock);
  now = now_us (self);
  blocked = refuses (self, lookup (self, key, now), now, retry_after);
  g_mutex_unlock (&self->lock);

  return blocked;
}

/**
 * rc_block_list_begin_attempt:
 * @deadline: monotonic time to give up waiting at
 * @retry_after: (out) (optional): for %RC_ATTEMPT_BLOCKED, whole seconds
 *   until the block ends
 *
 * Reserves one of the wrong passwords the address may still give, before
 * its password is checked. When the attempts in flight use them all up,
 * waits for them (until @deadline). After %RC_ATTEMPT_ALLOWED, call
 * rc_block_list_end_attempt().
 */
RcAttempt
rc_block_list_begin_attempt (RcBlockList *self,
                             const char  *key,
                             gint64       deadline,
                             gint64      *retry_after)
{
  RcAttempt result;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), RC_ATTEMPT_BLOCKED);
  g_return_val_if_fail (key != NULL, RC_ATTEMPT_BLOCKED);

  g_mutex_lock (&self->lock);
  for (;;)
    {
      gint64 now = now_us (self);
      Entry *entry = lookup (self, key, now);

      if (refuses (self, entry, now, retry_after))
        {
          result = RC_ATTEMPT_BLOCKED;
          break;
        }
      if (entry == NULL)
        {
          entry = g_new0 (Entry, 1);
          g_hash_table_insert (self->entries, g_strdup (key), entry);
        }
      if (entry->failures + entry->pending < self->max_failures)
        {
          entry->pending++;
          result = RC_ATTEMPT_ALLOWED;
          break;
        }
      if (!g_cond_wait_until (&self->attempt_done, &self->lock, deadline))
        {
          result = RC_ATTEMPT_BUSY;
          break;
        }
    }
  g_mutex_unlock (&self->lock);

  return result;
}

/**
 * rc_block_list_end_attempt:
 * @correct: whether the password was right
 * @attempts_left: (out) (optional): for a wrong one, how many more the
 *   address may give before it is blocked
 *
 * Counts the attempt reserved by rc_block_list_begin_attempt(). A correct
 * password starts the count again. Returns %TRUE when this wrong password
 * blocks the address.
 */
gboolean
rc_block_list_end_attempt (RcBlockList *self,
                           const char  *key,
                           gboolean     correct,
                           guint       *attempts_left)
{
  Entry *entry;
  gboolean blocked = FALSE;
  gint64 now;

  g_return_val_if_fail (RC_IS_BLOCK_LIST (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  g_mutex_lock (&self->lock);
  now = now_us (self);
  entry = g_hash_table_lookup (self->entries, key);
  g_assert (entry != NULL && entry->pending > 0);
  entry->pending--;
  refresh (self, entry, now);

  if (correct)
    {
      if (entry->failures > 0)
        {
          entry->failures = 0;
          touch (self, entry);
        }
    }
  else
    {
      entry->failures++;
      entry->last_failure = now;
      if (entry->failures >= self->max_failures)
        {
          entry->blocked_until = now + (gint64) self->block_seconds * G_USEC_PER_SEC;
          blocked = TRUE;
        }
      touch (self, entry);
      if (attempts_left != NULL)
        *attempts_left = entry->failures >= self->max_failures ? 0 : self->max_failures - entry->failures;
    }

  if (!refresh (self, entry, now))
    g_hash_table_remove (self->entries, key);
  g_cond_broadcast (&self->attempt_done);
  g_mutex_unlock (&self->lock);

  return blocked;
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
