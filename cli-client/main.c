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
  /* Standard output carries the chat, and --batch's events: GLib's own
   * messages, debug ones included, go to standard error. */
  g_log_writer_default_set_use_stderr (TRUE);
  rc_tls_priority_apply ();

  return rc_cli_main (argc, argv);
}
