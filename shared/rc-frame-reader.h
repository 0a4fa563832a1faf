/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* docs/protocol.md section 2: a frame is at most this many bytes, its "\n" included. */
#define RC_FRAME_MAX_SIZE 65536

#define RC_FRAME_READER_ERROR (rc_frame_reader_error_quark ())

typedef enum
{
  RC_FRAME_READER_ERROR_TOO_LONG,     /* RC_FRAME_MAX_SIZE bytes without a "\n" */
  RC_FRAME_READER_ERROR_INVALID_UTF8, /* the line is not UTF-8, or holds a NUL */
  RC_FRAME_READER_ERROR_TRUNCATED,    /* the stream ended inside a line */
} RcFrameReaderError;

#define RC_TYPE_FRAME_READER (rc_frame_reader_get_type ())

G_DECLARE_FINAL_TYPE (RcFrameReader, rc_frame_reader, RC, FRAME_READER, GObject)

GQuark         rc_frame_reader_error_quark (void);

RcFrameReader *rc_frame_reader_new         (GInputStream         *stream);
GInputStream  *rc_frame_reader_get_stream  (RcFrameReader        *self);
void           rc_frame_reader_set_check_utf8 (RcFrameReader     *self,
                                            gboolean              check);
const char    *rc_frame_reader_read_line   (RcFrameReader        *self,
                                            gsize                *length,
                                            GCancellable         *cancellable,
                                            GError              **error);
void           rc_frame_reader_release     (RcFrameReader        *self);
gboolean       rc_frame_reader_has_buffered (RcFrameReader       *self);
char          *rc_frame_reader_read        (RcFrameReader        *self,
                                            gsize                *length,
                                            GCancellable         *cancellable,
                                            GError              **error);
void           rc_frame_reader_read_async  (RcFrameReader        *self,
                                            int                   io_priority,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char          *rc_frame_reader_read_finish (RcFrameReader        *self,
                                            GAsyncResult         *result,
                                            gsize                *length,
                                            GError              **error);

G_END_DECLS
