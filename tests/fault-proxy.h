/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A TCP proxy on 127.0.0.1 (port 0) between clients and a server, for
 * tests: it passes bytes on both ways, on the thread-default main context
 * of its creator, until told to fail. TLS goes through it untouched, so
 * it cuts and swallows without reading: a cut "before X" matches bytes
 * only where the test knows what they are (see fault_proxy_cut_on_write). */

typedef enum
{
  FAULT_TO_SERVER,
  FAULT_TO_CLIENT,
} FaultDirection;

typedef struct _FaultProxy FaultProxy;

FaultProxy *fault_proxy_new            (const char     *server_host,
                                        guint16         server_port);
/* The same in a thread of its own, for a test that blocks on what it
 * reads (a roomchat-cli's output): the functions below may be called
 * from the test's thread and return once done in the proxy's. */
FaultProxy *fault_proxy_new_in_thread  (const char     *server_host,
                                        guint16         server_port);
guint16     fault_proxy_get_port       (FaultProxy     *self);

/* Ends every link now, both sockets, with a reset. */
void        fault_proxy_cut_all        (FaultProxy     *self);
/* Ends the client's side of every link and keeps the server's open and
 * silent: the server does not notice the drop until it writes or its
 * idle timeout runs out. */
void        fault_proxy_cut_client_side (FaultProxy    *self);
/* From now on, bytes going @direction are dropped instead of passed on:
 * what a dead network does. Links stay open. */
void        fault_proxy_set_swallow    (FaultProxy     *self,
                                        FaultDirection  direction,
                                        gboolean        swallow);
/* Cuts every link (as fault_proxy_cut_all) the moment the next chunk of
 * bytes going @direction arrives, before passing it on: "the next thing
 * the server writes to the client never arrives". */
void        fault_proxy_cut_on_write   (FaultProxy     *self,
                                        FaultDirection  direction);
/* New connections are refused (closed at once) while @refuse is TRUE. */
void        fault_proxy_set_refuse     (FaultProxy     *self,
                                        gboolean        refuse);
/* Links accepted so far, refused ones included. */
guint       fault_proxy_get_accepted   (FaultProxy     *self);
void        fault_proxy_free           (FaultProxy     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaultProxy, fault_proxy_free)

G_END_DECLS
