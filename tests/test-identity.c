/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-crypto"

#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "test-crypto-util.h"

/* RcIdentity (rc-identity.c): the long-term key, its signatures over
 * ephemeral keys and its file. Where rc-crypto offers no way in (odd PSS
 * salts, weak keys), the test uses GnuTLS directly. */

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

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/identity/vectors/identities", test_vectors_identities);
  g_test_add_func ("/identity/vectors/signatures", test_vectors_signatures);
  g_test_add_func ("/identity/generate", test_identity_generate);
  g_test_add_func ("/identity/sign-verify", test_identity_sign_verify);
  g_test_add_func ("/identity/pss-salt", test_identity_pss_salt);
  g_test_add_func ("/identity/pkcs1", test_identity_pkcs1);
  g_test_add_func ("/identity/weak-keys", test_identity_weak_keys);
  g_test_add_func ("/identity/bad-exponents", test_identity_bad_exponents);
  g_test_add_func ("/identity/bad-encodings", test_identity_bad_encodings);
  g_test_add_func ("/identity/save-load", test_identity_save_load);
  g_test_add_func ("/identity/load-or-generate", test_identity_load_or_generate);

  status = g_test_run ();
  g_clear_object (&fresh_identity);

  return status;
}
