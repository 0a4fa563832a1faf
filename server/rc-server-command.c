/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "rc-certificate.h"
#include "rc-config.h"
#include "rc-server.h"
#include "rc-server-command.h"
#include "rc-server-log.h"
#include "rc-state-dir.h"

/* The command line of roomchat-server:
 *
 *   roomchat-server [--config FILE] [--host H] [--port P] [--state-dir D]
 *   roomchat-server [--config FILE | --state-dir D] stats | reset | fingerprint
 *   roomchat-server hash-password [--iterations N]
 *
 * Exit status: 0 success, 1 a failure (said in one line on standard error),
 * 2 a usage error. */

/* Thread stacks: a connection's thread needs far less than the default
 * 8 MiB; a smaller reservation keeps 10,000 threads' address space modest.
 * Sanitizers need the default. */
#define THREAD_STACK_SIZE (256 * 1024)
#define SHUTDOWN_WAIT_US (30 * G_TIME_SPAN_SECOND)

typedef struct
{
  char     *config_path;
  char     *host;
  int       port;
  char     *state_dir;
  gboolean  version;
  int       iterations;
} Options;

static void
options_clear (Options *options)
{
  g_free (options->config_path);
  g_free (options->host);
  g_free (options->state_dir);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static int
fail (const char *message)
{
  g_printerr ("roomchat-server: %s\n", message);
  return 1;
}

/* Configuration ----------------------------------------------------------- */

static char *
default_state_dir (void)
{
  const char *systemd = g_getenv ("STATE_DIRECTORY");

  /* systemd gives a colon-separated list when the unit names several. */
  if (systemd != NULL && *systemd != '\0')
    {
      g_auto(GStrv) dirs = g_strsplit (systemd, ":", 2);

      return g_strdup (dirs[0]);
    }

  return g_build_filename (g_get_user_state_dir (), "roomchat-server", NULL);
}

static RcServerConfig *
load_config (const Options  *options,
             GError        **error)
{
  g_autoptr(RcServerConfig) config = rc_server_config_new ();

  if (options->config_path != NULL && !rc_server_config_load (config, options->config_path, error))
    return NULL;

  if (options->host != NULL)
    {
      g_free (config->host_address);
      config->host_address = g_strdup (options->host);
    }
  if (options->port >= 0)
    config->host_port = (guint) options->port;
  if (options->state_dir != NULL)
    {
      g_free (config->state_dir);
      config->state_dir = g_strdup (options->state_dir);
    }
  if (config->state_dir == NULL)
    config->state_dir = default_state_dir ();

  return g_steal_pointer (&config);
}

/* SERVER_PASSWORD, or the password made at the first start without one. */
static RcPassword *
load_password (RcServerConfig  *config,
               RcStateDir      *state_dir,
               GError         **error)
{
  g_autofree char *path = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GError) local_error = NULL;
  RcPassword *result;

  if (config->server_password != NULL)
    {
      result = rc_password_new (config->server_password, &local_error);
      if (result == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s",
                     config->path != NULL ? config->path : "--config", local_error->message);
      return result;
    }

  path = g_build_filename (config->state_dir, RC_STATE_PASSWORD_FILE, NULL);
  password = rc_state_dir_read (state_dir, RC_STATE_PASSWORD_FILE, NULL, &local_error);
  if (password != NULL)
    {
      g_strstrip (password);
      g_message ("No SERVER_PASSWORD is configured: using the one kept in %s", path);
    }
  else if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  else
    {
      password = rc_password_generate ();
      if (!rc_state_dir_write (state_dir, RC_STATE_PASSWORD_FILE, password, strlen (password), 0600,
                               RC_STATE_WRITE_DURABLE, error))
        return NULL;
      g_print ("No SERVER_PASSWORD is configured, so this server made one: %s\n"
               "Give it to the people who may connect. It is kept in %s and will not be shown again.\n",
               password, path);
    }

  if (*password == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: the kept password is empty", path);
      return NULL;
    }

  return rc_password_new (password, error);
}

static GTlsCertificate *
load_certificate (RcServerConfig  *config,
                  RcStateDir      *state_dir,
                  GError         **error)
{
  if (config->tls_cert != NULL)
    {
      GTlsCertificate *certificate = rc_certificate_load (config->tls_cert, config->tls_key, error);

      if (certificate == NULL)
        g_prefix_error (error, "%s: ", config->path != NULL ? config->path : "configuration");
      return certificate;
    }

  return rc_certificate_load_or_create (state_dir, config->server_name, error);
}

/* Test-only: the suite shortens the protocol's timeouts through these
 * variables so that it never waits 10 or 90 seconds. */
static void
read_test_limits (RcServerLimits *limits)
{
  const char *value;

  if ((value = g_getenv ("ROOMCHAT_SERVER_TEST_HELLO_MS")) != NULL)
    limits->hello_timeout = g_ascii_strtoll (value, NULL, 10) * G_TIME_SPAN_MILLISECOND;
  if ((value = g_getenv ("ROOMCHAT_SERVER_TEST_IDLE_MS")) != NULL)
    limits->idle_timeout = g_ascii_strtoll (value, NULL, 10) * G_TIME_SPAN_MILLISECOND;
  if ((value = g_getenv ("ROOMCHAT_SERVER_TEST_WRITE_S")) != NULL)
    limits->write_timeout = (guint) MAX (g_ascii_strtoll (value, NULL, 10), 1);
  if ((value = g_getenv ("ROOMCHAT_SERVER_TEST_LINGER_MS")) != NULL)
    limits->linger = g_ascii_strtoll (value, NULL, 10) * G_TIME_SPAN_MILLISECOND;
  if ((value = g_getenv ("ROOMCHAT_SERVER_TEST_FRAME_RATE")) != NULL)
    limits->frame_rate = MAX (g_ascii_strtod (value, NULL), 0.1);
  if ((value = g_getenv ("ROOMCHAT_SERVER_TEST_FRAME_BURST")) != NULL)
    limits->frame_burst = MAX (g_ascii_strtod (value, NULL), 1.0);
}

/* Serving ----------------------------------------------------------------- */

typedef struct
{
  RcServer  *server;
  GMainLoop *loop;
  gint64     deadline;
  guint      wait_id;
} ServeState;

static gboolean
wait_for_connections (gpointer data)
{
  ServeState *state = data;

  if (rc_server_count_connections (state->server) > 0 && g_get_monotonic_time () < state->deadline)
    return G_SOURCE_CONTINUE;

  state->wait_id = 0;
  g_main_loop_quit (state->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer data)
{
  ServeState *state = data;

  if (state->wait_id == 0)
    {
      rc_server_begin_shutdown (state->server);
      state->deadline = g_get_monotonic_time () + SHUTDOWN_WAIT_US;
      state->wait_id = g_timeout_add (20, wait_for_connections, state);
    }

  return G_SOURCE_CONTINUE;
}

/* SIGUSR1: how the server is doing, in the log. */
static gboolean
on_status_signal (gpointer data)
{
  ServeState *state = data;

  rc_server_log_status (state->server);
  return G_SOURCE_CONTINUE;
}

static int
serve (const Options *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = NULL;
  g_autoptr(RcPassword) password = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(RcServer) server = NULL;
  g_autoptr(RcStateDir) state_dir = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  RcServerSettings settings = { NULL };
  RcServerLimits limits;
  ServeState state = { NULL };
  guint term_id;
  guint int_id;
  guint usr1_id;
  int log_fd;

  config = load_config (options, &error);
  if (config == NULL)
    return fail (error->message);
  state_dir = rc_state_dir_open (config->state_dir, TRUE, &error);
  if (state_dir == NULL || !rc_state_dir_lock (state_dir, &error))
    return fail (error->message);

  log_fd = rc_state_dir_open_append (state_dir, RC_STATE_LOG_FILE, &error);
  if (log_fd < 0)
    return fail (error->message);
  rc_server_log_init (log_fd);

  password = load_password (config, state_dir, &error);
  if (password == NULL)
    return fail (error->message);
  certificate = load_certificate (config, state_dir, &error);
  if (certificate == NULL)
    return fail (error->message);

  settings.host = config->host_address;
  settings.port = config->host_port;
  settings.state_dir = state_dir;
  settings.server_name = config->server_name;
  settings.max_connections = config->max_connections;
  settings.max_connections_per_ip = config->max_connections_per_ip;
  settings.max_auth_failures = config->max_auth_failures;
  settings.block_seconds = config->block_seconds;
  settings.password = password;
  settings.certificate = certificate;
  rc_server_limits_init (&limits);
  read_test_limits (&limits);

  server = rc_server_new (&settings, &limits, &error);
  if (server == NULL)
    return fail (error->message);
  loop = g_main_loop_new (NULL, FALSE);
  state.server = server;
  state.loop = loop;
  /* Before the server says it is up: a signal from then on is handled. */
  term_id = g_unix_signal_add (SIGTERM, on_signal, &state);
  int_id = g_unix_signal_add (SIGINT, on_signal, &state);
  usr1_id = g_unix_signal_add (SIGUSR1, on_status_signal, &state);

  if (!rc_server_start (server, &error))
    {
      g_source_remove (term_id);
      g_source_remove (int_id);
      g_source_remove (usr1_id);
      return fail (error->message);
    }

  g_main_loop_run (loop);

  g_source_remove (term_id);
  g_source_remove (int_id);
  g_source_remove (usr1_id);
  rc_server_finish (server);
  g_message ("Stopped");

  return 0;
}

/* Other commands ---------------------------------------------------------- */

static int
print_statistics (const Options *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = load_config (options, &error);
  g_autoptr(RcStateDir) state_dir = NULL;
  const char *files[] = { RC_STATE_STATS_FILE, RC_STATE_IPS_FILE };
  gboolean any = FALSE;

  if (config == NULL)
    return fail (error->message);
  state_dir = rc_state_dir_open (config->state_dir, FALSE, &error);
  if (state_dir == NULL)
    return fail (error->message);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (config->state_dir, files[i], NULL);
      g_autofree char *contents = rc_state_dir_read (state_dir, files[i], NULL, &error);

      if (contents == NULL)
        {
          if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return fail (error->message);
          g_clear_error (&error);
          continue;
        }

      g_print ("%s%s:\n%s", any ? "\n" : "", path, contents);
      any = TRUE;
    }

  if (!any)
    g_print ("No statistics in %s yet.\n", config->state_dir);

  return 0;
}

/* Clears what the original's reset cleared; refuses while a server uses
 * the directory, which would write its statistics back. */
static int
reset (const Options *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = load_config (options, &error);
  g_autoptr(RcStateDir) state_dir = NULL;
  const char *files[] = { RC_STATE_STATS_FILE, RC_STATE_IPS_FILE, RC_STATE_BLOCKS_FILE, RC_STATE_LOG_FILE };

  if (config == NULL)
    return fail (error->message);
  state_dir = rc_state_dir_open (config->state_dir, FALSE, &error);
  if (state_dir == NULL)
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_print ("Nothing to clear: %s does not exist.\n", config->state_dir);
          return 0;
        }
      return fail (error->message);
    }
  if (!rc_state_dir_lock (state_dir, &error))
    return fail (error->message);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (!rc_state_dir_remove (state_dir, files[i], &error))
      return fail (error->message);

  g_print ("Cleared the statistics, blocks and log in %s (the certificate and the password are kept).\n",
           config->state_dir);
  return 0;
}

static int
print_fingerprint (const Options *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = load_config (options, &error);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *fingerprint = NULL;

  if (config == NULL)
    return fail (error->message);

  if (config->tls_cert != NULL)
    certificate = rc_certificate_load (config->tls_cert, config->tls_key, &error);
  else
    {
      g_autoptr(RcStateDir) state_dir = rc_state_dir_open (config->state_dir, FALSE, &error);
      g_autofree char *cert = NULL;
      g_autofree char *key = NULL;

      if (state_dir != NULL)
        {
          cert = rc_state_dir_read (state_dir, RC_STATE_CERT_FILE, NULL, NULL);
          key = rc_state_dir_read (state_dir, RC_STATE_KEY_FILE, NULL, NULL);
        }
      if (state_dir == NULL || cert == NULL || key == NULL)
        {
          g_autofree char *message = g_strdup_printf ("there is no certificate in %s yet: start the server once "
                                                      "and it makes one", config->state_dir);

          return fail (message);
        }
      certificate = rc_certificate_load_or_create (state_dir, config->server_name, &error);
      if (key != NULL)
        explicit_bzero (key, strlen (key));
    }
  if (certificate == NULL)
    return fail (error->message);

  fingerprint = rc_certificate_fingerprint (certificate);
  g_print ("%s\n", fingerprint);
  return 0;
}

static char *
read_password_line (const char *prompt,
                    gboolean    terminal)
{
  struct termios saved;
  struct termios quiet;
  char buffer[1024];
  char *line;

  if (terminal)
    {
      g_printerr ("%s", prompt);
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }

  line = fgets (buffer, sizeof buffer, stdin);

  if (terminal)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  if (line == NULL)
    return NULL;

  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  memset (buffer, 0, sizeof buffer);
  return line;
}

static int
hash_password (const Options *options)
{
  gboolean terminal = isatty (STDIN_FILENO);
  g_autofree char *password = NULL;
  g_autofree char *again = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;

  if (options->iterations < 1 || options->iterations > 10000000)
    return fail ("--iterations must be from 1 to 10000000");

  password = read_password_line ("Password: ", terminal);
  if (password == NULL || *password == '\0')
    return fail ("no password given on standard input");

  if (terminal)
    {
      again = read_password_line ("The same password again: ", terminal);
      if (again == NULL || !g_str_equal (password, again))
        return fail ("the two passwords differ");
    }

  hash = rc_password_hash (password, (guint) options->iterations, &error);
  if (hash == NULL)
    return fail (error->message);

  g_print ("%s\n", hash);
  return 0;
}

/* Entry point ------------------------------------------------------------- */

static void
set_thread_stack_size (void)
{
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  pthread_attr_t attr;

  if (pthread_getattr_default_np (&attr) == 0)
    {
      pthread_attr_setstacksize (&attr, THREAD_STACK_SIZE);
      pthread_setattr_default_np (&attr);
      pthread_attr_destroy (&attr);
    }
#endif
}

int
rc_server_command_run (int    argc,
                       char **argv)
{
  g_auto(Options) options = { NULL, NULL, -1, NULL, FALSE, RC_PASSWORD_DEFAULT_ITERATIONS };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &options.config_path,
      "Read the configuration from FILE (the keys of .env.json)", "FILE" },
    { "host", 'H', 0, G_OPTION_ARG_STRING, &options.host,
      "Listen on this address or name (HOST_ADDRESS)", "HOST" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options.port,
      "Listen on this port, 0 for any (HOST_PORT)", "PORT" },
    { "state-dir", 's', 0, G_OPTION_ARG_FILENAME, &options.state_dir,
      "Keep certificate, statistics and blocks here (STATE_DIR)", "DIR" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &options.iterations,
      "PBKDF2 iterations for hash-password", "N" },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &options.version,
      "Print the version and exit", NULL },
    { NULL }
  };
  const char *command;

  set_thread_stack_size ();

  context = g_option_context_new ("[stats|reset|fingerprint|hash-password]");
  g_option_context_set_summary (context,
                                "Serves RoomChat: private, end-to-end encrypted chats of two.\n\n"
                                "Commands:\n"
                                "  (none)          serve\n"
                                "  stats           print the statistics of the state directory\n"
                                "  reset           clear statistics, blocks and log (never the certificate or the password)\n"
                                "  fingerprint     print the SHA-256 fingerprint of the server certificate\n"
                                "  hash-password   read a password on standard input and print its SERVER_PASSWORD hash");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("roomchat-server: %s\n", error->message);
      return 2;
    }

  if (options.version)
    {
      g_print ("roomchat-server %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (options.port > 65535)
    return fail ("--port must be from 0 to 65535");

  if (argc > 2)
    {
      g_printerr ("roomchat-server: too many arguments\n");
      return 2;
    }

  command = argc == 2 ? argv[1] : NULL;
  if (command == NULL)
    return serve (&options);
  if (g_str_equal (command, "stats"))
    return print_statistics (&options);
  if (g_str_equal (command, "reset"))
    return reset (&options);
  if (g_str_equal (command, "fingerprint"))
    return print_fingerprint (&options);
  if (g_str_equal (command, "hash-password"))
    return hash_password (&options);

  g_printerr ("roomchat-server: unknown command %s (see --help)\n", command);
  return 2;
}
