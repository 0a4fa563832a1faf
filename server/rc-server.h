/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-block-list.h"
#include "rc-password.h"
#include "rc-room-registry.h"
#include "rc-statistics.h"

G_BEGIN_DECLS

/* Times and rates a connection lives by. The defaults are docs/protocol.md's;
 * tests shorten them (rc_server_set_limits()). */
typedef struct
{
  gint64  hello_timeout;    /* µs from accept to the first byte, and from the handshake to hello */
  gint64  idle_timeout;     /* µs without a frame after hello */
  guint   write_timeout;    /* s a single write may wait for the peer to read */
  gint64  linger;           /* µs to drain input after closing, so the error frame arrives */
  double  frame_rate;       /* frames per second a connection may send, sustained */
  double  frame_burst;      /* and in a burst */
} RcServerLimits;

typedef struct
{
  const char      *host;            /* address or name to bind */
  guint            port;            /* 0: the kernel picks */
  const char      *state_dir;
  const char      *server_name;
  guint            max_connections;
  guint            max_connections_per_ip;
  guint            max_auth_failures;
  guint            block_seconds;
  RcPassword      *password;
  GTlsCertificate *certificate;
} RcServerSettings;

#define RC_TYPE_SERVER (rc_server_get_type ())

G_DECLARE_FINAL_TYPE (RcServer, rc_server, RC, SERVER, GThreadedSocketService)

void                  rc_server_default_limits      (RcServerLimits         *limits);

RcServer             *rc_server_new                 (const RcServerSettings *settings,
                                                     const RcServerLimits   *limits);
gboolean              rc_server_start               (RcServer               *self,
                                                     GError                **error);
guint                 rc_server_get_port            (RcServer               *self);
void                  rc_server_begin_shutdown      (RcServer               *self);
guint                 rc_server_count_connections   (RcServer               *self);
void                  rc_server_finish              (RcServer               *self);

/* For connections */
const RcServerLimits *rc_server_get_limits          (RcServer               *self);
const char           *rc_server_get_name            (RcServer               *self);
GTlsCertificate      *rc_server_get_certificate     (RcServer               *self);
RcPassword           *rc_server_get_password        (RcServer               *self);
RcRoomRegistry       *rc_server_get_registry        (RcServer               *self);
RcBlockList          *rc_server_get_block_list      (RcServer               *self);
RcStatistics         *rc_server_get_statistics      (RcServer               *self);
GCancellable         *rc_server_get_wake_cancellable (RcServer             *self);
gboolean              rc_server_begin_handshake     (RcServer               *self,
                                                     gint64                  deadline);
void                  rc_server_end_handshake       (RcServer               *self);
gboolean              rc_server_admit               (RcServer               *self,
                                                     const char             *key);
void                  rc_server_release             (RcServer               *self,
                                                     const char             *key);

G_END_DECLS
