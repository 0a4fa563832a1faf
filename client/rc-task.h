/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A long operation of the client (opening a connection, connecting a
 * session) ends when its caller's cancellable is cancelled, but from the
 * main loop rather than inside g_cancellable_cancel(), where the caller
 * may hold locks or be half-way through its own state change. */

void rc_task_watch_cancellable   (GTask                  *task,
                                  GCancellable           *cancellable,
                                  GCancellableSourceFunc  cancelled,
                                  gpointer                user_data);
void rc_task_unwatch_cancellable (GTask                  *task);

G_END_DECLS
