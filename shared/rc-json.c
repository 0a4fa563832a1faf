/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-protocol"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rc-json.h"

/* The checker is a loop over a small state machine with an explicit stack
 * of RC_JSON_MAX_DEPTH containers: its stack use is the same whatever the
 * input. Member names are remembered per object, while it is open, to find
 * a name said twice; names are compared as the strings they decode to, so
 * "a" and "\u0061" are the same name. The checker keeps its memory between
 * documents (a connection checks thousands) and gives back what one large
 * document made it take. */

#define KEEP_KEYS 64
#define KEEP_DECODED 4096
#define PAIRWISE_KEYS 12

G_DEFINE_QUARK (rc-json-error-quark, rc_json_error)

typedef struct
{
  guint32 offset;    /* of the name's first byte, after the quote */
  guint32 length;    /* of the name as written */
  guint32 hash;      /* of the decoded name */
  guint32 escaped;
} Key;

typedef enum
{
  EXPECT_VALUE,
  EXPECT_VALUE_OR_CLOSE,   /* just after [ */
  EXPECT_KEY,
  EXPECT_KEY_OR_CLOSE,     /* just after { */
  AFTER_VALUE,
} State;

typedef struct
{
  gboolean is_object;
  guint    key_base;       /* this object's first name in keys */
} Container;

struct _RcJsonChecker
{
  GArray     *keys;        /* Key */
  GByteArray *decoded[2];  /* names decoded for comparing */
  const char *text;        /* the document being checked */
  guint       peak_keys;   /* what this document made the scratch hold */
  gsize       peak_decoded;
};

RcJsonChecker *
rc_json_checker_new (void)
{
  RcJsonChecker *self = g_new0 (RcJsonChecker, 1);

  self->keys = g_array_sized_new (FALSE, FALSE, sizeof (Key), 16);
  self->decoded[0] = g_byte_array_new ();
  self->decoded[1] = g_byte_array_new ();
  return self;
}

void
rc_json_checker_free (RcJsonChecker *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->keys);
  g_byte_array_unref (self->decoded[0]);
  g_byte_array_unref (self->decoded[1]);
  g_free (self);
}

static gboolean
syntax_error (GError     **error,
              const char  *text,
              const char  *at,
              const char  *what)
{
  g_set_error (error, RC_JSON_ERROR, RC_JSON_ERROR_SYNTAX,
               "Not valid JSON at byte %" G_GSIZE_FORMAT ": %s", (gsize) (at - text), what);
  return FALSE;
}

/* Characters ---------------------------------------------------------------- */

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && is_space (*p))
    p++;
  return p;
}

static inline int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits after "\u"; -1 if they are not. */
static inline int
read_hex4 (const char *p,
           const char *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* Length of the UTF-8 sequence at @p (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 if it is not one. */
static inline gsize
utf8_sequence_length (const guchar *p,
                      const guchar *end)
{
  guchar c = p[0];

  if (c >= 0xc2 && c <= 0xdf)
    return end - p >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;

  if (c >= 0xe0 && c <= 0xef)
    {
      guchar low = c == 0xe0 ? 0xa0 : 0x80;
      guchar high = c == 0xed ? 0x9f : 0xbf;

      return end - p >= 3 && p[1] >= low && p[1] <= high && (p[2] & 0xc0) == 0x80 ? 3 : 0;
    }

  if (c >= 0xf0 && c <= 0xf4)
    {
      guchar low = c == 0xf0 ? 0x90 : 0x80;
      guchar high = c == 0xf4 ? 0x8f : 0xbf;

      return end - p >= 4 && p[1] >= low && p[1] <= high &&
             (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
    }

  return 0;
}

/* Strings ------------------------------------------------------------------- */

/* Checks the string whose opening quote is at *@p and moves *@p past its
 * closing quote. */
static gboolean
scan_string (const char  *text,
             const char **p,
             const char  *end,
             gboolean    *escaped,
             GError     **error)
{
  const char *s = *p + 1;

  *escaped = FALSE;
  for (;;)
    {
      guchar c;

      /* The common case: a run of printable ASCII. */
      while (s < end && (guchar) *s >= 0x20 && (guchar) *s < 0x80 && *s != '"' && *s != '\\')
        s++;

      if (s >= end)
        return syntax_error (error, text, s, "unterminated string");

      c = (guchar) *s;
      if (c == '"')
        {
          *p = s + 1;
          return TRUE;
        }
      if (c < 0x20)
        return syntax_error (error, text, s, "control character in a string");

      if (c == '\\')
        {
          *escaped = TRUE;
          if (s + 1 >= end)
            return syntax_error (error, text, s, "unterminated string");
          switch (s[1])
            {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
              s += 2;
              break;

            case 'u':
              {
                int unit = read_hex4 (s + 2, end);

                if (unit < 0)
                  return syntax_error (error, text, s, "\\u without four hex digits");
                if (unit >= 0xdc00 && unit <= 0xdfff)
                  return syntax_error (error, text, s, "lone low surrogate");
                if (unit >= 0xd800 && unit <= 0xdbff)
                  {
                    int low;

                    if (end - s < 12 || s[6] != '\\' || s[7] != 'u' ||
                        (low = read_hex4 (s + 8, end)) < 0xdc00 || low > 0xdfff)
                      return syntax_error (error, text, s, "high surrogate without a low one");
                    s += 12;
                  }
                else
                  s += 6;
              }
              break;

            default:
              return syntax_error (error, text, s, "unknown escape");
            }
          continue;
        }

      {
        gsize length = utf8_sequence_length ((const guchar *) s, (const guchar *) end);

        if (length == 0)
          return syntax_error (error, text, s, "invalid UTF-8");
        s += length;
      }
    }
}

/* Writes the code point @c in UTF-8. */
static void
append_utf8 (GByteArray *out,
             guint32     c)
{
  guint8 bytes[4];
  guint n;

  if (c < 0x80)
    {
      bytes[0] = (guint8) c;
      n = 1;
    }
  else if (c < 0x800)
    {
      bytes[0] = (guint8) (0xc0 | (c >> 6));
      bytes[1] = (guint8) (0x80 | (c & 0x3f));
      n = 2;
    }
  else if (c < 0x10000)
    {
      bytes[0] = (guint8) (0xe0 | (c >> 12));
      bytes[1] = (guint8) (0x80 | ((c >> 6) & 0x3f));
      bytes[2] = (guint8) (0x80 | (c & 0x3f));
      n = 3;
    }
  else
    {
      bytes[0] = (guint8) (0xf0 | (c >> 18));
      bytes[1] = (guint8) (0x80 | ((c >> 12) & 0x3f));
      bytes[2] = (guint8) (0x80 | ((c >> 6) & 0x3f));
      bytes[3] = (guint8) (0x80 | (c & 0x3f));
      n = 4;
    }
  g_byte_array_append (out, bytes, n);
}

/* Decodes the checked string body [@start, @end) into @out. */
static void
decode_string (const char *start,
               const char *end,
               GByteArray *out)
{
  const char *s = start;

  g_byte_array_set_size (out, 0);
  while (s < end)
    {
      const char *plain = s;
      guint8 byte;

      while (s < end && *s != '\\')
        s++;
      g_byte_array_append (out, (const guint8 *) plain, (guint) (s - plain));
      if (s >= end)
        break;

      switch (s[1])
        {
        case 'b': byte = '\b'; break;
        case 'f': byte = '\f'; break;
        case 'n': byte = '\n'; break;
        case 'r': byte = '\r'; break;
        case 't': byte = '\t'; break;
        case 'u':
          {
            guint32 unit = (guint32) read_hex4 (s + 2, end);

            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                guint32 low = (guint32) read_hex4 (s + 8, end);

                append_utf8 (out, 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
                s += 12;
              }
            else
              {
                append_utf8 (out, unit);
                s += 6;
              }
          }
          continue;
        default:
          byte = (guint8) s[1];   /* " \ / */
          break;
        }
      g_byte_array_append (out, &byte, 1);
      s += 2;
    }
}

/* Numbers and literals ------------------------------------------------------ */

static inline gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
scan_number (const char  *text,
             const char **p,
             const char  *end,
             GError     **error)
{
  const char *s = *p;

  if (*s == '-')
    s++;
  if (s >= end || !is_digit (*s))
    return syntax_error (error, text, s, "a number needs a digit");
  if (*s == '0')
    s++;
  else
    while (s < end && is_digit (*s))
      s++;

  if (s < end && *s == '.')
    {
      s++;
      if (s >= end || !is_digit (*s))
        return syntax_error (error, text, s, "a digit must follow the decimal point");
      while (s < end && is_digit (*s))
        s++;
    }

  if (s < end && (*s == 'e' || *s == 'E'))
    {
      s++;
      if (s < end && (*s == '+' || *s == '-'))
        s++;
      if (s >= end || !is_digit (*s))
        return syntax_error (error, text, s, "an exponent needs a digit");
      while (s < end && is_digit (*s))
        s++;
    }

  *p = s;
  return TRUE;
}

static gboolean
scan_literal (const char  *text,
              const char **p,
              const char  *end,
              GError     **error)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize length = strlen (literals[i]);

      if ((gsize) (end - *p) >= length && memcmp (*p, literals[i], length) == 0)
        {
          *p += length;
          return TRUE;
        }
    }

  return syntax_error (error, text, *p, "unexpected character");
}

/* Member names -------------------------------------------------------------- */

static guint32
hash_bytes (const guint8 *data,
            gsize         length)
{
  guint32 hash = 2166136261u;

  for (gsize i = 0; i < length; i++)
    hash = (hash ^ data[i]) * 16777619u;
  return hash;
}

static void
add_key (RcJsonChecker *self,
         const char    *start,
         const char    *end,
         gboolean       escaped)
{
  Key key;

  key.offset = (guint32) (start - self->text);
  key.length = (guint32) (end - start);
  key.escaped = escaped;
  if (escaped)
    {
      decode_string (start, end, self->decoded[0]);
      self->peak_decoded = MAX (self->peak_decoded, self->decoded[0]->len);
      key.hash = hash_bytes (self->decoded[0]->data, self->decoded[0]->len);
    }
  else
    key.hash = hash_bytes ((const guint8 *) start, (gsize) (end - start));

  g_array_append_val (self->keys, key);
  self->peak_keys = MAX (self->peak_keys, self->keys->len);
}

static gboolean
keys_equal (RcJsonChecker *self,
            const Key     *a,
            const Key     *b)
{
  const char *text_a = self->text + a->offset;
  const char *text_b = self->text + b->offset;

  if (a->hash != b->hash)
    return FALSE;
  if (!a->escaped && !b->escaped)
    return a->length == b->length && memcmp (text_a, text_b, a->length) == 0;

  decode_string (text_a, text_a + a->length, self->decoded[0]);
  decode_string (text_b, text_b + b->length, self->decoded[1]);
  self->peak_decoded = MAX (self->peak_decoded, MAX (self->decoded[0]->len, self->decoded[1]->len));
  return self->decoded[0]->len == self->decoded[1]->len &&
         memcmp (self->decoded[0]->data, self->decoded[1]->data, self->decoded[0]->len) == 0;
}

static int
compare_hashes (gconstpointer a,
                gconstpointer b)
{
  guint32 x = ((const Key *) a)->hash;
  guint32 y = ((const Key *) b)->hash;

  return x < y ? -1 : x > y;
}

/* Looks for a name said twice among the names of the object that is
 * closing, then forgets them. */
static gboolean
check_keys (RcJsonChecker  *self,
            guint           base,
            GError        **error)
{
  Key *keys = &g_array_index (self->keys, Key, base);
  guint n = self->keys->len - base;
  gboolean duplicate = FALSE;

  if (n <= PAIRWISE_KEYS)
    {
      for (guint i = 0; i < n && !duplicate; i++)
        for (guint j = i + 1; j < n && !duplicate; j++)
          duplicate = keys_equal (self, &keys[i], &keys[j]);
    }
  else
    {
      /* Sorted by hash, equal names are next to each other; runs of
       * colliding hashes are compared pairwise. */
      qsort (keys, n, sizeof (Key), compare_hashes);
      for (guint i = 0; i < n && !duplicate; i++)
        for (guint j = i + 1; j < n && keys[j].hash == keys[i].hash && !duplicate; j++)
          duplicate = keys_equal (self, &keys[i], &keys[j]);
    }

  g_array_set_size (self->keys, base);

  if (duplicate)
    {
      g_set_error_literal (error, RC_JSON_ERROR, RC_JSON_ERROR_DUPLICATE,
                           "A member name appears twice in one object");
      return FALSE;
    }
  return TRUE;
}

/* Checking ------------------------------------------------------------------ */

/* Forgets the document, and gives back memory a large one made the
 * checker take. */
static void
release_scratch (RcJsonChecker *self)
{
  g_array_set_size (self->keys, 0);
  if (self->peak_keys > KEEP_KEYS)
    {
      g_array_unref (self->keys);
      self->keys = g_array_sized_new (FALSE, FALSE, sizeof (Key), 16);
    }
  if (self->peak_decoded > KEEP_DECODED)
    for (guint i = 0; i < G_N_ELEMENTS (self->decoded); i++)
      {
        g_byte_array_unref (self->decoded[i]);
        self->decoded[i] = g_byte_array_new ();
      }
  self->peak_keys = 0;
  self->peak_decoded = 0;
  self->text = NULL;
}

static gboolean
check (RcJsonChecker  *self,
       const char     *text,
       gsize           length,
       RcJsonValue    *object,
       GError        **error)
{
  const char *end = text + length;
  const char *p = skip_space (text, end);
  Container stack[RC_JSON_MAX_DEPTH];
  guint depth = 0;
  State state;

  if (p >= end || *p != '{')
    {
      if (p < end && (*p == '[' || *p == '"' || *p == '-' || is_digit (*p) || *p == 't' || *p == 'f' || *p == 'n'))
        g_set_error_literal (error, RC_JSON_ERROR, RC_JSON_ERROR_NOT_OBJECT, "Not a JSON object");
      else
        syntax_error (error, text, p, "expected an object");
      return FALSE;
    }

  object->kind = RC_JSON_OBJECT;
  object->start = p;
  object->escaped = FALSE;
  stack[depth++] = (Container) { TRUE, 0 };
  p++;
  state = EXPECT_KEY_OR_CLOSE;

  for (;;)
    {
      p = skip_space (p, end);

      if (state == AFTER_VALUE && depth == 0)
        break;
      if (p >= end)
        return syntax_error (error, text, p, "the text ends inside the object");

      switch (state)
        {
        case EXPECT_KEY_OR_CLOSE:
          if (*p == '}')
            {
              depth--;
              p++;
              state = AFTER_VALUE;
              if (depth == 0)
                object->end = p;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case EXPECT_KEY:
          {
            const char *name = p;
            gboolean escaped;

            if (*p != '"')
              return syntax_error (error, text, p, "expected a member name");
            if (!scan_string (text, &p, end, &escaped, error))
              return FALSE;
            add_key (self, name + 1, p - 1, escaped);

            p = skip_space (p, end);
            if (p >= end || *p != ':')
              return syntax_error (error, text, p, "expected ':' after a member name");
            p++;
            state = EXPECT_VALUE;
          }
          break;

        case EXPECT_VALUE_OR_CLOSE:
          if (*p == ']')
            {
              depth--;
              p++;
              state = AFTER_VALUE;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case EXPECT_VALUE:
          switch (*p)
            {
            case '{':
            case '[':
              if (depth == RC_JSON_MAX_DEPTH)
                {
                  g_set_error (error, RC_JSON_ERROR, RC_JSON_ERROR_TOO_DEEP,
                               "More than %d arrays or objects nested", RC_JSON_MAX_DEPTH);
                  return FALSE;
                }
              stack[depth].is_object = *p == '{';
              stack[depth].key_base = self->keys->len;
              state = *p == '{' ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
              depth++;
              p++;
              break;

            case '"':
              {
                gboolean escaped;

                if (!scan_string (text, &p, end, &escaped, error))
                  return FALSE;
                state = AFTER_VALUE;
              }
              break;

            case '-': case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
              if (!scan_number (text, &p, end, error))
                return FALSE;
              state = AFTER_VALUE;
              break;

            default:
              if (!scan_literal (text, &p, end, error))
                return FALSE;
              state = AFTER_VALUE;
              break;
            }
          break;

        case AFTER_VALUE:
          {
            Container *top = &stack[depth - 1];

            if (*p == ',')
              {
                p++;
                state = top->is_object ? EXPECT_KEY : EXPECT_VALUE;
              }
            else if (*p == (top->is_object ? '}' : ']'))
              {
                if (top->is_object && !check_keys (self, top->key_base, error))
                  return FALSE;
                depth--;
                p++;
                if (depth == 0)
                  object->end = p;
              }
            else
              return syntax_error (error, text, p, "expected ',' or the end of the array or object");
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (p != end)
    return syntax_error (error, text, p, "text after the object");
  return TRUE;
}

/**
 * rc_json_checker_check_object:
 * @text: the document, need not end in a NUL
 * @object: (out): the object, to read with rc_json_iter_init()
 *
 * Checks that @text is exactly one JSON object as docs/protocol.md section 2
 * defines it. @object points into @text.
 */
gboolean
rc_json_checker_check_object (RcJsonChecker  *self,
                              const char     *text,
                              gsize           length,
                              RcJsonValue    *object,
                              GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  self->text = text != NULL ? text : "";
  ok = check (self, self->text, length, object, error);
  release_scratch (self);
  return ok;
}

/* Reading checked text ------------------------------------------------------ */

/* The end of the checked value that starts at @p. */
static const char *
value_end (const char *p,
           const char *end,
           RcJsonKind *kind,
           gboolean   *escaped)
{
  *escaped = FALSE;
  switch (*p)
    {
    case '"':
      *kind = RC_JSON_STRING;
      for (p++; *p != '"'; p++)
        if (*p == '\\')
          {
            *escaped = TRUE;
            p++;
          }
      return p + 1;

    case '{':
    case '[':
      {
        guint depth = 0;

        *kind = *p == '{' ? RC_JSON_OBJECT : RC_JSON_ARRAY;
        for (; p < end; p++)
          {
            if (*p == '"')
              {
                for (p++; *p != '"'; p++)
                  if (*p == '\\')
                    p++;
              }
            else if (*p == '{' || *p == '[')
              depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0)
              return p + 1;
          }
        g_assert_not_reached ();
      }

    case 't':
      *kind = RC_JSON_TRUE;
      return p + 4;
    case 'f':
      *kind = RC_JSON_FALSE;
      return p + 5;
    case 'n':
      *kind = RC_JSON_NULL;
      return p + 4;

    default:
      *kind = RC_JSON_NUMBER;
      while (p < end && !is_space (*p) && *p != ',' && *p != '}' && *p != ']')
        p++;
      return p;
    }
}

/**
 * rc_json_iter_init:
 * @object: an object checked by rc_json_checker_check_object(), or one of
 *   its members that is an object
 */
void
rc_json_iter_init (RcJsonIter        *iter,
                   const RcJsonValue *object)
{
  g_return_if_fail (object->kind == RC_JSON_OBJECT);

  iter->next = object->start + 1;
  iter->end = object->end - 1;
}

/* Gives the next member's @name (a string) and @value; FALSE after the last. */
gboolean
rc_json_iter_next (RcJsonIter  *iter,
                   RcJsonValue *name,
                   RcJsonValue *value)
{
  const char *p = skip_space (iter->next, iter->end);
  const char *value_start;

  if (p < iter->end && *p == ',')
    p = skip_space (p + 1, iter->end);
  if (p >= iter->end)
    return FALSE;

  name->start = p + 1;
  p = value_end (p, iter->end, &name->kind, &name->escaped);
  name->end = p - 1;

  p = skip_space (p, iter->end);
  p = skip_space (p + 1, iter->end);   /* the ':' */

  value_start = p;
  p = value_end (p, iter->end, &value->kind, &value->escaped);
  if (value->kind == RC_JSON_STRING)
    {
      value->start = value_start + 1;
      value->end = p - 1;
    }
  else
    {
      value->start = value_start;
      value->end = p;
    }

  iter->next = p;
  return TRUE;
}

/* Whether the string decodes to @text. */
gboolean
rc_json_string_equal (const RcJsonValue *string,
                      const char        *text)
{
  gsize length = strlen (text);
  g_autoptr(GByteArray) decoded = NULL;

  g_return_val_if_fail (string->kind == RC_JSON_STRING, FALSE);

  if (!string->escaped)
    return (gsize) (string->end - string->start) == length && memcmp (string->start, text, length) == 0;

  decoded = g_byte_array_new ();
  decode_string (string->start, string->end, decoded);
  return decoded->len == length && memcmp (decoded->data, text, length) == 0;
}

/**
 * rc_json_string_dup:
 * @length: (out) (optional): the decoded length
 *
 * Returns: (nullable): the decoded string, or %NULL when it holds a NUL
 *   (written "\u0000"), which no string the protocol reads may hold
 */
char *
rc_json_string_dup (const RcJsonValue *string,
                    gsize             *length)
{
  GByteArray *decoded;
  guint8 nul = 0;

  g_return_val_if_fail (string->kind == RC_JSON_STRING, NULL);

  if (!string->escaped)
    {
      if (length != NULL)
        *length = (gsize) (string->end - string->start);
      return g_strndup (string->start, (gsize) (string->end - string->start));
    }

  decoded = g_byte_array_sized_new ((guint) (string->end - string->start) + 1);
  decode_string (string->start, string->end, decoded);
  if (memchr (decoded->data, '\0', decoded->len) != NULL)
    {
      g_byte_array_unref (decoded);
      return NULL;
    }
  if (length != NULL)
    *length = decoded->len;
  g_byte_array_append (decoded, &nul, 1);
  return (char *) g_byte_array_free (decoded, FALSE);
}

/**
 * rc_json_number_get_int64:
 *
 * Reads a number written as an integer (no fraction, no exponent) that
 * fits in 64 bits. Returns %FALSE for any other number.
 */
gboolean
rc_json_number_get_int64 (const RcJsonValue *number,
                          gint64            *out)
{
  const char *p = number->start;
  gboolean negative = FALSE;
  guint64 value = 0;
  guint64 limit;

  g_return_val_if_fail (number->kind == RC_JSON_NUMBER, FALSE);

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;

  for (; p < number->end; p++)
    {
      guint digit;

      if (!is_digit (*p))
        return FALSE;
      digit = (guint) (*p - '0');
      if (value > (limit - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }

  *out = negative ? (gint64) (0 - value) : (gint64) value;
  return TRUE;
}

/* Writing ------------------------------------------------------------------- */

/**
 * rc_json_append_string:
 * @text: UTF-8
 *
 * Appends @text to @out as a JSON string, quotes included.
 */
void
rc_json_append_string (GString    *out,
                       const char *text)
{
  static const char hex[] = "0123456789abcdef";
  const char *plain = text;
  const char *p;

  g_string_append_c (out, '"');
  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, plain, p - plain);
      plain = p + 1;
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
          break;
        }
    }
  g_string_append_len (out, plain, p - plain);
  g_string_append_c (out, '"');
}
