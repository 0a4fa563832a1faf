/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-known-servers.h"
#include "rc-password-store.h"

/* Over libsecret's password functions only, on purpose: inside Flatpak,
 * libsecret 0.20 and later keep these in a file of the application's
 * own, sealed with a key from the secret portal
 * (org.freedesktop.portal.Secret), so the sandbox needs no hole to the
 * Secret Service (--talk-name=org.freedesktop.secrets). Outside, they go
 * to the Secret Service (GNOME Keyring, KWallet). Every call is
 * asynchronous, on the main loop: the service may be activated or ask to
 * unlock its keyring first. */

/**
 * rc_password_store_get_schema:
 *
 * The schema of RoomChat's passwords: one item per server, found by the
 * host in lower case (DNS names are not case sensitive) and the port.
 */
const SecretSchema *
rc_password_store_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.roomchat.RoomChat.Password",
    SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "port", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { NULL, 0 },
    },
  };

  return &schema;
}

/**
 * rc_password_store_lookup_async:
 *
 * Reads the password remembered for @host and @port.
 */
void
rc_password_store_lookup_async (const char          *host,
                                guint16              port,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *lower = NULL;

  g_return_if_fail (host != NULL && host[0] != '\0');
  g_return_if_fail (port != 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  lower = g_ascii_strdown (host, -1);
  secret_password_lookup (rc_password_store_get_schema (), cancellable, callback, user_data,
                          "host", lower,
                          "port", (int)port,
                          NULL);
}

/**
 * rc_password_store_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the password, or %NULL: with
 *   @error set when the store could not be read, without when nothing is
 *   remembered for that server.
 */
RcStoredPassword *
rc_password_store_lookup_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return secret_password_lookup_finish (result, error);
}

/**
 * rc_password_store_save_async:
 *
 * Remembers @password for @host and @port, in place of the one remembered
 * before, in the default keyring.
 */
void
rc_password_store_save_async (const char          *host,
                              guint16              port,
                              const char          *password,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *lower = NULL;
  g_autofree char *server = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (host != NULL && host[0] != '\0');
  g_return_if_fail (port != 0);
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  lower = g_ascii_strdown (host, -1);
  server = rc_known_servers_key (host, port);
  /* Translators: the name of a password in the keyring (Passwords and
   * Keys); %s is a server as host:port */
  label = g_strdup_printf (_("RoomChat server password for %s"), server);
  secret_password_store (rc_password_store_get_schema (), SECRET_COLLECTION_DEFAULT,
                         label, password, cancellable, callback, user_data,
                         "host", lower,
                         "port", (int)port,
                         NULL);
}

gboolean
rc_password_store_save_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return secret_password_store_finish (result, error);
}

/**
 * rc_password_store_forget_async:
 *
 * Removes the password remembered for @host and @port, if there is one.
 */
void
rc_password_store_forget_async (const char          *host,
                                guint16              port,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *lower = NULL;

  g_return_if_fail (host != NULL && host[0] != '\0');
  g_return_if_fail (port != 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  lower = g_ascii_strdown (host, -1);
  secret_password_clear (rc_password_store_get_schema (), cancellable, callback, user_data,
                         "host", lower,
                         "port", (int)port,
                         NULL);
}

/**
 * rc_password_store_forget_finish:
 *
 * Returns: %TRUE when no password is remembered for the server any more,
 *   including when there was none.
 */
gboolean
rc_password_store_forget_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* FALSE without an error is "there was nothing to remove". */
  if (!secret_password_clear_finish (result, &local_error) && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}
