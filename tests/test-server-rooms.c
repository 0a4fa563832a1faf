/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "server-helpers.h"

/* docs/protocol.md 3.2 and 3.4 against the real server: rooms, leaving,
 * disconnecting, states, ping. */

static TestServer *
start_server (void)
{
  TestServer *server = test_server_new (NULL);

  test_server_start (server);
  return server;
}

static void
expect_key_material (const RcKeyMaterial *keys,
                     guint8               marker)
{
  const guint8 *data;
  gsize size = 0;

  data = g_bytes_get_data (keys->identity, &size);
  g_assert_cmpuint (size, ==, 64);
  g_assert_cmpint (data[0], ==, marker);
  data = g_bytes_get_data (keys->ephemeral, &size);
  g_assert_cmpuint (size, ==, 32);
  g_assert_cmpint (data[0], ==, marker + 1);
  data = g_bytes_get_data (keys->signature, &size);
  g_assert_cmpuint (size, ==, 48);
  g_assert_cmpint (data[0], ==, marker + 2);
}

static void
test_create_and_join (void)
{
  g_autoptr(TestServer) server = start_server ();
  g_autoptr(TestClient) ana = test_client_hello (server, "Ana");
  g_autoptr(TestClient) pablo = test_client_hello (server, "Pablo");
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;
  g_autoptr(RcFrame) join = NULL;
  g_autoptr(RcFrame) paired_ana = NULL;
  g_autoptr(RcFrame) paired_pablo = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autofree char *typed = NULL;
  GString *messy;

  test_client_send (ana, create);
  created = test_client_expect (ana, RC_FRAME_CREATED);
  g_assert_cmpuint (strlen (created->room), ==, 12);
  for (const char *p = created->room; *p != '\0'; p++)
    g_assert_true (g_ascii_isupper (*p) || g_ascii_isdigit (*p));

  /* As a person types it: lower case, spaces and dashes */
  messy = g_string_new (NULL);
  for (guint i = 0; i < 12; i++)
    {
      g_string_append_c (messy, g_ascii_tolower (created->room[i]));
      if (i == 3)
        g_string_append (messy, " - ");
      if (i == 7)
        g_string_append_c (messy, ' ');
    }
  typed = g_string_free (messy, FALSE);

  join = test_frame_join (typed);
  test_client_send (pablo, join);

  paired_ana = test_client_expect (ana, RC_FRAME_PAIRED);
  g_assert_cmpstr (paired_ana->room, ==, created->room);
  g_assert_cmpint (paired_ana->role, ==, RC_ROLE_CREATOR);
  g_assert_false (paired_ana->your_turn);
  g_assert_cmpstr (paired_ana->peer_name, ==, "Pablo");
  expect_key_material (&paired_ana->peer_keys, 0x20);

  paired_pablo = test_client_expect (pablo, RC_FRAME_PAIRED);
  g_assert_cmpstr (paired_pablo->room, ==, created->room);
  g_assert_cmpint (paired_pablo->role, ==, RC_ROLE_JOINER);
  g_assert_true (paired_pablo->your_turn);
  g_assert_cmpstr (paired_pablo->peer_name, ==, "Ana");
  expect_key_material (&paired_pablo->peer_keys, 0x10);

  /* stats.json shows it as an active chat */
  g_assert_true (test_server_wait_for_stat (server, "connections", 2));
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
       g_get_monotonic_time () < deadline;
       g_usleep (20000))
    {
      JsonObject *chats;

      g_clear_pointer (&stats, json_object_unref);
      stats = test_server_read_json (server, "stats.json");
      chats = json_object_get_object_member (stats, "active-chats");
      if (json_object_get_int_member (chats, "num") == 1)
        break;
    }
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (stats, "active-chats"), "num"), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json_object_get_object_member (stats, "active-chats"), "ids"), 0),
                   ==, created->room);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (stats, "rooms"), "num"), ==, 0);
}

static void
test_no_such_room (void)
{
  g_autoptr(TestServer) server = start_server ();
  g_autoptr(TestClient) ana = test_client_hello (server, "Ana");
  const char *ids[] = { "AAAAAAAAAAAA", "short", "TOO-LONG-ID-12345", "ÀÀÀÀÀÀÀÀÀÀÀÀ" };
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(RcFrame) join = test_frame_join (ids[i]);
      g_autoptr(RcFrame) error = NULL;

      test_client_send (ana, join);
      error = test_client_expect_error (ana, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
    }

  /* Still in the lobby */
  test_client_send (ana, create);
  created = test_client_expect (ana, RC_FRAME_CREATED);
}

static void
test_room_full (void)
{
  g_autoptr(TestServer) server = start_server ();
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(TestClient) carla = test_client_hello (server, "Carla");
  g_autofree char *room = test_pair (server, &ana, &pablo);
  g_autoptr(RcFrame) join = test_frame_join (room);
  g_autoptr(RcFrame) error = NULL;
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;

  test_client_send (carla, join);
  error = test_client_expect_error (carla, RC_PROTOCOL_ERROR_ROOM_FULL);

  /* Still in the lobby */
  test_client_send (carla, create);
  created = test_client_expect (carla, RC_FRAME_CREATED);
}

static void
test_leave_waiting (void)
{
  g_autoptr(TestServer) server = start_server ();
  g_autoptr(TestClient) ana = test_client_hello (server, "Ana");
  g_autoptr(TestClient) pablo = test_client_hello (server, "Pablo");
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;
  g_autoptr(RcFrame) left = NULL;
  g_autoptr(RcFrame) join = NULL;
  g_autoptr(RcFrame) error = NULL;
  g_autoptr(RcFrame) created_again = NULL;

  test_client_send (ana, create);
  created = test_client_expect (ana, RC_FRAME_CREATED);
  test_client_send_line (ana, "{\"type\":\"leave\"}");
  left = test_client_expect (ana, RC_FRAME_LEFT);
  g_assert_cmpstr (left->room, ==, created->room);

  /* The waiting room is gone. */
  join = test_frame_join (created->room);
  test_client_send (pablo, join);
  error = test_client_expect_error (pablo, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);

  /* Back in the lobby, with a new room */
  test_client_send (ana, create);
  created_again = test_client_expect (ana, RC_FRAME_CREATED);
  g_assert_cmpstr (created_again->room, !=, created->room);
}

static void
test_leave_chat (void)
{
  g_autoptr(TestServer) server = start_server ();
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(TestClient) carla = test_client_hello (server, "Carla");
  g_autofree char *room = test_pair (server, &ana, &pablo);
  g_autoptr(RcFrame) left = NULL;
  g_autoptr(RcFrame) peer_left = NULL;
  g_autoptr(RcFrame) join = test_frame_join (room);
  g_autoptr(RcFrame) error = NULL;
  g_autoptr(RcFrame) pong = NULL;
  g_autoptr(RcFrame) bad_state = NULL;

  test_client_send_line (pablo, "{\"type\":\"leave\"}");
  left = test_client_expect (pablo, RC_FRAME_LEFT);
  g_assert_cmpstr (left->room, ==, room);
  peer_left = test_client_expect (ana, RC_FRAME_PEER_LEFT);
  g_assert_cmpstr (peer_left->reason, ==, "left");

  /* A room never outlives its chat. */
  test_client_send (carla, join);
  error = test_client_expect_error (carla, RC_PROTOCOL_ERROR_NO_SUCH_ROOM);

  /* Both are in the lobby: leave is out of place, ping is fine. */
  test_client_send_line (ana, "{\"type\":\"leave\"}");
  bad_state = test_client_expect_error (ana, RC_PROTOCOL_ERROR_BAD_STATE);
  test_client_send_line (ana, "{\"type\":\"ping\"}");
  pong = test_client_expect (ana, RC_FRAME_PONG);
}

static void
test_disconnect (void)
{
  g_autoptr(TestServer) server = start_server ();
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(TestClient) waiting = test_client_hello (server, "Carla");
  g_autofree char *room = test_pair (server, &ana, &pablo);
  g_autoptr(RcFrame) peer_left = NULL;
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;

  g_clear_pointer (&pablo, test_client_free);
  peer_left = test_client_expect (ana, RC_FRAME_PEER_LEFT);
  g_assert_cmpstr (peer_left->reason, ==, "disconnected");

  /* A waiting room goes with its creator. */
  test_client_send (waiting, create);
  created = test_client_expect (waiting, RC_FRAME_CREATED);
  g_clear_pointer (&waiting, test_client_free);
  g_assert_true (test_server_wait_for_stat (server, "connections", 1));
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
       g_get_monotonic_time () < deadline;
       g_usleep (20000))
    {
      g_autoptr(JsonObject) stats = test_server_read_json (server, "stats.json");

      if (json_object_get_int_member (json_object_get_object_member (stats, "rooms"), "num") == 0 &&
          json_object_get_int_member (json_object_get_object_member (stats, "active-chats"), "num") == 0)
        return;
    }
  g_assert_not_reached ();
}

static void
test_bad_state (void)
{
  g_autoptr(TestServer) server = start_server ();
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(TestClient) lone = test_client_hello (server, "Carla");
  g_autofree char *room = test_pair (server, &ana, &pablo);
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) join = test_frame_join (room);
  g_autoptr(RcFrame) hello = test_frame_hello ("Ana", TEST_PASSWORD, 1);
  g_autoptr(RcFrame) message = test_frame_message (0, 32);
  g_autoptr(RcFrame) created = NULL;
  const char *server_frames[] = {
    "{\"type\":\"welcome\",\"version\":1,\"server\":\"x\"}",
    "{\"type\":\"relayed\",\"seq\":0}",
    "{\"type\":\"some-future-frame\",\"x\":1}",
  };

  /* In a chat: create, join, hello are out of place; the chat goes on. */
  test_client_send (ana, create);
  rc_frame_free (test_client_expect_error (ana, RC_PROTOCOL_ERROR_BAD_STATE));
  test_client_send (ana, join);
  rc_frame_free (test_client_expect_error (ana, RC_PROTOCOL_ERROR_BAD_STATE));
  test_client_send (ana, hello);
  rc_frame_free (test_client_expect_error (ana, RC_PROTOCOL_ERROR_BAD_STATE));
  for (guint i = 0; i < G_N_ELEMENTS (server_frames); i++)
    {
      test_client_send_line (ana, server_frames[i]);
      rc_frame_free (test_client_expect_error (ana, RC_PROTOCOL_ERROR_BAD_STATE));
    }

  /* In the lobby: message and leave */
  test_client_send (lone, message);
  rc_frame_free (test_client_expect_error (lone, RC_PROTOCOL_ERROR_BAD_STATE));
  test_client_send_line (lone, "{\"type\":\"leave\"}");
  rc_frame_free (test_client_expect_error (lone, RC_PROTOCOL_ERROR_BAD_STATE));

  /* Waiting: message, create and join */
  test_client_send (lone, create);
  created = test_client_expect (lone, RC_FRAME_CREATED);
  test_client_send (lone, message);
  rc_frame_free (test_client_expect_error (lone, RC_PROTOCOL_ERROR_BAD_STATE));
  test_client_send (lone, create);
  rc_frame_free (test_client_expect_error (lone, RC_PROTOCOL_ERROR_BAD_STATE));
  test_client_send (lone, join);
  rc_frame_free (test_client_expect_error (lone, RC_PROTOCOL_ERROR_BAD_STATE));

  /* Pings everywhere */
  test_client_send_line (lone, "{\"type\":\"ping\"}");
  rc_frame_free (test_client_expect (lone, RC_FRAME_PONG));
  test_client_send_line (pablo, "{\"type\":\"ping\",\"extra\":[1,2,3]}");
  rc_frame_free (test_client_expect (pablo, RC_FRAME_PONG));
}

static void
test_idle_timeout (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autofree char *room = NULL;
  g_autoptr(RcFrame) peer_left = NULL;

  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_IDLE_MS", "1500");
  test_server_start (server);
  room = test_pair (server, &ana, &pablo);

  /* Pablo keeps pinging, Ana goes silent: she is closed, he is told. */
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RcFrame) frame = NULL;

      test_client_send_line (pablo, "{\"type\":\"ping\"}");
      frame = test_client_read (pablo);
      if (frame->type == RC_FRAME_PEER_LEFT)
        {
          g_assert_cmpstr (frame->reason, ==, "disconnected");
          test_client_expect_closed (ana);
          /* ... and the pong he was owed */
          rc_frame_free (test_client_expect (pablo, RC_FRAME_PONG));
          return;
        }
      g_assert_cmpint (frame->type, ==, RC_FRAME_PONG);
      g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    }
  g_assert_not_reached ();
}

/* A connection quiet for longer than the write timeout is still open: the
 * idle limit alone decides. */
static void
test_quiet_but_alive (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(RcFrame) pong = NULL;

  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_WRITE_S", "1");
  test_server_start (server);
  ana = test_client_hello (server, "Ana");

  g_usleep (2500 * G_TIME_SPAN_MILLISECOND);
  test_client_send_line (ana, "{\"type\":\"ping\"}");
  pong = test_client_expect (ana, RC_FRAME_PONG);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/rooms/create-and-join", test_create_and_join);
  g_test_add_func ("/server/rooms/no-such-room", test_no_such_room);
  g_test_add_func ("/server/rooms/room-full", test_room_full);
  g_test_add_func ("/server/rooms/leave-waiting", test_leave_waiting);
  g_test_add_func ("/server/rooms/leave-chat", test_leave_chat);
  g_test_add_func ("/server/rooms/disconnect", test_disconnect);
  g_test_add_func ("/server/rooms/bad-state", test_bad_state);
  g_test_add_func ("/server/rooms/idle-timeout", test_idle_timeout);
  g_test_add_func ("/server/rooms/quiet-but-alive", test_quiet_but_alive);

  return g_test_run ();
}
