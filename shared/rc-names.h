/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* docs/protocol.md 3.2: room ids are this many characters from A-Z and 0-9. */
#define RC_ROOM_ID_LENGTH 12
/* docs/protocol.md 3.1: names have 1 to this many characters after trimming. */
#define RC_NAME_MAX_CHARS 32

typedef enum
{
  RC_ROLE_CREATOR,
  RC_ROLE_JOINER,
} RcRole;

const char *rc_role_to_string      (RcRole       role);
gboolean    rc_role_from_string    (const char  *text,
                                    RcRole      *role);

char       *rc_name_normalize      (const char  *name,
                                    GError     **error);

char       *rc_room_id_normalize   (const char  *text,
                                    GError     **error);
gboolean    rc_room_id_is_partial  (const char  *text,
                                    guint       *n_valid);
char       *rc_room_id_generate    (void);

G_END_DECLS
