/* SPDX-License-Identifier: MIT */
/*
 * ys-testserver.c: an OpenAI- and Anthropic-compatible HTTP/1.1 server on
 * 127.0.0.1 for yardstick's integration tests and benchmarks. Replies are
 * derived from the prompt (embeddings: a hashed bag of words of each
 * input), faults come from FAULT: directives in the prompt or at a seeded
 * random rate, and /stats counts what was sent. Uses libmicrohttpd (a
 * thread per connection), cJSON and pthreads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#define PROG "ys-testserver"
#define BODY_MAX (8u << 20)       /* request bodies beyond this get 413 */
#define MAX_DIRECTIVES 16
#define HUGE_MAX 1000000000000ull /* FAULT:huge cap: 1 TB, streamed */
#define MS_MAX 3600000L           /* any delay option: one hour */
#define STEP_MS 50                /* stall loops look around this often */
#define HUGE_MARK "@@ys-huge@@"   /* where FAULT:huge's content goes */
#define EMBED_DIMS 256            /* embedding length without "dimensions" */
#define EMBED_DIMS_MAX 4096
#define EMBED_INPUTS_MAX 2048

/* {====== options and fault kinds ====== */

static struct {
  unsigned port;
  const char *port_file;
  long latency_ms, jitter_ms, retry_after_s, stall_ms;
  uint64_t seed;
  const char *key;
  const char *log_path;
  double p500, p429, pstall, pmalformed;
  int quiet;
} opt = {0, NULL, 0, 0, 1, 30000, 1, NULL, NULL, 0, 0, 0, 0, 0};

/*
 * Every fault, whether a directive or a random draw, is one of these. The
 * names are the directive spellings, the /stats "faults" keys and the log's
 * third field. A COUNT number limits the fault to the first n attempts of a
 * body (absent: every attempt); a VALUE number is required (ms or bytes).
 */
enum kind {
  K_OK, K_400, K_401, K_403, K_404, K_408, K_409, K_429, K_429DATE,
  K_500, K_502, K_503, K_529, K_STALL, K_CLOSE, K_TRUNCATED, K_MALFORMED,
  K_HTML, K_BADSHAPE, K_HUGE, K_SLOW, K_NOUSAGE, K__N
};

enum { COUNT, VALUE };

static const struct {
  const char *name;
  int arg;
  unsigned status; /* what is sent; 0: nothing (stall, close) */
  int modifier;    /* combines with the reply instead of replacing it */
} kinds[K__N] = {
  [K_OK] = {"ok", COUNT, 200, 0},
  [K_400] = {"400", COUNT, 400, 0},
  [K_401] = {"401", COUNT, 401, 0},
  [K_403] = {"403", COUNT, 403, 0},
  [K_404] = {"404", COUNT, 404, 0},
  [K_408] = {"408", COUNT, 408, 0},
  [K_409] = {"409", COUNT, 409, 0},
  [K_429] = {"429", COUNT, 429, 0},
  [K_429DATE] = {"429date", COUNT, 429, 0},
  [K_500] = {"500", COUNT, 500, 0},
  [K_502] = {"502", COUNT, 502, 0},
  [K_503] = {"503", COUNT, 503, 0},
  [K_529] = {"529", COUNT, 529, 0},
  [K_STALL] = {"stall", COUNT, 0, 0},
  [K_CLOSE] = {"close", COUNT, 0, 0},
  [K_TRUNCATED] = {"truncated", COUNT, 200, 0},
  [K_MALFORMED] = {"malformed", COUNT, 200, 0},
  [K_HTML] = {"html", COUNT, 200, 0},
  [K_BADSHAPE] = {"badshape", COUNT, 200, 0},
  [K_HUGE] = {"huge", VALUE, 200, 0},
  [K_SLOW] = {"slow", VALUE, 200, 1},
  [K_NOUSAGE] = {"nousage", COUNT, 200, 1},
};

/* Counted routes; /stats and /stats/reset are deliberately not counted. */
enum route { R_CHAT, R_MESSAGES, R_HEALTH, R_MODELS, R_EMBEDDINGS, R_OTHER,
             R__N,
             R_STATS, R_RESET };

static const char *const route_names[R__N] = {
  "/v1/chat/completions", "/v1/messages", "/health", "/v1/models",
  "/v1/embeddings", "other"
};

/* }====== */

/* {====== stopping and sleeping ====== */

/*
 * Delays wait on a condition variable that SIGTERM/SIGINT broadcasts, so a
 * slow or stalled answer never holds up MHD_stop_daemon, which joins every
 * connection thread.
 */
static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv;
static int stop_flag;

static int stopping(void)
{
  pthread_mutex_lock(&stop_mu);
  int s = stop_flag;
  pthread_mutex_unlock(&stop_mu);
  return s;
}

static void stop_all(void)
{
  pthread_mutex_lock(&stop_mu);
  stop_flag = 1;
  pthread_cond_broadcast(&stop_cv);
  pthread_mutex_unlock(&stop_mu);
}

static uint64_t now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Sleep ms milliseconds; -1 if the server started stopping meanwhile. */
static int nap(uint64_t ms)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += (time_t)(ms / 1000);
  t.tv_nsec += (long)(ms % 1000) * 1000000;
  if (t.tv_nsec >= 1000000000) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&stop_mu);
  while (!stop_flag)
    if (pthread_cond_timedwait(&stop_cv, &stop_mu, &t) != 0)
      break; /* ETIMEDOUT, or an error we cannot wait through */
  int s = stop_flag;
  pthread_mutex_unlock(&stop_mu);
  return s ? -1 : 0;
}

/*
 * Hold a connection without answering until limit_ms pass (forever if
 * negative), the peer closes or the server stops. MHD sockets are
 * non-blocking and nobody else reads this one while its thread is in the
 * handler, so a peeking recv() of 0 means the client gave up.
 */
static void stall(int fd, long limit_ms)
{
  uint64_t end = limit_ms < 0 ? UINT64_MAX : now_ms() + (uint64_t)limit_ms;
  while (!stopping() && now_ms() < end) {
    struct pollfd p = {fd, POLLIN, 0};
    if (fd < 0) {
      nap(STEP_MS);
      continue;
    }
    if (poll(&p, 1, STEP_MS) <= 0)
      continue;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK
                   && errno != EINTR))
      return;
    if (n > 0 && nap(STEP_MS) < 0) /* a pipelined request: just wait */
      return;
  }
}

/* }====== */

/* {====== shared state: counters, attempts, PRNGs, log ====== */

/* One lock guards all of it; everything it protects is a few adds. */
static struct {
  pthread_mutex_t mu;
  uint64_t requests;
  uint64_t by_status[600];
  uint64_t by_path[R__N];
  uint64_t faults[K__N];
  uint64_t next_id;
  uint64_t fault_rng, jitter_rng;
  uint64_t *att_keys; /* open addressing; 0 is the empty slot */
  uint32_t *att_vals;
  size_t att_cap, att_n;
  FILE *log;
} st = {PTHREAD_MUTEX_INITIALIZER, 0, {0}, {0}, {0}, 0, 0, 0,
        NULL, NULL, 0, 0, NULL};

static uint64_t splitmix(uint64_t *s)
{
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Two streams, so turning jitter on does not change the fault sequence. */
static void reseed(void)
{
  st.fault_rng = opt.seed;
  st.jitter_rng = opt.seed ^ 0x6a09e667f3bcc909ull;
}

static void reset_all(void)
{
  pthread_mutex_lock(&st.mu);
  st.requests = 0;
  memset(st.by_status, 0, sizeof st.by_status);
  memset(st.by_path, 0, sizeof st.by_path);
  memset(st.faults, 0, sizeof st.faults);
  st.next_id = 0;
  reseed();
  free(st.att_keys);
  free(st.att_vals);
  st.att_keys = NULL;
  st.att_vals = NULL;
  st.att_cap = st.att_n = 0;
  pthread_mutex_unlock(&st.mu);
}

static uint64_t next_id(void)
{
  pthread_mutex_lock(&st.mu);
  uint64_t id = ++st.next_id;
  pthread_mutex_unlock(&st.mu);
  return id;
}

static uint64_t fnv1a(const char *p, size_t len)
{
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
  return h ? h : 1;
}

static void att_put(uint64_t *keys, uint32_t *vals, size_t cap, uint64_t k,
                    uint32_t v)
{
  size_t i = (size_t)k & (cap - 1);
  while (keys[i] && keys[i] != k)
    i = (i + 1) & (cap - 1);
  keys[i] = k;
  vals[i] = v;
}

/* Count one more attempt of the body hashed to h; returns its number. */
static uint64_t attempt(uint64_t h)
{
  pthread_mutex_lock(&st.mu);
  if (2 * (st.att_n + 1) > st.att_cap) {
    size_t cap = st.att_cap ? 2 * st.att_cap : 1024;
    uint64_t *keys = calloc(cap, sizeof *keys);
    uint32_t *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
      pthread_mutex_unlock(&st.mu);
      free(keys);
      free(vals);
      return 1; /* out of memory: treat it as a first attempt */
    }
    for (size_t i = 0; i < st.att_cap; i++)
      if (st.att_keys[i])
        att_put(keys, vals, cap, st.att_keys[i], st.att_vals[i]);
    free(st.att_keys);
    free(st.att_vals);
    st.att_keys = keys;
    st.att_vals = vals;
    st.att_cap = cap;
  }
  size_t i = (size_t)h & (st.att_cap - 1);
  while (st.att_keys[i] && st.att_keys[i] != h)
    i = (i + 1) & (st.att_cap - 1);
  if (!st.att_keys[i]) {
    st.att_keys[i] = h;
    st.att_n++;
  }
  if (st.att_vals[i] < UINT32_MAX)
    st.att_vals[i]++;
  uint64_t k = st.att_vals[i];
  pthread_mutex_unlock(&st.mu);
  return k;
}

/* One draw per model request, even when it picks no fault. */
static enum kind random_fault(void)
{
  double sum = opt.p500 + opt.p429 + opt.pstall + opt.pmalformed;
  if (sum <= 0)
    return K_OK;
  pthread_mutex_lock(&st.mu);
  double u = (double)(splitmix(&st.fault_rng) >> 11) * 0x1p-53 * 100.0;
  pthread_mutex_unlock(&st.mu);
  if ((u -= opt.p500) < 0)
    return K_500;
  if ((u -= opt.p429) < 0)
    return K_429;
  if ((u -= opt.pstall) < 0)
    return K_STALL;
  if ((u -= opt.pmalformed) < 0)
    return K_MALFORMED;
  return K_OK;
}

static uint64_t base_delay(void)
{
  uint64_t ms = (uint64_t)opt.latency_ms;
  if (opt.jitter_ms > 0) {
    pthread_mutex_lock(&st.mu);
    ms += splitmix(&st.jitter_rng) % ((uint64_t)opt.jitter_ms + 1);
    pthread_mutex_unlock(&st.mu);
  }
  return ms;
}

/*
 * Count a response (status 0: the connection was held or closed without
 * one) and log it, under the lock so counts and log lines agree. Called
 * just before the response is queued, so a client that has its answer
 * always finds it in /stats. prim is the fault that shaped the reply
 * (K_OK for none) and mods a bit set of applied modifiers.
 */
static void account(enum route rt, const char *url, unsigned status,
                    enum kind prim, unsigned mods)
{
  pthread_mutex_lock(&st.mu);
  st.requests++;
  st.by_status[status < 600 ? status : 0]++;
  st.by_path[rt < R__N ? rt : R_OTHER]++;
  if (prim != K_OK)
    st.faults[prim]++;
  for (int k = 0; k < K__N; k++)
    if (mods & (1u << k))
      st.faults[k]++;
  if (st.log) {
    fprintf(st.log, "%u %.200s ", status, url);
    const char *sep = "";
    if (prim != K_OK) {
      fputs(kinds[prim].name, st.log);
      sep = "+";
    }
    for (int k = 0; k < K__N; k++)
      if (mods & (1u << k)) {
        fprintf(st.log, "%s%s", sep, kinds[k].name);
        sep = "+";
      }
    fputs(*sep ? "\n" : "ok\n", st.log);
    fflush(st.log);
  }
  pthread_mutex_unlock(&st.mu);
}

/* }====== */

/* {====== prompt text: words, REPLY, FAULT directives ====== */

static int is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
         || c == '\f';
}

static uint64_t words(const char *s)
{
  uint64_t n = 0;
  for (int in = 0; *s; s++) {
    if (is_space(*s))
      in = 0;
    else if (!in) {
      in = 1;
      n++;
    }
  }
  return n;
}

/* Words of a content value: a string, or an array of {type, text} blocks
   (a bare string in the array counts too). */
static uint64_t content_words(const cJSON *c)
{
  if (cJSON_IsString(c))
    return words(c->valuestring);
  uint64_t n = 0;
  const cJSON *b;
  cJSON_ArrayForEach(b, c) {
    const cJSON *t = cJSON_IsString(b) ? b : cJSON_GetObjectItem(b, "text");
    if (cJSON_IsString(t))
      n += words(t->valuestring);
  }
  return n;
}

/* The text of a content value, text blocks joined by newlines; owned. */
static char *content_text(const cJSON *c)
{
  if (cJSON_IsString(c))
    return strdup(c->valuestring);
  size_t len = 0;
  const cJSON *b;
  cJSON_ArrayForEach(b, c) {
    const cJSON *t = cJSON_IsString(b) ? b : cJSON_GetObjectItem(b, "text");
    if (cJSON_IsString(t))
      len += strlen(t->valuestring) + 1;
  }
  char *s = malloc(len + 1), *p = s;
  if (!s)
    return NULL;
  cJSON_ArrayForEach(b, c) {
    const cJSON *t = cJSON_IsString(b) ? b : cJSON_GetObjectItem(b, "text");
    if (cJSON_IsString(t)) {
      size_t n = strlen(t->valuestring);
      if (p != s)
        *p++ = '\n';
      memcpy(p, t->valuestring, n);
      p += n;
    }
  }
  *p = '\0';
  return s;
}

/* REPLY: after the last "ANSWER:" up to the end of its line, trimmed;
   "ok" without a marker. Owned. */
static char *reply_of(const char *text)
{
  const char *m = NULL;
  for (const char *p = text; p && (p = strstr(p, "ANSWER:")); p += 7)
    m = p + 7;
  if (!m)
    return strdup("ok");
  const char *e = m + strcspn(m, "\n");
  while (m < e && is_space(*m))
    m++;
  while (e > m && is_space(e[-1]))
    e--;
  char *r = malloc((size_t)(e - m) + 1);
  if (r) {
    memcpy(r, m, (size_t)(e - m));
    r[e - m] = '\0';
  }
  return r;
}

struct directive {
  enum kind k;
  uint64_t n; /* count or value; UINT64_MAX for "every attempt" */
};

/* Parse every FAULT:<kind>[:<n>] in text; -1 with a message in err. */
static int parse_directives(const char *text, struct directive *d, int *nd,
                            char *err, size_t errlen)
{
  static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  *nd = 0;
  for (const char *p = text; (p = strstr(p, "FAULT:"));) {
    p += 6;
    size_t len = strspn(p, alnum);
    int k = K__N;
    for (int i = 1; i < K__N; i++)
      if (strlen(kinds[i].name) == len && !strncmp(kinds[i].name, p, len))
        k = i;
    if (k == K__N) {
      snprintf(err, errlen, "unknown fault directive 'FAULT:%.*s'",
               (int)(len < 40 ? len : 40), p);
      return -1;
    }
    p += len;
    uint64_t n = UINT64_MAX;
    if (p[0] == ':' && p[1] >= '0' && p[1] <= '9') {
      char *end;
      errno = 0;
      n = strtoull(p + 1, &end, 10);
      if (errno)
        n = UINT64_MAX - 1;
      p = end;
    } else if (kinds[k].arg == VALUE) {
      snprintf(err, errlen, "fault directive 'FAULT:%s' needs a number",
               kinds[k].name);
      return -1;
    }
    if ((k == K_HUGE && n > HUGE_MAX)
        || (k == K_SLOW && n > (uint64_t)MS_MAX)) {
      snprintf(err, errlen, "fault directive 'FAULT:%s': number too large",
               kinds[k].name);
      return -1;
    }
    if (*nd == MAX_DIRECTIVES) {
      snprintf(err, errlen, "more than %d fault directives", MAX_DIRECTIVES);
      return -1;
    }
    d[*nd].k = (enum kind)k;
    d[(*nd)++].n = n;
  }
  return 0;
}

/* }====== */

/* {====== response bodies ====== */

/* The parts of a valid chat request the reply is made of. */
struct chat {
  int anthropic;
  const char *model; /* borrowed from the request tree */
  uint64_t ptoks;
  char *last_user; /* owned; NULL when there is no user message (for
                      embeddings: every input, joined by newlines) */
  const cJSON *input; /* embeddings: the inputs, borrowed; else NULL */
  int dims;           /* embeddings: the vector length */
};

static char *print_free(cJSON *o)
{
  char *s = o ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  return s;
}

static const char *err_type(int anthropic, unsigned status)
{
  if (!anthropic) {
    if (status == 429)
      return "requests";
    return status >= 500 ? "server_error" : "invalid_request_error";
  }
  switch (status) {
  case 400: case 409: return "invalid_request_error";
  case 401: return "authentication_error";
  case 403: return "permission_error";
  case 404: return "not_found_error";
  case 408: return "timeout_error";
  case 413: return "request_too_large";
  case 429: return "rate_limit_error";
  case 503: case 529: return "overloaded_error";
  }
  return "api_error";
}

/* OpenAI: {"error":{message,type,param,code}}; Anthropic:
   {"type":"error","error":{type,message}}. Owned. */
static char *error_body(int anthropic, unsigned status, const char *msg)
{
  cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();
  if (anthropic) {
    cJSON_AddStringToObject(o, "type", "error");
    cJSON_AddStringToObject(e, "type", err_type(1, status));
    cJSON_AddStringToObject(e, "message", msg);
  } else {
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddStringToObject(e, "type", err_type(0, status));
    cJSON_AddNullToObject(e, "param");
    if (status == 401 || status == 429)
      cJSON_AddStringToObject(e, "code", status == 401 ? "invalid_api_key"
                              : "rate_limit_exceeded");
    else
      cJSON_AddNullToObject(e, "code");
  }
  cJSON_AddItemToObject(o, "error", e);
  return print_free(o);
}

enum { B_USAGE = 1u << 0, B_SHAPE = 1u << 1 };

/* A successful completion; without B_SHAPE the choices (OpenAI) or
   content (Anthropic) are left out, without B_USAGE the usage. Owned. */
static char *ok_body(const struct chat *c, uint64_t id, const char *reply,
                     uint64_t ctoks, unsigned flags)
{
  char ids[32];
  cJSON *o = cJSON_CreateObject(), *u = NULL;
  if (c->anthropic) {
    snprintf(ids, sizeof ids, "msg_%llu", (unsigned long long)id);
    cJSON_AddStringToObject(o, "id", ids);
    cJSON_AddStringToObject(o, "type", "message");
    cJSON_AddStringToObject(o, "role", "assistant");
    cJSON_AddStringToObject(o, "model", c->model);
    if (flags & B_SHAPE) {
      cJSON *a = cJSON_AddArrayToObject(o, "content");
      cJSON *t = cJSON_CreateObject();
      cJSON_AddStringToObject(t, "type", "text");
      cJSON_AddStringToObject(t, "text", reply);
      cJSON_AddItemToArray(a, t);
    }
    cJSON_AddStringToObject(o, "stop_reason", "end_turn");
    if (flags & B_USAGE) {
      u = cJSON_AddObjectToObject(o, "usage");
      cJSON_AddNumberToObject(u, "input_tokens", (double)c->ptoks);
      cJSON_AddNumberToObject(u, "output_tokens", (double)ctoks);
    }
  } else {
    snprintf(ids, sizeof ids, "ys-%llu", (unsigned long long)id);
    cJSON_AddStringToObject(o, "id", ids);
    cJSON_AddStringToObject(o, "object", "chat.completion");
    cJSON_AddNumberToObject(o, "created", 0);
    cJSON_AddStringToObject(o, "model", c->model);
    if (flags & B_SHAPE) {
      cJSON *a = cJSON_AddArrayToObject(o, "choices");
      cJSON *ch = cJSON_CreateObject(), *m = cJSON_CreateObject();
      cJSON_AddNumberToObject(ch, "index", 0);
      cJSON_AddStringToObject(m, "role", "assistant");
      cJSON_AddStringToObject(m, "content", reply);
      cJSON_AddItemToObject(ch, "message", m);
      cJSON_AddStringToObject(ch, "finish_reason", "stop");
      cJSON_AddItemToArray(a, ch);
    }
    if (flags & B_USAGE) {
      u = cJSON_AddObjectToObject(o, "usage");
      cJSON_AddNumberToObject(u, "prompt_tokens", (double)c->ptoks);
      cJSON_AddNumberToObject(u, "completion_tokens", (double)ctoks);
      cJSON_AddNumberToObject(u, "total_tokens",
                              (double)(c->ptoks + ctoks));
    }
  }
  return print_free(o);
}

/* FNV-1a of s[0..n), lower-cased ASCII. */
static uint64_t word_hash(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    h ^= c >= 'A' && c <= 'Z' ? c + 32u : c;
    h *= 1099511628211ull;
  }
  return h;
}

/*
 * The embedding of text: a hashed bag of words, L2-normalised. A word is a
 * run of ASCII letters and digits or of non-ASCII bytes; each adds +1 or
 * -1 (a bit of its hash) at the dimension its hash picks. Texts sharing
 * most words get vectors of cosine close to 1; one word changed in twenty
 * gives about 0.95. Text without a word is the first unit vector.
 */
static void embed_text(const char *s, int dims, double *v)
{
  memset(v, 0, (size_t)dims * sizeof *v);
  for (const char *p = s; *p;) {
    const char *w = p;
    while (*p && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                  || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80))
      p++;
    if (p == w) {
      p++;
      continue;
    }
    uint64_t h = word_hash(w, (size_t)(p - w));
    v[h % (uint64_t)dims] += h >> 63 ? -1.0 : 1.0;
  }
  double norm = 0;
  for (int i = 0; i < dims; i++)
    norm += v[i] * v[i];
  if (norm == 0) {
    v[0] = 1;
    return;
  }
  norm = sqrt(norm);
  for (int i = 0; i < dims; i++)
    v[i] /= norm;
}

/* An OpenAI embeddings list, one vector per input, in order; flags as for
   ok_body (without B_SHAPE, no "data"). Owned. */
static char *embed_body(const struct chat *c, unsigned flags)
{
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "object", "list");
  double *v = malloc((size_t)c->dims * sizeof *v);
  if (!v) {
    cJSON_Delete(o);
    return NULL;
  }
  if (flags & B_SHAPE) {
    cJSON *a = cJSON_AddArrayToObject(o, "data");
    int i = 0;
    const cJSON *in;
    cJSON_ArrayForEach(in, c->input) {
      cJSON *e = cJSON_CreateObject();
      cJSON_AddStringToObject(e, "object", "embedding");
      cJSON_AddNumberToObject(e, "index", i++);
      embed_text(in->valuestring, c->dims, v);
      cJSON *vec = cJSON_AddArrayToObject(e, "embedding");
      for (int k = 0; k < c->dims; k++)
        cJSON_AddItemToArray(vec, cJSON_CreateNumber(
                                    round(v[k] * 1e6) / 1e6));
      cJSON_AddItemToArray(a, e);
    }
  }
  free(v);
  cJSON_AddStringToObject(o, "model", c->model);
  if (flags & B_USAGE) {
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)c->ptoks);
    cJSON_AddNumberToObject(u, "total_tokens", (double)c->ptoks);
  }
  return print_free(o);
}

/* The start of a completion, cut off inside a string: not JSON at all. */
static const char malformed_openai[] =
  "{\"id\":\"ys-malformed\",\"object\":\"chat.completion\",\"choices\":"
  "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok";
static const char malformed_anthropic[] =
  "{\"id\":\"msg_malformed\",\"type\":\"message\",\"content\":"
  "[{\"type\":\"text\",\"text\":\"ok";
/* What a misconfigured proxy in front of a model server answers. */
static const char html_page[] =
  "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
  "<body><h1>502 Bad Gateway</h1><p>ys-testserver: injected html fault"
  "</p></body></html>\n";

/* }====== */

/* {====== sending ====== */

/* "huge huge ..." starting at every offset mod 5, for FAULT:huge. */
static char pattern[65536 + 5];

/*
 * A body streamed by a content reader: head, then fill bytes of the
 * pattern, then tail, declared as all of it. After cut bytes the reader
 * reports an error, on which MHD closes the connection at once: that is
 * FAULT:truncated (cut = half the body). FAULT:huge has cut = everything.
 */
struct stream {
  char *head, *tail; /* owned */
  size_t headlen, taillen;
  uint64_t fill, cut;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct stream *s = cls;
  if (pos >= s->cut)
    return MHD_CONTENT_READER_END_WITH_ERROR;
  if (max > s->cut - pos)
    max = (size_t)(s->cut - pos);
  size_t n = 0;
  while (n < max) {
    uint64_t p = pos + n, k;
    if (p < s->headlen) {
      k = s->headlen - p < max - n ? s->headlen - p : max - n;
      memcpy(buf + n, s->head + p, (size_t)k);
    } else if ((p -= s->headlen) < s->fill) {
      k = s->fill - p < max - n ? s->fill - p : max - n;
      if (k > 65536)
        k = 65536;
      memcpy(buf + n, pattern + p % 5, (size_t)k);
    } else if ((p -= s->fill) < s->taillen) {
      k = s->taillen - p < max - n ? s->taillen - p : max - n;
      memcpy(buf + n, s->tail + p, (size_t)k);
    } else {
      break;
    }
    n += (size_t)k;
  }
  return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void stream_free(void *cls)
{
  struct stream *s = cls;
  free(s->head);
  free(s->tail);
  free(s);
}

/* Queue a response; body is consumed when owned. */
static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status,
                             const char *ctype, char *body, size_t len,
                             int owned, const char *retry_after)
{
  struct MHD_Response *resp = MHD_create_response_from_buffer(
    len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!resp) {
    if (owned)
      free(body);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
  if (retry_after)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry_after);
  enum MHD_Result r = MHD_queue_response(conn, status, resp);
  MHD_destroy_response(resp);
  return r;
}

static enum MHD_Result queue_stream(struct MHD_Connection *conn,
                                    struct stream *s)
{
  uint64_t total = s->headlen + s->fill + s->taillen;
  struct MHD_Response *resp = MHD_create_response_from_callback(
    total, 64 * 1024, stream_read, s, stream_free);
  if (!resp) {
    stream_free(s);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "application/json");
  enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
  MHD_destroy_response(resp);
  return r;
}

/* Count, then send a JSON body (owned; NULL means out of memory). */
static enum MHD_Result send_json(struct MHD_Connection *conn, enum route rt,
                                 const char *url, unsigned status,
                                 enum kind prim, unsigned mods, char *body,
                                 const char *retry_after)
{
  if (!body)
    return MHD_NO;
  account(rt, url, status, prim, mods);
  return queue(conn, status, "application/json", body, strlen(body), 1,
               retry_after);
}

static enum MHD_Result send_error(struct MHD_Connection *conn, enum route rt,
                                  const char *url, unsigned status,
                                  const char *msg)
{
  return send_json(conn, rt, url, status, K_OK, 0,
                   error_body(rt == R_MESSAGES, status, msg), NULL);
}

/* }====== */

/* {====== the model endpoints ====== */

static const char *header(struct MHD_Connection *conn, const char *name)
{
  return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static int authorized(struct MHD_Connection *conn, int bearer, int xkey)
{
  if (!opt.key)
    return 1;
  const char *h = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
  if (bearer && h && !strncmp(h, "Bearer ", 7) && !strcmp(h + 7, opt.key))
    return 1;
  h = header(conn, "x-api-key");
  return xkey && h && !strcmp(h, opt.key);
}

/* Check the request's shape and fill c; -1 with a message in err. */
static int parse_chat(const cJSON *root, struct chat *c, char *err,
                      size_t errlen)
{
  const cJSON *model = cJSON_GetObjectItem(root, "model");
  const cJSON *msgs = cJSON_GetObjectItem(root, "messages");
  if (!cJSON_IsString(model)) {
    snprintf(err, errlen, "model: a string is required");
    return -1;
  }
  c->model = model->valuestring;
  if (!cJSON_IsArray(msgs)) {
    snprintf(err, errlen, "messages: an array is required");
    return -1;
  }
  if (c->anthropic) {
    if (!cJSON_IsNumber(cJSON_GetObjectItem(root, "max_tokens"))) {
      snprintf(err, errlen, "max_tokens: a number is required");
      return -1;
    }
    const cJSON *sys = cJSON_GetObjectItem(root, "system");
    if (sys && !cJSON_IsString(sys) && !cJSON_IsArray(sys)) {
      snprintf(err, errlen, "system: a string or an array is required");
      return -1;
    }
    c->ptoks += content_words(sys);
  }
  const cJSON *m, *last = NULL;
  int i = 0;
  cJSON_ArrayForEach(m, msgs) {
    const cJSON *role = cJSON_GetObjectItem(m, "role");
    const cJSON *content = cJSON_GetObjectItem(m, "content");
    if (!cJSON_IsObject(m) || !cJSON_IsString(role)) {
      snprintf(err, errlen, "messages[%d]: an object with a role is "
               "required", i);
      return -1;
    }
    if (!cJSON_IsString(content) && !cJSON_IsArray(content)
        && !(content == NULL || cJSON_IsNull(content))) {
      snprintf(err, errlen, "messages[%d].content: a string or an array "
               "is required", i);
      return -1;
    }
    c->ptoks += content_words(content);
    if (!strcmp(role->valuestring, "user"))
      last = content;
    i++;
  }
  if (last && !(c->last_user = content_text(last))) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return 0;
}

/* Check an embeddings request and fill c: a string model, an input that
   is a string or an array of 1 to EMBED_INPUTS_MAX strings (a string is
   made an array of one, in root), an optional whole "dimensions"; -1 with
   a message in err. */
static int parse_embed(cJSON *root, struct chat *c, char *err,
                       size_t errlen)
{
  const cJSON *model = cJSON_GetObjectItem(root, "model");
  cJSON *input = cJSON_GetObjectItem(root, "input");
  const cJSON *dims = cJSON_GetObjectItem(root, "dimensions");
  if (!cJSON_IsString(model)) {
    snprintf(err, errlen, "model: a string is required");
    return -1;
  }
  c->model = model->valuestring;
  if (cJSON_IsString(input)) {
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(input->valuestring));
    cJSON_ReplaceItemInObject(root, "input", a);
    input = a;
  }
  int n = cJSON_GetArraySize(input);
  if (!cJSON_IsArray(input) || n < 1 || n > EMBED_INPUTS_MAX) {
    snprintf(err, errlen, "input: a string or an array of 1 to %d strings "
             "is required", EMBED_INPUTS_MAX);
    return -1;
  }
  size_t len = 0;
  const cJSON *in;
  cJSON_ArrayForEach(in, input) {
    if (!cJSON_IsString(in)) {
      snprintf(err, errlen, "input: every item must be a string");
      return -1;
    }
    len += strlen(in->valuestring) + 1;
    c->ptoks += words(in->valuestring);
  }
  c->dims = EMBED_DIMS;
  if (dims) {
    if (!cJSON_IsNumber(dims) || dims->valuedouble != (int)dims->valuedouble
        || dims->valueint < 1 || dims->valueint > EMBED_DIMS_MAX) {
      snprintf(err, errlen, "dimensions: a whole number from 1 to %d is "
               "required", EMBED_DIMS_MAX);
      return -1;
    }
    c->dims = dims->valueint;
  }
  c->input = input;
  char *p = c->last_user = malloc(len + 1);
  if (!p) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  cJSON_ArrayForEach(in, input) {
    size_t k = strlen(in->valuestring);
    memcpy(p, in->valuestring, k);
    p += k;
    *p++ = '\n';
  }
  *p = '\0';
  return 0;
}

/* Answer with a fault or the completion, once the request is valid. */
static enum MHD_Result answer(struct MHD_Connection *conn, enum route rt,
                              const char *url, const struct chat *c,
                              const struct directive *d, int nd, uint64_t k)
{
  enum kind prim = random_fault();
  unsigned mods = 0;
  int rnd = prim != K_OK;
  uint64_t slow = 0;
  for (int i = 0; i < nd && !rnd; i++) {
    if (d[i].k == K_SLOW) {
      slow += d[i].n;
      mods |= 1u << K_SLOW;
    } else if (d[i].k == K_HUGE) {
      if (prim == K_OK)
        prim = K_HUGE;
    } else if (k <= d[i].n) {
      if (kinds[d[i].k].modifier)
        mods |= 1u << d[i].k;
      else if (prim == K_OK)
        prim = d[i].k;
    }
  }
  if (slow && nap(slow) < 0)
    return MHD_NO;

  const char *text = c->last_user ? c->last_user : "";
  unsigned usage = mods & (1u << K_NOUSAGE) ? 0 : B_USAGE;
  char msg[64], after[64];
  snprintf(msg, sizeof msg, "injected fault: FAULT:%s", kinds[prim].name);
  switch (prim) {
  case K_STALL:
    account(rt, url, 0, prim, mods);
    {
      const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
      stall(ci ? ci->connect_fd : -1, rnd ? opt.stall_ms : -1);
    }
    return MHD_NO;
  case K_CLOSE:
    account(rt, url, 0, prim, mods);
    return MHD_NO; /* MHD closes without sending anything */
  case K_429:
    snprintf(after, sizeof after, "%ld", opt.retry_after_s);
    return send_json(conn, rt, url, 429, prim, mods,
                     error_body(c->anthropic, 429, msg), after);
  case K_429DATE: {
    time_t t = time(NULL) + opt.retry_after_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(after, sizeof after, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return send_json(conn, rt, url, 429, prim, mods,
                     error_body(c->anthropic, 429, msg), after);
  }
  case K_MALFORMED:
    account(rt, url, 200, prim, mods);
    return queue(conn, 200, "application/json",
                 (char *)(c->anthropic ? malformed_anthropic
                                       : malformed_openai),
                 c->anthropic ? sizeof malformed_anthropic - 1
                              : sizeof malformed_openai - 1, 0, NULL);
  case K_HTML:
    account(rt, url, 200, prim, mods);
    return queue(conn, 200, "text/html; charset=utf-8", (char *)html_page,
                 sizeof html_page - 1, 0, NULL);
  case K_BADSHAPE:
  case K_OK: {
    if (c->input)
      return send_json(conn, rt, url, 200, prim, mods,
                       embed_body(c, usage | (prim == K_OK ? B_SHAPE : 0)),
                       NULL);
    char *reply = reply_of(text);
    char *body = reply ? ok_body(c, next_id(), reply, words(reply),
                                 usage | (prim == K_OK ? B_SHAPE : 0))
                       : NULL;
    free(reply);
    return send_json(conn, rt, url, 200, prim, mods, body, NULL);
  }
  case K_TRUNCATED:
  case K_HUGE: {
    if (c->input && prim == K_HUGE)
      return send_json(conn, rt, url, 400, K_OK, mods,
                       error_body(0, 400, "FAULT:huge: not on "
                                  "/v1/embeddings"), NULL);
    /* Truncated sends the first half of the completion. Huge builds the
       completion around a placeholder reply and streams the pattern in
       its place, so 50 MB of content never sits in memory. */
    static const char quoted[] = "\"" HUGE_MARK "\"";
    uint64_t n = 0;
    for (int i = 0; i < nd; i++)
      if (d[i].k == K_HUGE) {
        n = d[i].n;
        break;
      }
    char *reply = prim == K_HUGE ? strdup(HUGE_MARK) : reply_of(text);
    char *body = !reply ? NULL
                 : c->input ? embed_body(c, usage | B_SHAPE)
                 : ok_body(c, next_id(), reply,
                           prim == K_HUGE ? (n + 4) / 5 : words(reply),
                           usage | B_SHAPE);
    free(reply);
    struct stream *s = body ? calloc(1, sizeof *s) : NULL;
    if (!s) {
      free(body);
      return MHD_NO;
    }
    s->head = body;
    s->headlen = strlen(body);
    if (prim == K_HUGE) {
      char *m = NULL;
      for (char *p = body; (p = strstr(p, quoted)); p++)
        m = p; /* the last one: a model name may spell the mark too */
      if (!m) {
        stream_free(s);
        return MHD_NO;
      }
      s->tail = strdup(m + sizeof quoted - 2); /* from the closing quote */
      s->headlen = (size_t)(m - body) + 1;     /* up to the opening one */
      s->taillen = s->tail ? strlen(s->tail) : 0;
      s->fill = n;
      s->cut = UINT64_MAX;
      if (!s->tail) {
        stream_free(s);
        return MHD_NO;
      }
    } else {
      s->cut = s->headlen / 2;
    }
    account(rt, url, 200, prim, mods);
    return queue_stream(conn, s);
  }
  default: /* the plain status faults */
    return send_json(conn, rt, url, kinds[prim].status, prim, mods,
                     error_body(c->anthropic, kinds[prim].status, msg),
                     NULL);
  }
}

static pthread_mutex_t parse_mu = PTHREAD_MUTEX_INITIALIZER;

/* POST /v1/chat/completions, /v1/messages and /v1/embeddings, with the
   body collected. */
static enum MHD_Result model_endpoint(struct MHD_Connection *conn,
                                      enum route rt, const char *url,
                                      const char *body, size_t len)
{
  struct chat c = {rt == R_MESSAGES, NULL, 0, NULL, NULL, 0};
  struct directive d[MAX_DIRECTIVES];
  int nd = 0;
  char err[160];
  enum MHD_Result ret;
  cJSON *root = NULL;

  uint64_t delay = base_delay();
  if (delay && nap(delay) < 0)
    return MHD_NO;
  if (!authorized(conn, !c.anthropic, c.anthropic)) {
    ret = send_error(conn, rt, url, 401, c.anthropic
                     ? "invalid x-api-key" : "Incorrect API key provided");
    goto out;
  }
  if (c.anthropic && !header(conn, "anthropic-version")) {
    ret = send_error(conn, rt, url, 400,
                     "anthropic-version: header is required");
    goto out;
  }
  /* cJSON's parser records its error position in a global, even on
     success: serialise it, so the server has no data race at all. */
  pthread_mutex_lock(&parse_mu);
  root = cJSON_ParseWithLength(body ? body : "", len);
  pthread_mutex_unlock(&parse_mu);
  if (!cJSON_IsObject(root)) {
    ret = send_error(conn, rt, url, 400,
                     "request body is not a JSON object");
    goto out;
  }
  if ((rt == R_EMBEDDINGS ? parse_embed(root, &c, err, sizeof err)
                          : parse_chat(root, &c, err, sizeof err)) < 0) {
    ret = send_error(conn, rt, url, 400, err);
    goto out;
  }
  if (cJSON_IsTrue(cJSON_GetObjectItem(root, "stream"))) {
    ret = send_error(conn, rt, url, 400, "streaming not supported");
    goto out;
  }
  if (c.last_user
      && parse_directives(c.last_user, d, &nd, err, sizeof err) < 0) {
    ret = send_error(conn, rt, url, 400, err);
    goto out;
  }
  ret = answer(conn, rt, url, &c, d, nd, nd ? attempt(fnv1a(body, len)) : 1);
out:
  free(c.last_user);
  cJSON_Delete(root);
  return ret;
}

/* }====== */

/* {====== routing and the MHD callbacks ====== */

static enum route route_of(const char *url)
{
  static const struct {
    const char *path;
    enum route rt;
  } t[] = {
    {"/v1/chat/completions", R_CHAT}, {"/v1/messages", R_MESSAGES},
    {"/health", R_HEALTH}, {"/v1/models", R_MODELS},
    {"/v1/embeddings", R_EMBEDDINGS}, {"/stats", R_STATS},
    {"/stats/reset", R_RESET},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!strcmp(url, t[i].path))
      return t[i].rt;
  return R_OTHER;
}

static enum MHD_Result stats_endpoint(struct MHD_Connection *conn)
{
  uint64_t s[600], p[R__N], f[K__N], req;

  pthread_mutex_lock(&st.mu);
  req = st.requests;
  memcpy(s, st.by_status, sizeof s);
  memcpy(p, st.by_path, sizeof p);
  memcpy(f, st.faults, sizeof f);
  pthread_mutex_unlock(&st.mu);

  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "requests", (double)req);
  cJSON *bs = cJSON_AddObjectToObject(o, "by_status");
  for (int i = 0; i < 600; i++)
    if (s[i]) {
      char k[8];
      snprintf(k, sizeof k, "%d", i);
      cJSON_AddNumberToObject(bs, k, (double)s[i]);
    }
  cJSON *bp = cJSON_AddObjectToObject(o, "by_path");
  for (int i = 0; i < R__N; i++)
    cJSON_AddNumberToObject(bp, route_names[i], (double)p[i]);
  cJSON *bf = cJSON_AddObjectToObject(o, "faults");
  for (int i = 1; i < K__N; i++)
    cJSON_AddNumberToObject(bf, kinds[i].name, (double)f[i]);
  char *body = print_free(o);
  return body ? queue(conn, 200, "application/json", body, strlen(body), 1,
                      NULL)
              : MHD_NO;
}

/* Per-request state, kept in MHD's con_cls. */
struct req {
  char *body;
  size_t len, cap;
  int toobig, answered;
};

static enum MHD_Result dispatch(struct MHD_Connection *conn, const char *url,
                                const char *method, struct req *r)
{
  static char health[] = "{\"status\":\"ok\"}";
  static char models[] =
    "{\"object\":\"list\",\"data\":[{\"id\":\"test-model\","
    "\"object\":\"model\"}]}";
  static char reset[] = "{\"status\":\"reset\"}";
  int get = !strcmp(method, MHD_HTTP_METHOD_GET);
  int post = !strcmp(method, MHD_HTTP_METHOD_POST);
  enum route rt = route_of(url);
  char msg[300];

  if (rt == R_STATS && get)
    return stats_endpoint(conn);
  if (rt == R_RESET && post) {
    reset_all();
    return queue(conn, 200, "application/json", reset, sizeof reset - 1, 0,
                 NULL);
  }
  if (rt == R_HEALTH && get) {
    account(rt, url, 200, K_OK, 0);
    return queue(conn, 200, "application/json", health, sizeof health - 1,
                 0, NULL);
  }
  if (rt == R_MODELS && get) {
    if (!authorized(conn, 1, 1))
      return send_error(conn, rt, url, 401, "Incorrect API key provided");
    account(rt, url, 200, K_OK, 0);
    return queue(conn, 200, "application/json", models, sizeof models - 1,
                 0, NULL);
  }
  if ((rt == R_CHAT || rt == R_MESSAGES || rt == R_EMBEDDINGS) && post) {
    if (r->toobig)
      return send_error(conn, rt, url, 413, "request body over 8 MiB");
    return model_endpoint(conn, rt, url, r->body, r->len);
  }
  snprintf(msg, sizeof msg, "no route for %.16s %.200s", method, url);
  return send_error(conn, rt, url, 404, msg);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_len, void **con_cls)
{
  struct req *r = *con_cls;
  (void)cls;
  (void)version;
  if (!r) {
    /* Headers only. A declared oversized body is refused before MHD
       sends 100 Continue; a chunked one is discarded as it comes. */
    if (!(r = calloc(1, sizeof *r)))
      return MHD_NO;
    *con_cls = r;
    const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > BODY_MAX) {
      enum route rt = route_of(url);
      r->answered = 1;
      return send_error(conn, rt, url, 413,
                        "request body over 8 MiB");
    }
    return MHD_YES;
  }
  if (*upload_len) {
    size_t n = *upload_len;
    *upload_len = 0;
    if (r->toobig || r->answered)
      return MHD_YES;
    if (r->len + n > BODY_MAX) {
      r->toobig = 1;
      return MHD_YES;
    }
    if (r->len + n + 1 > r->cap) {
      size_t cap = r->cap ? r->cap : 4096;
      while (cap < r->len + n + 1)
        cap *= 2;
      char *b = realloc(r->body, cap);
      if (!b)
        return MHD_NO;
      r->body = b;
      r->cap = cap;
    }
    memcpy(r->body + r->len, upload, n);
    r->len += n;
    r->body[r->len] = '\0';
    return MHD_YES;
  }
  if (r->answered)
    return MHD_YES;
  r->answered = 1;
  return dispatch(conn, url, method, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
  struct req *r = *con_cls;
  (void)cls;
  (void)conn;
  (void)toe;
  if (r) {
    free(r->body);
    free(r);
    *con_cls = NULL;
  }
}

/* }====== */

/* {====== command line and main ====== */

/* MHD's own messages, prefixed so a test log says where they come from.
   Its complaints about our returning MHD_NO or a reader error are the
   stall, close and truncated faults working, not news. */
__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
  char m[512];
  (void)cls;
  vsnprintf(m, sizeof m, fmt, ap);
  if (!strstr(m, "pplication reported"))
    fprintf(stderr, PROG ": mhd: %s%s", m,
            *m && m[strlen(m) - 1] == '\n' ? "" : "\n");
}

static const char usage_text[] =
  "usage: " PROG " [--port N] [--port-file FILE] [--latency MS] "
  "[--jitter MS]\n"
  "         [--seed S] [--require-key KEY] [--log FILE] [--fail-500 PCT]\n"
  "         [--fail-429 PCT] [--stall PCT] [--malformed PCT]\n"
  "         [--retry-after SECONDS] [--stall-ms MS] [--quiet]\n"
  "An OpenAI- and Anthropic-compatible test server on 127.0.0.1; see\n"
  "tests/server/README.md.\n";

static void usage_error(const char *what, const char *arg)
{
  fprintf(stderr, PROG ": %s '%s'\n%s", what, arg, usage_text);
  exit(2);
}

static long int_arg(const char *name, const char *s, long lo, long hi)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) {
    fprintf(stderr, PROG ": %s: expected an integer from %ld to %ld, "
            "got '%s'\n", name, lo, hi, s);
    exit(2);
  }
  return v;
}

static double pct_arg(const char *name, const char *s)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !(v >= 0 && v <= 100)) {
    fprintf(stderr, PROG ": %s: expected a percentage from 0 to 100, "
            "got '%s'\n", name, s);
    exit(2);
  }
  return v;
}

static void parse_args(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = NULL;
    char name[32];
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    if (n >= sizeof name)
      usage_error("unknown option", a);
    memcpy(name, a, n);
    name[n] = '\0';
    if (!strcmp(name, "--quiet") && !eq) {
      opt.quiet = 1;
      continue;
    }
    if ((!strcmp(name, "--help") || !strcmp(name, "-h")) && !eq) {
      fputs(usage_text, stdout);
      exit(0);
    }
    static const char valued[] =
      " --port --port-file --latency --jitter --seed --require-key --log"
      " --fail-500 --fail-429 --stall --malformed --retry-after --stall-ms ";
    char key[40];
    snprintf(key, sizeof key, " %s ", name);
    if (name[0] != '-' || !strstr(valued, key))
      usage_error("unknown option", a);
    if (eq)
      v = eq + 1;
    else if (i + 1 < argc)
      v = argv[++i];
    else
      usage_error("missing value for", a);
    if (!strcmp(name, "--port"))
      opt.port = (unsigned)int_arg(name, v, 0, 65535);
    else if (!strcmp(name, "--port-file"))
      opt.port_file = v;
    else if (!strcmp(name, "--latency"))
      opt.latency_ms = int_arg(name, v, 0, MS_MAX);
    else if (!strcmp(name, "--jitter"))
      opt.jitter_ms = int_arg(name, v, 0, MS_MAX);
    else if (!strcmp(name, "--seed")) {
      char *end;
      errno = 0;
      opt.seed = strtoull(v, &end, 10);
      if (errno || end == v || *end || *v == '-')
        usage_error("--seed: expected an unsigned integer, got", v);
    } else if (!strcmp(name, "--require-key")) {
      if (!*v)
        usage_error("--require-key: expected a key, got", v);
      opt.key = v;
    } else if (!strcmp(name, "--log"))
      opt.log_path = v;
    else if (!strcmp(name, "--fail-500"))
      opt.p500 = pct_arg(name, v);
    else if (!strcmp(name, "--fail-429"))
      opt.p429 = pct_arg(name, v);
    else if (!strcmp(name, "--stall"))
      opt.pstall = pct_arg(name, v);
    else if (!strcmp(name, "--malformed"))
      opt.pmalformed = pct_arg(name, v);
    else if (!strcmp(name, "--retry-after"))
      opt.retry_after_s = int_arg(name, v, 0, 86400);
    else if (!strcmp(name, "--stall-ms"))
      opt.stall_ms = int_arg(name, v, 0, MS_MAX);
    else
      usage_error("unknown option", a);
  }
  if (opt.p500 + opt.p429 + opt.pstall + opt.pmalformed > 100.0) {
    fprintf(stderr, PROG ": random fault percentages add up to more than "
            "100\n");
    exit(2);
  }
}

/* Write the port through a temporary file and rename(2), so a reader sees
   either no file or the whole number. */
static int write_port_file(const char *path, unsigned port)
{
  size_t n = strlen(path) + 32;
  char *tmp = malloc(n);
  if (!tmp)
    return -1;
  snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  int ok = f && fprintf(f, "%u\n", port) > 0;
  if (f && fclose(f) != 0)
    ok = 0;
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    free(tmp);
    errno = e;
    return -1;
  }
  free(tmp);
  return 0;
}

int main(int argc, char **argv)
{
  struct MHD_Daemon *d = NULL;
  int status = 1;

  parse_args(argc, argv);
  for (size_t i = 0; i < sizeof pattern; i++)
    pattern[i] = "huge "[i % 5];
  reseed();

  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&stop_cv, &ca);
  pthread_condattr_destroy(&ca);

  if (opt.log_path && !(st.log = fopen(opt.log_path, "a"))) {
    fprintf(stderr, PROG ": %s: %s\n", opt.log_path, strerror(errno));
    goto out;
  }

  /* Block the stop signals before MHD starts its threads, which inherit
     the mask: only sigwait() below ever sees them. */
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  struct sigaction ign;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, NULL);

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)opt.port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  d = MHD_start_daemon(
    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD
      | MHD_USE_POLL | (opt.quiet ? 0 : MHD_USE_ERROR_LOG),
    0, NULL, NULL, on_request, NULL,
    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, /* first, as MHD asks */
    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
    MHD_OPTION_THREAD_STACK_SIZE, (size_t)(1u << 20),
    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
    MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, PROG ": cannot listen on 127.0.0.1:%u\n", opt.port);
    goto out;
  }
  const union MHD_DaemonInfo *info =
    MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = info ? info->port : opt.port;
  if (opt.port_file && write_port_file(opt.port_file, port) < 0) {
    fprintf(stderr, PROG ": %s: %s\n", opt.port_file, strerror(errno));
    goto out;
  }
  printf(PROG " listening on http://127.0.0.1:%u\n", port);
  fflush(stdout);

  int sig;
  while (sigwait(&sigs, &sig) != 0)
    ;
  status = 0;
out:
  stop_all();
  if (d)
    MHD_stop_daemon(d);
  if (!opt.quiet && status == 0)
    fprintf(stderr, PROG ": stopped after %llu requests\n",
            (unsigned long long)st.requests);
  if (st.log)
    fclose(st.log);
  free(st.att_keys);
  free(st.att_vals);
  pthread_cond_destroy(&stop_cv);
  return status;
}

/* }====== */
