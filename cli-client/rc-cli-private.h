/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rc-cli.h"
#include "rc-client-connection.h"
#include "rc-client-session.h"

G_BEGIN_DECLS

/* RcCli is split over rc-cli.c (the session's events and the run),
 * rc-cli-connect.c (the server's certificate, the password, connecting)
 * and rc-cli-input.c (standard input: messages, commands, answers, and
 * sending in turn). */

struct _RcCli
{
  GObject           parent_instance;

  /* Owned */
  RcCliOptions     *options;
  RcClientSession  *session;
  GMainLoop        *loop;
  GCancellable     *cancellable;         /* standard input */
  GDataInputStream *input;
  GQueue            outbox;              /* lines waiting for this side's turn */
  GQueue            typed_ahead;         /* lines typed while connecting */
  RcClientConnection *probe;             /* asks about a new server before the password */
  guint             signal_ids[2];
  guint             leave_timeout_id;    /* Ctrl+C: leaving, then quitting */

  gboolean          input_done;
  gboolean          awaiting_trust_answer;
  gboolean          awaiting_password;
  gboolean          leaving;
  gboolean          quit_after_leave;
  guint             pending_relays;      /* sent, not yet relayed */
  gint64            held_seq;            /* held for an away peer; -1 none */
  gboolean          finished;
  int               exit_code;
};

/* rc-cli.c */
void _rc_cli_finish          (RcCli        *self,
                              int           exit_code);
void _rc_cli_say             (RcCli        *self,
                              const char   *format,
                              ...) G_GNUC_PRINTF (2, 3);
void _rc_cli_report_error    (RcCli        *self,
                              const GError *error);
void _rc_cli_update_prompt   (RcCli        *self);
void _rc_cli_fail            (RcCli        *self,
                              const GError *error);
void _rc_cli_start_room      (RcCli        *self,
                              gboolean      create,
                              const char   *room);

/* rc-cli-connect.c */
void _rc_cli_init_connect    (RcCli        *self);
void _rc_cli_connect         (RcCli        *self);
void _rc_cli_stop_connecting (RcCli        *self);
void _rc_cli_answer_trust    (RcCli        *self,
                              const char   *line);
void _rc_cli_answer_password (RcCli        *self,
                              char         *password);

/* rc-cli-input.c */
void _rc_cli_leave           (RcCli        *self,
                              gboolean      then_quit);
void _rc_cli_try_send        (RcCli        *self);
void _rc_cli_start_input     (RcCli        *self);
void _rc_cli_print_help      (RcCli        *self);
void _rc_cli_replay_input    (RcCli        *self);

G_END_DECLS
