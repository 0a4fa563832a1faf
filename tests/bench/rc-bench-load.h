/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The load generator of roomchat-bench: one thread, epoll and GnuTLS,
 * so that the generator costs far less per message than the server it
 * measures. It speaks just enough of the protocol to log in, pair up and
 * relay messages; against roomchat-bench-floor it speaks the floor's
 * line protocol instead (a room key, then lines relayed verbatim). */

typedef struct
{
  const char *host;
  guint       port;
  gboolean    floor;          /* the server is roomchat-bench-floor */
  const char *password;
  guint       clients;        /* even: clients / 2 rooms */
  guint       payload;        /* ciphertext bytes per message (before base64) */
  guint       pace_ms;        /* 0: answer at once (closed loop); else after this long */
  guint       window;         /* connections being set up at once */
} RcBenchLoadOptions;

typedef struct
{
  guint   connected;          /* logged in (roomchat) or paired (floor) */
  double  setup_seconds;      /* from the first connect to the last login */
  guint64 messages;           /* delivered during the measurement */
  double  seconds;            /* length of the measurement */
  double  p50_ms;
  double  p99_ms;
  double  max_ms;
  guint   stalled_rooms;      /* rooms that went a second or more without a delivery */
  guint   failures;           /* connections that failed */
} RcBenchLoadResult;

typedef struct _RcBenchLoad RcBenchLoad;

RcBenchLoad *rc_bench_load_new      (const RcBenchLoadOptions  *options);
gboolean     rc_bench_load_connect  (RcBenchLoad               *self,
                                     RcBenchLoadResult         *result,
                                     GError                   **error);
gboolean     rc_bench_load_pair     (RcBenchLoad               *self,
                                     GError                   **error);
void         rc_bench_load_run      (RcBenchLoad               *self,
                                     double                     warmup_seconds,
                                     double                     seconds,
                                     void                     (*measure_cb) (gboolean start,
                                                                             gpointer user_data),
                                     gpointer                   user_data,
                                     RcBenchLoadResult         *result);
void         rc_bench_load_free     (RcBenchLoad               *self);

G_END_DECLS
