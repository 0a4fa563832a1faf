/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "rc-config.h"

static char *
write_config (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_config_dir (), ".env.json", NULL);

  g_mkdir_with_parents (g_get_user_config_dir (), 0700);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_server_defaults (void)
{
  g_autoptr(RcServerConfig) config = rc_server_config_new ();

  g_assert_cmpstr (config->host_address, ==, "localhost");
  g_assert_cmpuint (config->host_port, ==, 8888);
  g_assert_cmpstr (config->server_name, ==, "RoomChat");
  g_assert_null (config->server_password);
  g_assert_cmpuint (config->max_connections, ==, 10000);
  g_assert_cmpuint (config->max_auth_failures, ==, 3);
  g_assert_cmpuint (config->block_seconds, ==, 300);
  g_assert_cmpuint (config->max_connections_per_ip, ==, 64);
}

static void
test_server_original_file (void)
{
  /* The original RoomChat's .env.json, shared by its server and client. */
  g_autofree char *path = write_config ("{\"HOST_ADDRESS\": \"0.0.0.0\", \"HOST_PORT\": 9000,"
                                        " \"SERVER_PASSWORD\": \"test12345\","
                                        " \"SERVER_NAME\": \"PyChat\", \"USER_NAME\": \"Pablo\"}");
  g_autoptr(RcServerConfig) config = rc_server_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (rc_server_config_load (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->host_address, ==, "0.0.0.0");
  g_assert_cmpuint (config->host_port, ==, 9000);
  g_assert_cmpstr (config->server_password, ==, "test12345");
  g_assert_cmpstr (config->server_name, ==, "PyChat");
  g_assert_cmpstr (config->path, ==, path);
  g_assert_cmpuint (config->block_seconds, ==, 300);
}

static void
test_server_new_keys (void)
{
  g_autofree char *path = write_config ("{\"STATE_DIR\": \"state\", \"TLS_CERT\": \"/etc/c.pem\","
                                        " \"TLS_KEY\": \"k.pem\", \"MAX_CONNECTIONS\": 20,"
                                        " \"MAX_AUTH_FAILURES\": 5, \"BLOCK_SECONDS\": \"60\","
                                        " \"MAX_CONNECTIONS_PER_IP\": 2, \"HOST_PORT\": 0}");
  g_autoptr(RcServerConfig) config = rc_server_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *state = g_build_filename (folder, "state", NULL);
  g_autofree char *key = g_build_filename (folder, "k.pem", NULL);

  g_assert_true (rc_server_config_load (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->state_dir, ==, state);
  g_assert_cmpstr (config->tls_cert, ==, "/etc/c.pem");
  g_assert_cmpstr (config->tls_key, ==, key);
  g_assert_cmpuint (config->max_connections, ==, 20);
  g_assert_cmpuint (config->max_auth_failures, ==, 5);
  g_assert_cmpuint (config->block_seconds, ==, 60);
  g_assert_cmpuint (config->max_connections_per_ip, ==, 2);
  g_assert_cmpuint (config->host_port, ==, 0);
}

static void
test_server_errors (void)
{
  const struct { const char *json; int code; const char *key; } cases[] = {
    { "{\"HOST_PORT\": 70000}", RC_CONFIG_ERROR_OUT_OF_RANGE, "HOST_PORT" },
    { "{\"HOST_PORT\": -1}", RC_CONFIG_ERROR_WRONG_TYPE, "HOST_PORT" },
    { "{\"HOST_PORT\": \"eighty\"}", RC_CONFIG_ERROR_WRONG_TYPE, "HOST_PORT" },
    { "{\"HOST_PORT\": 80.5}", RC_CONFIG_ERROR_WRONG_TYPE, "HOST_PORT" },
    { "{\"SERVER_PASSWORD\": 12345}", RC_CONFIG_ERROR_WRONG_TYPE, "SERVER_PASSWORD" },
    { "{\"SERVER_PASSWORD\": \"\"}", RC_CONFIG_ERROR_OUT_OF_RANGE, "SERVER_PASSWORD" },
    { "{\"MAX_CONNECTIONS\": 0}", RC_CONFIG_ERROR_OUT_OF_RANGE, "MAX_CONNECTIONS" },
    { "{\"BLOCK_SECONDS\": true}", RC_CONFIG_ERROR_WRONG_TYPE, "BLOCK_SECONDS" },
    { "{\"HOST_ADRESS\": \"x\"}", RC_CONFIG_ERROR_UNKNOWN_KEY, "HOST_ADRESS" },
    { "{\"TLS_CERT\": \"c.pem\"}", RC_CONFIG_ERROR_MISSING_KEY, "TLS_KEY" },
    { "[1, 2]", RC_CONFIG_ERROR_INVALID_FILE, NULL },
    { "{\"HOST_PORT\": 8888,", RC_CONFIG_ERROR_INVALID_FILE, NULL },
    /* As strict as a frame: which of two passwords was meant? */
    { "{\"SERVER_PASSWORD\": \"a\", \"SERVER_PASSWORD\": \"b\"}", RC_CONFIG_ERROR_INVALID_FILE, "twice" },
    { "{\"SERVER_PASSWORD\": \"secret\\u0000junk\"}", RC_CONFIG_ERROR_WRONG_TYPE, "SERVER_PASSWORD" },
    { "{\"HOST_PORT\": 08888}", RC_CONFIG_ERROR_INVALID_FILE, NULL },
    { "{\"SERVER_NAME\": \"\\x41\"}", RC_CONFIG_ERROR_INVALID_FILE, NULL },
    { "{\"HOST_PORT\": 1} {}", RC_CONFIG_ERROR_INVALID_FILE, NULL },
    { "{\"\\u0000\": 1}", RC_CONFIG_ERROR_UNKNOWN_KEY, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_config (cases[i].json);
      g_autoptr(RcServerConfig) config = rc_server_config_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (rc_server_config_load (config, path, &error));
      g_assert_error (error, RC_CONFIG_ERROR, cases[i].code);
      /* one line that names the file and the key */
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_null (strchr (error->message, '\n'));
      if (cases[i].key != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].key));
      /* a failed load keeps the defaults of what it did not reach */
      g_assert_cmpuint (config->max_auth_failures, ==, 3);
    }
}

/* No input can take the loader deep: nesting is bounded before anything
 * is read, and a file too large to be a configuration is refused. */
static void
test_server_hostile_files (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"SERVER_NAME\": ");
  g_autoptr(GString) large = g_string_new ("{\"SERVER_NAME\": \"");
  const GString *files[] = { deep, large };

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  while (large->len < 2 * 1024 * 1024)
    g_string_append (large, "aaaaaaaaaaaaaaaa");
  g_string_append (large, "\"}");

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(RcServerConfig) config = rc_server_config_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (rc_server_config_load_data (config, "hostile.json", files[i]->str, files[i]->len, &error));
      g_assert_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_INVALID_FILE);
      g_assert_true (g_str_has_prefix (error->message, "hostile.json: "));
      g_assert_cmpstr (config->server_name, ==, "RoomChat");
    }
}

static void
test_missing_file (void)
{
  g_autoptr(RcServerConfig) config = rc_server_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (rc_server_config_load (config, "/nonexistent/.env.json", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/.env.json"));
}

static void
test_client_file (void)
{
  g_autofree char *path = write_config ("{\"HOST_ADDRESS\": \"chat.example.org\", \"HOST_PORT\": 8888,"
                                        " \"SERVER_PASSWORD\": \"test12345\", \"USER_NAME\": \" Pablo \","
                                        " \"SERVER_NAME\": \"PyChat\", \"MAX_CONNECTIONS\": 5}");
  g_autoptr(RcClientConfig) config = rc_client_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (rc_client_config_load (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->host_address, ==, "chat.example.org");
  g_assert_cmpuint (config->host_port, ==, 8888);
  g_assert_cmpstr (config->server_password, ==, "test12345");
  g_assert_cmpstr (config->user_name, ==, "Pablo");
}

static void
test_client_errors (void)
{
  const struct { const char *json; int code; const char *key; } cases[] = {
    { "{\"USER_NAME\": \"\\t\"}", RC_CONFIG_ERROR_OUT_OF_RANGE, "USER_NAME" },
    { "{\"USER_NAME\": \"abcdefghijklmnopqrstuvwxyz1234567\"}", RC_CONFIG_ERROR_OUT_OF_RANGE, "USER_NAME" },
    { "{\"USER_NAME\": 7}", RC_CONFIG_ERROR_WRONG_TYPE, "USER_NAME" },
    { "{\"HOST_PORT\": 0}", RC_CONFIG_ERROR_OUT_OF_RANGE, "HOST_PORT" },
    { "{\"NICKNAME\": \"x\"}", RC_CONFIG_ERROR_UNKNOWN_KEY, "NICKNAME" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_config (cases[i].json);
      g_autoptr(RcClientConfig) config = rc_client_config_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (rc_client_config_load (config, path, &error));
      g_assert_error (error, RC_CONFIG_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].key));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/config/server/defaults", test_server_defaults);
  g_test_add_func ("/config/server/original-file", test_server_original_file);
  g_test_add_func ("/config/server/new-keys", test_server_new_keys);
  g_test_add_func ("/config/server/errors", test_server_errors);
  g_test_add_func ("/config/server/hostile-files", test_server_hostile_files);
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/client/file", test_client_file);
  g_test_add_func ("/config/client/errors", test_client_errors);

  return g_test_run ();
}
