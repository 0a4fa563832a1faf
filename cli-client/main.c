/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <glib.h>

#include "rc-cli.h"

int
main (int    argc,
      char **argv)
{
  /* Read once, when the first TLS connection is made: set before anything
   * else can make one. Only TLS 1.3 is allowed. */
  g_setenv ("G_TLS_GNUTLS_PRIORITY", "NORMAL:-VERS-ALL:+VERS-TLS1.3", TRUE);

  return rc_cli_main (argc, argv);
}
