/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  RC_ADMIT_OK,
  RC_ADMIT_FULL,
  RC_ADMIT_TO_RESUME,   /* full but for the address's own away seats */
} RcAdmit;

#define RC_TYPE_ADMISSION (rc_admission_get_type ())

G_DECLARE_FINAL_TYPE (RcAdmission, rc_admission, RC, ADMISSION, GObject)

RcAdmission *rc_admission_new                  (guint         max_connections,
                                                guint         max_per_address);
void         rc_admission_fit_descriptors      (RcAdmission  *self);
void         rc_admission_set_limits           (RcAdmission  *self,
                                                guint         max_connections,
                                                guint         max_per_address);
guint        rc_admission_get_max_connections  (RcAdmission  *self);
guint        rc_admission_get_max_per_address  (RcAdmission  *self);
guint        rc_admission_get_max_open         (RcAdmission  *self);

gboolean     rc_admission_open                 (RcAdmission  *self,
                                                const char   *key);
RcAdmit      rc_admission_admit                (RcAdmission  *self,
                                                const char   *key);
void         rc_admission_hold_seat            (RcAdmission  *self,
                                                const char   *key);
void         rc_admission_free_seat            (RcAdmission  *self,
                                                const char   *key);
void         rc_admission_release              (RcAdmission  *self,
                                                const char   *key);
void         rc_admission_close                (RcAdmission  *self,
                                                const char   *key,
                                                gboolean      admitted);
void         rc_admission_get_counts           (RcAdmission  *self,
                                                guint        *open,
                                                guint        *admitted,
                                                guint        *away);

void         rc_admission_snapshot             (RcAdmission  *self,
                                                guint        *open,
                                                guint        *admitted,
                                                guint        *away);
gboolean     rc_admission_has_changes          (RcAdmission  *self);

G_END_DECLS
