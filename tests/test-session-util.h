/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <string.h>

#include "rc-client-session.h"
#include "test-client-util.h"

/* RcClientSession in tests: a session and what it has seen, as short
 * strings in order, and the steps of a chat that wait for their answer. */

static char *identities_dir;   /* identity keys, made once for all tests: set by main() */

/* A session and what it has seen, in order, as short strings. */
typedef struct
{
  RcClientSession *session;
  GQueue           events;
  gboolean         done;
  GError          *error;
  char            *room;
} Client;

static inline void
paired_cb (RcClientSession *session, const char *peer, int role, gboolean my_turn,
           const char *code, Client *c)
{
  g_assert_cmpstr (code, ==, rc_client_session_get_safety_code (session));
  rc_test_record (&c->events, "paired %s %s %s", peer, rc_role_to_string (role), my_turn ? "my-turn" : "their-turn");
}

static inline void
message_cb (RcClientSession *session, const char *text, GDateTime *sent_at, Client *c)
{
  g_assert_nonnull (sent_at);
  rc_test_record (&c->events, "message %s", strlen (text) > 64 ? "(long)" : text);
}

static inline void
relayed_cb (RcClientSession *session, gint64 seq, Client *c)
{
  rc_test_record (&c->events, "relayed %" G_GINT64_FORMAT, seq);
}

static inline void
not_delivered_cb (RcClientSession *session, gint64 seq, Client *c)
{
  rc_test_record (&c->events, "not-delivered %" G_GINT64_FORMAT, seq);
}

static inline void
peer_left_cb (RcClientSession *session, const char *reason, Client *c)
{
  rc_test_record (&c->events, "peer-left %s", reason);
}

static inline void
room_error_cb (RcClientSession *session, GError *error, Client *c)
{
  rc_test_record (&c->events, "room-error %s %d", g_quark_to_string (error->domain), error->code);
}

static inline void
disconnected_cb (RcClientSession *session, GError *error, Client *c)
{
  rc_test_record (&c->events, "disconnected %s", error != NULL ? error->message : "(none)");
}

static inline void
my_turn_cb (RcClientSession *session, GParamSpec *pspec, Client *c)
{
  rc_test_record (&c->events, "my-turn %d", rc_client_session_get_my_turn (session));
}

static inline void
reconnecting_cb (RcClientSession *session, GError *reason, guint seconds, Client *c)
{
  g_assert_nonnull (reason);
  g_assert_true (rc_client_session_get_reconnecting (session));
  rc_test_record (&c->events, "reconnecting %u", seconds);
}

static inline void
resumed_cb (RcClientSession *session, Client *c)
{
  g_assert_false (rc_client_session_get_reconnecting (session));
  rc_test_record (&c->events, "resumed");
}

static inline void
peer_away_cb (RcClientSession *session, guint seconds, Client *c)
{
  g_assert_true (rc_client_session_get_peer_away (session));
  rc_test_record (&c->events, "peer-away");
}

static inline void
peer_back_cb (RcClientSession *session, Client *c)
{
  g_assert_false (rc_client_session_get_peer_away (session));
  rc_test_record (&c->events, "peer-back");
}

static inline void
held_cb (RcClientSession *session, gint64 seq, Client *c)
{
  rc_test_record (&c->events, "held %" G_GINT64_FORMAT, seq);
}

/* A session for the server at 127.0.0.1:@port (the fixture's server, or
 * a proxy in front of it). */
static inline Client *
client_new_at (Fixture    *f,
               const char *name,
               guint16     port)
{
  Client *c = g_new0 (Client, 1);
  g_autofree char *identity = g_strdup_printf ("%s/%s.pem", identities_dir, name);
  g_autofree char *known = g_strdup_printf ("%s/%s-known-servers", f->folder, name);

  c->session = rc_client_session_new ("127.0.0.1", port, name);
  rc_client_session_set_identity_path (c->session, identity);
  rc_client_session_set_known_servers_path (c->session, known);
  rc_client_session_set_trust_new_certificates (c->session, TRUE);
  g_queue_init (&c->events);

  g_signal_connect (c->session, "paired", G_CALLBACK (paired_cb), c);
  g_signal_connect (c->session, "message-received", G_CALLBACK (message_cb), c);
  g_signal_connect (c->session, "message-relayed", G_CALLBACK (relayed_cb), c);
  g_signal_connect (c->session, "message-not-delivered", G_CALLBACK (not_delivered_cb), c);
  g_signal_connect (c->session, "peer-left", G_CALLBACK (peer_left_cb), c);
  g_signal_connect (c->session, "room-error", G_CALLBACK (room_error_cb), c);
  g_signal_connect (c->session, "disconnected", G_CALLBACK (disconnected_cb), c);
  g_signal_connect (c->session, "notify::my-turn", G_CALLBACK (my_turn_cb), c);
  g_signal_connect (c->session, "reconnecting", G_CALLBACK (reconnecting_cb), c);
  g_signal_connect (c->session, "resumed", G_CALLBACK (resumed_cb), c);
  g_signal_connect (c->session, "peer-away", G_CALLBACK (peer_away_cb), c);
  g_signal_connect (c->session, "peer-back", G_CALLBACK (peer_back_cb), c);
  g_signal_connect (c->session, "message-held", G_CALLBACK (held_cb), c);
  return c;
}

static inline Client *
client_new (Fixture    *f,
            const char *name)
{
  return client_new_at (f, name, (guint16) f->server->port);
}

/* Closes and drops the session, and checks nothing keeps it alive. */
static inline void
client_free (Client *c)
{
  rc_client_session_close (c->session);
  g_signal_handlers_disconnect_by_data (c->session, c);
  rc_test_unref_and_wait (g_steal_pointer (&c->session));

  g_queue_clear_full (&c->events, g_free);
  g_clear_error (&c->error);
  g_free (c->room);
  g_free (c);
}

static inline void
connect_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Client *c = user_data;

  rc_client_session_connect_finish (RC_CLIENT_SESSION (source), result, &c->error);
  c->done = TRUE;
}

static inline void
create_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Client *c = user_data;

  g_free (c->room);
  c->room = rc_client_session_create_room_finish (RC_CLIENT_SESSION (source), result, &c->error);
  c->done = TRUE;
}

static inline void
bool_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Client *c = user_data;

  g_task_propagate_boolean (G_TASK (result), &c->error);
  c->done = TRUE;
}

static inline void
client_connect (Client     *c,
                const char *password)
{
  rc_client_session_connect_async (c->session, password, NULL, connect_cb, c);
  rc_test_spin_until (&c->done);
}

static inline void
client_connect_ok (Client *c)
{
  client_connect (c, TEST_PASSWORD);
  g_assert_no_error (c->error);
  g_assert_cmpint (rc_client_session_get_state (c->session), ==, RC_SESSION_STATE_LOBBY);
  g_assert_cmpstr (rc_client_session_get_server_name (c->session), ==, "Test server");
}

static inline char *
client_create (Client *c)
{
  rc_client_session_create_room_async (c->session, NULL, create_cb, c);
  rc_test_spin_until (&c->done);
  g_assert_no_error (c->error);
  g_assert_cmpint (rc_client_session_get_state (c->session), ==, RC_SESSION_STATE_WAITING);
  return g_strdup (c->room);
}

static inline void
client_join (Client     *c,
             const char *room)
{
  rc_client_session_join_room_async (c->session, room, NULL, bool_cb, c);
  rc_test_spin_until (&c->done);
}

static inline void
client_leave (Client *c)
{
  rc_client_session_leave_async (c->session, NULL, bool_cb, c);
  rc_test_spin_until (&c->done);
  g_assert_no_error (c->error);
  g_assert_cmpint (rc_client_session_get_state (c->session), ==, RC_SESSION_STATE_LOBBY);
}

static inline void
send_ok (Client     *c,
         const char *text,
         gint64      expected_seq)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (rc_client_session_send_message (c->session, text, &error), ==, expected_seq);
  g_assert_no_error (error);
}

static inline void
send_refused (Client     *c,
              const char *text,
              int         code)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (rc_client_session_send_message (c->session, text, &error), ==, -1);
  g_assert_error (error, RC_CLIENT_ERROR, code);
}
