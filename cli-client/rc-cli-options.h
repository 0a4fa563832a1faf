/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes of roomchat-cli, as --help and the README list them. */
typedef enum
{
  RC_CLI_EXIT_OK = 0,
  RC_CLI_EXIT_USAGE = 2,      /* usage or configuration */
  RC_CLI_EXIT_CONNECT = 3,    /* cannot connect, TLS, certificate */
  RC_CLI_EXIT_AUTH = 4,       /* wrong password or blocked */
  RC_CLI_EXIT_ROOM = 5,       /* room error */
  RC_CLI_EXIT_SECURITY = 6,   /* the peer or a message failed to verify */
} RcCliExit;

#define RC_CLI_ERROR (rc_cli_error_quark ())

typedef enum
{
  RC_CLI_ERROR_USAGE,
  RC_CLI_ERROR_NO_PASSWORD,
} RcCliError;

/* Everything the command line and the configuration file decide. Strings
 * are owned. */
typedef struct
{
  char     *config_path;   /* the file read, NULL when none */
  char     *host;
  guint16   port;
  char     *name;
  char     *password;      /* NULL until resolved */
  char     *password_source; /* where it came from, for messages */
  gboolean  create;
  char     *join;          /* normalised room id */
  gboolean  batch;
  gboolean  stay;
  gboolean  trust;
  gboolean  version;
} RcCliOptions;

GQuark        rc_cli_error_quark             (void);

RcCliOptions *rc_cli_options_parse           (char         **argv,
                                              GError       **error);
gboolean      rc_cli_options_resolve_password (RcCliOptions *options,
                                              GError       **error);
gboolean      rc_cli_options_password_from_environment (RcCliOptions *options);
gboolean      rc_cli_options_prompt_password (RcCliOptions *options,
                                              GError       **error);
void          rc_cli_options_set_typed_password (RcCliOptions *options,
                                              char          *password);
GError       *rc_cli_options_no_password_error (RcCliOptions *options);
void          rc_cli_options_free            (RcCliOptions  *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcCliOptions, rc_cli_options_free)

G_END_DECLS
