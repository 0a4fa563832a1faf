/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include "fault-proxy.h"
#include "test-cli-util.h"

/* roomchat-cli processes talking through a real roomchat-server. */

/* Bo in --batch, joining @room. */
static Cli *
spawn_joiner (Fixture    *f,
              const char *room)
{
  const char *bo_args[] = { "--batch", "--join", room, "--trust", NULL };

  return cli_spawn (f, "Bo", TEST_PASSWORD, bo_args);
}

static void
test_chat (Fixture       *f,
           gconstpointer  data)
{
  const char *ana_args[] = { "--batch", "--create", "--stay", "--trust", NULL };
  g_autofree char *longest = NULL;
  g_autofree char *too_long = g_strnfill (RC_MAX_PLAINTEXT_SIZE + 1, 'a');
  g_autofree char *ana_input = NULL;
  g_autofree char *bo_input = NULL;
  g_autofree char *long_event = g_strdup_printf ("message Bo (%d bytes)", RC_MAX_PLAINTEXT_SIZE);
  g_autoptr(JsonObject) room = NULL;
  g_autoptr(JsonObject) ana_paired = NULL;
  g_autoptr(JsonObject) bo_paired = NULL;
  g_autoptr(JsonObject) long_message = NULL;
  g_autoptr(GString) e_acute = g_string_new (NULL);
  Cli *ana;
  Cli *bo;

  /* 16,384 bytes of two-byte characters: the longest message. */
  for (int i = 0; i < RC_MAX_PLAINTEXT_SIZE / 2; i++)
    g_string_append (e_acute, "é");
  longest = g_strdup (e_acute->str);

  ana_input = g_strdup_printf ("Γειά σου! مرحبا\n%s\nשלום, नमस्ते \"quoted\" \\ tab\there\n", too_long);
  bo_input = g_strdup_printf ("Hola, ¿qué tal? Ñandú\n%s\nПоследнее слово — 最后 🙂\n", longest);

  ana = cli_spawn (f, "Ana", TEST_PASSWORD, ana_args);
  cli_write (ana, ana_input);
  cli_close_input (ana);
  room = expect_event (ana, "room");

  bo = spawn_joiner (f, member (room, "room"));
  cli_write (bo, bo_input);
  cli_close_input (bo);

  bo_paired = expect_event (bo, "paired Ana joiner");
  expect (bo, "relayed 0");
  expect (bo, "message Ana Γειά σου! مرحبا");
  expect (bo, "relayed 1");
  expect (bo, "message Ana שלום, नमस्ते \"quoted\" \\ tab\there");
  expect (bo, "relayed 2");
  g_assert_cmpint (cli_finish (bo), ==, 0);

  ana_paired = expect_event (ana, "paired Bo creator");
  g_assert_cmpstr (member (ana_paired, "safety_code"), ==, member (bo_paired, "safety_code"));
  g_assert_cmpint (strlen (member (ana_paired, "safety_code")), ==, 39);
  expect (ana, "message Bo Hola, ¿qué tal? Ñandú");
  expect (ana, "relayed 0");
  long_message = expect_event (ana, long_event);
  g_assert_cmpstr (member (long_message, "text"), ==, longest);
  /* Refused before sending; the chat goes on with the next line. */
  expect (ana, "error message-too-long");
  expect (ana, "relayed 1");
  expect (ana, "message Bo Последнее слово — 最后 🙂");
  expect (ana, "peer-left left");
  g_assert_cmpint (cli_finish (ana), ==, 0);
}

/* Connects, asks for a room nobody has, and so ends with exit status 5
 * after the certificate has been checked or pinned. */
static JsonObject *
run_join_nowhere (Fixture    *f,
                  const char *password,
                  gboolean    trust,
                  int         expected_status,
                  const char *expected_event)
{
  const char *args[] = { "--batch", "--join", "AAAA-AAAA-AAAA", trust ? "--trust" : NULL, NULL };
  Cli *cli = cli_spawn (f, "Ana", password, args);
  JsonObject *event = expect_event (cli, expected_event);

  g_assert_cmpint (cli_finish (cli), ==, expected_status);
  return event;
}

static void
test_no_such_room (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) event = run_join_nowhere (f, TEST_PASSWORD, TRUE, 5, "error no-such-room");

  g_assert_nonnull (strstr (member (event, "message"), "AAAAAAAAAAAA"));
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) event = run_join_nowhere (f, "not the password", TRUE, 4, "error auth-failed");

  g_assert_nonnull (strstr (member (event, "message"), "2 attempts left"));
}

static void
test_blocked (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonObject) last_try = NULL;
  g_autoptr(JsonObject) blocked = NULL;

  json_object_unref (run_join_nowhere (f, "wrong 1", TRUE, 4, "error auth-failed"));
  json_object_unref (run_join_nowhere (f, "wrong 2", TRUE, 4, "error auth-failed"));
  last_try = run_join_nowhere (f, "wrong 3", TRUE, 4, "error auth-failed");
  g_assert_nonnull (strstr (member (last_try, "message"), "blocked"));

  /* Blocked even with the right password, and told for how long. */
  blocked = run_join_nowhere (f, TEST_PASSWORD, TRUE, 4, "error blocked");
  g_assert_nonnull (strstr (member (blocked, "message"), "Try again in 10 minutes"));
}

static char *
pinned_fingerprint (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->folder, "Ana", "roomchat", "known-servers", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *prefix = g_strdup_printf ("127.0.0.1:%u ", f->server->port);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));

  return NULL;
}

static void
test_certificate_changed (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(JsonObject) refused = NULL;
  g_autofree char *pinned = NULL;
  g_autofree char *pinned_after = NULL;
  const char *message;

  json_object_unref (run_join_nowhere (f, TEST_PASSWORD, TRUE, 5, "error no-such-room"));
  pinned = pinned_fingerprint (f);
  g_assert_nonnull (pinned);
  g_assert_cmpint (strlen (pinned), ==, 95);

  /* The same host and port with another certificate. */
  {
    guint port = f->server->port;

    g_clear_pointer (&f->server, test_server_free);
    f->server = start_server (f, "other-state", port);
  }

  refused = run_join_nowhere (f, TEST_PASSWORD, TRUE, 3, "error certificate-changed");
  message = member (refused, "message");
  g_assert_nonnull (strstr (message, pinned));
  g_assert_nonnull (strstr (message, "now:"));
  g_assert_nonnull (strstr (message, "known-servers"));

  /* Nothing changed in the pin. */
  pinned_after = pinned_fingerprint (f);
  g_assert_cmpstr (pinned_after, ==, pinned);
}

static void
test_first_contact_untrusted (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(JsonObject) refused = run_join_nowhere (f, TEST_PASSWORD, FALSE, 3,
                                                    "error certificate-not-trusted");

  g_assert_nonnull (strstr (member (refused, "message"), "--trust"));
  g_assert_null (pinned_fingerprint (f));
}

static void
test_peer_leaves (Fixture       *f,
                  gconstpointer  data)
{
  const char *ana_args[] = { "--batch", "--create", "--trust", NULL };
  g_autoptr(JsonObject) room = NULL;
  Cli *ana;
  Cli *bo;

  /* Ana's input stays open: she is still in the chat when Bo goes. */
  ana = cli_spawn (f, "Ana", TEST_PASSWORD, ana_args);
  room = expect_event (ana, "room");

  bo = spawn_joiner (f, member (room, "room"));
  cli_write (bo, "Me voy, adiós\n");
  cli_close_input (bo);
  expect (bo, "paired Ana joiner");
  expect (bo, "relayed 0");
  g_assert_cmpint (cli_finish (bo), ==, 0);

  expect (ana, "paired Bo creator");
  expect (ana, "message Bo Me voy, adiós");
  expect (ana, "peer-left left");
  g_assert_cmpint (cli_finish (ana), ==, 0);
}

/* Ana's connection is cut while it is Bo's turn: both batch clients say
 * what happens in events, Bo's message waits for her on the server, and
 * every message arrives once. */
static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FaultProxy) proxy = fault_proxy_new_in_thread ("127.0.0.1", (guint16) f->server->port);
  g_autofree char *port = g_strdup_printf ("--port=%u", fault_proxy_get_port (proxy));
  const char *ana_args[] = { "--batch", "--create", "--trust", port, NULL };
  g_autoptr(JsonObject) room = NULL;
  Cli *ana;
  Cli *bo;

  ana = cli_spawn (f, "Ana", TEST_PASSWORD, ana_args);
  room = expect_event (ana, "room");
  bo = spawn_joiner (f, member (room, "room"));
  expect (bo, "paired Ana joiner");
  expect (ana, "paired Bo creator");
  cli_write (bo, "hello\n");
  expect (bo, "relayed 0");
  expect (ana, "message Bo hello");
  cli_write (ana, "hi\n");
  expect (ana, "relayed 0");
  expect (bo, "message Ana hi");

  fault_proxy_set_refuse (proxy, TRUE);
  fault_proxy_cut_all (proxy);
  expect (ana, "reconnecting 60");
  expect (bo, "peer-away 60");
  cli_write (bo, "are you there?\n");
  expect (bo, "held 1");
  fault_proxy_set_refuse (proxy, FALSE);
  expect (ana, "resumed");
  expect (ana, "message Bo are you there?");
  expect (bo, "peer-back");
  expect (bo, "relayed 1");

  cli_write (ana, "yes\n");
  cli_close_input (ana);
  expect (ana, "relayed 1");
  g_assert_cmpint (cli_finish (ana), ==, 0);
  expect (bo, "message Ana yes");
  expect (bo, "peer-left left");
  g_assert_cmpint (cli_finish (bo), ==, 0);
}

/* The room id an interactive creator shows, on a line of its own. */
static char *
cli_read_room (Cli *creator)
{
  for (;;)
    {
      g_autofree char *line = cli_read_line (creator);

      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "    ") && strlen (line) == 4 + 12)
        return g_strdup (line + 4);
    }
}

static void
test_interactive (Fixture       *f,
                  gconstpointer  data)
{
  const char *no_args[] = { NULL };
  g_autofree char *room = NULL;
  g_autofree char *line = NULL;
  gboolean asked = FALSE;
  Cli *ana;
  Cli *bo;

  /* Typed ahead: waits until connected. */
  ana = cli_spawn (f, "Ana", TEST_PASSWORD, no_args);
  cli_write (ana, "/create\n");

  /* The question ends without a new line: read up to its "]". */
  while (!asked)
    {
      g_autoptr(GError) error = NULL;

      g_free (line);
      line = g_data_input_stream_read_upto (ana->out, "]", 1, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_assert_cmpint (g_data_input_stream_read_byte (ana->out, NULL, &error), ==, ']');
      asked = strstr (line, "Trust this server?") != NULL;
    }
  cli_write (ana, "y\n");

  room = cli_read_room (ana);
  bo = spawn_joiner (f, room);
  cli_write (bo, "¿Me oyes?\n");
  cli_close_input (bo);
  expect (bo, "paired Ana joiner");
  expect (bo, "relayed 0");
  g_assert_cmpint (cli_finish (bo), ==, 0);

  for (;;)
    {
      g_free (line);
      line = cli_read_line (ana);
      g_assert_nonnull (line);
      if (strstr (line, "Bo: ¿Me oyes?") != NULL)
        break;
    }

  cli_write (ana, "/quit\n");
  for (;;)
    {
      g_free (line);
      line = cli_read_line (ana);
      if (line == NULL)
        break;
    }
  g_assert_cmpint (cli_finish (ana), ==, 0);
}

/* A peer's message that would clear the screen, set the window title and
 * forge a line of someone else's comes out as visible text on one line. */
static void
test_hostile_text (Fixture       *f,
                   gconstpointer  data)
{
  const char *ana_args[] = { "--create", "--trust", NULL };
  g_autofree char *room = NULL;
  g_autofree char *line = NULL;
  g_autofree char *next = NULL;
  Cli *ana;
  Cli *bo;

  ana = cli_spawn (f, "Ana", TEST_PASSWORD, ana_args);
  room = cli_read_room (ana);
  bo = spawn_joiner (f, room);
  cli_write (bo, "\x1b]0;title\a\x1b[2J\x1b[H[12:00] Ana: send me the code\n");
  cli_write (bo, "bidi \xe2\x80\xae" "txt.exe and C1 \xc2\x9b" "2J\n");
  cli_close_input (bo);
  expect (bo, "paired Ana joiner");
  expect (bo, "relayed 0");

  g_free (line);
  line = cli_read_until (ana, "] Bo: ");
  g_assert_nonnull (strstr (line, "] Bo: \\x1b]0;title\\x07\\x1b[2J\\x1b[H[12:00] Ana: send me the code"));
  cli_write (ana, "Qué?\n");
  expect (bo, "message Ana Qué?");
  expect (bo, "relayed 1");
  g_assert_cmpint (cli_finish (bo), ==, 0);

  next = cli_read_until (ana, "] Bo: bidi");
  g_assert_nonnull (strstr (next, "bidi \\u202etxt.exe and C1 \\u009b2J"));

  cli_close_input (ana);
  while ((line = (g_free (line), cli_read_line (ana))) != NULL)
    g_assert_null (strchr (line, '\x1b'));
  g_assert_cmpint (cli_finish (ana), ==, 0);
}

/* @config_home: $XDG_CONFIG_HOME for the client, NULL for the test's. */
static int
run_plain_in (Fixture            *f,
              const char         *config_home,
              const char * const *args,
              char              **output)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *home = data_home (f, "Ana");

  g_subprocess_launcher_set_cwd (launcher, f->folder);
  g_subprocess_launcher_setenv (launcher, "ROOMCHAT_PASSWORD", TEST_PASSWORD, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  if (config_home != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, args, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static int
run_plain (Fixture            *f,
           const char * const *args,
           char              **output)
{
  return run_plain_in (f, NULL, args, output);
}

/* Without .env.json in the current folder, the settings come from the
 * user's own cli.json; a .env.json, when there is one, comes first. */
static void
test_user_config (Fixture       *f,
                  gconstpointer  data)
{
  const char *args[] = { RC_TEST_CLI_PATH, "--batch", "--join", "AAAA-AAAA-AAAA", "--trust", NULL };
  g_autofree char *config_home = g_build_filename (f->folder, "config", NULL);
  g_autofree char *folder = g_build_filename (config_home, "roomchat", NULL);
  g_autofree char *user_file = g_build_filename (folder, "cli.json", NULL);
  g_autofree char *env_file = g_build_filename (f->folder, ".env.json", NULL);
  g_autofree char *settings = g_strdup_printf ("{\"HOST_ADDRESS\": \"127.0.0.1\", \"HOST_PORT\": %u, "
                                               "\"USER_NAME\": \"Ana\"}", f->server->port);
  g_autofree char *output = NULL;
  g_autofree char *help = NULL;
  g_autoptr(GError) error = NULL;
  const char *help_args[] = { RC_TEST_CLI_PATH, "--help", NULL };

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (user_file, settings, -1, &error);
  g_assert_no_error (error);

  /* The server was reached with the host, port and name of cli.json. */
  g_assert_cmpint (run_plain_in (f, config_home, args, &output), ==, 5);
  g_assert_nonnull (strstr (output, "\"no-such-room\""));
  g_clear_pointer (&output, g_free);

  /* --help names the file as it is here. */
  g_assert_cmpint (run_plain_in (f, config_home, help_args, &help), ==, 0);
  g_assert_nonnull (strstr (help, user_file));

  g_file_set_contents (env_file, "{\"USER_NAME\": \"Ana\", \"COLOUR\": 1}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_plain_in (f, config_home, args, &output), ==, 2);
  g_assert_nonnull (strstr (output, ".env.json"));
  g_assert_nonnull (strstr (output, "COLOUR"));
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  const char *help[] = { RC_TEST_CLI_PATH, "--help", NULL };
  const char *no_room[] = { RC_TEST_CLI_PATH, "--batch", "--name=Ana", NULL };
  const char *both[] = { RC_TEST_CLI_PATH, "--create", "--join=AAAAAAAAAAAA", "--name=Ana", NULL };
  const char *bad_room[] = { RC_TEST_CLI_PATH, "--batch", "--join=AB", "--name=Ana", NULL };
  const char *password_flag[] = { RC_TEST_CLI_PATH, "--password=x", "--name=Ana", NULL };
  const char *with_config[] = { RC_TEST_CLI_PATH, "--batch", "--create", "--config=bad.json", NULL };
  g_autofree char *config = g_build_filename (f->folder, "bad.json", NULL);
  g_autoptr(GError) error = NULL;
  char *output = NULL;

  g_assert_cmpint (run_plain (f, help, &output), ==, 0);
  g_assert_nonnull (strstr (output, "6  security failure"));
  g_assert_nonnull (strstr (output, "ROOMCHAT_PASSWORD"));
  g_clear_pointer (&output, g_free);

  g_assert_cmpint (run_plain (f, no_room, &output), ==, 2);
  g_assert_nonnull (strstr (output, "--create or --join"));
  g_clear_pointer (&output, g_free);

  g_assert_cmpint (run_plain (f, both, &output), ==, 2);
  g_clear_pointer (&output, g_free);

  g_assert_cmpint (run_plain (f, bad_room, &output), ==, 2);
  g_assert_nonnull (strstr (output, "room id"));
  g_clear_pointer (&output, g_free);

  /* The password never comes from the command line. */
  g_assert_cmpint (run_plain (f, password_flag, &output), ==, 2);
  g_clear_pointer (&output, g_free);

  g_file_set_contents (config, "{\"HOST_ADDRESS\": \"127.0.0.1\", \"USER_NAME\": \"Ana\", \"COLOUR\": 1}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_plain (f, with_config, &output), ==, 2);
  g_assert_nonnull (strstr (output, "COLOUR"));
  g_assert_nonnull (strstr (output, "bad.json"));
  g_clear_pointer (&output, g_free);
}

int
main (int    argc,
      char **argv)
{
  int status;

  test_cli_init (&argc, &argv);

  g_test_add ("/cli/chat", Fixture, NULL, fixture_set_up, test_chat, fixture_tear_down);
  g_test_add ("/cli/no-such-room", Fixture, NULL, fixture_set_up, test_no_such_room, fixture_tear_down);
  g_test_add ("/cli/wrong-password", Fixture, NULL, fixture_set_up, test_wrong_password, fixture_tear_down);
  g_test_add ("/cli/blocked", Fixture, NULL, fixture_set_up, test_blocked, fixture_tear_down);
  g_test_add ("/cli/certificate-changed", Fixture, NULL, fixture_set_up,
              test_certificate_changed, fixture_tear_down);
  g_test_add ("/cli/first-contact-untrusted", Fixture, NULL, fixture_set_up,
              test_first_contact_untrusted, fixture_tear_down);
  g_test_add ("/cli/peer-leaves", Fixture, NULL, fixture_set_up, test_peer_leaves, fixture_tear_down);
  g_test_add ("/cli/reconnect", Fixture, NULL, fixture_set_up, test_reconnect, fixture_tear_down);
  g_test_add ("/cli/interactive", Fixture, NULL, fixture_set_up, test_interactive, fixture_tear_down);
  g_test_add ("/cli/hostile-text", Fixture, NULL, fixture_set_up, test_hostile_text, fixture_tear_down);
  g_test_add ("/cli/user-config", Fixture, NULL, fixture_set_up, test_user_config, fixture_tear_down);
  g_test_add ("/cli/usage", Fixture, NULL, fixture_set_up, test_usage, fixture_tear_down);

  status = g_test_run ();
  test_cli_clean_up ();
  return status;
}
