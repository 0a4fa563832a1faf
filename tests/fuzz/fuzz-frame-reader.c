/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rc-frame-reader.h"

/* The frame reader over a stream that hands out the input in pieces of
 * the size its first byte says, so that lines break across reads in
 * every way: what it gives out must be whole lines of the input. */

#define RC_TYPE_TRICKLE_STREAM (rc_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (RcTrickleStream, rc_trickle_stream, RC, TRICKLE_STREAM, GInputStream)

struct _RcTrickleStream
{
  GInputStream  parent_instance;
  const guint8 *data;
  gsize         size;
  gsize         offset;
  gsize         piece;
};

G_DEFINE_FINAL_TYPE (RcTrickleStream, rc_trickle_stream, G_TYPE_INPUT_STREAM)

static gssize
rc_trickle_stream_read (GInputStream  *stream,
                        void          *buffer,
                        gsize          count,
                        GCancellable  *cancellable,
                        GError       **error)
{
  RcTrickleStream *self = RC_TRICKLE_STREAM (stream);
  gsize n = MIN (MIN (count, self->piece), self->size - self->offset);

  memcpy (buffer, self->data + self->offset, n);
  self->offset += n;
  return (gssize) n;
}

static void
rc_trickle_stream_class_init (RcTrickleStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = rc_trickle_stream_read;
}

static void
rc_trickle_stream_init (RcTrickleStream *self)
{
}

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(RcTrickleStream) stream = NULL;
  g_autoptr(RcFrameReader) reader = NULL;
  gsize consumed = 0;

  if (size == 0)
    return 0;

  stream = g_object_new (RC_TYPE_TRICKLE_STREAM, NULL);
  stream->piece = 1 + data[0] * 61;
  stream->data = data + 1;
  stream->size = size - 1;
  reader = rc_frame_reader_new (G_INPUT_STREAM (stream));

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gsize length = 0;
      const char *line = rc_frame_reader_read_line (reader, &length, NULL, &error);

      if (line == NULL)
        break;
      /* A line of the input, in order, and no longer than a frame may be */
      if (length + 1 > RC_FRAME_MAX_SIZE || consumed + length + 1 > stream->size ||
          memcmp (line, stream->data + consumed, length) != 0 || stream->data[consumed + length] != '\n')
        abort ();
      consumed += length + 1;
      if (consumed % 3 == 0)
        rc_frame_reader_release (reader);
    }

  return 0;
}
