/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <stdatomic.h>
#include <json-glib/json-glib.h>

#include "rc-json.h"
#include "rc-statistics.h"
#include "rc-tsan.h"

/* The live statistics described in the README: stats.json and ips.json.
 * The state writer (rc-state-writer.c) turns them into files; this object
 * keeps what they say, so that no relay and no hello ever waits for the
 * files to be built:
 *
 * - the counters a relay or a login adds to are atomics;
 * - a hello's line in ips.json is queued (one append under a lock) and
 *   applied to the table by the writer's thread, the table's only user;
 * - open connections, rooms and blocks are asked of their owners when the
 *   files are built.
 *
 * Counters that add up over time (visits, messages-relayed, bytes-relayed,
 * ips.json) carry over from the files of an earlier run until
 * `roomchat-server reset`. ips.json stays bounded: a name that never logged
 * in from an address gets a line of its own only while that address has
 * fewer than NAMES_PER_ADDRESS such names and the file fewer than
 * NAMES_IN_ALL; past that its hellos are counted under the name "" of its
 * address (or of the address "" when the file is full). */

#define NAMES_PER_ADDRESS 8
#define NAMES_IN_ALL 10000

typedef struct
{
  gint64   connections;
  gint64   wrong_credentials;
  gint64   blocked_times;
  gboolean logged_in;
} NameEntry;

typedef struct
{
  RcStatisticsEvent  event;
  char              *ip;
  char              *name;
} QueuedEvent;

typedef struct
{
  GHashTable *names;             /* name -> NameEntry, owned */
  guint       never_logged_in;   /* of those names */
} AddressEntry;

struct _RcStatistics
{
  GObject         parent_instance;

  /* Immutable after construction */
  RcRoomRegistry *registry;
  RcBlockList    *blocks;
  RcAdmission    *admission;
  GDateTime      *started_at;
  gint64          started_monotonic;

  /* Atomics: any thread */
  atomic_llong    visits;
  atomic_llong    messages_relayed;
  atomic_llong    bytes_relayed;
  atomic_int      changed;

  /* Guards queue. Leaf lock, held for an append or a swap. */
  GMutex          lock;
  GArray         *queue;         /* QueuedEvent */

  /* The state writer's thread only (and rc_statistics_load() before it) */
  GHashTable     *ips;           /* ip -> AddressEntry, owned */
  guint           never_logged_in;
  gboolean        ips_changed;   /* since ips.json was last built */
  guint           blocked_shown; /* blocked-ips in the last stats.json: blocks end without an event */
};

G_DEFINE_FINAL_TYPE (RcStatistics, rc_statistics, G_TYPE_OBJECT)

static void
queued_event_clear (QueuedEvent *event)
{
  g_free (event->ip);
  g_free (event->name);
}

static void
address_entry_free (AddressEntry *entry)
{
  g_hash_table_unref (entry->names);
  g_free (entry);
}

static void
rc_statistics_finalize (GObject *object)
{
  RcStatistics *self = RC_STATISTICS (object);

  g_clear_object (&self->registry);
  g_clear_object (&self->blocks);
  g_clear_object (&self->admission);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->queue, g_array_unref);
  g_clear_pointer (&self->ips, g_hash_table_unref);
  g_mutex_clear (&self->lock);

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
  self->queue = g_array_new (FALSE, FALSE, sizeof (QueuedEvent));
  g_array_set_clear_func (self->queue, (GDestroyNotify) queued_event_clear);
  self->ips = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) address_entry_free);
  self->ips_changed = TRUE;
  atomic_init (&self->visits, 0);
  atomic_init (&self->messages_relayed, 0);
  atomic_init (&self->bytes_relayed, 0);
  atomic_init (&self->changed, 1);
}

RcStatistics *
rc_statistics_new (RcRoomRegistry *registry,
                   RcBlockList    *blocks,
                   RcAdmission    *admission)
{
  RcStatistics *self;

  g_return_val_if_fail (RC_IS_ROOM_REGISTRY (registry), NULL);
  g_return_val_if_fail (RC_IS_BLOCK_LIST (blocks), NULL);
  g_return_val_if_fail (RC_IS_ADMISSION (admission), NULL);

  self = g_object_new (RC_TYPE_STATISTICS, NULL);
  self->registry = g_object_ref (registry);
  self->blocks = g_object_ref (blocks);
  self->admission = g_object_ref (admission);
  self->started_at = g_date_time_new_now_utc ();
  self->started_monotonic = g_get_monotonic_time ();

  return self;
}

/* The table ----------------------------------------------------------------- */

static AddressEntry *
lookup_address (RcStatistics *self,
                const char   *ip,
                gboolean      create)
{
  AddressEntry *address = g_hash_table_lookup (self->ips, ip);

  if (address == NULL && create)
    {
      address = g_new0 (AddressEntry, 1);
      address->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->ips, g_strdup (ip), address);
    }
  return address;
}

static NameEntry *
add_name (RcStatistics *self,
          AddressEntry *address,
          const char   *name,
          gboolean      logged_in)
{
  NameEntry *entry = g_new0 (NameEntry, 1);

  entry->logged_in = logged_in;
  if (!logged_in)
    {
      address->never_logged_in++;
      self->never_logged_in++;
    }
  g_hash_table_insert (address->names, g_strdup (name), entry);
  return entry;
}

/* Finds or makes the line a hello of @name from @ip counts on. */
static NameEntry *
lookup_name (RcStatistics *self,
             const char   *ip,
             const char   *name,
             gboolean      logs_in)
{
  AddressEntry *address = lookup_address (self, ip, FALSE);
  NameEntry *entry = address != NULL ? g_hash_table_lookup (address->names, name) : NULL;

  if (entry != NULL)
    {
      if (logs_in && !entry->logged_in)
        {
          entry->logged_in = TRUE;
          address->never_logged_in--;
          self->never_logged_in--;
        }
      return entry;
    }

  if (logs_in)
    return add_name (self, lookup_address (self, ip, TRUE), name, TRUE);

  if (self->never_logged_in < NAMES_IN_ALL &&
      (address == NULL || address->never_logged_in < NAMES_PER_ADDRESS))
    return add_name (self, lookup_address (self, ip, TRUE), name, FALSE);

  /* The catch-alls: the name "" of the address, or of the address "". */
  if (address != NULL || self->never_logged_in < NAMES_IN_ALL)
    {
      address = lookup_address (self, ip, TRUE);
      entry = g_hash_table_lookup (address->names, "");
      return entry != NULL ? entry : add_name (self, address, "", FALSE);
    }
  address = lookup_address (self, "", TRUE);
  entry = g_hash_table_lookup (address->names, "");
  return entry != NULL ? entry : add_name (self, address, "", FALSE);
}

static void
apply (RcStatistics      *self,
       const QueuedEvent *event)
{
  NameEntry *entry = lookup_name (self, event->ip, event->name, event->event == RC_STATISTICS_LOGIN);

  switch (event->event)
    {
    case RC_STATISTICS_HELLO:
    case RC_STATISTICS_LOGIN:
      entry->connections++;
      break;
    case RC_STATISTICS_WRONG_PASSWORD:
      entry->connections++;
      entry->wrong_credentials++;
      break;
    case RC_STATISTICS_BLOCK:
      entry->blocked_times++;
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Loading ------------------------------------------------------------------- */

static JsonObject *
parse_object (const char *json,
              const char *what)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (json == NULL)
    return NULL;

  if (!json_parser_load_from_data (parser, json, -1, &error))
    {
      g_warning ("Starting %s afresh: %s", what, error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_warning ("Starting %s afresh: not a JSON object", what);
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
 * @stats_json: (nullable): stats.json of an earlier run
 * @ips_json: (nullable): ips.json of an earlier run
 *
 * Carries the counters of an earlier run over, before the state writer
 * starts. Unreadable files are logged and started afresh: statistics never
 * stop the server.
 */
void
rc_statistics_load (RcStatistics *self,
                    const char   *stats_json,
                    const char   *ips_json)
{
  g_autoptr(JsonObject) stats = parse_object (stats_json, "stats.json");
  g_autoptr(JsonObject) ips = parse_object (ips_json, "ips.json");

  g_return_if_fail (RC_IS_STATISTICS (self));

  if (stats != NULL)
    {
      atomic_store (&self->visits, get_count (stats, "visits"));
      atomic_store (&self->messages_relayed, get_count (stats, "messages-relayed"));
      atomic_store (&self->bytes_relayed, get_count (stats, "bytes-relayed"));
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
              AddressEntry *address;
              NameEntry *entry;

              if (!JSON_NODE_HOLDS_OBJECT (node))
                continue;
              address = lookup_address (self, a->data, TRUE);
              /* Names an earlier run kept count as names that logged in,
               * but for the catch-alls. */
              entry = add_name (self, address, n->data, *(const char *) n->data != '\0');
              entry->connections = get_count (json_node_get_object (node), "num-connections");
              entry->wrong_credentials = get_count (json_node_get_object (node), "num-wrong-credentials");
              entry->blocked_times = get_count (json_node_get_object (node), "blocked-times");
            }
        }
    }
}

/* Counting ------------------------------------------------------------------ */

/**
 * rc_statistics_record:
 *
 * Counts a hello with a valid @name from @ip, for ips.json.
 */
void
rc_statistics_record (RcStatistics      *self,
                      RcStatisticsEvent  event,
                      const char        *ip,
                      const char        *name)
{
  QueuedEvent queued = { event, g_strdup (ip), g_strdup (name) };

  g_return_if_fail (RC_IS_STATISTICS (self));

  if (event == RC_STATISTICS_LOGIN)
    atomic_fetch_add (&self->visits, 1);

  g_mutex_lock (&self->lock);
  g_array_append_val (self->queue, queued);
  g_mutex_unlock (&self->lock);
  atomic_store (&self->changed, 1);
}

void
rc_statistics_add_relay (RcStatistics *self,
                         gsize         bytes)
{
  atomic_fetch_add_explicit (&self->messages_relayed, 1, memory_order_relaxed);
  atomic_fetch_add_explicit (&self->bytes_relayed, (long long) bytes, memory_order_relaxed);
  if (atomic_load_explicit (&self->changed, memory_order_relaxed) == 0)
    atomic_store_explicit (&self->changed, 1, memory_order_relaxed);
}

/* Something the files show changed outside this object: rooms, logins. */
void
rc_statistics_changed (RcStatistics *self)
{
  atomic_store (&self->changed, 1);
}

/* The state writer's thread only. */
gboolean
rc_statistics_has_changes (RcStatistics *self)
{
  return atomic_load (&self->changed) != 0 || rc_room_registry_has_changes (self->registry) ||
         rc_admission_has_changes (self->admission) ||
         rc_block_list_count_blocked (self->blocks) != self->blocked_shown;
}

/* Writing: the layout json-glib's pretty printer gave these files in
 * earlier versions, which people's scripts may read line by line. */

static void
add_int (GString    *out,
         const char *member,
         gint64      value,
         gboolean    last)
{
  g_string_append_printf (out, "  \"%s\" : %" G_GINT64_FORMAT "%s\n", member, value, last ? "" : ",");
}

static void
add_ids (GString    *out,
         const char *member,
         GPtrArray  *ids)
{
  g_string_append_printf (out, "  \"%s\" : {\n    \"num\" : %u,\n    \"ids\" : [", member, ids->len);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (out, "%s\n      \"%s\"", i == 0 ? "" : ",", (const char *) g_ptr_array_index (ids, i));
  g_string_append (out, ids->len > 0 ? "\n    ]\n  },\n" : "]\n  },\n");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (table));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

static void
serialize_ips (RcStatistics *self,
               GString      *out)
{
  g_autoptr(GPtrArray) ips = sorted_keys (self->ips);

  g_string_append_c (out, '{');
  for (guint i = 0; i < ips->len; i++)
    {
      const char *ip = g_ptr_array_index (ips, i);
      AddressEntry *address = g_hash_table_lookup (self->ips, ip);
      g_autoptr(GPtrArray) names = sorted_keys (address->names);

      g_string_append (out, i == 0 ? "\n  " : ",\n  ");
      rc_json_append_string (out, ip);
      g_string_append (out, " : {");
      for (guint j = 0; j < names->len; j++)
        {
          const char *name = g_ptr_array_index (names, j);
          NameEntry *entry = g_hash_table_lookup (address->names, name);

          g_string_append (out, j == 0 ? "\n    " : ",\n    ");
          rc_json_append_string (out, name);
          g_string_append_printf (out, " : {\n      \"num-connections\" : %" G_GINT64_FORMAT
                                  ",\n      \"num-wrong-credentials\" : %" G_GINT64_FORMAT
                                  ",\n      \"blocked-times\" : %" G_GINT64_FORMAT "\n    }",
                                  entry->connections, entry->wrong_credentials, entry->blocked_times);
        }
      g_string_append (out, names->len > 0 ? "\n  }" : "}");
    }
  g_string_append (out, ips->len > 0 ? "\n}\n" : "}\n");
}

/**
 * rc_statistics_serialize_stats:
 * @out: where stats.json goes
 *
 * Builds stats.json. Only the state writer's thread calls this.
 */
void
rc_statistics_serialize_stats (RcStatistics *self,
                               GString      *out)
{
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autofree char *started_at = g_date_time_format (self->started_at, "%Y-%m-%dT%H:%M:%SZ");
  guint open = 0;
  guint admitted = 0;
  guint away = 0;

  g_return_if_fail (RC_IS_STATISTICS (self));

  atomic_store (&self->changed, 0);
  rc_room_registry_snapshot (self->registry, &waiting, &active);
  rc_admission_snapshot (self->admission, &open, &admitted, &away);

  g_string_append (out, "{\n");
  add_int (out, "visits", atomic_load (&self->visits), FALSE);
  add_int (out, "active-threads", open, FALSE);
  add_ids (out, "rooms", waiting);
  add_ids (out, "active-chats", active);
  add_int (out, "uptime-seconds", (g_get_monotonic_time () - self->started_monotonic) / G_USEC_PER_SEC, FALSE);
  add_int (out, "connections", admitted, FALSE);
  add_int (out, "away-seats", away, FALSE);
  self->blocked_shown = rc_block_list_count_blocked (self->blocks);
  add_int (out, "blocked-ips", self->blocked_shown, FALSE);
  add_int (out, "messages-relayed", atomic_load (&self->messages_relayed), FALSE);
  add_int (out, "bytes-relayed", atomic_load (&self->bytes_relayed), FALSE);
  g_string_append_printf (out, "  \"started-at\" : \"%s\"\n}\n", started_at);
}

/**
 * rc_statistics_serialize_ips:
 * @out: where ips.json goes
 * @force: build it even when nothing changed
 *
 * Applies the queued hellos and builds ips.json, unless nothing changed
 * since it was last built. Only the state writer's thread calls this.
 * Returns whether @out was filled.
 */
gboolean
rc_statistics_serialize_ips (RcStatistics *self,
                             GString      *out,
                             gboolean      force)
{
  g_autoptr(GArray) queue = NULL;

  g_return_val_if_fail (RC_IS_STATISTICS (self), FALSE);

  g_mutex_lock (&self->lock);
  queue = g_steal_pointer (&self->queue);
  self->queue = g_array_new (FALSE, FALSE, sizeof (QueuedEvent));
  g_array_set_clear_func (self->queue, (GDestroyNotify) queued_event_clear);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < queue->len; i++)
    apply (self, &g_array_index (queue, QueuedEvent, i));
  if (queue->len > 0)
    self->ips_changed = TRUE;

  if (!self->ips_changed && !force)
    return FALSE;

  serialize_ips (self, out);
  self->ips_changed = FALSE;
  return TRUE;
}
