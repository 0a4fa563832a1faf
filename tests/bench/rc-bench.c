/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-bench"

#include "config.h"

#include <locale.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rc-bench-load.h"
#include "rc-tls-priority.h"
#include "server-helpers.h"

/* roomchat-bench: speed and memory of roomchat-server, measured by hand
 * and never asserted by the test suite (see README and HACKING).
 *
 *   roomchat-bench idle     [--clients N]             log in N clients, hold them idle
 *   roomchat-bench pingpong [--clients N] [--pace MS] N/2 rooms relay messages
 *   roomchat-bench compare  [--clients N] [--runs R]  pingpong against the floor, alternating
 *
 * pingpong --perf FILE records a profile of the server (perf record -g)
 * during the measured seconds.
 *
 * The server runs pinned to the first CPU and the load generator to the
 * second, when there are two. --floor measures roomchat-bench-floor
 * instead: GIO's threaded socket service and TLS with no protocol at
 * all, the floor roomchat-server is compared with. */

typedef struct
{
  guint     clients;
  guint     pace_ms;
  guint     payload;
  guint     runs;
  double    seconds;
  double    warmup;
  gboolean  floor;
  gboolean  no_pin;
  char     *perf_output;
  double    hold;
} Options;

typedef struct
{
  GSubprocess *process;
  gint64       cpu_ticks;
  gint64       rss_kib;
  const char  *perf_output;   /* record a profile of the measured seconds here */
  GSubprocess *perf;
} Sample;

/* /proc -------------------------------------------------------------------- */

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

/* utime + stime, in clock ticks */
static gint64
read_cpu_ticks (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (process));
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after_name = strrchr (stat, ')')) == NULL)
    return -1;

  /* After the name: state is field 3, utime 14 and stime 15. */
  fields = g_strsplit (after_name + 2, " ", 14);
  if (g_strv_length (fields) < 14)
    return -1;
  return g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
}

static void
sample_cb (gboolean start,
           gpointer user_data)
{
  Sample *samples = user_data;
  Sample *sample = &samples[start ? 0 : 1];

  sample->cpu_ticks = read_cpu_ticks (sample->process);
  sample->rss_kib = read_status (sample->process, "VmRSS:");

  if (start && samples[0].perf_output != NULL)
    {
      g_autoptr(GError) error = NULL;

      samples[0].perf = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                          "perf", "record", "-F", "4000", "-q", "-o", samples[0].perf_output,
                                          "-p", g_subprocess_get_identifier (sample->process), NULL);
      if (samples[0].perf == NULL)
        g_printerr ("roomchat-bench: cannot run perf: %s\n", error->message);
    }
  else if (!start && samples[0].perf != NULL)
    {
      g_subprocess_send_signal (samples[0].perf, SIGINT);
      g_subprocess_wait (samples[0].perf, NULL, NULL);
      g_clear_object (&samples[0].perf);
    }
}

/* Servers ------------------------------------------------------------------ */

static void
pin_to_cpu (int cpu)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  sched_setaffinity (0, sizeof set, &set);
}

static void
pin_child (gpointer user_data)
{
  pin_to_cpu (GPOINTER_TO_INT (user_data));
}

static TestServer *
start_roomchat (const Options *options)
{
  g_autofree char *extra = g_strdup_printf ("\"MAX_CONNECTIONS\": %u, \"MAX_CONNECTIONS_PER_IP\": %u",
                                            options->clients + 16, options->clients + 16);
  TestServer *server = test_server_new (extra);

  /* The turns bound a chat already; frames are not limited here. */
  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_FRAME_RATE", "1000000000");
  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_FRAME_BURST", "1000000000");
  server->cpu = options->no_pin ? -1 : 0;
  test_server_start (server);
  return server;
}

/* The floor uses the certificate a roomchat-server made. */
static GSubprocess *
start_floor (TestServer *roomchat,
             const Options *options,
             guint      *port)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *cert = g_build_filename (roomchat->state_dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (roomchat->state_dir, "key.pem", NULL);
  g_autofree char *floor_path = g_build_filename (ROOMCHAT_BENCH_DIR, "roomchat-bench-floor", NULL);
  g_autoptr(GDataInputStream) err = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *floor;

  if (!options->no_pin)
    g_subprocess_launcher_set_child_setup (launcher, pin_child, GINT_TO_POINTER (0), NULL);
  floor = g_subprocess_launcher_spawn (launcher, &error, floor_path, cert, key, NULL);
  g_assert_no_error (error);

  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (floor));
  line = g_data_input_stream_read_line (err, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on 127.0.0.1 port "));
  *port = (guint) g_ascii_strtoull (line + strlen ("Listening on 127.0.0.1 port "), NULL, 10);
  return floor;
}

static void
stop_floor (GSubprocess *floor)
{
  g_subprocess_send_signal (floor, SIGTERM);
  g_subprocess_wait (floor, NULL, NULL);
}

/* Measurements -------------------------------------------------------------- */

typedef struct
{
  RcBenchLoadResult load;
  double            cpu_us_per_message;
  double            kib_per_connection;
} Run;

/* One run against a server of its own: roomchat-server, or the floor
 * with @roomchat's certificate. */
static gboolean
measure (const Options *options,
         TestServer    *roomchat,
         gboolean       floor,
         gboolean       idle,
         Run           *run,
         GError       **error)
{
  RcBenchLoadOptions load_options = { 0 };
  g_autoptr(GSubprocess) floor_process = NULL;
  g_autoptr(TestServer) server = NULL;
  Sample samples[2] = { { NULL } };
  RcBenchLoad *load;
  gint64 rss_before;
  gboolean ok;
  guint port;

  if (floor)
    floor_process = start_floor (roomchat, options, &port);
  else
    {
      server = start_roomchat (options);
      port = server->port;
    }
  samples[0].process = samples[1].process = floor ? floor_process : server->process;
  samples[0].perf_output = options->perf_output;
  g_usleep (G_USEC_PER_SEC / 2);
  rss_before = read_status (samples[0].process, "VmRSS:");

  load_options.host = "127.0.0.1";
  load_options.port = port;
  load_options.floor = floor;
  load_options.password = TEST_PASSWORD;
  load_options.clients = options->clients;
  load_options.payload = options->payload;
  load_options.pace_ms = options->pace_ms;
  load_options.window = 64;
  load = rc_bench_load_new (&load_options);

  memset (run, 0, sizeof *run);
  ok = rc_bench_load_connect (load, &run->load, error) && (idle || rc_bench_load_pair (load, error));
  if (ok && idle)
    {
      g_usleep (2 * G_USEC_PER_SEC);
      if (options->hold > 0)
        {
          g_print ("holding %u connections to server process %s for %.0f s\n", run->load.connected,
                   g_subprocess_get_identifier (samples[0].process), options->hold);
          g_usleep ((gulong) (options->hold * G_USEC_PER_SEC));
        }
      run->kib_per_connection = (double) (read_status (samples[0].process, "VmRSS:") - rss_before) /
                                run->load.connected;
    }
  else if (ok)
    {
      rc_bench_load_run (load, options->warmup, options->seconds, sample_cb, samples, &run->load);
      run->cpu_us_per_message = (double) (samples[1].cpu_ticks - samples[0].cpu_ticks) * 1e6 /
                                sysconf (_SC_CLK_TCK) / MAX (run->load.messages, 1);
      run->kib_per_connection = (double) (samples[1].rss_kib - rss_before) / options->clients;
    }

  rc_bench_load_free (load);
  if (floor_process != NULL)
    stop_floor (floor_process);
  return ok;
}

static void
print_run (const char *what,
           gboolean    idle,
           const Run  *run)
{
  if (idle)
    g_print ("%-14s %6u connections set up in %.2f s (%.0f a second), %.1f KiB each\n",
             what, run->load.connected, run->load.setup_seconds,
             run->load.connected / run->load.setup_seconds, run->kib_per_connection);
  else
    g_print ("%-14s %9.0f msgs/s  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms  stalled rooms %u"
             "  server %5.1f µs/msg  %.1f KiB/conn\n",
             what, run->load.messages / run->load.seconds, run->load.p50_ms, run->load.p99_ms,
             run->load.max_ms, run->load.stalled_rooms, run->cpu_us_per_message,
             run->kib_per_connection);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int
main (int    argc,
      char **argv)
{
  Options options = { 200, 0, 150, 3, 10.0, 2.0, FALSE, FALSE, NULL, 0 };
  g_autoptr(GOptionContext) context = g_option_context_new ("idle|pingpong|compare");
  g_autoptr(GError) error = NULL;
  g_autoptr(TestServer) server = NULL;
  int clients = -1;
  int pace = 0;
  int payload = 150;
  int runs = 3;
  const GOptionEntry entries[] = {
    { "clients", 'n', 0, G_OPTION_ARG_INT, &clients, "Clients (default 200; idle: 10000)", "N" },
    { "pace", 0, 0, G_OPTION_ARG_INT, &pace, "Answer each message after MS milliseconds", "MS" },
    { "payload", 0, 0, G_OPTION_ARG_INT, &payload, "Ciphertext bytes per message (default 150)", "B" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &options.seconds, "Measure for S seconds (default 10)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &options.warmup, "Relay unmeasured first (default 2)", "S" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "compare: runs of each (default 3)", "R" },
    { "floor", 0, 0, G_OPTION_ARG_NONE, &options.floor, "Measure roomchat-bench-floor instead", NULL },
    { "no-pin", 0, 0, G_OPTION_ARG_NONE, &options.no_pin, "Do not pin server and generator to CPUs", NULL },
    { "hold", 0, 0, G_OPTION_ARG_DOUBLE, &options.hold,
      "idle: keep the connections S seconds more, to look at the server", "S" },
    { "perf", 0, 0, G_OPTION_ARG_FILENAME, &options.perf_output,
      "pingpong: record the server's measured seconds with perf record -g into FILE", "FILE" },
    { NULL }
  };
  const char *mode;
  Run run;

  rc_tls_priority_apply ();
  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "roomchat-bench: say idle, pingpong or compare");
      return 2;
    }
  mode = argv[1];
  options.clients = (guint) (clients > 0 ? clients : g_str_equal (mode, "idle") ? 10000 : 200);
  options.clients += options.clients % 2;
  options.pace_ms = (guint) MAX (pace, 0);
  options.payload = (guint) MAX (payload, 1);
  options.runs = (guint) MAX (runs, 1);

  test_raise_fd_limit ();
  if (!options.no_pin && g_get_num_processors () >= 2)
    pin_to_cpu (1);
  else
    options.no_pin = TRUE;

  /* Makes the certificate the floor uses too. */
  server = start_roomchat (&options);

  if (g_str_equal (mode, "idle") || g_str_equal (mode, "pingpong"))
    {
      gboolean idle = g_str_equal (mode, "idle");

      if (!measure (&options, server, options.floor, idle, &run, &error))
        {
          g_printerr ("roomchat-bench: %s\n", error->message);
          return 1;
        }
      print_run (options.floor ? "floor" : "roomchat", idle, &run);
    }
  else if (g_str_equal (mode, "compare"))
    {
      g_autofree double *ratios = g_new0 (double, options.runs);

      g_print ("%u clients in %u rooms, %u-byte ciphertexts, %s, %u runs each, alternating\n",
               options.clients, options.clients / 2, options.payload,
               options.pace_ms > 0 ? "paced" : "closed loop", options.runs);
      for (guint r = 0; r < options.runs; r++)
        {
          Run floor_run;

          if (!measure (&options, server, TRUE, FALSE, &floor_run, &error) ||
              !measure (&options, server, FALSE, FALSE, &run, &error))
            {
              g_printerr ("roomchat-bench: %s\n", error->message);
              return 1;
            }
          print_run ("floor", FALSE, &floor_run);
          print_run ("roomchat", FALSE, &run);
          ratios[r] = (run.load.messages / run.load.seconds) / (floor_run.load.messages / floor_run.load.seconds);
        }
      g_print ("median ratio roomchat / floor: %.2f\n", median (ratios, options.runs));
    }
  else
    {
      g_printerr ("roomchat-bench: unknown mode %s (idle, pingpong or compare)\n", mode);
      return 2;
    }

  test_server_stop (server);
  return 0;
}
