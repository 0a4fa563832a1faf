/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JSON as docs/protocol.md section 2 defines it for a frame: RFC 8259
 * exactly (numbers, strings, escapes, surrogate pairs, white space), one
 * object and nothing after it, at most RC_JSON_MAX_DEPTH arrays or objects
 * deep, no member name twice in one object. The checker works in one pass
 * without recursion, so no input can exhaust a thread's stack; what it has
 * checked is then read in place, member by member, without a tree. */

#define RC_JSON_MAX_DEPTH 16

#define RC_JSON_ERROR (rc_json_error_quark ())

typedef enum
{
  RC_JSON_ERROR_SYNTAX,        /* not RFC 8259 JSON */
  RC_JSON_ERROR_NOT_OBJECT,    /* valid, but not a single object */
  RC_JSON_ERROR_TOO_DEEP,      /* more than RC_JSON_MAX_DEPTH levels */
  RC_JSON_ERROR_DUPLICATE,     /* a member name twice in one object */
} RcJsonError;

typedef enum
{
  RC_JSON_NULL,
  RC_JSON_FALSE,
  RC_JSON_TRUE,
  RC_JSON_NUMBER,
  RC_JSON_STRING,
  RC_JSON_ARRAY,
  RC_JSON_OBJECT,
} RcJsonKind;

/* A value inside checked text. A string's span leaves out its quotes. */
typedef struct
{
  RcJsonKind  kind;
  const char *start;
  const char *end;
  gboolean    escaped;    /* a string with at least one backslash */
} RcJsonValue;

/* Walks the members of a checked object. */
typedef struct
{
  const char *next;
  const char *end;
} RcJsonIter;

typedef struct _RcJsonChecker RcJsonChecker;

GQuark         rc_json_error_quark            (void);

RcJsonChecker *rc_json_checker_new            (void);
void           rc_json_checker_free           (RcJsonChecker      *self);
gboolean       rc_json_checker_check_object   (RcJsonChecker      *self,
                                               const char         *text,
                                               gsize               length,
                                               RcJsonValue        *object,
                                               GError            **error);

void           rc_json_iter_init              (RcJsonIter         *iter,
                                               const RcJsonValue  *object);
gboolean       rc_json_iter_next              (RcJsonIter         *iter,
                                               RcJsonValue        *name,
                                               RcJsonValue        *value);

gboolean       rc_json_string_equal           (const RcJsonValue  *string,
                                               const char         *text);
char          *rc_json_string_dup             (const RcJsonValue  *string,
                                               gsize              *length);
gboolean       rc_json_number_get_int64       (const RcJsonValue  *number,
                                               gint64             *out);

void           rc_json_append_string          (GString            *out,
                                               const char         *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcJsonChecker, rc_json_checker_free)

G_END_DECLS
