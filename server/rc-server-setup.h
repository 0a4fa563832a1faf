/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-config.h"
#include "rc-password.h"
#include "rc-server-context.h"
#include "rc-state-dir.h"

G_BEGIN_DECLS

/* The systemd credential (LoadCredential=) that holds the server password,
 * plain or hashed, under $CREDENTIALS_DIRECTORY. */
#define RC_SERVER_PASSWORD_CREDENTIAL "roomchat-password"
#define RC_SERVER_PASSWORD_CREDENTIAL_MAX 4096

/* What the command line says, over the configuration file. */
typedef struct
{
  char     *config_path;
  char     *host;
  int       port;           /* -1: the file's */
  char     *state_dir;
  gboolean  version;
  int       iterations;     /* hash-password */
} RcServerOptions;

void             rc_server_options_clear      (RcServerOptions       *options);

RcServerConfig  *rc_server_setup_config       (const RcServerOptions  *options,
                                               GError                **error);
RcPassword      *rc_server_setup_find_password (const RcServerConfig  *config,
                                                RcStateDir            *state_dir,
                                                gboolean               create,
                                                char                 **origin,
                                                GError               **error);
RcPassword      *rc_server_setup_password     (const RcServerConfig   *config,
                                               RcStateDir             *state_dir,
                                               GError                **error);
GTlsCertificate *rc_server_setup_certificate  (const RcServerConfig   *config,
                                               RcStateDir             *state_dir,
                                               GError                **error);
void             rc_server_setup_test_limits  (RcServerLimits         *limits);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RcServerOptions, rc_server_options_clear)

G_END_DECLS
