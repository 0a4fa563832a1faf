/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-bench"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>

#include "rc-tls-priority.h"

/* The floor of roomchat-bench: what GIO's threaded socket service and
 * glib-networking's TLS cost by themselves. Each connection says a room
 * key on its first line; two connections with the same key are paired
 * (both read "paired"), and from then on every line one sends is written
 * to the other as it is, under the receiver's write lock. No JSON, no
 * rules: roomchat-server at its best costs this plus what the protocol
 * needs.
 *
 *   roomchat-bench-floor CERT KEY        (listens on 127.0.0.1, port 0)
 */

#define BUFFER_SIZE (64 * 1024)

typedef struct
{
  GIOStream *tls;
  GMutex     write_lock;
} Peer;

static GMutex pairing_lock;
static GCond pairing_cond;
static GHashTable *waiting;       /* room key -> Peer*, guarded by pairing_lock */
static GTlsCertificate *certificate;

static gboolean
write_line (Peer       *peer,
            const char *data,
            gsize       length)
{
  gboolean ok;

  g_mutex_lock (&peer->write_lock);
  ok = g_output_stream_write_all (g_io_stream_get_output_stream (peer->tls), data, length, NULL, NULL, NULL);
  g_mutex_unlock (&peer->write_lock);
  return ok;
}

/* Waits for the other connection with the same key; returns it. */
static Peer *
pair (Peer       *self,
      const char *key)
{
  Peer *other;

  g_mutex_lock (&pairing_lock);
  other = g_hash_table_lookup (waiting, key);
  if (other != NULL)
    {
      g_hash_table_replace (waiting, g_strdup (key), self);   /* tells the waiter who came */
      g_cond_broadcast (&pairing_cond);
    }
  else
    {
      g_hash_table_insert (waiting, g_strdup (key), self);
      while ((other = g_hash_table_lookup (waiting, key)) == self)
        g_cond_wait (&pairing_cond, &pairing_lock);
      g_hash_table_remove (waiting, key);
    }
  g_mutex_unlock (&pairing_lock);
  return other;
}

static gboolean
run (GThreadedSocketService *service,
     GSocketConnection      *connection,
     GObject                *source,
     gpointer                user_data)
{
  g_autofree char *buffer = g_malloc (BUFFER_SIZE);
  GInputStream *input;
  Peer self = { NULL };
  Peer *other = NULL;
  gsize length = 0;

  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  self.tls = g_initable_new (g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()),
                             NULL, NULL,
                             "base-io-stream", connection,
                             "certificate", certificate,
                             "database", NULL,
                             NULL);
  if (self.tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (self.tls), NULL, NULL))
    {
      g_clear_object (&self.tls);
      return TRUE;
    }
  g_mutex_init (&self.write_lock);
  input = g_io_stream_get_input_stream (self.tls);

  for (;;)
    {
      gssize n = g_input_stream_read (input, buffer + length, BUFFER_SIZE - length, NULL, NULL);
      char *newline;

      if (n <= 0)
        break;
      length += (gsize) n;

      if (other == NULL && (newline = memchr (buffer, '\n', length)) != NULL)
        {
          *newline = '\0';
          other = pair (&self, buffer);
          write_line (&self, "paired\n", 7);
          length -= (gsize) (newline + 1 - buffer);
          memmove (buffer, newline + 1, length);
        }

      if (other != NULL && (newline = memrchr (buffer, '\n', length)) != NULL)
        {
          gsize whole = (gsize) (newline + 1 - buffer);

          if (!write_line (other, buffer, whole))
            break;
          length -= whole;
          memmove (buffer, buffer + whole, length);
        }
      if (length == BUFFER_SIZE)
        break;
    }

  /* The peer may still be writing to this one: let it finish. */
  g_mutex_lock (&self.write_lock);
  g_io_stream_close (self.tls, NULL, NULL);
  g_mutex_unlock (&self.write_lock);
  g_usleep (G_USEC_PER_SEC);
  g_object_unref (self.tls);
  g_mutex_clear (&self.write_lock);
  return TRUE;
}

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;

  rc_tls_priority_apply ();

  if (argc != 3)
    {
      g_printerr ("usage: roomchat-bench-floor CERT KEY\n");
      return 2;
    }
  certificate = g_tls_certificate_new_from_files (argv[1], argv[2], &error);
  if (certificate == NULL)
    {
      g_printerr ("roomchat-bench-floor: %s\n", error->message);
      return 1;
    }
  waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  service = g_threaded_socket_service_new (-1);
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 1024);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error))
    {
      g_printerr ("roomchat-bench-floor: %s\n", error->message);
      return 1;
    }
  g_signal_connect (service, "run", G_CALLBACK (run), NULL);
  g_printerr ("Listening on 127.0.0.1 port %u\n",
              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit, loop);
  g_unix_signal_add (SIGINT, quit, loop);
  g_socket_service_start (service);
  g_main_loop_run (loop);

  /* Handler threads may still run: leave without tearing them down. */
  _exit (0);
}
