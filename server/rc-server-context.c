/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include "rc-server-context.h"

void
rc_server_limits_init (RcServerLimits *limits)
{
  limits->hello_timeout = 10 * G_TIME_SPAN_SECOND;
  limits->idle_timeout = 90 * G_TIME_SPAN_SECOND;
  limits->write_timeout = 10;
  limits->linger = 1 * G_TIME_SPAN_SECOND;
  limits->frame_rate = 50.0;
  limits->frame_burst = 100.0;
}

static void
context_clear (RcServerContext *context)
{
  g_clear_pointer (&context->name, g_free);
  g_clear_object (&context->password);
  g_clear_object (&context->credentials);
  g_clear_object (&context->handshakes);
  g_clear_object (&context->registry);
  g_clear_object (&context->blocks);
  g_clear_object (&context->admission);
  g_clear_object (&context->statistics);
  g_clear_object (&context->writer);
  g_clear_object (&context->wake);
  g_clear_pointer (&context->main_context, g_main_context_unref);
}

RcServerContext *
rc_server_context_new (void)
{
  RcServerContext *context = g_atomic_rc_box_new0 (RcServerContext);

  rc_server_limits_init (&context->limits);
  return context;
}

/* A new context with the same contents, to change before anyone sees it. */
RcServerContext *
rc_server_context_copy (const RcServerContext *context)
{
  RcServerContext *copy = rc_server_context_new ();

  copy->limits = context->limits;
  copy->name = g_strdup (context->name);
  g_set_object (&copy->password, context->password);
  g_set_object (&copy->credentials, context->credentials);
  g_set_object (&copy->handshakes, context->handshakes);
  g_set_object (&copy->registry, context->registry);
  g_set_object (&copy->blocks, context->blocks);
  g_set_object (&copy->admission, context->admission);
  g_set_object (&copy->statistics, context->statistics);
  g_set_object (&copy->writer, context->writer);
  g_set_object (&copy->wake, context->wake);
  copy->resume_seconds = context->resume_seconds;
  if (context->main_context != NULL)
    copy->main_context = g_main_context_ref (context->main_context);
  return copy;
}

RcServerContext *
rc_server_context_ref (RcServerContext *context)
{
  return g_atomic_rc_box_acquire (context);
}

void
rc_server_context_unref (RcServerContext *context)
{
  g_atomic_rc_box_release_full (context, (GDestroyNotify) context_clear);
}
