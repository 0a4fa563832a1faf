/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-frame-reader.h"

/* A stream that hands out at most a few bytes per read, as a network does. */
#define TEST_TYPE_TRICKLE_STREAM (test_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, TEST, TRICKLE_STREAM, GInputStream)

struct _TestTrickleStream
{
  GInputStream  parent_instance;
  GBytes       *data;
  gsize         offset;
  gsize         chunk;
};

G_DEFINE_TYPE (TestTrickleStream, test_trickle_stream, G_TYPE_INPUT_STREAM)

static gssize
test_trickle_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (stream);
  gsize size = g_bytes_get_size (self->data);
  gsize n = MIN (MIN (count, self->chunk), size - self->offset);

  memcpy (buffer, (const guint8 *) g_bytes_get_data (self->data, NULL) + self->offset, n);
  self->offset += n;
  return (gssize) n;
}

static void
test_trickle_stream_finalize (GObject *object)
{
  g_clear_pointer (&TEST_TRICKLE_STREAM (object)->data, g_bytes_unref);
  G_OBJECT_CLASS (test_trickle_stream_parent_class)->finalize (object);
}

static void
test_trickle_stream_class_init (TestTrickleStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_trickle_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_trickle_stream_read;
}

static void
test_trickle_stream_init (TestTrickleStream *self)
{
}

static GInputStream *
trickle_stream_new (const char *data,
                    gsize       length,
                    gsize       chunk)
{
  TestTrickleStream *self = g_object_new (TEST_TYPE_TRICKLE_STREAM, NULL);

  self->data = g_bytes_new (data, length);
  self->chunk = chunk;
  return G_INPUT_STREAM (self);
}

static RcFrameReader *
reader_for (const char *data,
            gsize       length)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (g_memdup2 (data, length),
                                                                        (gssize) length, g_free);

  return rc_frame_reader_new (stream);
}

/* A line of @length bytes, the final "\n" included. */
static char *
line_of_length (gsize length)
{
  char *line = g_malloc (length + 1);

  memset (line, 'a', length - 1);
  line[length - 1] = '\n';
  line[length] = '\0';
  return line;
}

static void
test_reader_lines (void)
{
  const char data[] = "{\"type\":\"ping\"}\n\n{\"type\":\"pong\"}\n";
  g_autoptr(RcFrameReader) reader = reader_for (data, strlen (data));
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *second = NULL;
  g_autofree char *end = NULL;
  gsize length = 99;

  first = rc_frame_reader_read (reader, &length, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "{\"type\":\"ping\"}");
  g_assert_cmpuint (length, ==, 15);

  empty = rc_frame_reader_read (reader, &length, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpuint (length, ==, 0);

  second = rc_frame_reader_read (reader, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, "{\"type\":\"pong\"}");

  end = rc_frame_reader_read (reader, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (end);
}

static void
test_reader_exact_limit (void)
{
  g_autofree char *data = line_of_length (RC_FRAME_MAX_SIZE);
  g_autoptr(RcFrameReader) reader = reader_for (data, RC_FRAME_MAX_SIZE);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = rc_frame_reader_read (reader, &length, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpuint (length, ==, RC_FRAME_MAX_SIZE - 1);
  g_assert_cmpuint (strlen (line), ==, RC_FRAME_MAX_SIZE - 1);
}

static void
test_reader_over_limit (void)
{
  g_autofree char *data = line_of_length (RC_FRAME_MAX_SIZE + 1);
  g_autoptr(RcFrameReader) reader = reader_for (data, RC_FRAME_MAX_SIZE + 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GInputStream *stream = rc_frame_reader_get_stream (reader);

  line = rc_frame_reader_read (reader, NULL, NULL, &error);
  g_assert_error (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TOO_LONG);
  g_assert_null (line);
  /* It stopped reading at the limit instead of buffering the rest. */
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (stream)), <=, RC_FRAME_MAX_SIZE);
}

static void
test_reader_huge_line_bounded (void)
{
  gsize size = 4 * RC_FRAME_MAX_SIZE;
  g_autofree char *data = line_of_length (size);
  g_autoptr(RcFrameReader) reader = reader_for (data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = rc_frame_reader_read (reader, NULL, NULL, &error);
  g_assert_error (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TOO_LONG);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (rc_frame_reader_get_stream (reader))), <=,
                   RC_FRAME_MAX_SIZE);
}

static void
test_reader_split_reads (void)
{
  g_autoptr(GString) data = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(RcFrameReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = line_of_length (RC_FRAME_MAX_SIZE);

  g_string_append (data, "{\"type\":\"hello\",\"name\":\"Zoë\"}\n");
  g_string_append (data, big);
  g_string_append (data, "{}\n");

  for (gsize chunk = 1; chunk <= 4099; chunk += 1366)
    {
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;
      g_autofree char *third = NULL;
      g_autofree char *end = NULL;
      gsize length = 0;

      stream = trickle_stream_new (data->str, data->len, chunk);
      g_clear_object (&reader);
      reader = rc_frame_reader_new (stream);
      g_clear_object (&stream);

      first = rc_frame_reader_read (reader, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (first, ==, "{\"type\":\"hello\",\"name\":\"Zoë\"}");

      second = rc_frame_reader_read (reader, &length, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (length, ==, RC_FRAME_MAX_SIZE - 1);

      third = rc_frame_reader_read (reader, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (third, ==, "{}");

      end = rc_frame_reader_read (reader, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_null (end);
    }
}

static void
test_reader_invalid_utf8 (void)
{
  const char data[] = "{\"type\":\"\xff\xfe\"}\n{\"type\":\"ping\"}\n";
  const char nul[] = "{\"type\"\0:1}\n";
  g_autoptr(RcFrameReader) reader = reader_for (data, sizeof data - 1);
  g_autoptr(RcFrameReader) nul_reader = reader_for (nul, sizeof nul - 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *nul_line = NULL;

  line = rc_frame_reader_read (reader, NULL, NULL, &error);
  g_assert_error (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_INVALID_UTF8);
  g_assert_null (line);
  g_clear_error (&error);

  nul_line = rc_frame_reader_read (nul_reader, NULL, NULL, &error);
  g_assert_error (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_INVALID_UTF8);
  g_assert_null (nul_line);
}

static void
test_reader_truncated (void)
{
  const char data[] = "{\"type\":\"ping\"}\n{\"type\":";
  g_autoptr(RcFrameReader) reader = reader_for (data, strlen (data));
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  first = rc_frame_reader_read (reader, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "{\"type\":\"ping\"}");

  second = rc_frame_reader_read (reader, NULL, NULL, &error);
  g_assert_error (error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TRUNCATED);
  g_assert_null (second);
}

typedef struct
{
  GMainLoop *loop;
  GPtrArray *lines;
  GError    *error;
  gboolean   ended;
} AsyncState;

static void
read_async_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncState *state = user_data;
  RcFrameReader *reader = RC_FRAME_READER (source);
  char *line = rc_frame_reader_read_finish (reader, result, NULL, &state->error);

  if (line == NULL)
    {
      state->ended = state->error == NULL;
      g_main_loop_quit (state->loop);
      return;
    }

  g_ptr_array_add (state->lines, line);
  rc_frame_reader_read_async (reader, G_PRIORITY_DEFAULT, NULL, read_async_cb, state);
}

static void
test_reader_async (void)
{
  g_autofree char *big = line_of_length (RC_FRAME_MAX_SIZE);
  g_autofree char *data = g_strconcat ("one\n", big, "two\n", NULL);
  g_autofree char *too_long = line_of_length (RC_FRAME_MAX_SIZE + 1);
  g_autoptr(GInputStream) stream = trickle_stream_new (data, strlen (data), 1000);
  g_autoptr(RcFrameReader) reader = rc_frame_reader_new (stream);
  g_autoptr(RcFrameReader) long_reader = reader_for (too_long, RC_FRAME_MAX_SIZE + 1);
  AsyncState state = { 0 };

  state.loop = g_main_loop_new (NULL, FALSE);
  state.lines = g_ptr_array_new_with_free_func (g_free);

  rc_frame_reader_read_async (reader, G_PRIORITY_DEFAULT, NULL, read_async_cb, &state);
  g_main_loop_run (state.loop);

  g_assert_no_error (state.error);
  g_assert_true (state.ended);
  g_assert_cmpuint (state.lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (state.lines, 0), ==, "one");
  g_assert_cmpuint (strlen (g_ptr_array_index (state.lines, 1)), ==, RC_FRAME_MAX_SIZE - 1);
  g_assert_cmpstr (g_ptr_array_index (state.lines, 2), ==, "two");

  g_ptr_array_set_size (state.lines, 0);
  rc_frame_reader_read_async (long_reader, G_PRIORITY_DEFAULT, NULL, read_async_cb, &state);
  g_main_loop_run (state.loop);
  g_assert_error (state.error, RC_FRAME_READER_ERROR, RC_FRAME_READER_ERROR_TOO_LONG);
  g_assert_cmpuint (state.lines->len, ==, 0);

  g_clear_error (&state.error);
  g_ptr_array_unref (state.lines);
  g_main_loop_unref (state.loop);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/frame-reader/lines", test_reader_lines);
  g_test_add_func ("/frame-reader/exact-limit", test_reader_exact_limit);
  g_test_add_func ("/frame-reader/over-limit", test_reader_over_limit);
  g_test_add_func ("/frame-reader/huge-line-bounded", test_reader_huge_line_bounded);
  g_test_add_func ("/frame-reader/split-reads", test_reader_split_reads);
  g_test_add_func ("/frame-reader/invalid-utf8", test_reader_invalid_utf8);
  g_test_add_func ("/frame-reader/truncated", test_reader_truncated);
  g_test_add_func ("/frame-reader/async", test_reader_async);

  return g_test_run ();
}
