/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-protocol"

#include "config.h"

#include <string.h>

#include "rc-frame.h"

/* Frames are checked by rc-json.c and then read member by member, in place:
 * parsing a message allocates nothing but what the frame keeps, and a
 * relay can keep the ciphertext as the base64 text that came in. Frames
 * are written here too, without a JSON tree.
 *
 * The X25519 public key size; rc-crypto.h has it too, but frames must not
 * depend on the crypto code. */
#define EPHEMERAL_SIZE 32

static const char * const frame_type_names[] = {
  [RC_FRAME_UNKNOWN] = NULL,
  [RC_FRAME_HELLO] = "hello",
  [RC_FRAME_WELCOME] = "welcome",
  [RC_FRAME_ERROR] = "error",
  [RC_FRAME_CREATE] = "create",
  [RC_FRAME_CREATED] = "created",
  [RC_FRAME_JOIN] = "join",
  [RC_FRAME_PAIRED] = "paired",
  [RC_FRAME_LEAVE] = "leave",
  [RC_FRAME_LEFT] = "left",
  [RC_FRAME_PEER_LEFT] = "peer-left",
  [RC_FRAME_MESSAGE] = "message",
  [RC_FRAME_RELAYED] = "relayed",
  [RC_FRAME_PING] = "ping",
  [RC_FRAME_PONG] = "pong",
  [RC_FRAME_RESUME] = "resume",
  [RC_FRAME_RESUMED] = "resumed",
  [RC_FRAME_PEER_AWAY] = "peer-away",
  [RC_FRAME_PEER_BACK] = "peer-back",
};

G_STATIC_ASSERT (G_N_ELEMENTS (frame_type_names) == RC_FRAME_LAST + 1);

void
rc_frame_init (RcFrame     *frame,
               RcFrameType  type)
{
  memset (frame, 0, sizeof *frame);
  frame->type = type;
  frame->type_name = frame_type_names[type];
  frame->seq = -1;
  frame->resume_seconds = -1;
  frame->seconds = -1;
  frame->attempts_left = -1;
  frame->retry_after = -1;
  frame->code = RC_PROTOCOL_ERROR_UNKNOWN;
}

RcFrame *
rc_frame_new (RcFrameType type)
{
  RcFrame *frame = g_new (RcFrame, 1);

  rc_frame_init (frame, type);
  return frame;
}

/**
 * rc_frame_new_error:
 * @message: (nullable): English text; %NULL for the code's default text
 */
RcFrame *
rc_frame_new_error (RcProtocolError  code,
                    const char      *message)
{
  RcFrame *frame = rc_frame_new (RC_FRAME_ERROR);

  frame->code = code;
  frame->code_name = g_strdup (rc_protocol_error_to_code (code));
  frame->message = g_strdup (message != NULL ? message : rc_protocol_error_default_text (code));

  return frame;
}

void
rc_key_material_clear (RcKeyMaterial *keys)
{
  g_clear_pointer (&keys->identity, g_bytes_unref);
  g_clear_pointer (&keys->ephemeral, g_bytes_unref);
  g_clear_pointer (&keys->signature, g_bytes_unref);
}

void
rc_key_material_copy (RcKeyMaterial       *dest,
                      const RcKeyMaterial *src)
{
  rc_key_material_clear (dest);
  dest->identity = src->identity != NULL ? g_bytes_ref (src->identity) : NULL;
  dest->ephemeral = src->ephemeral != NULL ? g_bytes_ref (src->ephemeral) : NULL;
  dest->signature = src->signature != NULL ? g_bytes_ref (src->signature) : NULL;
}

/* Frees what @frame owns and leaves it empty, of type RC_FRAME_UNKNOWN. */
void
rc_frame_clear (RcFrame *frame)
{
  g_free (frame->unknown_type);
  g_free (frame->name);
  if (frame->password != NULL)
    {
      memset (frame->password, 0, strlen (frame->password));
      g_free (frame->password);
    }
  g_free (frame->server);
  g_free (frame->room);
  rc_key_material_clear (&frame->keys);
  g_clear_pointer (&frame->resume_token, g_bytes_unref);
  g_free (frame->peer_name);
  rc_key_material_clear (&frame->peer_keys);
  g_clear_pointer (&frame->ciphertext, g_bytes_unref);
  g_free (frame->owned_base64);
  g_free (frame->sent_at);
  g_free (frame->reason);
  g_free (frame->code_name);
  g_free (frame->message);
  rc_frame_init (frame, RC_FRAME_UNKNOWN);
}

void
rc_frame_free (RcFrame *frame)
{
  if (frame == NULL)
    return;

  rc_frame_clear (frame);
  g_free (frame);
}

const char *
rc_frame_type_to_string (RcFrameType type)
{
  g_return_val_if_fail (type <= RC_FRAME_LAST, NULL);

  return frame_type_names[type];
}

/* Base64 ------------------------------------------------------------------ */

/* One more than each character's value in the alphabet of RFC 4648
 * section 4 (1 to 64); 0 for every other byte. */
static const guint8 base64_values[256] = {
  ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
  ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
  ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
  ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
  ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
  ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
  ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
  ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/**
 * rc_base64_check:
 * @decoded_size: (out) (optional): how many bytes @text decodes to
 *
 * Whether @text is standard base64 with padding (RFC 4648 section 4) in
 * its one canonical form: only the alphabet, padding only at the end, no
 * white space, and zero in the bits the last character does not use, so
 * that the value encodes back to the very same text.
 */
gboolean
rc_base64_check (const char *text,
                 gsize       length,
                 gsize      *decoded_size)
{
  const guchar *p = (const guchar *) text;
  gsize padding = 0;

  if (length % 4 != 0)
    return FALSE;

  if (length > 0 && p[length - 1] == '=')
    padding = length > 1 && p[length - 2] == '=' ? 2 : 1;

  for (gsize i = 0; i < length - padding; i++)
    if (base64_values[p[i]] == 0)
      return FALSE;

  if (padding == 2 && ((base64_values[p[length - 3]] - 1) & 0x0f) != 0)
    return FALSE;
  if (padding == 1 && ((base64_values[p[length - 2]] - 1) & 0x03) != 0)
    return FALSE;

  if (decoded_size != NULL)
    *decoded_size = length / 4 * 3 - padding;
  return TRUE;
}

/**
 * rc_base64_decode_strict:
 *
 * Decodes what rc_base64_check() accepts, and refuses anything else.
 */
GBytes *
rc_base64_decode_strict (const char  *text,
                         GError     **error)
{
  gsize size = 0;
  gsize decoded_size = 0;
  guchar *decoded;

  g_return_val_if_fail (text != NULL, NULL);

  if (!rc_base64_check (text, strlen (text), &size))
    {
      g_set_error_literal (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_FRAME,
                           "Invalid base64 value");
      return NULL;
    }

  if (size == 0)
    return g_bytes_new (NULL, 0);
  decoded = g_base64_decode (text, &decoded_size);
  g_assert (decoded_size == size);
  return g_bytes_new_take (decoded, decoded_size);
}

/* Parsing ----------------------------------------------------------------- */

/* Every member name a frame of this version reads. */
typedef enum
{
  MEMBER_TYPE,
  MEMBER_VERSION,
  MEMBER_NAME,
  MEMBER_PASSWORD,
  MEMBER_SERVER,
  MEMBER_ROOM,
  MEMBER_IDENTITY,
  MEMBER_EPHEMERAL,
  MEMBER_SIGNATURE,
  MEMBER_ROLE,
  MEMBER_YOUR_TURN,
  MEMBER_PEER,
  MEMBER_SEQ,
  MEMBER_CIPHERTEXT,
  MEMBER_SENT_AT,
  MEMBER_REASON,
  MEMBER_CODE,
  MEMBER_MESSAGE,
  MEMBER_ATTEMPTS_LEFT,
  MEMBER_RETRY_AFTER,
  MEMBER_RESUME_SECONDS,
  MEMBER_RESUME,
  MEMBER_TOKEN,
  MEMBER_RECEIVED,
  MEMBER_RELAYED,
  MEMBER_SECONDS,
  MEMBER_HELD,
  N_MEMBERS
} Member;

/* Names with their lengths, to compare without strlen(). */
#define NAME(text) { text, sizeof text - 1 }

static const struct
{
  const char *text;
  gsize       length;
} member_names[N_MEMBERS] = {
  [MEMBER_TYPE] = NAME ("type"),
  [MEMBER_VERSION] = NAME ("version"),
  [MEMBER_NAME] = NAME ("name"),
  [MEMBER_PASSWORD] = NAME ("password"),
  [MEMBER_SERVER] = NAME ("server"),
  [MEMBER_ROOM] = NAME ("room"),
  [MEMBER_IDENTITY] = NAME ("identity"),
  [MEMBER_EPHEMERAL] = NAME ("ephemeral"),
  [MEMBER_SIGNATURE] = NAME ("signature"),
  [MEMBER_ROLE] = NAME ("role"),
  [MEMBER_YOUR_TURN] = NAME ("your_turn"),
  [MEMBER_PEER] = NAME ("peer"),
  [MEMBER_SEQ] = NAME ("seq"),
  [MEMBER_CIPHERTEXT] = NAME ("ciphertext"),
  [MEMBER_SENT_AT] = NAME ("sent_at"),
  [MEMBER_REASON] = NAME ("reason"),
  [MEMBER_CODE] = NAME ("code"),
  [MEMBER_MESSAGE] = NAME ("message"),
  [MEMBER_ATTEMPTS_LEFT] = NAME ("attempts_left"),
  [MEMBER_RETRY_AFTER] = NAME ("retry_after"),
  [MEMBER_RESUME_SECONDS] = NAME ("resume_seconds"),
  [MEMBER_RESUME] = NAME ("resume"),
  [MEMBER_TOKEN] = NAME ("token"),
  [MEMBER_RECEIVED] = NAME ("received"),
  [MEMBER_RELAYED] = NAME ("relayed"),
  [MEMBER_SECONDS] = NAME ("seconds"),
  [MEMBER_HELD] = NAME ("held"),
};

#undef NAME

/* The members of one object that this version reads; the others are
 * ignored (forward compatibility). */
typedef struct
{
  guint32     present;
  RcJsonValue values[N_MEMBERS];
} Members;

G_STATIC_ASSERT (N_MEMBERS <= 32);

static int
find_member (const RcJsonValue *name)
{
  g_autofree char *decoded = NULL;
  const char *text = name->start;
  gsize length = (gsize) (name->end - name->start);

  if (name->escaped)
    {
      decoded = rc_json_string_dup (name, &length);
      if (decoded == NULL)
        return -1;
      text = decoded;
    }

  for (guint i = 0; i < N_MEMBERS; i++)
    if (member_names[i].length == length && memcmp (member_names[i].text, text, length) == 0)
      return (int) i;

  return -1;
}

static void
collect_members (const RcJsonValue *object,
                 Members           *members)
{
  RcJsonIter iter;
  RcJsonValue name;
  RcJsonValue value;

  members->present = 0;
  rc_json_iter_init (&iter, object);
  while (rc_json_iter_next (&iter, &name, &value))
    {
      int member = find_member (&name);

      if (member >= 0)
        {
          members->present |= 1u << member;
          members->values[member] = value;
        }
    }
}

static gboolean bad_frame (GError     **error,
                           const char  *format,
                           ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_frame (GError     **error,
           const char  *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_FRAME,
                                                format, args));
  va_end (args);
  return FALSE;
}

static const RcJsonValue *
lookup (const Members *members,
        Member         member)
{
  return members->present & (1u << member) ? &members->values[member] : NULL;
}

/* Reads a string member. A missing optional member leaves @out alone; a
 * member of another JSON type is always an error. */
static gboolean
read_string (const Members  *members,
             Member          member,
             gboolean        required,
             char          **out,
             GError        **error)
{
  const RcJsonValue *value = lookup (members, member);
  char *text;

  if (value == NULL && !required)
    return TRUE;
  if (value == NULL || value->kind != RC_JSON_STRING)
    return bad_frame (error, "Member \"%s\" must be a string", member_names[member].text);

  text = rc_json_string_dup (value, NULL);
  if (text == NULL)
    return bad_frame (error, "Member \"%s\" must not hold a NUL character", member_names[member].text);

  g_free (*out);
  *out = text;
  return TRUE;
}

/* Reads an integer member from @min to G_MAXINT64. */
static gboolean
read_integer (const Members  *members,
              Member          member,
              gboolean        required,
              gint64          min,
              gint64         *out,
              GError        **error)
{
  const RcJsonValue *value = lookup (members, member);
  gint64 number;

  if (value == NULL && !required)
    return TRUE;
  if (value == NULL || value->kind != RC_JSON_NUMBER ||
      !rc_json_number_get_int64 (value, &number) || number < min)
    {
      if (min == 0)
        return bad_frame (error, "Member \"%s\" must be a whole number from 0 to 2^63 - 1",
                          member_names[member].text);
      return bad_frame (error, "Member \"%s\" must be a whole number that fits in 64 bits",
                        member_names[member].text);
    }

  *out = number;
  return TRUE;
}

static gboolean
read_boolean (const Members  *members,
              Member          member,
              gboolean        required,
              gboolean       *out,
              GError        **error)
{
  const RcJsonValue *value = lookup (members, member);

  if (value == NULL && !required)
    return TRUE;
  if (value == NULL || (value->kind != RC_JSON_TRUE && value->kind != RC_JSON_FALSE))
    return bad_frame (error, "Member \"%s\" must be true or false", member_names[member].text);

  *out = value->kind == RC_JSON_TRUE;
  return TRUE;
}

static gboolean
read_base64 (const Members  *members,
             Member          member,
             GBytes        **out,
             GError        **error)
{
  g_autofree char *text = NULL;
  GBytes *bytes;

  if (!read_string (members, member, TRUE, &text, error))
    return FALSE;

  bytes = rc_base64_decode_strict (text, NULL);
  if (bytes == NULL)
    return bad_frame (error, "Member \"%s\" is not valid base64", member_names[member].text);

  g_clear_pointer (out, g_bytes_unref);
  *out = bytes;
  return TRUE;
}

/* The ciphertext of a message, checked and measured but kept as text. */
static gboolean
read_base64_in_place (const Members  *members,
                      RcFrame        *frame,
                      GError        **error)
{
  const RcJsonValue *value = lookup (members, MEMBER_CIPHERTEXT);
  const char *text;
  gsize length;

  if (value == NULL || value->kind != RC_JSON_STRING)
    return bad_frame (error, "Member \"%s\" must be a string", "ciphertext");

  text = value->start;
  length = (gsize) (value->end - value->start);
  if (value->escaped)
    {
      /* Base64 needs no escape, but "\/" is valid JSON for "/". */
      g_free (frame->owned_base64);
      frame->owned_base64 = rc_json_string_dup (value, &length);
      text = frame->owned_base64;
      if (text == NULL)
        return bad_frame (error, "Member \"%s\" is not valid base64", "ciphertext");
    }

  if (!rc_base64_check (text, length, &frame->ciphertext_size))
    return bad_frame (error, "Member \"%s\" is not valid base64", "ciphertext");

  frame->ciphertext_base64 = text;
  frame->ciphertext_base64_length = length;
  return TRUE;
}

static gboolean
read_key_material (const Members  *members,
                   RcKeyMaterial  *keys,
                   GError        **error)
{
  if (!read_base64 (members, MEMBER_IDENTITY, &keys->identity, error) ||
      !read_base64 (members, MEMBER_EPHEMERAL, &keys->ephemeral, error) ||
      !read_base64 (members, MEMBER_SIGNATURE, &keys->signature, error))
    return FALSE;

  if (g_bytes_get_size (keys->ephemeral) != EPHEMERAL_SIZE)
    return bad_frame (error, "Member \"%s\" must hold 32 bytes", "ephemeral");
  if (g_bytes_get_size (keys->identity) == 0)
    return bad_frame (error, "Member \"%s\" must not be empty", "identity");
  if (g_bytes_get_size (keys->signature) == 0)
    return bad_frame (error, "Member \"%s\" must not be empty", "signature");

  return TRUE;
}

static gboolean
read_error_frame (const Members  *members,
                  RcFrame        *frame,
                  GError        **error)
{
  if (!read_string (members, MEMBER_CODE, TRUE, &frame->code_name, error) ||
      !read_string (members, MEMBER_MESSAGE, FALSE, &frame->message, error) ||
      !read_integer (members, MEMBER_ATTEMPTS_LEFT, FALSE, 0, &frame->attempts_left, error) ||
      !read_integer (members, MEMBER_RETRY_AFTER, FALSE, 0, &frame->retry_after, error) ||
      !read_integer (members, MEMBER_SEQ, FALSE, 0, &frame->seq, error))
    return FALSE;

  frame->code = rc_protocol_error_from_code (frame->code_name);
  return TRUE;
}

/* A resume token where the version 2 frames carry one: 32 bytes. */
static gboolean
read_resume_token (const Members  *members,
                   Member          member,
                   gboolean        required,
                   RcFrame        *frame,
                   GError        **error)
{
  if (lookup (members, member) == NULL && !required)
    return TRUE;
  if (!read_base64 (members, member, &frame->resume_token, error))
    return FALSE;
  if (frame->type != RC_FRAME_RESUME && g_bytes_get_size (frame->resume_token) != RC_RESUME_TOKEN_SIZE)
    return bad_frame (error, "Member \"%s\" must hold %d bytes", member_names[member].text, RC_RESUME_TOKEN_SIZE);
  return TRUE;
}

/* paired, and resumed, whose peer is null while nobody has joined. */
static gboolean
read_paired_frame (const Members  *members,
                   RcFrame        *frame,
                   GError        **error)
{
  g_autofree char *role = NULL;
  const RcJsonValue *peer_value;
  gboolean resumed = frame->type == RC_FRAME_RESUMED;
  Members peer;

  if (!read_string (members, MEMBER_ROOM, TRUE, &frame->room, error) ||
      !read_string (members, MEMBER_ROLE, TRUE, &role, error) ||
      !read_boolean (members, MEMBER_YOUR_TURN, TRUE, &frame->your_turn, error) ||
      !read_resume_token (members, MEMBER_RESUME, resumed, frame, error))
    return FALSE;
  if (resumed && !read_integer (members, MEMBER_RELAYED, TRUE, 0, &frame->relayed_count, error))
    return FALSE;

  if (!rc_role_from_string (role, &frame->role))
    return bad_frame (error, "Member \"%s\" must be \"creator\" or \"joiner\"", "role");

  peer_value = lookup (members, MEMBER_PEER);
  if (resumed && peer_value != NULL && peer_value->kind == RC_JSON_NULL)
    return TRUE;
  if (peer_value == NULL || peer_value->kind != RC_JSON_OBJECT)
    return bad_frame (error, resumed ? "Member \"%s\" must be an object or null" : "Member \"%s\" must be an object",
                      "peer");

  collect_members (peer_value, &peer);
  frame->has_peer = TRUE;
  return read_string (&peer, MEMBER_NAME, TRUE, &frame->peer_name, error) &&
         read_key_material (&peer, &frame->peer_keys, error);
}

static gboolean
read_members (const Members      *members,
              RcFrame            *frame,
              RcFrameParseFlags   flags,
              GError            **error)
{
  switch (frame->type)
    {
    case RC_FRAME_HELLO:
      return read_integer (members, MEMBER_VERSION, TRUE, G_MININT64, &frame->version, error) &&
             read_string (members, MEMBER_NAME, TRUE, &frame->name, error) &&
             read_string (members, MEMBER_PASSWORD, TRUE, &frame->password, error);

    case RC_FRAME_WELCOME:
      return read_integer (members, MEMBER_VERSION, TRUE, G_MININT64, &frame->version, error) &&
             read_string (members, MEMBER_SERVER, TRUE, &frame->server, error) &&
             read_integer (members, MEMBER_RESUME_SECONDS, FALSE, 0, &frame->resume_seconds, error);

    case RC_FRAME_ERROR:
      return read_error_frame (members, frame, error);

    case RC_FRAME_CREATE:
      return read_key_material (members, &frame->keys, error);

    case RC_FRAME_CREATED:
      return read_string (members, MEMBER_ROOM, TRUE, &frame->room, error) &&
             read_resume_token (members, MEMBER_RESUME, FALSE, frame, error);

    case RC_FRAME_LEFT:
      return read_string (members, MEMBER_ROOM, TRUE, &frame->room, error);

    case RC_FRAME_JOIN:
      return read_string (members, MEMBER_ROOM, TRUE, &frame->room, error) &&
             read_key_material (members, &frame->keys, error);

    case RC_FRAME_PAIRED:
    case RC_FRAME_RESUMED:
      return read_paired_frame (members, frame, error);

    case RC_FRAME_RESUME:
      return read_string (members, MEMBER_ROOM, TRUE, &frame->room, error) &&
             read_resume_token (members, MEMBER_TOKEN, TRUE, frame, error) &&
             read_integer (members, MEMBER_RECEIVED, TRUE, G_MININT64, &frame->received, error);

    case RC_FRAME_PEER_AWAY:
      return read_integer (members, MEMBER_SECONDS, TRUE, 0, &frame->seconds, error);

    case RC_FRAME_PEER_LEFT:
      return read_string (members, MEMBER_REASON, TRUE, &frame->reason, error);

    case RC_FRAME_MESSAGE:
      if (!read_integer (members, MEMBER_SEQ, TRUE, 0, &frame->seq, error))
        return FALSE;
      if (flags & RC_FRAME_PARSE_KEEP_BASE64)
        {
          if (!read_base64_in_place (members, frame, error))
            return FALSE;
        }
      else
        {
          if (!read_base64 (members, MEMBER_CIPHERTEXT, &frame->ciphertext, error))
            return FALSE;
          frame->ciphertext_size = g_bytes_get_size (frame->ciphertext);
        }
      return read_string (members, MEMBER_SENT_AT, FALSE, &frame->sent_at, error);

    case RC_FRAME_RELAYED:
      return read_integer (members, MEMBER_SEQ, TRUE, 0, &frame->seq, error) &&
             read_boolean (members, MEMBER_HELD, FALSE, &frame->held, error);

    case RC_FRAME_UNKNOWN:
    case RC_FRAME_LEAVE:
    case RC_FRAME_PING:
    case RC_FRAME_PONG:
    case RC_FRAME_PEER_BACK:
    default:
      return TRUE;
    }
}

/* Applies the rules that are not about the frame's shape and so are not a
 * bad-frame: a bad name, a room id no room can have. */
static gboolean
check_values (RcFrame  *frame,
              GError  **error)
{
  if (frame->type == RC_FRAME_HELLO)
    {
      char *name = rc_name_normalize (frame->name, error);

      if (name == NULL)
        return FALSE;
      g_free (frame->name);
      frame->name = name;
    }
  else if (frame->type == RC_FRAME_CREATED || frame->type == RC_FRAME_PAIRED ||
           frame->type == RC_FRAME_LEFT || frame->type == RC_FRAME_RESUMED)
    {
      /* The server gives ids in their canonical form; anything else could
       * not be a room and would feed the key derivation garbage. */
      g_autofree char *room = rc_room_id_normalize (frame->room, NULL);

      if (room == NULL || !g_str_equal (room, frame->room))
        return bad_frame (error, "Member \"%s\" is not a room id", "room");
    }
  else if (frame->type == RC_FRAME_JOIN || frame->type == RC_FRAME_RESUME)
    {
      char *room = rc_room_id_normalize (frame->room, error);

      if (room == NULL)
        {
          /* No room has that id: a resume of it fails like any other. */
          if (frame->type == RC_FRAME_RESUME)
            {
              g_clear_error (error);
              g_set_error_literal (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_RESUME_FAILED,
                                   "No room has that id");
            }
          return FALSE;
        }
      g_free (frame->room);
      frame->room = room;
    }

  return TRUE;
}

static gboolean
read_type (const Members  *members,
           RcFrame        *frame,
           GError        **error)
{
  const RcJsonValue *value = lookup (members, MEMBER_TYPE);
  g_autofree char *name = NULL;

  if (value == NULL || value->kind != RC_JSON_STRING)
    return bad_frame (error, "Member \"%s\" must be a string", "type");

  for (guint i = RC_FRAME_UNKNOWN + 1; i < G_N_ELEMENTS (frame_type_names); i++)
    if (rc_json_string_equal (value, frame_type_names[i]))
      {
        rc_frame_init (frame, i);
        return TRUE;
      }

  name = rc_json_string_dup (value, NULL);
  if (name == NULL)
    return bad_frame (error, "Member \"%s\" must not hold a NUL character", "type");

  rc_frame_init (frame, RC_FRAME_UNKNOWN);
  frame->unknown_type = g_steal_pointer (&name);
  frame->type_name = frame->unknown_type;
  return TRUE;
}

/**
 * rc_frame_parse_into:
 * @frame: (out caller-allocates): cleared first; on failure, left cleared
 * @line: one frame without its "\n"
 * @checker: kept by the caller from one frame to the next
 *
 * Parses and validates a frame. Failures carry %RC_PROTOCOL_ERROR codes:
 * %RC_PROTOCOL_ERROR_BAD_FRAME for anything malformed (not exactly one JSON
 * object as docs/protocol.md section 2 defines it, no string "type", a
 * required member missing or of the wrong JSON type or range, a string the
 * protocol reads that holds a NUL, bad base64, a room id from the server
 * that is not 12 upper-case letters and digits); for a well-formed frame,
 * %RC_PROTOCOL_ERROR_BAD_NAME for a hello whose name breaks the name rules
 * and %RC_PROTOCOL_ERROR_NO_SUCH_ROOM for a join whose id is not 12
 * letters and digits. A type this version does not know parses as
 * %RC_FRAME_UNKNOWN. Unknown members are ignored. With
 * %RC_FRAME_PARSE_KEEP_BASE64, @frame may borrow from @line.
 */
gboolean
rc_frame_parse_into (RcFrame            *frame,
                     const char         *line,
                     gsize               length,
                     RcFrameParseFlags   flags,
                     RcJsonChecker      *checker,
                     GError            **error)
{
  g_autoptr(GError) json_error = NULL;
  RcJsonValue object;
  Members members;

  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (line != NULL || length == 0, FALSE);
  g_return_val_if_fail (checker != NULL, FALSE);

  rc_frame_clear (frame);

  if (!rc_json_checker_check_object (checker, line, length, &object, &json_error))
    return bad_frame (error, "%s", json_error->message);

  collect_members (&object, &members);
  if (!read_type (&members, frame, error) ||
      !read_members (&members, frame, flags, error) ||
      !check_values (frame, error))
    {
      rc_frame_clear (frame);
      return FALSE;
    }

  return TRUE;
}

/**
 * rc_frame_parse:
 * @line: one frame without its "\n"
 *
 * Parses a frame as rc_frame_parse_into() does, into a new frame.
 */
RcFrame *
rc_frame_parse (const char  *line,
                gsize        length,
                GError     **error)
{
  g_autoptr(RcJsonChecker) checker = rc_json_checker_new ();
  g_autoptr(RcFrame) frame = rc_frame_new (RC_FRAME_UNKNOWN);

  g_return_val_if_fail (line != NULL || length == 0, NULL);

  if (!rc_frame_parse_into (frame, line, length, RC_FRAME_PARSE_DEFAULT, checker, error))
    return NULL;

  return g_steal_pointer (&frame);
}

/* Building ---------------------------------------------------------------- */

static void
append_name (GString    *out,
             const char *member)
{
  g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, member);
  g_string_append (out, "\":");
}

static void
add_string (GString    *out,
            const char *member,
            const char *value)
{
  append_name (out, member);
  rc_json_append_string (out, value != NULL ? value : "");
}

static void
add_integer (GString    *out,
             const char *member,
             gint64      value)
{
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 magnitude = value < 0 ? 0 - (guint64) value : (guint64) value;

  do
    *--p = (char) ('0' + magnitude % 10);
  while ((magnitude /= 10) != 0);
  if (value < 0)
    *--p = '-';

  append_name (out, member);
  g_string_append_len (out, p, digits + sizeof digits - p);
}

static void
add_base64 (GString    *out,
            const char *member,
            GBytes     *bytes)
{
  gsize size = 0;
  const guchar *data;
  gsize start;
  gsize written;
  int state = 0;
  int save = 0;

  g_return_if_fail (bytes != NULL);

  data = g_bytes_get_data (bytes, &size);
  append_name (out, member);
  g_string_append_c (out, '"');
  start = out->len;
  g_string_set_size (out, start + (size / 3 + 1) * 4 + 4);
  written = g_base64_encode_step (data, size, FALSE, out->str + start, &state, &save);
  written += g_base64_encode_close (FALSE, out->str + start + written, &state, &save);
  g_string_set_size (out, start + written);
  g_string_append_c (out, '"');
}

static void
add_key_material (GString             *out,
                  const RcKeyMaterial *keys)
{
  add_base64 (out, "identity", keys->identity);
  add_base64 (out, "ephemeral", keys->ephemeral);
  add_base64 (out, "signature", keys->signature);
}

static void
add_members (GString       *out,
             const RcFrame *frame)
{
  switch (frame->type)
    {
    case RC_FRAME_HELLO:
      add_integer (out, "version", frame->version);
      add_string (out, "name", frame->name);
      add_string (out, "password", frame->password);
      break;

    case RC_FRAME_WELCOME:
      add_integer (out, "version", frame->version);
      add_string (out, "server", frame->server);
      if (frame->resume_seconds >= 0)
        add_integer (out, "resume_seconds", frame->resume_seconds);
      break;

    case RC_FRAME_ERROR:
      add_string (out, "code", frame->code != RC_PROTOCOL_ERROR_UNKNOWN
                                 ? rc_protocol_error_to_code (frame->code)
                                 : frame->code_name);
      add_string (out, "message", frame->message != NULL
                                    ? frame->message
                                    : rc_protocol_error_default_text (frame->code));
      if (frame->attempts_left >= 0)
        add_integer (out, "attempts_left", frame->attempts_left);
      if (frame->retry_after >= 0)
        add_integer (out, "retry_after", frame->retry_after);
      if (frame->seq >= 0)
        add_integer (out, "seq", frame->seq);
      break;

    case RC_FRAME_CREATE:
      add_key_material (out, &frame->keys);
      break;

    case RC_FRAME_CREATED:
      add_string (out, "room", frame->room);
      if (frame->resume_token != NULL)
        add_base64 (out, "resume", frame->resume_token);
      break;

    case RC_FRAME_LEFT:
      add_string (out, "room", frame->room);
      break;

    case RC_FRAME_JOIN:
      add_string (out, "room", frame->room);
      add_key_material (out, &frame->keys);
      break;

    case RC_FRAME_PAIRED:
    case RC_FRAME_RESUMED:
      add_string (out, "room", frame->room);
      add_string (out, "role", rc_role_to_string (frame->role));
      append_name (out, "your_turn");
      g_string_append (out, frame->your_turn ? "true" : "false");
      if (frame->resume_token != NULL)
        add_base64 (out, "resume", frame->resume_token);
      if (frame->type == RC_FRAME_RESUMED)
        add_integer (out, "relayed", frame->relayed_count);
      append_name (out, "peer");
      if (frame->type == RC_FRAME_RESUMED && !frame->has_peer)
        g_string_append (out, "null");
      else
        {
          g_string_append (out, "{\"name\":");
          rc_json_append_string (out, frame->peer_name != NULL ? frame->peer_name : "");
          add_key_material (out, &frame->peer_keys);
          g_string_append_c (out, '}');
        }
      break;

    case RC_FRAME_RESUME:
      add_string (out, "room", frame->room);
      add_base64 (out, "token", frame->resume_token);
      add_integer (out, "received", frame->received);
      break;

    case RC_FRAME_PEER_AWAY:
      add_integer (out, "seconds", frame->seconds);
      break;

    case RC_FRAME_PEER_LEFT:
      add_string (out, "reason", frame->reason);
      break;

    case RC_FRAME_MESSAGE:
      add_integer (out, "seq", frame->seq);
      if (frame->ciphertext_base64 != NULL)
        {
          append_name (out, "ciphertext");
          g_string_append_c (out, '"');
          g_string_append_len (out, frame->ciphertext_base64, (gssize) frame->ciphertext_base64_length);
          g_string_append_c (out, '"');
        }
      else
        add_base64 (out, "ciphertext", frame->ciphertext);
      if (frame->sent_at != NULL)
        add_string (out, "sent_at", frame->sent_at);
      break;

    case RC_FRAME_RELAYED:
      add_integer (out, "seq", frame->seq);
      if (frame->held)
        g_string_append (out, ",\"held\":true");
      break;

    case RC_FRAME_UNKNOWN:
    case RC_FRAME_LEAVE:
    case RC_FRAME_PING:
    case RC_FRAME_PONG:
    case RC_FRAME_PEER_BACK:
    default:
      break;
    }
}

/**
 * rc_frame_append_line:
 * @out: where the line goes, after what it holds
 *
 * Encodes @frame as one JSON Lines frame, ending in "\n".
 */
void
rc_frame_append_line (const RcFrame *frame,
                      GString       *out)
{
  g_return_if_fail (frame != NULL);
  g_return_if_fail (frame->type_name != NULL);

  g_string_append (out, "{\"type\":");
  rc_json_append_string (out, frame->type_name);
  add_members (out, frame);
  g_string_append (out, "}\n");
}

/**
 * rc_frame_to_line:
 * @length: (out) (optional): the line's length, "\n" included
 *
 * Encodes @frame as one JSON Lines frame, ending in "\n".
 */
char *
rc_frame_to_line (const RcFrame *frame,
                  gsize         *length)
{
  GString *out = g_string_sized_new (128);

  g_return_val_if_fail (frame != NULL, NULL);

  rc_frame_append_line (frame, out);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

gboolean
rc_frame_write (GOutputStream  *stream,
                const RcFrame  *frame,
                GCancellable   *cancellable,
                GError        **error)
{
  g_autofree char *line = NULL;
  gsize length = 0;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  line = rc_frame_to_line (frame, &length);
  return g_output_stream_write_all (stream, line, length, NULL, cancellable, error);
}
