/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-test"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <glib-unix.h>

#include "test-cli-util.h"

/* roomchat-cli at a terminal, as a person types into it: a pseudo-terminal
 * whose other end this test reads and writes, with a batch roomchat-cli
 * on the other side of the chat. */

/* A bound on each wait, so that a client that hangs fails the test. */
#define TTY_DEADLINE_SECONDS 60

typedef struct
{
  GSubprocess *process;
  int          master;
  GString     *screen;   /* everything the client wrote */
  gsize        seen;     /* where the next search starts */
  gboolean     closed;
} Tty;

/* The terminal becomes the client's controlling terminal, so that Ctrl+C
 * typed into it is a SIGINT, as in a terminal emulator. */
static void
become_session_leader (gpointer user_data)
{
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
}

/* @password: NULL to be asked for it */
static Tty *
tty_spawn (Fixture            *f,
           const char         *person,
           const char         *password,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  struct winsize size = { .ws_row = 30, .ws_col = 100 };
  Tty *tty = g_new0 (Tty, 1);
  int slave = -1;

  g_assert_cmpint (openpty (&tty->master, &slave, NULL, NULL, &size), ==, 0);
  g_unix_set_fd_nonblocking (tty->master, TRUE, &error);
  g_assert_no_error (error);

  g_subprocess_launcher_take_stdin_fd (launcher, dup (slave));
  g_subprocess_launcher_take_stdout_fd (launcher, dup (slave));
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  g_subprocess_launcher_set_child_setup (launcher, become_session_leader, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "TERM", "xterm", TRUE);
  /* Readline's defaults, whatever the machine's ~/.inputrc says. */
  g_subprocess_launcher_setenv (launcher, "INPUTRC", "/dev/null", TRUE);

  tty->screen = g_string_new (NULL);
  tty->process = cli_spawn_process (f, person, password, args, launcher);
  return tty;
}

/* Reads what the client wrote so far, waiting up to @timeout_ms for more. */
static void
tty_pump (Tty *tty,
          int  timeout_ms)
{
  struct pollfd pfd = { .fd = tty->master, .events = POLLIN };
  char buffer[4096];
  ssize_t n;

  if (tty->closed || poll (&pfd, 1, timeout_ms) <= 0)
    return;

  while ((n = read (tty->master, buffer, sizeof buffer)) > 0)
    g_string_append_len (tty->screen, buffer, n);
  /* EIO: every copy of the other end is closed, the client has gone. */
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
    tty->closed = TRUE;
}

/* Waits until the client writes @needle (after what was waited for
 * before) and returns where it starts in the screen. */
static gsize
tty_wait_for (Tty        *tty,
              const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + TTY_DEADLINE_SECONDS * G_USEC_PER_SEC;

  for (;;)
    {
      const char *found = strstr (tty->screen->str + tty->seen, needle);

      if (found != NULL)
        {
          gsize at = (gsize) (found - tty->screen->str);

          tty->seen = at + strlen (needle);
          return at;
        }
      if (tty->closed || g_get_monotonic_time () > deadline)
        g_error ("The client never wrote \"%s\"; after the last wait it wrote:\n%s", needle,
                 tty->screen->str + tty->seen);
      tty_pump (tty, 100);
    }
}

/* Types @text, reading meanwhile, so that neither side blocks on a full
 * terminal buffer. */
static void
tty_type (Tty        *tty,
          const char *text)
{
  gsize length = strlen (text);
  gsize done = 0;
  gint64 deadline = g_get_monotonic_time () + TTY_DEADLINE_SECONDS * G_USEC_PER_SEC;

  while (done < length)
    {
      ssize_t n = write (tty->master, text + done, length - done);

      if (n > 0)
        done += (gsize) n;
      else
        g_assert_true (errno == EAGAIN || errno == EINTR);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      tty_pump (tty, n > 0 ? 0 : 10);
    }
}

/* Reads to the end and returns the exit status. */
static int
tty_finish (Tty   *tty,
            char **rest)
{
  g_autoptr(GError) error = NULL;
  gsize from = tty->seen;
  int status;

  while (!tty->closed)
    tty_pump (tty, 100);
  g_subprocess_wait (tty->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (tty->process));
  status = g_subprocess_get_exit_status (tty->process);

  *rest = g_strdup (tty->screen->str + from);
  close (tty->master);
  g_object_unref (tty->process);
  g_string_free (tty->screen, TRUE);
  g_free (tty);
  return status;
}

/* The room id from "Pass this id on …" and the line with it. */
static char *
tty_read_room (Tty *tty)
{
  gsize at = tty_wait_for (tty, "to talk to:\r\n\r\n    ");
  char *room;

  at += strlen ("to talk to:\r\n\r\n    ");
  tty_wait_for (tty, "\r\n");
  room = g_strndup (tty->screen->str + at, 12);
  g_assert_cmpint (strlen (room), ==, 12);
  return room;
}

static void
test_typing (Fixture       *f,
             gconstpointer  data)
{
  const char *ana_args[] = { "--create", "--trust", NULL };
  g_autofree char *room = NULL;
  g_autofree char *pasted = NULL;
  g_autofree char *rest = NULL;
  gsize message_at;
  gsize redrawn_at;
  Tty *ana;
  Cli *bo;

  ana = tty_spawn (f, "Ana", TEST_PASSWORD, ana_args);
  room = tty_read_room (ana);
  tty_wait_for (ana, "[waiting for someone to join] > ");

  {
    const char *bo_args[] = { "--batch", "--join", room, "--trust", NULL };

    bo = cli_spawn (f, "Bo", TEST_PASSWORD, bo_args);
  }
  expect (bo, "paired Ana joiner");
  tty_wait_for (ana, "[Bo's turn] > ");

  /* A message arrives while Ana is half-way through a line: it is shown
   * above, and her line is drawn again below it, to be finished. */
  tty_type (ana, "half typed");
  tty_wait_for (ana, "half typed");
  cli_write (bo, "Hola Ana\n");
  expect (bo, "relayed 0");
  message_at = tty_wait_for (ana, "Bo: Hola Ana");
  redrawn_at = tty_wait_for (ana, "[your turn] > half typed");
  g_assert_cmpuint (redrawn_at, >, message_at);
  tty_type (ana, " and more\r");
  expect (bo, "message Ana half typed and more");

  /* A pasted line over the limit is refused whole: nothing of it is sent,
   * and the next line goes as the next message. */
  cli_write (bo, "Next?\n");
  expect (bo, "relayed 1");
  tty_wait_for (ana, "Bo: Next?");
  tty_wait_for (ana, "[your turn] > ");
  pasted = g_strnfill (17000, 'p');
  tty_type (ana, "\033[200~");
  tty_type (ana, pasted);
  tty_type (ana, "\033[201~\r");
  tty_wait_for (ana, "The message has 17000 bytes; at most 16384 fit in one message");
  tty_type (ana, "short\r");
  expect (bo, "message Ana short");

  /* Up brings back the line sent before. */
  cli_write (bo, "Again?\n");
  expect (bo, "relayed 2");
  tty_wait_for (ana, "Bo: Again?");
  tty_wait_for (ana, "[your turn] > ");
  tty_type (ana, "\033[A\r");
  expect (bo, "message Ana short");

  /* Ctrl+C in the room: Bo reads that Ana left, and Ana's client says
   * nothing of a turn on the way out. */
  tty_wait_for (ana, "[Bo's turn] > ");
  tty_type (ana, "\003");
  expect (bo, "peer-left left");
  g_assert_cmpint (cli_finish (bo), ==, 0);
  g_assert_cmpint (tty_finish (ana, &rest), ==, 0);
  g_assert_null (strstr (rest, "turn:"));
}

/* As ssh does: the new server's fingerprint first, then the password,
 * which is not shown; a wrong one is asked again. */
static void
test_password (Fixture       *f,
               gconstpointer  data)
{
  const char *no_args[] = { NULL };
  g_autofree char *rest = NULL;
  gsize asked_at;
  Tty *ana;

  ana = tty_spawn (f, "Ana", NULL, no_args);
  asked_at = tty_wait_for (ana, "Trust this server? fingerprint ");
  g_assert_null (strstr (ana->screen->str, "assword"));
  tty_wait_for (ana, "[y/N] ");
  tty_type (ana, "y\r");

  g_assert_cmpuint (tty_wait_for (ana, "Password: "), >, asked_at);
  tty_type (ana, "not the password\r");
  tty_wait_for (ana, "Wrong server password (from the password typed). 2 attempts left");
  tty_wait_for (ana, "Password: ");
  tty_type (ana, TEST_PASSWORD "\r");
  tty_wait_for (ana, "Connected to ");
  tty_wait_for (ana, "[lobby] > ");
  /* Neither password was ever on the screen. */
  g_assert_null (strstr (ana->screen->str, "not the password"));
  g_assert_null (strstr (ana->screen->str, TEST_PASSWORD));
  tty_type (ana, "/quit\r");

  g_assert_cmpint (tty_finish (ana, &rest), ==, 0);
}

/* The last attempt ends the run with the block explained, exit status 4;
 * the server is trusted by then, so nothing is asked about it. */
static void
test_blocked (Fixture       *f,
              gconstpointer  data)
{
  const char *args[] = { "--trust", NULL };
  g_autofree char *rest = NULL;
  Tty *ana;

  ana = tty_spawn (f, "Ana", NULL, args);
  for (int i = 0; i < 3; i++)
    {
      tty_wait_for (ana, "Password: ");
      tty_type (ana, "wrong\r");
      tty_wait_for (ana, "Wrong server password");
    }
  tty_wait_for (ana, "No attempts are left: this address is now blocked");

  g_assert_cmpint (tty_finish (ana, &rest), ==, 4);
  g_assert_null (strstr (rest, "Password: "));
}

int
main (int    argc,
      char **argv)
{
  int status;

  test_cli_init (&argc, &argv);

  g_test_add ("/cli-terminal/typing", Fixture, NULL, fixture_set_up, test_typing, fixture_tear_down);
  g_test_add ("/cli-terminal/password", Fixture, NULL, fixture_set_up, test_password, fixture_tear_down);
  g_test_add ("/cli-terminal/blocked", Fixture, NULL, fixture_set_up, test_blocked, fixture_tear_down);

  status = g_test_run ();
  test_cli_clean_up ();
  return status;
}
