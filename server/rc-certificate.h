/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-state-dir.h"

G_BEGIN_DECLS

GTlsCertificate *rc_certificate_load           (const char       *cert_path,
                                                const char       *key_path,
                                                GError          **error);
GTlsCertificate *rc_certificate_load_or_create (RcStateDir       *dir,
                                                const char       *common_name,
                                                GError          **error);
char            *rc_certificate_fingerprint    (GTlsCertificate  *certificate);

G_END_DECLS
