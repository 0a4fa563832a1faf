/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-json.h"
#include "rc-names.h"
#include "rc-protocol-error.h"

G_BEGIN_DECLS

/* The protocol version this code speaks: RC_PROTOCOL_VERSION for the
 * clients, up to RC_PROTOCOL_VERSION_RESUME for the server, which
 * answers each client in the version it asked for. */
#define RC_PROTOCOL_VERSION 1
#define RC_PROTOCOL_VERSION_RESUME 2

/* A seat's resume token (docs/protocol.md 3.6): 32 random bytes. */
#define RC_RESUME_TOKEN_SIZE 32

typedef enum
{
  RC_FRAME_UNKNOWN,   /* a type this version does not know */
  RC_FRAME_HELLO,
  RC_FRAME_WELCOME,
  RC_FRAME_ERROR,
  RC_FRAME_CREATE,
  RC_FRAME_CREATED,
  RC_FRAME_JOIN,
  RC_FRAME_PAIRED,
  RC_FRAME_LEAVE,
  RC_FRAME_LEFT,
  RC_FRAME_PEER_LEFT,
  RC_FRAME_MESSAGE,
  RC_FRAME_RELAYED,
  RC_FRAME_PING,
  RC_FRAME_PONG,
  /* Version 2 */
  RC_FRAME_RESUME,
  RC_FRAME_RESUMED,
  RC_FRAME_PEER_AWAY,
  RC_FRAME_PEER_BACK,
} RcFrameType;

#define RC_FRAME_LAST RC_FRAME_PEER_BACK

/* The key material of docs/protocol.md 3.2, decoded from base64. */
typedef struct
{
  GBytes *identity;   /* DER SubjectPublicKeyInfo */
  GBytes *ephemeral;  /* X25519 public key, 32 bytes */
  GBytes *signature;
} RcKeyMaterial;

/* One frame of docs/protocol.md section 3. Which members are set depends on
 * @type; the comments name the frames that carry each. Everything is owned
 * by the frame and freed by rc_frame_free() (or rc_frame_clear() for a
 * frame in the caller's storage), except what is marked borrowed. */
typedef struct
{
  RcFrameType      type;
  const char      *type_name;      /* the type as received; static, or in unknown_type */
  char            *unknown_type;   /* a type this version does not know */

  gint64           version;        /* hello, welcome */
  char            *name;           /* hello (trimmed) */
  char            *password;       /* hello */
  char            *server;         /* welcome */
  gint64           resume_seconds; /* welcome, version 2 (-1 absent) */

  char            *room;           /* created, join and resume (normalised), paired, left, resumed */
  RcKeyMaterial    keys;           /* create, join */
  GBytes          *resume_token;   /* created, paired, resumed: "resume"; resume: "token"
                                    * (NULL absent, version 1) */

  RcRole           role;           /* paired, resumed */
  gboolean         your_turn;      /* paired, resumed */
  gboolean         has_peer;       /* paired; resumed: FALSE for "peer":null */
  char            *peer_name;      /* paired, resumed */
  RcKeyMaterial    peer_keys;      /* paired, resumed */

  gint64           received;       /* resume: the peer's messages received (any integer) */
  gint64           relayed_count;  /* resumed: "relayed", this client's messages relayed or held */
  gint64           seconds;        /* peer-away: seconds left (-1 absent) */
  gboolean         held;           /* relayed: held for an away peer */

  gint64           seq;            /* message, relayed; error bad-sequence, not-delivered (-1 absent) */
  GBytes          *ciphertext;     /* message, decoded */
  const char      *ciphertext_base64;        /* message, borrowed from the parsed line or the
                                              * caller: RC_FRAME_PARSE_KEEP_BASE64 */
  gsize            ciphertext_base64_length;
  gsize            ciphertext_size;          /* its decoded size */
  char            *owned_base64;             /* the base64 text, when it had to be unescaped */
  char            *sent_at;        /* message from the server (NULL when absent) */

  char            *reason;         /* peer-left */

  RcProtocolError  code;           /* error */
  char            *code_name;      /* error, as received */
  char            *message;        /* error (NULL when absent) */
  gint64           attempts_left;  /* error auth-failed (-1 absent) */
  gint64           retry_after;    /* error blocked, rate-limited (-1 absent) */
} RcFrame;

typedef enum
{
  RC_FRAME_PARSE_DEFAULT      = 0,
  /* A message's ciphertext is checked and measured, not decoded: the
   * frame borrows its base64 text from the line (a relay sends on the
   * very text that came in). */
  RC_FRAME_PARSE_KEEP_BASE64  = 1 << 0,
} RcFrameParseFlags;

RcFrame    *rc_frame_new               (RcFrameType       type);
RcFrame    *rc_frame_new_error         (RcProtocolError   code,
                                        const char       *message);
void        rc_frame_free              (RcFrame          *frame);
void        rc_frame_init              (RcFrame          *frame,
                                        RcFrameType       type);
void        rc_frame_clear             (RcFrame          *frame);
const char *rc_frame_type_to_string    (RcFrameType       type);

RcFrame    *rc_frame_parse             (const char       *line,
                                        gsize             length,
                                        GError          **error);
gboolean    rc_frame_parse_into        (RcFrame          *frame,
                                        const char       *line,
                                        gsize             length,
                                        RcFrameParseFlags flags,
                                        RcJsonChecker    *checker,
                                        GError          **error);
void        rc_frame_append_line       (const RcFrame    *frame,
                                        GString          *out);
char       *rc_frame_to_line           (const RcFrame    *frame,
                                        gsize            *length);
gboolean    rc_frame_write             (GOutputStream    *stream,
                                        const RcFrame    *frame,
                                        GCancellable     *cancellable,
                                        GError          **error);

void        rc_key_material_clear      (RcKeyMaterial    *keys);
void        rc_key_material_copy       (RcKeyMaterial    *dest,
                                        const RcKeyMaterial *src);

gboolean    rc_base64_check            (const char       *text,
                                        gsize             length,
                                        gsize            *decoded_size);
GBytes     *rc_base64_decode_strict    (const char       *text,
                                        GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcFrame, rc_frame_free)

G_END_DECLS
