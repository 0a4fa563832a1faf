/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "rc-client-session.h"
#include "rc-connect-page-private.h"
#include "rc-password-store.h"
#include "rc-profile.h"

G_DEFINE_FINAL_TYPE (RcConnectPage, rc_connect_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_REMEMBER_PASSWORD,
  N_PROPS
};

enum {
  CONNECT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
parse_port (const char *text,
            guint16    *port)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &value, NULL))
    return FALSE;

  *port = (guint16)value;
  return TRUE;
}

static gboolean
rc_connect_page_is_complete (RcConnectPage *self)
{
  g_autofree char *name = NULL;
  guint16 port;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_entry))));

  return gtk_editable_get_text (GTK_EDITABLE (self->host_entry))[0] != '\0'
      && parse_port (gtk_editable_get_text (GTK_EDITABLE (self->port_entry)), &port)
      && name[0] != '\0';
}

static void
set_field_error (RcConnectPage  *self,
                 RcConnectField  field)
{
  GtkWidget *fields[] = {
    NULL,
    GTK_WIDGET (self->host_entry),
    GTK_WIDGET (self->port_entry),
    GTK_WIDGET (self->name_entry),
    GTK_WIDGET (self->password_entry),
  };

  for (guint i = 1; i < G_N_ELEMENTS (fields); i++)
    {
      if (i == field)
        gtk_widget_add_css_class (fields[i], "error");
      else
        gtk_widget_remove_css_class (fields[i], "error");
    }
}

static void
on_form_changed (RcConnectPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button),
                            rc_connect_page_is_complete (self));
}

/* Shows @text, which it takes, as the page's error. */
void
_rc_connect_page_show_error_text (RcConnectPage  *self,
                                  char           *text,
                                  RcConnectField  field)
{
  g_free (self->error_text);
  self->error_text = text;
  gtk_label_set_label (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_box), TRUE);
  set_field_error (self, field);
}

/* Until the lookup answers, Forget is hidden: it would be about the
 * server that was in the form. */
static void
on_server_changed (RcConnectPage *self)
{
  on_form_changed (self);
  gtk_widget_set_visible (GTK_WIDGET (self->forget_button), FALSE);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    _rc_connect_page_look_up_password (self);
}

static void
on_password_changed (RcConnectPage *self)
{
  if (!self->filling)
    self->password_filled = FALSE;
  on_form_changed (self);
}

static void
on_remember_toggled (RcConnectPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMEMBER_PASSWORD]);
}

/* Lookups for each server typed are not worth making before the page is
 * seen; the page shown again may be about a password changed meanwhile. */
static void
rc_connect_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (rc_connect_page_parent_class)->map (widget);
  _rc_connect_page_look_up_password (RC_CONNECT_PAGE (widget));
}

static void
rc_connect_page_request_connect (RcConnectPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  guint16 port;

  if (self->busy || !rc_connect_page_is_complete (self))
    return;

  if (!parse_port (gtk_editable_get_text (GTK_EDITABLE (self->port_entry)), &port))
    return;

  name = rc_name_normalize (gtk_editable_get_text (GTK_EDITABLE (self->name_entry)), &error);
  if (name == NULL)
    {
      rc_connect_page_show_error (self, error);
      return;
    }

  rc_connect_page_clear_error (self);

  /* With the field empty, the password being looked up is the one to log
   * in with: an empty one would only spend one of the attempts before the
   * server blocks the address. */
  if (gtk_editable_get_text (GTK_EDITABLE (self->password_entry))[0] == '\0'
      && self->lookup_cancellable != NULL)
    {
      self->connect_after_lookup = TRUE;
      return;
    }

  self->connect_after_lookup = FALSE;
  g_signal_emit (self, signals[CONNECT], 0);
}

static void
on_entry_activate (RcConnectPage *self)
{
  rc_connect_page_request_connect (self);
}

static void
on_connect_clicked (RcConnectPage *self)
{
  rc_connect_page_request_connect (self);
}

static void
rc_connect_page_dispose (GObject *object)
{
  GtkWidget *child;
  RcConnectPage *self = (RcConnectPage *)object;

  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  g_cancellable_cancel (self->store_cancellable);
  g_clear_object (&self->store_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), RC_TYPE_CONNECT_PAGE);
  /* The template's top child has no id: unparent what is left. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rc_connect_page_parent_class)->dispose (object);
}

static void
rc_connect_page_finalize (GObject *object)
{
  RcConnectPage *self = (RcConnectPage *)object;

  g_clear_pointer (&self->error_text, g_free);
  g_clear_pointer (&self->attempt_password, secret_password_free);

  G_OBJECT_CLASS (rc_connect_page_parent_class)->finalize (object);
}

static void
rc_connect_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RcConnectPage *self = RC_CONNECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_REMEMBER_PASSWORD:
      g_value_set_boolean (value, rc_connect_page_get_remember_password (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_connect_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  RcConnectPage *self = RC_CONNECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      rc_connect_page_set_busy (self, g_value_get_boolean (value));
      break;
    case PROP_REMEMBER_PASSWORD:
      rc_connect_page_set_remember_password (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_connect_page_class_init (RcConnectPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rc_connect_page_dispose;
  object_class->finalize = rc_connect_page_finalize;
  object_class->get_property = rc_connect_page_get_property;
  object_class->set_property = rc_connect_page_set_property;
  widget_class->map = rc_connect_page_map;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * RcConnectPage:remember-password:
   *
   * Whether the password is to be remembered for the server once a login
   * with it works (the "Remember password" check box).
   */
  properties[PROP_REMEMBER_PASSWORD] =
    g_param_spec_boolean ("remember-password", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RcConnectPage::connect:
   *
   * The person asked to connect with a complete form.
   */
  signals[CONNECT] = g_signal_new ("connect",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/roomchat/RoomChat/rc-connect-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, logo_image);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, host_entry);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, port_entry);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, name_entry);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, password_entry);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, remember_check);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, forget_button);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, RcConnectPage, connect_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_server_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_password_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_remember_toggled);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_forget_clicked",
                                                G_CALLBACK (_rc_connect_page_forget));
  gtk_widget_class_bind_template_callback (widget_class, on_connect_clicked);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
rc_connect_page_init (RcConnectPage *self)
{
  self->store_cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_image_set_from_icon_name (self->logo_image, RC_APPLICATION_ID);
}

GtkWidget *
rc_connect_page_new (void)
{
  return g_object_new (RC_TYPE_CONNECT_PAGE, NULL);
}

const char *
rc_connect_page_get_host (RcConnectPage *self)
{
  g_return_val_if_fail (RC_IS_CONNECT_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->host_entry));
}

void
rc_connect_page_set_host (RcConnectPage *self,
                          const char    *host)
{
  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->host_entry), host ? host : "");
}

/* 0 when the port field holds no valid port. */
guint16
rc_connect_page_get_port (RcConnectPage *self)
{
  guint16 port = 0;

  g_return_val_if_fail (RC_IS_CONNECT_PAGE (self), 0);

  if (!parse_port (gtk_editable_get_text (GTK_EDITABLE (self->port_entry)), &port))
    return 0;
  return port;
}

void
rc_connect_page_set_port (RcConnectPage *self,
                          guint16        port)
{
  g_autofree char *text = NULL;

  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  text = g_strdup_printf ("%u", (guint)port);
  gtk_editable_set_text (GTK_EDITABLE (self->port_entry), text);
}

const char *
rc_connect_page_get_name (RcConnectPage *self)
{
  g_return_val_if_fail (RC_IS_CONNECT_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
}

void
rc_connect_page_set_name (RcConnectPage *self,
                          const char    *name)
{
  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name ? name : "");
}

const char *
rc_connect_page_get_password (RcConnectPage *self)
{
  g_return_val_if_fail (RC_IS_CONNECT_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
}

void
rc_connect_page_set_password (RcConnectPage *self,
                              const char    *password)
{
  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), password ? password : "");
}

gboolean
rc_connect_page_get_busy (RcConnectPage *self)
{
  g_return_val_if_fail (RC_IS_CONNECT_PAGE (self), FALSE);

  return self->busy;
}

/* While busy the form stays editable (so no focused field is greyed out)
 * but asking to connect again does nothing. */
void
rc_connect_page_set_busy (RcConnectPage *self,
                          gboolean       busy)
{
  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  /* The field stays editable meanwhile: what is remembered is what was
   * sent. */
  if (busy)
    {
      g_clear_pointer (&self->attempt_password, secret_password_free);
      self->attempt_password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_entry)));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_button_set_label (self->connect_button, busy ? _("Connecting…") : _("_Connect"));
  if (busy)
    rc_connect_page_clear_error (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
rc_connect_page_show_error (RcConnectPage *self,
                            const GError  *error)
{
  RcConnectField field = RC_CONNECT_FIELD_NONE;
  char *text;

  g_return_if_fail (RC_IS_CONNECT_PAGE (self));
  g_return_if_fail (error != NULL);

  text = rc_connect_page_describe_error (error, &field);
  if (text == NULL)
    {
      rc_connect_page_clear_error (self);
      return;
    }

  _rc_connect_page_show_error_text (self, text, field);
}

void
rc_connect_page_clear_error (RcConnectPage *self)
{
  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  g_clear_pointer (&self->error_text, g_free);
  gtk_label_set_label (self->error_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_box), FALSE);
  set_field_error (self, RC_CONNECT_FIELD_NONE);
}

/* The error shown, or %NULL. */
const char *
rc_connect_page_get_error_text (RcConnectPage *self)
{
  g_return_val_if_fail (RC_IS_CONNECT_PAGE (self), NULL);

  return self->error_text;
}

/**
 * rc_connect_page_connect:
 *
 * Asks to connect with what the form holds, as the Connect button does.
 * A remembered password still being looked up is waited for.
 */
void
rc_connect_page_connect (RcConnectPage *self)
{
  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  rc_connect_page_request_connect (self);
}

/* Puts the cursor in the first field that needs filling in. */
void
rc_connect_page_focus_first (RcConnectPage *self)
{
  GtkWidget *fields[] = {
    GTK_WIDGET (self->host_entry),
    GTK_WIDGET (self->port_entry),
    GTK_WIDGET (self->name_entry),
    GTK_WIDGET (self->password_entry),
  };

  g_return_if_fail (RC_IS_CONNECT_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (gtk_editable_get_text (GTK_EDITABLE (fields[i]))[0] == '\0')
      {
        gtk_widget_grab_focus (fields[i]);
        return;
      }

  gtk_widget_grab_focus (GTK_WIDGET (self->connect_button));
}
