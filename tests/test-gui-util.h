/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the GUI tests (header only, static functions).
 *
 * GLib's G_TEST_OPTION_ISOLATE_DIRS also replaces XDG_DATA_DIRS, which
 * hides the system's icon theme from GTK; the GUI tests isolate only the
 * user's directories, with this. */

#include <locale.h>
#include <stdlib.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

static inline void
rc_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          rc_test_remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* The folder of rc_test_isolate_user_dirs(), for a test that ends early. */
static char *rc_test_user_dirs_root;

/* Points HOME and the XDG user directories into a new temporary folder;
 * call before anything reads them. Returns the folder. */
static inline char *
rc_test_isolate_user_dirs (void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("roomchat-test-XXXXXX", &error);
  const char *variables[][2] = {
    { "HOME", "home" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_STATE_HOME", "state" },
    { "XDG_RUNTIME_DIR", "runtime" },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      g_autofree char *path = g_build_filename (root, variables[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
      g_setenv (variables[i][0], path, TRUE);
    }

  rc_test_user_dirs_root = root;
  return root;
}

/* Exit status of a test that did not run (meson: skipped). */
#define RC_TEST_EXIT_SKIP 77

/* gtk_init() for the tests: GSK's cairo renderer, so that no test needs
 * Mesa's software OpenGL under Xvfb (its JIT deadlocks with
 * AddressSanitizer's unwinder, and it is slow). Without a display there
 * is nothing to test on: the test ends as skipped, so that a plain
 * `meson test` or `meson dist` on a headless machine does not fail for
 * lack of a screen. The README's test command gives them one (Xvfb). */
static inline void
rc_test_gtk_init (void)
{
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  if ((g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL) || !gtk_init_check ())
    {
      g_printerr ("No display to run GTK on: skipped\n");
      if (rc_test_user_dirs_root != NULL)
        rc_test_remove_tree (rc_test_user_dirs_root);
      exit (RC_TEST_EXIT_SKIP);
    }
}

/* Spins the default main context until @condition holds, failing the
 * test after @seconds. No timing is asserted: the bound only stops a
 * hang. */
#define RC_TEST_WAIT_FOR(condition, seconds)                                    \
  G_STMT_START {                                                                \
    gint64 rc_test_end_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC; \
    while (!(condition))                                                        \
      {                                                                         \
        if (g_get_monotonic_time () > rc_test_end_)                             \
          g_error ("Timed out waiting for %s", #condition);                     \
        if (!g_main_context_iteration (NULL, FALSE))                            \
          g_usleep (2000);                                                      \
      }                                                                         \
  } G_STMT_END

static inline void
rc_test_spin (void)
{
  for (guint i = 0; i < 20; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

static inline GtkWidget *
rc_test_child (gpointer    widget,
               GType       type,
               const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* The start of a GUI test's main(): its own user folders, the locale,
 * GTest, and GTK (or the end, skipped, without a display). */
static inline void
rc_test_gui_init (int    *argc,
                  char ***argv)
{
  rc_test_isolate_user_dirs ();
  setlocale (LC_ALL, "");
  g_test_init (argc, argv, NULL);
  rc_test_gtk_init ();
}

/* Runs the tests added, then removes the user folders. */
static inline int
rc_test_gui_run (void)
{
  int status = g_test_run ();

  rc_test_remove_tree (rc_test_user_dirs_root);
  g_clear_pointer (&rc_test_user_dirs_root, g_free);
  return status;
}
