/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-connect-page.h"

G_BEGIN_DECLS

/* The first page: where to connect and as whom. It only collects and
 * checks the form and shows errors; the window makes the connection.
 * It also fills in the password remembered for the server in the form,
 * and remembers or forgets it when the window says a login worked. */
struct _RcConnectPage
{
  GtkWidget parent_instance;

  /* owned */
  char *error_text;
  char *attempt_password;            /* the password field when busy began */
  GCancellable *lookup_cancellable;  /* the lookup for the server in the form */
  GCancellable *store_cancellable;   /* saving and forgetting */

  gboolean busy;
  gboolean password_filled;          /* the password field holds what the store gave */
  gboolean filling;                  /* the page itself is setting the password field */
  gboolean connect_after_lookup;     /* connecting waits for the password lookup */

  /* template children */
  GtkImage *logo_image;
  GtkEntry *host_entry;
  GtkEntry *port_entry;
  GtkEntry *name_entry;
  GtkPasswordEntry *password_entry;
  GtkCheckButton *remember_check;
  GtkButton *forget_button;
  GtkBox *error_box;
  GtkLabel *error_label;
  GtkSpinner *spinner;
  GtkButton *connect_button;
};

/* rc-connect-page.c */
void _rc_connect_page_show_error_text  (RcConnectPage  *self,
                                        char           *text,
                                        RcConnectField  field);

/* rc-connect-page-password.c */
void _rc_connect_page_look_up_password (RcConnectPage  *self);
void _rc_connect_page_forget           (RcConnectPage  *self);

G_END_DECLS
