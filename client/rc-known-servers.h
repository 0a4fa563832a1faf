/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The pinned server certificates of docs/protocol.md section 1: one line per
 * server, "HOST:PORT FINGERPRINT", where FINGERPRINT is the SHA-256 of the
 * certificate's DER as "AB:CD:…". Lines starting with "#" are comments. */

char     *rc_known_servers_default_path (void);
char     *rc_known_servers_key          (const char   *host,
                                         guint16       port);
char     *rc_known_servers_lookup       (const char   *path,
                                         const char   *server,
                                         GError      **error);
gboolean  rc_known_servers_pin          (const char   *path,
                                         const char   *server,
                                         const char   *fingerprint,
                                         GError      **error);
char     *rc_known_servers_fingerprint  (GTlsCertificate *certificate);

G_END_DECLS
