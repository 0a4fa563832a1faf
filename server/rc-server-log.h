/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Who an event is about, for the journal's fields (ROOMCHAT_ADDRESS,
 * ROOMCHAT_ROOM, ROOMCHAT_NAME); each may be NULL. */
typedef struct
{
  const char *address;
  const char *room;
  const char *name;
} RcLogSubject;

gboolean rc_server_log_to_journal (void);
void     rc_server_log_init       (int                 dir_fd,
                                   const char         *file_name);
void     rc_server_log_reopen     (void);
void     rc_server_log_event      (GLogLevelFlags      level,
                                   const RcLogSubject *subject,
                                   const char         *format,
                                   ...) G_GNUC_PRINTF (3, 4);
void     rc_server_log_failure    (const char         *message);

/* Events of a room, a person, an address: rc_server_log_event() at
 * info, notice (GLib's "message") and warning. */
#define rc_log_info(subject, ...) rc_server_log_event (G_LOG_LEVEL_INFO, subject, __VA_ARGS__)
#define rc_log_notice(subject, ...) rc_server_log_event (G_LOG_LEVEL_MESSAGE, subject, __VA_ARGS__)
#define rc_log_warning(subject, ...) rc_server_log_event (G_LOG_LEVEL_WARNING, subject, __VA_ARGS__)

G_END_DECLS
