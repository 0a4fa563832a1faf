/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "rc-cli-options.h"
#include "rc-config.h"
#include "rc-names.h"

G_DEFINE_QUARK (rc-cli-error-quark, rc_cli_error)

#define DEFAULT_CONFIG ".env.json"

/* The description goes on after the name of the user's own settings
 * file, as it is on this computer. */
static const char description_start[] =
  "Settings are read from the first of: --config FILE, .env.json in the\n"
  "current folder, ";
static const char description_rest[] =
  ".\n"
  "Their keys: HOST_ADDRESS, HOST_PORT, SERVER_PASSWORD, USER_NAME. --host,\n"
  "--port and --name override them. The password comes from the file, else\n"
  "from the environment variable ROOMCHAT_PASSWORD, else from a prompt;\n"
  "never from the command line.\n"
  "\n"
  "Without --batch, roomchat-cli is interactive. With --batch and --create\n"
  "or --join, each line of standard input is a message, sent as soon as it\n"
  "is this side's turn, and events are written to standard output as JSON\n"
  "Lines. At the end of the input it leaves once its last message is\n"
  "relayed (with --stay: once the peer leaves).\n"
  "\n"
  "Exit status:\n"
  "  0  done\n"
  "  2  usage or configuration error\n"
  "  3  cannot connect, TLS or certificate error\n"
  "  4  wrong password, or this address is blocked\n"
  "  5  room error (no such room, room full, ...)\n"
  "  6  security failure: the peer's keys or a message did not verify\n";

static gpointer
usage_error (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

/* Sets a usage error and returns NULL, for "return usage_error (...)". */
static gpointer
usage_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (RC_CLI_ERROR, RC_CLI_ERROR_USAGE, format, args));
  va_end (args);
  return NULL;
}

/* $XDG_CONFIG_HOME/roomchat/cli.json: settings for every folder. */
static char *
user_config_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "roomchat", "cli.json", NULL);
}

static gboolean
load_config (RcCliOptions    *options,
             const char      *path,
             RcClientConfig  *config,
             GError         **error)
{
  g_autofree char *user_path = NULL;

  if (path == NULL && g_file_test (DEFAULT_CONFIG, G_FILE_TEST_EXISTS))
    path = DEFAULT_CONFIG;
  if (path == NULL)
    {
      user_path = user_config_path ();
      if (!g_file_test (user_path, G_FILE_TEST_EXISTS))
        return TRUE;
      path = user_path;
    }

  if (!rc_client_config_load (config, path, error))
    return FALSE;

  options->config_path = g_strdup (path);
  return TRUE;
}

/**
 * rc_cli_options_parse:
 * @argv: (inout): the command line; parsed options are removed
 *
 * Reads the command line and the configuration file. Failures are
 * %RC_CLI_ERROR_USAGE or %RC_CONFIG_ERROR: exit status 2. --help prints and
 * exits here, as GOption does.
 */
RcCliOptions *
rc_cli_options_parse (char   **argv,
                      GError **error)
{
  g_autoptr(RcCliOptions) options = g_new0 (RcCliOptions, 1);
  g_autoptr(RcClientConfig) config = rc_client_config_new ();
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *host = NULL;
  g_autofree char *name = NULL;
  g_autofree char *join = NULL;
  gint port = -1;
  g_auto(GStrv) args = g_strdupv (argv);
  g_autofree char *user_path = user_config_path ();
  g_autofree char *description = g_strconcat (description_start, user_path, description_rest, NULL);
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Read settings from FILE instead of .env.json or cli.json", "FILE" },
    { "host", 'H', 0, G_OPTION_ARG_STRING, &host, "Server host name or address", "HOST" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Server port", "PORT" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Your name in the chat", "NAME" },
    { "create", 0, 0, G_OPTION_ARG_NONE, &options->create, "Create a room", NULL },
    { "join", 'j', 0, G_OPTION_ARG_STRING, &join, "Join the room with this id", "ID" },
    { "batch", 'b', 0, G_OPTION_ARG_NONE, &options->batch, "Messages from standard input, events as JSON Lines", NULL },
    { "stay", 0, 0, G_OPTION_ARG_NONE, &options->stay, "With --batch: stay until the peer leaves", NULL },
    { "trust", 0, 0, G_OPTION_ARG_NONE, &options->trust, "Trust a server seen for the first time (never a changed one)", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version, "Print the version", NULL },
    { NULL }
  };

  context = g_option_context_new ("- RoomChat, private chats for two people");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse_strv (context, &args, error))
    return NULL;

  if (options->version)
    return g_steal_pointer (&options);

  if (g_strv_length (args) > 1)
    return usage_error (error, "Unexpected argument \"%s\"", args[1]);
  if (options->create && join != NULL)
    return usage_error (error, "Use either --create or --join, not both");
  if (options->batch && !options->create && join == NULL)
    return usage_error (error, "--batch needs --create or --join ID");
  if (options->stay && !options->batch)
    return usage_error (error, "--stay only makes sense with --batch");
  if (port != -1 && (port < 1 || port > 65535))
    return usage_error (error, "--port must be from 1 to 65535, not %d", port);

  if (!load_config (options, config_path, config, error))
    return NULL;

  options->host = g_strdup (host != NULL ? host : config->host_address);
  options->port = (guint16) (port != -1 ? (guint) port : config->host_port);
  if (options->host[0] == '\0')
    return usage_error (error, "The server's host name is empty");

  if (name == NULL && config->user_name == NULL)
    return usage_error (error, "Who are you? Pass --name NAME or set USER_NAME in %s",
                        options->config_path != NULL ? options->config_path : user_path);
  options->name = rc_name_normalize (name != NULL ? name : config->user_name, NULL);
  if (options->name == NULL)
    return usage_error (error, "A name has 1 to %d characters and no control characters",
                        RC_NAME_MAX_CHARS);

  if (join != NULL)
    {
      options->join = rc_room_id_normalize (join, NULL);
      if (options->join == NULL)
        return usage_error (error, "\"%s\" is not a room id: room ids have %d letters and digits",
                            join, RC_ROOM_ID_LENGTH);
    }

  if (config->server_password != NULL)
    {
      options->password = g_strdup (config->server_password);
      options->password_source = g_strdup_printf ("SERVER_PASSWORD in %s", options->config_path);
    }

  return g_steal_pointer (&options);
}

/* Reads a line from the terminal with echo off. */
static char *
prompt_password (const char  *prompt,
                 GError     **error)
{
  struct termios saved;
  struct termios quiet;
  char buffer[1024];
  gboolean restore = FALSE;
  char *line;
  FILE *tty;

  tty = fopen ("/dev/tty", "r+");
  if (tty == NULL)
    return NULL;

  if (tcgetattr (fileno (tty), &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      restore = tcsetattr (fileno (tty), TCSAFLUSH, &quiet) == 0;
    }

  fputs (prompt, tty);
  fflush (tty);
  line = fgets (buffer, sizeof buffer, tty);

  if (restore)
    tcsetattr (fileno (tty), TCSAFLUSH, &saved);
  fputs ("\n", tty);
  fclose (tty);

  if (line == NULL)
    {
      g_set_error_literal (error, RC_CLI_ERROR, RC_CLI_ERROR_NO_PASSWORD, "No password was typed");
      return NULL;
    }

  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  memset (buffer, 0, sizeof buffer);
  return line;
}

static void
wipe (char **secret)
{
  if (*secret == NULL)
    return;

  memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

/**
 * rc_cli_options_password_from_environment:
 *
 * Sets the password from ROOMCHAT_PASSWORD when the file gave none.
 * Returns whether there is a password now.
 */
gboolean
rc_cli_options_password_from_environment (RcCliOptions *options)
{
  const char *env = g_getenv ("ROOMCHAT_PASSWORD");

  if (options->password != NULL)
    return TRUE;
  if (env == NULL || env[0] == '\0')
    return FALSE;

  options->password = g_strdup (env);
  g_free (options->password_source);
  options->password_source = g_strdup ("ROOMCHAT_PASSWORD");
  return TRUE;
}

/**
 * rc_cli_options_set_typed_password:
 * @password: (transfer full): what the person typed
 *
 * Replaces the password, wiping the one before.
 */
void
rc_cli_options_set_typed_password (RcCliOptions *options,
                                   char         *password)
{
  wipe (&options->password);
  options->password = password;
  g_free (options->password_source);
  options->password_source = g_strdup ("the password typed");
}

/**
 * rc_cli_options_no_password_error:
 *
 * The error for a password that was not given, saying where to give it.
 */
GError *
rc_cli_options_no_password_error (RcCliOptions *options)
{
  g_autofree char *user_path = user_config_path ();

  return g_error_new (RC_CLI_ERROR, RC_CLI_ERROR_NO_PASSWORD,
                      "No server password: set SERVER_PASSWORD in %s or the environment "
                      "variable ROOMCHAT_PASSWORD",
                      options->config_path != NULL ? options->config_path : user_path);
}

/**
 * rc_cli_options_prompt_password:
 *
 * Asks for the password on the terminal (not standard input, which may
 * carry messages), without echo.
 */
gboolean
rc_cli_options_prompt_password (RcCliOptions  *options,
                                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *prompt = g_strdup_printf ("Server password for %s:%u: ", options->host,
                                             options->port);
  char *typed = prompt_password (prompt, &local_error);

  if (typed == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_propagate_error (error, rc_cli_options_no_password_error (options));
      return FALSE;
    }

  rc_cli_options_set_typed_password (options, typed);
  return TRUE;
}

/**
 * rc_cli_options_resolve_password:
 *
 * Sets the password when the file gave none: from ROOMCHAT_PASSWORD, else
 * from a prompt on the terminal.
 */
gboolean
rc_cli_options_resolve_password (RcCliOptions  *options,
                                 GError       **error)
{
  return rc_cli_options_password_from_environment (options) ||
         rc_cli_options_prompt_password (options, error);
}

void
rc_cli_options_free (RcCliOptions *options)
{
  if (options == NULL)
    return;

  g_free (options->config_path);
  g_free (options->host);
  g_free (options->name);
  wipe (&options->password);
  g_free (options->password_source);
  g_free (options->join);
  g_free (options);
}
