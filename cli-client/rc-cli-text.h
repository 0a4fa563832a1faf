/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text from the network made safe to print on a terminal. Every text that
 * roomchat-cli prints and did not write itself (a message, the peer's and
 * the server's names, the server's error texts) goes through here, so that
 * a peer cannot move the cursor, clear the screen, set the window title or
 * turn a line around.
 *
 * Made visible, written out in ASCII:
 *   C0 controls and DEL    as \xNN    (ESC is \x1b, BEL \x07, tab \x09)
 *   C1 controls            as \uNNNN  (U+0080 to U+009F: \u009b)
 *   bidi embeddings, overrides and isolates, U+202A to U+202E and
 *   U+2066 to U+2069, as \uNNNN (\u202e)
 *   bytes that are not UTF-8 as \xNN
 *
 * @continuation: NULL to show a line break as \x0a too (names, error
 *   texts); else a line break is kept and @continuation is written after
 *   it, to indent the next line of a message under its first. */
char *rc_cli_text_escape (const char *text,
                          const char *continuation);

G_END_DECLS
