/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "rc-server-log.h"

/* Logging: GLib's default writer (journald under systemd, standard error
 * on a terminal), plus the same lines in a log file in the state directory,
 * which `roomchat-server reset` clears as the original's reset did. Lines
 * are appended with one write() each, so threads never interleave. Nothing
 * the server logs holds a password or a message. */

static int log_fd = -1;

static GLogWriterOutput
write_log (GLogLevelFlags   level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  if (log_fd >= 0)
    {
      const char *domain = NULL;

      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
          domain = fields[i].value;

      if (!g_log_writer_default_would_drop (level, domain))
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
          g_autofree char *text = g_log_writer_format_fields (level, fields, n_fields, FALSE);
          g_autofree char *line = g_strdup_printf ("%s %s\n", stamp, text);

          if (write (log_fd, line, strlen (line)) < 0)
            {
              /* A full disk must not stop the server; the default writer
               * still has the line. */
            }
        }
    }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

/**
 * rc_server_log_init:
 * @fd: the log file, open for appending, or -1 for none; taken
 *
 * Installs the server's log writer. Call once, before any thread starts.
 */
void
rc_server_log_init (int fd)
{
  log_fd = fd;

  g_log_set_writer_func (write_log, NULL, NULL);
}

/**
 * rc_server_log_reopen:
 * @fd: the log file, opened anew; taken
 *
 * Points the log at @fd from now on (SIGHUP, after logrotate moved the
 * file away). dup2() replaces the descriptor in one step: a thread writing
 * at that moment writes to the old file or the new one, never elsewhere.
 */
void
rc_server_log_reopen (int fd)
{
  if (log_fd < 0 || fd < 0)
    return;

  if (dup2 (fd, log_fd) < 0)
    g_warning ("Cannot reopen the log file: %s", g_strerror (errno));
  close (fd);
}
