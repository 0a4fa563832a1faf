/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-client-connection.h"
#include "rc-frame-reader.h"

G_BEGIN_DECLS

/* RcClientConnection is split over rc-client-connection.c (the object and
 * opening: TCP, TLS, the pinned certificate) and rc-client-connection-io.c
 * (the open streams: the write queue, the reader loop, keep-alive, and
 * their end).
 *
 * Callbacks of the streams' operations get the connection unowned: every
 * such operation uses @cancellable, which is cancelled before the
 * connection can go away, so a callback that sees CANCELLED returns at
 * once without touching it. */

typedef enum
{
  SIGNAL_CERTIFICATE_UNKNOWN,
  SIGNAL_FRAME_RECEIVED,
  SIGNAL_CLOSED,
  N_SIGNALS
} RcClientConnectionSignal;

extern guint _rc_client_connection_signals[N_SIGNALS];

struct _RcClientConnection
{
  GObject             parent_instance;

  /* Settings, owned */
  char               *host;
  guint16             port;
  char               *known_servers_path;
  gboolean            trust_new_certificates;

  /* The streams, owned. @cancellable is cancelled and replaced when they
   * close. */
  GCancellable       *cancellable;
  GSocketConnection  *tcp;
  GTlsConnection     *tls;
  RcFrameReader      *reader;
  GQueue              write_queue;      /* GBytes lines */
  gsize               queued_bytes;     /* in write_queue, bounded */
  guint               overflow_id;      /* the queue overflowed: fail soon */
  gboolean            overflowed;       /* and so the server stopped reading */
  gboolean            writing;
  gboolean            keep_alive;
  guint               ping_id;
  guint               answer_id;        /* a ping went out: the server must answer */
  gboolean            open;             /* opened and not closed since */

  /* Opening, owned. The task holds a reference on the connection until
   * the open completes. */
  GTask              *open_task;
  char               *certificate_fingerprint;
  char               *pinned_fingerprint;
  gboolean            awaiting_trust;
  gboolean            lost_while_awaiting_trust;
};

/* rc-client-connection.c */
void _rc_client_connection_finish_open   (RcClientConnection *self,
                                          GError             *error);

/* rc-client-connection-io.c */
void _rc_client_connection_start_reading (RcClientConnection *self);
void _rc_client_connection_fail          (RcClientConnection *self,
                                          GError             *error);
void _rc_client_connection_close_streams (RcClientConnection *self);

G_END_DECLS
