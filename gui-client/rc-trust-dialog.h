/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_TRUST_DIALOG (rc_trust_dialog_get_type ())

G_DECLARE_FINAL_TYPE (RcTrustDialog, rc_trust_dialog, RC, TRUST_DIALOG, GtkWindow)

RcTrustDialog *rc_trust_dialog_new (GtkWindow  *parent,
                                    const char *server,
                                    const char *fingerprint);

G_END_DECLS
