/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "rc-state-dir.h"

/* The server's state directory: certificate, password, statistics, blocks,
 * log. The server trusts what it finds there, so it must be the server's
 * own: owned by the user it runs as and writable by nobody else, or
 * another user could have planted it (say under /tmp) with a password or a
 * log file of theirs. Files in it are reached through the directory's
 * descriptor and never through a symbolic link. Writes are atomic (a
 * temporary file renamed over the old one), and flushed to disk when the
 * caller needs that; the temporaries of a write cut short by kill -9 are
 * removed at the next start. A running server holds a lock on
 * server.lock, so that `roomchat-server reset` does not clear files a
 * server is writing. */

#define MAX_FILE_SIZE (256 * 1024 * 1024)
#define TEMP_SUFFIX_LENGTH 7   /* ".XXXXXX" */

static const char * const written_files[] = {
  RC_STATE_STATS_FILE, RC_STATE_IPS_FILE, RC_STATE_BLOCKS_FILE, RC_STATE_PASSWORD_FILE,
  RC_STATE_CERT_FILE, RC_STATE_KEY_FILE,
};

struct _RcStateDir
{
  GObject  parent_instance;

  char    *path;
  int      fd;          /* the directory, O_PATH-like */
  int      lock_fd;     /* -1 until locked */
};

G_DEFINE_FINAL_TYPE (RcStateDir, rc_state_dir, G_TYPE_OBJECT)

static void
rc_state_dir_finalize (GObject *object)
{
  RcStateDir *self = RC_STATE_DIR (object);

  if (self->lock_fd >= 0)
    close (self->lock_fd);
  if (self->fd >= 0)
    close (self->fd);
  g_free (self->path);

  G_OBJECT_CLASS (rc_state_dir_parent_class)->finalize (object);
}

static void
rc_state_dir_class_init (RcStateDirClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_state_dir_finalize;
}

static void
rc_state_dir_init (RcStateDir *self)
{
  self->fd = -1;
  self->lock_fd = -1;
}

static gboolean set_errno_error (GError     **error,
                                 int          saved_errno,
                                 const char  *format,
                                 ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s",
               what, g_strerror (saved_errno));
  return FALSE;
}

/**
 * rc_state_dir_open:
 * @create: make the directory (mode 0700) if it does not exist
 *
 * Opens the state directory after checking that it is the server's own.
 */
RcStateDir *
rc_state_dir_open (const char  *path,
                   gboolean     create,
                   GError     **error)
{
  g_autoptr(RcStateDir) self = NULL;
  struct stat st;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (RC_TYPE_STATE_DIR, NULL);
  self->path = g_strdup (path);

  self->fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (self->fd < 0 && errno == ENOENT && create)
    {
      if (g_mkdir_with_parents (path, 0700) != 0)
        {
          set_errno_error (error, errno, "%s: cannot make the state directory (STATE_DIR)", path);
          return NULL;
        }
      self->fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (self->fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                     "%s: the state directory (STATE_DIR) does not exist", path);
      else
        set_errno_error (error, saved_errno, "%s: cannot open the state directory (STATE_DIR)", path);
      return NULL;
    }

  if (fstat (self->fd, &st) != 0)
    {
      set_errno_error (error, errno, "%s: cannot read the state directory (STATE_DIR)", path);
      return NULL;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   "%s: the state directory (STATE_DIR) belongs to user %u, not to the user this server "
                   "runs as (%u); give the server a directory of its own", path, (guint) st.st_uid,
                   (guint) geteuid ());
      return NULL;
    }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   "%s: the state directory (STATE_DIR) is writable by others (mode %04o); "
                   "run chmod go-w on it", path, (guint) (st.st_mode & 07777));
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
rc_state_dir_get_path (RcStateDir *self)
{
  g_return_val_if_fail (RC_IS_STATE_DIR (self), NULL);

  return self->path;
}

static char *
read_pid (int fd)
{
  char buffer[32] = { 0 };
  ssize_t n = pread (fd, buffer, sizeof buffer - 1, 0);

  if (n <= 0)
    return NULL;
  return g_strstrip (g_strdup (buffer));
}

/**
 * rc_state_dir_lock:
 *
 * Takes the directory for this process until it exits. Fails with
 * %G_IO_ERROR_BUSY when a running server holds it.
 */
gboolean
rc_state_dir_lock (RcStateDir  *self,
                   GError     **error)
{
  g_autofree char *pid = NULL;
  char text[32];
  int fd;

  g_return_val_if_fail (RC_IS_STATE_DIR (self), FALSE);

  if (self->lock_fd >= 0)
    return TRUE;

  fd = openat (self->fd, RC_STATE_LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, "%s: cannot open its lock file", self->path);

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      pid = read_pid (fd);
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "%s: a roomchat-server (process %s) is running with this state directory; stop it first",
                   self->path, pid != NULL && *pid != '\0' ? pid : "?");
      return FALSE;
    }

  g_snprintf (text, sizeof text, "%ld\n", (long) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, text, strlen (text), 0) < 0)
    {
      /* The lock holds without the number; it is only for messages. */
    }
  self->lock_fd = fd;
  return TRUE;
}

/**
 * rc_state_dir_read:
 * @length: (out) (optional)
 *
 * Reads a file of the directory, refusing a symbolic link or anything but
 * a regular file. A missing file is %G_FILE_ERROR_NOENT.
 */
char *
rc_state_dir_read (RcStateDir  *self,
                   const char  *name,
                   gsize       *length,
                   GError     **error)
{
  g_autofree char *path = g_build_filename (self->path, name, NULL);
  g_autofree char *contents = NULL;
  struct stat st;
  gsize filled = 0;
  int fd;

  g_return_val_if_fail (RC_IS_STATE_DIR (self), NULL);

  fd = openat (self->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      if (errno == ELOOP)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                     "%s: is a symbolic link, which the server does not follow in its state directory", path);
      else
        set_errno_error (error, errno, "%s", path);
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > MAX_FILE_SIZE)
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a regular file of the server", path);
      return NULL;
    }

  contents = g_malloc ((gsize) st.st_size + 1);
  while (filled < (gsize) st.st_size)
    {
      ssize_t n = read (fd, contents + filled, (gsize) st.st_size - filled);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          set_errno_error (error, saved_errno, "%s", path);
          return NULL;
        }
      if (n == 0)
        break;
      filled += (gsize) n;
    }
  close (fd);

  contents[filled] = '\0';
  if (length != NULL)
    *length = filled;
  return g_steal_pointer (&contents);
}

static gboolean
write_all (int          fd,
           const char  *contents,
           gsize        length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, contents, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      contents += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/**
 * rc_state_dir_write:
 * @how: %RC_STATE_WRITE_DURABLE to have the new contents on disk when this
 *   returns (two fsync(), which can take long on a busy disk)
 *
 * Replaces a file of the directory atomically: the old contents or the new
 * are there, whatever happens to the process meanwhile.
 */
gboolean
rc_state_dir_write (RcStateDir    *self,
                    const char    *name,
                    const char    *contents,
                    gsize          length,
                    guint          mode,
                    RcStateWrite   how,
                    GError       **error)
{
  g_autofree char *path = NULL;
  char temp[256];
  int fd = -1;
  int saved_errno;

  g_return_val_if_fail (RC_IS_STATE_DIR (self), FALSE);
  g_return_val_if_fail (strlen (name) + TEMP_SUFFIX_LENGTH < sizeof temp, FALSE);

  for (guint attempt = 0; attempt < 16 && fd < 0; attempt++)
    {
      static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
      char suffix[7];

      for (guint i = 0; i < 6; i++)
        suffix[i] = letters[g_random_int_range (0, sizeof letters - 1)];
      suffix[6] = '\0';
      g_snprintf (temp, sizeof temp, "%s.%s", name, suffix);
      fd = openat (self->fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd < 0 && errno != EEXIST)
        break;
    }

  if (fd < 0)
    goto failed;

  if (fchmod (fd, mode) != 0 || !write_all (fd, contents, length) ||
      (how == RC_STATE_WRITE_DURABLE && fsync (fd) != 0))
    {
      saved_errno = errno;
      close (fd);
      unlinkat (self->fd, temp, 0);
      errno = saved_errno;
      goto failed;
    }
  if (close (fd) != 0 || renameat (self->fd, temp, self->fd, name) != 0)
    {
      saved_errno = errno;
      unlinkat (self->fd, temp, 0);
      errno = saved_errno;
      goto failed;
    }

  /* The rename itself, on disk */
  if (how == RC_STATE_WRITE_DURABLE)
    fsync (self->fd);
  return TRUE;

failed:
  saved_errno = errno;
  path = g_build_filename (self->path, name, NULL);
  return set_errno_error (error, saved_errno != 0 ? saved_errno : EIO, "%s: cannot write", path);
}

gboolean
rc_state_dir_remove (RcStateDir  *self,
                     const char  *name,
                     GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (RC_IS_STATE_DIR (self), FALSE);

  if (unlinkat (self->fd, name, 0) == 0 || errno == ENOENT)
    return TRUE;

  path = g_build_filename (self->path, name, NULL);
  return set_errno_error (error, errno, "%s: cannot remove", path);
}

static gboolean
is_temporary (const char *entry)
{
  for (guint i = 0; i < G_N_ELEMENTS (written_files); i++)
    {
      gsize length = strlen (written_files[i]);

      if (strlen (entry) == length + TEMP_SUFFIX_LENGTH &&
          strncmp (entry, written_files[i], length) == 0 && entry[length] == '.')
        return TRUE;
    }
  return FALSE;
}

/* Removes what writes cut short left behind ("blocks.json.Ab12Cd"). */
void
rc_state_dir_remove_stale (RcStateDir *self)
{
  DIR *dir;
  struct dirent *entry;
  int fd;

  g_return_if_fail (RC_IS_STATE_DIR (self));

  fd = openat (self->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }

  while ((entry = readdir (dir)) != NULL)
    if (is_temporary (entry->d_name) && unlinkat (self->fd, entry->d_name, 0) == 0)
      g_info ("Removed %s/%s, left by an interrupted write", self->path, entry->d_name);

  closedir (dir);
}

/* Opens a file of the directory for appending, never through a link. */
int
rc_state_dir_open_append (RcStateDir  *self,
                          const char  *name,
                          GError     **error)
{
  g_autofree char *path = NULL;
  int fd;

  g_return_val_if_fail (RC_IS_STATE_DIR (self), -1);

  fd = openat (self->fd, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;

  path = g_build_filename (self->path, name, NULL);
  set_errno_error (error, errno, "%s: cannot open", path);
  return -1;
}

/* A descriptor of the directory itself, for the caller to keep (and
 * close): the log opens and rotates its file through it. */
int
rc_state_dir_dup_fd (RcStateDir *self)
{
  g_return_val_if_fail (RC_IS_STATE_DIR (self), -1);

  return fcntl (self->fd, F_DUPFD_CLOEXEC, 0);
}
