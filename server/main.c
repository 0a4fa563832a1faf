/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <locale.h>
#include <glib.h>

#include "rc-server-command.h"
#include "rc-tls-priority.h"

int
main (int    argc,
      char **argv)
{
  /* GLib's messages in the locale's characters (quotes, not "?") */
  setlocale (LC_ALL, "");
  rc_tls_priority_apply ();

  return rc_server_command_run (argc, argv);
}
