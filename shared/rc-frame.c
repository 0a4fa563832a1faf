/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-protocol"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "rc-frame.h"

/* The X25519 public key size; rc-crypto.h has it too, but frames must not
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
};

RcFrame *
rc_frame_new (RcFrameType type)
{
  RcFrame *frame = g_new0 (RcFrame, 1);

  frame->type = type;
  frame->seq = -1;
  frame->attempts_left = -1;
  frame->retry_after = -1;
  frame->code = RC_PROTOCOL_ERROR_UNKNOWN;

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

void
rc_frame_free (RcFrame *frame)
{
  if (frame == NULL)
    return;

  g_free (frame->type_name);
  g_free (frame->name);
  if (frame->password != NULL)
    {
      memset (frame->password, 0, strlen (frame->password));
      g_free (frame->password);
    }
  g_free (frame->server);
  g_free (frame->room);
  rc_key_material_clear (&frame->keys);
  g_free (frame->peer_name);
  rc_key_material_clear (&frame->peer_keys);
  g_clear_pointer (&frame->ciphertext, g_bytes_unref);
  g_free (frame->sent_at);
  g_free (frame->reason);
  g_free (frame->code_name);
  g_free (frame->message);
  g_free (frame);
}

const char *
rc_frame_type_to_string (RcFrameType type)
{
  g_return_val_if_fail (type <= RC_FRAME_PONG, NULL);

  return frame_type_names[type];
}

static RcFrameType
frame_type_from_string (const char *name)
{
  for (guint i = RC_FRAME_UNKNOWN + 1; i < G_N_ELEMENTS (frame_type_names); i++)
    if (g_str_equal (name, frame_type_names[i]))
      return i;

  return RC_FRAME_UNKNOWN;
}

/* Base64 ------------------------------------------------------------------ */

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

/**
 * rc_base64_decode_strict:
 *
 * Decodes standard base64 with padding (RFC 4648 section 4) and refuses
 * anything else: characters outside the alphabet, missing or misplaced
 * padding, white space, or non-zero bits in the last character, so that
 * a value always encodes back to the very same text.
 */
GBytes *
rc_base64_decode_strict (const char  *text,
                         GError     **error)
{
  gsize len;
  gsize padding = 0;
  gsize decoded_len = 0;
  g_autofree guchar *decoded = NULL;
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  len = strlen (text);
  if (len % 4 != 0)
    goto invalid;

  while (padding < 2 && padding < len && text[len - 1 - padding] == '=')
    padding++;

  for (gsize i = 0; i < len - padding; i++)
    if (!is_base64_char (text[i]))
      goto invalid;

  if (len == 0)
    return g_bytes_new (NULL, 0);

  decoded = g_base64_decode (text, &decoded_len);
  encoded = g_base64_encode (decoded, decoded_len);
  if (!g_str_equal (encoded, text))
    goto invalid;

  return g_bytes_new_take (g_steal_pointer (&decoded), decoded_len);

invalid:
  g_set_error_literal (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_FRAME,
                       "Invalid base64 value");
  return NULL;
}

static char *
base64_encode_bytes (GBytes *bytes)
{
  gsize size = 0;
  const guchar *data = g_bytes_get_data (bytes, &size);

  return g_base64_encode (data, size);
}

/* Parsing ----------------------------------------------------------------- */

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

static JsonNode *
get_value_member (JsonObject *object,
                  const char *member,
                  GType       value_type)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != value_type)
    return NULL;

  return node;
}

/* Reads a string member. A missing optional member leaves @out NULL; a
 * member of another JSON type is always an error. */
static gboolean
read_string (JsonObject  *object,
             const char  *member,
             gboolean     required,
             char       **out,
             GError     **error)
{
  JsonNode *node;

  if (!json_object_has_member (object, member) && !required)
    return TRUE;

  node = get_value_member (object, member, G_TYPE_STRING);
  if (node == NULL)
    return bad_frame (error, "Member \"%s\" must be a string", member);

  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_integer (JsonObject  *object,
              const char  *member,
              gboolean     required,
              gint64      *out,
              GError     **error)
{
  JsonNode *node;

  if (!json_object_has_member (object, member) && !required)
    return TRUE;

  node = get_value_member (object, member, G_TYPE_INT64);
  if (node == NULL)
    return bad_frame (error, "Member \"%s\" must be an integer", member);

  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_boolean (JsonObject  *object,
              const char  *member,
              gboolean    *out,
              GError     **error)
{
  JsonNode *node = get_value_member (object, member, G_TYPE_BOOLEAN);

  if (node == NULL)
    return bad_frame (error, "Member \"%s\" must be true or false", member);

  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_base64 (JsonObject  *object,
             const char  *member,
             GBytes     **out,
             GError     **error)
{
  g_autofree char *text = NULL;
  GBytes *bytes;

  if (!read_string (object, member, TRUE, &text, error))
    return FALSE;

  bytes = rc_base64_decode_strict (text, NULL);
  if (bytes == NULL)
    return bad_frame (error, "Member \"%s\" is not valid base64", member);

  g_clear_pointer (out, g_bytes_unref);
  *out = bytes;
  return TRUE;
}

static gboolean
read_key_material (JsonObject     *object,
                   RcKeyMaterial  *keys,
                   GError        **error)
{
  if (!read_base64 (object, "identity", &keys->identity, error) ||
      !read_base64 (object, "ephemeral", &keys->ephemeral, error) ||
      !read_base64 (object, "signature", &keys->signature, error))
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
read_error_frame (JsonObject  *object,
                  RcFrame     *frame,
                  GError     **error)
{
  if (!read_string (object, "code", TRUE, &frame->code_name, error) ||
      !read_string (object, "message", FALSE, &frame->message, error) ||
      !read_integer (object, "attempts_left", FALSE, &frame->attempts_left, error) ||
      !read_integer (object, "retry_after", FALSE, &frame->retry_after, error) ||
      !read_integer (object, "seq", FALSE, &frame->seq, error))
    return FALSE;

  frame->code = rc_protocol_error_from_code (frame->code_name);
  return TRUE;
}

static gboolean
read_paired_frame (JsonObject  *object,
                   RcFrame     *frame,
                   GError     **error)
{
  g_autofree char *role = NULL;
  JsonNode *peer_node;
  JsonObject *peer;

  if (!read_string (object, "room", TRUE, &frame->room, error) ||
      !read_string (object, "role", TRUE, &role, error) ||
      !read_boolean (object, "your_turn", &frame->your_turn, error))
    return FALSE;

  if (!rc_role_from_string (role, &frame->role))
    return bad_frame (error, "Member \"%s\" must be \"creator\" or \"joiner\"", "role");

  peer_node = json_object_get_member (object, "peer");
  if (peer_node == NULL || !JSON_NODE_HOLDS_OBJECT (peer_node))
    return bad_frame (error, "Member \"%s\" must be an object", "peer");

  peer = json_node_get_object (peer_node);
  return read_string (peer, "name", TRUE, &frame->peer_name, error) &&
         read_key_material (peer, &frame->peer_keys, error);
}

static gboolean
read_members (JsonObject  *object,
              RcFrame     *frame,
              GError     **error)
{
  switch (frame->type)
    {
    case RC_FRAME_HELLO:
      return read_integer (object, "version", TRUE, &frame->version, error) &&
             read_string (object, "name", TRUE, &frame->name, error) &&
             read_string (object, "password", TRUE, &frame->password, error);

    case RC_FRAME_WELCOME:
      return read_integer (object, "version", TRUE, &frame->version, error) &&
             read_string (object, "server", TRUE, &frame->server, error);

    case RC_FRAME_ERROR:
      return read_error_frame (object, frame, error);

    case RC_FRAME_CREATE:
      return read_key_material (object, &frame->keys, error);

    case RC_FRAME_CREATED:
    case RC_FRAME_LEFT:
      return read_string (object, "room", TRUE, &frame->room, error);

    case RC_FRAME_JOIN:
      return read_string (object, "room", TRUE, &frame->room, error) &&
             read_key_material (object, &frame->keys, error);

    case RC_FRAME_PAIRED:
      return read_paired_frame (object, frame, error);

    case RC_FRAME_PEER_LEFT:
      return read_string (object, "reason", TRUE, &frame->reason, error);

    case RC_FRAME_MESSAGE:
      return read_integer (object, "seq", TRUE, &frame->seq, error) &&
             read_base64 (object, "ciphertext", &frame->ciphertext, error) &&
             read_string (object, "sent_at", FALSE, &frame->sent_at, error);

    case RC_FRAME_RELAYED:
      return read_integer (object, "seq", TRUE, &frame->seq, error);

    case RC_FRAME_UNKNOWN:
    case RC_FRAME_LEAVE:
    case RC_FRAME_PING:
    case RC_FRAME_PONG:
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
           frame->type == RC_FRAME_LEFT)
    {
      /* The server gives ids in their canonical form; anything else could
       * not be a room and would feed the key derivation garbage. */
      g_autofree char *room = rc_room_id_normalize (frame->room, NULL);

      if (room == NULL || !g_str_equal (room, frame->room))
        return bad_frame (error, "Member \"%s\" is not a room id", "room");
    }
  else if (frame->type == RC_FRAME_JOIN)
    {
      char *room = rc_room_id_normalize (frame->room, error);

      if (room == NULL)
        return FALSE;
      g_free (frame->room);
      frame->room = room;
    }

  return TRUE;
}

/* json-glib is more lenient than JSON: it stops after the first value and
 * ignores what follows, and it takes single-quoted strings and comments.
 * A frame is exactly one JSON object, so this scan refuses what JSON
 * refuses and json-glib would let through: text after the object's closing
 * brace, quotes other than '"' and comments outside strings, and raw control
 * characters inside them. */
static gboolean
is_single_object (const char *line,
                  gsize       length)
{
  const char *p = line;
  const char *end = line + length;
  gboolean in_string = FALSE;
  guint depth = 0;

  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p == end || *p != '{')
    return FALSE;

  for (; p < end; p++)
    {
      if (in_string)
        {
          if ((guchar) *p < 0x20)
            return FALSE;
          if (*p == '\\')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '\'' || *p == '/' || *p == '#')
        return FALSE;
      else if (*p == '{' || *p == '[')
        depth++;
      else if ((*p == '}' || *p == ']') && --depth == 0)
        break;
    }

  for (p++; p < end; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

/**
 * rc_frame_parse:
 * @line: one frame without its "\n", valid UTF-8
 *
 * Parses and validates a frame. Failures carry %RC_PROTOCOL_ERROR codes:
 * %RC_PROTOCOL_ERROR_BAD_FRAME for anything malformed (not a JSON object, no
 * string "type", a required member missing or of the wrong JSON type, bad
 * base64, a room id from the server that is not 12 upper-case letters and
 * digits); for a well-formed frame, %RC_PROTOCOL_ERROR_BAD_NAME for a hello
 * whose name breaks the name rules and %RC_PROTOCOL_ERROR_NO_SUCH_ROOM for a
 * join whose id is not 12 letters and digits. A type this version does not
 * know parses as %RC_FRAME_UNKNOWN. Unknown members are ignored.
 */
RcFrame *
rc_frame_parse (const char  *line,
                gsize        length,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(RcFrame) frame = NULL;
  g_autoptr(GError) json_error = NULL;
  g_autofree char *type_name = NULL;
  JsonNode *root;
  JsonObject *object;

  g_return_val_if_fail (line != NULL, NULL);

  if (!is_single_object (line, length) ||
      !json_parser_load_from_data (parser, line, (gssize) length, &json_error))
    {
      g_set_error_literal (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_FRAME,
                           "Frame is not valid JSON");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_FRAME,
                           "Frame is not a JSON object");
      return NULL;
    }

  object = json_node_get_object (root);
  if (!read_string (object, "type", TRUE, &type_name, error))
    return NULL;

  frame = rc_frame_new (frame_type_from_string (type_name));
  frame->type_name = g_steal_pointer (&type_name);

  if (!read_members (object, frame, error) || !check_values (frame, error))
    return NULL;

  return g_steal_pointer (&frame);
}

/* Building ---------------------------------------------------------------- */

static void
add_base64 (JsonBuilder *builder,
            const char  *member,
            GBytes      *bytes)
{
  g_autofree char *text = NULL;

  g_return_if_fail (bytes != NULL);

  text = base64_encode_bytes (bytes);
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, text);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

static void
add_integer (JsonBuilder *builder,
             const char  *member,
             gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static void
add_key_material (JsonBuilder         *builder,
                  const RcKeyMaterial *keys)
{
  add_base64 (builder, "identity", keys->identity);
  add_base64 (builder, "ephemeral", keys->ephemeral);
  add_base64 (builder, "signature", keys->signature);
}

static void
add_members (JsonBuilder   *builder,
             const RcFrame *frame)
{
  switch (frame->type)
    {
    case RC_FRAME_HELLO:
      add_integer (builder, "version", frame->version);
      add_string (builder, "name", frame->name);
      add_string (builder, "password", frame->password);
      break;

    case RC_FRAME_WELCOME:
      add_integer (builder, "version", frame->version);
      add_string (builder, "server", frame->server);
      break;

    case RC_FRAME_ERROR:
      add_string (builder, "code", frame->code != RC_PROTOCOL_ERROR_UNKNOWN
                                     ? rc_protocol_error_to_code (frame->code)
                                     : frame->code_name);
      add_string (builder, "message", frame->message != NULL
                                        ? frame->message
                                        : rc_protocol_error_default_text (frame->code));
      if (frame->attempts_left >= 0)
        add_integer (builder, "attempts_left", frame->attempts_left);
      if (frame->retry_after >= 0)
        add_integer (builder, "retry_after", frame->retry_after);
      if (frame->seq >= 0)
        add_integer (builder, "seq", frame->seq);
      break;

    case RC_FRAME_CREATE:
      add_key_material (builder, &frame->keys);
      break;

    case RC_FRAME_CREATED:
    case RC_FRAME_LEFT:
      add_string (builder, "room", frame->room);
      break;

    case RC_FRAME_JOIN:
      add_string (builder, "room", frame->room);
      add_key_material (builder, &frame->keys);
      break;

    case RC_FRAME_PAIRED:
      add_string (builder, "room", frame->room);
      add_string (builder, "role", rc_role_to_string (frame->role));
      json_builder_set_member_name (builder, "your_turn");
      json_builder_add_boolean_value (builder, frame->your_turn);
      json_builder_set_member_name (builder, "peer");
      json_builder_begin_object (builder);
      add_string (builder, "name", frame->peer_name);
      add_key_material (builder, &frame->peer_keys);
      json_builder_end_object (builder);
      break;

    case RC_FRAME_PEER_LEFT:
      add_string (builder, "reason", frame->reason);
      break;

    case RC_FRAME_MESSAGE:
      add_integer (builder, "seq", frame->seq);
      add_base64 (builder, "ciphertext", frame->ciphertext);
      if (frame->sent_at != NULL)
        add_string (builder, "sent_at", frame->sent_at);
      break;

    case RC_FRAME_RELAYED:
      add_integer (builder, "seq", frame->seq);
      break;

    case RC_FRAME_UNKNOWN:
    case RC_FRAME_LEAVE:
    case RC_FRAME_PING:
    case RC_FRAME_PONG:
    default:
      break;
    }
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
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  gsize json_length = 0;
  char *line;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (frame->type != RC_FRAME_UNKNOWN || frame->type_name != NULL, NULL);

  json_builder_begin_object (builder);
  add_string (builder, "type", frame->type != RC_FRAME_UNKNOWN
                                 ? rc_frame_type_to_string (frame->type)
                                 : frame->type_name);
  add_members (builder, frame);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &json_length);

  line = g_malloc (json_length + 2);
  memcpy (line, json, json_length);
  line[json_length] = '\n';
  line[json_length + 1] = '\0';
  if (length != NULL)
    *length = json_length + 1;

  return line;
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
