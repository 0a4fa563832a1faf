/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-crypto"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>
#include <nettle/curve25519.h>

#include "rc-crypto.h"

/* The test reads the vectors of an independent implementation and checks
 * rc-crypto against them; where rc-crypto offers no way in (X25519, a raw
 * AES-GCM seal, odd PSS salts, weak keys), it uses GnuTLS and nettle
 * directly, so those checks do not go through the code under test. */

/* SHA-256 of tests/data/e2e-v1.json: the copy must stay byte for byte
 * the one in the shared reference folder. */
#define VECTORS_SHA256 "f13a6ce4a76142ff71b900731e3ccc51ca059a7c0ae8f9448409600d9e2f83c0"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_spki_t, gnutls_x509_spki_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_aead_cipher_hd_t, gnutls_aead_cipher_deinit, NULL)

static void
test_datum_clear (gnutls_datum_t *datum)
{
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, test_datum_clear)

/* Made once: RSA-3072 generation takes up to a second. */
static RcIdentity *fresh_identity;

static RcIdentity *
get_fresh_identity (void)
{
  if (fresh_identity == NULL)
    {
      g_autoptr(GError) error = NULL;

      fresh_identity = rc_identity_generate (&error);
      g_assert_no_error (error);
      g_assert_nonnull (fresh_identity);
    }

  return fresh_identity;
}

static RcRole
other_role (RcRole role)
{
  return role == RC_ROLE_CREATOR ? RC_ROLE_JOINER : RC_ROLE_CREATOR;
}

/* Vector file access. Every getter asserts the member's presence and JSON
 * type, so a damaged file fails the test instead of testing less. */

static JsonParser *
load_vectors (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, TEST_DATA_DIR "/e2e-v1.json", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return g_steal_pointer (&parser);
}

static JsonObject *
vectors_root (JsonParser *parser)
{
  return json_node_get_object (json_parser_get_root (parser));
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_error ("The vectors lack the member \"%s\"", name);

  return node;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_node_get_array (node);
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
  return json_node_get_string (node);
}

static gint64
get_int (JsonObject *object,
         const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64);
  return json_node_get_int (node);
}

static RcRole
get_role (JsonObject *object,
          const char *name)
{
  RcRole role = RC_ROLE_CREATOR;

  g_assert_true (rc_role_from_string (get_string (object, name), &role));
  return role;
}

/* g_base64_decode() skips characters it does not know; only a value that
 * encodes back to the same text was read whole. */
static GBytes *
get_base64 (JsonObject *object,
            const char *name)
{
  const char *text = get_string (object, name);
  g_autofree guint8 *data = NULL;
  g_autofree char *again = NULL;
  gsize length = 0;

  data = g_base64_decode (text, &length);
  again = g_base64_encode (data, length);
  g_assert_cmpstr (again, ==, text);

  return g_bytes_new_take (g_steal_pointer (&data), length);
}

static JsonObject *
get_side (JsonObject *root,
          RcRole      role)
{
  return get_object (root, rc_role_to_string (role));
}

static char *
to_base64 (GBytes *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return g_base64_encode (data, size);
}

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
from_hex (const char *text,
          guint8     *data,
          gsize       length)
{
  g_assert_cmpuint (strlen (text), ==, 2 * length);
  for (gsize i = 0; i < length; i++)
    {
      int high = g_ascii_xdigit_value (text[2 * i]);
      int low = g_ascii_xdigit_value (text[2 * i + 1]);

      g_assert_cmpint (high, >=, 0);
      g_assert_cmpint (low, >=, 0);
      data[i] = (guint8) (high << 4 | low);
    }
}

static GBytes *
flip_bit (GBytes *bytes,
          gsize   bit)
{
  gsize size;
  guint8 *data = g_bytes_unref_to_data (g_bytes_ref (bytes), &size);

  g_assert_cmpuint (bit / 8, <, size);
  data[bit / 8] ^= 1 << (bit % 8);

  return g_bytes_new_take (data, size);
}

static RcIdentity *
load_vector_identity (JsonObject *root,
                      RcRole      role)
{
  g_autoptr(GError) error = NULL;
  const char *pem = get_string (get_side (root, role), "identity_private_pem");
  RcIdentity *identity;

  identity = rc_identity_new_from_pem (pem, strlen (pem), &error);
  g_assert_no_error (error);
  g_assert_nonnull (identity);

  return identity;
}

/* A channel built the way a client builds it: own ephemeral private key,
 * peer's identity and ephemeral public key as received. */
static RcChannel *
new_vector_channel (JsonObject *root,
                    RcRole      role)
{
  JsonObject *own = get_side (root, role);
  JsonObject *peer = get_side (root, other_role (role));
  g_autoptr(GBytes) own_private = get_base64 (own, "ephemeral_private");
  g_autoptr(GBytes) own_spki = get_base64 (own, "identity");
  g_autoptr(GBytes) peer_spki = get_base64 (peer, "identity");
  g_autoptr(GBytes) peer_ephemeral = get_base64 (peer, "ephemeral");
  g_autoptr(RcEphemeralKey) ephemeral = NULL;
  g_autoptr(GError) error = NULL;
  RcChannel *channel;

  ephemeral = rc_ephemeral_key_new_from_private (own_private, &error);
  g_assert_no_error (error);

  channel = rc_channel_new (role, get_string (root, "room"), ephemeral, own_spki, peer_spki,
                            peer_ephemeral, &error);
  g_assert_no_error (error);
  g_assert_nonnull (channel);

  return channel;
}

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

/* docs/protocol.md 4's signed message written out again. */
static GBytes *
reference_signed_message (RcRole  role,
                          GBytes *ephemeral)
{
  GByteArray *message = g_byte_array_new ();
  const char *role_name = role == RC_ROLE_CREATOR ? "creator" : "joiner";

  g_byte_array_append (message, (const guint8 *) "roomchat-v1 ephemeral", 21);
  g_byte_array_append (message, (const guint8 *) "", 1);
  g_byte_array_append (message, (const guint8 *) role_name, strlen (role_name));
  g_byte_array_append (message, (const guint8 *) "", 1);
  g_byte_array_append (message, g_bytes_get_data (ephemeral, NULL), g_bytes_get_size (ephemeral));

  return g_byte_array_free_to_bytes (message);
}

static GBytes *
export_spki (gnutls_privkey_t key)
{
  g_auto (gnutls_pubkey_t) public_key = NULL;
  g_auto (gnutls_datum_t) der = { NULL, 0 };

  g_assert_cmpint (gnutls_pubkey_init (&public_key), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (public_key, key, 0, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export2 (public_key, GNUTLS_X509_FMT_DER, &der), ==, 0);

  return g_bytes_new (der.data, der.size);
}

static GBytes *
sign_with (gnutls_privkey_t  key,
           GBytes           *message)
{
  g_auto (gnutls_datum_t) signature = { NULL, 0 };
  gnutls_datum_t data = {
    (unsigned char *) g_bytes_get_data (message, NULL),
    (unsigned int) g_bytes_get_size (message)
  };

  g_assert_cmpint (gnutls_privkey_sign_data2 (key, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, 0, &data,
                                              &signature), ==, 0);

  return g_bytes_new (signature.data, signature.size);
}

static char *
read_text_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static guint
file_mode (const char *path)
{
  GStatBuf buf;

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  return buf.st_mode & 0777;
}

/* The vectors */

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
test_vectors_identities (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);

  for (RcRole role = RC_ROLE_CREATOR; role <= RC_ROLE_JOINER; role++)
    {
      JsonObject *side = get_side (root, role);
      g_autoptr(RcIdentity) identity = load_vector_identity (root, role);
      g_autoptr(GBytes) spki = rc_identity_get_spki (identity);
      g_autoptr(GBytes) fingerprint = rc_identity_get_fingerprint (identity);
      g_autoptr(GBytes) expected_fingerprint = rc_crypto_fingerprint (spki);
      g_autoptr(GBytes) vector_spki = get_base64 (side, "identity");
      g_autoptr(RcEphemeralKey) ephemeral = rc_ephemeral_key_new ();
      g_autoptr(GBytes) ephemeral_public = rc_ephemeral_key_get_public (ephemeral);
      g_autoptr(GBytes) signature = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *spki_text = to_base64 (spki);
      g_autofree char *path = NULL;
      g_autofree char *saved = NULL;

      g_assert_cmpstr (spki_text, ==, get_string (side, "identity"));
      g_assert_true (g_bytes_equal (fingerprint, expected_fingerprint));

      /* Saving writes the key back byte for byte, so every byte of the
       * vector's PEM counts, including the private numbers. */
      path = g_build_filename (g_get_user_data_dir (), rc_role_to_string (role), "id.pem", NULL);
      rc_identity_save (identity, path, &error);
      g_assert_no_error (error);
      saved = read_text_file (path);
      g_assert_cmpstr (saved, ==, get_string (side, "identity_private_pem"));

      /* And the private key signs for the vector's public key. */
      signature = rc_identity_sign_ephemeral (identity, role, ephemeral_public, &error);
      g_assert_no_error (error);
      rc_crypto_verify_ephemeral (vector_spki, role, ephemeral_public, signature, &error);
      g_assert_no_error (error);
    }
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
test_vectors_signatures (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *root = vectors_root (parser);
  JsonObject *wrong = get_object (root, "wrong_role_signature");
  g_autoptr(GBytes) wrong_spki = get_base64 (wrong, "identity");
  g_autoptr(GBytes) wrong_ephemeral = get_base64 (wrong, "ephemeral");
  g_autoptr(GBytes) wrong_signature = get_base64 (wrong, "signature");
  RcRole wrong_role = get_role (wrong, "role");
  g_autoptr(GError) error = NULL;

  for (RcRole role = RC_ROLE_CREATOR; role <= RC_ROLE_JOINER; role++)
    {
      JsonObject *side = get_side (root, role);
      g_autoptr(GBytes) spki = get_base64 (side, "identity");
      g_autoptr(GBytes) ephemeral = get_base64 (side, "ephemeral");
      g_autoptr(GBytes) signature = get_base64 (side, "signature");

      g_assert_true (rc_crypto_verify_ephemeral (spki, role, ephemeral, signature, &error));
      g_assert_no_error (error);

      g_assert_false (rc_crypto_verify_ephemeral (spki, other_role (role), ephemeral, signature,
                                                  &error));
      g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
      g_clear_error (&error);
    }

  g_assert_cmpstr (get_string (wrong, "expect"), ==, "reject");
  g_assert_false (rc_crypto_verify_ephemeral (wrong_spki, wrong_role, wrong_ephemeral,
                                              wrong_signature, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* The same bytes under the signer's real role verify: the role alone
   * makes the difference. */
  g_assert_true (rc_crypto_verify_ephemeral (wrong_spki, other_role (wrong_role), wrong_ephemeral,
                                             wrong_signature, &error));
  g_assert_no_error (error);
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

/* Identities */

static void
test_identity_generate (void)
{
  RcIdentity *identity = get_fresh_identity ();
  g_autoptr(GBytes) spki = rc_identity_get_spki (identity);
  g_autoptr(GBytes) fingerprint = rc_identity_get_fingerprint (identity);
  g_autoptr(GBytes) expected = rc_crypto_fingerprint (spki);
  g_auto (gnutls_pubkey_t) key = NULL;
  g_auto (gnutls_datum_t) modulus = { NULL, 0 };
  g_auto (gnutls_datum_t) exponent = { NULL, 0 };
  gnutls_datum_t der = {
    (unsigned char *) g_bytes_get_data (spki, NULL), (unsigned int) g_bytes_get_size (spki)
  };
  unsigned int bits = 0;
  static const guint8 e65537[] = { 0x01, 0x00, 0x01 };

  g_assert_true (g_bytes_equal (fingerprint, expected));
  g_assert_cmpuint (g_bytes_get_size (fingerprint), ==, RC_FINGERPRINT_SIZE);

  g_assert_cmpint (gnutls_pubkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import (key, &der, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pubkey_get_pk_algorithm (key, &bits), ==, GNUTLS_PK_RSA);
  g_assert_cmpuint (bits, ==, 3072);
  g_assert_cmpint (gnutls_pubkey_export_rsa_raw2 (key, &modulus, &exponent,
                                                  GNUTLS_EXPORT_FLAG_NO_LZ), ==, 0);
  g_assert_cmpmem (exponent.data, exponent.size, e65537, sizeof e65537);
}

static void
test_identity_sign_verify (void)
{
  RcIdentity *identity = get_fresh_identity ();
  g_autoptr(JsonParser) parser = load_vectors ();
  g_autoptr(GBytes) spki = rc_identity_get_spki (identity);
  g_autoptr(GBytes) other_spki = get_base64 (get_side (vectors_root (parser), RC_ROLE_JOINER),
                                             "identity");
  g_autoptr(RcEphemeralKey) ephemeral = rc_ephemeral_key_new ();
  g_autoptr(RcEphemeralKey) other_ephemeral = rc_ephemeral_key_new ();
  g_autoptr(GBytes) public_key = rc_ephemeral_key_get_public (ephemeral);
  g_autoptr(GBytes) other_public_key = rc_ephemeral_key_get_public (other_ephemeral);
  g_autoptr(GBytes) short_key = g_bytes_new_from_bytes (public_key, 0, 31);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) joiner_signature = NULL;
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GError) error = NULL;

  signature = rc_identity_sign_ephemeral (identity, RC_ROLE_CREATOR, public_key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, 384);
  g_assert_true (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, public_key, signature,
                                             &error));
  g_assert_no_error (error);

  g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_JOINER, public_key, signature,
                                              &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, other_public_key, signature,
                                              &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  g_assert_false (rc_crypto_verify_ephemeral (other_spki, RC_ROLE_CREATOR, public_key, signature,
                                              &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  for (gsize bit = 0; bit < 384 * 8; bit += 997)
    {
      g_autoptr(GBytes) damaged = flip_bit (signature, bit);

      g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, public_key, damaged,
                                                  &error));
      g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
      g_clear_error (&error);
    }

  truncated = g_bytes_new_from_bytes (signature, 0, 383);
  g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, public_key, truncated,
                                              &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, public_key, empty, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  joiner_signature = rc_identity_sign_ephemeral (identity, RC_ROLE_JOINER, public_key, &error);
  g_assert_no_error (error);
  g_assert_true (rc_crypto_verify_ephemeral (spki, RC_ROLE_JOINER, public_key, joiner_signature,
                                             &error));
  g_assert_no_error (error);
  g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, public_key, joiner_signature,
                                              &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  g_assert_null (rc_identity_sign_ephemeral (identity, RC_ROLE_CREATOR, short_key, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
  g_clear_error (&error);

  g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, short_key, signature,
                                              &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
  g_clear_error (&error);
}

/* Python's cryptography signs PSS with the longest salt by default;
 * docs/protocol.md says 32 bytes, and verification holds to it. */
static void
test_identity_pss_salt (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *creator = get_side (vectors_root (parser), RC_ROLE_CREATOR);
  const char *pem = get_string (creator, "identity_private_pem");
  gnutls_datum_t pem_datum = { (unsigned char *) pem, (unsigned int) strlen (pem) };
  g_autoptr(GBytes) spki = get_base64 (creator, "identity");
  g_autoptr(GBytes) ephemeral = get_base64 (creator, "ephemeral");
  g_autoptr(GBytes) message = reference_signed_message (RC_ROLE_CREATOR, ephemeral);
  g_auto (gnutls_privkey_t) key = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  static const unsigned int salts[] = { 64, 350 };

  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509_raw (key, &pem_datum, GNUTLS_X509_FMT_PEM, NULL, 0),
                   ==, 0);

  /* GnuTLS's default salt is 32: this one verifies, which also checks the
   * signed message byte for byte against reference_signed_message(). */
  signature = sign_with (key, message);
  g_assert_true (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, ephemeral, signature, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (salts); i++)
    {
      g_auto (gnutls_x509_spki_t) params = NULL;
      g_autoptr(GBytes) salted = NULL;

      g_assert_cmpint (gnutls_x509_spki_init (&params), ==, 0);
      gnutls_x509_spki_set_rsa_pss_params (params, GNUTLS_DIG_SHA256, salts[i]);
      g_assert_cmpint (gnutls_privkey_set_spki (key, params, 0), ==, 0);

      salted = sign_with (key, message);
      g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, ephemeral, salted,
                                                  &error));
      g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_SIGNATURE);
      g_clear_error (&error);
    }
}

static void
test_identity_pkcs1 (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *joiner = get_side (vectors_root (parser), RC_ROLE_JOINER);
  const char *pem = get_string (joiner, "identity_private_pem");
  gnutls_datum_t pem_datum = { (unsigned char *) pem, (unsigned int) strlen (pem) };
  g_auto (gnutls_x509_privkey_t) x509 = NULL;
  g_auto (gnutls_datum_t) pkcs1 = { NULL, 0 };
  g_autoptr(RcIdentity) identity = NULL;
  g_autoptr(GBytes) spki = NULL;
  g_autofree char *spki_text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_import (x509, &pem_datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2 (x509, GNUTLS_X509_FMT_PEM, &pkcs1), ==, 0);
  g_assert_nonnull (g_strstr_len ((const char *) pkcs1.data, pkcs1.size,
                                  "-----BEGIN RSA PRIVATE KEY-----"));

  identity = rc_identity_new_from_pem ((const char *) pkcs1.data, pkcs1.size, &error);
  g_assert_no_error (error);
  spki = rc_identity_get_spki (identity);
  spki_text = to_base64 (spki);
  g_assert_cmpstr (spki_text, ==, get_string (joiner, "identity"));
}

static void
assert_bad_spki (GBytes *spki,
                 GBytes *ephemeral,
                 GBytes *signature)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_JOINER, ephemeral, signature, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
}

static void
assert_bad_pem (const char *pem,
                gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcIdentity) identity = rc_identity_new_from_pem (pem, length, &error);

  g_assert_null (identity);
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
}

/* A key that is not an RSA key of at least 3072 bits is refused even with
 * a signature that is valid for it. */
static void
assert_weak_key_refused (gnutls_pk_algorithm_t algorithm,
                         unsigned int          bits)
{
  g_auto (gnutls_x509_privkey_t) x509 = NULL;
  g_auto (gnutls_privkey_t) key = NULL;
  g_auto (gnutls_datum_t) pem = { NULL, 0 };
  g_autoptr(RcEphemeralKey) ephemeral = rc_ephemeral_key_new ();
  g_autoptr(GBytes) public_key = rc_ephemeral_key_get_public (ephemeral);
  g_autoptr(GBytes) message = reference_signed_message (RC_ROLE_JOINER, public_key);
  g_autoptr(GBytes) spki = NULL;
  g_autoptr(GBytes) signature = NULL;

  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate2 (x509, algorithm, bits, 0, NULL, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL,
                                                      GNUTLS_PKCS_PLAIN, &pem), ==, 0);
  assert_bad_pem ((const char *) pem.data, pem.size);

  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (key, x509, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE),
                   ==, 0);
  x509 = NULL;
  spki = export_spki (key);

  if (algorithm == GNUTLS_PK_RSA)
    signature = sign_with (key, message);
  else
    signature = g_bytes_new_static ("x", 1);

  assert_bad_spki (spki, public_key, signature);
}

static void
test_identity_weak_keys (void)
{
  assert_weak_key_refused (GNUTLS_PK_RSA, 2048);
  assert_weak_key_refused (GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1));
  assert_weak_key_refused (GNUTLS_PK_EDDSA_ED25519,
                           GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519));
}

/* The vector creator's modulus with public exponents that make no RSA key. */
static void
test_identity_bad_exponents (void)
{
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *creator = get_side (vectors_root (parser), RC_ROLE_CREATOR);
  g_autoptr(GBytes) vector_spki = get_base64 (creator, "identity");
  g_autoptr(GBytes) ephemeral = get_base64 (creator, "ephemeral");
  g_autoptr(GBytes) signature = get_base64 (creator, "signature");
  g_auto (gnutls_pubkey_t) vector_key = NULL;
  g_auto (gnutls_datum_t) modulus = { NULL, 0 };
  g_auto (gnutls_datum_t) exponent = { NULL, 0 };
  gnutls_datum_t der = {
    (unsigned char *) g_bytes_get_data (vector_spki, NULL),
    (unsigned int) g_bytes_get_size (vector_spki)
  };
  static const guint8 even[] = { 0x01, 0x00, 0x00 };
  static const guint8 one[] = { 0x01 };
  static const guint8 three[] = { 0x03 };
  static const guint8 huge[33] = { 0x01, [32] = 0x01 };
  const struct {
    const guint8 *data;
    unsigned int  size;
    RcCryptoError expected;
  } exponents[] = {
    { even, sizeof even, RC_CRYPTO_ERROR_BAD_KEY },
    { one, sizeof one, RC_CRYPTO_ERROR_BAD_KEY },
    { huge, sizeof huge, RC_CRYPTO_ERROR_BAD_KEY },
    /* e = 3 makes an RSA key; it just did not make this signature. */
    { three, sizeof three, RC_CRYPTO_ERROR_BAD_SIGNATURE },
  };

  g_assert_cmpint (gnutls_pubkey_init (&vector_key), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import (vector_key, &der, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export_rsa_raw2 (vector_key, &modulus, &exponent,
                                                  GNUTLS_EXPORT_FLAG_NO_LZ), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (exponents); i++)
    {
      g_auto (gnutls_pubkey_t) key = NULL;
      g_auto (gnutls_datum_t) spki_der = { NULL, 0 };
      gnutls_datum_t e = { (unsigned char *) exponents[i].data, exponents[i].size };
      g_autoptr(GBytes) spki = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (gnutls_pubkey_init (&key), ==, 0);
      g_assert_cmpint (gnutls_pubkey_import_rsa_raw (key, &modulus, &e), ==, 0);
      g_assert_cmpint (gnutls_pubkey_export2 (key, GNUTLS_X509_FMT_DER, &spki_der), ==, 0);
      spki = g_bytes_new (spki_der.data, spki_der.size);

      g_assert_false (rc_crypto_verify_ephemeral (spki, RC_ROLE_CREATOR, ephemeral, signature,
                                                  &error));
      g_assert_error (error, RC_CRYPTO_ERROR, (gint) exponents[i].expected);
    }
}

static void
test_identity_bad_encodings (void)
{
  static const char empty_pem[] = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n";
  /* Offsets in an RSA-3072 SPKI: the NULL parameters of rsaEncryption at
   * 17, the unused-bits count of the key's BIT STRING at 23. */
  static const struct {
    gsize  offset;
    guint8 canonical;
    guint8 other;
  } variants[] = {
    { 17, 0x05, 0x45 },
    { 17, 0x05, 0x06 },
    { 23, 0x00, 0x01 },
  };
  g_autoptr(JsonParser) parser = load_vectors ();
  JsonObject *creator = get_side (vectors_root (parser), RC_ROLE_CREATOR);
  const char *pem = get_string (creator, "identity_private_pem");
  gnutls_datum_t pem_datum = { (unsigned char *) pem, (unsigned int) strlen (pem) };
  g_autoptr(GBytes) spki = get_base64 (creator, "identity");
  g_autoptr(GBytes) ephemeral = get_base64 (creator, "ephemeral");
  g_autoptr(GBytes) signature = get_base64 (creator, "signature");
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("not a key", 9);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (spki, 0, g_bytes_get_size (spki) - 1);
  g_autoptr(GByteArray) longer = g_byte_array_new ();
  g_autoptr(GBytes) trailing = NULL;
  g_autofree char *damaged_pem = g_strdup (pem);
  char *body = strchr (damaged_pem, '\n') + 1;
  g_auto (gnutls_x509_privkey_t) x509 = NULL;
  g_auto (gnutls_datum_t) encrypted_pem = { NULL, 0 };

  g_byte_array_append (longer, g_bytes_get_data (spki, NULL), g_bytes_get_size (spki));
  g_byte_array_append (longer, (const guint8 *) "", 1);
  trailing = g_byte_array_free_to_bytes (g_steal_pointer (&longer));

  assert_bad_spki (empty, ephemeral, signature);
  assert_bad_spki (garbage, ephemeral, signature);
  assert_bad_spki (truncated, ephemeral, signature);
  assert_bad_spki (trailing, ephemeral, signature);

  /* Same key, other bytes: GnuTLS would read these, and each would give
   * the key another fingerprint. */
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      gsize size;
      guint8 *data = g_bytes_unref_to_data (g_bytes_ref (spki), &size);
      g_autoptr(GBytes) variant = NULL;

      g_assert_cmphex (data[variants[i].offset], ==, variants[i].canonical);
      data[variants[i].offset] = variants[i].other;
      variant = g_bytes_new_take (data, size);
      assert_bad_spki (variant, ephemeral, signature);
    }

  assert_bad_pem ("", 0);
  assert_bad_pem (empty_pem, strlen (empty_pem));
  assert_bad_pem (pem, strlen (pem) / 2);

  /* One base64 character changed inside the modulus. */
  body[200] = body[200] == 'A' ? 'B' : 'A';
  assert_bad_pem (damaged_pem, strlen (damaged_pem));

  /* We never write encrypted keys, and have no password to ask for. */
  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_import (x509, &pem_datum, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, "secret",
                                                      GNUTLS_PKCS_PBES2_AES_256, &encrypted_pem),
                   ==, 0);
  assert_bad_pem ((const char *) encrypted_pem.data, encrypted_pem.size);
}

static void
test_identity_save_load (void)
{
  RcIdentity *identity = get_fresh_identity ();
  g_autofree char *top = g_build_filename (g_get_user_data_dir (), "new", NULL);
  g_autofree char *folder = g_build_filename (top, "roomchat", NULL);
  g_autofree char *path = g_build_filename (folder, "identity.pem", NULL);
  g_autofree char *missing = g_build_filename (folder, "missing.pem", NULL);
  g_autofree char *garbage = g_build_filename (folder, "garbage.pem", NULL);
  g_autofree char *empty = g_build_filename (folder, "empty.pem", NULL);
  g_autoptr(RcIdentity) loaded = NULL;
  g_autoptr(RcIdentity) again = NULL;
  g_autoptr(GBytes) spki = rc_identity_get_spki (identity);
  g_autoptr(GBytes) loaded_spki = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
  g_assert_true (rc_identity_save (identity, path, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (folder), ==, 0700);
  g_assert_cmpuint (file_mode (top), ==, 0700);
  contents = read_text_file (path);
  g_assert_true (g_str_has_prefix (contents, "-----BEGIN PRIVATE KEY-----\n"));

  loaded = rc_identity_load (path, &error);
  g_assert_no_error (error);
  loaded_spki = rc_identity_get_spki (loaded);
  g_assert_true (g_bytes_equal (spki, loaded_spki));

  /* Replacing keeps the mode and leaves no temporary file behind. */
  g_assert_true (rc_identity_save (loaded, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  dir = g_dir_open (folder, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "identity.pem");
  g_assert_null (g_dir_read_name (dir));

  g_assert_null (rc_identity_load (missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_file_set_contents (garbage, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                       -1, &error);
  g_assert_no_error (error);
  g_assert_null (rc_identity_load (garbage, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
  g_clear_error (&error);

  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  again = rc_identity_load (empty, &error);
  g_assert_null (again);
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} AsyncWait;

static void
async_done (GObject      *source G_GNUC_UNUSED,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static RcIdentity *
load_or_generate (const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncWait wait = { loop, NULL };
  RcIdentity *identity;

  rc_identity_load_or_generate_async (path, cancellable, async_done, &wait);
  g_main_loop_run (loop);

  identity = rc_identity_load_or_generate_finish (wait.result, error);
  g_clear_object (&wait.result);

  return identity;
}

static void
test_identity_load_or_generate (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "roomchat", "identity.pem",
                                            NULL);
  g_autofree char *cancelled_path = g_build_filename (g_get_user_data_dir (), "cancelled",
                                                      "identity.pem", NULL);
  g_autofree char *blocker = g_build_filename (g_get_user_data_dir (), "blocker", NULL);
  g_autofree char *blocked_path = g_build_filename (blocker, "identity.pem", NULL);
  g_autofree char *damaged_path = g_build_filename (g_get_user_data_dir (), "roomchat",
                                                    "damaged.pem", NULL);
  const char *damaged = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  g_autofree char *damaged_contents = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(RcIdentity) first = NULL;
  g_autoptr(RcIdentity) second = NULL;
  g_autoptr(GBytes) first_fingerprint = NULL;
  g_autoptr(GBytes) second_fingerprint = NULL;
  g_autofree char *first_contents = NULL;
  g_autofree char *second_contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  first = load_or_generate (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (RC_IS_IDENTITY (first));
  g_assert_cmpuint (file_mode (path), ==, 0600);
  first_contents = read_text_file (path);

  second = load_or_generate (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (first != second);
  first_fingerprint = rc_identity_get_fingerprint (first);
  second_fingerprint = rc_identity_get_fingerprint (second);
  g_assert_true (g_bytes_equal (first_fingerprint, second_fingerprint));
  second_contents = read_text_file (path);
  g_assert_cmpstr (first_contents, ==, second_contents);

  g_cancellable_cancel (cancellable);
  g_assert_null (load_or_generate (cancelled_path, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (g_file_test (cancelled_path, G_FILE_TEST_EXISTS));

  /* Only a missing file means first use: a damaged key is reported, never
   * replaced by a new one, and so is any other failure. */
  g_file_set_contents (damaged_path, damaged, -1, &error);
  g_assert_no_error (error);
  g_assert_null (load_or_generate (damaged_path, NULL, &error));
  g_assert_error (error, RC_CRYPTO_ERROR, RC_CRYPTO_ERROR_BAD_KEY);
  g_clear_error (&error);
  damaged_contents = read_text_file (damaged_path);
  g_assert_cmpstr (damaged_contents, ==, damaged);

  g_file_set_contents (blocker, "a file, not a folder", -1, &error);
  g_assert_no_error (error);
  g_assert_null (load_or_generate (blocked_path, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
}

/* Channels */

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

/* Small helpers */

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
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/crypto/vectors/file", test_vectors_file);
  g_test_add_func ("/crypto/vectors/identities", test_vectors_identities);
  g_test_add_func ("/crypto/vectors/ephemerals", test_vectors_ephemerals);
  g_test_add_func ("/crypto/vectors/signatures", test_vectors_signatures);
  g_test_add_func ("/crypto/vectors/keys", test_vectors_keys);
  g_test_add_func ("/crypto/vectors/messages", test_vectors_messages);
  g_test_add_func ("/crypto/vectors/tampered", test_vectors_tampered);
  g_test_add_func ("/crypto/vectors/safety-code", test_vectors_safety_code);
  g_test_add_func ("/crypto/identity/generate", test_identity_generate);
  g_test_add_func ("/crypto/identity/sign-verify", test_identity_sign_verify);
  g_test_add_func ("/crypto/identity/pss-salt", test_identity_pss_salt);
  g_test_add_func ("/crypto/identity/pkcs1", test_identity_pkcs1);
  g_test_add_func ("/crypto/identity/weak-keys", test_identity_weak_keys);
  g_test_add_func ("/crypto/identity/bad-exponents", test_identity_bad_exponents);
  g_test_add_func ("/crypto/identity/bad-encodings", test_identity_bad_encodings);
  g_test_add_func ("/crypto/identity/save-load", test_identity_save_load);
  g_test_add_func ("/crypto/identity/load-or-generate", test_identity_load_or_generate);
  g_test_add_func ("/crypto/channel/round-trip", test_channel_round_trip);
  g_test_add_func ("/crypto/channel/tampering", test_channel_tampering);
  g_test_add_func ("/crypto/channel/limits", test_channel_limits);
  g_test_add_func ("/crypto/channel/peer-messages", test_channel_peer_messages);
  g_test_add_func ("/crypto/channel/low-order-points", test_channel_low_order_points);
  g_test_add_func ("/crypto/channel/bad-room-ids", test_channel_bad_room_ids);
  g_test_add_func ("/crypto/fingerprint/format", test_fingerprint_format);
  g_test_add_func ("/crypto/random", test_random);

  status = g_test_run ();
  g_clear_object (&fresh_identity);

  return status;
}
