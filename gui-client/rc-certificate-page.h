/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RC_TYPE_CERTIFICATE_PAGE (rc_certificate_page_get_type ())

G_DECLARE_FINAL_TYPE (RcCertificatePage, rc_certificate_page, RC, CERTIFICATE_PAGE, GtkWidget)

GtkWidget *rc_certificate_page_new              (void);
void       rc_certificate_page_set_certificates (RcCertificatePage *self,
                                                 const char        *server,
                                                 const char        *pinned,
                                                 const char        *seen,
                                                 const char        *known_servers_path);
void       rc_certificate_page_focus            (RcCertificatePage *self);

G_END_DECLS
