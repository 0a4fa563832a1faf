/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <sched.h>
#include <signal.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "server-helpers.h"

/* Helpers of the integration tests: they start the real roomchat-server
 * binary, for the server's own tests and for the clients', and talk to it
 * over real TLS. */

#define START_TIMEOUT_US (60 * G_TIME_SPAN_SECOND)
#define STOP_TIMEOUT_US (60 * G_TIME_SPAN_SECOND)
#define CLIENT_TIMEOUT_S 60

/* The keys every test server has, unless its extra configuration sets
 * them itself (a key may appear once in a configuration). */
static void
append_default (GString    *config,
                const char *extra,
                const char *key,
                const char *value)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", key);

  if (extra == NULL || strstr (extra, quoted) == NULL)
    g_string_append_printf (config, "%s  %s: %s", config->len > 2 ? ",\n" : "", quoted, value);
}

static void
write_config (TestServer *server)
{
  g_autoptr(GString) config = g_string_new ("{\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", server->listen_port);
  g_autofree char *host = g_strdup_printf ("\"%s\"", server->host);
  g_autofree char *state_dir = g_strdup_printf ("\"%s\"", server->state_dir);
  const char *extra = server->extra_config;

  append_default (config, extra, "HOST_ADDRESS", host);
  append_default (config, extra, "HOST_PORT", port);
  append_default (config, extra, "SERVER_PASSWORD", "\"" TEST_PASSWORD "\"");
  append_default (config, extra, "SERVER_NAME", "\"Test server\"");
  append_default (config, extra, "STATE_DIR", state_dir);
  if (extra != NULL)
    g_string_append_printf (config, ",\n  %s", extra);
  g_string_append (config, "\n}\n");

  /* Readable by the server alone, as a plain password wants. */
  g_file_set_contents_full (server->config_path, config->str, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
}

/* Replaces the extra configuration and writes the file again, for a
 * reload to read. */
void
test_server_rewrite_config (TestServer *server,
                            const char *extra_config)
{
  g_free (server->extra_config);
  server->extra_config = g_strdup (extra_config);
  write_config (server);
}

/* Takes @dir, @state_dir, @config_path and @log_path. */
static TestServer *
server_new (char       *dir,
            char       *state_dir,
            char       *config_path,
            char       *log_path,
            const char *extra_config)
{
  TestServer *server = g_new0 (TestServer, 1);

  server->dir = dir;
  server->state_dir = state_dir;
  server->config_path = config_path;
  server->log_path = log_path;
  server->extra_config = g_strdup (extra_config);
  server->host = g_strdup ("127.0.0.1");
  server->env = g_ptr_array_new_with_free_func (g_free);
  server->cpu = -1;

  write_config (server);
  return server;
}

/**
 * test_server_new:
 * @extra_config: (nullable): more members of the configuration, JSON text
 *   such as "\"MAX_CONNECTIONS\": 2"
 *
 * A server of the server's own tests, in a temporary directory of its own
 * that goes with it.
 */
TestServer *
test_server_new (const char *extra_config)
{
  TestServer *server;
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("roomchat-server-test-XXXXXX", &error);

  g_assert_no_error (error);
  server = server_new (dir,
                       g_build_filename (dir, "state", NULL),
                       g_build_filename (dir, "config.json", NULL),
                       g_build_filename (dir, "stderr.log", NULL),
                       extra_config);
  server->own_dir = TRUE;

  /* Short enough for tests; the protocol's own are 10 s and 90 s. */
  test_server_setenv (server, "ROOMCHAT_SERVER_TEST_LINGER_MS", "200");

  return server;
}

/**
 * test_server_new_in:
 * @folder: the test's folder, where the configuration, the state folder
 *   and the log go; the test removes it
 * @state_name: the state folder's name inside @folder; another name gives
 *   another certificate
 * @extra_config: (nullable): as for test_server_new()
 *
 * A server of the client tests: the protocol's own linger, and its log
 * copied into the test's log when it stops, since a client's failure is
 * often explained on the server's side.
 */
TestServer *
test_server_new_in (const char *folder,
                    const char *state_name,
                    const char *extra_config)
{
  TestServer *server;
  g_autofree char *config_name = g_strdup_printf ("server-%s.json", state_name);
  g_autofree char *log_name = g_strdup_printf ("server-%s.log", state_name);

  server = server_new (g_strdup (folder),
                       g_build_filename (folder, state_name, NULL),
                       g_build_filename (folder, config_name, NULL),
                       g_build_filename (folder, log_name, NULL),
                       extra_config);
  server->echo_log = TRUE;
  g_assert_cmpint (g_mkdir_with_parents (server->state_dir, 0700), ==, 0);

  return server;
}

void
test_server_setenv (TestServer *server,
                    const char *key,
                    const char *value)
{
  g_ptr_array_add (server->env, g_strdup_printf ("%s=%s", key, value));
}

/**
 * test_server_add_env:
 * @env: (nullable): %NULL-terminated "NAME=value" strings, e.g. the
 *   test-only limits of docs/protocol.md section 5
 */
void
test_server_add_env (TestServer         *server,
                     const char * const *env)
{
  for (const char * const *entry = env; entry != NULL && *entry != NULL; entry++)
    {
      g_assert_nonnull (strchr (*entry, '='));
      g_ptr_array_add (server->env, g_strdup (*entry));
    }
}

/* Finds "Listening on ... port N" in what the server logged. */
static guint
find_port (const char *log)
{
  const char *line = log;

  while ((line = strstr (line, "Listening on ")) != NULL)
    {
      const char *port = strstr (line, " port ");
      const char *end = strchr (line, '\n');

      if (port != NULL && (end == NULL || port < end))
        return (guint) g_ascii_strtoull (port + strlen (" port "), NULL, 10);
      line++;
    }

  return 0;
}

/* A test that crashes must not leave its server behind. */
static void
set_up_child (gpointer user_data)
{
  int cpu = GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (cpu >= 0)
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      CPU_SET (cpu, &set);
      sched_setaffinity (0, sizeof set, &set);
    }
}

void
test_server_start (TestServer *server)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  g_assert_null (server->process);

  write_config (server);
  g_unlink (server->log_path);

  /* Its standard output would mix with the TAP stream; its log, on
   * standard error, is where the port is read. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_stderr_file_path (launcher, server->log_path);
  /* The server logs blocks and failed writes at warning level on purpose;
   * only criticals (a programmer's mistake) abort it in the tests. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, set_up_child, GINT_TO_POINTER (server->cpu), NULL);
  for (guint i = 0; i < server->env->len; i++)
    {
      g_auto(GStrv) pair = g_strsplit (g_ptr_array_index (server->env, i), "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }

  /* ROOMCHAT_TEST_SERVER_WRAPPER ("valgrind --tool=massif", "strace -f")
   * runs the server under a tool, by hand. */
  {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_auto(GStrv) argv = NULL;
    const char *wrapper = g_getenv ("ROOMCHAT_TEST_SERVER_WRAPPER");

    if (wrapper != NULL && *wrapper != '\0')
      {
        g_auto(GStrv) words = g_strsplit (wrapper, " ", -1);

        for (guint i = 0; words[i] != NULL; i++)
          if (*words[i] != '\0')
            g_strv_builder_add (builder, words[i]);
      }
    g_strv_builder_add_many (builder, ROOMCHAT_SERVER_PATH, "--config", server->config_path, NULL);
    argv = g_strv_builder_end (builder);
    server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  }
  g_assert_no_error (error);

  server->port = 0;
  while (server->port == 0)
    {
      g_autofree char *log = NULL;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (g_subprocess_get_identifier (server->process) == NULL)
        {
          g_autofree char *text = test_server_read_log (server);

          g_error ("roomchat-server stopped at start: %s", text);
        }

      if (g_file_get_contents (server->log_path, &log, NULL, NULL))
        server->port = find_port (log);
      if (server->port == 0)
        g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Waits, bounded, for the process to end. */
static void
wait_process (TestServer *server)
{
  gint64 deadline = g_get_monotonic_time () + STOP_TIMEOUT_US;
  gboolean done = FALSE;

  g_subprocess_wait_async (server->process, NULL, wait_done, &done);
  while (!done)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (server->process);
          g_error ("roomchat-server did not stop in time");
        }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
echo_log (TestServer *server)
{
  g_autofree char *log = test_server_read_log (server);

  g_printerr ("%s", log);
}

/* SIGTERM, then the process must exit 0 (under the sanitizers, that also
 * means no leak and no race was found). */
void
test_server_stop (TestServer *server)
{
  gboolean clean;

  g_assert_nonnull (server->process);

  g_subprocess_send_signal (server->process, SIGTERM);
  wait_process (server);

  clean = g_subprocess_get_if_exited (server->process) && g_subprocess_get_exit_status (server->process) == 0;
  if (!clean || server->echo_log)
    echo_log (server);
  if (!clean)
    g_error ("roomchat-server did not exit 0 after SIGTERM");

  g_clear_object (&server->process);
}

void
test_server_kill (TestServer *server)
{
  g_assert_nonnull (server->process);

  g_subprocess_force_exit (server->process);
  wait_process (server);
  if (server->echo_log)
    echo_log (server);
  g_clear_object (&server->process);
}

/* Removes a test's temporary folder and everything in it; a symbolic
 * link goes, not what it points to. */
void
test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        test_remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

void
test_server_free (TestServer *server)
{
  if (server == NULL)
    return;

  if (server->process != NULL)
    test_server_stop (server);

  /* A folder given by the test is the test's to remove. */
  if (server->own_dir && g_getenv ("ROOMCHAT_TEST_KEEP") == NULL)
    test_remove_tree (server->dir);
  else if (server->own_dir)
    g_printerr ("Kept %s\n", server->dir);
  g_free (server->dir);
  g_free (server->state_dir);
  g_free (server->config_path);
  g_free (server->log_path);
  g_free (server->extra_config);
  g_free (server->host);
  g_ptr_array_unref (server->env);
  g_free (server);
}

/* Returns: (transfer full) (nullable): the JSON object in the state
 * directory's @file */
JsonObject *
test_server_read_json (TestServer *server,
                       const char *file)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = g_build_filename (server->state_dir, file, NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, &error))
    return NULL;

  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

char *
test_server_read_log (TestServer *server)
{
  char *log = NULL;

  g_file_get_contents (server->log_path, &log, NULL, NULL);
  return log != NULL ? log : g_strdup ("");
}

/* Waits, bounded, until the log holds @needle @count times or more;
 * returns the log. */
char *
test_server_wait_for_log (TestServer *server,
                          const char *needle,
                          guint       count)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  while (TRUE)
    {
      g_autofree char *log = test_server_read_log (server);
      guint found = 0;

      for (const char *p = strstr (log, needle); p != NULL; p = strstr (p + 1, needle))
        found++;
      if (found >= count)
        return g_steal_pointer (&log);
      if (g_get_monotonic_time () > deadline)
        g_error ("The server's log never showed \"%s\" %u times:\n%s", needle, count, log);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

/* Returns: (transfer full): the certificate's fingerprint as the server
 * logs it once it is up, the way a client shows it. Waits, bounded, for
 * that line, which comes just after the port's. */
char *
test_server_get_fingerprint (TestServer *server)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  g_assert_nonnull (server->process);

  while (TRUE)
    {
      g_autofree char *log = test_server_read_log (server);
      const char *found = strstr (log, "fingerprint ");

      /* Only a whole line: the server may be writing it. */
      if (found != NULL && strchr (found, '\n') != NULL)
        {
          found += strlen ("fingerprint ");
          return g_strstrip (g_strndup (found, strcspn (found, "\n")));
        }

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

/* Waits (bounded) until stats.json shows @member = @value. */
gboolean
test_server_wait_for_stat (TestServer *server,
                           const char *member,
                           gint64      value)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonObject) stats = test_server_read_json (server, "stats.json");

      if (stats != NULL && json_object_has_member (stats, member) &&
          json_object_get_int_member (stats, member) == value)
        return TRUE;
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }

  return FALSE;
}

/* Clients ----------------------------------------------------------------- */

GSocketConnection *
test_connect_tcp (const char *host,
                  guint       port)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_timeout (socket_client, CLIENT_TIMEOUT_S);
  connection = g_socket_client_connect_to_host (socket_client, host, (guint16) port, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), CLIENT_TIMEOUT_S);

  return connection;
}

static gboolean
accept_any_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

TestClient *
test_client_new (const char *host,
                 guint       port)
{
  TestClient *client = g_new0 (TestClient, 1);
  g_autoptr(GError) error = NULL;

  client->connection = test_connect_tcp (host, port);
  client->tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                                NULL, &error,
                                "base-io-stream", client->connection,
                                "database", NULL,
                                NULL);
  g_assert_no_error (error);
  g_signal_connect (client->tls, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);

  g_tls_connection_handshake (G_TLS_CONNECTION (client->tls), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (client->tls)), ==,
                   G_TLS_PROTOCOL_VERSION_TLS_1_3);

  client->reader = rc_frame_reader_new (g_io_stream_get_input_stream (client->tls));
  client->output = g_io_stream_get_output_stream (client->tls);
  return client;
}

TestClient *
test_client_new_for_server (TestServer *server)
{
  return test_client_new (server->host, server->port);
}

/* Connects and authenticates as @name. */
TestClient *
test_client_hello (TestServer *server,
                   const char *name)
{
  TestClient *client = test_client_new_for_server (server);
  g_autoptr(RcFrame) hello = test_frame_hello (name, TEST_PASSWORD, 1);
  g_autoptr(RcFrame) welcome = NULL;

  test_client_send (client, hello);
  welcome = test_client_expect (client, RC_FRAME_WELCOME);
  g_assert_cmpint (welcome->version, ==, 1);
  g_assert_cmpstr (welcome->server, ==, "Test server");

  return client;
}

void
test_client_send_line (TestClient *client,
                       const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *with_newline = g_strconcat (line, "\n", NULL);

  g_output_stream_write_all (client->output, with_newline, strlen (with_newline), NULL, NULL, &error);
  g_assert_no_error (error);
}

void
test_client_send (TestClient    *client,
                  const RcFrame *frame)
{
  g_autoptr(GError) error = NULL;

  rc_frame_write (client->output, frame, NULL, &error);
  g_assert_no_error (error);
}

/* Reads one frame; the test fails if none comes. */
RcFrame *
test_client_read (TestClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;
  RcFrame *frame;

  line = rc_frame_reader_read (client->reader, &length, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  frame = rc_frame_parse (line, length, &error);
  g_assert_no_error (error);
  return frame;
}

RcFrame *
test_client_expect (TestClient  *client,
                    RcFrameType  type)
{
  RcFrame *frame = test_client_read (client);

  if (frame->type != type)
    g_error ("Expected a %s frame, got %s (%s)", rc_frame_type_to_string (type),
             frame->type_name, frame->code_name != NULL ? frame->code_name : "");
  return frame;
}

RcFrame *
test_client_expect_error (TestClient      *client,
                          RcProtocolError  code)
{
  RcFrame *frame = test_client_expect (client, RC_FRAME_ERROR);

  g_assert_cmpstr (frame->code_name, ==, rc_protocol_error_to_code (code));
  g_assert_nonnull (frame->message);
  return frame;
}

/* The server closed the TLS session cleanly: end of stream, no error. */
void
test_client_expect_closed (TestClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = rc_frame_reader_read (client->reader, NULL, NULL, &error);
  if (line != NULL)
    g_error ("Expected the end of the connection, got %s", line);
  g_assert_no_error (error);
}

void
test_client_free (TestClient *client)
{
  if (client == NULL)
    return;

  g_clear_object (&client->reader);
  if (client->tls != NULL)
    g_io_stream_close (client->tls, NULL, NULL);
  g_clear_object (&client->tls);
  g_clear_object (&client->connection);
  g_free (client);
}

/* Frames ------------------------------------------------------------------ */

RcFrame *
test_frame_hello (const char *name,
                  const char *password,
                  gint64      version)
{
  RcFrame *frame = rc_frame_new (RC_FRAME_HELLO);

  frame->version = version;
  frame->name = g_strdup (name);
  frame->password = g_strdup (password);
  return frame;
}

/* The server relays key material without reading it: any bytes of the
 * right shape do. */
static void
fill_keys (RcKeyMaterial *keys,
           guint8         marker)
{
  guint8 identity[64];
  guint8 ephemeral[32];
  guint8 signature[48];

  memset (identity, marker, sizeof identity);
  memset (ephemeral, marker + 1, sizeof ephemeral);
  memset (signature, marker + 2, sizeof signature);
  keys->identity = g_bytes_new (identity, sizeof identity);
  keys->ephemeral = g_bytes_new (ephemeral, sizeof ephemeral);
  keys->signature = g_bytes_new (signature, sizeof signature);
}

RcFrame *
test_frame_create (void)
{
  RcFrame *frame = rc_frame_new (RC_FRAME_CREATE);

  fill_keys (&frame->keys, 0x10);
  return frame;
}

RcFrame *
test_frame_join (const char *room)
{
  RcFrame *frame = rc_frame_new (RC_FRAME_JOIN);

  frame->room = g_strdup (room);
  fill_keys (&frame->keys, 0x20);
  return frame;
}

RcFrame *
test_frame_message (gint64 seq,
                    gsize  size)
{
  RcFrame *frame = rc_frame_new (RC_FRAME_MESSAGE);
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + (gsize) seq);
  frame->seq = seq;
  frame->ciphertext = g_bytes_new_take (data, size);
  return frame;
}

char *
test_pair (TestServer  *server,
           TestClient **creator,
           TestClient **joiner)
{
  g_autoptr(RcFrame) create = test_frame_create ();
  g_autoptr(RcFrame) created = NULL;
  g_autoptr(RcFrame) join = NULL;
  g_autoptr(RcFrame) paired_creator = NULL;
  g_autoptr(RcFrame) paired_joiner = NULL;

  *creator = test_client_hello (server, "Ana");
  *joiner = test_client_hello (server, "Pablo");

  test_client_send (*creator, create);
  created = test_client_expect (*creator, RC_FRAME_CREATED);

  join = test_frame_join (created->room);
  test_client_send (*joiner, join);
  paired_creator = test_client_expect (*creator, RC_FRAME_PAIRED);
  paired_joiner = test_client_expect (*joiner, RC_FRAME_PAIRED);
  g_assert_false (paired_creator->your_turn);
  g_assert_true (paired_joiner->your_turn);

  return g_strdup (created->room);
}

void
test_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}
