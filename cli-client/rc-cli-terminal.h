/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

/* The interactive terminal: GNU Readline through its callback interface,
 * fed from standard input on the main loop. Lines being typed survive
 * what is printed meanwhile: it goes above them and the prompt and the
 * line are drawn again below. Readline's state is global, so there is one
 * terminal per process.
 *
 * @line: owned by the callee; NULL once the input has ended (Ctrl+D, or
 * the terminal went away), after which no line comes. */
typedef void (*RcCliTerminalLineFunc) (char     *line,
                                       gpointer  user_data);

/* Whether standard input and output are both a terminal: only then is
 * there someone to edit a line for. */
gboolean rc_cli_terminal_usable     (void);

void     rc_cli_terminal_start      (const char            *prompt,
                                     RcCliTerminalLineFunc  func,
                                     gpointer               user_data);
/* Puts the terminal back as it was; what was typed and not sent is gone. */
void     rc_cli_terminal_stop       (void);
gboolean rc_cli_terminal_is_active  (void);

/* @hidden: nothing typed is shown nor kept in the history (a password). */
void     rc_cli_terminal_set_prompt (const char            *prompt,
                                     gboolean               hidden);

/* Writes @text and a line break to @stream (stdout or stderr) above the
 * line being typed; plainly when the terminal is not active. */
void     rc_cli_terminal_print      (FILE                  *stream,
                                     const char            *text);

G_END_DECLS
