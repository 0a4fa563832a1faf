/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the tests of the end-to-end encryption and of the
 * client's room (header only, static functions): the vectors of an
 * independent implementation in tests/data/e2e-v1.json, and GnuTLS's types
 * with g_auto(). */

#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>

#include "rc-crypto.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_privkey_t, gnutls_privkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_spki_t, gnutls_x509_spki_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_aead_cipher_hd_t, gnutls_aead_cipher_deinit, NULL)

static inline void
test_datum_clear (gnutls_datum_t *datum)
{
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, test_datum_clear)

/* Made once: RSA-3072 generation takes up to a second. */
static RcIdentity *fresh_identity;

static inline RcIdentity *
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

static inline RcRole
other_role (RcRole role)
{
  return role == RC_ROLE_CREATOR ? RC_ROLE_JOINER : RC_ROLE_CREATOR;
}

/* Vector file access. Every getter asserts the member's presence and JSON
 * type, so a damaged file fails the test instead of testing less. */

static inline JsonParser *
load_vectors (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, TEST_DATA_DIR "/e2e-v1.json", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return g_steal_pointer (&parser);
}

static inline JsonObject *
vectors_root (JsonParser *parser)
{
  return json_node_get_object (json_parser_get_root (parser));
}

static inline JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_error ("The vectors lack the member \"%s\"", name);

  return node;
}

static inline JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static inline JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_node_get_array (node);
}

static inline const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
  return json_node_get_string (node);
}

static inline gint64
get_int (JsonObject *object,
         const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64);
  return json_node_get_int (node);
}

static inline RcRole
get_role (JsonObject *object,
          const char *name)
{
  RcRole role = RC_ROLE_CREATOR;

  g_assert_true (rc_role_from_string (get_string (object, name), &role));
  return role;
}

/* g_base64_decode() skips characters it does not know; only a value that
 * encodes back to the same text was read whole. */
static inline GBytes *
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

static inline JsonObject *
get_side (JsonObject *root,
          RcRole      role)
{
  return get_object (root, rc_role_to_string (role));
}

static inline char *
to_base64 (GBytes *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return g_base64_encode (data, size);
}

static inline void
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

static inline GBytes *
flip_bit (GBytes *bytes,
          gsize   bit)
{
  gsize size;
  guint8 *data = g_bytes_unref_to_data (g_bytes_ref (bytes), &size);

  g_assert_cmpuint (bit / 8, <, size);
  data[bit / 8] ^= 1 << (bit % 8);

  return g_bytes_new_take (data, size);
}

static inline RcIdentity *
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
static inline RcChannel *
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
