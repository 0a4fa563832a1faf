/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "rc-application.h"
#include "rc-tls-priority.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RcApplication) application = NULL;
  const char *localedir = g_getenv ("ROOMCHAT_LOCALEDIR");

  rc_tls_priority_apply ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = rc_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
