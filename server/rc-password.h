/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The iterations `roomchat-server hash-password` uses unless told
 * otherwise: OWASP's figure for PBKDF2-HMAC-SHA-256 (2023). A configured
 * hash of fewer than RC_PASSWORD_WEAK_ITERATIONS gets a warning at start. */
#define RC_PASSWORD_DEFAULT_ITERATIONS 600000
#define RC_PASSWORD_WEAK_ITERATIONS 100000

#define RC_TYPE_PASSWORD (rc_password_get_type ())

G_DECLARE_FINAL_TYPE (RcPassword, rc_password, RC, PASSWORD, GObject)

RcPassword *rc_password_new       (const char  *configured,
                                   GError     **error);
guint       rc_password_get_iterations (RcPassword *self);
gboolean    rc_password_check     (RcPassword  *self,
                                   const char  *candidate);
char       *rc_password_hash      (const char  *password,
                                   guint        iterations,
                                   GError     **error);
char       *rc_password_generate  (void);

G_END_DECLS
