/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include "fault-proxy.h"
#include "rc-client-session.h"
#include "test-client-util.h"
#include "test-session-util.h"

/* Version 2 (docs/protocol.md 3.6) with real faults: each person reaches
 * the real server through a proxy of their own that cuts the connection
 * at chosen moments, and the sessions get their chat back by themselves.
 * What each test checks is what the two people would: every message
 * arrives once, in order, readable, and each side is told what happened
 * to the other's connection. */

typedef struct
{
  Fixture     base;
  FaultProxy *proxy_ana;
  FaultProxy *proxy_bo;
  Client     *ana;     /* creates the room, through proxy_ana */
  Client     *bo;      /* joins it, through proxy_bo */
  char       *room;
} Chat;

static void
chat_set_up (Chat          *chat,
             gconstpointer  data)
{
  const char *extra_config = data;
  g_autofree char *config = g_strdup_printf ("%s, %s", TEST_BLOCK_CONFIG, extra_config);
  g_autoptr(GError) error = NULL;

  chat->base.folder = g_dir_make_tmp ("roomchat-resume-XXXXXX", &error);
  g_assert_no_error (error);
  chat->base.server = test_server_new_in (chat->base.folder, "state", config);
  test_server_start (chat->base.server);

  chat->proxy_ana = fault_proxy_new ("127.0.0.1", (guint16) chat->base.server->port);
  chat->proxy_bo = fault_proxy_new ("127.0.0.1", (guint16) chat->base.server->port);
  chat->ana = client_new_at (&chat->base, "Ana", fault_proxy_get_port (chat->proxy_ana));
  chat->bo = client_new_at (&chat->base, "Bo", fault_proxy_get_port (chat->proxy_bo));
  client_connect_ok (chat->ana);
  client_connect_ok (chat->bo);
  g_assert_cmpint (rc_client_session_get_version (chat->ana->session), ==, 2);
  chat->room = client_create (chat->ana);
}

static void
chat_tear_down (Chat          *chat,
                gconstpointer  data)
{
  g_assert_true (g_queue_is_empty (&chat->ana->events));
  g_assert_true (g_queue_is_empty (&chat->bo->events));
  client_free (chat->ana);
  client_free (chat->bo);
  g_clear_pointer (&chat->proxy_ana, fault_proxy_free);
  g_clear_pointer (&chat->proxy_bo, fault_proxy_free);
  /* What the proxies had pending ends on the main loop. */
  spin_for (50);
  g_free (chat->room);
  fixture_tear_down (&chat->base, NULL);
}

static void
pair (Chat *chat)
{
  client_join (chat->bo, chat->room);
  g_assert_no_error (chat->bo->error);
  rc_test_expect (&chat->bo->events, "my-turn 1");
  rc_test_expect (&chat->bo->events, "paired Ana joiner my-turn");
  rc_test_expect (&chat->ana->events, "paired Bo creator their-turn");
}

/* @from writes @text on its turn; @to reads it once, and the turn is
 * theirs. */
static void
say (Client     *from,
     Client     *to,
     const char *text,
     gint64      seq)
{
  g_autofree char *message = g_strdup_printf ("message %s", text);
  g_autofree char *relayed = g_strdup_printf ("relayed %" G_GINT64_FORMAT, seq);

  send_ok (from, text, seq);
  rc_test_expect (&from->events, "my-turn 0");
  rc_test_expect (&to->events, message);
  rc_test_expect (&to->events, "my-turn 1");
  rc_test_expect (&from->events, relayed);
}

/* Cuts @who's connection and keeps them out until the server has noticed
 * (the other side reads peer-away), so that the order of what follows
 * does not depend on who is quicker. */
static void
cut_until_noticed (FaultProxy *proxy,
                   Client     *who,
                   Client     *other)
{
  fault_proxy_set_refuse (proxy, TRUE);
  fault_proxy_cut_all (proxy);
  rc_test_expect (&who->events, "reconnecting 60");
  rc_test_expect (&other->events, "peer-away");
}

static void
let_back (FaultProxy *proxy,
          Client     *who,
          Client     *other)
{
  fault_proxy_set_refuse (proxy, FALSE);
  rc_test_expect (&who->events, "resumed");
  rc_test_expect (&other->events, "peer-back");
  g_assert_false (rc_client_session_get_peer_away (other->session));
}

static void
test_cut_while_waiting (Chat          *chat,
                        gconstpointer  data)
{
  fault_proxy_set_refuse (chat->proxy_ana, TRUE);
  fault_proxy_cut_all (chat->proxy_ana);
  rc_test_expect (&chat->ana->events, "reconnecting 60");
  g_assert_true (rc_client_session_get_reconnecting (chat->ana->session));
  g_assert_cmpint (rc_client_session_get_state (chat->ana->session), ==, RC_SESSION_STATE_WAITING);
  fault_proxy_set_refuse (chat->proxy_ana, FALSE);
  rc_test_expect (&chat->ana->events, "resumed");
  g_assert_cmpstr (rc_client_session_get_room (chat->ana->session), ==, chat->room);

  /* The room is still there to be joined. */
  pair (chat);
  say (chat->bo, chat->ana, "hello", 0);
  say (chat->ana, chat->bo, "hi Bo", 0);
}

/* Bo joins while Ana is away: she hears of him when she is back. */
static void
test_joined_while_away (Chat          *chat,
                        gconstpointer  data)
{
  fault_proxy_set_refuse (chat->proxy_ana, TRUE);
  fault_proxy_cut_all (chat->proxy_ana);
  rc_test_expect (&chat->ana->events, "reconnecting 60");
  /* A join that comes before the server noticed finds the creator
   * present, one after finds it away: wait for the server. */
  g_assert_true (test_server_wait_for_stat (chat->base.server, "away-seats", 1));

  client_join (chat->bo, chat->room);
  g_assert_no_error (chat->bo->error);
  rc_test_expect (&chat->bo->events, "my-turn 1");
  rc_test_expect (&chat->bo->events, "paired Ana joiner my-turn");
  rc_test_expect (&chat->bo->events, "peer-away");
  send_ok (chat->bo, "are you there?", 0);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  rc_test_expect (&chat->bo->events, "held 0");

  fault_proxy_set_refuse (chat->proxy_ana, FALSE);
  rc_test_expect (&chat->ana->events, "paired Bo creator their-turn");
  rc_test_expect (&chat->ana->events, "resumed");
  rc_test_expect (&chat->ana->events, "message are you there?");
  rc_test_expect (&chat->ana->events, "my-turn 1");
  rc_test_expect (&chat->bo->events, "peer-back");
  rc_test_expect (&chat->bo->events, "relayed 0");
  say (chat->ana, chat->bo, "yes", 0);
}

/* Cut on Bo's own turn, then on Ana's side while it is Bo's turn: what
 * is written to an away person is held, then delivered once. */
static void
test_cut_while_chatting (Chat          *chat,
                         gconstpointer  data)
{
  pair (chat);
  cut_until_noticed (chat->proxy_bo, chat->bo, chat->ana);
  g_assert_cmpint (rc_client_session_get_state (chat->bo->session), ==, RC_SESSION_STATE_CHATTING);
  g_assert_true (rc_client_session_get_peer_away (chat->ana->session));
  let_back (chat->proxy_bo, chat->bo, chat->ana);
  say (chat->bo, chat->ana, "one", 0);
  say (chat->ana, chat->bo, "two", 0);

  cut_until_noticed (chat->proxy_ana, chat->ana, chat->bo);
  send_ok (chat->bo, "three", 1);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  rc_test_expect (&chat->bo->events, "held 1");
  fault_proxy_set_refuse (chat->proxy_ana, FALSE);
  rc_test_expect (&chat->ana->events, "resumed");
  rc_test_expect (&chat->ana->events, "message three");
  rc_test_expect (&chat->ana->events, "my-turn 1");
  rc_test_expect (&chat->bo->events, "peer-back");
  rc_test_expect (&chat->bo->events, "relayed 1");
  say (chat->ana, chat->bo, "four", 1);
}

/* A message written while the connection is down goes out, once, when
 * it is back: the person may keep writing through a cut. */
static void
test_written_while_reconnecting (Chat          *chat,
                                 gconstpointer  data)
{
  pair (chat);
  cut_until_noticed (chat->proxy_bo, chat->bo, chat->ana);
  send_ok (chat->bo, "typed in the tunnel", 0);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  fault_proxy_set_refuse (chat->proxy_bo, FALSE);
  rc_test_expect (&chat->bo->events, "resumed");
  rc_test_expect (&chat->ana->events, "peer-back");
  rc_test_expect (&chat->ana->events, "message typed in the tunnel");
  rc_test_expect (&chat->ana->events, "my-turn 1");
  rc_test_expect (&chat->bo->events, "relayed 0");
  say (chat->ana, chat->bo, "welcome back", 0);
}

/* The message reaches the server, its "relayed" never reaches Bo: the
 * resume says the server has it, so it is not sent again. */
static void
test_cut_before_relayed (Chat          *chat,
                         gconstpointer  data)
{
  pair (chat);
  fault_proxy_set_refuse (chat->proxy_bo, TRUE);
  fault_proxy_cut_on_write (chat->proxy_bo, FAULT_TO_CLIENT);
  send_ok (chat->bo, "hello", 0);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  rc_test_expect (&chat->ana->events, "message hello");
  rc_test_expect (&chat->ana->events, "my-turn 1");
  rc_test_expect (&chat->bo->events, "reconnecting 60");
  rc_test_expect (&chat->ana->events, "peer-away");
  fault_proxy_set_refuse (chat->proxy_bo, FALSE);
  rc_test_expect (&chat->bo->events, "resumed");
  rc_test_expect (&chat->bo->events, "relayed 0");
  rc_test_expect (&chat->ana->events, "peer-back");
  say (chat->ana, chat->bo, "hi", 0);
  say (chat->bo, chat->ana, "again", 1);
}

/* The message never reaches the server: the resume says so, and the
 * session sends it again under the same seq. */
static void
test_cut_before_server_reads (Chat          *chat,
                              gconstpointer  data)
{
  pair (chat);
  fault_proxy_set_refuse (chat->proxy_bo, TRUE);
  fault_proxy_cut_on_write (chat->proxy_bo, FAULT_TO_SERVER);
  send_ok (chat->bo, "hello", 0);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  rc_test_expect (&chat->bo->events, "reconnecting 60");
  rc_test_expect (&chat->ana->events, "peer-away");
  fault_proxy_set_refuse (chat->proxy_bo, FALSE);
  rc_test_expect (&chat->bo->events, "resumed");
  rc_test_expect (&chat->ana->events, "peer-back");
  rc_test_expect (&chat->ana->events, "message hello");
  rc_test_expect (&chat->ana->events, "my-turn 1");
  rc_test_expect (&chat->bo->events, "relayed 0");
  say (chat->ana, chat->bo, "hi", 0);
}

/* The server wrote Bo's message to Ana's connection, which never
 * delivered it: on resume the server writes it again, and Ana reads it
 * once. */
static void
test_written_to_peer_never_read (Chat          *chat,
                                 gconstpointer  data)
{
  pair (chat);
  fault_proxy_set_swallow (chat->proxy_ana, FAULT_TO_CLIENT, TRUE);
  send_ok (chat->bo, "did you get this?", 0);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  rc_test_expect (&chat->bo->events, "relayed 0");
  spin_for (100);
  g_assert_true (g_queue_is_empty (&chat->ana->events));

  fault_proxy_set_swallow (chat->proxy_ana, FAULT_TO_CLIENT, FALSE);
  cut_until_noticed (chat->proxy_ana, chat->ana, chat->bo);
  let_back (chat->proxy_ana, chat->ana, chat->bo);
  rc_test_expect (&chat->ana->events, "message did you get this?");
  rc_test_expect (&chat->ana->events, "my-turn 1");
  say (chat->ana, chat->bo, "yes, once", 0);
}

static void
test_cut_twice (Chat          *chat,
                gconstpointer  data)
{
  pair (chat);
  for (int round = 0; round < 2; round++)
    {
      cut_until_noticed (chat->proxy_bo, chat->bo, chat->ana);
      let_back (chat->proxy_bo, chat->bo, chat->ana);
    }
  say (chat->bo, chat->ana, "still here", 0);
  say (chat->ana, chat->bo, "me too", 0);
}

static void
test_cut_both (Chat          *chat,
               gconstpointer  data)
{
  pair (chat);
  say (chat->bo, chat->ana, "before", 0);
  fault_proxy_set_refuse (chat->proxy_ana, TRUE);
  fault_proxy_set_refuse (chat->proxy_bo, TRUE);
  fault_proxy_cut_all (chat->proxy_ana);
  fault_proxy_cut_all (chat->proxy_bo);
  rc_test_expect (&chat->ana->events, "reconnecting 60");
  rc_test_expect (&chat->bo->events, "reconnecting 60");
  g_assert_true (test_server_wait_for_stat (chat->base.server, "away-seats", 2));

  /* Ana is back first and hears Bo is still away. */
  fault_proxy_set_refuse (chat->proxy_ana, FALSE);
  rc_test_expect (&chat->ana->events, "resumed");
  rc_test_expect (&chat->ana->events, "peer-away");
  fault_proxy_set_refuse (chat->proxy_bo, FALSE);
  rc_test_expect (&chat->bo->events, "resumed");
  rc_test_expect (&chat->ana->events, "peer-back");
  say (chat->ana, chat->bo, "after", 0);
}

/* Ana's connection dies without the server noticing: her resume takes
 * the place over from the connection the server still thinks alive. */
static void
test_session_replaced (Chat          *chat,
                       gconstpointer  data)
{
  pair (chat);
  fault_proxy_cut_client_side (chat->proxy_ana);
  rc_test_expect (&chat->ana->events, "reconnecting 60");
  rc_test_expect (&chat->ana->events, "resumed");
  rc_test_expect (&chat->bo->events, "peer-back");
  say (chat->bo, chat->ana, "you were never gone", 0);
}

/* Ana's network dies without a word: nothing comes back and nothing is
 * refused, so only her unanswered ping gives it away. (Her closing the
 * dead connection reaches the server through the proxy.) */
static void
test_silent_network (Chat          *chat,
                     gconstpointer  data)
{
  pair (chat);
  fault_proxy_set_swallow (chat->proxy_ana, FAULT_TO_SERVER, TRUE);
  fault_proxy_set_swallow (chat->proxy_ana, FAULT_TO_CLIENT, TRUE);
  rc_test_expect (&chat->ana->events, "reconnecting 60");
  fault_proxy_set_refuse (chat->proxy_ana, TRUE);
  fault_proxy_set_swallow (chat->proxy_ana, FAULT_TO_SERVER, FALSE);
  fault_proxy_set_swallow (chat->proxy_ana, FAULT_TO_CLIENT, FALSE);
  rc_test_expect (&chat->bo->events, "peer-away");
  let_back (chat->proxy_ana, chat->ana, chat->bo);
  say (chat->bo, chat->ana, "the network is back", 0);
}

/* Bo leaves while his connection is down: the leave goes out once the
 * chat is back, so Ana reads that he left rather than waiting for his
 * place to expire. */
static void
test_leave_while_reconnecting (Chat          *chat,
                               gconstpointer  data)
{
  pair (chat);
  cut_until_noticed (chat->proxy_bo, chat->bo, chat->ana);
  rc_client_session_leave_async (chat->bo->session, NULL, bool_cb, chat->bo);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  fault_proxy_set_refuse (chat->proxy_bo, FALSE);
  rc_test_spin_until (&chat->bo->done);
  g_assert_no_error (chat->bo->error);
  g_assert_cmpint (rc_client_session_get_state (chat->bo->session), ==, RC_SESSION_STATE_LOBBY);
  g_assert_false (rc_client_session_get_reconnecting (chat->bo->session));
  rc_test_expect (&chat->ana->events, "peer-back");
  rc_test_expect (&chat->ana->events, "peer-left left");
  g_assert_cmpint (rc_client_session_get_state (chat->ana->session), ==, RC_SESSION_STATE_LOBBY);
}

/* Closing while reconnecting stops the attempts at once. */
static void
test_close_while_reconnecting (Chat          *chat,
                               gconstpointer  data)
{
  guint accepted;

  pair (chat);
  cut_until_noticed (chat->proxy_bo, chat->bo, chat->ana);
  rc_client_session_close (chat->bo->session);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  rc_test_expect (&chat->bo->events, "disconnected (none)");
  g_assert_false (rc_client_session_get_reconnecting (chat->bo->session));
  /* An attempt the kernel had connected before the close may still reach
   * the proxy's accept: that one is not new. The next two attempts would
   * come 0.5 and 1.5 s after the first. */
  spin_for (300);
  accepted = fault_proxy_get_accepted (chat->proxy_bo);
  spin_for (1500);
  g_assert_cmpuint (fault_proxy_get_accepted (chat->proxy_bo), ==, accepted);
}

/* With RESUME_SECONDS 2 and Ana kept out, her place expires: Bo's held
 * message is not delivered and his chat ends; Ana is told, in words,
 * that the chat could not be resumed. */
static void
test_expiry (Chat          *chat,
             gconstpointer  data)
{
  g_autofree char *ended = NULL;

  pair (chat);
  say (chat->bo, chat->ana, "one", 0);
  fault_proxy_set_refuse (chat->proxy_ana, TRUE);
  fault_proxy_cut_all (chat->proxy_ana);
  rc_test_expect (&chat->ana->events, "reconnecting 2");
  rc_test_expect (&chat->bo->events, "peer-away");

  rc_test_expect (&chat->ana->events, "my-turn 0");
  ended = next_event_in_time (&chat->ana->events);
  g_assert_true (g_str_has_prefix (ended, "disconnected The connection to the server was lost "
                                          "and the chat could not be resumed"));
  g_assert_cmpint (rc_client_session_get_state (chat->ana->session), ==, RC_SESSION_STATE_DISCONNECTED);
  rc_test_expect (&chat->bo->events, "peer-left disconnected");
  g_assert_cmpint (rc_client_session_get_state (chat->bo->session), ==, RC_SESSION_STATE_LOBBY);
}

/* A message held for Ana when her place expires: Bo is told it was not
 * delivered before his chat ends. */
static void
test_expiry_held (Chat          *chat,
                  gconstpointer  data)
{
  g_autofree char *ended = NULL;

  pair (chat);
  fault_proxy_set_refuse (chat->proxy_ana, TRUE);
  fault_proxy_cut_all (chat->proxy_ana);
  rc_test_expect (&chat->ana->events, "reconnecting 2");
  rc_test_expect (&chat->bo->events, "peer-away");
  send_ok (chat->bo, "lost in the void", 0);
  rc_test_expect (&chat->bo->events, "my-turn 0");
  rc_test_expect (&chat->bo->events, "held 0");
  rc_test_expect (&chat->bo->events, "not-delivered 0");
  rc_test_expect (&chat->bo->events, "peer-left disconnected");
  ended = next_event_in_time (&chat->ana->events);
  g_assert_true (g_str_has_prefix (ended, "disconnected The connection to the server was lost"));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  static const char keep_seats[] = "\"RESUME_SECONDS\": 60";
  static const char short_seats[] = "\"RESUME_SECONDS\": 2";
  int status;

  rc_test_client_init (&argc, &argv);

  identities_dir = g_dir_make_tmp ("roomchat-identities-XXXXXX", &error);
  g_assert_no_error (error);

#define ADD(path, config, func) \
  g_test_add (path, Chat, config, chat_set_up, func, chat_tear_down)
  ADD ("/resume/cut-while-waiting", keep_seats, test_cut_while_waiting);
  ADD ("/resume/joined-while-away", keep_seats, test_joined_while_away);
  ADD ("/resume/cut-while-chatting", keep_seats, test_cut_while_chatting);
  ADD ("/resume/written-while-reconnecting", keep_seats, test_written_while_reconnecting);
  ADD ("/resume/cut-before-relayed", keep_seats, test_cut_before_relayed);
  ADD ("/resume/cut-before-server-reads", keep_seats, test_cut_before_server_reads);
  ADD ("/resume/written-to-peer-never-read", keep_seats, test_written_to_peer_never_read);
  ADD ("/resume/cut-twice", keep_seats, test_cut_twice);
  ADD ("/resume/cut-both", keep_seats, test_cut_both);
  ADD ("/resume/session-replaced", keep_seats, test_session_replaced);
  ADD ("/resume/silent-network", keep_seats, test_silent_network);
  ADD ("/resume/leave-while-reconnecting", keep_seats, test_leave_while_reconnecting);
  ADD ("/resume/close-while-reconnecting", keep_seats, test_close_while_reconnecting);
  ADD ("/resume/expiry", short_seats, test_expiry);
  ADD ("/resume/expiry-held", short_seats, test_expiry_held);
#undef ADD

  status = g_test_run ();
  test_remove_tree (identities_dir);
  g_free (identities_dir);
  return status;
}
