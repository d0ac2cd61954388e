/* SPDX-License-Identifier: MIT */
/*
 * embed.c: batches texts into {"model": M, "input": [...]} requests to an
 * OpenAI-compatible embeddings endpoint and checks each answer before any
 * vector is used: one vector per text (placed by its "index"), numbers
 * only, every vector of one length. The request body is built as texts
 * arrive; the response is parsed once per batch.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend_http.h"
#include "buf.h"
#include "embed.h"
#include "json.h"
#include "xalloc.h"

#define MAX_BODY ((size_t)16 << 20)
#define MAX_RESPONSE ((size_t)256 << 20)
#define RETRIES 5

struct ys_embed {
  char *url;          /* the endpoint */
  char *model;
  char *key_env;
  int batch;
  long timeout_ms;
  ys_embed_cb cb;
  void *ud;
  ys_buf body;        /* the request being built */
  ys_buf resp;
  uint64_t *tags;     /* of the texts queued */
  int n;
  float *v;           /* one vector, for the callback */
  size_t dims;
  uint64_t count;
};

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

ys_err ys_embed_new(const ys_embed_opts *o, ys_embed_cb cb, void *ud,
                    ys_embed **out, ys_diag *diag)
{
  *out = NULL;
  if(!o->url || (strncmp(o->url, "http://", 7) &&
                 strncmp(o->url, "https://", 8)))
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "embeddings URL '%s': "
                   "expected http(s)://HOST[:PORT]/v1",
                   o->url ? o->url : "");
  if(!o->model || !o->model[0])
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "embeddings need a model "
                   "name (--embed-model)");
  if(o->batch < 1 || o->batch > YS_EMBED_MAX_BATCH)
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "embeddings batch %d: "
                   "expected 1 to %d texts", o->batch, YS_EMBED_MAX_BATCH);
  ys_embed *e = ys_xcalloc(1, sizeof(*e));
  if(ends_with(o->url, "/embeddings"))
    e->url = ys_xstrdup(o->url);
  else
    e->url = ys_xasprintf("%s%sembeddings", o->url,
                          ends_with(o->url, "/") ? "" : "/");
  e->model = ys_xstrdup(o->model);
  e->key_env = o->key_env && o->key_env[0] ? ys_xstrdup(o->key_env) : NULL;
  e->batch = o->batch;
  e->timeout_ms = o->timeout_ms;
  e->cb = cb;
  e->ud = ud;
  ys_buf_init(&e->body, MAX_BODY);
  ys_buf_init(&e->resp, MAX_RESPONSE);
  e->tags = ys_xmalloc((size_t)o->batch * sizeof(uint64_t));
  *out = e;
  return YS_OK;
}

void ys_embed_free(ys_embed *e)
{
  if(!e)
    return;
  free(e->url);
  free(e->model);
  free(e->key_env);
  ys_buf_free(&e->body);
  ys_buf_free(&e->resp);
  free(e->tags);
  free(e->v);
  free(e);
}

uint64_t ys_embed_count(const ys_embed *e)
{
  return e->count;
}

size_t ys_embed_dims(const ys_embed *e)
{
  return e->dims;
}

/* The start of a request: {"model":"M","input":[ */
static ys_err begin(ys_embed *e)
{
  ys_buf_reset(&e->body);
  ys_err err = ys_buf_adds(&e->body, "{\"model\":");
  if(!err)
    err = ys_json_append_string(&e->body, e->model, strlen(e->model));
  if(!err)
    err = ys_buf_adds(&e->body, ",\"input\":[");
  return err;
}

/* What an error answer says: OpenAI's error.message, else the start of
 * the body (control characters blanked). */
static void error_text(const ys_buf *b, char *out, size_t len)
{
  cJSON *doc = cJSON_ParseWithLength(ys_buf_str(b), b->len);
  const cJSON *er = cJSON_GetObjectItemCaseSensitive(doc, "error");
  const cJSON *msg = cJSON_IsString(er) ? er
                     : cJSON_GetObjectItemCaseSensitive(er, "message");
  const char *s = cJSON_IsString(msg) ? msg->valuestring : ys_buf_str(b);
  size_t i = 0;
  for(; s[i] && i + 1 < len && i < 200; i++)
    out[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
  out[i] = '\0';
  cJSON_Delete(doc);
}

/* Checks the response to a batch of e->n texts and hands each vector to
 * the callback, in the order the texts were queued. */
static ys_err deliver(ys_embed *e, ys_diag *diag)
{
  ys_err err = YS_OK;
  cJSON *doc = cJSON_ParseWithLength(ys_buf_str(&e->resp), e->resp.len);
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
  const cJSON **at = ys_xcalloc((size_t)e->n, sizeof(*at));
  const char *bad = NULL;
  if(!doc)
    bad = "a body that is not JSON";
  else if(!cJSON_IsArray(data))
    bad = "no \"data\" array";
  else if(cJSON_GetArraySize(data) != e->n)
    bad = "another number of vectors than texts sent";
  int pos = 0;
  for(const cJSON *d = data ? data->child : NULL; !bad && d; d = d->next) {
    const cJSON *ix = cJSON_GetObjectItemCaseSensitive(d, "index");
    int i = pos++;
    if(cJSON_IsNumber(ix)) {
      if(ix->valuedouble < 0 || ix->valuedouble >= e->n ||
         ix->valuedouble != floor(ix->valuedouble)) {
        bad = "an \"index\" out of range";
        break;
      }
      i = (int)ix->valuedouble;
    }
    if(at[i]) {
      bad = "two vectors for one text";
      break;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "embedding");
    int n = cJSON_GetArraySize(v);
    if(!cJSON_IsArray(v) || n < 1 || n > YS_EMBED_MAX_DIMS)
      bad = "an item without an \"embedding\" array of numbers";
    else if(e->dims && (size_t)n != e->dims)
      bad = "vectors of different lengths";
    else if(!e->dims) {
      e->dims = (size_t)n;
      e->v = ys_xmalloc(e->dims * sizeof(float));
    }
    at[i] = v;
  }
  for(int i = 0; !bad && !err && i < e->n; i++) {
    size_t k = 0;
    for(const cJSON *x = at[i]->child; x; x = x->next, k++) {
      if(!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
        bad = "an embedding value that is not a number";
        break;
      }
      e->v[k] = (float)x->valuedouble;
    }
    if(!bad) {
      err = e->cb(e->ud, e->tags[i], e->v, e->dims, diag);
      e->count++;
    }
  }
  if(bad)
    err = ys_fail(diag, YS_ERR_MODEL, NULL, 0, "%s answered %s (expected "
                  "{\"data\": [{\"embedding\": [numbers...]}, ...]}, one "
                  "per text)", e->url, bad);
  free(at);
  cJSON_Delete(doc);
  return err;
}

ys_err ys_embed_flush(ys_embed *e, ys_diag *diag)
{
  if(!e->n)
    return YS_OK;
  ys_err err = ys_buf_adds(&e->body, "]}");
  if(err)
    return ys_fail(diag, err, NULL, 0, "embeddings request too large");
  ys_http_post_opts o = { e->url, e->body.data, e->body.len, e->key_env,
                          e->timeout_ms, RETRIES };
  long status;
  err = ys_http_post(&o, &status, &e->resp, diag);
  if(err == YS_ERR_TOOBIG)
    err = YS_ERR_MODEL;
  if(!err && (status < 200 || status > 299)) {
    char why[256];
    error_text(&e->resp, why, sizeof(why));
    err = ys_fail(diag, YS_ERR_MODEL, NULL, 0, "%ld from %s: %s", status,
                  e->url, why[0] ? why : "no reason given");
  }
  if(!err)
    err = deliver(e, diag);
  e->n = 0;
  ys_buf_reset(&e->body);
  ys_buf_reset(&e->resp);
  return err;
}

ys_err ys_embed_add(ys_embed *e, const char *s, size_t len, uint64_t tag,
                    ys_diag *diag)
{
  /* A JSON string can take six bytes a byte (\u00XX); room for the
   * closing "]}" too. */
  if(len > (MAX_BODY - 256) / 6)
    return ys_fail(diag, YS_ERR_TOOBIG, NULL, 0, "a text of %zu bytes is "
                   "too long to embed (at most %zu)", len,
                   (MAX_BODY - 256) / 6);
  if(e->n && e->body.len + len * 6 + 16 > MAX_BODY) {
    ys_err err = ys_embed_flush(e, diag);
    if(err)
      return err;
  }
  ys_err err = e->n ? ys_buf_addc(&e->body, ',') : begin(e);
  if(!err)
    err = ys_json_append_string(&e->body, s, len);
  if(err)
    return ys_fail(diag, err, NULL, 0, "embeddings request too large");
  e->tags[e->n++] = tag;
  return e->n == e->batch ? ys_embed_flush(e, diag) : YS_OK;
}
