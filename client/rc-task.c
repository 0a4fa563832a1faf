/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-client"

#include "config.h"

#include "rc-task.h"

/**
 * rc_task_watch_cancellable:
 * @cancellable: (nullable): the caller's
 * @cancelled: runs once on the thread-default main context when
 *   @cancellable is cancelled; it should complete @task
 *
 * The watch is kept as @task's task data, so it cannot outlive @task;
 * @user_data must live as long as @task (its source object does).
 */
void
rc_task_watch_cancellable (GTask                  *task,
                           GCancellable           *cancellable,
                           GCancellableSourceFunc  cancelled,
                           gpointer                user_data)
{
  GSource *source;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (g_task_get_task_data (task) == NULL);

  if (cancellable == NULL)
    return;

  source = g_cancellable_source_new (cancellable);
  g_source_set_callback (source, G_SOURCE_FUNC (cancelled), user_data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_task_set_task_data (task, source, (GDestroyNotify) g_source_unref);
}

/* Call before completing @task, so that @cancelled no longer runs. */
void
rc_task_unwatch_cancellable (GTask *task)
{
  GSource *source;

  g_return_if_fail (G_IS_TASK (task));

  source = g_task_get_task_data (task);
  if (source != NULL)
    g_source_destroy (source);
}
