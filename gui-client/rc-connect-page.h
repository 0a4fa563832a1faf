/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The field of the connect form an error is about. */
typedef enum
{
  RC_CONNECT_FIELD_NONE,
  RC_CONNECT_FIELD_HOST,
  RC_CONNECT_FIELD_PORT,
  RC_CONNECT_FIELD_NAME,
  RC_CONNECT_FIELD_PASSWORD,
} RcConnectField;

#define RC_TYPE_CONNECT_PAGE (rc_connect_page_get_type ())

G_DECLARE_FINAL_TYPE (RcConnectPage, rc_connect_page, RC, CONNECT_PAGE, GtkWidget)

GtkWidget   *rc_connect_page_new            (void);

const char  *rc_connect_page_get_host       (RcConnectPage  *self);
void         rc_connect_page_set_host       (RcConnectPage  *self,
                                             const char     *host);
guint16      rc_connect_page_get_port       (RcConnectPage  *self);
void         rc_connect_page_set_port       (RcConnectPage  *self,
                                             guint16         port);
const char  *rc_connect_page_get_name       (RcConnectPage  *self);
void         rc_connect_page_set_name       (RcConnectPage  *self,
                                             const char     *name);
const char  *rc_connect_page_get_password   (RcConnectPage  *self);
void         rc_connect_page_set_password   (RcConnectPage  *self,
                                             const char     *password);

gboolean     rc_connect_page_get_remember_password (RcConnectPage  *self);
void         rc_connect_page_set_remember_password (RcConnectPage  *self,
                                                    gboolean        remember);
void         rc_connect_page_login_succeeded       (RcConnectPage  *self,
                                                    const char     *host,
                                                    guint16         port);

gboolean     rc_connect_page_get_busy       (RcConnectPage  *self);
void         rc_connect_page_set_busy       (RcConnectPage  *self,
                                             gboolean        busy);

void         rc_connect_page_show_error     (RcConnectPage  *self,
                                             const GError   *error);
void         rc_connect_page_clear_error    (RcConnectPage  *self);
const char  *rc_connect_page_get_error_text (RcConnectPage  *self);
void         rc_connect_page_focus_first    (RcConnectPage  *self);
void         rc_connect_page_connect        (RcConnectPage  *self);

char        *rc_connect_page_describe_error (const GError   *error,
                                             RcConnectField *field);

G_END_DECLS
