/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* docs/protocol.md section 1: TLS 1.3 and nothing older, on both sides. */
#define RC_TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3"

void rc_tls_priority_apply (void);

G_END_DECLS
