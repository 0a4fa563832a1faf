/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rc-frame.h"
#include "rc-frame-reader.h"

G_BEGIN_DECLS

/* The password every test server is configured with. */
#define TEST_PASSWORD "test12345"

/* A roomchat-server process with its own temporary configuration and
 * state directory, listening on 127.0.0.1 and a port the kernel chose. */
typedef struct
{
  char        *dir;
  char        *state_dir;
  char        *config_path;
  char        *log_path;
  char        *extra_config;
  GPtrArray   *env;           /* "KEY=VALUE" for the process */
  GSubprocess *process;
  guint        port;
  char        *host;
} TestServer;

TestServer   *test_server_new            (const char   *extra_config);
void          test_server_setenv         (TestServer   *server,
                                          const char   *key,
                                          const char   *value);
void          test_server_start          (TestServer   *server);
void          test_server_stop           (TestServer   *server);
void          test_server_kill           (TestServer   *server);
void          test_server_free           (TestServer   *server);
JsonObject   *test_server_read_json      (TestServer   *server,
                                          const char   *file);
char         *test_server_read_log       (TestServer   *server);
gboolean      test_server_wait_for_stat  (TestServer   *server,
                                          const char   *member,
                                          gint64        value);

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
