/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-crypto"

#include "config.h"

#include <nettle/curve25519.h>

#include "test-crypto-util.h"

/* rc-crypto.c: hashes, fingerprints, the safety code, key derivation and
 * randomness, checked against the vectors of an independent
 * implementation; X25519 runs on nettle directly, so that those checks do
 * not go through the code under test. Identities and channels have their
 * own tests (test-identity.c, test-channel.c). */

/* SHA-256 of tests/data/e2e-v1.json: the copy must stay byte for byte
 * the one in the shared reference folder. */
#define VECTORS_SHA256 "f13a6ce4a76142ff71b900731e3ccc51ca059a7c0ae8f9448409600d9e2f83c0"

static char *
to_hex (const guint8 *data,
        gsize         length)
{
  GString *text = g_string_new (NULL);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (text, "%02x", data[i]);

  return g_string_free (text, FALSE);
}

static void
test_vectors_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) digest = NULL;
  g_autofree char *hex = NULL;
  gsize length = 0;

  g_file_get_contents (TEST_DATA_DIR "/e2e-v1.json", &contents, &length, &error);
  g_assert_no_error (error);

  digest = rc_crypto_sha256 ((const guint8 *) contents, length);
  hex = to_hex (g_bytes_get_data (digest, NULL), g_bytes_get_size (digest));
  g_assert_cmpstr (hex, ==, VECTORS_SHA256);
}

static void
test_vectors_keys (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);
  JsonObject *creator = get_side (root, RC_ROLE_CREATOR);
  JsonObject *joiner = get_side (root, RC_ROLE_JOINER);
  const char *room = get_string (root, "room");
  g_autoptr(GBytes) creator_private = get_base64 (creator, "ephemeral_private");
  g_autoptr(GBytes) joiner_private = get_base64 (joiner, "ephemeral_private");
  g_autoptr(GBytes) creator_public = get_base64 (creator, "ephemeral");
  g_autoptr(GBytes) joiner_public = get_base64 (joiner, "ephemeral");
  g_autoptr(GBytes) creator_spki = get_base64 (creator, "identity");
  g_autoptr(GBytes) joiner_spki = get_base64 (joiner, "identity");
  guint8 okm_vector[64];
  guint8 shared[2][RC_X25519_KEY_SIZE];
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_bytes_get_size (creator_private), ==, 32);
  g_assert_cmpuint (g_bytes_get_size (joiner_private), ==, 32);
  g_assert_cmpuint (g_bytes_get_size (creator_public), ==, 32);
  g_assert_cmpuint (g_bytes_get_size (joiner_public), ==, 32);
  from_hex (get_string (root, "key_creator_to_joiner"), okm_vector, 32);
  from_hex (get_string (root, "key_joiner_to_creator"), okm_vector + 32, 32);

  /* Each side's X25519 with nettle directly, then rc_crypto_derive_keys(). */
  curve25519_mul (shared[0], g_bytes_get_data (creator_private, NULL),
                  g_bytes_get_data (joiner_public, NULL));
  curve25519_mul (shared[1], g_bytes_get_data (joiner_private, NULL),
                  g_bytes_get_data (creator_public, NULL));
  g_assert_cmpmem (shared[0], 32, shared[1], 32);

  for (guint side = 0; side < 2; side++)
    {
      guint8 okm[64];
      g_autofree char *forward = NULL;
      g_autofree char *backward = NULL;

      g_assert_true (rc_crypto_derive_keys (shared[side], room, creator_spki, joiner_spki,
                                            creator_public, joiner_public, okm, &error));
      g_assert_no_error (error);
      forward = to_hex (okm, 32);
      backward = to_hex (okm + 32, 32);
      g_assert_cmpstr (forward, ==, get_string (root, "key_creator_to_joiner"));
      g_assert_cmpstr (backward, ==, get_string (root, "key_joiner_to_creator"));
    }

  /* rc_channel_new() on each side holds the vector's keys: what it seals,
   * a channel made from the vector's keys opens, and the other way round. */
  for (RcRole role = RC_ROLE_CREATOR; role <= RC_ROLE_JOINER; role++)
    {
      g_autoptr(RcChannel) channel = new_vector_channel (root, role);
      g_autoptr(RcChannel) known = rc_channel_new_from_keys (other_role (role), room, okm_vector);
      g_autoptr(RcChannel) known_sender = rc_channel_new_from_keys (other_role (role), room,
                                                                    okm_vector);
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(GBytes) reply = NULL;
      g_autofree char *opened = NULL;
      g_autofree char *opened_reply = NULL;

      sealed = rc_channel_seal (channel, "probe", NULL, &error);
      g_assert_no_error (error);
      opened = rc_channel_open (known, 0, sealed, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (opened, ==, "probe");

      reply = rc_channel_seal (known_sender, "reply", NULL, &error);
      g_assert_no_error (error);
      opened_reply = rc_channel_open (channel, 0, reply, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (opened_reply, ==, "reply");
    }
}

static void
test_vectors_safety_code (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);
  g_autoptr(GBytes) creator_spki = get_base64 (get_side (root, RC_ROLE_CREATOR), "identity");
  g_autoptr(GBytes) joiner_spki = get_base64 (get_side (root, RC_ROLE_JOINER), "identity");
  g_autoptr(GBytes) creator_fingerprint = rc_crypto_fingerprint (creator_spki);
  g_autoptr(GBytes) joiner_fingerprint = rc_crypto_fingerprint (joiner_spki);
  g_autofree char *forward = rc_crypto_safety_code (creator_fingerprint, joiner_fingerprint);
  g_autofree char *backward = rc_crypto_safety_code (joiner_fingerprint, creator_fingerprint);

  g_assert_cmpstr (forward, ==, get_string (root, "safety_code"));
  g_assert_cmpstr (backward, ==, get_string (root, "safety_code"));
}

static void
test_fingerprint_format (void)
{
  guint8 data[RC_FINGERPRINT_SIZE];
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) abc = rc_crypto_sha256 ((const guint8 *) "abc", 3);
  g_autoptr(GBytes) one = g_bytes_new_static ("\xab", 1);
  g_autofree char *text = NULL;
  g_autofree char *abc_text = NULL;
  g_autofree char *one_text = NULL;

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 0x11 + 0x0a);
  bytes = g_bytes_new (data, sizeof data);
  text = rc_crypto_format_fingerprint (bytes);
  g_assert_cmpstr (text, ==,
                   "0A:1B:2C:3D:4E:5F:70:81:92:A3:B4:C5:D6:E7:F8:09:"
                   "1A:2B:3C:4D:5E:6F:80:91:A2:B3:C4:D5:E6:F7:08:19");

  abc_text = rc_crypto_format_fingerprint (abc);
  g_assert_cmpstr (abc_text, ==,
                   "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
                   "B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD");

  one_text = rc_crypto_format_fingerprint (one);
  g_assert_cmpstr (one_text, ==, "AB");
}

static void
test_random (void)
{
  guint8 a[32] = { 0 };
  guint8 b[32] = { 0 };
  guint8 zero[32] = { 0 };
  g_autoptr(RcEphemeralKey) first = rc_ephemeral_key_new ();
  g_autoptr(RcEphemeralKey) second = rc_ephemeral_key_new ();
  g_autoptr(GBytes) first_public = rc_ephemeral_key_get_public (first);
  g_autoptr(GBytes) second_public = rc_ephemeral_key_get_public (second);

  rc_crypto_random (a, sizeof a);
  rc_crypto_random (b, sizeof b);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
  g_assert_true (memcmp (a, zero, sizeof a) != 0);
  rc_crypto_random (NULL, 0);

  g_assert_cmpuint (g_bytes_get_size (first_public), ==, RC_X25519_KEY_SIZE);
  g_assert_false (g_bytes_equal (first_public, second_public));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/crypto/vectors/file", test_vectors_file);
  g_test_add_func ("/crypto/vectors/keys", test_vectors_keys);
  g_test_add_func ("/crypto/vectors/safety-code", test_vectors_safety_code);
  g_test_add_func ("/crypto/fingerprint/format", test_fingerprint_format);
  g_test_add_func ("/crypto/random", test_random);

  return g_test_run ();
}
