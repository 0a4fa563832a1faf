/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void rc_server_log_init   (int fd);
void rc_server_log_reopen (int fd);

G_END_DECLS
