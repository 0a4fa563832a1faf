/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <string.h>

#include "rc-frame.h"

#define B64_32 "B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHHw="
#define KEYS "\"identity\":\"MIIB\",\"ephemeral\":\"" B64_32 "\",\"signature\":\"c2lnbmF0dXJl\""

static RcFrame *
parse_ok (const char *line)
{
  g_autoptr(GError) error = NULL;
  RcFrame *frame = rc_frame_parse (line, strlen (line), &error);

  g_assert_no_error (error);
  g_assert_nonnull (frame);
  return frame;
}

static void
assert_parse_fails (const char      *line,
                    RcProtocolError  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcFrame) frame = rc_frame_parse (line, strlen (line), &error);

  if (error == NULL || error->code != (int) code)
    g_test_message ("line: %s", line);
  g_assert_error (error, RC_PROTOCOL_ERROR, (gint) code);
  g_assert_null (frame);
}

static void
test_frame_hello (void)
{
  g_autoptr(RcFrame) frame = parse_ok ("{\"type\":\"hello\",\"version\":1,\"name\":\"  Pablo \","
                                       "\"password\":\"test12345\",\"extra\":[1,2]}");

  g_assert_cmpint (frame->type, ==, RC_FRAME_HELLO);
  g_assert_cmpint (frame->version, ==, 1);
  g_assert_cmpstr (frame->name, ==, "Pablo");
  g_assert_cmpstr (frame->password, ==, "test12345");

  assert_parse_fails ("{\"type\":\"hello\",\"name\":\"P\",\"password\":\"x\"}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"hello\",\"version\":\"1\",\"name\":\"P\",\"password\":\"x\"}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"hello\",\"version\":1.5,\"name\":\"P\",\"password\":\"x\"}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"hello\",\"version\":1,\"name\":\"P\"}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"hello\",\"version\":1,\"name\":null,\"password\":\"x\"}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"hello\",\"version\":1,\"name\":\"   \",\"password\":\"x\"}",
                      RC_PROTOCOL_ERROR_BAD_NAME);
  assert_parse_fails ("{\"type\":\"hello\",\"version\":1,\"name\":\"a\\u0007b\",\"password\":\"x\"}",
                      RC_PROTOCOL_ERROR_BAD_NAME);
  assert_parse_fails ("{\"type\":\"hello\",\"version\":1,"
                      "\"name\":\"abcdefghijklmnopqrstuvwxyz1234567\",\"password\":\"x\"}",
                      RC_PROTOCOL_ERROR_BAD_NAME);
}

static void
test_frame_not_frames (void)
{
  const char *bad[] = {
    "", " ", "null", "[]", "\"hello\"", "42", "{", "{\"type\":\"ping\"",
    "{\"type\":1}", "{\"type\":null}", "{\"kind\":\"ping\"}",
    "{\"type\":\"ping\"} {\"type\":\"ping\"}", "{'type':'ping'}", "{\"type\":'ping'}",
    "{\"type\":\"ping\" /* comment */}", "{\"type\":\"pi\tng\"}", "{\"type\":\"ping\"}x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_parse_fails (bad[i], RC_PROTOCOL_ERROR_BAD_FRAME);
}

static void
test_frame_unknown_type (void)
{
  g_autoptr(RcFrame) frame = parse_ok ("{\"type\":\"dance\",\"speed\":3}");

  g_assert_cmpint (frame->type, ==, RC_FRAME_UNKNOWN);
  g_assert_cmpstr (frame->type_name, ==, "dance");
}

static void
test_frame_simple_types (void)
{
  const struct { const char *line; RcFrameType type; } frames[] = {
    { "{\"type\":\"ping\"}", RC_FRAME_PING },
    { "{\"type\":\"pong\",\"at\":1}", RC_FRAME_PONG },
    { "{\"type\":\"leave\"}", RC_FRAME_LEAVE },
    { "{\"type\":\"left\",\"room\":\"1KYAUPMB9KRT\"}", RC_FRAME_LEFT },
    { "{\"type\":\"created\",\"room\":\"1KYAUPMB9KRT\"}", RC_FRAME_CREATED },
    { "{\"type\":\"peer-left\",\"reason\":\"disconnected\"}", RC_FRAME_PEER_LEFT },
    { "{\"type\":\"relayed\",\"seq\":7}", RC_FRAME_RELAYED },
    { "{\"type\":\"welcome\",\"version\":1,\"server\":\"PyChat\"}", RC_FRAME_WELCOME },
  };

  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autoptr(RcFrame) frame = parse_ok (frames[i].line);

      g_assert_cmpint (frame->type, ==, frames[i].type);
    }

  assert_parse_fails ("{\"type\":\"left\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"left\",\"room\":\"1kyaupmb9krt\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"created\",\"room\":\"1KYAUPMB9KR\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"paired\",\"room\":\"1KYA-UPMB-9KRT\",\"role\":\"joiner\","
                      "\"your_turn\":true,\"peer\":{\"name\":\"Ana\"," KEYS "}}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"created\",\"room\":5}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"peer-left\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"relayed\",\"seq\":\"7\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"welcome\",\"version\":1}", RC_PROTOCOL_ERROR_BAD_FRAME);
}

static void
test_frame_create_join (void)
{
  g_autoptr(RcFrame) create = parse_ok ("{\"type\":\"create\"," KEYS "}");
  g_autoptr(RcFrame) join = parse_ok ("{\"type\":\"join\",\"room\":\"1kya-upmb 9krt\"," KEYS "}");

  g_assert_cmpint (create->type, ==, RC_FRAME_CREATE);
  g_assert_cmpuint (g_bytes_get_size (create->keys.ephemeral), ==, 32);
  g_assert_cmpuint (g_bytes_get_size (create->keys.identity), ==, 3);
  g_assert_cmpmem (g_bytes_get_data (create->keys.signature, NULL), 9, "signature", 9);

  g_assert_cmpint (join->type, ==, RC_FRAME_JOIN);
  g_assert_cmpstr (join->room, ==, "1KYAUPMB9KRT");
  g_assert_cmpuint (g_bytes_get_size (join->keys.ephemeral), ==, 32);

  assert_parse_fails ("{\"type\":\"create\",\"identity\":\"MIIB\",\"ephemeral\":\"" B64_32 "\"}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  /* 31 bytes of ephemeral key */
  assert_parse_fails ("{\"type\":\"create\",\"identity\":\"MIIB\","
                      "\"ephemeral\":\"B6N8vBQgk8i3VdwbEOhstCY3StFqqFPtC9/AsrhtHA==\","
                      "\"signature\":\"c2ln\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  /* not base64, and base64 without its padding */
  assert_parse_fails ("{\"type\":\"create\",\"identity\":\"MI!B\",\"ephemeral\":\"" B64_32 "\","
                      "\"signature\":\"c2ln\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"create\",\"identity\":\"MIIB\",\"ephemeral\":\"" B64_32 "\","
                      "\"signature\":\"c2lnbg\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"join\"," KEYS "}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"join\",\"room\":\"SHORT\"," KEYS "}",
                      RC_PROTOCOL_ERROR_NO_SUCH_ROOM);
}

static void
test_frame_paired (void)
{
  g_autoptr(RcFrame) frame = parse_ok ("{\"type\":\"paired\",\"room\":\"1KYAUPMB9KRT\","
                                       "\"role\":\"joiner\",\"your_turn\":true,"
                                       "\"peer\":{\"name\":\"Ana\"," KEYS "}}");

  g_assert_cmpint (frame->type, ==, RC_FRAME_PAIRED);
  g_assert_cmpint (frame->role, ==, RC_ROLE_JOINER);
  g_assert_true (frame->your_turn);
  g_assert_cmpstr (frame->peer_name, ==, "Ana");
  g_assert_cmpuint (g_bytes_get_size (frame->peer_keys.ephemeral), ==, 32);

  assert_parse_fails ("{\"type\":\"paired\",\"room\":\"1KYAUPMB9KRT\",\"role\":\"boss\","
                      "\"your_turn\":true,\"peer\":{\"name\":\"Ana\"," KEYS "}}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"paired\",\"room\":\"1KYAUPMB9KRT\",\"role\":\"joiner\","
                      "\"your_turn\":1,\"peer\":{\"name\":\"Ana\"," KEYS "}}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"paired\",\"room\":\"1KYAUPMB9KRT\",\"role\":\"joiner\","
                      "\"your_turn\":true,\"peer\":\"Ana\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
}

static void
test_frame_message (void)
{
  g_autoptr(RcFrame) frame = parse_ok ("{\"type\":\"message\",\"seq\":0,\"ciphertext\":\"AAEC\"}");
  g_autoptr(RcFrame) relayed = parse_ok ("{\"type\":\"message\",\"seq\":3,\"ciphertext\":\"AAEC\","
                                         "\"sent_at\":\"2026-11-25T16:02:11Z\"}");

  g_assert_cmpint (frame->seq, ==, 0);
  g_assert_cmpmem (g_bytes_get_data (frame->ciphertext, NULL), 3, "\0\1\2", 3);
  g_assert_null (frame->sent_at);
  g_assert_cmpstr (relayed->sent_at, ==, "2026-11-25T16:02:11Z");

  assert_parse_fails ("{\"type\":\"message\",\"ciphertext\":\"AAEC\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"message\",\"seq\":0}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"message\",\"seq\":0,\"ciphertext\":\"A A=\"}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"message\",\"seq\":0,\"ciphertext\":\"AAEC\",\"sent_at\":5}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
}

static void
test_frame_error (void)
{
  g_autoptr(RcFrame) auth = parse_ok ("{\"type\":\"error\",\"code\":\"auth-failed\","
                                      "\"message\":\"Wrong password\",\"attempts_left\":2}");
  g_autoptr(RcFrame) blocked = parse_ok ("{\"type\":\"error\",\"code\":\"blocked\",\"retry_after\":299}");
  g_autoptr(RcFrame) future = parse_ok ("{\"type\":\"error\",\"code\":\"too-sunny\",\"message\":\"x\"}");

  g_assert_cmpint (auth->code, ==, RC_PROTOCOL_ERROR_AUTH_FAILED);
  g_assert_cmpint (auth->attempts_left, ==, 2);
  g_assert_cmpint (auth->retry_after, ==, -1);
  g_assert_cmpint (blocked->code, ==, RC_PROTOCOL_ERROR_BLOCKED);
  g_assert_cmpint (blocked->retry_after, ==, 299);
  g_assert_cmpint (future->code, ==, RC_PROTOCOL_ERROR_UNKNOWN);
  g_assert_cmpstr (future->code_name, ==, "too-sunny");

  assert_parse_fails ("{\"type\":\"error\",\"message\":\"x\"}", RC_PROTOCOL_ERROR_BAD_FRAME);
  assert_parse_fails ("{\"type\":\"error\",\"code\":\"blocked\",\"retry_after\":\"soon\"}",
                      RC_PROTOCOL_ERROR_BAD_FRAME);
}

static RcFrame *
round_trip (const RcFrame *frame)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;
  RcFrame *parsed;

  line = rc_frame_to_line (frame, &length);
  g_assert_cmpuint (length, ==, strlen (line));
  g_assert_cmpint (line[length - 1], ==, '\n');
  g_assert_null (memchr (line, '\n', length - 1));

  parsed = rc_frame_parse (line, length - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsed->type, ==, frame->type);
  return parsed;
}

static void
test_frame_build (void)
{
  g_autoptr(RcFrame) hello = rc_frame_new (RC_FRAME_HELLO);
  g_autoptr(RcFrame) paired = rc_frame_new (RC_FRAME_PAIRED);
  g_autoptr(RcFrame) message = rc_frame_new (RC_FRAME_MESSAGE);
  g_autoptr(RcFrame) error = rc_frame_new_error (RC_PROTOCOL_ERROR_BAD_SEQUENCE, NULL);
  g_autoptr(RcFrame) hello2 = NULL;
  g_autoptr(RcFrame) paired2 = NULL;
  g_autoptr(RcFrame) message2 = NULL;
  g_autoptr(RcFrame) error2 = NULL;
  g_autoptr(GBytes) ephemeral = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autofree char *error_line = NULL;

  hello->version = 1;
  hello->name = g_strdup ("Zoë \"Z\" 🎉");
  hello->password = g_strdup ("pa\\ss\nword");
  hello2 = round_trip (hello);
  g_assert_cmpstr (hello2->password, ==, "pa\\ss\nword");
  g_assert_cmpstr (hello2->name, ==, "Zoë \"Z\" 🎉");
  g_assert_cmpint (hello2->version, ==, 1);

  paired->room = g_strdup ("1KYAUPMB9KRT");
  paired->role = RC_ROLE_CREATOR;
  paired->your_turn = FALSE;
  paired->peer_name = g_strdup ("Ana");
  paired->peer_keys.identity = g_bytes_new_static ("\x30\x82", 2);
  paired->peer_keys.ephemeral = g_bytes_ref (ephemeral);
  paired->peer_keys.signature = g_bytes_new_static ("sig", 3);
  paired2 = round_trip (paired);
  g_assert_cmpint (paired2->role, ==, RC_ROLE_CREATOR);
  g_assert_false (paired2->your_turn);
  g_assert_cmpstr (paired2->peer_name, ==, "Ana");
  g_assert_true (g_bytes_equal (paired2->peer_keys.ephemeral, ephemeral));
  g_assert_true (g_bytes_equal (paired2->peer_keys.identity, paired->peer_keys.identity));

  message->seq = 41;
  message->ciphertext = g_bytes_new_static ("\xff\x00\x10", 3);
  message->sent_at = g_strdup ("2026-11-25T16:02:11Z");
  message2 = round_trip (message);
  g_assert_cmpint (message2->seq, ==, 41);
  g_assert_true (g_bytes_equal (message2->ciphertext, message->ciphertext));
  g_assert_cmpstr (message2->sent_at, ==, "2026-11-25T16:02:11Z");

  error->seq = 4;
  error2 = round_trip (error);
  g_assert_cmpint (error2->code, ==, RC_PROTOCOL_ERROR_BAD_SEQUENCE);
  g_assert_cmpstr (error2->code_name, ==, "bad-sequence");
  g_assert_cmpint (error2->seq, ==, 4);
  g_assert_nonnull (error2->message);
  g_assert_cmpint (error2->attempts_left, ==, -1);

  error_line = rc_frame_to_line (error, NULL);
  g_assert_null (strstr (error_line, "attempts_left"));
}

static void
test_base64_strict (void)
{
  /* Non-canonical forms ("AB==", "AAF=") would not encode back to the same
   * text, so the server could not relay them unchanged. */
  const char *bad[] = { "A", "AA", "AAA", "AA=A", "A===", "AAF=", "AB==", "AA\nA", "AA A", "A-_A" };
  const char *good[] = { "", "AA==", "AAE=", "AAEC", "+/+/" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = rc_base64_decode_strict (good[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (bytes);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = rc_base64_decode_strict (bad[i], &error);

      g_assert_error (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_FRAME);
      g_assert_null (bytes);
    }
}

/* docs/protocol.md section 2: what a JSON library tolerates is still a
 * bad frame, and no value is read from a frame that is not valid JSON. */
static void
test_frame_strict_json (void)
{
  const char *bad[] = {
    "{\"type\":\"hello\",\"version\":01,\"name\":\"Ana\",\"password\":\"x\"}",
    "{\"type\":\"hello\",\"version\":0x1,\"name\":\"Ana\",\"password\":\"x\"}",
    "{\"type\":\"hello\",\"version\":+1,\"name\":\"Ana\",\"password\":\"x\"}",
    "{\"type\":\"hello\",\"version\":1,\"name\":\"\\x41na\",\"password\":\"x\"}",
    "{\"type\":\"hello\",\"version\":1,\"name\":\"Ana\",\"password\":\"test12345\\u0000junk\"}",
    "{\"type\":\"hello\",\"version\":1,\"name\":\"A\\u0000\",\"password\":\"x\"}",
    "{\"type\":\"hello\",\"version\":1,\"name\":\"Ana\",\"password\":\"x\",\"name\":\"Bo\"}",
    "{\"type\":\"message\",\"seq\":0x10,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":-1,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":99999999999999999999,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":1.0,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":1e2,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":-01,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":2.,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":.2e-3,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"message\",\"seq\":- 1,\"ciphertext\":\"AAEC\"}",
    "{\"type\":\"ping\",\"x\":\"\\U0041\"}",
    "{\"type\":\"ping\",\"x\":\"\\'\"}",
    "{\"type\":\"ping\",\"x\":\"\\\t\"}",
    "{\"type\":\"ping\",\"x\":\"\\u12x4\"}",
    "{\"type\":\"ping\",\"x\":\"\\uDC00\"}",
    "{\"type\":\"ping\",\"x\":[1,]}",
    "{\"type\":\"ping\",\"x\":NaN}",
    "{\"type\":\"ping\",}",
    "{\"type\":\"pi\\u0000ng\"}",
    "{\"type\":\"error\",\"code\":\"auth-failed\",\"attempts_left\":-1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_parse_fails (bad[i], RC_PROTOCOL_ERROR_BAD_FRAME);
}

/* Valid JSON in forms a frame rarely takes is still read as it means. */
static void
test_frame_unusual_json (void)
{
  g_autoptr(RcFrame) escaped = parse_ok ("{\"typ\\u0065\":\"hel\\u006co\",\"version\":1,"
                                         "\"name\":\"\\u00c1na\",\"password\":\"a\\/b\"}");
  g_autoptr(RcFrame) spaced = parse_ok (" { \"type\" : \"message\" , \"seq\" : 7 ,"
                                        " \"ciphertext\" : \"AA\\/C\" , \"x\" : {\"y\":[null]} } ");
  g_autoptr(RcFrame) unknown_members = parse_ok ("{\"type\":\"ping\",\"x\":\"a\\u0000b\"}");
  g_autoptr(RcFrame) big_version = parse_ok ("{\"type\":\"hello\",\"version\":9223372036854775807,"
                                             "\"name\":\"Ana\",\"password\":\"x\"}");

  g_assert_cmpint (escaped->type, ==, RC_FRAME_HELLO);
  g_assert_cmpstr (escaped->name, ==, "\u00c1na");
  g_assert_cmpstr (escaped->password, ==, "a/b");
  g_assert_cmpint (spaced->seq, ==, 7);
  g_assert_cmpmem (g_bytes_get_data (spaced->ciphertext, NULL), 3, "\x00\x0f\xc2", 3);
  g_assert_cmpint (unknown_members->type, ==, RC_FRAME_PING);
  g_assert_cmpint (big_version->version, ==, G_MAXINT64);
}

/* The server's way: one frame and one checker reused, the ciphertext kept
 * as the text that came in. */
static void
test_frame_parse_into (void)
{
  g_autoptr(RcJsonChecker) checker = rc_json_checker_new ();
  g_autoptr(GError) error = NULL;
  const char *message = "{\"type\":\"message\",\"seq\":5,\"ciphertext\":\"AAECAw==\"}";
  const char *escaped = "{\"type\":\"message\",\"seq\":6,\"ciphertext\":\"AA\\/C\"}";
  const char *short_base64 = "{\"type\":\"message\",\"seq\":1,\"ciphertext\":\"A\"}";
  g_autofree char *line = NULL;
  RcFrame frame;

  rc_frame_init (&frame, RC_FRAME_UNKNOWN);

  g_assert_true (rc_frame_parse_into (&frame, message, strlen (message), RC_FRAME_PARSE_KEEP_BASE64,
                                      checker, &error));
  g_assert_no_error (error);
  g_assert_cmpint (frame.type, ==, RC_FRAME_MESSAGE);
  g_assert_null (frame.ciphertext);
  g_assert_cmpuint (frame.ciphertext_size, ==, 4);
  g_assert_true (frame.ciphertext_base64 > message && frame.ciphertext_base64 < message + strlen (message));
  g_assert_cmpmem (frame.ciphertext_base64, frame.ciphertext_base64_length, "AAECAw==", 8);

  frame.sent_at = g_strdup ("2026-11-25T16:02:11Z");
  line = rc_frame_to_line (&frame, NULL);
  g_assert_cmpstr (line, ==, "{\"type\":\"message\",\"seq\":5,\"ciphertext\":\"AAECAw==\","
                             "\"sent_at\":\"2026-11-25T16:02:11Z\"}\n");

  g_assert_true (rc_frame_parse_into (&frame, escaped, strlen (escaped), RC_FRAME_PARSE_KEEP_BASE64,
                                      checker, &error));
  g_assert_cmpmem (frame.ciphertext_base64, frame.ciphertext_base64_length, "AA/C", 4);
  g_assert_cmpuint (frame.ciphertext_size, ==, 3);

  g_assert_false (rc_frame_parse_into (&frame, short_base64, strlen (short_base64),
                                       RC_FRAME_PARSE_KEEP_BASE64, checker, &error));
  g_assert_error (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_BAD_FRAME);
  g_assert_cmpint (frame.type, ==, RC_FRAME_UNKNOWN);
  rc_frame_clear (&frame);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/frame/hello", test_frame_hello);
  g_test_add_func ("/frame/not-frames", test_frame_not_frames);
  g_test_add_func ("/frame/unknown-type", test_frame_unknown_type);
  g_test_add_func ("/frame/simple-types", test_frame_simple_types);
  g_test_add_func ("/frame/create-join", test_frame_create_join);
  g_test_add_func ("/frame/paired", test_frame_paired);
  g_test_add_func ("/frame/message", test_frame_message);
  g_test_add_func ("/frame/error", test_frame_error);
  g_test_add_func ("/frame/build", test_frame_build);
  g_test_add_func ("/frame/base64-strict", test_base64_strict);
  g_test_add_func ("/frame/strict-json", test_frame_strict_json);
  g_test_add_func ("/frame/unusual-json", test_frame_unusual_json);
  g_test_add_func ("/frame/parse-into", test_frame_parse_into);

  return g_test_run ();
}
