/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the tests that run the real roomchat-cli against a
 * real roomchat-server (header only, static functions): a server in a
 * folder of its own, people with their own data folders, and a
 * roomchat-cli on pipes with its JSON Lines events. */

#include <string.h>
#include <json-glib/json-glib.h>

#include "rc-crypto.h"
#include "server-helpers.h"
#include "rc-tls-priority.h"

/* Ana's and Bo's identity keys, made once by test_cli_init(). */
static char *identities_dir;

typedef struct
{
  char       *folder;
  TestServer *server;
} Fixture;

/* @port: 0 for a free one */
static inline TestServer *
start_server (Fixture    *f,
              const char *state_name,
              guint       port)
{
  TestServer *server = test_server_new_in (f->folder, state_name, TEST_BLOCK_CONFIG);

  server->listen_port = port;
  test_server_start (server);
  return server;
}

static inline void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->folder = g_dir_make_tmp ("roomchat-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->server = start_server (f, "state", 0);
}

static inline void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->server, test_server_free);
  test_remove_tree (f->folder);
  g_free (f->folder);
}

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
} Cli;

/* Each person has a data folder of their own in the test's folder (its
 * known-servers file), with the identity key made once for all tests. */
static inline char *
data_home (Fixture    *f,
           const char *person)
{
  g_autofree char *home = g_build_filename (f->folder, person, NULL);
  g_autofree char *roomchat = g_build_filename (home, "roomchat", NULL);
  g_autofree char *cached = g_strdup_printf ("%s/%s.pem", identities_dir, person);
  g_autofree char *identity = g_build_filename (roomchat, "identity.pem", NULL);
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!g_file_test (identity, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_mkdir_with_parents (roomchat, 0700), ==, 0);
      g_file_get_contents (cached, &pem, &length, &error);
      g_assert_no_error (error);
      g_file_set_contents_full (identity, pem, (gssize) length, G_FILE_SET_CONTENTS_NONE, 0600, &error);
      g_assert_no_error (error);
    }

  return g_steal_pointer (&home);
}

/* Starts roomchat-cli as @person, with @flags for its standard streams,
 * in the test's folder (no .env.json from wherever the tests run) with
 * the person's data folder; @password: NULL for none in the environment. */
static inline GSubprocess *
cli_spawn_process (Fixture             *f,
                   const char          *person,
                   const char          *password,
                   const char * const  *args,
                   GSubprocessLauncher *launcher)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *home = data_home (f, person);
  GSubprocess *process;

  g_subprocess_launcher_set_cwd (launcher, f->folder);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  if (password != NULL)
    g_subprocess_launcher_setenv (launcher, "ROOMCHAT_PASSWORD", password, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "ROOMCHAT_PASSWORD");

  g_ptr_array_add (argv, g_strdup (RC_TEST_CLI_PATH));
  g_ptr_array_add (argv, g_strdup ("--host=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup_printf ("--port=%u", f->server->port));
  g_ptr_array_add (argv, g_strdup_printf ("--name=%s", person));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static inline Cli *
cli_spawn (Fixture            *f,
           const char         *person,
           const char         *password,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  Cli *cli = g_new0 (Cli, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  cli->process = cli_spawn_process (f, person, password, args, launcher);
  cli->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli->process));
  return cli;
}

static inline void
cli_write (Cli        *cli,
           const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_subprocess_get_stdin_pipe (cli->process), text, strlen (text),
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

static inline void
cli_close_input (Cli *cli)
{
  g_output_stream_close (g_subprocess_get_stdin_pipe (cli->process), NULL, NULL);
}

/* The next line of standard output, NULL at its end. */
static inline char *
cli_read_line (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (cli->out, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

/* Reads standard output up to the first line that contains @needle and
 * returns it; every line read on the way must be free of terminal controls
 * (ESC, BEL, CSI as C1) that a peer could have slipped in. */
static inline char *
cli_read_until (Cli        *cli,
                const char *needle)
{
  for (;;)
    {
      g_autofree char *line = cli_read_line (cli);

      g_assert_nonnull (line);
      g_assert_null (strchr (line, '\x1b'));
      g_assert_null (strchr (line, '\a'));
      g_assert_null (strstr (line, "\xc2\x9b"));
      if (strstr (line, needle) != NULL)
        return g_steal_pointer (&line);
    }
}

/* The next event, NULL at the end of the output. */
static inline JsonObject *
cli_next_event (Cli *cli)
{
  g_autofree char *line = cli_read_line (cli);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (line == NULL)
    return NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static inline const char *
member (JsonObject *event,
        const char *name)
{
  g_assert_true (json_object_has_member (event, name));
  return json_object_get_string_member (event, name);
}

/* An event as a short string to compare; long texts are summed up. */
static inline char *
describe (JsonObject *event)
{
  const char *type = member (event, "event");

  if (g_str_equal (type, "room"))
    return g_strdup ("room");
  if (g_str_equal (type, "paired"))
    return g_strdup_printf ("paired %s %s", member (event, "peer"), member (event, "role"));
  if (g_str_equal (type, "message"))
    {
      const char *text = member (event, "text");

      if (strlen (text) > 100)
        return g_strdup_printf ("message %s (%zu bytes)", member (event, "from"), strlen (text));
      return g_strdup_printf ("message %s %s", member (event, "from"), text);
    }
  if (g_str_equal (type, "relayed"))
    return g_strdup_printf ("relayed %" G_GINT64_FORMAT, json_object_get_int_member (event, "seq"));
  if (g_str_equal (type, "peer-left"))
    return g_strdup_printf ("peer-left %s", member (event, "reason"));
  if (g_str_equal (type, "error"))
    return g_strdup_printf ("error %s", member (event, "code"));
  if (g_str_equal (type, "reconnecting"))
    {
      g_assert_nonnull (member (event, "reason"));
      return g_strdup_printf ("reconnecting %" G_GINT64_FORMAT, json_object_get_int_member (event, "seconds"));
    }
  if (g_str_equal (type, "peer-away"))
    return g_strdup_printf ("peer-away %" G_GINT64_FORMAT, json_object_get_int_member (event, "seconds"));
  if (g_str_equal (type, "held"))
    return g_strdup_printf ("held %" G_GINT64_FORMAT, json_object_get_int_member (event, "seq"));
  if (g_str_equal (type, "resumed") || g_str_equal (type, "peer-back"))
    return g_strdup (type);

  return g_strdup_printf ("unknown %s", type);
}

static inline JsonObject *
expect_event (Cli        *cli,
              const char *expected)
{
  JsonObject *event = cli_next_event (cli);
  g_autofree char *text = NULL;

  g_assert_nonnull (event);
  text = describe (event);
  g_assert_cmpstr (text, ==, expected);
  return event;
}

static inline void
expect (Cli        *cli,
        const char *expected)
{
  json_object_unref (expect_event (cli, expected));
}

static inline int
cli_finish (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = cli_read_line (cli);
  int status;

  g_assert_null (rest);
  cli_close_input (cli);
  g_subprocess_wait (cli->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (cli->process));
  status = g_subprocess_get_exit_status (cli->process);

  g_object_unref (cli->out);
  g_object_unref (cli->process);
  g_free (cli);
  return status;
}

/* Call first in main(): the environment and Ana's and Bo's keys. */
static inline void
test_cli_init (int    *argc,
               char ***argv)
{
  g_autoptr(GError) error = NULL;
  const char * const people[] = { "Ana", "Bo" };

  rc_tls_priority_apply ();
  /* The isolated XDG folders hold no GSettings schemas for the desktop's
   * proxy settings, which GSocketClient would otherwise read. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  identities_dir = g_dir_make_tmp ("roomchat-identities-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.pem", identities_dir, people[i]);
      g_autoptr(RcIdentity) identity = rc_identity_generate (&error);

      g_assert_no_error (error);
      rc_identity_save (identity, path, &error);
      g_assert_no_error (error);
    }
}

static inline void
test_cli_clean_up (void)
{
  test_remove_tree (identities_dir);
  g_clear_pointer (&identities_dir, g_free);
}
