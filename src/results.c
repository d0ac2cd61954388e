/* SPDX-License-Identifier: MIT */
/*
 * results.c: reading a run directory back. summary.json gives the models
 * and metric keys (and what kind each key is); samples.jsonl gives every
 * task's scores, output and error, read line by line.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "results.h"
#include "xalloc.h"
#include "yardstick.h"

/* Reads a whole JSON file of the run. */
static ys_err read_json(const char *dir, const char *name, cJSON **out,
                        ys_diag *diag)
{
  char *path = ys_xasprintf("%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  ys_err err = YS_OK;
  ys_buf b;
  ys_buf_init(&b, (size_t)256 << 20);
  if(!f)
    err = ys_fail(diag, YS_ERR_USAGE, path, 0, "cannot open: %s (is %s a "
                  "finished run directory?)", strerror(errno), dir);
  else {
    char chunk[65536];
    size_t n;
    while(!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
      if(ys_buf_add(&b, chunk, n))
        err = ys_fail(diag, YS_ERR_TOOBIG, path, 0, "larger than 256 MiB");
    if(!err && ferror(f))
      err = ys_fail(diag, YS_ERR_IO, path, 0, "cannot read: %s",
                    strerror(errno));
    fclose(f);
  }
  if(!err) {
    *out = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
    if(!cJSON_IsObject(*out)) {
      cJSON_Delete(*out);
      *out = NULL;
      err = ys_fail(diag, YS_ERR_DATA, path, 0, "not a JSON object");
    }
  }
  ys_buf_free(&b);
  free(path);
  return err;
}

static const cJSON *get(const cJSON *o, const char *k)
{
  return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Models and keys from summary.json. */
static ys_err read_layout(ys_results *r, const char *path, ys_diag *diag)
{
  const cJSON *models = get(r->summary, "models");
  if(!cJSON_IsArray(models) || !cJSON_GetArraySize(models))
    return ys_fail(diag, YS_ERR_DATA, path, 0, "no models in the summary");
  r->nmodels = (size_t)cJSON_GetArraySize(models);
  r->models = ys_xcalloc(r->nmodels, sizeof(char *));
  size_t i = 0;
  for(const cJSON *m = models->child; m; m = m->next, i++) {
    const cJSON *name = get(m, "name");
    if(!cJSON_IsString(name))
      return ys_fail(diag, YS_ERR_DATA, path, 0, "a model without a name");
    r->models[i] = ys_xstrdup(name->valuestring);
  }
  const cJSON *metrics = get(models->child, "metrics");
  r->nkeys = (size_t)cJSON_GetArraySize(metrics);
  r->keys = ys_xcalloc(r->nkeys + 1, sizeof(char *));
  r->binary = ys_xcalloc(r->nkeys + 1, sizeof(int));
  i = 0;
  for(const cJSON *e = metrics ? metrics->child : NULL; e; e = e->next, i++) {
    r->keys[i] = ys_xstrdup(e->string);
    const cJSON *kind = get(e, "kind");
    r->binary[i] = cJSON_IsString(kind) && !strcmp(kind->valuestring,
                                                   "binary");
  }
  return YS_OK;
}

long ys_results_model(const ys_results *r, const char *name)
{
  for(size_t i = 0; i < r->nmodels; i++)
    if(!strcmp(r->models[i], name))
      return (long)i;
  return -1;
}

long ys_results_key(const ys_results *r, const char *key)
{
  for(size_t i = 0; i < r->nkeys; i++)
    if(!strcmp(r->keys[i], key))
      return (long)i;
  return -1;
}

const double *ys_results_column(const ys_results *r, size_t m, size_t k)
{
  return r->values + (m * r->nkeys + k) * r->ntasks;
}

/* One line of samples.jsonl, parsed. */
typedef struct line_rec {
  cJSON *o;
  size_t model, task;
} line_rec;

static char *output_text(const cJSON *out)
{
  if(!out || cJSON_IsNull(out))
    return NULL;
  char *t = cJSON_IsString(out) ? ys_xstrdup(out->valuestring)
                                : cJSON_PrintUnformatted(out);
  if(t && strlen(t) > YS_RESULTS_OUTPUT_MAX) {
    /* Cut on a UTF-8 character boundary. */
    size_t n = YS_RESULTS_OUTPUT_MAX;
    while(n && ((unsigned char)t[n] & 0xC0) == 0x80)
      n--;
    /* The ellipsis can need more room than the bytes it replaces. */
    t = ys_xrealloc(t, n + 4);
    memcpy(t + n, "\xe2\x80\xa6", 4); /* an ellipsis and the NUL */
  }
  return t;
}

static ys_err read_samples(ys_results *r, ys_diag *diag)
{
  char *path = ys_xasprintf("%s/samples.jsonl", r->dir);
  FILE *f = fopen(path, "rb");
  if(!f) {
    ys_err e = ys_fail(diag, YS_ERR_USAGE, path, 0, "cannot open: %s",
                       strerror(errno));
    free(path);
    return e;
  }
  ys_idmap *ids = ys_idmap_new();
  line_rec *recs = NULL;
  size_t nrec = 0, arec = 0, atask = 0;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  long lineno = 0;
  ys_err err = YS_OK;
  while(!err && (len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    int torn = !len || line[len - 1] != '\n';
    while(len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if(!len)
      continue;
    cJSON *o = cJSON_ParseWithLength(line, (size_t)len);
    if(!o) {
      err = ys_fail(diag, YS_ERR_DATA, path, lineno, torn ? "invalid JSON: "
                    "unexpected end of line (the file was cut short)"
                    : "invalid JSON");
      break;
    }
    const cJSON *id = get(o, "id"), *model = get(o, "model");
    const cJSON *rep = get(o, "repeat");
    if(!cJSON_IsObject(o) || !cJSON_IsString(id) || !cJSON_IsString(model)) {
      cJSON_Delete(o);
      err = ys_fail(diag, YS_ERR_DATA, path, lineno, "expected a JSON object "
                    "with id and model");
      break;
    }
    long m = ys_results_model(r, model->valuestring);
    if(m < 0) {
      err = ys_fail(diag, YS_ERR_DATA, path, lineno, "model '%s' is not in "
                    "summary.json", model->valuestring);
      cJSON_Delete(o); /* after the message: it names a string of o */
      break;
    }
    int repeat = cJSON_IsNumber(rep) ? (int)rep->valuedouble : 1;
    char *key = ys_xasprintf("%s%c%d", id->valuestring, '\0', repeat);
    size_t klen = strlen(id->valuestring) + 1 + strlen(key +
                  strlen(id->valuestring) + 1);
    uint64_t t = r->ntasks;
    if(ys_idmap_put(ids, key, klen, t, &t)) {
      if(r->ntasks == atask) {
        atask = atask ? atask * 2 : 1024;
        r->task_ids = ys_xrealloc(r->task_ids, atask * sizeof(char *));
        r->task_repeat = ys_xrealloc(r->task_repeat, atask * sizeof(int));
      }
      r->task_ids[r->ntasks] = ys_xstrdup(id->valuestring);
      r->task_repeat[r->ntasks] = repeat;
      r->ntasks++;
    }
    free(key);
    if(nrec == arec) {
      arec = arec ? arec * 2 : 1024;
      recs = ys_xrealloc(recs, arec * sizeof(line_rec));
    }
    /* Keep only what is needed: drop the rest of the line now. */
    cJSON *keep = cJSON_CreateObject();
    const char *fields[] = { "scores", "output", "error", "cost",
                             "latency_ms" };
    for(int i = 0; i < 5; i++) {
      cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(o, fields[i]);
      if(v)
        cJSON_AddItemToObject(keep, fields[i], v);
    }
    cJSON_Delete(o);
    recs[nrec++] = (line_rec){ keep, (size_t)m, (size_t)t };
  }
  if(!err && ferror(f))
    err = ys_fail(diag, YS_ERR_IO, path, 0, "cannot read: %s",
                  strerror(errno));
  free(line);
  fclose(f);
  ys_idmap_free(ids);
  if(!err && !r->ntasks)
    err = ys_fail(diag, YS_ERR_DATA, path, 0, "no samples in the run");
  if(!err) {
    size_t cells = r->nmodels * r->ntasks;
    r->values = ys_xmalloc((r->nmodels * r->nkeys * r->ntasks + 1) *
                           sizeof(double));
    for(size_t i = 0; i < r->nmodels * r->nkeys * r->ntasks; i++)
      r->values[i] = NAN;
    r->present = ys_xcalloc(cells + 1, 1);
    r->tasks = ys_xcalloc(cells + 1, sizeof(ys_task_result));
    for(size_t i = 0; i < nrec; i++) {
      const line_rec *lr = &recs[i];
      size_t cell = lr->model * r->ntasks + lr->task;
      r->present[cell] = 1;
      ys_task_result *tr = &r->tasks[cell];
      tr->output = output_text(get(lr->o, "output"));
      const cJSON *e = get(lr->o, "error");
      tr->error = cJSON_IsString(e) ? ys_xstrdup(e->valuestring) : NULL;
      const cJSON *c = get(lr->o, "cost"), *l = get(lr->o, "latency_ms");
      tr->cost = cJSON_IsNumber(c) ? c->valuedouble : NAN;
      tr->latency_ms = cJSON_IsNumber(l) ? l->valuedouble : NAN;
      const cJSON *sc = get(lr->o, "scores");
      for(size_t k = 0; k < r->nkeys; k++) {
        const cJSON *v = get(sc, r->keys[k]);
        if(cJSON_IsNumber(v))
          r->values[(lr->model * r->nkeys + k) * r->ntasks + lr->task] =
            v->valuedouble;
      }
    }
  }
  for(size_t i = 0; i < nrec; i++)
    cJSON_Delete(recs[i].o);
  free(recs);
  free(path);
  return err;
}

ys_err ys_results_open(const char *dir, ys_results **out, ys_diag *diag)
{
  ys_diag_clear(diag);
  *out = NULL;
  ys_results *r = ys_xcalloc(1, sizeof(*r));
  size_t dl = strlen(dir);
  while(dl > 1 && dir[dl - 1] == '/')
    dl--;
  r->dir = ys_xstrndup(dir, dl);
  char *spath = ys_xasprintf("%s/summary.json", r->dir);
  ys_err err = read_json(r->dir, "manifest.json", &r->manifest, diag);
  if(!err)
    err = read_json(r->dir, "summary.json", &r->summary, diag);
  if(!err)
    err = read_layout(r, spath, diag);
  if(!err)
    err = read_samples(r, diag);
  free(spath);
  if(err) {
    ys_results_free(r);
    return err;
  }
  const cJSON *seed = get(get(r->manifest, "options"), "seed");
  r->seed = cJSON_IsNumber(seed) ? (uint64_t)seed->valuedouble : 1;
  r->cols = ys_xcalloc(r->nmodels * r->nkeys + 1, sizeof(ys_column));
  for(size_t m = 0; m < r->nmodels; m++)
    for(size_t k = 0; k < r->nkeys; k++)
      r->cols[m * r->nkeys + k] = ys_column_view(ys_results_column(r, m, k),
                                                 r->ntasks);
  r->present_rows = ys_xcalloc(r->nmodels + 1, sizeof(unsigned char *));
  for(size_t m = 0; m < r->nmodels; m++)
    r->present_rows[m] = r->present + m * r->ntasks;
  r->scores = (ys_scores){
    r->nmodels, r->nkeys, r->ntasks, (const char *const *)r->models,
    (const char *const *)r->keys, r->binary, r->cols,
    (const unsigned char *const *)r->present_rows
  };
  *out = r;
  return YS_OK;
}

void ys_results_free(ys_results *r)
{
  if(!r)
    return;
  cJSON_Delete(r->manifest);
  cJSON_Delete(r->summary);
  for(size_t i = 0; i < r->nmodels; i++)
    free(r->models[i]);
  free(r->models);
  for(size_t i = 0; i < r->nkeys; i++)
    free(r->keys[i]);
  free(r->keys);
  free(r->binary);
  for(size_t t = 0; t < r->ntasks; t++)
    free(r->task_ids[t]);
  free(r->task_ids);
  free(r->task_repeat);
  for(size_t i = 0; r->tasks && i < r->nmodels * r->ntasks; i++) {
    free(r->tasks[i].output);
    free(r->tasks[i].error);
  }
  free(r->tasks);
  free(r->values);
  free(r->present);
  free(r->cols);
  free(r->present_rows);
  free(r->dir);
  free(r);
}

const char *ys_results_dir(const ys_results *r)
{
  return r->dir;
}
