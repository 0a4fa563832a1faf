/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include "rc-style-manager.h"

#define PORTAL_BUS_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_SETTINGS_INTERFACE "org.freedesktop.portal.Settings"
#define APPEARANCE_NAMESPACE "org.freedesktop.appearance"
#define COLOR_SCHEME_KEY "color-scheme"

/* Plain GTK 4.8 does not follow the desktop's dark style (libadwaita
 * does). This reads org.freedesktop.appearance color-scheme through the
 * settings portal, follows its changes, and sets
 * gtk-application-prefer-dark-theme. Without a portal nothing changes. */
struct _RcStyleManager
{
  GObject parent_instance;

  /* owned */
  GtkSettings *settings;
  GDBusConnection *bus;
  GCancellable *cancellable;
  guint changed_id;

  gboolean dark;
};

G_DEFINE_FINAL_TYPE (RcStyleManager, rc_style_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DARK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* 0: no preference, 1: prefer dark, 2: prefer light. */
static void
rc_style_manager_apply (RcStyleManager *self,
                        GVariant       *value)
{
  g_autoptr(GVariant) inner = g_variant_ref (value);
  gboolean dark;

  /* Read() wraps the value in one variant more than ReadOne(). */
  while (g_variant_is_of_type (inner, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *child = g_variant_get_variant (inner);

      g_variant_unref (inner);
      inner = child;
    }

  if (!g_variant_is_of_type (inner, G_VARIANT_TYPE_UINT32))
    return;

  dark = g_variant_get_uint32 (inner) == 1;
  g_debug ("Desktop colour scheme: %s", dark ? "dark" : "default");

  g_object_set (self->settings, "gtk-application-prefer-dark-theme", dark, NULL);

  if (self->dark != dark)
    {
      self->dark = dark;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DARK]);
    }
}

static void
on_setting_changed (GDBusConnection *bus,
                    const char      *sender_name,
                    const char      *object_path,
                    const char      *interface_name,
                    const char      *signal_name,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  RcStyleManager *self = RC_STYLE_MANAGER (user_data);
  g_autoptr(GVariant) value = NULL;
  const char *namespace;
  const char *key;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssv)")))
    return;

  g_variant_get (parameters, "(&s&sv)", &namespace, &key, &value);
  if (g_str_equal (namespace, APPEARANCE_NAMESPACE) && g_str_equal (key, COLOR_SCHEME_KEY))
    rc_style_manager_apply (self, value);
}

static void
on_read_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  RcStyleManager *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = RC_STYLE_MANAGER (user_data);
  if (reply == NULL)
    {
      g_debug ("No colour scheme from the settings portal: %s", error->message);
      return;
    }

  g_variant_get (reply, "(v)", &value);
  rc_style_manager_apply (self, value);
}

static void
on_read_one_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  RcStyleManager *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = RC_STYLE_MANAGER (user_data);
  if (reply != NULL)
    {
      g_variant_get (reply, "(v)", &value);
      rc_style_manager_apply (self, value);
      return;
    }

  /* Portals before version 2 only have Read(). */
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
    {
      g_dbus_connection_call (self->bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH,
                              PORTAL_SETTINGS_INTERFACE, "Read",
                              g_variant_new ("(ss)", APPEARANCE_NAMESPACE, COLOR_SCHEME_KEY),
                              G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                              self->cancellable, on_read_done, self);
      return;
    }

  g_debug ("No colour scheme from the settings portal: %s", error->message);
}

static void
on_bus_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus;
  RcStyleManager *self;

  bus = g_bus_get_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = RC_STYLE_MANAGER (user_data);
  if (bus == NULL)
    {
      g_debug ("No session bus, so no desktop colour scheme: %s", error->message);
      return;
    }

  self->bus = bus;
  self->changed_id =
    g_dbus_connection_signal_subscribe (bus, PORTAL_BUS_NAME, PORTAL_SETTINGS_INTERFACE,
                                        "SettingChanged", PORTAL_OBJECT_PATH,
                                        APPEARANCE_NAMESPACE, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_setting_changed, self, NULL);

  g_dbus_connection_call (bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH,
                          PORTAL_SETTINGS_INTERFACE, "ReadOne",
                          g_variant_new ("(ss)", APPEARANCE_NAMESPACE, COLOR_SCHEME_KEY),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, on_read_one_done, self);
}

static void
rc_style_manager_dispose (GObject *object)
{
  RcStyleManager *self = RC_STYLE_MANAGER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->bus != NULL && self->changed_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->changed_id);
  self->changed_id = 0;
  g_clear_object (&self->bus);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (rc_style_manager_parent_class)->dispose (object);
}

static void
rc_style_manager_finalize (GObject *object)
{
  RcStyleManager *self = RC_STYLE_MANAGER (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rc_style_manager_parent_class)->finalize (object);
}

static void
rc_style_manager_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RcStyleManager *self = RC_STYLE_MANAGER (object);

  switch (prop_id)
    {
    case PROP_DARK:
      g_value_set_boolean (value, self->dark);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rc_style_manager_class_init (RcStyleManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rc_style_manager_dispose;
  object_class->finalize = rc_style_manager_finalize;
  object_class->get_property = rc_style_manager_get_property;

  properties[PROP_DARK] =
    g_param_spec_boolean ("dark", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rc_style_manager_init (RcStyleManager *self)
{
  self->cancellable = g_cancellable_new ();
}

RcStyleManager *
rc_style_manager_new (GtkSettings *settings)
{
  RcStyleManager *self;

  g_return_val_if_fail (GTK_IS_SETTINGS (settings), NULL);

  self = g_object_new (RC_TYPE_STYLE_MANAGER, NULL);
  self->settings = g_object_ref (settings);
  g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, on_bus_ready, self);

  return self;
}

gboolean
rc_style_manager_get_dark (RcStyleManager *self)
{
  g_return_val_if_fail (RC_IS_STYLE_MANAGER (self), FALSE);

  return self->dark;
}
