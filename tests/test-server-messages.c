/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "server-helpers.h"

/* docs/protocol.md 3.3 against the real server: turns, sequence numbers,
 * relaying, and a peer that stops reading. */

static void
send_and_relay (TestClient *author,
                TestClient *reader,
                gint64      seq,
                gsize       size)
{
  g_autoptr(RcFrame) message = test_frame_message (seq, size);
  g_autoptr(RcFrame) relayed = NULL;
  g_autoptr(RcFrame) received = NULL;
  g_autoptr(GDateTime) sent_at = NULL;

  test_client_send (author, message);
  relayed = test_client_expect (author, RC_FRAME_RELAYED);
  g_assert_cmpint (relayed->seq, ==, seq);

  received = test_client_expect (reader, RC_FRAME_MESSAGE);
  g_assert_cmpint (received->seq, ==, seq);
  g_assert_true (g_bytes_equal (received->ciphertext, message->ciphertext));
  g_assert_nonnull (received->sent_at);
  g_assert_cmpuint (strlen (received->sent_at), ==, 20);
  g_assert_true (g_str_has_suffix (received->sent_at, "Z"));
  sent_at = g_date_time_new_from_iso8601 (received->sent_at, NULL);
  g_assert_nonnull (sent_at);
}

static void
test_turns (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autofree char *room = NULL;
  g_autoptr(RcFrame) first = test_frame_message (0, 100);
  g_autoptr(RcFrame) error = NULL;

  test_server_start (server);
  room = test_pair (server, &ana, &pablo);

  /* The joiner writes first. */
  test_client_send (ana, first);
  error = test_client_expect_error (ana, RC_PROTOCOL_ERROR_NOT_YOUR_TURN);

  send_and_relay (pablo, ana, 0, 100);
  send_and_relay (ana, pablo, 0, 1);
  send_and_relay (pablo, ana, 1, 16400);
  send_and_relay (ana, pablo, 1, 0);

  /* Twice in a row is not allowed; the chat goes on. */
  g_clear_pointer (&first, rc_frame_free);
  g_clear_pointer (&error, rc_frame_free);
  first = test_frame_message (2, 10);
  test_client_send (ana, first);
  error = test_client_expect_error (ana, RC_PROTOCOL_ERROR_NOT_YOUR_TURN);
  send_and_relay (pablo, ana, 2, 10);

  g_assert_true (test_server_wait_for_stat (server, "messages-relayed", 5));
  g_assert_true (test_server_wait_for_stat (server, "bytes-relayed", 100 + 1 + 16400 + 0 + 10));
}

static void
test_bad_sequence (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autofree char *room = NULL;
  gint64 wrong[] = { 1, 5, G_MAXINT64 };

  test_server_start (server);
  room = test_pair (server, &ana, &pablo);

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(RcFrame) message = test_frame_message (wrong[i], 10);
      g_autoptr(RcFrame) error = NULL;

      test_client_send (pablo, message);
      error = test_client_expect_error (pablo, RC_PROTOCOL_ERROR_BAD_SEQUENCE);
      /* The seq of the message refused */
      g_assert_cmpint (error->seq, ==, wrong[i]);
    }

  /* Nothing was relayed and it is still Pablo's turn, at seq 0. */
  send_and_relay (pablo, ana, 0, 10);
  send_and_relay (ana, pablo, 0, 10);
  send_and_relay (pablo, ana, 1, 10);
}

/* A seq no message can have is not a sequence number at all: the frame is
 * malformed, and the connection is closed as for any bad frame. */
static void
test_seq_out_of_range (void)
{
  const char *lines[] = {
    "{\"type\":\"message\",\"seq\":-1,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":99999999999999999999,\"ciphertext\":\"AAEC\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(TestServer) server = test_server_new (NULL);
      g_autoptr(TestClient) ana = NULL;
      g_autoptr(TestClient) pablo = NULL;
      g_autoptr(RcFrame) error = NULL;
      g_autoptr(RcFrame) peer_left = NULL;
      g_autofree char *room = NULL;

      test_server_start (server);
      room = test_pair (server, &ana, &pablo);

      test_client_send_line (pablo, lines[i]);
      error = test_client_expect_error (pablo, RC_PROTOCOL_ERROR_BAD_FRAME);
      g_assert_cmpint (error->seq, ==, -1);
      test_client_expect_closed (pablo);
      peer_left = test_client_expect (ana, RC_FRAME_PEER_LEFT);
      g_assert_cmpstr (peer_left->reason, ==, "disconnected");
    }
}

static void
test_largest_message (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autofree char *room = NULL;
  /* The largest ciphertext whose relayed frame, sent_at added, still holds
   * in 65,536 bytes; a 49,152-byte one would not fit (docs/protocol.md). */
  gsize overhead = strlen ("{\"type\":\"message\",\"seq\":0,\"ciphertext\":\"\",\"sent_at\":\"2026-11-25T16:02:11Z\"}\n");
  gsize size = (65536 - overhead) / 4 * 3;
  g_autoptr(RcFrame) too_large = test_frame_message (0, size + 3);
  g_autoptr(RcFrame) error = NULL;

  test_server_start (server);
  room = test_pair (server, &ana, &pablo);

  /* One base64 quantum more: the frame is fine, its relayed form is not. */
  test_client_send (pablo, too_large);
  error = test_client_expect_error (pablo, RC_PROTOCOL_ERROR_MESSAGE_TOO_LARGE);

  send_and_relay (pablo, ana, 0, size);
  send_and_relay (ana, pablo, 0, size);
}

/* The author gets "relayed" before anything the peer sends after reading
 * the message, even when the peer answers at once. */
static void
test_relayed_first (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autofree char *room = NULL;

  test_server_start (server);
  room = test_pair (server, &ana, &pablo);

  for (gint64 round = 0; round < 50; round++)
    {
      g_autoptr(RcFrame) question = test_frame_message (round, 64);
      g_autoptr(RcFrame) answer = test_frame_message (round, 64);
      g_autoptr(RcFrame) received = NULL;
      g_autoptr(RcFrame) relayed = NULL;
      g_autoptr(RcFrame) reply = NULL;
      g_autoptr(RcFrame) reply_relayed = NULL;

      test_client_send (pablo, question);
      received = test_client_expect (ana, RC_FRAME_MESSAGE);
      /* Ana answers before Pablo reads anything: her turn already. */
      test_client_send (ana, answer);

      relayed = test_client_expect (pablo, RC_FRAME_RELAYED);
      g_assert_cmpint (relayed->seq, ==, round);
      reply = test_client_expect (pablo, RC_FRAME_MESSAGE);
      g_assert_cmpint (reply->seq, ==, round);
      reply_relayed = test_client_expect (ana, RC_FRAME_RELAYED);
    }
}

static void
test_slow_reader (void)
{
  g_autoptr(TestServer) server = test_server_new (NULL);
  g_autoptr(TestClient) ana = NULL;
  g_autoptr(TestClient) pablo = NULL;
  g_autoptr(TestClient) carla = NULL;
  g_autofree char *room = NULL;
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;
  gsize size = 40000;

  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_WRITE_S", "1");
  test_server_start (server);
  room = test_pair (server, &ana, &pablo);

  /* Pablo writes his turns but never reads: what Ana sends piles up until
   * the server gives up on him and tells her. */
  for (gint64 seq = 0; seq < 5000; seq++)
    {
      g_autoptr(RcFrame) from_pablo = test_frame_message (seq, 16);
      g_autoptr(RcFrame) received = NULL;
      g_autoptr(RcFrame) from_ana = test_frame_message (seq, size);
      g_autoptr(RcFrame) answer = NULL;

      test_client_send (pablo, from_pablo);
      received = test_client_expect (ana, RC_FRAME_MESSAGE);
      test_client_send (ana, from_ana);
      answer = test_client_read (ana);

      if (answer->type == RC_FRAME_ERROR)
        {
          g_autoptr(RcFrame) peer_left = NULL;

          g_assert_cmpstr (answer->code_name, ==, "not-delivered");
          g_assert_cmpint (answer->seq, ==, seq);
          peer_left = test_client_expect (ana, RC_FRAME_PEER_LEFT);
          g_assert_cmpstr (peer_left->reason, ==, "disconnected");

          /* Ana is back in the lobby and the server is fine. */
          test_client_send (ana, create);
          created = test_client_expect (ana, RC_FRAME_CREATED);
          carla = test_client_hello (server, "Carla");
          return;
        }
      g_assert_cmpint (answer->type, ==, RC_FRAME_RELAYED);
    }
  g_assert_not_reached ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/messages/turns", test_turns);
  g_test_add_func ("/server/messages/bad-sequence", test_bad_sequence);
  g_test_add_func ("/server/messages/seq-out-of-range", test_seq_out_of_range);
  g_test_add_func ("/server/messages/largest", test_largest_message);
  g_test_add_func ("/server/messages/relayed-first", test_relayed_first);
  g_test_add_func ("/server/messages/slow-reader", test_slow_reader);

  return g_test_run ();
}
