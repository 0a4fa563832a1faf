/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-admission.h"
#include "rc-block-list.h"
#include "rc-handshake-pool.h"
#include "rc-password.h"
#include "rc-room-registry.h"
#include "rc-state-writer.h"
#include "rc-statistics.h"
#include "rc-tls-credentials.h"

G_BEGIN_DECLS

/* Times and rates a connection lives by. The defaults are docs/protocol.md's;
 * tests shorten them (docs/protocol.md section 5). */
typedef struct
{
  gint64  hello_timeout;    /* µs from accept to the end of the handshake, and from there to hello */
  gint64  idle_timeout;     /* µs without a frame after hello */
  guint   write_timeout;    /* s a single write may wait for the peer to read */
  gint64  linger;           /* µs to drain input after closing, so the error frame arrives */
  double  frame_rate;       /* frames per second a connection may send, sustained */
  double  frame_burst;      /* and in a burst */
} RcServerLimits;

/* What a connection needs of the server, handed to it when it is accepted
 * and never changed after: a reloaded configuration makes a new context
 * for the connections accepted from then on. The objects in it are shared
 * by every context and do their own locking. */
typedef struct
{
  /* This configuration's */
  RcServerLimits    limits;
  char             *name;           /* SERVER_NAME */
  RcPassword       *password;
  guint             resume_seconds; /* RESUME_SECONDS */

  /* The server's, for its whole life */
  RcTlsCredentials *credentials;
  RcHandshakePool  *handshakes;
  RcRoomRegistry   *registry;
  RcBlockList      *blocks;
  RcAdmission      *admission;
  RcStatistics     *statistics;
  RcStateWriter    *writer;
  GCancellable     *wake;           /* cancelled at shutdown: ends every wait */
  GMainContext     *main_context;   /* the server's: away seats expire there */
} RcServerContext;

void             rc_server_limits_init    (RcServerLimits  *limits);

RcServerContext *rc_server_context_new    (void);
RcServerContext *rc_server_context_copy   (const RcServerContext *context);
RcServerContext *rc_server_context_ref    (RcServerContext *context);
void             rc_server_context_unref  (RcServerContext *context);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcServerContext, rc_server_context_unref)

G_END_DECLS
