/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>

#include "rc-room-registry.h"
#include "rc-tsan.h"

/* The rooms of the server, behind one mutex: the waiting rooms and the
 * active chats by id. It only keeps the tables; a room's events happen
 * under the room's own lock (rc-room.c), and no network I/O ever happens
 * while this lock is held. */

struct _RcRoomRegistry
{
  GObject     parent_instance;

  gint        changed;   /* atomic: rooms came or went since the last snapshot */

  /* Guards both tables. Leaf lock: taken last, held briefly, never across
   * I/O. */
  GMutex      lock;
  GHashTable *waiting;   /* id -> RcRoom (owned), rooms with their creator only */
  GHashTable *active;    /* id -> RcRoom (owned), paired rooms */
};

G_DEFINE_FINAL_TYPE (RcRoomRegistry, rc_room_registry, G_TYPE_OBJECT)

static void
rc_room_registry_finalize (GObject *object)
{
  RcRoomRegistry *self = RC_ROOM_REGISTRY (object);

  g_clear_pointer (&self->waiting, g_hash_table_unref);
  g_clear_pointer (&self->active, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (rc_room_registry_parent_class)->finalize (object);
}

static void
rc_room_registry_class_init (RcRoomRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_room_registry_finalize;
}

static void
rc_room_registry_init (RcRoomRegistry *self)
{
  g_mutex_init (&self->lock);
  /* Keys are the rooms' own ids, which live as long as the rooms. */
  self->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) rc_room_unref);
  self->active = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) rc_room_unref);
}

RcRoomRegistry *
rc_room_registry_new (void)
{
  return g_object_new (RC_TYPE_ROOM_REGISTRY, NULL);
}

/**
 * rc_room_registry_add:
 * @id: (out caller-allocates): the room's buffer for its id, filled here
 *   with a fresh id that no other room of this server has
 *
 * Adds @room to the waiting rooms.
 */
void
rc_room_registry_add (RcRoomRegistry *self,
                      RcRoom         *room,
                      char            id[RC_ROOM_ID_LENGTH + 1])
{
  g_return_if_fail (RC_IS_ROOM_REGISTRY (self));
  g_return_if_fail (room != NULL);

  g_mutex_lock (&self->lock);
  for (;;)
    {
      g_autofree char *candidate = rc_room_id_generate ();

      if (!g_hash_table_contains (self->waiting, candidate) && !g_hash_table_contains (self->active, candidate))
        {
          g_strlcpy (id, candidate, RC_ROOM_ID_LENGTH + 1);
          break;
        }
    }
  g_hash_table_insert (self->waiting, (gpointer) rc_room_get_id (room), rc_room_ref (room));
  g_mutex_unlock (&self->lock);

  g_atomic_int_set (&self->changed, TRUE);
}

/**
 * rc_room_registry_lookup:
 * @id: a normalised room id
 *
 * Returns: (transfer full) (nullable): the room with that id, waiting or active
 */
RcRoom *
rc_room_registry_lookup (RcRoomRegistry *self,
                         const char     *id)
{
  RcRoom *room;

  g_return_val_if_fail (RC_IS_ROOM_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  g_mutex_lock (&self->lock);
  room = g_hash_table_lookup (self->waiting, id);
  if (room == NULL)
    room = g_hash_table_lookup (self->active, id);
  if (room != NULL)
    rc_room_ref (room);
  g_mutex_unlock (&self->lock);

  return room;
}

/* Moves @room from the waiting rooms to the active chats. */
void
rc_room_registry_mark_paired (RcRoomRegistry *self,
                              RcRoom         *room)
{
  g_return_if_fail (RC_IS_ROOM_REGISTRY (self));
  g_return_if_fail (room != NULL);

  g_mutex_lock (&self->lock);
  if (g_hash_table_steal (self->waiting, rc_room_get_id (room)))
    g_hash_table_insert (self->active, (gpointer) rc_room_get_id (room), room);
  g_mutex_unlock (&self->lock);

  g_atomic_int_set (&self->changed, TRUE);
}

void
rc_room_registry_remove (RcRoomRegistry *self,
                         RcRoom         *room)
{
  RcRoom *stolen = NULL;

  g_return_if_fail (RC_IS_ROOM_REGISTRY (self));
  g_return_if_fail (room != NULL);

  g_mutex_lock (&self->lock);
  if (!g_hash_table_steal_extended (self->waiting, rc_room_get_id (room), NULL, (gpointer *) &stolen))
    g_hash_table_steal_extended (self->active, rc_room_get_id (room), NULL, (gpointer *) &stolen);
  g_mutex_unlock (&self->lock);

  g_atomic_int_set (&self->changed, TRUE);
  /* The caller holds a reference: the last one never goes here. */
  g_clear_pointer (&stolen, rc_room_unref);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Called with the lock held: references, not copies, to keep it short. */
static GPtrArray *
ref_rooms (GHashTable *table)
{
  GPtrArray *rooms = g_ptr_array_new_full (g_hash_table_size (table), (GDestroyNotify) rc_room_unref);
  GHashTableIter iter;
  RcRoom *room;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    g_ptr_array_add (rooms, rc_room_ref (room));

  return rooms;
}

static GPtrArray *
sorted_ids (GPtrArray *rooms)
{
  GPtrArray *ids = g_ptr_array_new_full (rooms->len, g_free);

  for (guint i = 0; i < rooms->len; i++)
    g_ptr_array_add (ids, g_strdup (rc_room_get_id (g_ptr_array_index (rooms, i))));
  g_ptr_array_sort (ids, compare_ids);
  return ids;
}

/**
 * rc_room_registry_snapshot:
 * @waiting: (out) (transfer full): ids of the waiting rooms, sorted
 * @active: (out) (transfer full): ids of the active chats, sorted
 */
void
rc_room_registry_snapshot (RcRoomRegistry  *self,
                           GPtrArray      **waiting,
                           GPtrArray      **active)
{
  g_autoptr(GPtrArray) waiting_rooms = NULL;
  g_autoptr(GPtrArray) active_rooms = NULL;

  g_return_if_fail (RC_IS_ROOM_REGISTRY (self));

  g_atomic_int_set (&self->changed, FALSE);
  g_mutex_lock (&self->lock);
  waiting_rooms = ref_rooms (self->waiting);
  active_rooms = ref_rooms (self->active);
  g_mutex_unlock (&self->lock);

  *waiting = sorted_ids (waiting_rooms);
  *active = sorted_ids (active_rooms);
}

/* Whether rooms came or went since the last snapshot. */
gboolean
rc_room_registry_has_changes (RcRoomRegistry *self)
{
  g_return_val_if_fail (RC_IS_ROOM_REGISTRY (self), FALSE);

  return g_atomic_int_get (&self->changed);
}
