/* SPDX-License-Identifier: MIT */
/*
 * plan.c: the checking pass. --sample keeps the N rows whose ids hash
 * lowest under the seed (a max-heap of N candidates), so the subset does
 * not depend on row order and grows stably with N.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "plan.h"
#include "xalloc.h"

typedef struct cand {
  uint64_t h;
  char *id;
} cand;

/* Max-heap on h (ties broken by id), holding the N lowest so far. */
static int above(const cand *a, const cand *b)
{
  if(a->h != b->h)
    return a->h > b->h;
  return strcmp(a->id, b->id) > 0;
}

static void sift_down(cand *heap, size_t n, size_t i)
{
  for(;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if(l < n && above(&heap[l], &heap[m]))
      m = l;
    if(r < n && above(&heap[r], &heap[m]))
      m = r;
    if(m == i)
      return;
    cand t = heap[i];
    heap[i] = heap[m];
    heap[m] = t;
    i = m;
  }
}

static void sift_up(cand *heap, size_t i)
{
  while(i > 0) {
    size_t p = (i - 1) / 2;
    if(!above(&heap[i], &heap[p]))
      return;
    cand t = heap[i];
    heap[i] = heap[p];
    heap[p] = t;
    i = p;
  }
}

ys_err ys_plan_row_id(const ys_suite *s, const cJSON *row, const char *path,
                      long line, char id[YS_MAX_ID + 1], ys_diag *diag)
{
  const cJSON *v = ys_json_path(row, s->id_field);
  if(!v || cJSON_IsNull(v))
    return ys_fail(diag, YS_ERR_DATA, path, line, "row has no id field "
                   "'%s' (set the suite's id = \"...\" to the field that "
                   "names each sample)", s->id_field);
  if(!cJSON_IsString(v) && !cJSON_IsNumber(v))
    return ys_fail(diag, YS_ERR_DATA, path, line, "id field '%s' must be a "
                   "string or number, got %s", s->id_field,
                   ys_json_type_name(v));
  if(cJSON_IsString(v) && strlen(v->valuestring) > YS_MAX_ID)
    return ys_fail(diag, YS_ERR_DATA, path, line, "id longer than %d bytes",
                   YS_MAX_ID);
  if(!ys_json_id_text(v, id, YS_MAX_ID + 1))
    return ys_fail(diag, YS_ERR_DATA, path, line, "id field '%s' is empty",
                   s->id_field);
  return YS_OK;
}

static ys_err check_prompt_fields(const ys_suite *s, const cJSON *row,
                                  const char *path, long line, ys_diag *diag)
{
  const ys_template *tpl[2] = { s->system_tpl, s->user_tpl };
  for(int i = 0; i < 2; i++) {
    if(!tpl[i])
      continue;
    const char *missing = ys_template_missing(tpl[i], row);
    if(missing)
      return ys_fail(diag, YS_ERR_DATA, path, line, "the %s prompt uses "
                     "{{%s}}, but this row has no field '%s'",
                     i ? "user" : "system", missing, missing);
  }
  return YS_OK;
}

long ys_plan_shard_of(const char *id, long shards)
{
  /* A fixed seed: the split must not move with --seed. */
  return shards > 0 ? (long)(ys_hash64(id, strlen(id), 0x5A4D5348ull) %
                             (uint64_t)shards) : 0;
}

ys_err ys_plan_make(const ys_suite *s, const ys_plan_opts *po,
                    ys_plan *plan, ys_diag *diag)
{
  long limit = po->limit, sample = po->sample;
  uint64_t seed = po->seed;
  const char *const *fields = po->fields;
  size_t nfields = po->nfields;
  memset(plan, 0, sizeof(*plan));
  plan->shard = po->shard;
  plan->shards = po->shards;
  long in_shard = 0;
  plan->limit = limit;
  plan->sample = sample;
  plan->seed = seed;
  const char *path = s->dataset_path;
  ys_dataset_opts o = s->dataset_opts;
  o.hash = 1;
  ys_dataset *ds = NULL;
  ys_err err = ys_dataset_open(path, &o, &ds, diag);
  if(err)
    return err;
  plan->field_rows = ys_xcalloc(nfields + 1, sizeof(long));
  ys_idmap *seen = ys_idmap_new();
  cand *heap = NULL;
  size_t nheap = 0;
  if(sample > 0)
    heap = ys_xcalloc((size_t)sample, sizeof(cand));
  for(;;) {
    if(limit > 0 && plan->rows_read >= limit)
      break;
    cJSON *row = NULL;
    long line = 0;
    err = ys_dataset_next(ds, &row, &line, diag);
    if(err || !row)
      break;
    char id[YS_MAX_ID + 1];
    err = ys_plan_row_id(s, row, path, line, id, diag);
    if(!err)
      err = check_prompt_fields(s, row, path, line, diag);
    for(size_t f = 0; f < nfields; f++)
      if(cJSON_GetObjectItemCaseSensitive(row, fields[f]))
        plan->field_rows[f]++;
    cJSON_Delete(row);
    if(err)
      break;
    uint64_t first;
    if(!ys_idmap_put(seen, id, strlen(id), (uint64_t)line, &first)) {
      err = ys_fail(diag, YS_ERR_DATA, path, line, "duplicate id '%s' "
                    "(first on line %lu)", id, (unsigned long)first);
      break;
    }
    plan->rows_read++;
    if(plan->shards && ys_plan_shard_of(id, plan->shards) == plan->shard)
      in_shard++;
    if(sample > 0) {
      cand c = { ys_hash64(id, strlen(id), seed), NULL };
      if(nheap < (size_t)sample) {
        c.id = ys_xstrdup(id);
        heap[nheap] = c;
        sift_up(heap, nheap++);
      }
      else {
        c.id = id;
        if(above(&heap[0], &c)) {
          free(heap[0].id);
          heap[0].h = c.h;
          heap[0].id = ys_xstrdup(id);
          sift_down(heap, nheap, 0);
        }
      }
    }
  }
  if(!err) {
    const char *h = ys_dataset_sha256(ds);
    if(h)
      memcpy(plan->sha256, h, 65);
    else
      err = ys_sha256_file(path, plan->sha256, diag);
  }
  if(!err && plan->rows_read == 0)
    err = ys_fail(diag, YS_ERR_DATA, path, 0, "the dataset has no rows");
  if(!err && sample > 0) {
    plan->selected = ys_idmap_new();
    plan->rows_selected = 0;
    for(size_t i = 0; i < nheap; i++) {
      ys_idmap_put(plan->selected, heap[i].id, strlen(heap[i].id), 0, NULL);
      if(!plan->shards ||
         ys_plan_shard_of(heap[i].id, plan->shards) == plan->shard)
        plan->rows_selected++;
    }
  }
  else
    plan->rows_selected = plan->shards ? in_shard : plan->rows_read;
  if(!err && !plan->rows_selected)
    err = ys_fail(diag, YS_ERR_USAGE, path, 0, "shard %ld of %ld holds no "
                  "sample (%ld selected in all): use fewer shards",
                  plan->shard, plan->shards, plan->rows_read);
  for(size_t i = 0; i < nheap; i++)
    free(heap[i].id);
  free(heap);
  ys_idmap_free(seen);
  ys_dataset_free(ds);
  if(err)
    ys_plan_cleanup(plan);
  return err;
}

int ys_plan_selects(const ys_plan *plan, long index, const char *id)
{
  if(plan->limit > 0 && index >= plan->limit)
    return 0;
  if(plan->shards && ys_plan_shard_of(id, plan->shards) != plan->shard)
    return 0;
  if(!plan->selected)
    return 1;
  return ys_idmap_get(plan->selected, id, strlen(id), NULL);
}

void ys_plan_cleanup(ys_plan *plan)
{
  ys_idmap_free(plan->selected);
  plan->selected = NULL;
  free(plan->field_rows);
  plan->field_rows = NULL;
}
