/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-crypto"

#include "config.h"

#include <nettle/curve25519.h>

#include "test-crypto-util.h"

/* RcEphemeralKey and RcChannel (rc-channel.c): the keys of one room and
 * its messages, checked against the vectors of an independent
 * implementation and against messages crafted with GnuTLS directly
 * (reference_seal()), which rc_channel_seal() refuses to make. */

/* docs/protocol.md 4's message format written out again with GnuTLS, to craft
 * messages rc_channel_seal() refuses to make. */
static GBytes *
reference_seal (const guint8 *key,
                const char   *room_id,
                gint64        seq,
                const void   *plaintext,
                gsize         length)
{
  g_auto (gnutls_aead_cipher_hd_t) cipher = NULL;
  gnutls_datum_t key_datum = { (unsigned char *) key, 32 };
  guint8 nonce[12] = { 0 };
  guint8 aad[20];
  gsize ciphertext_length = length + 16;
  guint8 *ciphertext = g_malloc (ciphertext_length);

  g_assert_cmpuint (strlen (room_id), ==, 12);
  memcpy (aad, room_id, 12);
  for (guint i = 0; i < 8; i++)
    nonce[4 + i] = aad[12 + i] = (guint8) ((guint64) seq >> (56 - 8 * i));

  g_assert_cmpint (gnutls_aead_cipher_init (&cipher, GNUTLS_CIPHER_AES_256_GCM, &key_datum),
                   ==, 0);
  g_assert_cmpint (gnutls_aead_cipher_encrypt (cipher, nonce, sizeof nonce, aad, sizeof aad, 16,
                                               plaintext, length, ciphertext,
                                               &ciphertext_length), ==, 0);

  return g_bytes_new_take (ciphertext, ciphertext_length);
}

static void
test_vectors_ephemerals (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);

  for (RcRole role = RC_ROLE_CREATOR; role <= RC_ROLE_JOINER; role++)
    {
      JsonObject *side = get_side (root, role);
      g_autoptr(GBytes) private_key = get_base64 (side, "ephemeral_private");
      g_autoptr(RcEphemeralKey) ephemeral = NULL;
      g_autoptr(GBytes) public_key = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *public_text = NULL;

      ephemeral = rc_ephemeral_key_new_from_private (private_key, &error);
      g_assert_no_error (error);
      public_key = rc_ephemeral_key_get_public (ephemeral);
      public_text = to_base64 (public_key);
      g_assert_cmpstr (public_text, ==, get_string (side, "ephemeral"));
    }
}

static void
test_vectors_messages (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);
  JsonArray *messages = get_array (root, "messages");
  const char *room = get_string (root, "room");
  g_autoptr(RcChannel) creator = new_vector_channel (root, RC_ROLE_CREATOR);
  g_autoptr(RcChannel) joiner = new_vector_channel (root, RC_ROLE_JOINER);
  guint8 okm[64];

  from_hex (get_string (root, "key_creator_to_joiner"), okm, 32);
  from_hex (get_string (root, "key_joiner_to_creator"), okm + 32, 32);
  g_assert_cmpuint (json_array_get_length (messages), >, 0);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      RcRole from = get_role (message, "from");
      gint64 seq = get_int (message, "seq");
      const char *plaintext = get_string (message, "plaintext");
      const char *ciphertext_text = get_string (message, "ciphertext");
      g_autoptr(GBytes) ciphertext = get_base64 (message, "ciphertext");
      RcChannel *sender = from == RC_ROLE_CREATOR ? creator : joiner;
      RcChannel *receiver = from == RC_ROLE_CREATOR ? joiner : creator;
      const guint8 *key = from == RC_ROLE_CREATOR ? okm : okm + 32;
      g_autoptr(GBytes) reference = NULL;
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *opened = NULL;
      g_autofree char *reference_text = NULL;
      gint64 sealed_seq = -1;

      g_test_message ("message %u: %s, seq %" G_GINT64_FORMAT, i, rc_role_to_string (from), seq);

      g_assert_cmpint (rc_channel_get_receive_seq (receiver), ==, seq);
      opened = rc_channel_open (receiver, seq, ciphertext, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (opened, ==, plaintext);
      g_assert_cmpint (rc_channel_get_receive_seq (receiver), ==, seq + 1);

      /* The message format, checked without rc-crypto in the way. */
      reference = reference_seal (key, room, seq, plaintext, strlen (plaintext));
      reference_text = to_base64 (reference);
      g_assert_cmpstr (reference_text, ==, ciphertext_text);

      if (plaintext[0] == '\0')
        {
          /* The protocol allows empty messages, so we open them, but our
           * clients never send one. */
          g_assert_null (rc_channel_seal (sender, plaintext, &sealed_seq, &error));
          g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_INVALID_TEXT);
          g_assert_cmpint (sealed_seq, ==, -1);
        }
      else
        {
          g_autofree char *sealed_text = NULL;

          g_assert_cmpint (rc_channel_get_send_seq (sender), ==, seq);
          sealed = rc_channel_seal (sender, plaintext, &sealed_seq, &error);
          g_assert_no_error (error);
          g_assert_cmpint (sealed_seq, ==, seq);
          sealed_text = to_base64 (sealed);
          g_assert_cmpstr (sealed_text, ==, ciphertext_text);
        }
    }
}

static void
test_vectors_tampered (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);
  JsonObject *tampered = get_object (root, "tampered_message");
  JsonArray *messages = get_array (root, "messages");
  RcRole from = get_role (tampered, "from");
  gint64 seq = get_int (tampered, "seq");
  g_autoptr(GBytes) ciphertext = get_base64 (tampered, "ciphertext");
  g_autoptr(RcChannel) receiver = new_vector_channel (root, other_role (from));
  g_autoptr(RcChannel) probe = new_vector_channel (root, other_role (from));
  g_autoptr(GError) error = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *repaired = NULL;

  g_assert_cmpstr (get_string (tampered, "expect"), ==, "reject");
  g_assert_cmpint (rc_channel_get_receive_seq (receiver), ==, seq);

  g_assert_null (rc_channel_open (receiver, seq, ciphertext, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_DECRYPT);
  g_clear_error (&error);
  g_assert_cmpint (rc_channel_get_receive_seq (receiver), ==, seq);

  /* It was refused for its tag alone: it is a sealed message with one bit
   * flipped, and flipping that bit back makes it open. */
  for (gsize bit = 0; bit < g_bytes_get_size (ciphertext) * 8 && repaired == NULL; bit++)
    {
      g_autoptr(GBytes) candidate = flip_bit (ciphertext, bit);

      repaired = rc_channel_open (probe, seq, candidate, NULL);
    }
  g_assert_nonnull (repaired);

  /* The failure leaves the channel as it was: the genuine message with
   * that seq still opens. */
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      g_autoptr(GBytes) genuine = NULL;

      if (get_role (message, "from") != from || get_int (message, "seq") != seq)
        continue;

      genuine = get_base64 (message, "ciphertext");
      opened = rc_channel_open (receiver, seq, genuine, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (opened, ==, get_string (message, "plaintext"));
    }
  g_assert_nonnull (opened);
}

typedef struct
{
  RcChannel *creator;
  RcChannel *joiner;
} ChannelPair;

static void
channel_pair_clear (ChannelPair *pair)
{
  g_clear_pointer (&pair->creator, rc_channel_free);
  g_clear_pointer (&pair->joiner, rc_channel_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChannelPair, channel_pair_clear)

/* What two clients do: fresh ephemeral keys, signed, checked, agreed on.
 * The creator uses the identity generated here, the joiner the vector's. */
static void
channel_pair_init_fresh (ChannelPair *pair,
                         const char  *room_id)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  g_autoptr(RcIdentity) joiner_identity = load_vector_identity (vectors_root (parser),
                                                                RC_ROLE_JOINER);
  RcIdentity *creator_identity = get_fresh_identity ();
  g_autoptr(GBytes) creator_spki = rc_identity_get_spki (creator_identity);
  g_autoptr(GBytes) joiner_spki = rc_identity_get_spki (joiner_identity);
  g_autoptr(RcEphemeralKey) creator_ephemeral = rc_ephemeral_key_new ();
  g_autoptr(RcEphemeralKey) joiner_ephemeral = rc_ephemeral_key_new ();
  g_autoptr(GBytes) creator_public = rc_ephemeral_key_get_public (creator_ephemeral);
  g_autoptr(GBytes) joiner_public = rc_ephemeral_key_get_public (joiner_ephemeral);
  g_autoptr(GBytes) creator_signature = NULL;
  g_autoptr(GBytes) joiner_signature = NULL;
  g_autoptr(GError) error = NULL;

  creator_signature = rc_identity_sign_ephemeral (creator_identity, RC_ROLE_CREATOR,
                                                  creator_public, &error);
  g_assert_no_error (error);
  joiner_signature = rc_identity_sign_ephemeral (joiner_identity, RC_ROLE_JOINER, joiner_public,
                                                 &error);
  g_assert_no_error (error);

  g_assert_true (rc_crypto_verify_ephemeral (creator_spki, RC_ROLE_CREATOR, creator_public,
                                             creator_signature, &error));
  g_assert_no_error (error);
  g_assert_true (rc_crypto_verify_ephemeral (joiner_spki, RC_ROLE_JOINER, joiner_public,
                                             joiner_signature, &error));
  g_assert_no_error (error);

  pair->creator = rc_channel_new (RC_ROLE_CREATOR, room_id, creator_ephemeral, creator_spki,
                                  joiner_spki, joiner_public, &error);
  g_assert_no_error (error);
  pair->joiner = rc_channel_new (RC_ROLE_JOINER, room_id, joiner_ephemeral, joiner_spki,
                                 creator_spki, creator_public, &error);
  g_assert_no_error (error);
}

static GBytes *
seal_ok (RcChannel  *channel,
         const char *text,
         gint64      expected_seq)
{
  g_autoptr(GError) error = NULL;
  gint64 seq = -1;
  GBytes *ciphertext;

  ciphertext = rc_channel_seal (channel, text, &seq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq, ==, expected_seq);
  g_assert_cmpuint (g_bytes_get_size (ciphertext), ==, strlen (text) + 16);

  return ciphertext;
}

static void
open_ok (RcChannel  *channel,
         gint64      seq,
         GBytes     *ciphertext,
         const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = rc_channel_open (channel, seq, ciphertext, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpint (rc_channel_get_receive_seq (channel), ==, seq + 1);
}

static void
open_fails (RcChannel    *channel,
            gint64        seq,
            GBytes       *ciphertext,
            RcCryptoError code)
{
  g_autoptr(GError) error = NULL;
  gint64 before = rc_channel_get_receive_seq (channel);

  g_assert_null (rc_channel_open (channel, seq, ciphertext, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, (gint) code);
  g_assert_cmpint (rc_channel_get_receive_seq (channel), ==, before);
}

static void
test_channel_round_trip (void)
{
  g_auto (ChannelPair) pair = { NULL, NULL };
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;

  channel_pair_init_fresh (&pair, "1KYAUPMB9KRT");

  /* Turns as docs/protocol.md 3.3 has them: the joiner first. */
  for (gint64 turn = 0; turn < 3; turn++)
    {
      g_autoptr(GBytes) question = seal_ok (pair.joiner, "¿Qué tal? 👋", turn);
      g_autoptr(GBytes) answer = seal_ok (pair.creator, "Bien.", turn);

      open_ok (pair.creator, turn, question, "¿Qué tal? 👋");
      open_ok (pair.joiner, turn, answer, "Bien.");
    }

  /* Replayed: the seq is gone, and the old seq with the new number fails
   * too. */
  first = seal_ok (pair.joiner, "one", 3);
  open_ok (pair.creator, 3, first, "one");
  open_fails (pair.creator, 3, first, RC_CRYPTO_ERROR_SEQUENCE);
  open_fails (pair.creator, 4, first, RC_CRYPTO_ERROR_DECRYPT);
  open_fails (pair.creator, 2, first, RC_CRYPTO_ERROR_SEQUENCE);
  open_fails (pair.creator, -1, first, RC_CRYPTO_ERROR_SEQUENCE);

  /* Skipped or reordered. */
  g_clear_pointer (&first, g_bytes_unref);
  first = seal_ok (pair.joiner, "first", 4);
  second = seal_ok (pair.joiner, "second", 5);
  open_fails (pair.creator, 5, second, RC_CRYPTO_ERROR_SEQUENCE);
  open_fails (pair.creator, 4, second, RC_CRYPTO_ERROR_DECRYPT);
  open_ok (pair.creator, 4, first, "first");
  open_ok (pair.creator, 5, second, "second");
  g_assert_cmpint (rc_channel_get_send_seq (pair.joiner), ==, 6);
  g_assert_cmpint (rc_channel_get_receive_seq (pair.creator), ==, 6);
  g_assert_cmpint (rc_channel_get_send_seq (pair.creator), ==, 3);
  g_assert_cmpint (rc_channel_get_receive_seq (pair.joiner), ==, 3);
}

static void
test_channel_tampering (void)
{
  g_auto (ChannelPair) pair = { NULL, NULL };
  g_auto (ChannelPair) elsewhere = { NULL, NULL };
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GBytes) own = NULL;
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GBytes) tag_only = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  gsize size;

  channel_pair_init_fresh (&pair, "1KYAUPMB9KRT");
  channel_pair_init_fresh (&elsewhere, "ZZZZZZZZZZZZ");

  message = seal_ok (pair.joiner, "Meet at nine", 0);
  size = g_bytes_get_size (message);

  /* Any bit, in the text or in the tag. */
  for (gsize bit = 0; bit < size * 8; bit += 7)
    {
      g_autoptr(GBytes) damaged = flip_bit (message, bit);

      open_fails (pair.creator, 0, damaged, RC_CRYPTO_ERROR_DECRYPT);
    }

  truncated = g_bytes_new_from_bytes (message, 0, size - 1);
  open_fails (pair.creator, 0, truncated, RC_CRYPTO_ERROR_DECRYPT);
  tag_only = g_bytes_new_from_bytes (message, size - 16, 16);
  open_fails (pair.creator, 0, tag_only, RC_CRYPTO_ERROR_DECRYPT);
  open_fails (pair.creator, 0, empty, RC_CRYPTO_ERROR_DECRYPT);

  /* Another room's keys, and our own message sent back to us. */
  open_fails (elsewhere.creator, 0, message, RC_CRYPTO_ERROR_DECRYPT);
  open_fails (pair.joiner, 0, message, RC_CRYPTO_ERROR_DECRYPT);
  own = seal_ok (pair.creator, "Meet at nine", 0);
  open_fails (pair.creator, 0, own, RC_CRYPTO_ERROR_DECRYPT);

  open_ok (pair.creator, 0, message, "Meet at nine");
}

static void
test_channel_limits (void)
{
  static const char *invalid[] = {
    "",
    "\xff",
    "caf\xc3",
    "\xc3\x28",
    "\xc0\xaf",          /* overlong "/" */
    "\xed\xa0\x80",      /* a UTF-16 surrogate */
    "\xf4\x90\x80\x80",  /* above U+10FFFF */
  };
  g_autoptr(RcChannel) creator = NULL;
  g_autoptr(RcChannel) joiner = NULL;
  g_autoptr(GString) longest = g_string_new (NULL);
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  guint8 okm[64];
  gint64 seq = -1;

  rc_crypto_random (okm, sizeof okm);
  creator = rc_channel_new_from_keys (RC_ROLE_CREATOR, "1KYAUPMB9KRT", okm);
  joiner = rc_channel_new_from_keys (RC_ROLE_JOINER, "1KYAUPMB9KRT", okm);

  /* 16,384 bytes of two-byte characters is the longest message. */
  for (guint i = 0; i < RC_MAX_PLAINTEXT_SIZE / 2; i++)
    g_string_append (longest, "é");
  g_assert_cmpuint (longest->len, ==, RC_MAX_PLAINTEXT_SIZE);
  sealed = seal_ok (creator, longest->str, 0);
  open_ok (joiner, 0, sealed, longest->str);

  g_string_append_c (longest, 'x');
  g_assert_null (rc_channel_seal (creator, longest->str, &seq, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_TOO_LONG);
  g_clear_error (&error);
  g_assert_cmpint (seq, ==, -1);
  g_assert_cmpint (rc_channel_get_send_seq (creator), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_null (rc_channel_seal (creator, invalid[i], &seq, &error));
      g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_INVALID_TEXT);
      g_clear_error (&error);
      g_assert_cmpint (seq, ==, -1);
    }
  g_assert_cmpint (rc_channel_get_send_seq (creator), ==, 1);
}

/* Messages a peer could send but our clients never make, crafted with
 * reference_seal(). This also pins the direction keys: the creator seals
 * with okm[0..32), the joiner with okm[32..64). */
static void
test_channel_peer_messages (void)
{
  g_autoptr(RcChannel) creator = NULL;
  g_autoptr(RcChannel) joiner = NULL;
  g_autoptr(GBytes) from_creator = NULL;
  g_autoptr(GBytes) from_joiner = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) empty_text = NULL;
  g_autoptr(GBytes) not_utf8 = NULL;
  g_autoptr(GBytes) zero_byte = NULL;
  g_autoptr(GBytes) too_long = NULL;
  g_autofree char *long_text = g_malloc0 (RC_MAX_PLAINTEXT_SIZE + 1);
  const char *room = "0A1B2C3D4E5F";
  guint8 okm[64];

  rc_crypto_random (okm, sizeof okm);
  creator = rc_channel_new_from_keys (RC_ROLE_CREATOR, room, okm);
  joiner = rc_channel_new_from_keys (RC_ROLE_JOINER, room, okm);

  from_creator = seal_ok (creator, "hello", 0);
  expected = reference_seal (okm, room, 0, "hello", 5);
  g_assert_true (g_bytes_equal (from_creator, expected));
  g_clear_pointer (&expected, g_bytes_unref);
  from_joiner = seal_ok (joiner, "hello", 0);
  expected = reference_seal (okm + 32, room, 0, "hello", 5);
  g_assert_true (g_bytes_equal (from_joiner, expected));

  not_utf8 = reference_seal (okm, room, 0, "caf\xe9", 4);
  open_fails (joiner, 0, not_utf8, RC_CRYPTO_ERROR_DECRYPT);
  zero_byte = reference_seal (okm, room, 0, "ok\0hidden", 9);
  open_fails (joiner, 0, zero_byte, RC_CRYPTO_ERROR_DECRYPT);
  memset (long_text, 'x', RC_MAX_PLAINTEXT_SIZE + 1);
  too_long = reference_seal (okm, room, 0, long_text, RC_MAX_PLAINTEXT_SIZE + 1);
  open_fails (joiner, 0, too_long, RC_CRYPTO_ERROR_TOO_LONG);

  empty_text = reference_seal (okm, room, 0, "", 0);
  open_ok (joiner, 0, empty_text, "");
}

/* Points of small order, canonical and not, with the top bit clear and set
 * (X25519 ignores it): each gives an all-zero result, which nettle returns
 * without complaint. */
static void
test_channel_low_order_points (void)
{
  static const char *points[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "0100000000000000000000000000000000000000000000000000000000000080",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  };
  RcIdentity *identity = get_fresh_identity ();
  g_autoptr(GBytes) spki = rc_identity_get_spki (identity);
  guint8 private_bytes[RC_X25519_KEY_SIZE];
  g_autoptr(GBytes) private_key = NULL;
  g_autoptr(RcEphemeralKey) ephemeral = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GBytes) short_key = NULL;
  g_autoptr(GByteArray) longer = g_byte_array_new ();
  g_autoptr(GBytes) long_key = NULL;
  g_autoptr(GError) error = NULL;
  guint8 zero[RC_X25519_KEY_SIZE] = { 0 };
  guint8 okm[64];

  rc_crypto_random (private_bytes, sizeof private_bytes);
  private_key = g_bytes_new (private_bytes, sizeof private_bytes);
  ephemeral = rc_ephemeral_key_new_from_private (private_key, &error);
  g_assert_no_error (error);
  public_key = rc_ephemeral_key_get_public (ephemeral);

  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      guint8 point[RC_X25519_KEY_SIZE];
      guint8 shared[RC_X25519_KEY_SIZE];
      g_autoptr(GBytes) peer = NULL;
      g_autoptr(RcChannel) channel = NULL;

      from_hex (points[i], point, sizeof point);
      curve25519_mul (shared, private_bytes, point);
      g_assert_cmpmem (shared, sizeof shared, zero, sizeof zero);

      peer = g_bytes_new (point, sizeof point);
      channel = rc_channel_new (RC_ROLE_JOINER, "1KYAUPMB9KRT", ephemeral, spki, spki, peer,
                                &error);
      g_assert_null (channel);
      g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
      g_clear_error (&error);
    }

  short_key = g_bytes_new_from_bytes (public_key, 0, 31);
  g_assert_null (rc_channel_new (RC_ROLE_CREATOR, "1KYAUPMB9KRT", ephemeral, spki, spki,
                                 short_key, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
  g_clear_error (&error);

  g_byte_array_append (longer, g_bytes_get_data (public_key, NULL), RC_X25519_KEY_SIZE);
  g_byte_array_append (longer, (const guint8 *) "", 1);
  long_key = g_byte_array_free_to_bytes (g_steal_pointer (&longer));
  g_assert_null (rc_channel_new (RC_ROLE_CREATOR, "1KYAUPMB9KRT", ephemeral, spki, spki,
                                 long_key, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
  g_clear_error (&error);

  g_assert_false (rc_crypto_derive_keys (zero, "1KYAUPMB9KRT", spki, spki, public_key,
                                         public_key, okm, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
}

/* The room id arrives from the server: a malformed one is an error the
 * session can report, not a critical warning. */
static void
test_channel_bad_room_ids (void)
{
  static const char *room_ids[] = {
    "", "1KYAUPMB9KR", "1KYAUPMB9KRTX", "1KYA-UPMB9KR", "1KYA UPMB9KR", "1KYAUPMB9KR\xc3\xa9",
  };
  g_autoptr(RcEphemeralKey) own = rc_ephemeral_key_new ();
  g_autoptr(RcEphemeralKey) peer = rc_ephemeral_key_new ();
  g_autoptr(GBytes) own_public = rc_ephemeral_key_get_public (own);
  g_autoptr(GBytes) peer_public = rc_ephemeral_key_get_public (peer);
  g_autoptr(GBytes) spki = rc_identity_get_spki (get_fresh_identity ());
  guint8 shared[RC_X25519_KEY_SIZE];
  guint8 okm[64];

  memset (shared, 0x5a, sizeof shared);
  for (guint i = 0; i < G_N_ELEMENTS (room_ids); i++)
    {
      g_autoptr(RcChannel) channel = NULL;
      g_autoptr(GError) error = NULL;

      channel = rc_channel_new (RC_ROLE_CREATOR, room_ids[i], own, spki, spki, peer_public,
                                &error);
      g_assert_null (channel);
      g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
      g_clear_error (&error);

      g_assert_false (rc_crypto_derive_keys (shared, room_ids[i], spki, spki, own_public,
                                             peer_public, okm, &error));
      g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/channel/vectors/ephemerals", test_vectors_ephemerals);
  g_test_add_func ("/channel/vectors/messages", test_vectors_messages);
  g_test_add_func ("/channel/vectors/tampered", test_vectors_tampered);
  g_test_add_func ("/channel/round-trip", test_channel_round_trip);
  g_test_add_func ("/channel/tampering", test_channel_tampering);
  g_test_add_func ("/channel/limits", test_channel_limits);
  g_test_add_func ("/channel/peer-messages", test_channel_peer_messages);
  g_test_add_func ("/channel/low-order-points", test_channel_low_order_points);
  g_test_add_func ("/channel/bad-room-ids", test_channel_bad_room_ids);

  status = g_test_run ();
  g_clear_object (&fresh_identity);

  return status;
}
