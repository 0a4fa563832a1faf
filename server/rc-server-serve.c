/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <signal.h>
#include <glib-unix.h>
#include <systemd/sd-daemon.h>

#include "rc-server.h"
#include "rc-server-log.h"
#include "rc-server-serve.h"

/* roomchat-server serving: the server in the main loop, and the signals an
 * administrator sends it. SIGTERM and SIGINT stop it (every client told
 * shutting-down), SIGHUP reloads the configuration and reopens the log,
 * SIGUSR1 logs how it is doing; SIGUSR2 and SIGPIPE end nothing. */

#define SHUTDOWN_WAIT_US (30 * G_TIME_SPAN_SECOND)

typedef struct
{
  const RcServerOptions *options;
  RcServerConfig        *config;      /* the one in force */
  RcStateDir            *state_dir;
  RcServer              *server;
  GMainLoop             *loop;
  gint64                 deadline;
  guint                  wait_id;
} ServeState;

static int
fail (const char *message)
{
  rc_server_log_failure (message);
  return 1;
}

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
on_stop_signal (gpointer data)
{
  ServeState *state = data;

  if (state->wait_id == 0)
    {
      sd_notify (0, "STOPPING=1\nSTATUS=Shutting down: telling every client");
      rc_server_begin_shutdown (state->server);
      state->deadline = g_get_monotonic_time () + SHUTDOWN_WAIT_US;
      state->wait_id = g_timeout_add (20, wait_for_connections, state);
    }

  return G_SOURCE_CONTINUE;
}

static void
fill_settings (RcServerSettings     *settings,
               const RcServerConfig *config,
               RcStateDir           *state_dir,
               RcPassword           *password,
               GTlsCertificate      *certificate)
{
  settings->host = config->host_address;
  settings->port = config->host_port;
  settings->state_dir = state_dir;
  settings->server_name = config->server_name;
  settings->max_connections = config->max_connections;
  settings->max_connections_per_ip = config->max_connections_per_ip;
  settings->max_auth_failures = config->max_auth_failures;
  settings->block_seconds = config->block_seconds;
  settings->resume_seconds = config->resume_seconds;
  settings->password = password;
  settings->certificate = certificate;
}

/* The keys a reload can change, and those only a restart can. */
static void
compare_configs (const RcServerConfig *old,
                 const RcServerConfig *new,
                 GPtrArray            *changed,
                 GPtrArray            *need_restart)
{
#define STRING_KEY(key, member, list) \
  if (g_strcmp0 (old->member, new->member) != 0) g_ptr_array_add (list, (gpointer) key)
#define NUMBER_KEY(key, member, list) \
  if (old->member != new->member) g_ptr_array_add (list, (gpointer) key)

  STRING_KEY ("SERVER_PASSWORD", server_password, changed);
  STRING_KEY ("SERVER_NAME", server_name, changed);
  NUMBER_KEY ("MAX_CONNECTIONS", max_connections, changed);
  NUMBER_KEY ("MAX_CONNECTIONS_PER_IP", max_connections_per_ip, changed);
  NUMBER_KEY ("MAX_AUTH_FAILURES", max_auth_failures, changed);
  NUMBER_KEY ("BLOCK_SECONDS", block_seconds, changed);
  NUMBER_KEY ("RESUME_SECONDS", resume_seconds, changed);

  STRING_KEY ("HOST_ADDRESS", host_address, need_restart);
  NUMBER_KEY ("HOST_PORT", host_port, need_restart);
  STRING_KEY ("STATE_DIR", state_dir, need_restart);
  STRING_KEY ("TLS_CERT", tls_cert, need_restart);
  STRING_KEY ("TLS_KEY", tls_key, need_restart);

#undef STRING_KEY
#undef NUMBER_KEY
}

static char *
join_keys (GPtrArray *keys)
{
  g_ptr_array_add (keys, NULL);
  return g_strjoinv (", ", (char **) keys->pdata);
}

/* SIGHUP. A configuration that does not load changes nothing. */
static void
reload (ServeState *state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcServerConfig) config = NULL;
  g_autoptr(RcPassword) password = NULL;
  g_autoptr(GPtrArray) changed = g_ptr_array_new ();
  g_autoptr(GPtrArray) need_restart = g_ptr_array_new ();
  RcServerSettings settings = { NULL };
  const char *path = state->options->config_path != NULL ? state->options->config_path : "the command line";

  sd_notifyf (0, "RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT, g_get_monotonic_time ());

  /* logrotate moved the log away: a new file under the old name. */
  rc_server_log_reopen ();

  config = rc_server_setup_config (state->options, &error);
  if (config != NULL)
    password = rc_server_setup_password (config, state->state_dir, &error);
  if (password == NULL)
    {
      g_warning ("Reload failed, the configuration stays as it was: %s", error->message);
      sd_notify (0, "READY=1\nSTATUS=Serving; the last reload failed, see the log");
      return;
    }

  compare_configs (state->config, config, changed, need_restart);
  if (need_restart->len > 0)
    {
      g_autofree char *keys = join_keys (need_restart);

      g_warning ("Reload: %s changed in %s; that takes a restart", keys, path);
    }

  fill_settings (&settings, config, state->state_dir, password, NULL);
  rc_server_reconfigure (state->server, &settings);

  if (changed->len > 0)
    {
      g_autofree char *keys = join_keys (changed);

      g_info ("Reloaded %s: %s changed", path, keys);
    }
  else
    g_info ("Reloaded %s: nothing a reload changes is different", path);

  /* The keys that need a restart stay as they run. */
  g_free (config->host_address);
  config->host_address = g_strdup (state->config->host_address);
  config->host_port = state->config->host_port;
  g_free (config->state_dir);
  config->state_dir = g_strdup (state->config->state_dir);
  g_free (config->tls_cert);
  config->tls_cert = g_strdup (state->config->tls_cert);
  g_free (config->tls_key);
  config->tls_key = g_strdup (state->config->tls_key);

  rc_server_config_free (state->config);
  state->config = g_steal_pointer (&config);
  sd_notify (0, "READY=1\nSTATUS=Serving");
}

static gboolean
on_reload_signal (gpointer data)
{
  reload (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_status_signal (gpointer data)
{
  ServeState *state = data;

  rc_server_log_status (state->server);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_unused_signal (gpointer data)
{
  g_info ("SIGUSR2 does nothing here: SIGHUP reloads the configuration, SIGUSR1 logs the status, "
             "SIGTERM stops the server");
  return G_SOURCE_CONTINUE;
}

int
rc_server_serve (const RcServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcPassword) password = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(RcServer) server = NULL;
  g_autoptr(RcStateDir) state_dir = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  RcServerSettings settings = { NULL };
  RcServerLimits limits;
  ServeState state = { options };
  const struct { int number; GSourceFunc handler; } signals[] = {
    { SIGTERM, on_stop_signal },
    { SIGINT, on_stop_signal },
    { SIGHUP, on_reload_signal },
    { SIGUSR1, on_status_signal },
    { SIGUSR2, on_unused_signal },
  };
  guint signal_ids[G_N_ELEMENTS (signals)];
  int status = 0;

  /* A client gone in the middle of a write is that write's error. */
  signal (SIGPIPE, SIG_IGN);

  state.config = rc_server_setup_config (options, &error);
  if (state.config == NULL)
    return fail (error->message);
  state_dir = rc_state_dir_open (state.config->state_dir, TRUE, &error);
  if (state_dir == NULL || !rc_state_dir_lock (state_dir, &error))
    {
      rc_server_config_free (state.config);
      return fail (error->message);
    }
  state.state_dir = state_dir;

  rc_server_log_init (rc_state_dir_dup_fd (state_dir), RC_STATE_LOG_FILE);
  password = rc_server_setup_password (state.config, state_dir, &error);
  if (password != NULL)
    certificate = rc_server_setup_certificate (state.config, state_dir, &error);
  if (certificate != NULL)
    {
      fill_settings (&settings, state.config, state_dir, password, certificate);
      rc_server_limits_init (&limits);
      rc_server_setup_test_limits (&limits);
      server = rc_server_new (&settings, &limits, &error);
    }
  if (server == NULL)
    {
      rc_server_config_free (state.config);
      return fail (error->message);
    }

  loop = g_main_loop_new (NULL, FALSE);
  state.server = server;
  state.loop = loop;
  /* Before the server says it is up: a signal from then on is handled. */
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    signal_ids[i] = g_unix_signal_add (signals[i].number, signals[i].handler, &state);

  if (rc_server_start (server, &error))
    {
      /* systemctl start returns now, with the port open. */
      sd_notifyf (0, "READY=1\nSTATUS=Serving on port %u", rc_server_get_port (server));
      g_main_loop_run (loop);
      rc_server_finish (server);
      g_info ("Stopped");
    }
  else
    status = fail (error->message);

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    g_source_remove (signal_ids[i]);
  rc_server_config_free (state.config);

  return status;
}
