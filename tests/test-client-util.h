/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the tests of client/ that talk to the real server
 * (header only, static functions): the process's environment, a fixture
 * that starts a server in a folder of its own, and waiting. */

#include <gio/gio.h>

#include "server-helpers.h"
#include "rc-tls-priority.h"

/* How often the connections of a test process ping (see
 * rc_test_client_init()). */
#define TEST_PING_MS 300
/* A bound for the tests that wait on the server's timeouts: exceeding it
 * fails the test rather than hanging it. */
#define TEST_DEADLINE_SECONDS 60

/* Call first in main(), before any thread starts. */
static inline void
rc_test_client_init (int    *argc,
                     char ***argv)
{
  rc_tls_priority_apply ();
  /* The isolated XDG folders hold no GSettings schemas for the desktop's
   * proxy settings, which GSocketClient would otherwise read. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  /* Test-only, read once by the connection code: ping often, so that the
   * keep-alive tests need not wait 30 s. */
  g_setenv ("ROOMCHAT_CLIENT_TEST_PING_MS", G_STRINGIFY (TEST_PING_MS), TRUE);
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

typedef struct
{
  char       *folder;
  TestServer *server;
} Fixture;

/* @data: NULL, or the server's extra environment */
static inline void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->folder = g_dir_make_tmp ("roomchat-client-XXXXXX", &error);
  g_assert_no_error (error);
  f->server = test_server_new_in (f->folder, "state", TEST_BLOCK_CONFIG);
  test_server_add_env (f->server, data);
  test_server_start (f->server);
}

static inline void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->server, test_server_free);
  test_remove_tree (f->folder);
  g_free (f->folder);
}

static inline gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds. */
static inline void
spin_for (guint ms)
{
  gboolean passed = FALSE;

  g_timeout_add (ms, flag_cb, &passed);
  while (!passed)
    g_main_context_iteration (NULL, TRUE);
}

static inline gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins until @events holds something, failing the test if nothing comes
 * within TEST_DEADLINE_SECONDS, and returns the first. */
static inline char *
next_event_in_time (GQueue *events)
{
  gint64 deadline = g_get_monotonic_time () + TEST_DEADLINE_SECONDS * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (100, wake_cb, NULL);

  while (g_queue_is_empty (events))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake_id);

  return g_queue_pop_head (events);
}

/* What a test has seen, in order, as short strings. */
static inline void
rc_test_record (GQueue     *events,
                const char *format,
                ...) G_GNUC_PRINTF (2, 3);

static inline void
rc_test_record (GQueue     *events,
                const char *format,
                ...)
{
  va_list args;

  va_start (args, format);
  g_queue_push_tail (events, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Waits (bounded) for the next event and checks it. */
static inline void
rc_test_expect (GQueue     *events,
                const char *expected)
{
  g_autofree char *event = next_event_in_time (events);

  g_assert_cmpstr (event, ==, expected);
}

/* Spins until an asynchronous call has set @done, and resets it. */
static inline void
rc_test_spin_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
  *done = FALSE;
}

/* Drops the test's reference to @object and checks that nothing else
 * keeps it alive once its pending operations have returned. */
static inline void
rc_test_unref_and_wait (gpointer object)
{
  g_object_add_weak_pointer (G_OBJECT (object), &object);
  g_object_unref (object);
  while (object != NULL)
    g_main_context_iteration (NULL, TRUE);
}
