/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include "rc-client-room.h"
#include "test-crypto-util.h"

/* RcClientRoom without a server: both sides of the room of the
 * independent vectors (tests/data/e2e-v1.json), paired from frames made
 * here, must agree with each other and with the vectors. */

typedef struct
{
  JsonParser   *parser;
  JsonObject   *root;
  RcClientRoom *creator;   /* Ana, talking with Bo */
  RcClientRoom *joiner;    /* Bo, talking with Ana */
} Fixture;

/* What a side offers in create or join, as the vectors have it. */
static void
vector_keys (JsonObject    *root,
             RcRole         role,
             RcKeyMaterial *keys)
{
  JsonObject *side = get_side (root, role);

  keys->identity = get_base64 (side, "identity");
  keys->ephemeral = get_base64 (side, "ephemeral");
  keys->signature = get_base64 (side, "signature");
}

static RcEphemeralKey *
vector_ephemeral (JsonObject *root,
                  RcRole      role)
{
  g_autoptr(GBytes) private_key = get_base64 (get_side (root, role), "ephemeral_private");
  g_autoptr(GError) error = NULL;
  RcEphemeralKey *ephemeral = rc_ephemeral_key_new_from_private (private_key, &error);

  g_assert_no_error (error);
  return ephemeral;
}

/* The paired frame the server sends to @role, with the peer's keys as the
 * vectors have them; the joiner writes first. */
static RcFrame *
paired_frame (JsonObject *root,
              RcRole      role)
{
  RcFrame *paired = rc_frame_new (RC_FRAME_PAIRED);

  paired->room = g_strdup (get_string (root, "room"));
  paired->role = role;
  paired->your_turn = role == RC_ROLE_JOINER;
  paired->peer_name = g_strdup (role == RC_ROLE_CREATOR ? "Bo" : "Ana");
  vector_keys (root, other_role (role), &paired->peer_keys);
  return paired;
}

static RcClientRoom *
new_room (JsonObject     *root,
          RcRole          role,
          const RcFrame  *paired,
          GError        **error)
{
  g_autoptr(RcIdentity) identity = load_vector_identity (root, role);
  g_autoptr(RcEphemeralKey) ephemeral = vector_ephemeral (root, role);

  return rc_client_room_new (identity, ephemeral, paired, error);
}

static RcClientRoom *
new_room_ok (JsonObject *root,
             RcRole      role)
{
  g_autoptr(RcFrame) paired = paired_frame (root, role);
  g_autoptr(GError) error = NULL;
  RcClientRoom *room = new_room (root, role, paired, &error);

  g_assert_no_error (error);
  g_assert_true (RC_IS_CLIENT_ROOM (room));
  return room;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->parser = load_vectors ();
  f->root = vectors_root (f->parser);
  f->creator = new_room_ok (f->root, RC_ROLE_CREATOR);
  f->joiner = new_room_ok (f->root, RC_ROLE_JOINER);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->creator);
  g_assert_finalize_object (f->joiner);
  g_clear_object (&f->parser);
}

/* A message frame as the server relays it. */
static RcFrame *
message_frame (gint64  seq,
               GBytes *ciphertext)
{
  RcFrame *message = rc_frame_new (RC_FRAME_MESSAGE);

  message->seq = seq;
  message->ciphertext = g_bytes_ref (ciphertext);
  return message;
}

static void
test_pair (Fixture       *f,
           gconstpointer  data)
{
  const char *safety_code = get_string (f->root, "safety_code");

  g_assert_cmpstr (rc_client_room_get_id (f->creator), ==, get_string (f->root, "room"));
  g_assert_cmpstr (rc_client_room_get_id (f->joiner), ==, get_string (f->root, "room"));
  g_assert_cmpint (rc_client_room_get_role (f->creator), ==, RC_ROLE_CREATOR);
  g_assert_cmpint (rc_client_room_get_role (f->joiner), ==, RC_ROLE_JOINER);
  g_assert_cmpstr (rc_client_room_get_peer_name (f->creator), ==, "Bo");
  g_assert_cmpstr (rc_client_room_get_peer_name (f->joiner), ==, "Ana");

  /* Both people read out the same code, the one the vectors give. */
  g_assert_cmpstr (rc_client_room_get_safety_code (f->creator), ==, safety_code);
  g_assert_cmpstr (rc_client_room_get_safety_code (f->joiner), ==, safety_code);

  g_assert_false (rc_client_room_get_my_turn (f->creator));
  g_assert_true (rc_client_room_get_my_turn (f->joiner));
}

/* The vectors' conversation, sealed by one room and opened by the other:
 * the same bytes as the independent implementation's, in turns. */
static void
test_messages (Fixture       *f,
               gconstpointer  data)
{
  JsonArray *messages = get_array (f->root, "messages");

  g_assert_cmpuint (json_array_get_length (messages), >, 0);
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *vector = json_array_get_object_element (messages, i);
      RcRole from = get_role (vector, "from");
      gint64 seq = get_int (vector, "seq");
      const char *plaintext = get_string (vector, "plaintext");
      g_autoptr(GBytes) ciphertext = get_base64 (vector, "ciphertext");
      g_autoptr(RcFrame) relayed = message_frame (seq, ciphertext);
      RcClientRoom *sender = from == RC_ROLE_CREATOR ? f->creator : f->joiner;
      RcClientRoom *receiver = from == RC_ROLE_CREATOR ? f->joiner : f->creator;
      g_autoptr(RcFrame) sealed = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *opened = NULL;

      g_test_message ("message %u: %s, seq %" G_GINT64_FORMAT, i, rc_role_to_string (from), seq);
      g_assert_true (rc_client_room_get_my_turn (sender));

      sealed = rc_client_room_seal (sender, plaintext, &error);
      if (plaintext[0] == '\0')
        {
          /* The protocol allows empty messages, so they open, but our
           * clients never send one. */
          g_assert_null (sealed);
          g_assert_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_EMPTY_MESSAGE);
          g_assert_true (rc_client_room_get_my_turn (sender));
          g_clear_error (&error);
        }
      else
        {
          g_autofree char *sealed_text = NULL;

          g_assert_no_error (error);
          g_assert_cmpint (sealed->type, ==, RC_FRAME_MESSAGE);
          g_assert_cmpint (sealed->seq, ==, seq);
          sealed_text = to_base64 (sealed->ciphertext);
          g_assert_cmpstr (sealed_text, ==, get_string (vector, "ciphertext"));
          g_assert_false (rc_client_room_get_my_turn (sender));
        }

      opened = rc_client_room_open (receiver, relayed, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (opened, ==, plaintext);
      g_assert_true (rc_client_room_get_my_turn (receiver));
    }
}

static void
seal_refused (RcClientRoom *room,
              const char   *text,
              RcClientError code)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (rc_client_room_seal (room, text, &error));
  g_assert_error (error, RC_CLIENT_ERROR, (gint) code);
}

/* Refused before anything is sealed: the seq and the turn stay. */
static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *longest = g_strnfill (RC_MAX_PLAINTEXT_SIZE, 'x');
  g_autofree char *too_long = g_strnfill (RC_MAX_PLAINTEXT_SIZE + 1, 'x');
  g_autoptr(RcFrame) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *opened = NULL;

  g_assert_null (rc_client_room_seal (f->creator, "not yet", &error));
  g_assert_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_YOUR_TURN);
  g_assert_nonnull (strstr (error->message, "Bo"));
  g_clear_error (&error);

  seal_refused (f->joiner, "", RC_CLIENT_ERROR_EMPTY_MESSAGE);
  seal_refused (f->joiner, too_long, RC_CLIENT_ERROR_MESSAGE_TOO_LONG);
  seal_refused (f->joiner, "\xff\xfe", RC_CLIENT_ERROR_INVALID_TEXT);
  g_assert_true (rc_client_room_get_my_turn (f->joiner));

  message = rc_client_room_seal (f->joiner, longest, &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->seq, ==, 0);
  seal_refused (f->joiner, "twice", RC_CLIENT_ERROR_NOT_YOUR_TURN);

  opened = rc_client_room_open (f->creator, message, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (opened, ==, longest);
}

static void
assert_not_secure (JsonObject    *root,
                   const RcFrame *paired)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcClientRoom) room = new_room (root, paired->role, paired, &error);

  g_assert_null (room);
  g_assert_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY);
  g_assert_nonnull (strstr (error->message, paired->peer_name));
}

/* A peer whose keys do not verify makes no room. */
static void
test_bad_keys (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);
  g_autoptr(RcFrame) swapped = paired_frame (root, RC_ROLE_CREATOR);
  g_autoptr(RcFrame) damaged = paired_frame (root, RC_ROLE_CREATOR);
  g_autoptr(RcFrame) other_ephemeral = paired_frame (root, RC_ROLE_JOINER);
  g_autoptr(RcEphemeralKey) stranger = rc_ephemeral_key_new ();
  GBytes *signature;

  /* Keys signed for the creator's role, offered as the joiner's: a server
   * cannot swap the roles unnoticed. */
  rc_key_material_clear (&swapped->peer_keys);
  vector_keys (root, RC_ROLE_CREATOR, &swapped->peer_keys);
  assert_not_secure (root, swapped);

  signature = damaged->peer_keys.signature;
  damaged->peer_keys.signature = flip_bit (signature, 100);
  g_bytes_unref (signature);
  assert_not_secure (root, damaged);

  /* An ephemeral key the peer did not sign. */
  g_clear_pointer (&other_ephemeral->peer_keys.ephemeral, g_bytes_unref);
  other_ephemeral->peer_keys.ephemeral = rc_ephemeral_key_get_public (stranger);
  assert_not_secure (root, other_ephemeral);
}

static void
test_tampered (Fixture       *f,
               gconstpointer  data)
{
  JsonObject *tampered = get_object (f->root, "tampered_message");
  JsonObject *genuine = json_array_get_object_element (get_array (f->root, "messages"), 0);
  g_autoptr(GBytes) tampered_ciphertext = get_base64 (tampered, "ciphertext");
  g_autoptr(GBytes) genuine_ciphertext = get_base64 (genuine, "ciphertext");
  g_autoptr(RcFrame) forged = message_frame (get_int (tampered, "seq"), tampered_ciphertext);
  g_autoptr(RcFrame) message = message_frame (get_int (genuine, "seq"), genuine_ciphertext);
  g_autoptr(RcFrame) replayed = message_frame (get_int (genuine, "seq"), genuine_ciphertext);
  g_autoptr(GError) error = NULL;
  g_autofree char *opened = NULL;

  g_assert_cmpint (get_role (tampered, "from"), ==, RC_ROLE_JOINER);
  g_assert_cmpint (get_role (genuine, "from"), ==, RC_ROLE_JOINER);

  g_assert_null (rc_client_room_open (f->creator, forged, &error));
  g_assert_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY);
  g_assert_nonnull (strstr (error->message, "Bo"));
  g_clear_error (&error);
  g_assert_false (rc_client_room_get_my_turn (f->creator));

  opened = rc_client_room_open (f->creator, message, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (opened, ==, get_string (genuine, "plaintext"));

  g_assert_null (rc_client_room_open (f->creator, replayed, &error));
  g_assert_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY);
}

/* Closing wipes the keys: nothing more goes in or out, the names stay. */
static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(RcFrame) message = NULL;
  g_autoptr(GError) error = NULL;

  message = rc_client_room_seal (f->joiner, "last words", &error);
  g_assert_no_error (error);

  rc_client_room_close (f->creator);
  g_assert_false (rc_client_room_get_my_turn (f->creator));
  g_assert_null (rc_client_room_open (f->creator, message, &error));
  g_assert_error (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_IN_ROOM);
  g_clear_error (&error);
  seal_refused (f->creator, "anyone?", RC_CLIENT_ERROR_NOT_IN_ROOM);

  g_assert_cmpstr (rc_client_room_get_peer_name (f->creator), ==, "Bo");
  g_assert_cmpstr (rc_client_room_get_safety_code (f->creator), ==,
                   get_string (f->root, "safety_code"));
}

/* The keys a side offers verify for its role only, and make a room with
 * the other side. */
static void
test_offer_keys (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);
  JsonObject *joiner = get_side (root, RC_ROLE_JOINER);
  g_autoptr(RcIdentity) identity = load_vector_identity (root, RC_ROLE_JOINER);
  g_autoptr(RcEphemeralKey) ephemeral = vector_ephemeral (root, RC_ROLE_JOINER);
  g_autoptr(RcFrame) paired = paired_frame (root, RC_ROLE_CREATOR);
  g_autoptr(RcClientRoom) room = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *identity_text = NULL;
  g_autofree char *ephemeral_text = NULL;
  RcKeyMaterial *keys = &paired->peer_keys;

  rc_key_material_clear (keys);
  g_assert_true (rc_client_room_offer_keys (identity, RC_ROLE_JOINER, ephemeral, keys, &error));
  g_assert_no_error (error);
  identity_text = to_base64 (keys->identity);
  ephemeral_text = to_base64 (keys->ephemeral);
  g_assert_cmpstr (identity_text, ==, get_string (joiner, "identity"));
  g_assert_cmpstr (ephemeral_text, ==, get_string (joiner, "ephemeral"));

  g_assert_true (rc_crypto_verify_ephemeral (keys->identity, RC_ROLE_JOINER, keys->ephemeral,
                                             keys->signature, &error));
  g_assert_no_error (error);
  g_assert_false (rc_crypto_verify_ephemeral (keys->identity, RC_ROLE_CREATOR, keys->ephemeral,
                                              keys->signature, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  room = new_room (root, RC_ROLE_CREATOR, paired, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rc_client_room_get_safety_code (room), ==, get_string (root, "safety_code"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/client-room/pair", Fixture, NULL, fixture_set_up, test_pair, fixture_tear_down);
  g_test_add ("/client-room/messages", Fixture, NULL, fixture_set_up, test_messages,
              fixture_tear_down);
  g_test_add ("/client-room/refusals", Fixture, NULL, fixture_set_up, test_refusals,
              fixture_tear_down);
  g_test_add_func ("/client-room/bad-keys", test_bad_keys);
  g_test_add ("/client-room/tampered", Fixture, NULL, fixture_set_up, test_tampered,
              fixture_tear_down);
  g_test_add ("/client-room/close", Fixture, NULL, fixture_set_up, test_close,
              fixture_tear_down);
  g_test_add_func ("/client-room/offer-keys", test_offer_keys);

  return g_test_run ();
}
