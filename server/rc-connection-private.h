/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-connection.h"
#include "rc-frame-reader.h"
#include "rc-room-registry.h"

G_BEGIN_DECLS

/* One client: its TLS stream, its state in the protocol and the locks that
 * let its peer's thread write to it. rc-connection.c has the life of the
 * connection (handshake, reading, closing); rc-connection-rooms.c has the
 * frames of rooms and messages. */

struct _RcConnection
{
  GObject            parent_instance;

  /* Borrowed: the server outlives its connections. */
  RcServer          *server;

  /* Set at construction, then immutable. */
  GSocketConnection *socket_connection;
  GSocket           *socket;          /* borrowed from socket_connection */
  char              *address_text;    /* for statistics and logs */
  char              *address_key;     /* for blocks and per-address limits */
  guint64            id;              /* for logs */
  GCancellable      *cancellable;

  /* The connection's own thread only, its only reader. tls and output are
   * set before the connection can be anyone's peer, and kept until it is
   * finalized. */
  GIOStream         *tls;
  GOutputStream     *output;          /* borrowed from tls */
  GInputStream      *input;           /* RcTimedInputStream over tls */
  RcFrameReader     *reader;
  char              *name;
  gboolean           authenticated;
  gboolean           admitted;
  gint64             hello_deadline;
  gint64             last_frame;
  double             tokens;
  gint64             tokens_time;

  /* Guards writes to output and write_closed: one writer at a time. Held
   * across a write, which the socket timeout bounds, or across the two
   * writes of a relay. Taken after a room's lock, before state_lock. */
  GMutex             write_lock;
  gboolean           write_closed;

  /* Guards room and fd_closed. Leaf lock, never held across I/O. */
  GMutex             state_lock;
  RcRoom            *room;            /* owned; NULL in the lobby */
  gboolean           fd_closed;

  gint               terminating;     /* atomic: the server is shutting down */
};

/* rc-connection.c */
gboolean  rc_connection_write_locked (RcConnection   *self,
                                      const RcFrame  *frame);
gboolean  rc_connection_write_line_locked (RcConnection *self,
                                           const char   *line,
                                           gsize         length);
gboolean  rc_connection_write        (RcConnection   *self,
                                      const RcFrame  *frame);
gboolean  rc_connection_write_error  (RcConnection   *self,
                                      RcProtocolError code);
void      rc_connection_kill         (RcConnection   *self);
RcRoom   *rc_connection_get_room     (RcConnection   *self);
void      rc_connection_set_room     (RcConnection   *self,
                                      RcRoom         *room);

/* rc-connection-rooms.c */
gboolean  rc_connection_create_room  (RcConnection   *self,
                                      RcFrame        *frame);
gboolean  rc_connection_join_room    (RcConnection   *self,
                                      RcFrame        *frame);
gboolean  rc_connection_leave_room   (RcConnection   *self);
gboolean  rc_connection_relay        (RcConnection   *self,
                                      RcFrame        *frame,
                                      gboolean       *relayed);
void      rc_connection_drop_room    (RcConnection   *self);

G_END_DECLS
