/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "server-helpers.h"

/* docs/protocol.md 3.6 against the real server: seats that wait for a lost
 * connection, resuming, held and redelivered messages, expiry, takeover,
 * and what version 1 clients see of it (nothing). A connection is lost
 * here by closing it without leave. */

typedef struct
{
  TestClient *client;
  char       *room;
  GBytes     *token;
  gint64      received;   /* the peer's messages read */
  gint64      sent;       /* own messages sent */
} Person;

static void
person_clear (Person *person)
{
  g_clear_pointer (&person->client, test_client_free);
  g_clear_pointer (&person->room, g_free);
  g_clear_pointer (&person->token, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Person, person_clear)

static TestClient *
hello (TestServer *server,
       const char *name,
       gint64      version)
{
  TestClient *client = test_client_new_for_server (server);
  g_autoptr(RcFrame) frame = test_frame_hello (name, TEST_PASSWORD, version);
  g_autoptr(RcFrame) welcome = NULL;

  test_client_send (client, frame);
  welcome = test_client_expect (client, RC_FRAME_WELCOME);
  g_assert_cmpint (welcome->version, ==, MIN (version, 2));
  if (version >= 2)
    g_assert_cmpint (welcome->resume_seconds, >=, 0);
  else
    g_assert_cmpint (welcome->resume_seconds, ==, -1);
  return client;
}

/* Ana creates, Pablo joins, each in the version given. */
static void
pair (TestServer *server,
      Person     *ana,
      gint64      ana_version,
      Person     *pablo,
      gint64      pablo_version)
{
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;
  g_autoptr(RcFrame) join = NULL;
  g_autoptr(RcFrame) paired_ana = NULL;
  g_autoptr(RcFrame) paired_pablo = NULL;

  ana->client = hello (server, "Ana", ana_version);
  pablo->client = hello (server, "Pablo", pablo_version);

  test_client_send (ana->client, create);
  created = test_client_expect (ana->client, RC_FRAME_CREATED);
  g_assert_true ((created->resume_token != NULL) == (ana_version >= 2));

  join = test_frame_join (created->room);
  test_client_send (pablo->client, join);
  paired_ana = test_client_expect (ana->client, RC_FRAME_PAIRED);
  paired_pablo = test_client_expect (pablo->client, RC_FRAME_PAIRED);
  g_assert_true ((paired_pablo->resume_token != NULL) == (pablo_version >= 2));
  if (ana_version >= 2)
    /* paired repeats the creator's token */
    g_assert_true (g_bytes_equal (paired_ana->resume_token, created->resume_token));

  ana->room = g_strdup (created->room);
  pablo->room = g_strdup (created->room);
  ana->token = created->resume_token != NULL ? g_bytes_ref (created->resume_token) : NULL;
  pablo->token = paired_pablo->resume_token != NULL ? g_bytes_ref (paired_pablo->resume_token) : NULL;
}

/* The connection is lost: closed without leave. */
static void
drop (Person *person)
{
  g_clear_pointer (&person->client, test_client_free);
}

static RcFrame *
frame_resume (const Person *person,
              GBytes       *token,
              gint64        received)
{
  RcFrame *frame = rc_frame_new (RC_FRAME_RESUME);

  frame->room = g_strdup (person->room);
  frame->resume_token = g_bytes_ref (token);
  frame->received = received;
  return frame;
}

/* Reconnects and resumes; returns the "resumed" frame. */
static RcFrame *
resume (TestServer *server,
        Person     *person,
        const char *name)
{
  g_autoptr(RcFrame) frame = frame_resume (person, person->token, person->received);
  RcFrame *resumed;

  g_assert_null (person->client);
  person->client = hello (server, name, 2);
  test_client_send (person->client, frame);
  resumed = test_client_expect (person->client, RC_FRAME_RESUMED);
  g_assert_cmpstr (resumed->room, ==, person->room);
  g_assert_nonnull (resumed->resume_token);
  /* A fresh token every time */
  g_assert_false (g_bytes_equal (resumed->resume_token, person->token));
  g_bytes_unref (person->token);
  person->token = g_bytes_ref (resumed->resume_token);
  return resumed;
}

static void
expect_resume_failed (TestServer *server,
                      const char *room,
                      GBytes     *token,
                      gint64      received)
{
  g_autoptr(TestClient) client = hello (server, "Mallory", 2);
  g_autoptr(RcFrame) frame = rc_frame_new (RC_FRAME_RESUME);
  g_autoptr(RcFrame) error = NULL;
  g_autoptr(RcFrame) ping = rc_frame_new (RC_FRAME_PING);

  frame->room = g_strdup (room);
  frame->resume_token = g_bytes_ref (token);
  frame->received = received;
  test_client_send (client, frame);
  error = test_client_expect_error (client, RC_PROTOCOL_ERROR_RESUME_FAILED);
  /* Still connected, in the lobby */
  test_client_send (client, ping);
  rc_frame_free (test_client_expect (client, RC_FRAME_PONG));
}

static void
send_message (Person *person)
{
  g_autoptr(RcFrame) message = test_frame_message (person->sent, 200);

  test_client_send (person->client, message);
  person->sent++;
}

/* Reads the peer's next message and checks its seq. */
static RcFrame *
receive_message (Person *person)
{
  RcFrame *message = test_client_expect (person->client, RC_FRAME_MESSAGE);

  g_assert_cmpint (message->seq, ==, person->received);
  person->received++;
  return message;
}

static void
expect_relayed (Person   *person,
                gint64    seq,
                gboolean  held)
{
  g_autoptr(RcFrame) relayed = test_client_expect (person->client, RC_FRAME_RELAYED);

  g_assert_cmpint (relayed->seq, ==, seq);
  g_assert_true (relayed->held == held);
}

/* Nothing else came before: a ping's pong is the next frame. */
static void
expect_nothing_more (TestClient *client)
{
  g_autoptr(RcFrame) ping = rc_frame_new (RC_FRAME_PING);

  test_client_send (client, ping);
  rc_frame_free (test_client_expect (client, RC_FRAME_PONG));
}

/* The peer's connection is lost while @person waits: told at once. */
static void
drop_seen_by (Person *gone,
              Person *peer)
{
  drop (gone);
  rc_frame_free (test_client_expect (peer->client, RC_FRAME_PEER_AWAY));
}

/* @person resumes, and @peer hears they are back. */
static void
come_back (TestServer *server,
           Person     *person,
           const char *name,
           Person     *peer)
{
  rc_frame_free (resume (server, person, name));
  rc_frame_free (test_client_expect (peer->client, RC_FRAME_PEER_BACK));
}

/* @from writes on its turn, @to reads it, @from hears it was relayed. */
static void
exchange (Person *from,
          Person *to)
{
  send_message (from);
  rc_frame_free (receive_message (to));
  expect_relayed (from, from->sent - 1, FALSE);
}

static void
test_away_and_back (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(RcFrame) away = NULL;
  g_autoptr(RcFrame) resumed = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);

  /* Pablo's turn when his connection drops */
  drop (&pablo);
  away = test_client_expect (ana.client, RC_FRAME_PEER_AWAY);
  g_assert_cmpint (away->seconds, >, 55);
  g_assert_cmpint (away->seconds, <=, 60);
  g_assert_true (test_server_wait_for_stat (server, "away-seats", 1));

  /* The name need not be the same */
  resumed = resume (server, &pablo, "Pablo on the phone");
  g_assert_cmpint (resumed->role, ==, RC_ROLE_JOINER);
  g_assert_true (resumed->your_turn);
  g_assert_cmpint (resumed->relayed_count, ==, 0);
  g_assert_true (resumed->has_peer);
  g_assert_cmpstr (resumed->peer_name, ==, "Ana");
  rc_frame_free (test_client_expect (ana.client, RC_FRAME_PEER_BACK));
  g_assert_true (test_server_wait_for_stat (server, "away-seats", 0));

  /* The chat goes on where it was */
  exchange (&pablo, &ana);
  exchange (&ana, &pablo);
}

static void
test_held_message (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(RcFrame) resumed = NULL;
  g_autoptr(RcFrame) message = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);
  exchange (&pablo, &ana);

  /* Ana answers while Pablo is away: held, and the turn passes */
  drop_seen_by (&pablo, &ana);
  send_message (&ana);
  expect_relayed (&ana, 0, TRUE);

  resumed = resume (server, &pablo, "Pablo");
  g_assert_cmpint (resumed->relayed_count, ==, 1);
  g_assert_true (resumed->your_turn);
  message = receive_message (&pablo);
  g_assert_nonnull (message->sent_at);
  /* Ana hears Pablo is back, then that her message reached him */
  rc_frame_free (test_client_expect (ana.client, RC_FRAME_PEER_BACK));
  expect_relayed (&ana, 0, FALSE);

  exchange (&pablo, &ana);
}

/* A message written to a connection whose client never read it is
 * written again, the same frame, to the seat that resumes. */
static void
test_redelivery (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(RcFrame) first = NULL;
  g_autoptr(RcFrame) again = NULL;
  g_autoptr(RcFrame) resumed = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);

  /* Ana's view of what was written: Pablo writes, Ana's message to him
   * goes out while his connection is dying, unread */
  send_message (&pablo);
  first = receive_message (&ana);
  expect_relayed (&pablo, 0, FALSE);
  send_message (&ana);
  expect_relayed (&ana, 0, FALSE);
  drop_seen_by (&pablo, &ana);

  /* Pablo got 0 of Ana's messages; the server wrote 1 and kept it */
  resumed = resume (server, &pablo, "Pablo");
  g_assert_cmpint (resumed->relayed_count, ==, 1);
  again = receive_message (&pablo);
  g_assert_cmpint (again->seq, ==, 0);
  rc_frame_free (test_client_expect (ana.client, RC_FRAME_PEER_BACK));

  /* Once shown received (K = W), it is not written again */
  drop_seen_by (&pablo, &ana);
  g_clear_pointer (&resumed, rc_frame_free);
  resumed = resume (server, &pablo, "Pablo");
  rc_frame_free (test_client_expect (ana.client, RC_FRAME_PEER_BACK));
  expect_nothing_more (pablo.client);

  /* K = W - 1 no longer holds: the server let the message go */
  drop_seen_by (&pablo, &ana);
  expect_resume_failed (server, pablo.room, pablo.token, pablo.received - 1);
}

static void
test_refused_resumes (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(GBytes) wrong = NULL;
  g_autoptr(GBytes) short_token = g_bytes_new ("abc", 3);
  guint8 bytes[RC_RESUME_TOKEN_SIZE];

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);
  drop_seen_by (&pablo, &ana);

  memcpy (bytes, g_bytes_get_data (pablo.token, NULL), sizeof bytes);
  bytes[0] ^= 1;
  wrong = g_bytes_new (bytes, sizeof bytes);

  expect_resume_failed (server, pablo.room, wrong, 0);
  expect_resume_failed (server, pablo.room, short_token, 0);
  expect_resume_failed (server, pablo.room, pablo.token, 1);
  expect_resume_failed (server, pablo.room, pablo.token, -1);
  expect_resume_failed (server, "ZZZZZZZZZZZZ", pablo.token, 0);
  expect_resume_failed (server, "not a room", pablo.token, 0);

  /* Ana's token is for Ana's seat, which is not away: a takeover of it is
   * fine, but not from the lobby of a room she is in */
  {
    g_autoptr(RcFrame) frame = frame_resume (&ana, ana.token, 0);
    g_autoptr(RcFrame) error = NULL;

    test_client_send (ana.client, frame);
    error = test_client_expect_error (ana.client, RC_PROTOCOL_ERROR_BAD_STATE);
  }

  /* A version 1 client has no resume */
  {
    g_autoptr(TestClient) old = hello (server, "Old", 1);
    g_autoptr(RcFrame) frame = frame_resume (&pablo, pablo.token, 0);
    g_autoptr(RcFrame) error = NULL;

    test_client_send (old, frame);
    error = test_client_expect_error (old, RC_PROTOCOL_ERROR_BAD_STATE);
  }

  /* After all that, the seat is still there for the right token */
  come_back (server, &pablo, "Pablo", &ana);
}

/* The token a resume replaced still works, until the new one is used:
 * a connection lost before "resumed" arrived costs nothing. */
static void
test_token_one_step_back (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);
  first = g_bytes_ref (pablo.token);

  drop_seen_by (&pablo, &ana);
  come_back (server, &pablo, "Pablo", &ana);

  /* As if "resumed" had been lost: the first token again */
  drop_seen_by (&pablo, &ana);
  g_bytes_unref (pablo.token);
  pablo.token = g_bytes_ref (first);
  come_back (server, &pablo, "Pablo", &ana);
  second = g_bytes_ref (pablo.token);

  /* The new token used: the first is gone for good */
  drop_seen_by (&pablo, &ana);
  come_back (server, &pablo, "Pablo", &ana);
  drop_seen_by (&pablo, &ana);
  expect_resume_failed (server, pablo.room, first, 0);
  rc_frame_free (resume (server, &pablo, "Pablo"));
}

/* The old connection is still open (the server has not noticed it is
 * gone): a resume takes the seat over, and the old one is told. */
static void
test_session_replaced (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(TestClient) old = NULL;
  g_autoptr(RcFrame) replaced = NULL;
  g_autoptr(RcFrame) resumed = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);

  old = g_steal_pointer (&pablo.client);
  resumed = resume (server, &pablo, "Pablo");
  replaced = test_client_expect_error (old, RC_PROTOCOL_ERROR_SESSION_REPLACED);
  test_client_expect_closed (old);
  /* Ana never saw Pablo away, but hears he is back */
  rc_frame_free (test_client_expect (ana.client, RC_FRAME_PEER_BACK));

  exchange (&pablo, &ana);
}

static void
test_expiry (void)
{
  g_autoptr(TestServer) server = test_server_new ("\"RESUME_SECONDS\": 1");
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(RcFrame) away = NULL;
  g_autoptr(RcFrame) not_delivered = NULL;
  g_autoptr(RcFrame) left = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);
  exchange (&pablo, &ana);

  drop (&pablo);
  away = test_client_expect (ana.client, RC_FRAME_PEER_AWAY);
  g_assert_cmpint (away->seconds, ==, 1);
  send_message (&ana);
  expect_relayed (&ana, 0, TRUE);

  /* A second later: the message was never delivered, the room is over */
  not_delivered = test_client_expect_error (ana.client, RC_PROTOCOL_ERROR_NOT_DELIVERED);
  g_assert_cmpint (not_delivered->seq, ==, 0);
  left = test_client_expect (ana.client, RC_FRAME_PEER_LEFT);
  g_assert_cmpstr (left->reason, ==, "disconnected");
  g_assert_true (test_server_wait_for_stat (server, "away-seats", 0));
  expect_resume_failed (server, pablo.room, pablo.token, 0);
}

/* RESUME_SECONDS 0: no seat waits, a drop ends the room as in version 1. */
static void
test_no_seats (void)
{
  g_autoptr(TestServer) server = test_server_new ("\"RESUME_SECONDS\": 0");
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(RcFrame) left = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);
  drop (&pablo);
  left = test_client_expect (ana.client, RC_FRAME_PEER_LEFT);
  g_assert_cmpstr (left->reason, ==, "disconnected");
}

/* A version 1 peer is told nothing of version 2; its message to an away
 * seat is held all the same, and it hears plain "relayed". */
static void
test_version_1_peer (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(RcFrame) resumed = NULL;

  test_server_start (server);
  pair (server, &ana, 1, &pablo, 2);
  exchange (&pablo, &ana);

  drop (&pablo);
  /* No peer-away for Ana: her next frame answers her own */
  expect_nothing_more (ana.client);
  send_message (&ana);
  expect_relayed (&ana, 0, FALSE);

  resumed = resume (server, &pablo, "Pablo");
  rc_frame_free (receive_message (&pablo));
  /* No peer-back, no second relayed */
  expect_nothing_more (ana.client);

  /* A version 1 seat that drops ends the room for its version 2 peer */
  drop (&ana);
  {
    g_autoptr(RcFrame) left = test_client_expect (pablo.client, RC_FRAME_PEER_LEFT);

    g_assert_cmpstr (left->reason, ==, "disconnected");
  }
}

/* A waiting room whose creator is away can be joined. */
static void
test_join_away_creator (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;
  g_autoptr(RcFrame) join = NULL;
  g_autoptr(RcFrame) paired = NULL;
  g_autoptr(RcFrame) away = NULL;
  g_autoptr(RcFrame) resumed = NULL;

  test_server_start (server);
  ana.client = hello (server, "Ana", 2);
  test_client_send (ana.client, create);
  created = test_client_expect (ana.client, RC_FRAME_CREATED);
  ana.room = g_strdup (created->room);
  ana.token = g_bytes_ref (created->resume_token);
  drop (&ana);

  /* The creator resumes a waiting room: nobody there yet */
  resumed = resume (server, &ana, "Ana");
  g_assert_cmpint (resumed->role, ==, RC_ROLE_CREATOR);
  g_assert_false (resumed->has_peer);
  g_assert_false (resumed->your_turn);
  drop (&ana);
  g_clear_pointer (&resumed, rc_frame_free);

  pablo = hello (server, "Pablo", 2);
  join = test_frame_join (created->room);
  test_client_send (pablo, join);
  paired = test_client_expect (pablo, RC_FRAME_PAIRED);
  away = test_client_expect (pablo, RC_FRAME_PEER_AWAY);

  resumed = resume (server, &ana, "Ana");
  g_assert_true (resumed->has_peer);
  g_assert_cmpstr (resumed->peer_name, ==, "Pablo");
  g_assert_false (resumed->your_turn);
  rc_frame_free (test_client_expect (pablo, RC_FRAME_PEER_BACK));
}

/* Away seats take places: with two per address, a third hello from it
 * may only resume; anything else is server-full. */
static void
test_away_seats_take_places (void)
{
  g_autoptr(TestServer) server = test_server_new ("\"MAX_CONNECTIONS_PER_IP\": 2");
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(TestClient) carla = NULL;
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) full = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);
  drop_seen_by (&pablo, &ana);

  /* Ana and Pablo's away seat fill 127.0.0.1's two places, once his old
   * connection has given its own back */
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND; ; )
    {
      /* One snapshot that shows both: taken after Pablo's close */
      g_autoptr(JsonObject) stats = test_server_read_json (server, "stats.json");

      if (stats != NULL && json_object_get_int_member (stats, "away-seats") == 1 &&
          json_object_get_int_member (stats, "connections") == 1)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
  carla = hello (server, "Carla", 2);
  test_client_send (carla, create);
  full = test_client_expect_error (carla, RC_PROTOCOL_ERROR_SERVER_FULL);
  test_client_expect_closed (carla);

  /* Pablo, coming back, may, once Carla's place is free again: until
   * her connection has closed, he is told the server is full, as a client
   * that reconnects at once may be */
  g_clear_pointer (&carla, test_client_free);
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(TestClient) client = test_client_new_for_server (server);
      g_autoptr(RcFrame) frame = test_frame_hello ("Pablo", TEST_PASSWORD, 2);
      g_autoptr(RcFrame) answer = NULL;

      test_client_send (client, frame);
      answer = test_client_read (client);
      if (answer->type == RC_FRAME_WELCOME)
        {
          pablo.client = g_steal_pointer (&client);
          break;
        }
      g_assert_cmpint (answer->code, ==, RC_PROTOCOL_ERROR_SERVER_FULL);
      g_assert_cmpuint (attempt, <, 100);
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    }
  {
    g_autoptr(RcFrame) frame = frame_resume (&pablo, pablo.token, 0);

    test_client_send (pablo.client, frame);
    rc_frame_free (test_client_expect (pablo.client, RC_FRAME_RESUMED));
  }
  rc_frame_free (test_client_expect (ana.client, RC_FRAME_PEER_BACK));
}

/* Both connections lost at once: either comes back first. */
static void
test_both_away (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_auto(Person) ana = { NULL };
  g_auto(Person) pablo = { NULL };
  g_autoptr(RcFrame) resumed = NULL;
  g_autoptr(RcFrame) away = NULL;

  test_server_start (server);
  pair (server, &ana, 2, &pablo, 2);
  drop_seen_by (&ana, &pablo);
  drop (&pablo);
  g_assert_true (test_server_wait_for_stat (server, "away-seats", 2));

  resumed = resume (server, &ana, "Ana");
  /* Ana learns at once that Pablo is away too */
  away = test_client_expect (ana.client, RC_FRAME_PEER_AWAY);
  g_assert_cmpint (away->seconds, >, 0);
  g_clear_pointer (&resumed, rc_frame_free);
  resumed = resume (server, &pablo, "Pablo");
  rc_frame_free (test_client_expect (ana.client, RC_FRAME_PEER_BACK));

  send_message (&pablo);
  rc_frame_free (receive_message (&ana));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/resume/away-and-back", test_away_and_back);
  g_test_add_func ("/server/resume/held-message", test_held_message);
  g_test_add_func ("/server/resume/redelivery", test_redelivery);
  g_test_add_func ("/server/resume/refused", test_refused_resumes);
  g_test_add_func ("/server/resume/token-one-step-back", test_token_one_step_back);
  g_test_add_func ("/server/resume/session-replaced", test_session_replaced);
  g_test_add_func ("/server/resume/expiry", test_expiry);
  g_test_add_func ("/server/resume/no-seats", test_no_seats);
  g_test_add_func ("/server/resume/version-1-peer", test_version_1_peer);
  g_test_add_func ("/server/resume/join-away-creator", test_join_away_creator);
  g_test_add_func ("/server/resume/away-seats-take-places", test_away_seats_take_places);
  g_test_add_func ("/server/resume/both-away", test_both_away);

  return g_test_run ();
}
