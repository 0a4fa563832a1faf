/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-create-dialog.h"

/* Shown from "Create Room" until someone joins: first "making a room",
 * then the room id to pass on and "waiting for someone to join". Cancel
 * or closing emits ::cancel once; the window then leaves the room. */
struct _RcCreateDialog
{
  GtkWindow parent_instance;

  /* owned */
  char *room_id;

  gboolean cancelled;

  /* template children */
  GtkStack *stack;
  GtkLabel *error_label;
  GtkLabel *room_label;
  GtkButton *copy_button;
  GtkLabel *copy_label;
  GtkSpinner *waiting_spinner;
  GtkLabel *waiting_label;
  GtkButton *cancel_button;
};

G_DEFINE_FINAL_TYPE (RcCreateDialog, rc_create_dialog, GTK_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_ROOM_ID,
  N_PROPS
};

enum {
  CANCEL,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
rc_create_dialog_cancel (RcCreateDialog *self)
{
  if (self->cancelled)
    return;

  self->cancelled = TRUE;
  g_signal_emit (self, signals[CANCEL], 0);
}

static gboolean
on_close_request (RcCreateDialog *self)
{
  rc_create_dialog_cancel (self);
  return GDK_EVENT_PROPAGATE;
}

static void
on_cancel_clicked (RcCreateDialog *self)
{
  rc_create_dialog_cancel (self);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_copy_clicked (RcCreateDialog *self)
{
  if (self->room_id == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->room_id);
  gtk_label_set_label (self->copy_label, _("Copied"));
}

static void
rc_create_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RC_TYPE_CREATE_DIALOG);

  G_OBJECT_CLASS (rc_create_dialog_parent_class)->dispose (object);
}

static void
rc_create_dialog_finalize (GObject *object)
{
  RcCreateDialog *self = (RcCreateDialog *)object;

  g_clear_pointer (&self->room_id, g_free);

  G_OBJECT_CLASS (rc_create_dialog_parent_class)->finalize (object);
}

static void
rc_create_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RcCreateDialog *self = RC_CREATE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ROOM_ID:
      g_value_set_string (value, self->room_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_create_dialog_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  RcCreateDialog *self = RC_CREATE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ROOM_ID:
      rc_create_dialog_set_room_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_create_dialog_class_init (RcCreateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_create_dialog_dispose;
  object_class->finalize = rc_create_dialog_finalize;
  object_class->get_property = rc_create_dialog_get_property;
  object_class->set_property = rc_create_dialog_set_property;

  properties[PROP_ROOM_ID] =
    g_param_spec_string ("room-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RcCreateDialog::cancel:
   *
   * The person gave up waiting: the room should be left.
   */
  signals[CANCEL] = g_signal_new ("cancel",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-create-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RcCreateDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, RcCreateDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, RcCreateDialog, room_label);
  gtk_widget_class_bind_template_child (widget_class, RcCreateDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, RcCreateDialog, copy_label);
  gtk_widget_class_bind_template_child (widget_class, RcCreateDialog, waiting_spinner);
  gtk_widget_class_bind_template_child (widget_class, RcCreateDialog, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, RcCreateDialog, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_close_request);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rc_create_dialog_init (RcCreateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (self->stack, "creating");
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->cancel_button));
}

RcCreateDialog *
rc_create_dialog_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (RC_TYPE_CREATE_DIALOG,
                       "transient-for", parent,
                       NULL);
}

const char *
rc_create_dialog_get_room_id (RcCreateDialog *self)
{
  g_return_val_if_fail (RC_IS_CREATE_DIALOG (self), NULL);

  return self->room_id;
}

/* Shows @room_id as the server gave it, with the waiting state. */
void
rc_create_dialog_set_room_id (RcCreateDialog *self,
                              const char     *room_id)
{
  g_return_if_fail (RC_IS_CREATE_DIALOG (self));

  if (g_strcmp0 (self->room_id, room_id) == 0)
    return;

  g_free (self->room_id);
  self->room_id = g_strdup (room_id);

  gtk_label_set_label (self->room_label, room_id ? room_id : "");
  gtk_label_set_label (self->copy_label, _("_Copy"));
  gtk_stack_set_visible_child_name (self->stack, room_id ? "ready" : "creating");
  if (room_id != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->copy_button));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM_ID]);
}

void
rc_create_dialog_show_error (RcCreateDialog *self,
                             const char     *text)
{
  g_return_if_fail (RC_IS_CREATE_DIALOG (self));
  g_return_if_fail (text != NULL);

  gtk_label_set_label (self->error_label, text);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_button_set_label (self->cancel_button, _("_Close"));
}
