/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <glib.h>

#include "rc-cli.h"
#include "rc-tls-priority.h"

int
main (int    argc,
      char **argv)
{
  rc_tls_priority_apply ();

  return rc_cli_main (argc, argv);
}
