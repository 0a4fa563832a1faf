/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RC_DEFAULT_HOST "localhost"
#define RC_DEFAULT_PORT 8888

#define RC_CONFIG_ERROR (rc_config_error_quark ())

typedef enum
{
  RC_CONFIG_ERROR_INVALID_FILE,  /* not a JSON object */
  RC_CONFIG_ERROR_UNKNOWN_KEY,
  RC_CONFIG_ERROR_WRONG_TYPE,
  RC_CONFIG_ERROR_OUT_OF_RANGE,
  RC_CONFIG_ERROR_MISSING_KEY,
} RcConfigError;

/* The server's settings: the keys of the original .env.json plus the new
 * ones of RoomChat. Strings are owned; NULL means "not set". */
typedef struct
{
  char    *path;                    /* the file read, NULL when none */
  char    *host_address;            /* HOST_ADDRESS */
  guint    host_port;               /* HOST_PORT, 0 lets the kernel choose */
  char    *server_password;         /* SERVER_PASSWORD, plain or pbkdf2-sha256$… */
  char    *server_name;             /* SERVER_NAME */
  char    *state_dir;               /* STATE_DIR */
  char    *tls_cert;                /* TLS_CERT */
  char    *tls_key;                 /* TLS_KEY */
  guint    max_connections;         /* MAX_CONNECTIONS */
  guint    max_auth_failures;       /* MAX_AUTH_FAILURES */
  guint    block_seconds;           /* BLOCK_SECONDS */
  guint    max_connections_per_ip;  /* MAX_CONNECTIONS_PER_IP */
  guint    resume_seconds;          /* RESUME_SECONDS: how long a dropped seat waits, 0 for not at all */
} RcServerConfig;

/* The terminal client's settings, the keys the original client read. */
typedef struct
{
  char    *path;                    /* the file read, NULL when none */
  char    *host_address;            /* HOST_ADDRESS */
  guint    host_port;               /* HOST_PORT */
  char    *server_password;         /* SERVER_PASSWORD */
  char    *user_name;               /* USER_NAME, trimmed */
} RcClientConfig;

GQuark          rc_config_error_quark   (void);

RcServerConfig *rc_server_config_new    (void);
gboolean        rc_server_config_load   (RcServerConfig  *config,
                                         const char      *path,
                                         GError         **error);
gboolean        rc_server_config_load_data (RcServerConfig  *config,
                                            const char      *path,
                                            const char      *data,
                                            gsize            length,
                                            GError         **error);
void            rc_server_config_free   (RcServerConfig  *config);

RcClientConfig *rc_client_config_new    (void);
gboolean        rc_client_config_load   (RcClientConfig  *config,
                                         const char      *path,
                                         GError         **error);
gboolean        rc_client_config_load_data (RcClientConfig  *config,
                                            const char      *path,
                                            const char      *data,
                                            gsize            length,
                                            GError         **error);
void            rc_client_config_free   (RcClientConfig  *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcServerConfig, rc_server_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RcClientConfig, rc_client_config_free)

G_END_DECLS
