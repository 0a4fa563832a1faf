/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include <sys/resource.h>

#include "rc-admission.h"
#include "rc-tsan.h"

/* Who may hold a connection, counted from the moment it is accepted:
 *
 * - MAX_CONNECTIONS and MAX_CONNECTIONS_PER_IP count logged-in
 *   connections and away seats (docs/protocol.md 3.6), the seats by the
 *   address their connection had; the hello of one more gets server-full,
 *   unless only its own address's away seats fill the place: then it is
 *   let in to resume one of them.
 * - So that it can be told, the server keeps some connections open beyond
 *   MAX_CONNECTIONS (the overflow); past that a new connection is closed at
 *   once, without TLS.
 * - Connections that have not logged in yet count per address too, up to
 *   MAX_CONNECTIONS_PER_IP, so that one address cannot fill the overflow
 *   with silent sockets and lock everybody else out; each is bounded in
 *   time by the hello deadline.
 * - Every open connection holds one descriptor. The cap on open
 *   connections stays below the descriptor limit, raised at start as far
 *   as the system allows, so that accept() never runs out (GLib treats that
 *   as fatal). */

/* Descriptors kept for everything else: log, state files, listeners. */
#define FD_RESERVE 64

typedef struct
{
  guint unauthenticated;
  guint admitted;
  guint away;
} AddressCount;

struct _RcAdmission
{
  GObject     parent_instance;

  gint        changed;          /* atomic: counts changed since the last snapshot */

  /* Guards everything below. Leaf lock, held briefly. */
  GMutex      lock;
  guint       max_connections;
  guint       max_per_address;
  guint       max_open;
  guint       fd_budget;        /* G_MAXUINT when unlimited */
  guint       open;
  guint       admitted;
  guint       away;
  GHashTable *addresses;        /* address key -> AddressCount, owned; no zero counts */
};

G_DEFINE_FINAL_TYPE (RcAdmission, rc_admission, G_TYPE_OBJECT)

static void
rc_admission_finalize (GObject *object)
{
  RcAdmission *self = RC_ADMISSION (object);

  g_clear_pointer (&self->addresses, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (rc_admission_parent_class)->finalize (object);
}

static void
rc_admission_class_init (RcAdmissionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_admission_finalize;
}

static void
rc_admission_init (RcAdmission *self)
{
  g_mutex_init (&self->lock);
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->fd_budget = G_MAXUINT;
}

static guint
overflow_for (guint max_connections)
{
  return CLAMP (max_connections / 16, 8, 1024);
}

/* Called with the lock held. */
static void
apply_limits (RcAdmission *self,
              guint        max_connections,
              guint        max_per_address)
{
  guint overflow = overflow_for (max_connections);

  if ((guint64) max_connections + overflow > self->fd_budget)
    {
      guint fitted = self->fd_budget > overflow + 1 ? self->fd_budget - overflow : 1;

      g_warning ("MAX_CONNECTIONS lowered from %u to %u: the file-descriptor limit holds %u connections"
                 " (raise LimitNOFILE= or ulimit -n)", max_connections, fitted, self->fd_budget);
      max_connections = fitted;
      overflow = MIN (overflow, self->fd_budget - MIN (self->fd_budget, fitted));
    }

  self->max_connections = max_connections;
  self->max_per_address = max_per_address;
  self->max_open = (guint) MIN ((guint64) max_connections + overflow, self->fd_budget);
}

RcAdmission *
rc_admission_new (guint max_connections,
                  guint max_per_address)
{
  RcAdmission *self;

  g_return_val_if_fail (max_connections > 0, NULL);
  g_return_val_if_fail (max_per_address > 0, NULL);

  self = g_object_new (RC_TYPE_ADMISSION, NULL);
  apply_limits (self, max_connections, max_per_address);
  return self;
}

/**
 * rc_admission_fit_descriptors:
 *
 * Raises the soft file-descriptor limit as far as needed and allowed, and
 * lowers MAX_CONNECTIONS (saying so in the log) if even then the limit
 * cannot hold one descriptor per connection.
 */
void
rc_admission_fit_descriptors (RcAdmission *self)
{
  struct rlimit limit = { 1024, 1024 };
  guint64 needed;

  g_return_if_fail (RC_IS_ADMISSION (self));

  g_mutex_lock (&self->lock);
  needed = (guint64) self->max_connections + overflow_for (self->max_connections) + FD_RESERVE;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed)
    {
      struct rlimit raised = limit;

      /* A privileged server may raise the hard limit too. */
      raised.rlim_cur = raised.rlim_max = MAX (needed, limit.rlim_max);
      if (setrlimit (RLIMIT_NOFILE, &raised) != 0)
        {
          raised.rlim_cur = raised.rlim_max = limit.rlim_max;
          setrlimit (RLIMIT_NOFILE, &raised);
        }
      getrlimit (RLIMIT_NOFILE, &limit);
    }

  if (limit.rlim_cur == RLIM_INFINITY)
    self->fd_budget = G_MAXUINT;
  else
    self->fd_budget = (guint) MIN (limit.rlim_cur - MIN (limit.rlim_cur, FD_RESERVE), G_MAXUINT);

  apply_limits (self, self->max_connections, self->max_per_address);
  g_mutex_unlock (&self->lock);
}

/* The limits of a reloaded configuration; connections over them stay. */
void
rc_admission_set_limits (RcAdmission *self,
                         guint        max_connections,
                         guint        max_per_address)
{
  g_return_if_fail (RC_IS_ADMISSION (self));

  g_mutex_lock (&self->lock);
  apply_limits (self, max_connections, max_per_address);
  g_mutex_unlock (&self->lock);
}

guint
rc_admission_get_max_connections (RcAdmission *self)
{
  guint value;

  g_mutex_lock (&self->lock);
  value = self->max_connections;
  g_mutex_unlock (&self->lock);
  return value;
}

guint
rc_admission_get_max_per_address (RcAdmission *self)
{
  guint value;

  g_mutex_lock (&self->lock);
  value = self->max_per_address;
  g_mutex_unlock (&self->lock);
  return value;
}

guint
rc_admission_get_max_open (RcAdmission *self)
{
  guint value;

  g_mutex_lock (&self->lock);
  value = self->max_open;
  g_mutex_unlock (&self->lock);
  return value;
}

/* Called with the lock held. */
static AddressCount *
lookup (RcAdmission *self,
        const char  *key)
{
  AddressCount *count = g_hash_table_lookup (self->addresses, key);

  if (count == NULL)
    {
      count = g_new0 (AddressCount, 1);
      g_hash_table_insert (self->addresses, g_strdup (key), count);
    }
  return count;
}

/* Called with the lock held. */
static void
forget_if_unused (RcAdmission  *self,
                  const char   *key,
                  AddressCount *count)
{
  if (count->unauthenticated == 0 && count->admitted == 0 && count->away == 0)
    g_hash_table_remove (self->addresses, key);
}

/**
 * rc_admission_open:
 * @key: the address key (rc_block_list_describe_address())
 *
 * Takes a place for a connection just accepted, among all open
 * connections and among its address's that have not logged in. Returns
 * %FALSE when there is none: close the connection at once.
 */
gboolean
rc_admission_open (RcAdmission *self,
                   const char  *key)
{
  AddressCount *count;
  gboolean ok = FALSE;

  g_return_val_if_fail (RC_IS_ADMISSION (self), FALSE);

  g_mutex_lock (&self->lock);
  count = lookup (self, key);
  if (self->open < self->max_open && count->unauthenticated < self->max_per_address)
    {
      self->open++;
      count->unauthenticated++;
      ok = TRUE;
      g_atomic_int_set (&self->changed, TRUE);
    }
  forget_if_unused (self, key, count);
  g_mutex_unlock (&self->lock);

  return ok;
}

/**
 * rc_admission_admit:
 *
 * Takes one of the MAX_CONNECTIONS places and one of the address's
 * MAX_CONNECTIONS_PER_IP for a connection that logs in, and gives its
 * place among those not logged in back. Away seats take places too: a
 * connection that finds the places full only because of its own
 * address's away seats is admitted to resume one of them
 * (%RC_ADMIT_TO_RESUME), and takes its place all the same.
 */
RcAdmit
rc_admission_admit (RcAdmission *self,
                    const char  *key)
{
  AddressCount *count;
  RcAdmit result = RC_ADMIT_FULL;

  g_return_val_if_fail (RC_IS_ADMISSION (self), RC_ADMIT_FULL);

  g_mutex_lock (&self->lock);
  count = lookup (self, key);
  g_assert (count->unauthenticated > 0);
  if (self->admitted + self->away < self->max_connections &&
      count->admitted + count->away < self->max_per_address)
    result = RC_ADMIT_OK;
  else if (self->admitted + self->away - count->away < self->max_connections &&
           count->admitted < self->max_per_address && count->away > 0)
    result = RC_ADMIT_TO_RESUME;

  if (result != RC_ADMIT_FULL)
    {
      self->admitted++;
      count->admitted++;
      count->unauthenticated--;
      g_atomic_int_set (&self->changed, TRUE);
    }
  g_mutex_unlock (&self->lock);

  return result;
}

/* An away seat of the address @key takes a place (docs/protocol.md 3.6). */
void
rc_admission_hold_seat (RcAdmission *self,
                        const char  *key)
{
  AddressCount *count;

  g_return_if_fail (RC_IS_ADMISSION (self));

  g_mutex_lock (&self->lock);
  count = lookup (self, key);
  count->away++;
  self->away++;
  g_mutex_unlock (&self->lock);
  g_atomic_int_set (&self->changed, TRUE);
}

/* The seat is resumed, or gone: its place is free. */
void
rc_admission_free_seat (RcAdmission *self,
                        const char  *key)
{
  AddressCount *count;

  g_return_if_fail (RC_IS_ADMISSION (self));

  g_mutex_lock (&self->lock);
  count = g_hash_table_lookup (self->addresses, key);
  g_assert (count != NULL && count->away > 0 && self->away > 0);
  count->away--;
  self->away--;
  forget_if_unused (self, key, count);
  g_mutex_unlock (&self->lock);
  g_atomic_int_set (&self->changed, TRUE);
}

/* Undoes rc_admission_admit() for a login that failed after it. */
void
rc_admission_release (RcAdmission *self,
                      const char  *key)
{
  AddressCount *count;

  g_return_if_fail (RC_IS_ADMISSION (self));

  g_mutex_lock (&self->lock);
  count = g_hash_table_lookup (self->addresses, key);
  g_assert (count != NULL && count->admitted > 0 && self->admitted > 0);
  count->admitted--;
  count->unauthenticated++;
  self->admitted--;
  g_mutex_unlock (&self->lock);
  g_atomic_int_set (&self->changed, TRUE);
}

/* Gives back what rc_admission_open() (and rc_admission_admit(), when
 * @admitted) took. */
void
rc_admission_close (RcAdmission *self,
                    const char  *key,
                    gboolean     admitted)
{
  AddressCount *count;

  g_return_if_fail (RC_IS_ADMISSION (self));

  g_mutex_lock (&self->lock);
  count = g_hash_table_lookup (self->addresses, key);
  g_assert (count != NULL && self->open > 0);
  self->open--;
  if (admitted)
    {
      g_assert (count->admitted > 0 && self->admitted > 0);
      count->admitted--;
      self->admitted--;
    }
  else
    {
      g_assert (count->unauthenticated > 0);
      count->unauthenticated--;
    }
  forget_if_unused (self, key, count);
  g_mutex_unlock (&self->lock);
  g_atomic_int_set (&self->changed, TRUE);
}

/**
 * rc_admission_get_counts:
 * @open: (out) (optional): connections open, in any state
 * @admitted: (out) (optional): connections logged in
 * @away: (out) (optional): seats away
 */
void
rc_admission_get_counts (RcAdmission *self,
                         guint       *open,
                         guint       *admitted,
                         guint       *away)
{
  g_return_if_fail (RC_IS_ADMISSION (self));

  g_mutex_lock (&self->lock);
  if (open != NULL)
    *open = self->open;
  if (admitted != NULL)
    *admitted = self->admitted;
  if (away != NULL)
    *away = self->away;
  g_mutex_unlock (&self->lock);
}

/* Like rc_admission_get_counts(), for the statistics: what they show now. */
void
rc_admission_snapshot (RcAdmission *self,
                       guint       *open,
                       guint       *admitted,
                       guint       *away)
{
  g_return_if_fail (RC_IS_ADMISSION (self));

  g_atomic_int_set (&self->changed, FALSE);
  rc_admission_get_counts (self, open, admitted, away);
}

/* Whether the counts changed since the last rc_admission_snapshot(). */
gboolean
rc_admission_has_changes (RcAdmission *self)
{
  g_return_val_if_fail (RC_IS_ADMISSION (self), FALSE);

  return g_atomic_int_get (&self->changed);
}
