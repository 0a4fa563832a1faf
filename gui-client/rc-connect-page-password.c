/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-connect-page-private.h"
#include "rc-password-store.h"

/* The connect page's remembered passwords: filled in for the server in
 * the form, forgotten with one click, remembered or forgotten once a
 * login worked (rc-password-store.c keeps them). */

static void
fill_password (RcConnectPage *self,
               const char    *password)
{
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), password);
  self->filling = FALSE;
  self->password_filled = password[0] != '\0';
}

/* Fills in, or takes away, what the store has for the server in the form. */
static void
show_looked_up (RcConnectPage *self,
                const char    *password,
                const GError  *error)
{
  const char *shown;

  gtk_widget_set_visible (GTK_WIDGET (self->forget_button), password != NULL);

  /* No keyring is no reason not to connect: the person types it. */
  if (error != NULL)
    {
      g_debug ("No remembered password: %s", error->message);
      return;
    }

  shown = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  if (password == NULL)
    {
      /* Never offer one server's password to another. */
      if (self->password_filled)
        {
          fill_password (self, "");
          gtk_check_button_set_active (self->remember_check, FALSE);
        }
      return;
    }

  /* What the person typed themselves stays. */
  if (shown[0] == '\0' || self->password_filled || g_str_equal (shown, password))
    {
      if (!g_str_equal (shown, password))
        fill_password (self, password);
      self->password_filled = TRUE;
      gtk_check_button_set_active (self->remember_check, TRUE);
    }
}

static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RcConnectPage *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(RcStoredPassword) password = rc_password_store_lookup_finish (result, &error);

  /* Cancelled by a newer lookup, by Forget, or by dispose: then
   * @user_data may be gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  g_clear_object (&self->lookup_cancellable);

  show_looked_up (self, password, error);

  if (self->connect_after_lookup)
    rc_connect_page_connect (self);
}

/* Looks up the password remembered for the server in the form. */
void
_rc_connect_page_look_up_password (RcConnectPage *self)
{
  const char *host = gtk_editable_get_text (GTK_EDITABLE (self->host_entry));
  guint16 port = rc_connect_page_get_port (self);

  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);

  if (host[0] == '\0' || port == 0)
    return;

  self->lookup_cancellable = g_cancellable_new ();
  rc_password_store_lookup_async (host, port, self->lookup_cancellable,
                                  on_lookup_done, self);
}

static void
on_forget_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RcConnectPage *self;
  g_autoptr(GError) error = NULL;

  /* Cancelled by dispose: then @user_data is gone. */
  if (rc_password_store_forget_finish (result, &error)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;

  gtk_widget_set_visible (GTK_WIDGET (self->forget_button), TRUE);
  _rc_connect_page_show_error_text (self,
                                    /* Translators: %s says why, in the keyring's words */
                                    g_strdup_printf (_("RoomChat could not forget the password: %s. "
                                                       "Try again, or remove it with your desktop’s Passwords and Keys."),
                                                     error->message),
                                    RC_CONNECT_FIELD_NONE);
}

/* The Forget button: one click, no question, since nothing is lost that
 * the person cannot type again. */
void
_rc_connect_page_forget (RcConnectPage *self)
{
  const char *host = gtk_editable_get_text (GTK_EDITABLE (self->host_entry));
  guint16 port = rc_connect_page_get_port (self);

  if (host[0] == '\0' || port == 0)
    return;

  /* A lookup still under way would show Forget again. */
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  /* The focus would be lost with the button. */
  if (gtk_widget_has_focus (GTK_WIDGET (self->forget_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->remember_check));
  gtk_widget_set_visible (GTK_WIDGET (self->forget_button), FALSE);
  gtk_check_button_set_active (self->remember_check, FALSE);
  self->password_filled = FALSE;
  rc_password_store_forget_async (host, port, self->store_cancellable,
                                  on_forget_done, self);
}

/* After a login: the person is in the lobby, the keyring is no reason to
 * stop them, and a keyring that is not there is no mistake of theirs. */
static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rc_password_store_save_finish (result, &error))
    g_debug ("The password was not remembered: %s", error->message);
}

static void
on_forgotten (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rc_password_store_forget_finish (result, &error))
    g_debug ("The remembered password was not forgotten: %s", error->message);
}

gboolean
rc_connect_page_get_remember_password (RcConnectPage *self)
{
  g_return_val_if_fail (RC_IS_CONNECT_PAGE (self), FALSE);

  return gtk_check_button_get_active (self->remember_check);
}

void
rc_connect_page_set_remember_password (RcConnectPage *self,
                                       gboolean       remember)
{
  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  /* ::toggled notifies */
  gtk_check_button_set_active (self->remember_check, !!remember);
}

/**
 * rc_connect_page_login_succeeded:
 * @host: the server the login was to
 * @port: its port
 *
 * Remembers the password of the attempt for the server when the box is
 * ticked, and forgets the one remembered when it is not. The window calls
 * it only once the server took the password: a wrong one is never kept.
 */
void
rc_connect_page_login_succeeded (RcConnectPage *self,
                                 const char    *host,
                                 guint16        port)
{
  g_return_if_fail (RC_IS_CONNECT_PAGE (self));
  g_return_if_fail (host != NULL && host[0] != '\0');
  g_return_if_fail (port != 0);

  if (rc_connect_page_get_remember_password (self)
      && self->attempt_password != NULL && self->attempt_password[0] != '\0')
    rc_password_store_save_async (host, port, self->attempt_password, self->store_cancellable,
                                  on_saved, NULL);
  else
    rc_password_store_forget_async (host, port, self->store_cancellable, on_forgotten, NULL);
}
