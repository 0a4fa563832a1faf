/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "roomchat-gui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "rc-chat-page-private.h"
#include "rc-crypto.h"
#include "rc-focus.h"

/* The chat page's input: the counter near the size limit, greying out
 * while it is not this side's turn, sending, and the draft. */

/* Below this many bytes left the counter shows how many remain. */
#define COUNTER_THRESHOLD 1024

static gsize
rc_chat_page_get_draft_size (RcChatPage *self)
{
  return strlen (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
}

void
_rc_chat_page_update_counter (RcChatPage *self,
                              const char *error_text)
{
  gsize size = rc_chat_page_get_draft_size (self);
  g_autofree char *text = NULL;

  if (error_text != NULL)
    text = g_strdup (error_text);
  else if (size > RC_MAX_PLAINTEXT_SIZE)
    text = g_strdup_printf (ngettext ("%u byte too long to send",
                                      "%u bytes too long to send",
                                      (gulong)(size - RC_MAX_PLAINTEXT_SIZE)),
                            (guint)(size - RC_MAX_PLAINTEXT_SIZE));
  else if (RC_MAX_PLAINTEXT_SIZE - size < COUNTER_THRESHOLD)
    text = g_strdup_printf (ngettext ("%u byte left",
                                      "%u bytes left",
                                      (gulong)(RC_MAX_PLAINTEXT_SIZE - size)),
                            (guint)(RC_MAX_PLAINTEXT_SIZE - size));

  gtk_label_set_label (self->counter_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->counter_label), text != NULL);
  if (error_text != NULL || size > RC_MAX_PLAINTEXT_SIZE)
    gtk_widget_add_css_class (GTK_WIDGET (self->counter_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->counter_label), "error");
}

/* Greys the input out unless it is this side's turn in a chat going on,
 * moving the focus out first and back in when the turn returns. */
void
_rc_chat_page_update_input (RcChatPage *self)
{
  gboolean can_write = self->active && self->my_turn;
  gsize size = rc_chat_page_get_draft_size (self);
  g_autofree char *placeholder = NULL;
  const char *peer = self->peer_name ? self->peer_name : "";

  if (!can_write && rc_focus_move_out_of (GTK_WIDGET (self->input_bar), GTK_WIDGET (self->list_view)))
    self->refocus_entry = TRUE;

  if (!self->active)
    placeholder = g_strdup (_("This chat has ended"));
  else if (self->my_turn)
    /* Translators: %s is the other person's name */
    placeholder = g_strdup_printf (_("Write to %s"), peer);
  else
    /* Translators: %s is the other person's name */
    placeholder = g_strdup_printf (_("Waiting for %s…"), peer);

  gtk_entry_set_placeholder_text (self->entry, placeholder);
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button),
                            can_write && size > 0 && size <= RC_MAX_PLAINTEXT_SIZE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->entry), can_write);

  if (can_write && self->refocus_entry)
    {
      self->refocus_entry = FALSE;
      gtk_widget_grab_focus (GTK_WIDGET (self->entry));
      gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
    }
}

/**
 * rc_chat_page_send:
 *
 * Sends the draft through the session on this side's turn, shows it as
 * "sending" and clears the entry. A refusal is said beside the entry and
 * the draft stays.
 *
 * Returns: whether the message went out
 */
gboolean
rc_chat_page_send (RcChatPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RcMessage) message = NULL;
  g_autofree char *text = NULL;
  gint64 seq;

  g_return_val_if_fail (RC_IS_CHAT_PAGE (self), FALSE);

  text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
  if (self->session == NULL || !self->active || !self->my_turn || text[0] == '\0')
    return FALSE;

  seq = rc_client_session_send_message (self->session, text, &error);
  if (seq < 0)
    {
      const char *why;

      if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_MESSAGE_TOO_LONG))
        why = _("This message is too long to send. Make it shorter or send it in parts.");
      else if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_NOT_YOUR_TURN))
        why = _("It is not your turn yet.");
      else if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_INVALID_TEXT))
        why = _("This message holds characters that cannot be sent.");
      else if (g_error_matches (error, RC_CLIENT_ERROR, RC_CLIENT_ERROR_EMPTY_MESSAGE))
        return FALSE;
      else
        why = _("The message could not be sent.");

      _rc_chat_page_update_counter (self, why);
      return FALSE;
    }

  message = rc_message_new_own (self->own_name, text, seq, NULL);
  _rc_chat_page_append (self, message);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");

  return TRUE;
}

const char *
rc_chat_page_get_draft (RcChatPage *self)
{
  g_return_val_if_fail (RC_IS_CHAT_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

void
rc_chat_page_set_draft (RcChatPage *self,
                        const char *draft)
{
  g_return_if_fail (RC_IS_CHAT_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->entry), draft ? draft : "");
}

/* Puts the cursor in the entry when it is this side's turn, else on the
 * list of messages. */
void
rc_chat_page_focus_input (RcChatPage *self)
{
  g_return_if_fail (RC_IS_CHAT_PAGE (self));

  if (self->active && self->my_turn)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->entry));
      gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
    }
  else
    {
      self->refocus_entry = self->active;
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
    }
}
