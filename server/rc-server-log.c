/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rc-server-log.h"

/* Logging, by level as an administrator reads it: warning for what needs
 * them (a block, a failed start, a file that cannot be written), notice
 * for wrong passwords and refusals, info for the rest (rooms, logins,
 * start, reload, stop), debug for each connection's details, shown only
 * with G_MESSAGES_DEBUG=roomchat-server. Nothing logged holds a password,
 * a token or a message.
 *
 * Under systemd the lines go to the journal, with ROOMCHAT_ADDRESS,
 * ROOMCHAT_ROOM and ROOMCHAT_NAME fields where an event has them
 * (journalctl ROOMCHAT_ADDRESS=192.0.2.7), and nowhere else. Otherwise
 * they go to standard error and to server.log in the state directory,
 * dated, one write() each so threads never interleave; server.log is
 * rotated to server.log.1 when it passes LOG_FILE_LIMIT. */

#define LOG_FILE_LIMIT (10 * 1024 * 1024)

static gboolean to_journal;
static int dir_fd = -1;
static const char *log_name;
static int log_fd = -1;
static atomic_int_fast64_t log_size;  /* bytes in the current file, roughly */
static GMutex rotate_lock;          /* one rotation at a time */

/* Whether standard error is the journal (systemd's JOURNAL_STREAM). */
gboolean
rc_server_log_to_journal (void)
{
  return g_log_writer_is_journald (STDERR_FILENO);
}

static const char *
priority_of (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "3";
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return "4";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "5";
  if (level & G_LOG_LEVEL_INFO)
    return "6";
  return "7";
}

/* Opens the file afresh, moving the full one to NAME.1 first. */
static void
rotate (void)
{
  g_autofree char *old_name = g_strconcat (log_name, ".1", NULL);
  int fd;

  g_mutex_lock (&rotate_lock);
  if (log_fd >= 0 && atomic_load (&log_size) >= LOG_FILE_LIMIT)
    {
      renameat (dir_fd, log_name, dir_fd, old_name);
      fd = openat (dir_fd, log_name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          /* In one step: a write at this moment goes to one file or the
           * other, never to a closed descriptor. */
          dup2 (fd, log_fd);
          close (fd);
        }
      atomic_store (&log_size, 0);
    }
  g_mutex_unlock (&rotate_lock);
}

static void
write_file (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  gsize length;

  if (log_fd < 0)
    return;

  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  text = g_log_writer_format_fields (level, fields, n_fields, FALSE);
  line = g_strdup_printf ("%s %s\n", stamp, text);
  length = strlen (line);

  if (write (log_fd, line, length) < 0)
    {
      /* A full disk must not stop the server; standard error still has
       * the line. */
    }
  if (atomic_fetch_add (&log_size, (int_fast64_t) length) + (int_fast64_t) length >= LOG_FILE_LIMIT)
    rotate ();
}

static GLogWriterOutput
write_log (GLogLevelFlags   level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;

  /* Debug lines only when asked for; info always. */
  if ((level & G_LOG_LEVEL_DEBUG) && g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;

  if (to_journal && g_log_writer_journald (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;

  write_file (level, fields, n_fields);
  {
    g_autofree char *text = g_log_writer_format_fields (level, fields, n_fields, FALSE);

    fprintf (stderr, "%s\n", text);
  }
  return G_LOG_WRITER_HANDLED;
}

/**
 * rc_server_log_init:
 * @dir_fd: the state directory, taken; or -1 for no log file
 * @file_name: the log file's name in it
 *
 * Installs the server's log writer. Call once, before any thread starts.
 * Under the journal no log file is written.
 */
void
rc_server_log_init (int         dir,
                    const char *file_name)
{
  to_journal = rc_server_log_to_journal ();
  log_name = file_name;
  if (dir >= 0 && !to_journal)
    {
      struct stat st;

      dir_fd = dir;
      log_fd = openat (dir_fd, log_name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (log_fd >= 0 && fstat (log_fd, &st) == 0)
        atomic_store (&log_size, st.st_size);
    }
  else if (dir >= 0)
    close (dir);

  g_log_set_writer_func (write_log, NULL, NULL);
}

/**
 * rc_server_log_reopen:
 *
 * Opens the log file again under its name (SIGHUP, after logrotate moved
 * it away). dup2() replaces the descriptor in one step: a thread writing
 * at that moment writes to the old file or the new one, never elsewhere.
 */
void
rc_server_log_reopen (void)
{
  struct stat st;
  int fd;

  if (log_fd < 0)
    return;

  g_mutex_lock (&rotate_lock);
  fd = openat (dir_fd, log_name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || dup2 (fd, log_fd) < 0)
    {
      int saved_errno = errno;

      g_mutex_unlock (&rotate_lock);
      g_warning ("Cannot reopen the log file %s, writing on to the old one: %s", log_name, g_strerror (saved_errno));
      if (fd >= 0)
        close (fd);
      return;
    }
  atomic_store (&log_size, fstat (fd, &st) == 0 ? st.st_size : 0);
  close (fd);
  g_mutex_unlock (&rotate_lock);
}

/**
 * rc_server_log_event:
 * @subject: (nullable): who the event is about, for the journal's fields
 *
 * Logs one event at @level with the fields of @subject.
 */
void
rc_server_log_event (GLogLevelFlags      level,
                     const RcLogSubject *subject,
                     const char         *format,
                     ...)
{
  g_autofree char *message = NULL;
  GLogField fields[6];
  gsize n = 0;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fields[n++] = (GLogField) { "MESSAGE", message, -1 };
  fields[n++] = (GLogField) { "PRIORITY", priority_of (level), -1 };
  fields[n++] = (GLogField) { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 };
  if (subject != NULL && subject->address != NULL)
    fields[n++] = (GLogField) { "ROOMCHAT_ADDRESS", subject->address, -1 };
  if (subject != NULL && subject->room != NULL)
    fields[n++] = (GLogField) { "ROOMCHAT_ROOM", subject->room, -1 };
  if (subject != NULL && subject->name != NULL)
    fields[n++] = (GLogField) { "ROOMCHAT_NAME", subject->name, -1 };

  g_log_structured_array (level, fields, n);
}

/**
 * rc_server_log_failure:
 *
 * A start that failed: one line on standard error, at warning in the
 * journal when standard error is the journal.
 */
void
rc_server_log_failure (const char *message)
{
  if (rc_server_log_to_journal ())
    {
      const GLogField fields[] = {
        { "MESSAGE", message, -1 },
        { "PRIORITY", "4", -1 },
        { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 },
        { "SYSLOG_IDENTIFIER", "roomchat-server", -1 },
      };

      if (g_log_writer_journald (G_LOG_LEVEL_WARNING, fields, G_N_ELEMENTS (fields), NULL) == G_LOG_WRITER_HANDLED)
        return;
    }

  g_printerr ("roomchat-server: %s\n", message);
}
