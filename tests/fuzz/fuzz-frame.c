/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>

#include "rc-frame.h"
#include "rc-json.h"

/* The frame parser, both ways the programs call it: a frame of its own
 * (the clients) and into a reused frame, ciphertext kept as base64 (the
 * server). What it accepts must survive being written and read again. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static RcJsonChecker *checker;
  const char *line = (const char *) data;
  g_autoptr(RcFrame) frame = NULL;
  RcFrame reused;

  if (checker == NULL)
    checker = rc_json_checker_new ();

  frame = rc_frame_parse (line, size, NULL);
  if (frame != NULL)
    {
      g_autofree char *written = NULL;
      g_autoptr(RcFrame) again = NULL;
      gsize length = 0;

      written = rc_frame_to_line (frame, &length);
      /* without its "\n" */
      again = rc_frame_parse (written, length - 1, NULL);
      if (again == NULL || again->type != frame->type)
        abort ();
    }

  rc_frame_init (&reused, RC_FRAME_UNKNOWN);
  if (rc_frame_parse_into (&reused, line, size, RC_FRAME_PARSE_KEEP_BASE64, checker, NULL) !=
      (frame != NULL))
    abort ();
  rc_frame_clear (&reused);

  return 0;
}
