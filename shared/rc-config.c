/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-config"

#include "config.h"

#include <string.h>

#include "rc-config.h"
#include "rc-json.h"
#include "rc-names.h"

/* Reads the .env.json format of the original RoomChat. One file may serve
 * both the server and the terminal client, as it did there, so each program
 * passes over the other's keys; a key neither knows is an error, since it is
 * most likely a typing mistake that would otherwise go unnoticed. */

G_DEFINE_QUARK (rc-config-error-quark, rc_config_error)

typedef enum
{
  KEY_STRING,
  KEY_PATH,      /* a string; relative to the file's folder */
  KEY_NAME,      /* a string under the protocol's name rules */
  KEY_UINT,
} KeyType;

typedef enum
{
  FOR_SERVER = 1 << 0,
  FOR_CLIENT = 1 << 1,
} KeyUsers;

typedef struct
{
  const char *key;
  KeyType     type;
  KeyUsers    users;
  gsize       server_offset;
  gsize       client_offset;
  guint       min;
  guint       max;
} KeySpec;

#define SERVER_FIELD(f) G_STRUCT_OFFSET (RcServerConfig, f)
#define CLIENT_FIELD(f) G_STRUCT_OFFSET (RcClientConfig, f)
#define NO_FIELD 0

static const KeySpec key_specs[] = {
  { "HOST_ADDRESS", KEY_STRING, FOR_SERVER | FOR_CLIENT,
    SERVER_FIELD (host_address), CLIENT_FIELD (host_address), 1, 255 },
  { "HOST_PORT", KEY_UINT, FOR_SERVER | FOR_CLIENT,
    SERVER_FIELD (host_port), CLIENT_FIELD (host_port), 0, 65535 },
  { "SERVER_PASSWORD", KEY_STRING, FOR_SERVER | FOR_CLIENT,
    SERVER_FIELD (server_password), CLIENT_FIELD (server_password), 1, 1024 },
  { "SERVER_NAME", KEY_STRING, FOR_SERVER,
    SERVER_FIELD (server_name), NO_FIELD, 1, 64 },
  { "USER_NAME", KEY_NAME, FOR_CLIENT,
    NO_FIELD, CLIENT_FIELD (user_name), 1, 32 },
  { "STATE_DIR", KEY_PATH, FOR_SERVER,
    SERVER_FIELD (state_dir), NO_FIELD, 1, 4096 },
  { "TLS_CERT", KEY_PATH, FOR_SERVER,
    SERVER_FIELD (tls_cert), NO_FIELD, 1, 4096 },
  { "TLS_KEY", KEY_PATH, FOR_SERVER,
    SERVER_FIELD (tls_key), NO_FIELD, 1, 4096 },
  { "MAX_CONNECTIONS", KEY_UINT, FOR_SERVER,
    SERVER_FIELD (max_connections), NO_FIELD, 1, 1000000 },
  { "MAX_AUTH_FAILURES", KEY_UINT, FOR_SERVER,
    SERVER_FIELD (max_auth_failures), NO_FIELD, 1, 1000 },
  { "BLOCK_SECONDS", KEY_UINT, FOR_SERVER,
    SERVER_FIELD (block_seconds), NO_FIELD, 1, 31536000 },
  { "MAX_CONNECTIONS_PER_IP", KEY_UINT, FOR_SERVER,
    SERVER_FIELD (max_connections_per_ip), NO_FIELD, 1, 1000000 },
  { "RESUME_SECONDS", KEY_UINT, FOR_SERVER,
    SERVER_FIELD (resume_seconds), NO_FIELD, 0, 86400 },
};

static const KeySpec *
find_key (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_specs); i++)
    if (g_str_equal (key, key_specs[i].key))
      return &key_specs[i];

  return NULL;
}

/* Larger than any configuration: a file this big is something else. */
#define MAX_FILE_SIZE (1024 * 1024)

/* Integers may be written as JSON numbers or, as some hand-written files of
 * the original did, as strings of digits. */
static gboolean
read_uint (const RcJsonValue *value,
           guint64           *out)
{
  if (value->kind == RC_JSON_NUMBER)
    {
      gint64 number;

      if (!rc_json_number_get_int64 (value, &number) || number < 0)
        return FALSE;
      *out = (guint64) number;
      return TRUE;
    }

  if (value->kind == RC_JSON_STRING)
    {
      g_autofree char *text = rc_json_string_dup (value, NULL);

      return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, out, NULL);
    }

  return FALSE;
}

static gboolean
apply_key (const KeySpec      *spec,
           const RcJsonValue  *value,
           const char         *path,
           gpointer            field,
           GError            **error)
{
  g_autofree char *text = NULL;
  glong n_chars;

  /* null keeps the default, as an absent key does */
  if (value->kind == RC_JSON_NULL)
    return TRUE;

  if (spec->type == KEY_UINT)
    {
      guint64 number = 0;

      if (!read_uint (value, &number))
        {
          g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_WRONG_TYPE,
                       "%s: %s must be a whole number from %u to %u",
                       path, spec->key, spec->min, spec->max);
          return FALSE;
        }
      if (number < spec->min || number > spec->max)
        {
          g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_OUT_OF_RANGE,
                       "%s: %s is %" G_GUINT64_FORMAT ", but must be from %u to %u",
                       path, spec->key, number, spec->min, spec->max);
          return FALSE;
        }
      *(guint *) field = (guint) number;
      return TRUE;
    }

  if (value->kind != RC_JSON_STRING)
    {
      g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_WRONG_TYPE,
                   "%s: %s must be a string", path, spec->key);
      return FALSE;
    }

  text = rc_json_string_dup (value, NULL);
  if (text == NULL)
    {
      g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_WRONG_TYPE,
                   "%s: %s must not hold a NUL character (\\u0000)", path, spec->key);
      return FALSE;
    }
  n_chars = g_utf8_strlen (text, -1);
  if (n_chars < spec->min || n_chars > spec->max)
    {
      g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_OUT_OF_RANGE,
                   "%s: %s must have %u to %u characters", path, spec->key, spec->min, spec->max);
      return FALSE;
    }

  g_free (*(char **) field);
  *(char **) field = NULL;

  if (spec->type == KEY_NAME)
    {
      char *name = rc_name_normalize (text, NULL);

      if (name == NULL)
        {
          g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_OUT_OF_RANGE,
                       "%s: %s must have 1 to %d characters and no control characters",
                       path, spec->key, RC_NAME_MAX_CHARS);
          return FALSE;
        }
      *(char **) field = name;
    }
  else if (spec->type == KEY_PATH && !g_path_is_absolute (text))
    {
      g_autofree char *folder = g_path_get_dirname (path);

      *(char **) field = g_build_filename (folder, text, NULL);
    }
  else
    {
      *(char **) field = g_steal_pointer (&text);
    }

  return TRUE;
}

/* What no single key can say: for the server, both halves of the
 * certificate or neither; for a client, a port to connect to. A file
 * that passes becomes the configuration's path. */
static gboolean
finish_load (gpointer     config,
             KeyUsers     user,
             const char  *path,
             GError     **error)
{
  if (user == FOR_SERVER)
    {
      RcServerConfig *server = config;

      if ((server->tls_cert == NULL) != (server->tls_key == NULL))
        {
          g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_MISSING_KEY,
                       "%s: %s is set without %s", path,
                       server->tls_cert != NULL ? "TLS_CERT" : "TLS_KEY",
                       server->tls_cert != NULL ? "TLS_KEY" : "TLS_CERT");
          return FALSE;
        }
      g_free (server->path);
      server->path = g_strdup (path);
    }
  else
    {
      RcClientConfig *client = config;

      if (client->host_port == 0)
        {
          g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_OUT_OF_RANGE,
                       "%s: HOST_PORT is 0, but must be from 1 to 65535", path);
          return FALSE;
        }
      g_free (client->path);
      client->path = g_strdup (path);
    }

  return TRUE;
}

/* The configuration is JSON as strict as a frame's (rc-json.h): a key
 * written twice is an error rather than a guess at which one was meant. */
static gboolean
load_data (gpointer     config,
           KeyUsers     user,
           const char  *path,
           const char  *contents,
           gsize        length,
           GError     **error)
{
  g_autoptr(RcJsonChecker) checker = rc_json_checker_new ();
  g_autoptr(GError) local_error = NULL;
  RcJsonValue object;
  RcJsonValue name;
  RcJsonValue value;
  RcJsonIter iter;

  if (length > MAX_FILE_SIZE)
    {
      g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_INVALID_FILE,
                   "%s: not a configuration: larger than %d bytes", path, MAX_FILE_SIZE);
      return FALSE;
    }

  if (!rc_json_checker_check_object (checker, contents, length, &object, &local_error))
    {
      if (g_error_matches (local_error, RC_JSON_ERROR, RC_JSON_ERROR_NOT_OBJECT))
        g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_INVALID_FILE,
                     "%s: the configuration must be a JSON object", path);
      else if (g_error_matches (local_error, RC_JSON_ERROR, RC_JSON_ERROR_DUPLICATE))
        g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_INVALID_FILE,
                     "%s: a key is written twice: keep only the one you mean", path);
      else
        g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_INVALID_FILE,
                     "%s: not valid JSON: %s", path, local_error->message);
      return FALSE;
    }

  rc_json_iter_init (&iter, &object);
  while (rc_json_iter_next (&iter, &name, &value))
    {
      g_autofree char *key = rc_json_string_dup (&name, NULL);
      const KeySpec *spec = key != NULL ? find_key (key) : NULL;
      gsize offset;

      if (spec == NULL)
        {
          g_autofree char *shown = key != NULL ? g_strescape (key, NULL) : g_strdup ("with a NUL character");

          g_set_error (error, RC_CONFIG_ERROR, RC_CONFIG_ERROR_UNKNOWN_KEY,
                       "%s: unknown key %s", path, shown);
          return FALSE;
        }

      if ((spec->users & user) == 0)
        continue;

      offset = user == FOR_SERVER ? spec->server_offset : spec->client_offset;
      if (!apply_key (spec, &value, path, G_STRUCT_MEMBER_P (config, offset), error))
        return FALSE;
    }

  return finish_load (config, user, path, error);
}

static gboolean
load_file (gpointer     config,
           KeyUsers     user,
           const char  *path,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      const char *reason = local_error->message;

      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        reason = "no such file";
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
        reason = "permission denied";
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ISDIR))
        reason = "it is a folder";

      g_set_error (error, local_error->domain, local_error->code,
                   "%s: cannot read the configuration: %s", path, reason);
      return FALSE;
    }

  return load_data (config, user, path, contents, length, error);
}

RcServerConfig *
rc_server_config_new (void)
{
  RcServerConfig *config = g_new0 (RcServerConfig, 1);

  config->host_address = g_strdup (RC_DEFAULT_HOST);
  config->host_port = RC_DEFAULT_PORT;
  config->server_name = g_strdup ("RoomChat");
  config->max_connections = 10000;
  config->max_auth_failures = 3;
  config->block_seconds = 300;
  config->max_connections_per_ip = 64;
  config->resume_seconds = 60;

  return config;
}

/**
 * rc_server_config_load:
 *
 * Reads @path over the values @config holds. Each error is one line that
 * names the file and the key.
 */
gboolean
rc_server_config_load (RcServerConfig  *config,
                       const char      *path,
                       GError         **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return load_file (config, FOR_SERVER, path, error);
}

/**
 * rc_server_config_load_data:
 * @path: where @data came from, for messages and relative paths
 *
 * rc_server_config_load() for contents already read.
 */
gboolean
rc_server_config_load_data (RcServerConfig  *config,
                            const char      *path,
                            const char      *data,
                            gsize            length,
                            GError         **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return load_data (config, FOR_SERVER, path, data, length, error);
}

void
rc_server_config_free (RcServerConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->path);
  g_free (config->host_address);
  g_free (config->server_password);
  g_free (config->server_name);
  g_free (config->state_dir);
  g_free (config->tls_cert);
  g_free (config->tls_key);
  g_free (config);
}

RcClientConfig *
rc_client_config_new (void)
{
  RcClientConfig *config = g_new0 (RcClientConfig, 1);

  config->host_address = g_strdup (RC_DEFAULT_HOST);
  config->host_port = RC_DEFAULT_PORT;

  return config;
}

gboolean
rc_client_config_load (RcClientConfig  *config,
                       const char      *path,
                       GError         **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return load_file (config, FOR_CLIENT, path, error);
}

gboolean
rc_client_config_load_data (RcClientConfig  *config,
                            const char      *path,
                            const char      *data,
                            gsize            length,
                            GError         **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return load_data (config, FOR_CLIENT, path, data, length, error);
}

void
rc_client_config_free (RcClientConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->path);
  g_free (config->host_address);
  g_free (config->server_password);
  g_free (config->user_name);
  g_free (config);
}
