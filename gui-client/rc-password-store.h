/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* Server passwords the person asked RoomChat to remember, one per
 * host:port, in the Secret Service; never in GSettings or a file of ours. */

/* A password read from the store: freed with secret_password_free(),
 * which wipes it first. */
typedef char RcStoredPassword;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcStoredPassword, secret_password_free)

const SecretSchema *rc_password_store_get_schema    (void);

void                rc_password_store_lookup_async  (const char           *host,
                                                     guint16               port,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
RcStoredPassword   *rc_password_store_lookup_finish (GAsyncResult         *result,
                                                     GError              **error);

void                rc_password_store_save_async    (const char           *host,
                                                     guint16               port,
                                                     const char           *password,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean            rc_password_store_save_finish   (GAsyncResult         *result,
                                                     GError              **error);

void                rc_password_store_forget_async  (const char           *host,
                                                     guint16               port,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean            rc_password_store_forget_finish (GAsyncResult         *result,
                                                     GError              **error);

G_END_DECLS
