/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <json-glib/json-glib.h>

#include "rc-statistics.h"
#include "rc-tsan.h"

/* The live statistics described in the README: stats.json and ips.json in the state
 * directory. Changes mark them dirty; a writer thread of its own writes both
 * files within COALESCE_US of a change (so a burst of changes costs one
 * write) and at least every HEARTBEAT_US (so uptime-seconds stays fresh),
 * each atomically (temporary file, fsync, rename) with mode 0600. Disk
 * latency never delays a connection. Counters that add up over time
 * (visits, messages-relayed, bytes-relayed, ips.json) carry over from the
 * files of an earlier run until `roomchat-server reset` clears them. */

#define COALESCE_US (200 * G_TIME_SPAN_MILLISECOND)
#define HEARTBEAT_US (60 * G_TIME_SPAN_SECOND)

typedef struct
{
  gint64 connections;
  gint64 wrong_credentials;
  gint64 blocked_times;
} NameEntry;

struct _RcStatistics
{
  GObject         parent_instance;

  /* Immutable after construction */
  char           *stats_path;
  char           *ips_path;
  RcRoomRegistry *registry;
  RcBlockList    *blocks;
  GDateTime      *started_at;
  gint64          started_monotonic;

  /* Guards everything below. Leaf lock: never held across file I/O or
   * while taking another lock. */
  GMutex          lock;
  GCond           cond;
  GThread        *writer;
  gboolean        dirty;
  gint64          dirty_since;
  gboolean        quit;
  gint64          visits;
  gint64          active_threads;
  gint64          connections;
  gint64          messages_relayed;
  gint64          bytes_relayed;
  GHashTable     *ips;        /* ip -> (name -> NameEntry) */
};

G_DEFINE_FINAL_TYPE (RcStatistics, rc_statistics, G_TYPE_OBJECT)

static void
rc_statistics_finalize (GObject *object)
{
  RcStatistics *self = RC_STATISTICS (object);

  g_assert (self->writer == NULL);

  g_clear_pointer (&self->stats_path, g_free);
  g_clear_pointer (&self->ips_path, g_free);
  g_clear_object (&self->registry);
  g_clear_object (&self->blocks);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->ips, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (rc_statistics_parent_class)->finalize (object);
}

static void
rc_statistics_class_init (RcStatisticsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_statistics_finalize;
}

static void
rc_statistics_init (RcStatistics *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->ips = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_hash_table_unref);
}

RcStatistics *
rc_statistics_new (const char     *state_dir,
                   RcRoomRegistry *registry,
                   RcBlockList    *blocks)
{
  RcStatistics *self;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (RC_IS_ROOM_REGISTRY (registry), NULL);
  g_return_val_if_fail (RC_IS_BLOCK_LIST (blocks), NULL);

  self = g_object_new (RC_TYPE_STATISTICS, NULL);
  self->stats_path = g_build_filename (state_dir, RC_STATS_FILE, NULL);
  self->ips_path = g_build_filename (state_dir, RC_IPS_FILE, NULL);
  self->registry = g_object_ref (registry);
  self->blocks = g_object_ref (blocks);
  self->started_at = g_date_time_new_now_utc ();
  self->started_monotonic = g_get_monotonic_time ();

  return self;
}

/* Called with the lock held. */
static NameEntry *
lookup_name (RcStatistics *self,
             const char   *ip,
             const char   *name)
{
  GHashTable *names = g_hash_table_lookup (self->ips, ip);
  NameEntry *entry;

  if (names == NULL)
    {
      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->ips, g_strdup (ip), names);
    }

  entry = g_hash_table_lookup (names, name);
  if (entry == NULL)
    {
      entry = g_new0 (NameEntry, 1);
      g_hash_table_insert (names, g_strdup (name), entry);
    }

  return entry;
}

static JsonObject *
load_object (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;

  if (!json_parser_load_from_file (parser, path, &error))
    {
      g_message ("Starting %s afresh: %s", path, error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_message ("Starting %s afresh: not a JSON object", path);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static gint64
get_count (JsonObject *object,
           const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;

  return MAX (json_node_get_int (node), 0);
}

/**
 * rc_statistics_load:
 *
 * Carries the counters of an earlier run over. Unreadable files are logged
 * and started afresh: statistics never stop the server.
 */
void
rc_statistics_load (RcStatistics *self)
{
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(JsonObject) ips = NULL;

  g_return_if_fail (RC_IS_STATISTICS (self));

  stats = load_object (self->stats_path);
  ips = load_object (self->ips_path);

  g_mutex_lock (&self->lock);

  if (stats != NULL)
    {
      self->visits = get_count (stats, "visits");
      self->messages_relayed = get_count (stats, "messages-relayed");
      self->bytes_relayed = get_count (stats, "bytes-relayed");
    }

  if (ips != NULL)
    {
      g_autoptr(GList) addresses = json_object_get_members (ips);

      for (const GList *a = addresses; a != NULL; a = a->next)
        {
          JsonNode *names_node = json_object_get_member (ips, a->data);
          g_autoptr(GList) names = NULL;
          JsonObject *names_object;

          if (!JSON_NODE_HOLDS_OBJECT (names_node))
            continue;
          names_object = json_node_get_object (names_node);
          names = json_object_get_members (names_object);

          for (const GList *n = names; n != NULL; n = n->next)
            {
              JsonNode *node = json_object_get_member (names_object, n->data);
              NameEntry *entry;

              if (!JSON_NODE_HOLDS_OBJECT (node))
                continue;
              entry = lookup_name (self, a->data, n->data);
              entry->connections = get_count (json_node_get_object (node), "num-connections");
              entry->wrong_credentials = get_count (json_node_get_object (node), "num-wrong-credentials");
              entry->blocked_times = get_count (json_node_get_object (node), "blocked-times");
            }
        }
    }

  g_mutex_unlock (&self->lock);
}

static void
add_ids (JsonBuilder *builder,
         const char  *member,
         GPtrArray   *ids)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "num");
  json_builder_add_int_value (builder, ids->len);
  json_builder_set_member_name (builder, "ids");
  json_builder_begin_array (builder);
  for (guint i = 0; i < ids->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (ids, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static char *
to_json (JsonBuilder *builder,
         gsize       *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *json;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json = json_generator_to_data (generator, length);

  /* End the file with a newline, as text files do. */
  json = g_realloc (json, *length + 2);
  json[(*length)++] = '\n';
  json[*length] = '\0';
  return json;
}

/* Builds both files' contents. Takes the registry's and the block list's
 * locks first, then this object's: never nested. */
static void
snapshot (RcStatistics  *self,
          char         **stats_json,
          gsize         *stats_length,
          char         **ips_json,
          gsize         *ips_length)
{
  g_autoptr(JsonBuilder) stats = json_builder_new_immutable ();
  g_autoptr(JsonBuilder) ips = json_builder_new_immutable ();
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autofree char *started_at = g_date_time_format (self->started_at, "%Y-%m-%dT%H:%M:%SZ");
  guint blocked = rc_block_list_count_blocked (self->blocks);
  GHashTableIter iter;
  const char *ip;
  GHashTable *names;

  rc_room_registry_snapshot (self->registry, &waiting, &active);

  g_mutex_lock (&self->lock);

  json_builder_begin_object (stats);
  add_int (stats, "visits", self->visits);
  add_int (stats, "active-threads", self->active_threads);
  add_ids (stats, "rooms", waiting);
  add_ids (stats, "active-chats", active);
  add_int (stats, "uptime-seconds", (g_get_monotonic_time () - self->started_monotonic) / G_USEC_PER_SEC);
  add_int (stats, "connections", self->connections);
  add_int (stats, "blocked-ips", blocked);
  add_int (stats, "messages-relayed", self->messages_relayed);
  add_int (stats, "bytes-relayed", self->bytes_relayed);
  json_builder_set_member_name (stats, "started-at");
  json_builder_add_string_value (stats, started_at);
  json_builder_end_object (stats);

  json_builder_begin_object (ips);
  g_hash_table_iter_init (&iter, self->ips);
  while (g_hash_table_iter_next (&iter, (gpointer *) &ip, (gpointer *) &names))
    {
      GHashTableIter name_iter;
      const char *name;
      NameEntry *entry;

      json_builder_set_member_name (ips, ip);
      json_builder_begin_object (ips);
      g_hash_table_iter_init (&name_iter, names);
      while (g_hash_table_iter_next (&name_iter, (gpointer *) &name, (gpointer *) &entry))
        {
          json_builder_set_member_name (ips, name);
          json_builder_begin_object (ips);
          add_int (ips, "num-connections", entry->connections);
          add_int (ips, "num-wrong-credentials", entry->wrong_credentials);
          add_int (ips, "blocked-times", entry->blocked_times);
          json_builder_end_object (ips);
        }
      json_builder_end_object (ips);
    }
  json_builder_end_object (ips);

  g_mutex_unlock (&self->lock);

  *stats_json = to_json (stats, stats_length);
  *ips_json = to_json (ips, ips_length);
}

/**
 * rc_statistics_write:
 *
 * Writes both files now, atomically and with mode 0600.
 */
gboolean
rc_statistics_write (RcStatistics  *self,
                     GError       **error)
{
  g_autofree char *stats_json = NULL;
  g_autofree char *ips_json = NULL;
  gsize stats_length = 0;
  gsize ips_length = 0;

  g_return_val_if_fail (RC_IS_STATISTICS (self), FALSE);

  snapshot (self, &stats_json, &stats_length, &ips_json, &ips_length);

  return g_file_set_contents_full (self->ips_path, ips_json, (gssize) ips_length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error) &&
         g_file_set_contents_full (self->stats_path, stats_json, (gssize) stats_length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static gpointer
writer_thread (gpointer data)
{
  RcStatistics *self = data;

  g_mutex_lock (&self->lock);
  while (!self->quit)
    {
      gint64 deadline;
      g_autoptr(GError) error = NULL;

      if (self->dirty)
        deadline = self->dirty_since + COALESCE_US;
      else
        deadline = g_get_monotonic_time () + HEARTBEAT_US;

      if (g_cond_wait_until (&self->cond, &self->lock, deadline) || self->quit)
        continue;

      /* The deadline passed: write what changed, or refresh the uptime. */
      self->dirty = FALSE;
      g_mutex_unlock (&self->lock);

      if (!rc_statistics_write (self, &error))
        g_message ("Cannot write the statistics: %s", error->message);

      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

/* Starts the writer thread; files are written at once. */
void
rc_statistics_start (RcStatistics *self)
{
  g_return_if_fail (RC_IS_STATISTICS (self));
  g_return_if_fail (self->writer == NULL);

  self->quit = FALSE;
  self->dirty = TRUE;
  self->dirty_since = g_get_monotonic_time () - COALESCE_US;
  self->writer = g_thread_new ("rc-statistics", writer_thread, self);
}

/* Stops the writer thread and writes the files a last time. */
void
rc_statistics_stop (RcStatistics *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (RC_IS_STATISTICS (self));

  if (self->writer == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  g_thread_join (g_steal_pointer (&self->writer));

  if (!rc_statistics_write (self, &error))
    g_message ("Cannot write the statistics: %s", error->message);
}

/* Called with the lock held. */
static void
mark_dirty (RcStatistics *self)
{
  if (!self->dirty)
    {
      self->dirty = TRUE;
      self->dirty_since = g_get_monotonic_time ();
      g_cond_signal (&self->cond);
    }
}

/* Something the files show changed outside this object: rooms, blocks. */
void
rc_statistics_changed (RcStatistics *self)
{
  g_return_if_fail (RC_IS_STATISTICS (self));

  g_mutex_lock (&self->lock);
  mark_dirty (self);
  g_mutex_unlock (&self->lock);
}

#define COUNTER_FUNC(func, field, delta)      \
  void                                        \
  func (RcStatistics *self)                   \
  {                                           \
    g_return_if_fail (RC_IS_STATISTICS (self)); \
    g_mutex_lock (&self->lock);               \
    self->field += (delta);                   \
    mark_dirty (self);                        \
    g_mutex_unlock (&self->lock);             \
  }

COUNTER_FUNC (rc_statistics_thread_started, active_threads, 1)
COUNTER_FUNC (rc_statistics_thread_finished, active_threads, -1)
COUNTER_FUNC (rc_statistics_connection_admitted, connections, 1)
COUNTER_FUNC (rc_statistics_connection_released, connections, -1)
COUNTER_FUNC (rc_statistics_add_visit, visits, 1)

/* A hello with a valid name arrived from @ip. */
void
rc_statistics_add_hello (RcStatistics *self,
                         const char   *ip,
                         const char   *name)
{
  g_return_if_fail (RC_IS_STATISTICS (self));

  g_mutex_lock (&self->lock);
  lookup_name (self, ip, name)->connections++;
  mark_dirty (self);
  g_mutex_unlock (&self->lock);
}

void
rc_statistics_add_wrong_credentials (RcStatistics *self,
                                     const char   *ip,
                                     const char   *name)
{
  g_return_if_fail (RC_IS_STATISTICS (self));

  g_mutex_lock (&self->lock);
  lookup_name (self, ip, name)->wrong_credentials++;
  mark_dirty (self);
  g_mutex_unlock (&self->lock);
}

/* @ip was blocked after a wrong password given with @name. */
void
rc_statistics_add_block (RcStatistics *self,
                         const char   *ip,
                         const char   *name)
{
  g_return_if_fail (RC_IS_STATISTICS (self));

  g_mutex_lock (&self->lock);
  lookup_name (self, ip, name)->blocked_times++;
  mark_dirty (self);
  g_mutex_unlock (&self->lock);
}

void
rc_statistics_add_relay (RcStatistics *self,
                         gsize         bytes)
{
  g_return_if_fail (RC_IS_STATISTICS (self));

  g_mutex_lock (&self->lock);
  self->messages_relayed++;
  self->bytes_relayed += (gint64) bytes;
  mark_dirty (self);
  g_mutex_unlock (&self->lock);
}
