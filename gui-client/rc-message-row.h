/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "rc-message.h"

G_BEGIN_DECLS

#define RC_TYPE_MESSAGE_ROW (rc_message_row_get_type ())

G_DECLARE_FINAL_TYPE (RcMessageRow, rc_message_row, RC, MESSAGE_ROW, GtkWidget)

GtkWidget *rc_message_row_new         (void);
RcMessage *rc_message_row_get_message (RcMessageRow *self);
void       rc_message_row_set_message (RcMessageRow *self,
                                       RcMessage    *message);

G_END_DECLS
