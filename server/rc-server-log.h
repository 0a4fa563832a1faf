/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RC_LOG_FILE "server.log"

void rc_server_log_init (const char *path);

G_END_DECLS
