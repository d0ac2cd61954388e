/* SPDX-License-Identifier: MIT */
/*
 * compare.c: `yardstick compare`: two runs of a suite (before and after)
 * or the models within one run, compared on the samples they share, per
 * metric: the difference with its interval and p-value (paired: McNemar
 * or paired bootstrap, Holm-adjusted over every comparison shown), and
 * the samples where they disagree, regressions first. Builds a JSON
 * document; rendering it as text is the last step.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "paired.h"
#include "results.h"
#include "stats.h"
#include "xalloc.h"
#include "yardstick.h"

/* One comparison: model ma of run ra against model mb of run rb, on key
 * (a key index in each run), over tasks ta[i] / tb[i]. */
typedef struct side {
  const ys_results *r;
  size_t model, key;
} side;

static const char *dataset_sha(const ys_results *r)
{
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(r->manifest, "dataset"), "sha256");
  return cJSON_IsString(s) ? s->valuestring : "";
}

static void add_num(cJSON *o, const char *k, double x)
{
  if(isnan(x) || isinf(x))
    cJSON_AddNullToObject(o, k);
  else
    cJSON_AddNumberToObject(o, k, round(x * 1e9) / 1e9);
}

static void add_score(cJSON *o, const char *k, double x, int present)
{
  if(!present)
    cJSON_AddStringToObject(o, k, "missing");
  else
    add_num(o, k, x);
}

/* A task's output, or its error as "error: ...". */
static void add_output(cJSON *o, const char *k, const ys_task_result *t)
{
  if(t->error) {
    char *e = ys_xasprintf("error: %s", t->error);
    cJSON_AddStringToObject(o, k, e);
    free(e);
  }
  else
    cJSON_AddStringToObject(o, k, t->output ? t->output : "");
}

typedef struct disagreement {
  size_t i;      /* index into the aligned tasks */
  double delta;  /* b - a; regressions (negative) first */
} disagreement;

static int cmp_dis(const void *x, const void *y)
{
  const disagreement *a = x, *b = y;
  if(a->delta != b->delta)
    return a->delta < b->delta ? -1 : 1;
  return a->i < b->i ? -1 : a->i > b->i;
}

/* Compares a and b over n aligned tasks (ta, tb: task indices in each
 * run). Adds the comparison object to list; returns its raw p-value. */
static double compare_one(side a, side b, const size_t *ta,
                          const size_t *tb, size_t n, int binary,
                          uint64_t seed, size_t show, cJSON *o)
{
  double *va = ys_xmalloc((n + 1) * sizeof(double));
  double *vb = ys_xmalloc((n + 1) * sizeof(double));
  unsigned char *pa = ys_xmalloc(n + 1), *pb = ys_xmalloc(n + 1);
  const double *ca = ys_results_column(a.r, a.model, a.key);
  const double *cb = ys_results_column(b.r, b.model, b.key);
  for(size_t i = 0; i < n; i++) {
    va[i] = ca[ta[i]];
    vb[i] = cb[tb[i]];
    pa[i] = a.r->present[a.model * a.r->ntasks + ta[i]];
    pb[i] = b.r->present[b.model * b.r->ntasks + tb[i]];
  }
  /* Paired on "after minus before": b's column first. */
  ys_paired p;
  ys_paired_compare(vb, pb, va, pa, n, binary, 0.95,
                    ys_paired_seed(seed, a.r->models[a.model],
                                   b.r->models[b.model],
                                   a.r->keys[a.key]), &p);
  cJSON_AddStringToObject(o, "method", p.method);
  cJSON_AddNumberToObject(o, "n", (double)p.n);
  add_num(o, "a", p.mean_b);
  add_num(o, "b", p.mean_a);
  add_num(o, "diff", p.diff);
  if(!isnan(p.lo)) {
    cJSON *ci = cJSON_AddArrayToObject(o, "diff_ci95");
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(round(p.lo * 1e9) / 1e9));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(round(p.hi * 1e9) / 1e9));
  }
  cJSON_AddNumberToObject(o, "better", (double)p.wins);
  cJSON_AddNumberToObject(o, "worse", (double)p.losses);
  cJSON_AddNumberToObject(o, "p", p.p); /* unrounded: tiny stays tiny */
  /* The samples where they differ, regressions first. */
  disagreement *d = ys_xmalloc((n + 1) * sizeof(disagreement));
  size_t nd = 0;
  for(size_t i = 0; i < n; i++) {
    if(!pa[i] || !pb[i])
      continue;
    double x = va[i], y = vb[i];
    if(binary) {
      x = isnan(x) ? 0 : x > 0;
      y = isnan(y) ? 0 : y > 0;
    }
    else if(isnan(x) != isnan(y)) {
      /* One side unscored: list it, as a regression when b lost it. */
      d[nd++] = (disagreement){ i, isnan(y) ? -INFINITY : INFINITY };
      continue;
    }
    if(x != y && !(isnan(x) && isnan(y)))
      d[nd++] = (disagreement){ i, y - x };
  }
  qsort(d, nd, sizeof(*d), cmp_dis);
  cJSON_AddNumberToObject(o, "disagreements", (double)nd);
  cJSON *list = cJSON_AddArrayToObject(o, "samples");
  for(size_t j = 0; j < nd && j < show; j++) {
    size_t i = d[j].i;
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "id", a.r->task_ids[ta[i]]);
    if(a.r->task_repeat[ta[i]] > 1)
      cJSON_AddNumberToObject(s, "repeat", a.r->task_repeat[ta[i]]);
    double x = va[i], y = vb[i];
    if(binary) { /* as counted: an unscored task fails */
      x = isnan(x) ? 0 : x > 0;
      y = isnan(y) ? 0 : y > 0;
    }
    add_score(s, "a_score", x, 1);
    add_score(s, "b_score", y, 1);
    add_output(s, "a_output", &a.r->tasks[a.model * a.r->ntasks + ta[i]]);
    add_output(s, "b_output", &b.r->tasks[b.model * b.r->ntasks + tb[i]]);
    cJSON_AddItemToArray(list, s);
  }
  free(d);
  free(va);
  free(vb);
  free(pa);
  free(pb);
  return p.p;
}

/* The tasks two runs share, by (id, repeat): ta[i] in a, tb[i] in b. */
static size_t align(const ys_results *a, const ys_results *b, size_t **ta,
                    size_t **tb)
{
  ys_idmap *m = ys_idmap_new();
  ys_buf key;
  ys_buf_init(&key, 1 << 20);
  for(size_t t = 0; t < b->ntasks; t++) {
    key.len = 0;
    if(!ys_buf_adds(&key, b->task_ids[t]) && !ys_buf_addc(&key, '\0') &&
       !ys_buf_addf(&key, "%d", b->task_repeat[t]))
      ys_idmap_put(m, key.data, key.len, t, NULL);
  }
  *ta = ys_xmalloc((a->ntasks + 1) * sizeof(size_t));
  *tb = ys_xmalloc((a->ntasks + 1) * sizeof(size_t));
  size_t n = 0;
  for(size_t t = 0; t < a->ntasks; t++) {
    key.len = 0;
    uint64_t j;
    if(!ys_buf_adds(&key, a->task_ids[t]) && !ys_buf_addc(&key, '\0') &&
       !ys_buf_addf(&key, "%d", a->task_repeat[t]) &&
       ys_idmap_get(m, key.data, key.len, &j)) {
      (*ta)[n] = t;
      (*tb)[n++] = (size_t)j;
    }
  }
  ys_buf_free(&key);
  ys_idmap_free(m);
  return n;
}

ys_err ys_compare(const ys_results *a, const ys_results *b,
                  const ys_compare_opts *opts, char **json, ys_diag *diag)
{
  ys_diag_clear(diag);
  *json = NULL;
  int within = b == NULL;
  if(within)
    b = a;
  const char *sa = dataset_sha(a), *sb = dataset_sha(b);
  if(!within && strcmp(sa, sb) && !opts->force)
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "the runs used different "
                   "datasets (sha256 %.12s vs %.12s): --force compares the "
                   "samples they share", sa, sb);
  size_t *ta, *tb, n;
  if(within) {
    n = a->ntasks;
    ta = ys_xmalloc((n + 1) * sizeof(size_t));
    tb = ys_xmalloc((n + 1) * sizeof(size_t));
    for(size_t t = 0; t < n; t++)
      ta[t] = tb[t] = t;
  }
  else
    n = align(a, b, &ta, &tb);
  if(!n) {
    free(ta);
    free(tb);
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "the runs share no sample: "
                   "nothing to compare");
  }
  /* The pairs of sides: within a run, each model against each later one
   * (or the two named); across runs, each model of both against itself
   * (or the one named in both, or the two named). */
  typedef struct pair {
    size_t ma, mb;
  } pair;
  pair *pairs = ys_xcalloc(a->nmodels * b->nmodels + 1, sizeof(pair));
  size_t np = 0;
  ys_err err = YS_OK;
  const char *m1 = opts->model_a, *m2 = opts->model_b ? opts->model_b
                                                      : opts->model_a;
  if(m1 && within && !opts->model_b)
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "compare with one run needs "
                  "two models: --models A,B");
  else if(m1) {
    long x = ys_results_model(a, m1), y = ys_results_model(b, m2);
    if(x < 0 || y < 0 || (within && x == y))
      err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "no model '%s' to compare "
                    "%s", x < 0 ? m1 : m2, within && x == y && x >= 0 ?
                    "with itself" : "in the run");
    else
      pairs[np++] = (pair){ (size_t)x, (size_t)y };
  }
  else if(within)
    for(size_t x = 0; x < a->nmodels; x++)
      for(size_t y = x + 1; y < a->nmodels; y++)
        pairs[np++] = (pair){ x, y };
  else
    for(size_t x = 0; x < a->nmodels; x++) {
      long y = ys_results_model(b, a->models[x]);
      if(y >= 0)
        pairs[np++] = (pair){ x, (size_t)y };
    }
  if(!err && !np)
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, within ? "the run has one "
                  "model: name a second run to compare with" : "the runs "
                  "have no model in common: name the two with --models "
                  "A,B");
  if(opts->metric && !err && ys_results_key(a, opts->metric) < 0)
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "no metric '%s' in the run",
                  opts->metric);
  if(err) {
    free(pairs);
    free(ta);
    free(tb);
    return err;
  }
  cJSON *doc = cJSON_CreateObject();
  cJSON_AddStringToObject(doc, "a", a->dir);
  if(!within)
    cJSON_AddStringToObject(doc, "b", b->dir);
  cJSON_AddBoolToObject(doc, "within_run", within);
  cJSON_AddNumberToObject(doc, "common", (double)n);
  cJSON_AddNumberToObject(doc, "only_a", (double)(a->ntasks - n));
  cJSON_AddNumberToObject(doc, "only_b", (double)(b->ntasks - n));
  cJSON_AddBoolToObject(doc, "same_dataset", !strcmp(sa, sb));
  cJSON *list = cJSON_AddArrayToObject(doc, "comparisons");
  double *ps = ys_xcalloc(np * a->nkeys + 1, sizeof(double));
  cJSON **objs = ys_xcalloc(np * a->nkeys + 1, sizeof(cJSON *));
  size_t nc = 0;
  for(size_t i = 0; i < np; i++)
    for(size_t k = 0; k < a->nkeys; k++) {
      if(opts->metric && strcmp(a->keys[k], opts->metric))
        continue;
      long kb = ys_results_key(b, a->keys[k]);
      if(kb < 0)
        continue;
      cJSON *o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, "metric", a->keys[k]);
      cJSON_AddStringToObject(o, "model_a", a->models[pairs[i].ma]);
      cJSON_AddStringToObject(o, "model_b", b->models[pairs[i].mb]);
      side sa_ = { a, pairs[i].ma, k }, sb_ = { b, pairs[i].mb, (size_t)kb };
      ps[nc] = compare_one(sa_, sb_, ta, tb, n, a->binary[k], a->seed,
                           opts->show, o);
      objs[nc++] = o;
      cJSON_AddItemToArray(list, o);
    }
  ys_stats_holm(ps, nc, ps);
  for(size_t i = 0; i < nc; i++)
    cJSON_AddNumberToObject(objs[i], "p_holm", ps[i]);
  *json = cJSON_PrintUnformatted(doc);
  cJSON_Delete(doc);
  free(ps);
  free(objs);
  free(pairs);
  free(ta);
  free(tb);
  return YS_OK;
}
