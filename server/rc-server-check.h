/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-server-setup.h"

G_BEGIN_DECLS

int rc_server_check_config (const RcServerOptions *options);

G_END_DECLS
