/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>

#include "rc-room-registry.h"
#include "rc-tsan.h"

/* The rooms of the server, behind one mutex. It only keeps the tables: the
 * events of a room happen under the room's own lock (rc-connection.c), so
 * no network I/O ever happens while this lock is held. */

struct _RcRoomRegistry
{
  GObject     parent_instance;

  /* Guards both tables. Leaf lock: taken last, held briefly, never across
   * I/O. */
  GMutex      lock;
  GHashTable *waiting;   /* id -> RcRoom (owned), rooms with their creator only */
  GHashTable *active;    /* id -> RcRoom (owned), paired rooms */
};

G_DEFINE_FINAL_TYPE (RcRoomRegistry, rc_room_registry, G_TYPE_OBJECT)

static void
room_clear (RcRoom *room)
{
  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&room->members[i]);
      g_clear_pointer (&room->names[i], g_free);
      rc_key_material_clear (&room->keys[i]);
    }
  g_mutex_clear (&room->lock);
}

RcRoom *
rc_room_ref (RcRoom *room)
{
  return g_atomic_rc_box_acquire (room);
}

void
rc_room_unref (RcRoom *room)
{
  g_atomic_rc_box_release_full (room, (GDestroyNotify) room_clear);
}

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
  self->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) rc_room_unref);
  self->active = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) rc_room_unref);
}

RcRoomRegistry *
rc_room_registry_new (void)
{
  return g_object_new (RC_TYPE_ROOM_REGISTRY, NULL);
}

/**
 * rc_room_registry_create:
 *
 * Makes a waiting room with a fresh id that no other room of this server
 * has. It comes locked, so that nobody can join it before the caller has
 * filled in the creator and unlocked it.
 *
 * Returns: (transfer full): the room, locked
 */
RcRoom *
rc_room_registry_create (RcRoomRegistry *self)
{
  RcRoom *room;

  g_return_val_if_fail (RC_IS_ROOM_REGISTRY (self), NULL);

  room = g_atomic_rc_box_new0 (RcRoom);
  g_mutex_init (&room->lock);
  room->turn = RC_ROLE_JOINER;
  g_mutex_lock (&room->lock);

  g_mutex_lock (&self->lock);
  for (;;)
    {
      g_autofree char *id = rc_room_id_generate ();

      if (!g_hash_table_contains (self->waiting, id) && !g_hash_table_contains (self->active, id))
        {
          g_strlcpy (room->id, id, sizeof room->id);
          break;
        }
    }
  g_hash_table_insert (self->waiting, room->id, rc_room_ref (room));
  g_mutex_unlock (&self->lock);

  return room;
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
  if (g_hash_table_steal (self->waiting, room->id))
    g_hash_table_insert (self->active, room->id, room);
  g_mutex_unlock (&self->lock);
}

void
rc_room_registry_remove (RcRoomRegistry *self,
                         RcRoom         *room)
{
  RcRoom *stolen = NULL;

  g_return_if_fail (RC_IS_ROOM_REGISTRY (self));
  g_return_if_fail (room != NULL);

  g_mutex_lock (&self->lock);
  if (!g_hash_table_steal_extended (self->waiting, room->id, NULL, (gpointer *) &stolen))
    g_hash_table_steal_extended (self->active, room->id, NULL, (gpointer *) &stolen);
  g_mutex_unlock (&self->lock);

  /* The last reference may go here; never under the registry's lock. */
  g_clear_pointer (&stolen, rc_room_unref);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static GPtrArray *
sorted_ids (GHashTable *table)
{
  GPtrArray *ids = g_ptr_array_new_full (g_hash_table_size (table), g_free);
  GHashTableIter iter;
  const char *id;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    g_ptr_array_add (ids, g_strdup (id));
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
  g_return_if_fail (RC_IS_ROOM_REGISTRY (self));

  g_mutex_lock (&self->lock);
  *waiting = sorted_ids (self->waiting);
  *active = sorted_ids (self->active);
  g_mutex_unlock (&self->lock);
}
