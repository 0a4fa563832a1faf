/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* ThreadSanitizer builds only. GLib is not instrumented, and its GMutex and
 * GCond work with atomics and futex calls that ThreadSanitizer cannot see,
 * so every access guarded by a GMutex would be reported as a race. Here the
 * server's own lock operations tell ThreadSanitizer what they do; in every
 * other build this header changes nothing. */

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>

static inline void
rc_tsan_mutex_lock (GMutex *mutex)
{
  g_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

static inline void
rc_tsan_mutex_unlock (GMutex *mutex)
{
  __tsan_release (mutex);
  g_mutex_unlock (mutex);
}

static inline gboolean
rc_tsan_cond_wait_until (GCond  *cond,
                         GMutex *mutex,
                         gint64  end_time)
{
  gboolean signalled;

  __tsan_release (mutex);
  signalled = g_cond_wait_until (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return signalled;
}

static inline void
rc_tsan_cond_wait (GCond  *cond,
                   GMutex *mutex)
{
  __tsan_release (mutex);
  g_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

/* A hand-over through GLib's own queues (a GThreadPool's): what the
 * sender wrote before rc_tsan_handed_over() the receiver may read after
 * rc_tsan_taken_over(). */
#define rc_tsan_handed_over(address) __tsan_release (address)
#define rc_tsan_taken_over(address) __tsan_acquire (address)

#define g_mutex_lock(mutex) rc_tsan_mutex_lock (mutex)
#define g_cond_wait(cond, mutex) rc_tsan_cond_wait (cond, mutex)
#define g_mutex_unlock(mutex) rc_tsan_mutex_unlock (mutex)
#define g_cond_wait_until(cond, mutex, end_time) rc_tsan_cond_wait_until (cond, mutex, end_time)
#else
#define rc_tsan_handed_over(address) ((void) (address))
#define rc_tsan_taken_over(address) ((void) (address))
#endif
