/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <glib.h>

#include "rc-server-command.h"

int
main (int    argc,
      char **argv)
{
  /* TLS 1.3 only; read once, when the first TLS connection is made, so set
   * before any thread starts. glib-networking otherwise allows TLS 1.0. */
  g_setenv ("G_TLS_GNUTLS_PRIORITY", "NORMAL:-VERS-ALL:+VERS-TLS1.3", TRUE);

  return rc_server_command_run (argc, argv);
}
