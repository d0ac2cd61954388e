/* SPDX-License-Identifier: MIT */
/*
 * backend_http.h: HTTP for model backends, on one libcurl multi handle
 * driven by the event loop (curl's multi-socket interface): connection
 * reuse, HTTP/2 multiplexing where offered, TLS verification on unless a
 * request says insecure, timeouts, a capped response size. Retries live
 * here: connection failures, timeouts, 408, 409, 429 and 5xx are retried
 * with exponential backoff and full jitter, honouring Retry-After; 401 and
 * 403, a host that cannot be resolved, a TLS failure or a server that
 * cannot be reached at all stop the run with one clear error. API keys
 * are read from the environment here and only put in request headers.
 * Responses can be answered from, and stored in, the response cache.
 *
 * Lua, for provider plugins (in the `yardstick` module as ys.http):
 *   resp, err = ys.http.request({ url =, body =, headers = {...},
 *     method =, timeout =, connect_timeout =, insecure =,
 *     max_response_bytes =, retries =, retry_base =, retry_cap =,
 *     auth = { env =, header =, prefix = }, cache_as = "provider" }
 *     [, body])
 * waits (yields) and returns { status =, body =, headers = {...},
 * cached =, attempts = } for any HTTP response, or nil and a message when
 * no response came (after retries). Raises on bad arguments.
 *   status, body = ys.http.get(url [, timeout_s]) blocks: for suite load
 * (health checks); returns nil, message when no response came.
 * ys_http_post is a blocking request with the same retries, for C code
 * outside a run. Uses libcurl, sched, cache, buf.
 */
#ifndef YS_BACKEND_HTTP_H
#define YS_BACKEND_HTTP_H

#include <lua.h>

#include "buf.h"
#include "cache.h"
#include "sched.h"

typedef struct ys_http ys_http;

typedef struct ys_http_stats {
  long attempts;         /* requests sent, retries included */
  long retries;
  long transport_errors; /* attempts that got no HTTP response */
  long by_class[6];      /* responses by status class: [2] is 2xx ... */
  long cache_hits, cache_misses;
} ys_http_stats;

/* Creates the transport on loop s. The response cache at cache_path
 * (NULL: the default path) is opened on the first request that can use
 * it; when it cannot be opened, a warning goes to log and requests go to
 * the network (with YS_CACHE_ONLY they fail). NULL when libcurl cannot
 * start. */
ys_http *ys_http_new(ys_sched *s, const char *cache_path,
                     ys_cache_mode mode, void (*log)(void *, const char *),
                     void *log_ud);
/* Detaches every request still in flight and frees the transport. */
void ys_http_free(ys_http *h);

/* Makes ys.http.request in state L use h (NULL: none, outside a run). */
void ys_http_attach(lua_State *L, ys_http *h);

void ys_http_get_stats(const ys_http *h, ys_http_stats *out);

/* Commits the cache's batched writes. */
ys_err ys_http_flush_cache(ys_http *h, ys_diag *diag) YS_WARN_UNUSED;

/* [-0, +1, m] Pushes the ys.http table. */
int luaopen_ys_http(lua_State *L);

/* Initialises libcurl once per process (not thread-safe: call early). */
void ys_http_global_init(void);

/* A blocking POST for C code outside a run (`yardstick data
 * --embed-url`), with the retry policy above: connection failures,
 * timeouts, 408, 409, 429 and 5xx are tried again up to retries times
 * with exponential backoff and full jitter, honouring Retry-After. */
typedef struct ys_http_post_opts {
  const char *url;
  const char *body;     /* sent as application/json */
  size_t len;
  const char *auth_env; /* environment variable holding an API key, sent
                         * only as "Authorization: Bearer KEY"; NULL */
  long timeout_ms;      /* per attempt; 0: 120 s */
  int retries;          /* attempts after the first */
} ys_http_post_opts;

/* On YS_OK, *status is the final HTTP status (any: the caller judges it)
 * and resp (reset first; its cap bounds the body) holds the body. Errors:
 * YS_ERR_MODEL (no response after the retries, a host that cannot be
 * resolved, a TLS failure, 401 or 403: diag says which and never holds
 * the key), YS_ERR_TOOBIG (the body is over resp's cap). */
ys_err ys_http_post(const ys_http_post_opts *o, long *status, ys_buf *resp,
                    ys_diag *diag) YS_WARN_UNUSED;

#endif
