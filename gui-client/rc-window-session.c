/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "rc-confirm-dialog.h"
#include "rc-window-private.h"

/* The window's side of the connection: connect, rooms, leaving, and the
 * session's signals. Each asynchronous call holds a reference on the
 * window and checks on completion that its session is still the one. */

static void
on_trust_response (RcWindow        *self,
                   gboolean         trusted,
                   RcConfirmDialog *dialog)
{
  self->trusted = trusted;
  if (self->session != NULL)
    rc_client_session_trust_certificate (self->session, trusted);
}

static void
on_certificate_unknown (RcWindow        *self,
                        const char      *server,
                        const char      *fingerprint,
                        RcClientSession *session)
{
  RcConfirmDialog *dialog;
  g_autofree char *intro = NULL;

  /* Translators: %s is a server as host:port */
  intro = g_strdup_printf (_("This is the first time RoomChat connects to %s. The server’s certificate has this fingerprint:"),
                           server);
  dialog = rc_confirm_dialog_new (GTK_WINDOW (self), _("Trust This Server?"), intro,
                                  _("_Cancel"), _("_Trust"));
  rc_confirm_dialog_set_detail (dialog, fingerprint, _("Certificate fingerprint"));
  rc_confirm_dialog_set_note (dialog, _("Compare it with the fingerprint the server’s administrator gave you. RoomChat remembers it and warns you if it ever changes."));

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_trust_response), self, G_CONNECT_SWAPPED);
  _rc_window_set_dialog (self, GTK_WINDOW (dialog));
}

static void
on_paired (RcWindow        *self,
           const char      *peer_name,
           RcRole           role,
           gboolean         my_turn,
           const char      *safety_code,
           RcClientSession *session)
{
  g_autofree char *safety_text = NULL;

  g_cancellable_cancel (self->join_cancellable);
  _rc_window_close_dialog (self);

  gtk_label_set_label (self->safety_code_label, safety_code ? safety_code : "");
  /* Translators: %s is the other person's name */
  safety_text = g_strdup_printf (_("Ask %s to read out the safety code they see, on a call or in person. If it is the same as yours, nobody else can read this chat, not even the server."),
                                 peer_name);
  gtk_label_set_label (self->safety_text_label, safety_text);

  rc_chat_page_start (self->chat_page, rc_client_session_get_name (session), peer_name, my_turn);
  _rc_window_show_page (self, "chat");
  rc_chat_page_focus_input (self->chat_page);
}

/* The other person's connection: dropped, with their place kept ---------- */

static gboolean
peer_away_tick_cb (gpointer user_data)
{
  RcWindow *self = user_data;

  _rc_window_update_header (self);
  return G_SOURCE_CONTINUE;
}

/* The header counts down the @seconds the server keeps the peer's place. */
static void
set_peer_away (RcWindow *self,
               guint     seconds)
{
  g_clear_handle_id (&self->peer_away_id, g_source_remove);
  self->peer_away_until = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  self->peer_away_id = g_timeout_add_seconds (1, peer_away_tick_cb, self);
  _rc_window_update_header (self);
}

static void
clear_peer_away (RcWindow *self)
{
  g_clear_handle_id (&self->peer_away_id, g_source_remove);
  self->peer_away_until = 0;
  _rc_window_update_header (self);
}

static void
on_peer_away (RcWindow        *self,
              guint            seconds,
              RcClientSession *session)
{
  g_autofree char *notice = NULL;

  /* Translators: %s is the other person's name; %d seconds */
  notice = g_strdup_printf (ngettext ("%s’s connection dropped. The server keeps their place for %d second; what you write waits for them.",
                                      "%s’s connection dropped. The server keeps their place for %d seconds; what you write waits for them.",
                                      seconds),
                            rc_client_session_get_peer_name (session), (int) seconds);
  rc_chat_page_add_notice (self->chat_page, RC_MESSAGE_KIND_NOTICE, notice);
  set_peer_away (self, seconds);
}

static void
on_peer_back (RcWindow        *self,
              RcClientSession *session)
{
  g_autofree char *notice = NULL;

  /* Translators: %s is the other person's name */
  notice = g_strdup_printf (_("%s is back."), rc_client_session_get_peer_name (session));
  rc_chat_page_add_notice (self->chat_page, RC_MESSAGE_KIND_NOTICE, notice);
  clear_peer_away (self);
}

/* This side's connection: lost, and had back -------------------------------- */

static void
on_reconnecting (RcWindow        *self,
                 GError          *reason,
                 guint            seconds,
                 RcClientSession *session)
{
  /* The draft and the entry stay: the person may keep typing, and a
   * message sent now goes out once the chat is back. */
  _rc_window_show_banner (self, _("Reconnecting… The connection to the server was lost. You can keep writing."));
  _rc_window_update_header (self);
}

static void
on_resumed (RcWindow        *self,
            RcClientSession *session)
{
  _rc_window_show_banner (self, NULL);
  _rc_window_update_header (self);
}

static void
on_peer_left (RcWindow        *self,
              const char      *reason,
              RcClientSession *session)
{
  const char *peer = rc_chat_page_get_peer_name (self->chat_page);
  g_autofree char *notice = NULL;
  gboolean was_away = self->peer_away_until > 0;

  clear_peer_away (self);
  if (was_away && g_strcmp0 (reason, "disconnected") == 0)
    /* Translators: %s is the other person's name */
    notice = g_strdup_printf (_("%s did not come back in time. The chat has ended."), peer);
  else if (g_strcmp0 (reason, "disconnected") == 0)
    /* Translators: %s is the other person's name */
    notice = g_strdup_printf (_("%s lost the connection. The chat has ended."), peer);
  else
    /* Translators: %s is the other person's name */
    notice = g_strdup_printf (_("%s left the room. The chat has ended."), peer);

  /* The only question asked during a chat is whether to leave it. */
  if (self->dialog != NULL && RC_IS_CONFIRM_DIALOG (self->dialog))
    _rc_window_close_dialog (self);

  rc_chat_page_end (self->chat_page, RC_MESSAGE_KIND_NOTICE, notice);
  _rc_window_update_header (self);
  _rc_window_update_actions (self);
}

static void
on_room_error (RcWindow        *self,
               GError          *error,
               RcClientSession *session)
{
  const char *text;

  if (self->dialog != NULL && RC_IS_JOIN_DIALOG (self->dialog))
    {
      rc_join_dialog_show_error (RC_JOIN_DIALOG (self->dialog), error);
      rc_join_dialog_set_busy (RC_JOIN_DIALOG (self->dialog), FALSE);
      return;
    }

  clear_peer_away (self);
  _rc_window_show_banner (self, NULL);
  if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_SECURITY))
    text = _("Security warning: a key or a message in this room did not verify, so someone may be tampering with the chat. RoomChat left the room.");
  else if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_RESUMED))
    text = _("The connection to the server was lost, and when it was back the chat could not be resumed: the server no longer keeps it. The chat has ended.");
  else
    text = _("The chat ended because of an error.");

  rc_chat_page_end (self->chat_page, RC_MESSAGE_KIND_WARNING, text);
  _rc_window_update_header (self);
  _rc_window_update_actions (self);
}

static void
on_message_received (RcWindow        *self,
                     const char      *text,
                     GDateTime       *sent_at,
                     RcClientSession *session)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  /* Who wrote, by default: a notification may be read on the lock screen
   * by anyone passing by. */
  g_autofree char *shown = self->settings != NULL
                             ? g_settings_get_string (self->settings, "notifications")
                             : g_strdup ("sender");

  if (application == NULL || gtk_window_is_active (GTK_WINDOW (self)) ||
      g_str_equal (shown, "none"))
    return;

  /* Translators: a desktop notification; %s is the other person's name */
  title = g_strdup_printf (_("New message from %s"), rc_client_session_get_peer_name (session));
  notification = g_notification_new (title);
  if (g_str_equal (shown, "message"))
    {
      g_autofree char *body = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 200));

      g_notification_set_body (notification, body);
    }
  g_notification_set_category (notification, "im.received");
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_application_send_notification (G_APPLICATION (application), "new-message", notification);
}

static void
on_state_changed (RcWindow *self)
{
  _rc_window_update_actions (self);
}

static void
on_disconnected (RcWindow        *self,
                 GError          *error,
                 RcClientSession *session)
{
  const char *text;

  /* A failed connection attempt is told by its own callback. */
  if (self->connecting)
    return;

  clear_peer_away (self);
  if (error == NULL)
    text = NULL;
  else if (g_error_matches (error, RC_PROTOCOL_ERROR, RC_PROTOCOL_ERROR_SHUTTING_DOWN))
    text = _("The server is shutting down, so the connection ended. Your draft is kept.");
  else if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_RESUMED))
    text = _("The connection to the server was lost and the chat could not be resumed in time. Your draft is kept; connect again to start a new chat.");
  else
    text = _("The connection to the server was lost. Your draft is kept; connect again to go on.");

  if (rc_chat_page_get_active (self->chat_page))
    rc_chat_page_end (self->chat_page, RC_MESSAGE_KIND_WARNING,
                      g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_RESUMED)
                        ? _("The connection could not be restored in time, so the chat could not be resumed. The chat has ended.")
                        : _("The connection to the server was lost. The chat has ended."));

  _rc_window_close_dialog (self);
  _rc_window_drop_session (self);
  _rc_window_show_banner (self, text);
  _rc_window_show_page (self, "connect");
  rc_connect_page_focus_first (self->connect_page);
}

/* The window follows its session through one signal group, connected
 * once: each new session only becomes its target. */
void
_rc_window_init_session (RcWindow *self)
{
  self->session_signals = g_signal_group_new (RC_TYPE_CLIENT_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "certificate-unknown",
                                  G_CALLBACK (on_certificate_unknown), self);
  g_signal_group_connect_swapped (self->session_signals, "paired",
                                  G_CALLBACK (on_paired), self);
  g_signal_group_connect_swapped (self->session_signals, "peer-left",
                                  G_CALLBACK (on_peer_left), self);
  g_signal_group_connect_swapped (self->session_signals, "room-error",
                                  G_CALLBACK (on_room_error), self);
  g_signal_group_connect_swapped (self->session_signals, "message-received",
                                  G_CALLBACK (on_message_received), self);
  g_signal_group_connect_swapped (self->session_signals, "disconnected",
                                  G_CALLBACK (on_disconnected), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (on_state_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "reconnecting",
                                  G_CALLBACK (on_reconnecting), self);
  g_signal_group_connect_swapped (self->session_signals, "resumed",
                                  G_CALLBACK (on_resumed), self);
  g_signal_group_connect_swapped (self->session_signals, "peer-away",
                                  G_CALLBACK (on_peer_away), self);
  g_signal_group_connect_swapped (self->session_signals, "peer-back",
                                  G_CALLBACK (on_peer_back), self);
}

/* Forgets the session, closing its connection if it is open. */
void
_rc_window_drop_session (RcWindow *self)
{
  g_autoptr(RcClientSession) session = g_steal_pointer (&self->session);

  self->connecting = FALSE;
  if (session == NULL)
    return;

  g_signal_group_set_target (self->session_signals, NULL);
  clear_peer_away (self);
  rc_chat_page_set_session (self->chat_page, NULL);
  if (rc_client_session_get_state (session) != RC_SESSION_STATE_DISCONNECTED)
    rc_client_session_close (session);

  rc_connect_page_set_busy (self->connect_page, FALSE);
  _rc_window_update_actions (self);
}

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RcWindow) self = user_data;
  RcClientSession *session = RC_CLIENT_SESSION (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;

  if (!rc_client_session_connect_finish (session, result, &error))
    {
      if (self->session != session)
        return;

      /* The only question asked while connecting is whether to trust. */
      if (self->dialog != NULL && RC_IS_CONFIRM_DIALOG (self->dialog))
        _rc_window_close_dialog (self);

      /* The server waits only so long for hello: a person who took their
       * time to compare the fingerprint finds the connection closed. The
       * certificate is pinned now, so one more attempt asks nothing. */
      if (self->trusted && !self->retried
          && error->domain != RC_PROTOCOL_ERROR
          && !g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_CHANGED)
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          _rc_window_drop_session (self);
          self->retried = TRUE;
          _rc_window_connect (self);
          return;
        }

      if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_CERTIFICATE_CHANGED))
        {
          rc_certificate_page_set_certificates (self->certificate_page,
                                                rc_client_session_get_host (session),
                                                rc_client_session_get_pinned_fingerprint (session),
                                                rc_client_session_get_certificate_fingerprint (session),
                                                rc_client_session_get_known_servers_path (session));
          _rc_window_show_page (self, "certificate");
          rc_certificate_page_focus (self->certificate_page);
        }
      else
        rc_connect_page_show_error (self->connect_page, error);
      _rc_window_drop_session (self);
      return;
    }

  if (self->session != session)
    return;

  self->connecting = FALSE;
  rc_connect_page_set_busy (self->connect_page, FALSE);
  /* Only now: a password the server refused is never remembered. */
  rc_connect_page_login_succeeded (self->connect_page, rc_client_session_get_host (session),
                                   rc_client_session_get_port (session));

  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "host", rc_client_session_get_host (session));
      g_settings_set_uint (self->settings, "port", rc_client_session_get_port (session));
      g_settings_set_string (self->settings, "name", rc_client_session_get_name (session));
    }

  server = g_strdup_printf ("%s:%u", rc_client_session_get_host (session),
                            (guint)rc_client_session_get_port (session));
  rc_lobby_page_set_server (self->lobby_page, server, rc_client_session_get_name (session));
  _rc_window_show_page (self, "lobby");
  rc_lobby_page_focus (self->lobby_page);
}

void
_rc_window_connect (RcWindow *self)
{
  g_autofree char *name = NULL;
  const char *host = rc_connect_page_get_host (self->connect_page);
  guint16 port = rc_connect_page_get_port (self->connect_page);

  name = rc_name_normalize (rc_connect_page_get_name (self->connect_page), NULL);
  if (name == NULL || port == 0 || host[0] == '\0')
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  _rc_window_drop_session (self);
  _rc_window_show_banner (self, NULL);

  self->cancellable = g_cancellable_new ();
  self->session = rc_client_session_new (host, port, name);
  self->connecting = TRUE;
  self->trusted = FALSE;

  g_signal_group_set_target (self->session_signals, self->session);
  rc_chat_page_set_session (self->chat_page, self->session);

  rc_connect_page_set_busy (self->connect_page, TRUE);
  _rc_window_update_actions (self);

  rc_client_session_connect_async (self->session,
                                   rc_connect_page_get_password (self->connect_page),
                                   self->cancellable,
                                   on_connect_done,
                                   g_object_ref (self));
}

static void
on_leave_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RcWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rc_client_session_leave_finish (RC_CLIENT_SESSION (source), result, &error))
    g_debug ("Leaving the room failed: %s", error->message);
}

static void
rc_window_send_leave (RcWindow *self)
{
  RcSessionState state;

  if (self->session == NULL)
    return;

  state = rc_client_session_get_state (self->session);
  if (state != RC_SESSION_STATE_WAITING && state != RC_SESSION_STATE_CHATTING)
    return;

  rc_client_session_leave_async (self->session, self->cancellable, on_leave_done, g_object_ref (self));
}

static void
on_create_cancel (RcWindow       *self,
                  RcCreateDialog *dialog)
{
  /* The dialog is going away; a room still being made is left when the
   * server confirms it (see on_create_done). */
  rc_window_send_leave (self);
}

static void
on_create_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RcWindow) self = user_data;
  RcClientSession *session = RC_CLIENT_SESSION (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *room_id = NULL;

  room_id = rc_client_session_create_room_finish (session, result, &error);
  if (self->session != session)
    return;

  if (self->dialog == NULL || !RC_IS_CREATE_DIALOG (self->dialog))
    {
      /* Cancelled while the room was being made. */
      if (room_id != NULL)
        rc_window_send_leave (self);
      return;
    }

  if (room_id == NULL)
    rc_create_dialog_show_error (RC_CREATE_DIALOG (self->dialog),
                                 _("The server could not make a room. Try again."));
  else
    rc_create_dialog_set_room_id (RC_CREATE_DIALOG (self->dialog), room_id);
}

void
_rc_window_create_room (RcWindow *self)
{
  RcCreateDialog *dialog;

  if (self->session == NULL || rc_client_session_get_state (self->session) != RC_SESSION_STATE_LOBBY)
    return;

  dialog = rc_create_dialog_new (GTK_WINDOW (self));
  g_signal_connect_object (dialog, "cancel", G_CALLBACK (on_create_cancel), self, G_CONNECT_SWAPPED);
  _rc_window_set_dialog (self, GTK_WINDOW (dialog));

  rc_client_session_create_room_async (self->session, self->cancellable, on_create_done, g_object_ref (self));
}

static void
on_join_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RcWindow) self = user_data;
  RcClientSession *session = RC_CLIENT_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (rc_client_session_join_room_finish (session, result, &error))
    return;   /* ::paired has shown the chat */

  if (self->session != session || self->dialog == NULL || !RC_IS_JOIN_DIALOG (self->dialog))
    return;

  rc_join_dialog_set_busy (RC_JOIN_DIALOG (self->dialog), FALSE);
  rc_join_dialog_show_error (RC_JOIN_DIALOG (self->dialog), error);
}

static void
on_join_requested (RcWindow     *self,
                   const char   *room_id,
                   RcJoinDialog *dialog)
{
  if (self->session == NULL || rc_client_session_get_state (self->session) != RC_SESSION_STATE_LOBBY)
    return;

  g_clear_object (&self->join_cancellable);
  self->join_cancellable = g_cancellable_new ();

  rc_join_dialog_set_busy (dialog, TRUE);
  rc_client_session_join_room_async (self->session, room_id, self->join_cancellable,
                                     on_join_done, g_object_ref (self));
}

static void
on_join_cancel (RcWindow     *self,
                RcJoinDialog *dialog)
{
  g_cancellable_cancel (self->join_cancellable);
}

void
_rc_window_join_room (RcWindow *self)
{
  RcJoinDialog *dialog;

  if (self->session == NULL || rc_client_session_get_state (self->session) != RC_SESSION_STATE_LOBBY)
    return;

  dialog = rc_join_dialog_new (GTK_WINDOW (self));
  g_signal_connect_object (dialog, "join", G_CALLBACK (on_join_requested), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "cancel", G_CALLBACK (on_join_cancel), self, G_CONNECT_SWAPPED);
  _rc_window_set_dialog (self, GTK_WINDOW (dialog));
}

static void
on_leave_response (RcWindow        *self,
                   gboolean         leave,
                   RcConfirmDialog *dialog)
{
  if (!leave)
    return;

  rc_window_send_leave (self);
  rc_chat_page_end (self->chat_page, RC_MESSAGE_KIND_NOTICE, NULL);
  _rc_window_show_page (self, "lobby");
  rc_lobby_page_focus (self->lobby_page);
}

/* Leaves the chat, asking first while it is going on. */
void
_rc_window_leave_room (RcWindow *self)
{
  RcConfirmDialog *dialog;
  g_autofree char *body = NULL;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "chat") != 0)
    return;

  if (self->session == NULL)
    {
      _rc_window_show_page (self, "connect");
      rc_connect_page_focus_first (self->connect_page);
      return;
    }

  if (!rc_chat_page_get_active (self->chat_page)
      || rc_client_session_get_state (self->session) != RC_SESSION_STATE_CHATTING)
    {
      _rc_window_show_page (self, "lobby");
      rc_lobby_page_focus (self->lobby_page);
      return;
    }

  /* Translators: %s is the other person's name */
  body = g_strdup_printf (_("The chat with %s ends for both of you, and its messages are gone. To talk again, one of you makes a new room."),
                          rc_chat_page_get_peer_name (self->chat_page));
  dialog = rc_confirm_dialog_new (GTK_WINDOW (self), _("Leave the Room?"), body,
                                  _("_Stay"), _("_Leave"));
  rc_confirm_dialog_set_destructive (dialog, TRUE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_leave_response), self, G_CONNECT_SWAPPED);
  _rc_window_set_dialog (self, GTK_WINDOW (dialog));
}

void
_rc_window_disconnect (RcWindow *self)
{
  _rc_window_close_dialog (self);
  _rc_window_drop_session (self);
  _rc_window_show_page (self, "connect");
  rc_connect_page_focus_first (self->connect_page);
}
