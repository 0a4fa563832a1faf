/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "rc-certificate.h"
#include "rc-server-setup.h"

/* What a start (and a reload) reads: the configuration, the password and
 * the certificate, each failure in one line that names the file. */

void
rc_server_options_clear (RcServerOptions *options)
{
  g_clear_pointer (&options->config_path, g_free);
  g_clear_pointer (&options->host, g_free);
  g_clear_pointer (&options->state_dir, g_free);
}

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

/**
 * rc_server_setup_config:
 *
 * Reads the configuration file, if any, and lays the command line over it.
 */
RcServerConfig *
rc_server_setup_config (const RcServerOptions  *options,
                        GError                **error)
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

/* A password anyone on the machine can read, or a hash quick to crack,
 * is the administrator's to fix: said at every start and reload. */
static void
warn_about_password_at_rest (const RcServerConfig *config,
                             RcPassword           *password)
{
  guint iterations = rc_password_get_iterations (password);
  GStatBuf st;

  if (iterations == 0 && config->path != NULL && g_stat (config->path, &st) == 0 &&
      (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
    g_warning ("%s holds SERVER_PASSWORD in plain text and other users can read it: "
               "make the file readable by the server alone (chmod 600), or put there "
               "the hash `roomchat-server hash-password` prints", config->path);
  else if (iterations > 0 && iterations < RC_PASSWORD_WEAK_ITERATIONS)
    g_warning ("%s: the SERVER_PASSWORD hash has %u PBKDF2 iterations, which is quick to crack: "
               "make a new one with `roomchat-server hash-password` (%u by default)",
               config->path != NULL ? config->path : "--config", iterations, RC_PASSWORD_DEFAULT_ITERATIONS);
}

/* systemd's LoadCredential= puts the secret in a file of its own, so the
 * configuration needs none; NULL without error when there is no credential. */
static char *
read_password_credential (char   **out_path,
                          GError **error)
{
  const char *directory = g_getenv ("CREDENTIALS_DIRECTORY");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  if (directory == NULL || *directory == '\0')
    return NULL;

  path = g_build_filename (directory, RC_SERVER_PASSWORD_CREDENTIAL, NULL);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "credential %s: ",
                                  RC_SERVER_PASSWORD_CREDENTIAL);
      return NULL;
    }

  if (length > RC_SERVER_PASSWORD_CREDENTIAL_MAX || memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: a password or a `roomchat-server hash-password` hash is expected "
                   "(one line of text)", path);
      return NULL;
    }

  g_strchomp (contents);
  *out_path = g_steal_pointer (&path);
  return g_steal_pointer (&contents);
}

static RcPassword *
password_new_from (const char  *text,
                   const char  *origin,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  RcPassword *result = rc_password_new (text, &local_error);

  if (result == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", origin, local_error->message);
  return result;
}

/**
 * rc_server_setup_find_password:
 * @state_dir: (nullable): the state directory, NULL when it does not exist yet
 * @create: make and keep a password when none is configured or kept
 * @origin: (out): where the password comes from, in words
 *
 * The roomchat-password credential, SERVER_PASSWORD, or the password kept
 * in the state directory since a first start without either, in that order.
 * Without @create and without a password, returns NULL and no error.
 */
RcPassword *
rc_server_setup_find_password (const RcServerConfig  *config,
                               RcStateDir            *state_dir,
                               gboolean               create,
                               char                 **origin,
                               GError               **error)
{
  const char *config_path = config->path != NULL ? config->path : "--config";
  g_autofree char *path = NULL;
  g_autofree char *password = NULL;
  g_autofree char *credential_path = NULL;
  g_autofree char *credential = NULL;
  g_autoptr(GError) local_error = NULL;
  RcPassword *result;

  credential = read_password_credential (&credential_path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (credential != NULL)
    {
      if (config->server_password != NULL)
        g_info ("Using the password of the credential %s; SERVER_PASSWORD in %s is not used",
                credential_path, config_path);
      result = password_new_from (credential, credential_path, error);
      explicit_bzero (credential, strlen (credential));
      if (result != NULL && rc_password_get_iterations (result) > 0 &&
          rc_password_get_iterations (result) < RC_PASSWORD_WEAK_ITERATIONS)
        g_warning ("%s: the hash has %u PBKDF2 iterations, which is quick to crack: "
                   "make a new one with `roomchat-server hash-password` (%u by default)",
                   credential_path, rc_password_get_iterations (result), RC_PASSWORD_DEFAULT_ITERATIONS);
      *origin = g_strdup_printf ("the credential %s", credential_path);
      return result;
    }

  if (config->server_password != NULL)
    {
      result = password_new_from (config->server_password, config_path, error);
      if (result != NULL)
        warn_about_password_at_rest (config, result);
      *origin = g_strdup_printf ("SERVER_PASSWORD in %s", config_path);
      return result;
    }

  path = g_build_filename (config->state_dir, RC_STATE_PASSWORD_FILE, NULL);
  *origin = g_strdup (path);
  if (state_dir != NULL)
    password = rc_state_dir_read (state_dir, RC_STATE_PASSWORD_FILE, NULL, &local_error);
  if (password != NULL)
    {
      g_strstrip (password);
      if (create)
        g_info ("No SERVER_PASSWORD is configured: using the one kept in %s", path);
    }
  else if (local_error != NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  else if (!create)
    return NULL;
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

/**
 * rc_server_setup_password:
 *
 * The password a start uses (see rc_server_setup_find_password()), made
 * and kept when none is configured.
 */
RcPassword *
rc_server_setup_password (const RcServerConfig  *config,
                          RcStateDir            *state_dir,
                          GError               **error)
{
  g_autofree char *origin = NULL;

  return rc_server_setup_find_password (config, state_dir, TRUE, &origin, error);
}

/**
 * rc_server_setup_certificate:
 *
 * TLS_CERT and TLS_KEY, or the self-signed certificate of the state
 * directory, made at the first start.
 */
GTlsCertificate *
rc_server_setup_certificate (const RcServerConfig  *config,
                             RcStateDir            *state_dir,
                             GError               **error)
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

/**
 * rc_server_setup_test_limits:
 *
 * Test-only: the suite shortens the protocol's timeouts through these
 * variables so that it never waits 10 or 90 seconds.
 */
void
rc_server_setup_test_limits (RcServerLimits *limits)
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
