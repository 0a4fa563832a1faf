/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-connection.h"
#include "rc-frame-reader.h"
#include "rc-json.h"
#include "rc-tls-session.h"

G_BEGIN_DECLS

/* One client: its TLS session, its state in the protocol and the locks that
 * let its peer's thread write to it. rc-connection.c has the life of the
 * connection (handshake, frames, closing, writing); rc-connection-hello.c
 * has logging in. */

typedef enum
{
  SERVE_CONTINUE,
  SERVE_CLOSE,          /* close after the error frame, if any */
  SERVE_CLOSE_QUIETLY,  /* the other side is gone: no frame, no linger */
} ServeResult;

struct _RcConnection
{
  GObject            parent_instance;

  /* Set at construction, then immutable. */
  RcServerContext   *context;
  GSocketConnection *socket_connection;
  GSocket           *socket;          /* borrowed from socket_connection */
  char              *address_text;    /* for statistics and logs */
  char              *address_key;     /* for blocks and per-address limits */
  guint64            id;              /* for logs */
  gint64             accepted_at;

  /* The connection's own thread only. tls is set before the connection
   * can be anyone's peer, and kept until it is finalized; name is set at
   * login, before, and read by rooms after. */
  RcTlsSession      *tls;
  GInputStream      *input;           /* RcTlsInputStream over tls */
  RcFrameReader     *reader;
  RcJsonChecker     *checker;
  RcFrame            frame;           /* the frame being handled */
  GString           *out;             /* a relayed message being built; NULL while idle */
  gint64             sent_at_second;
  char               sent_at[24];     /* sent_at_second, as docs/protocol.md 3.3 writes it */
  char              *name;
  gint64             version;         /* set at login, before, and read by rooms after */
  gboolean           resume_only;     /* let in over the limits to resume a seat (3.6) */
  gboolean           authenticated;
  gboolean           admitted;
  gint64             hello_deadline;
  gint64             last_frame;
  double             tokens;
  gint64             tokens_time;

  /* Guards writes to tls, write_closed and the relayed frame waiting to
   * go out. Held across a write, which the socket's timeout bounds. A
   * thread that needs two (a relay: author and peer) takes the one of the
   * lower id first (rc_connection_lock_writes_pair()). */
  GMutex             write_lock;
  gboolean           write_closed;
  char               relayed[96];
  gsize              relayed_length;   /* 0: none waiting */
  gint               relayed_waiting;  /* atomic: relayed_length != 0, for the reader's look without the lock */

  /* Guards room and fd_closed. Leaf lock, never held across I/O. */
  GMutex             state_lock;
  RcRoom            *room;            /* owned; NULL in the lobby */
  gboolean           fd_closed;

  gint               terminating;     /* atomic: the server is shutting down */
};

/* rc-connection-hello.c */
ServeResult _rc_connection_handle_hello (RcConnection  *self,
                                         RcFrame       *frame,
                                         RcFrame      **close_frame);
ServeResult _rc_connection_close_with   (RcConnection     *self,
                                         RcFrame         **close_frame,
                                         RcProtocolError   code);

G_END_DECLS
