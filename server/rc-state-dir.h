/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The files of the state directory, by name. */
#define RC_STATE_STATS_FILE     "stats.json"
#define RC_STATE_IPS_FILE       "ips.json"
#define RC_STATE_BLOCKS_FILE    "blocks.json"
#define RC_STATE_LOG_FILE       "server.log"
#define RC_STATE_PASSWORD_FILE  "password"
#define RC_STATE_CERT_FILE      "cert.pem"
#define RC_STATE_KEY_FILE       "key.pem"
#define RC_STATE_LOCK_FILE      "server.lock"

#define RC_TYPE_STATE_DIR (rc_state_dir_get_type ())

G_DECLARE_FINAL_TYPE (RcStateDir, rc_state_dir, RC, STATE_DIR, GObject)

RcStateDir *rc_state_dir_open          (const char   *path,
                                        gboolean      create,
                                        GError      **error);
const char *rc_state_dir_get_path      (RcStateDir   *self);
gboolean    rc_state_dir_lock          (RcStateDir   *self,
                                        GError      **error);
char       *rc_state_dir_read          (RcStateDir   *self,
                                        const char   *name,
                                        gsize        *length,
                                        GError      **error);
/* How far a write must have gone when it returns. */
typedef enum
{
  RC_STATE_WRITE_ATOMIC,    /* old or new contents whatever the process does (kill -9) */
  RC_STATE_WRITE_DURABLE,   /* and on disk, whatever the machine does (power cut) */
} RcStateWrite;

gboolean    rc_state_dir_write         (RcStateDir   *self,
                                        const char   *name,
                                        const char   *contents,
                                        gsize         length,
                                        guint         mode,
                                        RcStateWrite  how,
                                        GError      **error);
gboolean    rc_state_dir_remove        (RcStateDir   *self,
                                        const char   *name,
                                        GError      **error);
void        rc_state_dir_remove_stale  (RcStateDir   *self);
int         rc_state_dir_dup_fd        (RcStateDir   *self);
int         rc_state_dir_open_append   (RcStateDir   *self,
                                        const char   *name,
                                        GError      **error);

G_END_DECLS
