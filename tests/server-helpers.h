/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rc-frame.h"
#include "rc-frame-reader.h"

G_BEGIN_DECLS

/* The password every test server is configured with; its spaces go
 * through each client's way of reading a password. */
#define TEST_PASSWORD "correct horse battery"

/* The client tests assert on the blocking limits ("2 attempts left",
 * "Try again in 10 minutes"): extra configuration that spells them out
 * rather than trusting the defaults. */
#define TEST_BLOCK_CONFIG "\"MAX_AUTH_FAILURES\": 3, \"BLOCK_SECONDS\": 600"

/* A roomchat-server process with its own configuration and state
 * directory, listening on 127.0.0.1. It dies with the test process. */
typedef struct
{
  char        *dir;           /* holds the configuration, state and log */
  gboolean     own_dir;       /* made by test_server_new(): removed with it */
  char        *state_dir;
  char        *config_path;
  char        *log_path;      /* the server's standard error */
  char        *extra_config;
  GPtrArray   *env;           /* "KEY=VALUE" for the process */
  GSubprocess *process;
  guint        listen_port;   /* HOST_PORT: 0, the default, for a free one */
  guint        port;          /* where it listens, once started */
  char        *host;
  gboolean     echo_log;      /* copy the log to standard error at the end */
  int          cpu;           /* pin the process to this CPU; -1, the default, for none */
} TestServer;

TestServer   *test_server_new            (const char   *extra_config);
TestServer   *test_server_new_in         (const char   *folder,
                                          const char   *state_name,
                                          const char   *extra_config);
void          test_server_setenv         (TestServer   *server,
                                          const char   *key,
                                          const char   *value);
void          test_server_add_env        (TestServer         *server,
                                          const char * const *env);
void          test_server_start          (TestServer   *server);
void          test_server_stop           (TestServer   *server);
void          test_server_kill           (TestServer   *server);
void          test_server_free           (TestServer   *server);
JsonObject   *test_server_read_json      (TestServer   *server,
                                          const char   *file);
void          test_server_rewrite_config (TestServer   *server,
                                          const char   *extra_config);
char         *test_server_read_log       (TestServer   *server);
char         *test_server_wait_for_log   (TestServer   *server,
                                          const char   *needle,
                                          guint         count);
char         *test_server_get_fingerprint (TestServer  *server);
gboolean      test_server_wait_for_stat  (TestServer   *server,
                                          const char   *member,
                                          gint64        value);

void          test_remove_tree           (const char   *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)

/* A blocking test client: TLS accepting any certificate, frames read with
 * RcFrameReader, every read bounded by a socket timeout. */
typedef struct
{
  GSocketConnection *connection;
  GIOStream         *tls;
  RcFrameReader     *reader;
  GOutputStream     *output;
} TestClient;

GSocketConnection *test_connect_tcp          (const char   *host,
                                              guint         port);
TestClient   *test_client_new                (const char   *host,
                                              guint         port);
TestClient   *test_client_new_for_server     (TestServer   *server);
TestClient   *test_client_hello              (TestServer   *server,
                                              const char   *name);
void          test_client_send_line          (TestClient   *client,
                                              const char   *line);
void          test_client_send               (TestClient   *client,
                                              const RcFrame *frame);
RcFrame      *test_client_read               (TestClient   *client);
RcFrame      *test_client_expect             (TestClient   *client,
                                              RcFrameType   type);
RcFrame      *test_client_expect_error       (TestClient   *client,
                                              RcProtocolError code);
void          test_client_expect_closed      (TestClient   *client);
void          test_client_free               (TestClient   *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestClient, test_client_free)

/* Frames */
RcFrame      *test_frame_hello               (const char   *name,
                                              const char   *password,
                                              gint64        version);
RcFrame      *test_frame_create              (void);
RcFrame      *test_frame_join                (const char   *room);
RcFrame      *test_frame_message             (gint64        seq,
                                              gsize         size);

/* Two clients paired in one room: returns the room id. */
char         *test_pair                      (TestServer   *server,
                                              TestClient  **creator,
                                              TestClient  **joiner);

void          test_raise_fd_limit            (void);

G_END_DECLS
