/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include "rc-state-writer.h"
#include "rc-tsan.h"

/* The one thread that writes the state directory's live files: stats.json
 * and ips.json (the statistics) and blocks.json (the block list). It looks
 * at its sources a few times a second and writes what changed, so every
 * change is on disk within a second, and stats.json at least every minute
 * (uptime-seconds). A connection that must not answer before a change is
 * on disk (a wrong password, a block) asks for a write and waits: every
 * such request waiting when a write starts is served by it, so a burst of
 * them costs one write. No lock a relay or a hello takes is held while a
 * file is built or written; the sources are asked for their contents
 * under their own short locks. */

#define LOOK_US (250 * G_TIME_SPAN_MILLISECOND)
#define MIN_INTERVAL_US (750 * G_TIME_SPAN_MILLISECOND)
#define HEARTBEAT_US (60 * G_TIME_SPAN_SECOND)
#define WARN_INTERVAL_US (60 * G_TIME_SPAN_SECOND)

struct _RcStateWriter
{
  GObject       parent_instance;

  /* Immutable after construction */
  RcStateDir   *dir;
  RcStatistics *statistics;
  RcBlockList  *blocks;

  /* Guards everything below. Leaf lock, never held while writing. */
  GMutex        lock;
  GCond         wake;        /* the thread: a request or quit */
  GCond         done;        /* the waiters: a write finished */
  GThread      *thread;
  gboolean      quit;
  guint64       requested;   /* requests for a write now */
  guint64       written;     /* the newest request a finished write served */
  gboolean      last_ok;

  /* The writer's thread only */
  gint64        last_write;
  gint64        last_warning;
  gboolean      ips_failed;
};

G_DEFINE_FINAL_TYPE (RcStateWriter, rc_state_writer, G_TYPE_OBJECT)

static void
rc_state_writer_finalize (GObject *object)
{
  RcStateWriter *self = RC_STATE_WRITER (object);

  g_assert (self->thread == NULL);

  g_clear_object (&self->dir);
  g_clear_object (&self->statistics);
  g_clear_object (&self->blocks);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->wake);
  g_cond_clear (&self->done);

  G_OBJECT_CLASS (rc_state_writer_parent_class)->finalize (object);
}

static void
rc_state_writer_class_init (RcStateWriterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_state_writer_finalize;
}

static void
rc_state_writer_init (RcStateWriter *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->wake);
  g_cond_init (&self->done);
  self->last_ok = TRUE;
}

RcStateWriter *
rc_state_writer_new (RcStateDir   *dir,
                     RcStatistics *statistics,
                     RcBlockList  *blocks)
{
  RcStateWriter *self;

  g_return_val_if_fail (RC_IS_STATE_DIR (dir), NULL);
  g_return_val_if_fail (RC_IS_STATISTICS (statistics), NULL);
  g_return_val_if_fail (RC_IS_BLOCK_LIST (blocks), NULL);

  self = g_object_new (RC_TYPE_STATE_WRITER, NULL);
  self->dir = g_object_ref (dir);
  self->statistics = g_object_ref (statistics);
  self->blocks = g_object_ref (blocks);

  return self;
}

static void
warn (RcStateWriter *self,
      GError        *error)
{
  gint64 now = g_get_monotonic_time ();

  /* Once a minute is enough to tell the administrator the disk is full. */
  if (self->last_warning != 0 && now - self->last_warning < WARN_INTERVAL_US)
    return;
  self->last_warning = now;
  g_warning ("%s; until it can be written, logins from addresses with a new wrong password are refused",
             error->message);
}

/* Writes what changed, blocks.json first. Returns whether all of it is on
 * disk now. */
static gboolean
write_files (RcStateWriter *self,
             gboolean       everything,
             gboolean       durable)
{
  RcStateWrite how = durable ? RC_STATE_WRITE_DURABLE : RC_STATE_WRITE_ATOMIC;
  g_autoptr(GString) stats = g_string_sized_new (1024);
  g_autoptr(GString) ips = g_string_sized_new (4096);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (everything || rc_block_list_has_changes (self->blocks))
    {
      g_autofree char *blocks = NULL;
      guint64 generation = 0;
      gsize length = 0;
      gboolean written;

      blocks = rc_block_list_serialize (self->blocks, &length, &generation);
      written = rc_state_dir_write (self->dir, RC_STATE_BLOCKS_FILE, blocks, length, 0600,
                                    RC_STATE_WRITE_DURABLE, &error);
      rc_block_list_saved (self->blocks, generation, written);
      if (!written)
        {
          warn (self, error);
          g_clear_error (&error);
          ok = FALSE;
        }
    }

  if (rc_statistics_serialize_ips (self->statistics, ips, everything || self->ips_failed))
    {
      self->ips_failed = !rc_state_dir_write (self->dir, RC_STATE_IPS_FILE, ips->str, ips->len, 0600, how, &error);
      if (self->ips_failed)
        {
          warn (self, error);
          g_clear_error (&error);
          ok = FALSE;
        }
    }

  rc_statistics_serialize_stats (self->statistics, stats);
  if (!rc_state_dir_write (self->dir, RC_STATE_STATS_FILE, stats->str, stats->len, 0600, how, &error))
    {
      warn (self, error);
      rc_statistics_changed (self->statistics);
      ok = FALSE;
    }

  self->last_write = g_get_monotonic_time ();
  return ok;
}

static gboolean
wants_write (RcStateWriter *self)
{
  gint64 now = g_get_monotonic_time ();

  if (now - self->last_write >= HEARTBEAT_US)
    return TRUE;
  if (now - self->last_write < MIN_INTERVAL_US)
    return FALSE;
  return self->ips_failed || rc_statistics_has_changes (self->statistics) ||
         rc_block_list_has_changes (self->blocks);
}

static gpointer
writer_thread (gpointer data)
{
  RcStateWriter *self = data;

  g_mutex_lock (&self->lock);
  while (!self->quit)
    {
      guint64 serving;
      gboolean ok;

      if (self->requested == self->written)
        {
          g_cond_wait_until (&self->wake, &self->lock, g_get_monotonic_time () + LOOK_US);
          if (self->quit)
            break;
          if (self->requested == self->written && !wants_write (self))
            continue;
        }

      serving = self->requested;
      g_mutex_unlock (&self->lock);

      ok = write_files (self, FALSE, serving != self->written);

      g_mutex_lock (&self->lock);
      self->written = MAX (self->written, serving);
      self->last_ok = ok;
      g_cond_broadcast (&self->done);
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

/* Starts the thread; the files are written at once. */
void
rc_state_writer_start (RcStateWriter *self)
{
  g_return_if_fail (RC_IS_STATE_WRITER (self));
  g_return_if_fail (self->thread == NULL);

  write_files (self, TRUE, TRUE);
  self->quit = FALSE;
  self->thread = g_thread_new ("rc-state-writer", writer_thread, self);
}

/* Stops the thread and writes everything a last time. */
void
rc_state_writer_stop (RcStateWriter *self)
{
  g_return_if_fail (RC_IS_STATE_WRITER (self));

  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_signal (&self->wake);
  g_mutex_unlock (&self->lock);

  g_thread_join (g_steal_pointer (&self->thread));
  write_files (self, TRUE, TRUE);

  g_mutex_lock (&self->lock);
  self->written = self->requested;
  g_cond_broadcast (&self->done);
  g_mutex_unlock (&self->lock);
}

/**
 * rc_state_writer_sync:
 *
 * Has everything changed so far written, and waits for it. Returns whether
 * the files could be written.
 */
gboolean
rc_state_writer_sync (RcStateWriter *self)
{
  guint64 request;
  gboolean ok;

  g_return_val_if_fail (RC_IS_STATE_WRITER (self), FALSE);

  g_mutex_lock (&self->lock);
  if (self->thread == NULL)
    {
      g_mutex_unlock (&self->lock);
      return write_files (self, FALSE, TRUE);
    }

  request = ++self->requested;
  g_cond_signal (&self->wake);
  while (self->written < request)
    g_cond_wait (&self->done, &self->lock);
  ok = self->last_ok;
  g_mutex_unlock (&self->lock);

  return ok;
}
