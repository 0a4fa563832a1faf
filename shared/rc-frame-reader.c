/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-protocol"

#include "config.h"

#include <string.h>

#include "rc-frame-reader.h"

/* Reads JSON Lines frames from a stream without ever holding more than
 * RC_FRAME_MAX_SIZE bytes. The buffer grows only as far as the longest line
 * needs and is dropped again when it runs empty after a long line, or when
 * the owner says so (rc_frame_reader_release()), so that thousands of idle
 * connections on the server cost next to nothing. A line is handed out in
 * place, inside the buffer, until the next read. */

#define READ_CHUNK 4096

struct _RcFrameReader
{
  GObject       parent_instance;

  /* Owned */
  GInputStream *stream;
  guint8       *buffer;

  gsize         capacity;
  gsize         length;       /* bytes in buffer */
  gsize         start;        /* the first not handed out yet */
  gsize         scanned;      /* start to scanned holds no "\n": searched already */
  gboolean      pending;
  gboolean      check_utf8;
};

G_DEFINE_TYPE (RcFrameReader, rc_frame_reader, G_TYPE_OBJECT)

G_DEFINE_QUARK (rc-frame-reader-error-quark, rc_frame_reader_error)

static void
rc_frame_reader_finalize (GObject *object)
{
  RcFrameReader *self = RC_FRAME_READER (object);

  g_clear_object (&self->stream);
  g_clear_pointer (&self->buffer, g_free);

  G_OBJECT_CLASS (rc_frame_reader_parent_class)->finalize (object);
}

static void
rc_frame_reader_class_init (RcFrameReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rc_frame_reader_finalize;
}

static void
rc_frame_reader_init (RcFrameReader *self)
{
  self->check_utf8 = TRUE;
}

RcFrameReader *
rc_frame_reader_new (GInputStream *stream)
{
  RcFrameReader *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_object_new (RC_TYPE_FRAME_READER, NULL);
  self->stream = g_object_ref (stream);

  return self;
}

/**
 * rc_frame_reader_set_check_utf8:
 *
 * Whether lines that are not UTF-8 are refused here (the default). A
 * reader whose lines all go through rc_frame_parse_into(), which checks
 * UTF-8 as it checks the JSON, need not check it twice.
 */
void
rc_frame_reader_set_check_utf8 (RcFrameReader *self,
                                gboolean       check)
{
  g_return_if_fail (RC_IS_FRAME_READER (self));

  self->check_utf8 = !!check;
}

GInputStream *
rc_frame_reader_get_stream (RcFrameReader *self)
{
  g_return_val_if_fail (RC_IS_FRAME_READER (self), NULL);

  return self->stream;
}

/* Finds the first complete line in the buffer and hands it out in place,
 * its "\n" replaced by a NUL. Returns FALSE with @line unset when more
 * bytes are needed. A line is searched for once, however many reads its
 * bytes take, and lines after it stay where they are until the next read:
 * no input makes the reader's work grow faster than its length. */
static gboolean
take_line (RcFrameReader  *self,
           const char    **line,
           gsize          *line_length,
           GError        **error)
{
  gsize from = MAX (self->scanned, self->start);
  guint8 *newline;
  gsize len;
  guint8 *text;

  *line = NULL;

  newline = self->length > from ? memchr (self->buffer + from, '\n', self->length - from) : NULL;
  if (newline == NULL)
    {
      self->scanned = self->length;
      if (self->length - self->start >= RC_FRAME_MAX_SIZE)
        {
          g_set_error (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TOO_LONG,
                       "Frame longer than %d bytes", RC_FRAME_MAX_SIZE);
          return TRUE;
        }
      return FALSE;
    }

  text = self->buffer + self->start;
  len = (gsize) (newline - text);
  *newline = '\0';
  self->start += len + 1;
  self->scanned = self->start;

  if (self->check_utf8 && !g_utf8_validate ((const char *) text, (gssize) len, NULL))
    {
      g_set_error_literal (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_INVALID_UTF8,
                           "Frame is not valid UTF-8");
      return TRUE;
    }

  if (line_length != NULL)
    *line_length = len;
  *line = (const char *) text;
  return TRUE;
}

/* Makes room for the next read and returns how many bytes it may ask for.
 * The lines handed out so far are forgotten here. */
static gsize
prepare_read (RcFrameReader *self)
{
  gsize wanted;

  if (self->start > 0)
    {
      self->length -= self->start;
      memmove (self->buffer, self->buffer + self->start, self->length);
      self->scanned -= self->start;
      self->start = 0;
    }
  if (self->length == 0 && self->capacity > READ_CHUNK)
    {
      /* The buffer grew for a long line: back to a small one. */
      g_clear_pointer (&self->buffer, g_free);
      self->capacity = 0;
    }

  wanted = MIN (self->length + READ_CHUNK, (gsize) RC_FRAME_MAX_SIZE);
  if (self->capacity < wanted)
    {
      gsize capacity = MAX (self->capacity * 2, (gsize) READ_CHUNK);

      capacity = CLAMP (capacity, wanted, (gsize) RC_FRAME_MAX_SIZE);
      self->buffer = g_realloc (self->buffer, capacity);
      self->capacity = capacity;
    }

  return self->capacity - self->length;
}

/* A peer that closes without a TLS close_notify has still ended the stream. */
static gboolean
is_end_of_stream_error (const GError *error)
{
  return g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF);
}

/* Handles the result of one read: FALSE when the caller should read again. */
static gboolean
after_read (RcFrameReader  *self,
            gssize          n_read,
            GError         *read_error,
            const char    **line,
            gsize          *line_length,
            GError        **error)
{
  if (n_read < 0 && is_end_of_stream_error (read_error))
    {
      g_clear_error (&read_error);
      n_read = 0;
    }

  if (n_read < 0)
    {
      g_propagate_error (error, read_error);
      return TRUE;
    }

  if (n_read == 0)
    {
      if (self->length > self->start)
        g_set_error_literal (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TRUNCATED,
                             "Stream ended inside a frame");
      return TRUE;
    }

  self->length += (gsize) n_read;
  return take_line (self, line, line_length, error);
}

/**
 * rc_frame_reader_read_line:
 * @length: (out) (optional): the line's length
 *
 * Reads one frame. Returns the line without its "\n", inside the reader's
 * buffer and valid until the next call, or %NULL: with @error set on
 * failure, with no error at a clean end of the stream. A read that fails
 * (a time-out, say) keeps what was read of the line, and the next call
 * goes on with it.
 */
const char *
rc_frame_reader_read_line (RcFrameReader  *self,
                           gsize          *length,
                           GCancellable   *cancellable,
                           GError        **error)
{
  const char *line = NULL;

  g_return_val_if_fail (RC_IS_FRAME_READER (self), NULL);
  g_return_val_if_fail (!self->pending, NULL);

  if (take_line (self, &line, length, error))
    return line;

  for (;;)
    {
      GError *read_error = NULL;
      gsize room = prepare_read (self);
      gssize n_read;

      n_read = g_input_stream_read (self->stream, self->buffer + self->length, room,
                                    cancellable, &read_error);
      if (after_read (self, n_read, read_error, &line, length, error))
        return line;
    }
}

/**
 * rc_frame_reader_read:
 *
 * Reads one frame, as rc_frame_reader_read_line() does, and returns a copy.
 */
char *
rc_frame_reader_read (RcFrameReader  *self,
                      gsize          *length,
                      GCancellable   *cancellable,
                      GError        **error)
{
  gsize line_length = 0;
  const char *line = rc_frame_reader_read_line (self, &line_length, cancellable, error);

  if (line == NULL)
    return NULL;
  if (length != NULL)
    *length = line_length;
  return g_strndup (line, line_length);
}

/* Whether bytes of a frame are buffered already, so that a read may not
 * need the stream. */
gboolean
rc_frame_reader_has_buffered (RcFrameReader *self)
{
  g_return_val_if_fail (RC_IS_FRAME_READER (self), FALSE);

  return self->length > self->start;
}

/**
 * rc_frame_reader_release:
 *
 * Gives back the buffer while it holds nothing, as an idle connection's
 * owner does. The next read takes a new one.
 */
void
rc_frame_reader_release (RcFrameReader *self)
{
  g_return_if_fail (RC_IS_FRAME_READER (self));
  g_return_if_fail (!self->pending);

  if (self->length == self->start)
    {
      g_clear_pointer (&self->buffer, g_free);
      self->capacity = self->length = self->start = self->scanned = 0;
    }
}

typedef struct
{
  int    io_priority;
  gsize  length;
} ReadData;

static void read_next_chunk (GTask *task);

static void
read_chunk_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RcFrameReader *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  GError *read_error = NULL;
  GError *error = NULL;
  const char *line = NULL;
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &read_error);
  if (!after_read (self, n_read, read_error, &line, &data->length, &error))
    {
      read_next_chunk (g_steal_pointer (&task));
      return;
    }

  self->pending = FALSE;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, line != NULL ? g_strndup (line, data->length) : NULL, g_free);
}

static void
read_next_chunk (GTask *task)
{
  RcFrameReader *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  gsize room = prepare_read (self);

  g_input_stream_read_async (self->stream, self->buffer + self->length, room,
                             data->io_priority, g_task_get_cancellable (task),
                             read_chunk_cb, task);
}

void
rc_frame_reader_read_async (RcFrameReader       *self,
                            int                  io_priority,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  ReadData *data;
  const char *line = NULL;

  g_return_if_fail (RC_IS_FRAME_READER (self));
  g_return_if_fail (!self->pending);

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (ReadData, 1);
  data->io_priority = io_priority;
  g_task_set_task_data (task, data, g_free);

  if (take_line (self, &line, &data->length, &error))
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, g_strndup (line, data->length), g_free);
      return;
    }

  self->pending = TRUE;
  read_next_chunk (g_steal_pointer (&task));
}

char *
rc_frame_reader_read_finish (RcFrameReader  *self,
                             GAsyncResult   *result,
                             gsize          *length,
                             GError        **error)
{
  char *line;

  g_return_val_if_fail (RC_IS_FRAME_READER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  line = g_task_propagate_pointer (G_TASK (result), error);
  if (line != NULL && length != NULL)
    *length = ((ReadData *) g_task_get_task_data (G_TASK (result)))->length;

  return line;
}
