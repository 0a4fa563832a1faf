/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "rc-certificate.h"
#include "rc-config.h"
#include "rc-server-check.h"
#include "rc-server-command.h"
#include "rc-server-serve.h"
#include "rc-state-dir.h"

/* The command line of roomchat-server:
 *
 *   roomchat-server [--config FILE] [--host H] [--port P] [--state-dir D]
 *   roomchat-server [--config FILE | --state-dir D] stats | reset | fingerprint | check-config
 *   roomchat-server hash-password [--iterations N]
 *
 * Exit status: 0 success, 1 a failure (said in one line on standard error),
 * 2 a usage error. */

/* Thread stacks. Measured in a release build (mincore() over each stack
 * after every step, through the test suites, the benchmark and a hashed
 * password): a connection's thread reaches 20 KiB at most, logging on its
 * way out included, a handshake thread 16 KiB. 128 KiB is six times that;
 * the frame parser never recurses, so no input can go deeper. Only the
 * pages touched are resident, so this is address space, 1.25 GiB for
 * 10,000 connections instead of 80 GiB at the default 8 MiB. Sanitizers
 * need the default. */
#define THREAD_STACK_SIZE (128 * 1024)

static int
fail (const char *message)
{
  g_printerr ("roomchat-server: %s\n", message);
  return 1;
}

/* Other commands ---------------------------------------------------------- */

static int
print_statistics (const RcServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = rc_server_setup_config (options, &error);
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
reset (const RcServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = rc_server_setup_config (options, &error);
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
print_fingerprint (const RcServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = rc_server_setup_config (options, &error);
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
hash_password (const RcServerOptions *options)
{
  gboolean terminal = isatty (STDIN_FILENO);
  g_autofree char *password = NULL;
  g_autofree char *again = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;

  if (options->iterations < 1 || options->iterations > 10000000)
    return fail ("--iterations must be from 1 to 10000000");
  if (options->iterations < RC_PASSWORD_WEAK_ITERATIONS)
    g_printerr ("roomchat-server: warning: fewer than %u iterations make a hash that is quick to crack; "
                "the server will warn at every start\n", RC_PASSWORD_WEAK_ITERATIONS);

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
  g_auto(RcServerOptions) options = { NULL, NULL, -1, NULL, FALSE, RC_PASSWORD_DEFAULT_ITERATIONS };
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

  context = g_option_context_new ("[stats|reset|fingerprint|check-config|hash-password]");
  g_option_context_set_summary (context,
                                "Serves RoomChat: private, end-to-end encrypted chats of two.\n\n"
                                "Commands:\n"
                                "  (none)          serve\n"
                                "  stats           print the statistics of the state directory\n"
                                "  reset           clear statistics, blocks and log (never the certificate or the password)\n"
                                "  fingerprint     print the SHA-256 fingerprint of the server certificate\n"
                                "  check-config    load the configuration as a start would and print it (password hidden)\n"
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
    return rc_server_serve (&options);
  if (g_str_equal (command, "stats"))
    return print_statistics (&options);
  if (g_str_equal (command, "reset"))
    return reset (&options);
  if (g_str_equal (command, "fingerprint"))
    return print_fingerprint (&options);
  if (g_str_equal (command, "check-config"))
    return rc_server_check_config (&options);
  if (g_str_equal (command, "hash-password"))
    return hash_password (&options);

  g_printerr ("roomchat-server: unknown command %s (see --help)\n", command);
  return 2;
}
