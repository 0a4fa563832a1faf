/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>

#include "rc-config.h"

/* The configuration loader, as the server and the terminal client read
 * the same file. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(RcServerConfig) server = rc_server_config_new ();
  g_autoptr(RcClientConfig) client = rc_client_config_new ();
  g_autoptr(GError) server_error = NULL;
  g_autoptr(GError) client_error = NULL;

  if (!rc_server_config_load_data (server, "/etc/roomchat.json", (const char *) data, size, &server_error) &&
      server_error == NULL)
    abort ();
  if (!rc_client_config_load_data (client, "/etc/roomchat.json", (const char *) data, size, &client_error) &&
      client_error == NULL)
    abort ();

  return 0;
}
