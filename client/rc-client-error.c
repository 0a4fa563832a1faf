/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include "rc-client-error.h"

G_DEFINE_QUARK (rc-client-error-quark, rc_client_error)
