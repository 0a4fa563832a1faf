/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-room-registry.h"

/* The server's table of rooms, in process, with rooms nobody is in yet
 * (rc_room_new(); rc_room_create() adds the creator). */

static void
test_ids_and_states (void)
{
  g_autoptr(RcRoomRegistry) registry = rc_room_registry_new ();
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) rooms = g_ptr_array_new_with_free_func ((GDestroyNotify) rc_room_unref);
  RcRoom *found;

  g_assert_false (rc_room_registry_has_changes (registry));

  for (guint i = 0; i < 200; i++)
    {
      RcRoom *room = rc_room_new (registry);
      const char *id = rc_room_get_id (room);
      g_autofree char *normalized = rc_room_id_normalize (id, NULL);

      /* Canonical, and unique among the rooms alive */
      g_assert_cmpstr (normalized, ==, id);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, g_strdup (id));
      g_ptr_array_add (rooms, room);
    }
  g_assert_true (rc_room_registry_has_changes (registry));

  found = rc_room_registry_lookup (registry, rc_room_get_id (g_ptr_array_index (rooms, 7)));
  g_assert_true (found == g_ptr_array_index (rooms, 7));
  rc_room_unref (found);
  g_assert_null (rc_room_registry_lookup (registry, "AAAAAAAAAAAA"));

  rc_room_registry_mark_paired (registry, g_ptr_array_index (rooms, 0));
  rc_room_registry_mark_paired (registry, g_ptr_array_index (rooms, 1));
  rc_room_registry_remove (registry, g_ptr_array_index (rooms, 2));
  rc_room_registry_remove (registry, g_ptr_array_index (rooms, 1));

  rc_room_registry_snapshot (registry, &waiting, &active);
  g_assert_false (rc_room_registry_has_changes (registry));
  g_assert_cmpuint (waiting->len, ==, 197);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (active, 0), ==, rc_room_get_id (g_ptr_array_index (rooms, 0)));
  for (guint i = 1; i < waiting->len; i++)
    g_assert_cmpint (strcmp (g_ptr_array_index (waiting, i - 1), g_ptr_array_index (waiting, i)), <, 0);

  /* A removed room is gone for good. */
  g_assert_null (rc_room_registry_lookup (registry, rc_room_get_id (g_ptr_array_index (rooms, 2))));

  for (guint i = 0; i < rooms->len; i++)
    rc_room_registry_remove (registry, g_ptr_array_index (rooms, i));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/room-registry/ids-and-states", test_ids_and_states);

  return g_test_run ();
}
