/* SPDX-License-Identifier: MIT */
/*
 * backend_http.c: requests on curl's multi-socket interface. curl tells us
 * which sockets to watch and when to call it back (sock_cb, timer_cb); the
 * event loop does the waiting. A request lives in a Lua userdata box on
 * the waiting coroutine's stack, so it is freed by the garbage collector
 * whatever happens to the task; the C side only ever detaches it.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <lauxlib.h>

#include "backend_http.h"
#include "buf.h"
#include "lua_host.h"
#include "stats.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT_MS 120000L
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_MAX_BYTES ((size_t)32 << 20)
#define DEFAULT_RETRIES 5
#define DEFAULT_RETRY_BASE_MS 500.0
#define DEFAULT_RETRY_CAP_MS 20000.0
#define MAX_RETRY_AFTER_MS (600.0 * 1000)

static const char HTTP_KEY[] = "ys.http";
static const char REQ_MT[] = "ys.HttpRequest";

typedef struct hreq hreq;

struct ys_http {
  ys_sched *sched;
  ys_cache *cache;    /* opened on first use */
  char *cache_path;
  ys_cache_mode cache_mode;
  int cache_tried;
  void (*log)(void *, const char *);
  void *log_ud;
  CURLM *multi;
  ys_timer timer;     /* curl's timeout */
  hreq *inflight;     /* requests attached to the multi handle or waiting */
  ys_http_stats stats;
  ys_rng rng;         /* backoff jitter */
};

struct hreq {
  ys_http *h;         /* NULL once detached */
  ys_task *task;      /* NULL once the task is gone */
  hreq *prev, *next;  /* in h->inflight */
  CURL *easy;
  int in_multi;
  char *url;
  char *body;
  size_t body_len;
  struct curl_slist *headers;
  char *auth_env;
  char *cache_as;
  char key[65];
  long timeout_ms, connect_timeout_ms;
  size_t max_bytes;
  int insecure;
  int attempts, max_retries;
  double retry_base_ms, retry_cap_ms;
  ys_timer retry;
  ys_buf resp;
  int too_big;
  long status;
  char retry_after[128];
  char content_type[128];
  char errbuf[CURL_ERROR_SIZE];
  char *error;        /* final: no response, and why */
  int done;
  int cached;
};

void ys_http_global_init(void)
{
  static int done;
  if(!done) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    done = 1;
  }
}

/* {====== request life ====== */

static void unlink_req(hreq *r)
{
  if(!r->h)
    return;
  if(r->prev)
    r->prev->next = r->next;
  else if(r->h->inflight == r)
    r->h->inflight = r->next;
  if(r->next)
    r->next->prev = r->prev;
  r->prev = r->next = NULL;
}

/* Takes r off curl and the loop; it then waits only to be freed. */
static void detach(hreq *r)
{
  if(!r->h)
    return;
  if(r->in_multi) {
    curl_multi_remove_handle(r->h->multi, r->easy);
    r->in_multi = 0;
  }
  ys_sched_timer_stop(r->h->sched, &r->retry);
  unlink_req(r);
  r->h = NULL;
}

static void req_free(hreq *r)
{
  detach(r);
  if(r->easy)
    curl_easy_cleanup(r->easy);
  curl_slist_free_all(r->headers);
  ys_buf_free(&r->resp);
  free(r->url);
  free(r->body);
  free(r->auth_env);
  free(r->cache_as);
  free(r->error);
  r->easy = NULL;
  r->headers = NULL;
  r->url = r->body = r->auth_env = r->cache_as = r->error = NULL;
}

static int req_gc(lua_State *L)
{
  hreq **box = luaL_checkudata(L, 1, REQ_MT);
  if(*box) {
    req_free(*box);
    free(*box);
    *box = NULL;
  }
  return 0;
}

/* The task was abandoned while its request was in flight. */
static void on_cancel(ys_task *t)
{
  hreq *r = t->cancel_ud;
  r->task = NULL;
  detach(r);
}

/* The request has its final outcome: hand it to the task. */
static void finish(hreq *r)
{
  r->done = 1;
  ys_task *t = r->task;
  detach(r);
  if(t)
    ys_sched_wake(t, 0);
}

static void finish_error(hreq *r, const char *fmt, ...) YS_PRINTF(2, 3);

static void finish_error(hreq *r, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  free(r->error);
  r->error = ys_xstrdup(msg);
  finish(r);
}

/* }====== */

/* {====== curl callbacks ====== */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
  hreq *r = ud;
  size_t len = size * n;
  if(ys_buf_add(&r->resp, data, len) != YS_OK) {
    r->too_big = 1;
    return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
  }
  return len;
}

/* Keeps the value of header name (case-insensitive) in out. */
static void grab(const char *line, size_t len, const char *name, char *out,
                 size_t outlen)
{
  size_t n = strlen(name);
  if(len <= n || strncasecmp(line, name, n) || line[n] != ':')
    return;
  const char *v = line + n + 1;
  const char *end = line + len;
  while(v < end && (*v == ' ' || *v == '\t'))
    v++;
  while(end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
    end--;
  size_t k = (size_t)(end - v) < outlen - 1 ? (size_t)(end - v)
                                            : outlen - 1;
  memcpy(out, v, k);
  out[k] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
  hreq *r = ud;
  size_t len = size * n;
  grab(data, len, "retry-after", r->retry_after, sizeof(r->retry_after));
  grab(data, len, "content-type", r->content_type, sizeof(r->content_type));
  return len;
}

static void check_done(ys_http *h);

static void on_io(void *ud, int fd, int events)
{
  ys_http *h = ud;
  int flags = 0;
  if(events & YS_IO_READ)
    flags |= CURL_CSELECT_IN;
  if(events & YS_IO_WRITE)
    flags |= CURL_CSELECT_OUT;
  if(events & YS_IO_ERROR)
    flags |= CURL_CSELECT_ERR;
  int running;
  curl_multi_socket_action(h->multi, fd, flags, &running);
  check_done(h);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp,
                   void *socketp)
{
  (void)e;
  (void)socketp;
  ys_http *h = userp;
  if(what == CURL_POLL_REMOVE) {
    ys_sched_unwatch(h->sched, (int)s);
    return 0;
  }
  int events = (what & CURL_POLL_IN ? YS_IO_READ : 0) |
               (what & CURL_POLL_OUT ? YS_IO_WRITE : 0);
  return ys_sched_watch(h->sched, (int)s, events, on_io, h) ? -1 : 0;
}

static void on_curl_timer(ys_timer *t)
{
  ys_http *h = (ys_http *)((char *)t - offsetof(ys_http, timer));
  int running;
  curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_done(h);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  (void)multi;
  ys_http *h = userp;
  /* Never call back into curl from here: a 0 ms timer runs from the
   * loop instead. */
  if(timeout_ms < 0)
    ys_sched_timer_stop(h->sched, &h->timer);
  else
    ys_sched_timer_start(h->sched, &h->timer, (double)timeout_ms);
  return 0;
}

/* }====== */

/* {====== attempts and retries ====== */

static int start_attempt(hreq *r)
{
  ys_buf_reset(&r->resp);
  r->too_big = 0;
  r->status = 0;
  r->retry_after[0] = '\0';
  r->content_type[0] = '\0';
  r->errbuf[0] = '\0';
  if(curl_multi_add_handle(r->h->multi, r->easy) != CURLM_OK)
    return -1;
  r->in_multi = 1;
  return 0;
}

static void on_retry_timer(ys_timer *t)
{
  hreq *r = (hreq *)((char *)t - offsetof(hreq, retry));
  if(start_attempt(r))
    finish_error(r, "cannot start the request to %s", r->url);
}

/* Milliseconds the server asked us to wait, or -1. */
static double retry_after_ms(const char *v)
{
  if(!v[0])
    return -1;
  char *end;
  double secs = strtod(v, &end);
  if(end != v && !*end && secs >= 0)
    return secs * 1000;
  time_t when = curl_getdate(v, NULL);
  if(when == -1)
    return -1;
  double d = difftime(when, time(NULL)) * 1000;
  return d > 0 ? d : 0;
}

/* Schedules another attempt; returns 0 when none is left. */
static int retry(hreq *r)
{
  if(r->attempts > r->max_retries)
    return 0;
  double ms = retry_after_ms(r->retry_after);
  if(ms < 0) {
    /* Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
    double ceil_ms = r->retry_base_ms * pow(2, r->attempts - 1);
    if(ceil_ms > r->retry_cap_ms)
      ceil_ms = r->retry_cap_ms;
    ms = ceil_ms * ((double)(ys_rng_next(&r->h->rng) >> 11) / 9007199254740992.0);
  }
  else if(ms > MAX_RETRY_AFTER_MS)
    ms = MAX_RETRY_AFTER_MS;
  r->h->stats.retries++;
  ys_sched_timer_start(r->h->sched, &r->retry, ms);
  return 1;
}

static int retryable_status(long s)
{
  return s == 408 || s == 409 || s == 429 || (s >= 500 && s <= 599);
}

static int retryable_transport(CURLcode c)
{
  switch(c) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_WEIRD_SERVER_REPLY:
    return 1;
  default:
    return 0;
  }
}

static int tls_failure(CURLcode c)
{
  switch(c) {
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_USE_SSL_FAILED:
    return 1;
  default:
    return 0;
  }
}

static void attempt_done(hreq *r, CURLcode res)
{
  ys_http *h = r->h;
  r->in_multi = 0;
  r->attempts++;
  h->stats.attempts++;
  const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(res);
  if(res != CURLE_OK) {
    h->stats.transport_errors++;
    if(r->too_big) {
      finish_error(r, "the response from %s is larger than %zu bytes",
                   r->url, r->max_bytes);
      return;
    }
    if(res == CURLE_COULDNT_RESOLVE_HOST || res == CURLE_COULDNT_RESOLVE_PROXY
       || tls_failure(res)) {
      /* Every request to this server would fail the same way: stop the
       * run with one clear error instead of thousands. */
      ys_sched_fail(h->sched, YS_ERR_MODEL, "%s: %s", r->url, why);
      finish_error(r, "%s: %s", r->url, why);
      return;
    }
    if(retryable_transport(res) && retry(r))
      return;
    if(res == CURLE_COULDNT_CONNECT)
      ys_sched_fail(h->sched, YS_ERR_MODEL, "cannot connect to %s: %s "
                    "(after %d attempts)", r->url, why, r->attempts);
    finish_error(r, "no response from %s after %d attempt%s: %s", r->url,
                 r->attempts, r->attempts == 1 ? "" : "s", why);
    return;
  }
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
  if(r->status >= 100 && r->status < 600)
    h->stats.by_class[r->status / 100]++;
  if(retryable_status(r->status) && retry(r))
    return;
  if(r->status == 401 || r->status == 403) {
    if(r->auth_env)
      ys_sched_fail(h->sched, YS_ERR_MODEL, "%ld from %s: check %s%s",
                    r->status, r->url, r->auth_env,
                    getenv(r->auth_env) ? "" : " (it is not set)");
    else
      ys_sched_fail(h->sched, YS_ERR_MODEL, "%ld from %s: the server "
                    "refused the request's credentials", r->status, r->url);
  }
  finish(r);
}

static void check_done(ys_http *h)
{
  CURLMsg *m;
  int left;
  while((m = curl_multi_info_read(h->multi, &left))) {
    if(m->msg != CURLMSG_DONE)
      continue;
    hreq *r = NULL;
    CURLcode res = m->data.result;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
    curl_multi_remove_handle(h->multi, m->easy_handle);
    if(r && r->h)
      attempt_done(r, res);
  }
}

/* }====== */

/* {====== the transport ====== */

ys_http *ys_http_new(ys_sched *s, const char *cache_path,
                     ys_cache_mode mode, void (*log)(void *, const char *),
                     void *log_ud)
{
  ys_http_global_init();
  ys_http *h = ys_xcalloc(1, sizeof(*h));
  h->sched = s;
  h->cache_mode = mode;
  h->cache_path = cache_path ? ys_xstrdup(cache_path)
                             : ys_cache_default_path();
  h->log = log;
  h->log_ud = log_ud;
  h->timer.cb = on_curl_timer;
  h->multi = curl_multi_init();
  if(!h->multi) {
    free(h);
    return NULL;
  }
  ys_rng_seed(&h->rng, (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)h);
  curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
  curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
  curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  /* Keep enough idle connections for the concurrency in use. */
  curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 1024L);
  return h;
}

void ys_http_free(ys_http *h)
{
  if(!h)
    return;
  while(h->inflight) {
    hreq *r = h->inflight;
    if(r->task) {
      r->task->cancel = NULL;
      r->task = NULL;
    }
    detach(r);
  }
  ys_sched_timer_stop(h->sched, &h->timer);
  curl_multi_cleanup(h->multi);
  ys_cache_close(h->cache);
  free(h->cache_path);
  free(h);
}

/* The cache, opened on first use; NULL when off or unavailable. */
static ys_cache *cache_of(ys_http *h)
{
  if(h->cache_mode == YS_CACHE_OFF)
    return NULL;
  if(!h->cache_tried) {
    h->cache_tried = 1;
    ys_diag d;
    if(!h->cache_path)
      ys_fail(&d, YS_ERR_IO, NULL, 0, "no cache path: set XDG_CACHE_HOME "
              "or HOME, or give --cache PATH");
    if(!h->cache_path ||
       ys_cache_open(h->cache_path, h->cache_mode, &h->cache, &d)) {
      char msg[1200];
      snprintf(msg, sizeof(msg), "warning: running without the response "
               "cache: %s", d.msg);
      if(h->log)
        h->log(h->log_ud, msg);
    }
  }
  return h->cache;
}

ys_err ys_http_flush_cache(ys_http *h, ys_diag *diag)
{
  return h->cache ? ys_cache_flush(h->cache, diag) : YS_OK;
}

void ys_http_attach(lua_State *L, ys_http *h)
{
  lua_pushlightuserdata(L, h);
  lua_setfield(L, LUA_REGISTRYINDEX, HTTP_KEY);
}

void ys_http_get_stats(const ys_http *h, ys_http_stats *out)
{
  *out = h->stats;
}

/* }====== */

/* {====== blocking requests from C ====== */

typedef struct post_state {
  ys_buf *resp;
  int too_big;
  char retry_after[128];
} post_state;

static size_t post_body(char *data, size_t size, size_t n, void *ud)
{
  post_state *p = ud;
  size_t len = size * n;
  if(ys_buf_add(p->resp, data, len) != YS_OK) {
    p->too_big = 1;
    return 0;
  }
  return len;
}

static size_t post_header(char *data, size_t size, size_t n, void *ud)
{
  post_state *p = ud;
  size_t len = size * n;
  grab(data, len, "retry-after", p->retry_after, sizeof(p->retry_after));
  return len;
}

static void sleep_ms(double ms)
{
  struct timespec ts;
  ts.tv_sec = (time_t)(ms / 1000);
  ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
  while(nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* How long to wait before attempt number attempts + 1. */
static double backoff_ms(const char *retry_after, int attempts, ys_rng *rng)
{
  double ms = retry_after_ms(retry_after);
  if(ms > MAX_RETRY_AFTER_MS)
    return MAX_RETRY_AFTER_MS;
  if(ms >= 0)
    return ms;
  double ceil_ms = DEFAULT_RETRY_BASE_MS * pow(2, attempts - 1);
  if(ceil_ms > DEFAULT_RETRY_CAP_MS)
    ceil_ms = DEFAULT_RETRY_CAP_MS;
  return ceil_ms * ((double)(ys_rng_next(rng) >> 11) / 9007199254740992.0);
}

ys_err ys_http_post(const ys_http_post_opts *o, long *status, ys_buf *resp,
                    ys_diag *diag)
{
  *status = 0;
  ys_http_global_init();
  CURL *e = curl_easy_init();
  if(!e)
    return ys_fail(diag, YS_ERR_MODEL, NULL, 0, "libcurl cannot create a "
                   "request");
  struct curl_slist *headers = NULL;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  const char *key = o->auth_env ? getenv(o->auth_env) : NULL;
  if(key && key[0]) {
    /* The key goes from the environment into this one header only. */
    char *line = ys_xasprintf("Authorization: Bearer %s", key);
    headers = curl_slist_append(headers, line);
    memset(line, 0, strlen(line));
    free(line);
  }
  post_state st;
  memset(&st, 0, sizeof(st));
  st.resp = resp;
  char errbuf[CURL_ERROR_SIZE];
  curl_easy_setopt(e, CURLOPT_URL, o->url);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, post_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, post_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms
                                          : DEFAULT_TIMEOUT_MS);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, o->body);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->len);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "yardstick/" YS_VERSION);
  ys_rng rng;
  ys_rng_seed(&rng, (uint64_t)time(NULL));
  ys_err err = YS_OK;
  for(int attempts = 1;; attempts++) {
    ys_buf_reset(resp);
    st.too_big = 0;
    st.retry_after[0] = '\0';
    errbuf[0] = '\0';
    CURLcode res = curl_easy_perform(e);
    int more = attempts <= o->retries;
    if(res != CURLE_OK) {
      const char *why = errbuf[0] ? errbuf : curl_easy_strerror(res);
      if(st.too_big) {
        err = ys_fail(diag, YS_ERR_TOOBIG, NULL, 0, "the response from %s "
                      "is larger than %zu bytes", o->url, resp->max);
        break;
      }
      if(res == CURLE_COULDNT_RESOLVE_HOST ||
         res == CURLE_COULDNT_RESOLVE_PROXY || tls_failure(res)) {
        err = ys_fail(diag, YS_ERR_MODEL, NULL, 0, "%s: %s", o->url, why);
        break;
      }
      if(retryable_transport(res) && more) {
        sleep_ms(backoff_ms("", attempts, &rng));
        continue;
      }
      err = ys_fail(diag, YS_ERR_MODEL, NULL, 0, "no response from %s "
                    "after %d attempt%s: %s", o->url, attempts,
                    attempts == 1 ? "" : "s", why);
      break;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    if(retryable_status(*status) && more) {
      sleep_ms(backoff_ms(st.retry_after, attempts, &rng));
      continue;
    }
    if(*status == 401 || *status == 403) {
      if(o->auth_env)
        err = ys_fail(diag, YS_ERR_MODEL, NULL, 0, "%ld from %s: check %s%s",
                      *status, o->url, o->auth_env,
                      key && key[0] ? "" : " (it is not set)");
      else
        err = ys_fail(diag, YS_ERR_MODEL, NULL, 0, "%ld from %s: the "
                      "server refused the request (no API key was sent)",
                      *status, o->url);
    }
    break;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(e);
  return err;
}

/* }====== */

/* {====== Lua ====== */

/* Raises a bad request option. A transport's (bare) is checked while the
 * suite loads: its message is the option's alone, with no position in
 * the plugin's file. */
static int opt_error(lua_State *L, int bare, const char *fmt, ...)
  YS_PRINTF(3, 4);

static int opt_error(lua_State *L, int bare, const char *fmt, ...)
{
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if(bare)
    lua_pushstring(L, msg);
  else {
    luaL_where(L, 1);
    lua_pushfstring(L, "ys.http.request: %s", msg);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

/* [-0, +0, e] Optional number field k (seconds) as milliseconds. */
static long opt_ms(lua_State *L, int idx, const char *k, long def, int bare)
{
  long v = def;
  int t = lua_getfield(L, idx, k);
  if(t == LUA_TNUMBER) {
    double s = lua_tonumber(L, -1);
    if(!(s > 0) || s > 86400)
      opt_error(L, bare, "'%s' must be seconds, from 0 to 86400", k);
    v = (long)(s * 1000 + 0.5);
  }
  else if(t != LUA_TNIL)
    opt_error(L, bare, "'%s' must be a number of seconds", k);
  lua_pop(L, 1);
  return v;
}

static const char *opt_str(lua_State *L, int idx, const char *k, int bare)
{
  int t = lua_getfield(L, idx, k);
  const char *s = NULL;
  if(t == LUA_TSTRING)
    s = lua_tostring(L, -1);
  else if(t != LUA_TNIL)
    opt_error(L, bare, "'%s' must be a string, got %s", k,
              luaL_typename(L, -1));
  lua_pop(L, 1); /* the string stays anchored by the request table */
  return s;
}

static int http_k(lua_State *L, int status, lua_KContext ctx);

/* Builds r's curl handle. Returns 0, or -1 when curl refuses. */
static int setup_easy(hreq *r, const char *method)
{
  CURL *e = r->easy = curl_easy_init();
  if(!e)
    return -1;
  curl_easy_setopt(e, CURLOPT_URL, r->url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)r);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  /* Waiting to multiplex on one connection pays only where HTTP/2 can be
   * negotiated (TLS); over plain http it holds every request but the
   * first until that one's answer comes back. */
  if(!strncmp(r->url, "https://", 8))
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "yardstick/" YS_VERSION);
  if(r->insecure) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if(r->body) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)r->body_len);
  }
  if(method)
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  /* No "Expect: 100-continue" round trip before each larger body. */
  r->headers = curl_slist_append(r->headers, "Expect:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
  return 0;
}

/* ys.http.request({ ... } [, body]) -> resp | nil, message (yields). A
 * body given as the second argument wins over opts.body, so a plugin can
 * reuse one options table for every call. */
/* A request's options, read and checked: the strings point into Lua,
 * anchored by the options table or, for a transport, by the transport. */
typedef struct http_opts {
  const char *url, *method, *cache_as;
  const char *body;     /* the table's body field; NULL: none */
  size_t body_len;
  long timeout, connect;
  int insecure;
  lua_Integer max_bytes, retries;
  double base, cap;
  const char *auth_env, *auth_header, *auth_prefix;
} http_opts;

/* [-0, +1, e] Reads and checks the options table at idx into o; pushes
 * its headers table (checked: name = "value" strings), or nil. Errors as
 * opt_error. */
static void read_opts(lua_State *L, int idx, http_opts *o, int bare)
{
  memset(o, 0, sizeof(*o));
  o->url = opt_str(L, idx, "url", bare);
  if(!o->url || (strncmp(o->url, "http://", 7) &&
                 strncmp(o->url, "https://", 8)))
    opt_error(L, bare, "'url' must be \"http(s)://...\"");
  int bt = lua_getfield(L, idx, "body");
  if(bt == LUA_TSTRING)
    o->body = lua_tolstring(L, -1, &o->body_len);
  else if(bt != LUA_TNIL)
    opt_error(L, bare, "'body' must be a string");
  lua_pop(L, 1); /* anchored by the options table */
  o->method = opt_str(L, idx, "method", bare);
  o->cache_as = opt_str(L, idx, "cache_as", bare);
  o->timeout = opt_ms(L, idx, "timeout", DEFAULT_TIMEOUT_MS, bare);
  o->connect = opt_ms(L, idx, "connect_timeout", DEFAULT_CONNECT_TIMEOUT_MS,
                      bare);
  lua_getfield(L, idx, "insecure");
  o->insecure = lua_toboolean(L, -1);
  lua_pop(L, 1);
  o->max_bytes = (lua_Integer)DEFAULT_MAX_BYTES;
  if(lua_getfield(L, idx, "max_response_bytes") != LUA_TNIL) {
    o->max_bytes = lua_tointeger(L, -1);
    if(o->max_bytes < 1 || o->max_bytes > ((lua_Integer)1 << 34))
      opt_error(L, bare, "'max_response_bytes' must be a "
                 "positive whole number");
  }
  lua_pop(L, 1);
  o->retries = DEFAULT_RETRIES;
  if(lua_getfield(L, idx, "retries") != LUA_TNIL) {
    o->retries = lua_tointeger(L, -1);
    if(!lua_isinteger(L, -1) || o->retries < 0 || o->retries > 100)
      opt_error(L, bare, "'retries' must be a whole number "
                 "from 0 to 100");
  }
  lua_pop(L, 1);
  o->base = (double)opt_ms(L, idx, "retry_base",
                           (long)DEFAULT_RETRY_BASE_MS, bare);
  o->cap = (double)opt_ms(L, idx, "retry_cap", (long)DEFAULT_RETRY_CAP_MS,
                          bare);
  o->auth_prefix = "";
  int at = lua_getfield(L, idx, "auth");
  if(at == LUA_TTABLE) {
    int a = lua_gettop(L);
    o->auth_env = opt_str(L, a, "env", bare);
    o->auth_header = opt_str(L, a, "header", bare);
    const char *p = opt_str(L, a, "prefix", bare);
    if(p)
      o->auth_prefix = p;
    if(!o->auth_env || !o->auth_header)
      opt_error(L, bare, "auth needs env and header");
  }
  else if(at != LUA_TNIL)
    opt_error(L, bare, "'auth' must be { env = ..., header = "
               "..., prefix = ... }");
  /* The auth strings stay anchored by the auth table, which the options
   * table anchors. */
  lua_pop(L, 1);
  int ht = lua_getfield(L, idx, "headers");
  if(ht == LUA_TTABLE) {
    lua_pushnil(L);
    while(lua_next(L, -2)) {
      if(lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
        opt_error(L, bare, "headers must be name = \"value\" "
                   "strings");
      const char *v = lua_tostring(L, -1);
      if(strpbrk(v, "\r\n") || strpbrk(lua_tostring(L, -2), "\r\n:"))
        opt_error(L, bare, "a header holds a line break or its "
                   "name a colon");
      lua_pop(L, 1);
    }
  }
  else if(ht != LUA_TNIL)
    opt_error(L, bare, "'headers' must be a table");
}

/* {====== transports ======
 * ys.http.transport(options) reads and checks a request's options once
 * (a model's URL, headers, auth, timeouts, retries) and returns a value
 * that ys.http.request takes in their place: a plugin that makes one at
 * construction finds a bad option when the suite loads, and no request
 * reads its options again. The transport keeps its own copy of every
 * string, in a table only it can reach (its user value). */

static const char TRANSPORT_MT[] = "ys.HttpTransport";

typedef struct transport {
  http_opts o;
  size_t nlines;
  const char *lines[]; /* "Name: value" header lines */
} transport;

/* [-0, +1, e] Pushes the string s, stored under key in the table at
 * keep, and returns the stored copy (NULL for NULL). */
static const char *keep_str(lua_State *L, int keep, const char *key,
                            const char *s, size_t len)
{
  if(!s)
    return NULL;
  lua_pushlstring(L, s, len);
  const char *copy = lua_tostring(L, -1);
  lua_setfield(L, keep, key);
  return copy;
}

static int http_transport(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  http_opts o;
  read_opts(L, 1, &o, 1);            /* 2: headers or nil */
  size_t n = 0;
  if(lua_istable(L, 2)) {
    lua_pushnil(L);
    while(lua_next(L, 2)) {
      lua_pop(L, 1);
      n++;
    }
  }
  transport *tp = lua_newuserdatauv(L, sizeof(transport) +
                                    n * sizeof(char *), 1); /* 3 */
  memset(tp, 0, sizeof(transport));
  luaL_setmetatable(L, TRANSPORT_MT);
  lua_createtable(L, (int)n, 8);     /* 4: the strings it keeps */
  tp->o = o;
  tp->o.url = keep_str(L, 4, "url", o.url, strlen(o.url));
  tp->o.method = keep_str(L, 4, "method", o.method,
                          o.method ? strlen(o.method) : 0);
  tp->o.cache_as = keep_str(L, 4, "cache_as", o.cache_as,
                            o.cache_as ? strlen(o.cache_as) : 0);
  tp->o.body = keep_str(L, 4, "body", o.body, o.body_len);
  tp->o.auth_env = keep_str(L, 4, "auth_env", o.auth_env,
                            o.auth_env ? strlen(o.auth_env) : 0);
  tp->o.auth_header = keep_str(L, 4, "auth_header", o.auth_header,
                               o.auth_header ? strlen(o.auth_header) : 0);
  tp->o.auth_prefix = keep_str(L, 4, "auth_prefix", o.auth_prefix,
                               strlen(o.auth_prefix));
  if(n) {
    lua_pushnil(L);
    while(lua_next(L, 2)) {
      lua_pushfstring(L, "%s: %s", lua_tostring(L, -2),
                      lua_tostring(L, -1));
      tp->lines[tp->nlines] = lua_tostring(L, -1);
      lua_rawseti(L, 4, (lua_Integer)++tp->nlines);
      lua_pop(L, 1);
    }
  }
  lua_setiuservalue(L, 3, 1);
  return 1;
}

/* }====== */

static int http_request(lua_State *L)
{
  if(!lua_isnoneornil(L, 2))
    luaL_checktype(L, 2, LUA_TSTRING);
  lua_settop(L, 2);
  http_opts o;
  const transport *tp = NULL;
  if(lua_type(L, 1) == LUA_TUSERDATA) {
    tp = luaL_checkudata(L, 1, TRANSPORT_MT); /* anchored as argument 1 */
    o = tp->o;
    lua_pushnil(L);                  /* 3: no headers table */
  }
  else {
    luaL_checktype(L, 1, LUA_TTABLE);
    read_opts(L, 1, &o, 0);          /* 3: headers or nil */
  }
  int headers = lua_gettop(L);
  int ht = lua_type(L, headers);
  lua_getfield(L, LUA_REGISTRYINDEX, HTTP_KEY);
  ys_http *h = lua_touserdata(L, -1);
  lua_pop(L, 1);
  ys_task *t = ys_sched_current(L);
  if(!h || !t || !lua_isyieldable(L))
    return luaL_error(L, "ys.http.request can only be used while a sample "
                      "is being evaluated (use ys.http.get at load time)");
  const char *url = o.url, *method = o.method, *cache_as = o.cache_as;
  size_t body_len = o.body_len;
  const char *body = o.body;
  if(lua_type(L, 2) == LUA_TSTRING)
    body = lua_tolstring(L, 2, &body_len); /* anchored as argument 2 */
  long timeout = o.timeout, connect = o.connect;
  int insecure = o.insecure;
  lua_Integer max_bytes = o.max_bytes, retries = o.retries;
  double base = o.base, cap = o.cap;
  const char *auth_env = o.auth_env, *auth_header = o.auth_header;
  const char *auth_prefix = o.auth_prefix;
  /* The request's box comes before the request, so it is never leaked. */
  hreq **box = lua_newuserdatauv(L, sizeof(hreq *), 0);
  *box = NULL;
  luaL_setmetatable(L, REQ_MT);
  if(!lua_checkstack(L, 8))
    return luaL_error(L, "ys.http.request: stack overflow");
  /* From here on nothing raises until the yield. */
  hreq *r = *box = ys_xcalloc(1, sizeof(hreq));
  r->h = h;
  r->task = t;
  r->url = ys_xstrdup(url);
  if(body) {
    r->body = ys_xmalloc(body_len + 1);
    memcpy(r->body, body, body_len);
    r->body[body_len] = '\0';
    r->body_len = body_len;
  }
  r->auth_env = auth_env ? ys_xstrdup(auth_env) : NULL;
  r->cache_as = cache_as ? ys_xstrdup(cache_as) : NULL;
  r->timeout_ms = timeout;
  r->connect_timeout_ms = connect;
  r->max_bytes = (size_t)max_bytes;
  r->insecure = insecure;
  r->max_retries = (int)retries;
  r->retry_base_ms = base;
  r->retry_cap_ms = cap;
  r->retry.cb = on_retry_timer;
  ys_buf_init(&r->resp, r->max_bytes);
  ys_cache *cache = r->cache_as ? cache_of(h) : NULL;
  if(r->cache_as && h->cache_mode == YS_CACHE_ONLY && !cache) {
    r->error = ys_xstrdup("the response cache is not available "
                          "(--cache-only)");
    r->done = 1;
    r->h = NULL;
    return http_k(L, LUA_OK, (lua_KContext)0);
  }
  if(cache) {
    ys_cache_key(r->cache_as, r->url, r->body ? r->body : "", r->body_len,
                 t->repeat, r->key);
    char *hit = NULL;
    size_t hit_len = 0;
    ys_diag d;
    if(ys_cache_get(cache, r->key, &hit, &hit_len, &d) == YS_OK && hit) {
      h->stats.cache_hits++;
      ys_buf_reset(&r->resp);
      if(ys_buf_add(&r->resp, hit, hit_len) == YS_OK) {
        r->status = 200;
        r->cached = 1;
        r->done = 1;
        r->h = NULL;
        free(hit);
        return http_k(L, LUA_OK, (lua_KContext)0);
      }
    }
    free(hit);
    h->stats.cache_misses++;
    if(ys_cache_mode_of(cache) == YS_CACHE_ONLY) {
      r->error = ys_xstrdup("not in the response cache (--cache-only)");
      r->done = 1;
      r->h = NULL;
      return http_k(L, LUA_OK, (lua_KContext)0);
    }
  }
  /* Headers only for a request that goes out (not for a cache hit). */
  for(size_t i = 0; tp && i < tp->nlines; i++)
    r->headers = curl_slist_append(r->headers, tp->lines[i]);
  if(ht == LUA_TTABLE) {
    lua_pushnil(L);
    while(lua_next(L, headers)) {
      char *line = ys_xasprintf("%s: %s", lua_tostring(L, -2),
                                lua_tostring(L, -1));
      r->headers = curl_slist_append(r->headers, line);
      free(line);
      lua_pop(L, 1);
    }
  }
  if(auth_env) {
    /* The key goes from the environment straight into one header: never
     * into Lua, results, the cache key or a message. */
    const char *key = getenv(auth_env);
    if(key && key[0]) {
      char *line = ys_xasprintf("%s: %s%s", auth_header, auth_prefix, key);
      r->headers = curl_slist_append(r->headers, line);
      memset(line, 0, strlen(line));
      free(line);
    }
  }
  if(setup_easy(r, method)) {
    r->error = ys_xstrdup("libcurl cannot create a request");
    r->done = 1;
    r->h = NULL;
    return http_k(L, LUA_OK, (lua_KContext)0);
  }
  r->next = h->inflight;
  if(h->inflight)
    h->inflight->prev = r;
  h->inflight = r;
  if(start_attempt(r)) {
    detach(r);
    r->error = ys_xstrdup("libcurl cannot start the request");
    r->done = 1;
    return http_k(L, LUA_OK, (lua_KContext)0);
  }
  ys_sched_block(t);
  t->cancel = on_cancel;
  t->cancel_ud = r;
  return lua_yieldk(L, 0, (lua_KContext)0, http_k);
}

/* What the response cache keeps until the model call is known to have
 * worked (model.c settles it): errors are never cached. */
typedef struct staged {
  ys_cache *cache;
  char key[65];
  char *body;
  size_t len;
  struct staged *next;
} staged;

static void settle(ys_task *t, int ok)
{
  staged *s = t->settle_ud;
  t->settle_ud = NULL;
  t->settle = NULL;
  while(s) {
    staged *next = s->next;
    if(ok) {
      ys_diag d;
      if(ys_cache_put(s->cache, s->key, s->body, s->len, &d))
        d.msg[0] = '\0'; /* a cache that cannot write is not fatal */
    }
    free(s->body);
    free(s);
    s = next;
  }
}

/* Continuation: the request's box is the last value on the stack. */
static int http_k(lua_State *L, int status, lua_KContext ctx)
{
  (void)status;
  (void)ctx;
  hreq **box = luaL_checkudata(L, -1, REQ_MT);
  hreq *r = *box;
  ys_task *t = ys_sched_current(L);
  if(r->error) {
    lua_pushnil(L);
    lua_pushstring(L, r->error);
    return 2;
  }
  if(t && r->cached)
    t->call_cached = 1;
  if(t && !r->cached && r->cache_as && r->status >= 200 && r->status < 300
     && r->key[0]) {
    /* Stage the body for the cache; committed if the call succeeds. */
    lua_getfield(L, LUA_REGISTRYINDEX, HTTP_KEY);
    ys_http *h = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if(h && h->cache && ys_cache_mode_of(h->cache) == YS_CACHE_ON) {
      staged *s = ys_xcalloc(1, sizeof(*s));
      s->cache = h->cache;
      memcpy(s->key, r->key, sizeof(s->key));
      s->body = ys_xstrndup(ys_buf_str(&r->resp), r->resp.len);
      s->len = r->resp.len;
      s->next = t->settle_ud;
      t->settle_ud = s;
      t->settle = settle;
    }
  }
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, r->status);
  lua_setfield(L, -2, "status");
  lua_pushlstring(L, ys_buf_str(&r->resp), r->resp.len);
  lua_setfield(L, -2, "body");
  lua_createtable(L, 0, 2);
  if(r->content_type[0]) {
    lua_pushstring(L, r->content_type);
    lua_setfield(L, -2, "content-type");
  }
  if(r->retry_after[0]) {
    lua_pushstring(L, r->retry_after);
    lua_setfield(L, -2, "retry-after");
  }
  lua_setfield(L, -2, "headers");
  lua_pushboolean(L, r->cached);
  lua_setfield(L, -2, "cached");
  lua_pushinteger(L, r->attempts);
  lua_setfield(L, -2, "attempts");
  /* The request is done with: free it now rather than at collection. */
  req_free(r);
  free(r);
  *box = NULL;
  return 1;
}

/* ys.http.get(url [, timeout_s]) -> status, body | nil, message. Blocks;
 * for suite load (a local server's health check). */
static int http_get(lua_State *L)
{
  const char *url = luaL_checkstring(L, 1);
  double secs = luaL_optnumber(L, 2, 5);
  if(strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
    return luaL_error(L, "ys.http.get needs an http(s):// URL");
  ys_http_global_init();
  ys_buf *b = ys_lua_newbuf(L, DEFAULT_MAX_BYTES); /* freed by __gc */
  CURL *e = curl_easy_init();
  if(!e)
    return luaL_error(L, "ys.http.get: libcurl cannot create a request");
  char err[CURL_ERROR_SIZE] = "";
  hreq tmp;
  memset(&tmp, 0, sizeof(tmp));
  tmp.resp = *b;
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(secs * 1000));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(secs * 1000));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &tmp);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode res = curl_easy_perform(e);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(e);
  *b = tmp.resp; /* back in the box, freed by __gc */
  if(res != CURLE_OK) {
    lua_pushnil(L);
    lua_pushstring(L, err[0] ? err : curl_easy_strerror(res));
    return 2;
  }
  lua_pushinteger(L, status);
  lua_pushlstring(L, ys_buf_str(b), b->len);
  return 2;
}

static const luaL_Reg http_funcs[] = {
  { "request", http_request },
  { "transport", http_transport },
  { "get", http_get },
  { NULL, NULL }
};

int luaopen_ys_http(lua_State *L)
{
  if(luaL_newmetatable(L, REQ_MT)) {
    lua_pushcfunction(L, req_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  if(luaL_newmetatable(L, TRANSPORT_MT)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  luaL_newlib(L, http_funcs);
  return 1;
}

/* }====== */
