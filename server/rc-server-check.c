/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <string.h>

#include "rc-certificate.h"
#include "rc-server-check.h"

/* `roomchat-server check-config`: everything a start reads (file, command
 * line, credential, state directory, certificate and key), read the same
 * way, and nothing written: an administrator runs it before a restart or
 * a reload, as `nginx -t` or `prosodyctl check config`. */

static int
fail (const char *message)
{
  g_printerr ("roomchat-server: %s\n", message);
  return 1;
}

static void
print_value (const char *key,
             const char *value)
{
  g_print ("%-24s %s\n", key, value);
}

static void
print_number (const char *key,
              guint       value,
              const char *meaning)
{
  g_autofree char *text = g_strdup_printf ("%u%s%s", value, meaning != NULL ? " " : "",
                                           meaning != NULL ? meaning : "");

  print_value (key, text);
}

/* What the password is and where it comes from, never the password. */
static char *
describe_password (RcPassword *password,
                   const char *origin)
{
  guint iterations;

  if (password == NULL)
    return g_strdup_printf ("(none yet: the first start makes one and keeps it in %s)", origin);

  iterations = rc_password_get_iterations (password);
  if (iterations > 0)
    return g_strdup_printf ("(hidden) a PBKDF2 hash of %u iterations, from %s", iterations, origin);
  return g_strdup_printf ("(hidden) plain text, from %s", origin);
}

/* TLS_CERT and TLS_KEY, or the state directory's certificate when one was
 * made; NULL with @error unset when the first start is still to make it. */
static GTlsCertificate *
load_certificate (const RcServerConfig  *config,
                  RcStateDir            *state_dir,
                  GError               **error)
{
  g_autofree char *cert = NULL;

  if (config->tls_cert != NULL || state_dir == NULL)
    return config->tls_cert != NULL ? rc_server_setup_certificate (config, state_dir, error) : NULL;

  cert = rc_state_dir_read (state_dir, RC_STATE_CERT_FILE, NULL, NULL);
  if (cert == NULL)
    return NULL;
  return rc_server_setup_certificate (config, state_dir, error);
}

int
rc_server_check_config (const RcServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = rc_server_setup_config (options, &error);
  g_autoptr(RcStateDir) state_dir = NULL;
  g_autoptr(RcPassword) password = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *password_text = NULL;
  g_autofree char *state_text = NULL;
  g_autofree char *certificate_text = NULL;
  g_autofree char *fingerprint = NULL;

  if (config == NULL)
    return fail (error->message);

  state_dir = rc_state_dir_open (config->state_dir, FALSE, &error);
  if (state_dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return fail (error->message);
      g_clear_error (&error);
      state_text = g_strdup_printf ("%s (made at the first start)", config->state_dir);
    }

  password = rc_server_setup_find_password (config, state_dir, FALSE, &origin, &error);
  if (password == NULL && error != NULL)
    return fail (error->message);

  certificate = load_certificate (config, state_dir, &error);
  if (certificate == NULL && error != NULL)
    return fail (error->message);
  if (certificate != NULL)
    fingerprint = rc_certificate_fingerprint (certificate);

  if (config->tls_cert != NULL)
    certificate_text = g_strdup_printf ("%s and %s, fingerprint %s", config->tls_cert,
                                        config->tls_key, fingerprint);
  else if (certificate != NULL)
    certificate_text = g_strdup_printf ("self-signed, in %s, fingerprint %s", config->state_dir, fingerprint);
  else
    certificate_text = g_strdup_printf ("(none yet: a self-signed one is made at the first start, in %s)",
                                        config->state_dir);
  password_text = describe_password (password, origin);

  g_print ("Configuration: %s\n\n", config->path != NULL ? config->path : "(no file: the defaults)");
  print_value ("HOST_ADDRESS", config->host_address);
  print_number ("HOST_PORT", config->host_port, config->host_port == 0 ? "(any free port)" : NULL);
  print_value ("SERVER_PASSWORD", password_text);
  print_value ("SERVER_NAME", config->server_name);
  print_value ("STATE_DIR", state_text != NULL ? state_text : config->state_dir);
  print_value ("TLS_CERT, TLS_KEY", certificate_text);
  print_number ("MAX_CONNECTIONS", config->max_connections, NULL);
  print_number ("MAX_CONNECTIONS_PER_IP", config->max_connections_per_ip, NULL);
  print_number ("MAX_AUTH_FAILURES", config->max_auth_failures, NULL);
  print_number ("BLOCK_SECONDS", config->block_seconds, NULL);
  print_number ("RESUME_SECONDS", config->resume_seconds, config->resume_seconds == 0 ? "(no resuming)" : NULL);
  g_print ("\nThe configuration is good.\n");

  return 0;
}
