/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-cli"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <readline/readline.h>
#include <readline/history.h>

#include "rc-cli-terminal.h"

/* Enough to go back a day's lines; each is at most a message long. */
#define HISTORY_LINES 500

static struct
{
  gboolean               active;
  gboolean               hidden;
  gboolean               in_handler;     /* readline has ended the line on screen */
  guint                  input_id;
  guint                  resize_id;
  RcCliTerminalLineFunc  func;
  gpointer               user_data;
} terminal;

gboolean
rc_cli_terminal_usable (void)
{
  return isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
}

gboolean
rc_cli_terminal_is_active (void)
{
  return terminal.active;
}

/* Shows the prompt alone, whatever is typed. */
static void
redisplay_hidden (void)
{
  fprintf (rl_outstream, "\r\033[K%s", rl_display_prompt != NULL ? rl_display_prompt : "");
  fflush (rl_outstream);
}

static void
line_handler (char *line)
{
  /* Readline's lines come from malloc(); ours are GLib's. */
  g_autofree char *owned = line != NULL ? g_strdup (line) : NULL;

  /* A password is not left behind in freed memory. */
  if (line != NULL && terminal.hidden)
    memset (line, 0, strlen (line));
  free (line);
  if (owned == NULL)
    {
      /* Ctrl+D leaves the cursor after the prompt. */
      fputc ('\n', rl_outstream);
      fflush (rl_outstream);
      g_clear_handle_id (&terminal.input_id, g_source_remove);
    }
  else if (!terminal.hidden && owned[0] != '\0')
    add_history (owned);

  terminal.in_handler = TRUE;
  terminal.func (g_steal_pointer (&owned), terminal.user_data);
  terminal.in_handler = FALSE;
}

static gboolean
input_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  rl_callback_read_char ();
  return G_SOURCE_CONTINUE;
}

static gboolean
resize_cb (gpointer user_data)
{
  rl_resize_terminal ();
  return G_SOURCE_CONTINUE;
}

void
rc_cli_terminal_start (const char            *prompt,
                       RcCliTerminalLineFunc  func,
                       gpointer               user_data)
{
  g_return_if_fail (!terminal.active);
  g_return_if_fail (func != NULL);

  terminal.func = func;
  terminal.user_data = user_data;
  terminal.active = TRUE;
  terminal.hidden = FALSE;

  /* Signals are the main loop's (g_unix_signal_add): Ctrl+C leaves the
   * room, it does not just clear the line. */
  rl_catch_signals = 0;
  rl_catch_sigwinch = 0;
  rl_readline_name = "roomchat-cli";
  rl_redisplay_function = rl_redisplay;
  stifle_history (HISTORY_LINES);

  rl_callback_handler_install (prompt != NULL ? prompt : "", line_handler);
  terminal.input_id = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, input_cb, NULL);
  terminal.resize_id = g_unix_signal_add (SIGWINCH, resize_cb, NULL);
}

void
rc_cli_terminal_stop (void)
{
  if (!terminal.active)
    return;

  g_clear_handle_id (&terminal.input_id, g_source_remove);
  g_clear_handle_id (&terminal.resize_id, g_source_remove);
  if (!terminal.in_handler)
    {
      /* A half-typed line stays on screen, and what follows goes below. */
      rl_point = rl_end;
      (*rl_redisplay_function) ();
      fputc ('\n', rl_outstream);
    }
  rl_callback_handler_remove ();
  rl_redisplay_function = rl_redisplay;
  terminal.active = FALSE;
  terminal.hidden = FALSE;
  fflush (rl_outstream);
}

void
rc_cli_terminal_set_prompt (const char *prompt,
                            gboolean    hidden)
{
  g_return_if_fail (prompt != NULL);

  if (!terminal.active)
    return;

  if (hidden != terminal.hidden && !terminal.in_handler)
    {
      rl_replace_line ("", TRUE);
      rl_clear_visible_line ();
      rl_on_new_line ();
    }
  terminal.hidden = hidden;
  rl_redisplay_function = hidden ? redisplay_hidden : rl_redisplay;
  rl_set_prompt (prompt);
  /* In the handler, readline shows the prompt once it returns. */
  if (!terminal.in_handler)
    (*rl_redisplay_function) ();
}

void
rc_cli_terminal_print (FILE       *stream,
                       const char *text)
{
  g_return_if_fail (stream != NULL);
  g_return_if_fail (text != NULL);

  if (!terminal.active || terminal.in_handler)
    {
      fputs (text, stream);
      fputc ('\n', stream);
      fflush (stream);
      return;
    }

  if (terminal.hidden)
    fputs ("\r\033[K", rl_outstream);
  else
    rl_clear_visible_line ();
  fflush (rl_outstream);

  fputs (text, stream);
  fputc ('\n', stream);
  fflush (stream);

  rl_on_new_line ();
  (*rl_redisplay_function) ();
}
