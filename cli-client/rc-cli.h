/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-cli-options.h"

G_BEGIN_DECLS

#define RC_TYPE_CLI (rc_cli_get_type ())

G_DECLARE_FINAL_TYPE (RcCli, rc_cli, RC, CLI, GObject)

/* One run of roomchat-cli: a client session driven by standard input,
 * reporting to standard output. */
RcCli *rc_cli_new  (RcCliOptions  *options);
int    rc_cli_run  (RcCli         *self);

/* The whole program, for main.c. */
int    rc_cli_main (int            argc,
                    char         **argv);

G_END_DECLS
