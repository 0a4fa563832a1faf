/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rc-cli-options.h"
#include "rc-client-session.h"

G_BEGIN_DECLS

/* What roomchat-cli says: the exit status, the event code and the words
 * for each error, and the JSON Lines events of --batch. */

RcCliExit   rc_cli_exit_for_error    (const GError     *error);
const char *rc_cli_error_code        (const GError     *error);
char       *rc_cli_describe_error    (const GError     *error,
                                      RcClientSession  *session,
                                      RcCliOptions     *options);

char       *rc_cli_event_room        (const char       *room);
char       *rc_cli_event_paired      (const char       *peer,
                                      RcRole            role,
                                      const char       *safety_code);
char       *rc_cli_event_message     (const char       *from,
                                      const char       *text);
char       *rc_cli_event_relayed     (gint64            seq);
char       *rc_cli_event_peer_left   (const char       *reason);
/* Version 2: the connection lost and had back, the other person's. */
char       *rc_cli_event_reconnecting (guint            seconds,
                                      const char       *reason);
char       *rc_cli_event_resumed     (void);
char       *rc_cli_event_peer_away   (guint             seconds);
char       *rc_cli_event_peer_back   (void);
char       *rc_cli_event_held        (gint64            seq);
char       *rc_cli_event_error       (const char       *code,
                                      const char       *message);

G_END_DECLS
