/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include "rc-tls-input-stream.h"

/* The reading side of an RcTlsSession as a GInputStream, for the frame
 * reader, with a deadline: once it has passed, reads fail with
 * G_IO_ERROR_TIMED_OUT, so that neither a silent client nor one that sends
 * a byte now and then outlives its hello or idle time. Between frames a
 * read also stops after the session's quiet time with
 * G_IO_ERROR_WOULD_BLOCK (see rc-tls-session.c). Only the connection's own
 * thread uses it. */

struct _RcTlsInputStream
{
  GInputStream  parent_instance;

  RcTlsSession *session;     /* owned */
  gint64        deadline;    /* monotonic time; G_MAXINT64 for none */
};

G_DEFINE_FINAL_TYPE (RcTlsInputStream, rc_tls_input_stream, G_TYPE_INPUT_STREAM)

static gssize
rc_tls_input_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  RcTlsInputStream *self = RC_TLS_INPUT_STREAM (stream);

  if (self->deadline != G_MAXINT64 && g_get_monotonic_time () >= self->deadline)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timed out");
      return -1;
    }

  return rc_tls_session_read (self->session, buffer, count, self->deadline, error);
}

static gboolean
rc_tls_input_stream_close (GInputStream  *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  /* The connection ends the session itself. */
  return TRUE;
}

static void
rc_tls_input_stream_finalize (GObject *object)
{
  RcTlsInputStream *self = RC_TLS_INPUT_STREAM (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (rc_tls_input_stream_parent_class)->finalize (object);
}

static void
rc_tls_input_stream_class_init (RcTlsInputStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_tls_input_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = rc_tls_input_stream_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = rc_tls_input_stream_close;
}

static void
rc_tls_input_stream_init (RcTlsInputStream *self)
{
  self->deadline = G_MAXINT64;
}

GInputStream *
rc_tls_input_stream_new (RcTlsSession *session)
{
  RcTlsInputStream *self;

  g_return_val_if_fail (RC_IS_TLS_SESSION (session), NULL);

  self = g_object_new (RC_TYPE_TLS_INPUT_STREAM, NULL);
  self->session = g_object_ref (session);
  return G_INPUT_STREAM (self);
}

/**
 * rc_tls_input_stream_set_deadline:
 * @deadline: a g_get_monotonic_time() value, or G_MAXINT64 for none
 *
 * Reads from now on fail with %G_IO_ERROR_TIMED_OUT once @deadline passes.
 */
void
rc_tls_input_stream_set_deadline (RcTlsInputStream *self,
                                  gint64            deadline)
{
  g_return_if_fail (RC_IS_TLS_INPUT_STREAM (self));

  self->deadline = deadline;
}
