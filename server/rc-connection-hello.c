/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-server"

#include "config.h"

#include "rc-connection-private.h"
#include "rc-server-log.h"

/* Logging in (docs/protocol.md 3.1), in the order its decisions say: a
 * blocked address, the protocol version, the name (checked as the frame is
 * read), a full server, the password. A wrong password, and the block it
 * may bring, are on disk before the client is answered, so that neither a
 * restart nor kill -9 forgets them. */

static ServeResult
refuse (RcConnection     *self,
        RcFrame         **close_frame,
        RcProtocolError   code,
        gint64            retry_after)
{
  _rc_connection_close_with (self, close_frame, code);
  (*close_frame)->retry_after = retry_after;
  return SERVE_CLOSE;
}

static ServeResult
wrong_password (RcConnection  *self,
                RcFrame       *frame,
                gboolean       blocked,
                guint          attempts_left,
                RcFrame      **close_frame)
{
  RcServerContext *context = self->context;
  RcLogSubject subject = { self->address_text, NULL, frame->name };

  rc_statistics_record (context->statistics, RC_STATISTICS_WRONG_PASSWORD, self->address_text, frame->name);
  if (blocked)
    rc_statistics_record (context->statistics, RC_STATISTICS_BLOCK, self->address_text, frame->name);

  if (!rc_state_writer_sync (context->writer))
    rc_log_warning (&subject, "The wrong password from %s could not be saved: logins from there are refused until it is",
                    self->address_text);

  if (blocked)
    rc_log_warning (&subject, "Blocked %s after too many wrong passwords (the last one given by %s)",
                    self->address_key, frame->name);
  else
    rc_log_notice (&subject, "Wrong password from %s at %s; %u attempts left", frame->name, self->address_text,
                   attempts_left);

  _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_AUTH_FAILED);
  (*close_frame)->attempts_left = attempts_left;
  return SERVE_CLOSE;
}

ServeResult
_rc_connection_handle_hello (RcConnection  *self,
                             RcFrame       *frame,
                             RcFrame      **close_frame)
{
  RcServerContext *context = self->context;
  RcBlockList *blocks = context->blocks;
  g_autoptr(RcFrame) welcome = NULL;
  gint64 retry_after = 0;
  guint attempts_left = 0;
  gboolean correct;
  gboolean blocked;
  gint64 version;
  RcAdmit admit;
  RcLogSubject subject = { self->address_text, NULL, frame->name };

  if (rc_block_list_is_blocked (blocks, self->address_key, &retry_after))
    {
      rc_statistics_record (context->statistics, RC_STATISTICS_HELLO, self->address_text, frame->name);
      rc_log_notice (&subject, "Refused %s from blocked address %s for another %" G_GINT64_FORMAT " s",
                 frame->name, self->address_text, retry_after);
      return refuse (self, close_frame, RC_PROTOCOL_ERROR_BLOCKED, retry_after);
    }

  if (frame->version < RC_PROTOCOL_VERSION)
    {
      rc_log_notice (&subject, "Refused %s from %s: protocol version %" G_GINT64_FORMAT,
                 frame->name, self->address_text, frame->version);
      return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_UNSUPPORTED_VERSION);
    }

  /* Version 1, or 2 (docs/protocol.md 3.6) for any client that can. */
  version = MIN (frame->version, (gint64) RC_PROTOCOL_VERSION_RESUME);
  admit = rc_admission_admit (context->admission, self->address_key);
  if (admit == RC_ADMIT_FULL || (admit == RC_ADMIT_TO_RESUME && version < 2))
    {
      if (admit == RC_ADMIT_TO_RESUME)
        rc_admission_release (context->admission, self->address_key);
      rc_statistics_record (context->statistics, RC_STATISTICS_HELLO, self->address_text, frame->name);
      rc_log_notice (&subject, "Refused %s from %s: the server is full", frame->name, self->address_text);
      return _rc_connection_close_with (self, close_frame, RC_PROTOCOL_ERROR_SERVER_FULL);
    }

  /* The attempt takes its place before the password is checked, so that
   * attempts made at once cannot all get past the limit. */
  switch (rc_block_list_begin_attempt (blocks, self->address_key, self->hello_deadline, &retry_after))
    {
    case RC_ATTEMPT_ALLOWED:
      break;
    case RC_ATTEMPT_BLOCKED:
      rc_admission_release (context->admission, self->address_key);
      rc_statistics_record (context->statistics, RC_STATISTICS_HELLO, self->address_text, frame->name);
      rc_log_notice (&subject, "Refused %s from blocked address %s", frame->name, self->address_text);
      return refuse (self, close_frame, RC_PROTOCOL_ERROR_BLOCKED, retry_after);
    case RC_ATTEMPT_BUSY:
    default:
      rc_admission_release (context->admission, self->address_key);
      rc_statistics_record (context->statistics, RC_STATISTICS_HELLO, self->address_text, frame->name);
      rc_log_notice (&subject, "Refused %s from %s: too many logins from there at once", frame->name, self->address_text);
      return refuse (self, close_frame, RC_PROTOCOL_ERROR_RATE_LIMITED, 1);
    }

  correct = rc_password_check (context->password, frame->password);
  blocked = rc_block_list_end_attempt (blocks, self->address_key, correct, &attempts_left);
  if (!correct)
    {
      rc_admission_release (context->admission, self->address_key);
      return wrong_password (self, frame, blocked, attempts_left, close_frame);
    }

  rc_statistics_record (context->statistics, RC_STATISTICS_LOGIN, self->address_text, frame->name);
  self->admitted = TRUE;
  self->authenticated = TRUE;
  self->resume_only = admit == RC_ADMIT_TO_RESUME;
  self->version = version;
  self->name = g_strdup (frame->name);
  rc_log_info (&subject, "%s logged in from %s (connection %" G_GUINT64_FORMAT ")",
          self->name, self->address_text, self->id);

  welcome = rc_frame_new (RC_FRAME_WELCOME);
  welcome->version = version;
  welcome->server = g_strdup (context->name);
  if (version >= 2)
    welcome->resume_seconds = context->resume_seconds;
  return rc_connection_write_frame (self, welcome) ? SERVE_CONTINUE : SERVE_CLOSE_QUIETLY;
}
