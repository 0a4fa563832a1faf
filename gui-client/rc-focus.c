/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include "rc-focus.h"

/* GTK warns when a widget that has the keyboard focus becomes insensitive,
 * so focus is moved out of a widget before it is greyed out. */

/* Whether the keyboard focus is on @widget or one of its children. */
gboolean
rc_focus_is_inside (GtkWidget *widget)
{
  GtkRoot *root;
  GtkWidget *focus;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  root = gtk_widget_get_root (widget);
  if (root == NULL)
    return FALSE;

  focus = gtk_root_get_focus (root);
  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/**
 * rc_focus_move_out_of:
 * @to: (nullable): where the focus goes
 *
 * When the focus is inside @widget, moves it to @to, or nowhere when @to
 * cannot take it.
 *
 * Returns: whether the focus was moved
 */
gboolean
rc_focus_move_out_of (GtkWidget *widget,
                      GtkWidget *to)
{
  GtkRoot *root;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (to == NULL || GTK_IS_WIDGET (to), FALSE);

  if (!rc_focus_is_inside (widget))
    return FALSE;

  if (to != NULL && gtk_widget_grab_focus (to) && !rc_focus_is_inside (widget))
    return TRUE;

  root = gtk_widget_get_root (widget);
  gtk_root_set_focus (root, NULL);
  return TRUE;
}
