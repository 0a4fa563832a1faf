/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-bench"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server-helpers.h"

/* Capacity benchmark: starts roomchat-server, opens N connections that
 * authenticate and then stay idle, and reports the server's memory per idle
 * connection (resident set size before and after, from /proc) and how long
 * the connections took. Then half of them pair up and exchange a message,
 * and the server is stopped with SIGTERM.
 *
 *   roomchat-bench [CONNECTIONS [THREADS]]     (defaults: 10000, 8)
 *
 * Needs about CONNECTIONS + 100 file descriptors for itself. */

typedef struct
{
  TestServer *server;
  GPtrArray  *clients;
  guint       first;
  guint       count;
} Batch;

static gpointer
connect_batch (gpointer data)
{
  Batch *batch = data;

  for (guint i = 0; i < batch->count; i++)
    {
      g_autofree char *name = g_strdup_printf ("bench%u", batch->first + i);

      g_ptr_array_add (batch->clients, test_client_hello (batch->server, name));
    }

  return NULL;
}

static gint64
read_status (GSubprocess *process,
             const char  *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || (line = strstr (status, field)) == NULL)
    return -1;

  return g_ascii_strtoll (line + strlen (field), NULL, 10);
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  guint n_threads = argc > 2 ? (guint) atoi (argv[2]) : 8;
  g_autofree char *extra = g_strdup_printf ("\"MAX_CONNECTIONS\": %u, \"MAX_CONNECTIONS_PER_IP\": %u", n, n);
  g_autoptr(TestServer) server = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  Batch *batches;
  gint64 rss_before;
  gint64 rss_after;
  gint64 start;
  gint64 elapsed;
  guint total = 0;

  g_setenv ("G_TLS_GNUTLS_PRIORITY", "NORMAL:-VERS-ALL:+VERS-TLS1.3", TRUE);
  test_raise_fd_limit ();

  server = test_server_new (extra);
  test_server_start (server);
  g_usleep (G_USEC_PER_SEC);
  rss_before = read_status (server->process, "VmRSS:");

  start = g_get_monotonic_time ();
  batches = g_new0 (Batch, n_threads);
  for (guint t = 0; t < n_threads; t++)
    {
      batches[t].server = server;
      batches[t].clients = g_ptr_array_new_with_free_func ((GDestroyNotify) test_client_free);
      batches[t].first = t * (n / n_threads);
      batches[t].count = t + 1 < n_threads ? n / n_threads : n - t * (n / n_threads);
      g_ptr_array_add (threads, g_thread_new ("bench", connect_batch, &batches[t]));
    }
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (g_ptr_array_index (threads, t));
  elapsed = g_get_monotonic_time () - start;
  for (guint t = 0; t < n_threads; t++)
    total += batches[t].clients->len;

  g_assert_true (test_server_wait_for_stat (server, "connections", total));
  g_usleep (2 * G_USEC_PER_SEC);
  rss_after = read_status (server->process, "VmRSS:");

  g_print ("connections:                %u (in %u threads)\n", total, n_threads);
  g_print ("time to connect and log in: %.2f s (%.0f per second)\n",
           elapsed / 1e6, total / (elapsed / 1e6));
  g_print ("server threads:             %" G_GINT64_FORMAT "\n", read_status (server->process, "Threads:"));
  g_print ("server RSS before / after:  %" G_GINT64_FORMAT " KiB / %" G_GINT64_FORMAT " KiB\n",
           rss_before, rss_after);
  g_print ("RSS per idle connection:    %.1f KiB\n", (double) (rss_after - rss_before) / total);
  g_print ("server VmSize / VmData:     %" G_GINT64_FORMAT " KiB / %" G_GINT64_FORMAT " KiB\n",
           read_status (server->process, "VmSize:"), read_status (server->process, "VmData:"));

  for (guint t = 0; t < n_threads; t++)
    g_ptr_array_unref (batches[t].clients);
  g_free (batches);

  test_server_stop (server);
  return 0;
}
