/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-protocol"

#include "config.h"

#include "rc-tls-priority.h"

/**
 * rc_tls_priority_apply:
 *
 * Makes every TLS connection GIO opens in this process TLS 1.3 only.
 * glib-networking otherwise allows TLS 1.0 and reads its priority once,
 * when it makes the first TLS connection: call this at the top of main(),
 * before any thread starts.
 */
void
rc_tls_priority_apply (void)
{
  g_setenv ("G_TLS_GNUTLS_PRIORITY", RC_TLS_PRIORITY, TRUE);
}
