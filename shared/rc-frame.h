/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-names.h"
#include "rc-protocol-error.h"

G_BEGIN_DECLS

/* The protocol version this code speaks. */
#define RC_PROTOCOL_VERSION 1

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
} RcFrameType;

/* The key material of docs/protocol.md 3.2, decoded from base64. */
typedef struct
{
  GBytes *identity;   /* DER SubjectPublicKeyInfo */
  GBytes *ephemeral;  /* X25519 public key, 32 bytes */
  GBytes *signature;
} RcKeyMaterial;

/* One frame of docs/protocol.md section 3. Which members are set depends on
 * @type; the comments name the frames that carry each. Everything is owned
 * by the frame and freed by rc_frame_free(). */
typedef struct
{
  RcFrameType      type;
  char            *type_name;      /* as received, for RC_FRAME_UNKNOWN */

  gint64           version;        /* hello, welcome */
  char            *name;           /* hello (trimmed) */
  char            *password;       /* hello */
  char            *server;         /* welcome */

  char            *room;           /* created, join (normalised), paired, left */
  RcKeyMaterial    keys;           /* create, join */

  RcRole           role;           /* paired */
  gboolean         your_turn;      /* paired */
  char            *peer_name;      /* paired */
  RcKeyMaterial    peer_keys;      /* paired */

  gint64           seq;            /* message, relayed; error bad-sequence, not-delivered (-1 absent) */
  GBytes          *ciphertext;     /* message */
  char            *sent_at;        /* message from the server (NULL when absent) */

  char            *reason;         /* peer-left */

  RcProtocolError  code;           /* error */
  char            *code_name;      /* error, as received */
  char            *message;        /* error (NULL when absent) */
  gint64           attempts_left;  /* error auth-failed (-1 absent) */
  gint64           retry_after;    /* error blocked, rate-limited (-1 absent) */
} RcFrame;

RcFrame    *rc_frame_new               (RcFrameType       type);
RcFrame    *rc_frame_new_error         (RcProtocolError   code,
                                        const char       *message);
void        rc_frame_free              (RcFrame          *frame);
const char *rc_frame_type_to_string    (RcFrameType       type);

RcFrame    *rc_frame_parse             (const char       *line,
                                        gsize             length,
                                        GError          **error);
char       *rc_frame_to_line           (const RcFrame    *frame,
                                        gsize            *length);
gboolean    rc_frame_write             (GOutputStream    *stream,
                                        const RcFrame    *frame,
                                        GCancellable     *cancellable,
                                        GError          **error);

void        rc_key_material_clear      (RcKeyMaterial    *keys);
void        rc_key_material_copy       (RcKeyMaterial    *dest,
                                        const RcKeyMaterial *src);

GBytes     *rc_base64_decode_strict    (const char       *text,
                                        GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcFrame, rc_frame_free)

G_END_DECLS
