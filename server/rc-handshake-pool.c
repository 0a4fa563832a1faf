/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include "rc-handshake-pool.h"
#include "rc-tsan.h"

/* A few threads, one per processor, on which connections run the CPU work
 * of their TLS handshakes, one step at a time: a step only does what the
 * bytes already received allow and never waits for the network, which
 * the connection's own thread does between steps. So a client that sends
 * its hello a byte a second holds no thread of the pool.
 *
 * A handshake goes deep into GnuTLS and nettle and allocates and frees a
 * great deal; done in the connection's thread, it would leave that much
 * stack resident and that much in the thread's allocation cache for the
 * life of the connection. Here it leaves it in the pool's few threads. */

typedef struct
{
  GFunc     func;
  gpointer  data;
  GMutex    lock;
  GCond     cond;
  gboolean  done;      /* guarded by lock */
} Job;

struct _RcHandshakePool
{
  GObject      parent_instance;

  GThreadPool *threads;   /* thread-safe by itself */
};

G_DEFINE_FINAL_TYPE (RcHandshakePool, rc_handshake_pool, G_TYPE_OBJECT)

static void
rc_handshake_pool_finalize (GObject *object)
{
  RcHandshakePool *self = RC_HANDSHAKE_POOL (object);

  if (self->threads != NULL)
    g_thread_pool_free (self->threads, FALSE, TRUE);

  G_OBJECT_CLASS (rc_handshake_pool_parent_class)->finalize (object);
}

static void
rc_handshake_pool_class_init (RcHandshakePoolClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_handshake_pool_finalize;
}

static void
rc_handshake_pool_init (RcHandshakePool *self)
{
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;

  rc_tsan_taken_over (job);
  job->func (job->data, NULL);

  g_mutex_lock (&job->lock);
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->lock);
}

RcHandshakePool *
rc_handshake_pool_new (guint threads)
{
  RcHandshakePool *self = g_object_new (RC_TYPE_HANDSHAKE_POOL, NULL);
  g_autoptr(GError) error = NULL;

  self->threads = g_thread_pool_new (run_job, self, (int) MAX (threads, 1), TRUE, &error);
  if (self->threads == NULL)
    g_error ("Cannot start the handshake threads: %s", error->message);

  return self;
}

/**
 * rc_handshake_pool_run:
 * @func: called as @func (@data, NULL) on one of the pool's threads
 *
 * Runs @func on the pool and waits until it has returned.
 */
void
rc_handshake_pool_run (RcHandshakePool *self,
                       GFunc            func,
                       gpointer         data)
{
  Job job = { func, data };

  g_return_if_fail (RC_IS_HANDSHAKE_POOL (self));

  g_mutex_init (&job.lock);
  g_cond_init (&job.cond);

  rc_tsan_handed_over (&job);
  g_thread_pool_push (self->threads, &job, NULL);

  g_mutex_lock (&job.lock);
  while (!job.done)
    g_cond_wait (&job.cond, &job.lock);
  g_mutex_unlock (&job.lock);

  g_mutex_clear (&job.lock);
  g_cond_clear (&job.cond);
}
