/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-password.h"
#include "rc-server-context.h"
#include "rc-state-dir.h"

G_BEGIN_DECLS

typedef struct
{
  const char      *host;            /* address or name to bind */
  guint            port;            /* 0: the kernel picks */
  RcStateDir      *state_dir;       /* opened, and locked for this server */
  const char      *server_name;
  guint            max_connections;
  guint            max_connections_per_ip;
  guint            max_auth_failures;
  guint            block_seconds;
  guint            resume_seconds;
  RcPassword      *password;
  GTlsCertificate *certificate;     /* rc_server_reconfigure() ignores it */
} RcServerSettings;

#define RC_TYPE_SERVER (rc_server_get_type ())

G_DECLARE_FINAL_TYPE (RcServer, rc_server, RC, SERVER, GThreadedSocketService)

RcServer *rc_server_new                 (const RcServerSettings  *settings,
                                         const RcServerLimits    *limits,
                                         GError                 **error);
gboolean  rc_server_start               (RcServer                *self,
                                         GError                 **error);
guint     rc_server_get_port            (RcServer                *self);
void      rc_server_reconfigure         (RcServer                *self,
                                         const RcServerSettings  *settings);
void      rc_server_begin_shutdown      (RcServer                *self);
guint     rc_server_count_connections   (RcServer                *self);
void      rc_server_log_status          (RcServer                *self);
void      rc_server_finish              (RcServer                *self);

G_END_DECLS
