/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-client-session.h"
#include "rc-focus.h"
#include "rc-join-dialog.h"

/* Takes a room id as people type it: any case, with spaces or dashes.
 * Join is possible only with exactly 12 letters and digits; it emits
 * ::join with the id in its canonical form and the window does the rest,
 * reporting back with set_busy() and show_error(). */
struct _RcJoinDialog
{
  GtkWindow parent_instance;

  /* owned */
  char *error_text;

  gboolean busy;

  /* template children */
  GtkEntry *room_entry;
  GtkLabel *hint_label;
  GtkLabel *error_label;
  GtkSpinner *spinner;
  GtkButton *cancel_button;
  GtkButton *join_button;
};

G_DEFINE_FINAL_TYPE (RcJoinDialog, rc_join_dialog, GTK_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  JOIN,
  CANCEL,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_error_text (RcJoinDialog *self,
                const char   *text)
{
  g_free (self->error_text);
  self->error_text = g_strdup (text);

  gtk_label_set_label (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
  if (text != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->room_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->room_entry), "error");
}

static void
rc_join_dialog_update (RcJoinDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->room_entry));
  g_autofree char *hint = NULL;
  guint n_valid = 0;
  gboolean partial;

  partial = rc_room_id_is_partial (text, &n_valid);

  if (!partial)
    {
      hint = g_strdup_printf (_("A room id has %d letters and digits; spaces and dashes are fine."),
                              RC_ROOM_ID_LENGTH);
      set_error_text (self, _("This is not a room id: it has other characters or too many."));
    }
  else
    {
      /* Translators: how much of a room id has been typed, e.g. "5 of 12 characters" */
      hint = g_strdup_printf (_("%u of %d characters"), n_valid, RC_ROOM_ID_LENGTH);
      set_error_text (self, NULL);
    }

  gtk_label_set_label (self->hint_label, hint);
  gtk_widget_set_sensitive (GTK_WIDGET (self->join_button),
                            !self->busy && partial && n_valid == RC_ROOM_ID_LENGTH);
}

static void
on_room_changed (RcJoinDialog *self)
{
  rc_join_dialog_update (self);
}

static void
rc_join_dialog_request_join (RcJoinDialog *self)
{
  g_autofree char *room_id = NULL;

  if (self->busy)
    return;

  room_id = rc_join_dialog_dup_room_id (self);
  if (room_id == NULL)
    return;

  g_signal_emit (self, signals[JOIN], 0, room_id);
}

static void
on_room_activate (RcJoinDialog *self)
{
  rc_join_dialog_request_join (self);
}

static void
on_join_clicked (RcJoinDialog *self)
{
  rc_join_dialog_request_join (self);
}

static gboolean
on_close_request (RcJoinDialog *self)
{
  g_signal_emit (self, signals[CANCEL], 0);
  return GDK_EVENT_PROPAGATE;
}

static void
on_cancel_clicked (RcJoinDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
rc_join_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RC_TYPE_JOIN_DIALOG);

  G_OBJECT_CLASS (rc_join_dialog_parent_class)->dispose (object);
}

static void
rc_join_dialog_finalize (GObject *object)
{
  RcJoinDialog *self = (RcJoinDialog *)object;

  g_clear_pointer (&self->error_text, g_free);

  G_OBJECT_CLASS (rc_join_dialog_parent_class)->finalize (object);
}

static void
rc_join_dialog_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RcJoinDialog *self = RC_JOIN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_join_dialog_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  RcJoinDialog *self = RC_JOIN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      rc_join_dialog_set_busy (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_join_dialog_class_init (RcJoinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_join_dialog_dispose;
  object_class->finalize = rc_join_dialog_finalize;
  object_class->get_property = rc_join_dialog_get_property;
  object_class->set_property = rc_join_dialog_set_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RcJoinDialog::join:
   * @room_id: the id in canonical form
   */
  signals[JOIN] = g_signal_new ("join",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL,
                                G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * RcJoinDialog::cancel:
   *
   * The dialog is closing without having joined.
   */
  signals[CANCEL] = g_signal_new ("cancel",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-join-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RcJoinDialog, room_entry);
  gtk_widget_class_bind_template_child (widget_class, RcJoinDialog, hint_label);
  gtk_widget_class_bind_template_child (widget_class, RcJoinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, RcJoinDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, RcJoinDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RcJoinDialog, join_button);
  gtk_widget_class_bind_template_callback (widget_class, on_room_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_room_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_join_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_close_request);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rc_join_dialog_init (RcJoinDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->room_entry));
  rc_join_dialog_update (self);
}

RcJoinDialog *
rc_join_dialog_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (RC_TYPE_JOIN_DIALOG,
                       "transient-for", parent,
                       NULL);
}

/**
 * rc_join_dialog_dup_room_id:
 *
 * Returns: (nullable): the typed id in canonical form, or %NULL while it
 *   is not a whole room id
 */
char *
rc_join_dialog_dup_room_id (RcJoinDialog *self)
{
  g_return_val_if_fail (RC_IS_JOIN_DIALOG (self), NULL);

  return rc_room_id_normalize (gtk_editable_get_text (GTK_EDITABLE (self->room_entry)), NULL);
}

gboolean
rc_join_dialog_get_busy (RcJoinDialog *self)
{
  g_return_val_if_fail (RC_IS_JOIN_DIALOG (self), FALSE);

  return self->busy;
}

void
rc_join_dialog_set_busy (RcJoinDialog *self,
                         gboolean      busy)
{
  g_autofree char *room_id = NULL;

  g_return_if_fail (RC_IS_JOIN_DIALOG (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  if (busy)
    set_error_text (self, NULL);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->room_entry));
  room_id = rc_join_dialog_dup_room_id (self);
  if (busy)
    rc_focus_move_out_of (GTK_WIDGET (self->join_button), GTK_WIDGET (self->room_entry));
  gtk_widget_set_sensitive (GTK_WIDGET (self->join_button), !busy && room_id != NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
rc_join_dialog_show_error (RcJoinDialog *self,
                           const GError *error)
{
  g_return_if_fail (RC_IS_JOIN_DIALOG (self));
  g_return_if_fail (error != NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_NO_SUCH_ROOM))
    set_error_text (self, _("No room is waiting with this id. Check it with the person who gave it to you: a room closes when its maker leaves."));
  else if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_ROOM_FULL))
    set_error_text (self, _("This room already has two people in it. Ask for a new room."));
  else if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY))
    set_error_text (self, _("The other person’s keys did not check out, so this room is not secure. RoomChat left it."));
  else
    set_error_text (self, _("Joining the room failed. Try again."));
}

/* The error shown, or %NULL. */
const char *
rc_join_dialog_get_error_text (RcJoinDialog *self)
{
  g_return_val_if_fail (RC_IS_JOIN_DIALOG (self), NULL);

  return self->error_text;
}
