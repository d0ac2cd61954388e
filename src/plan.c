/* SPDX-License-Identifier: MIT */
/*
 * plan.c: the checking pass. --sample keeps the N rows whose ids hash
 * lowest under the seed (a max-heap of N candidates), so the subset does
 * not depend on row order and grows stably with N. Duplicate ids are
 * found with a Bloom filter and a second read (below).
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "bloom.h"
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

/* {====== duplicate ids ======
 * Keeping every id (24 bytes each in a ys_idmap) made the check the
 * largest thing a big run held. Instead each id goes through a Bloom
 * filter, about 2 bytes per id, which answers "new" for all but about 1
 * in 2,000. An id it is unsure of is a suspect, kept with its line. The
 * suspects are settled by reading the dataset again up to the last of
 * them, noting where each suspect's id first occurs: a suspect whose id
 * occurs on an earlier line is a duplicate, reported as it always was
 * (the earliest such line, naming the first); the others were false
 * positives. They are settled at the end of the pass, before any other
 * error is reported (a duplicate may come first), as soon as an id comes
 * back that is already a suspect (a duplicate for sure), and when they
 * grow past a share of the rows read (then cleared, and the pass goes
 * on). A million unique ids cost about 2 MB and one partial re-read. */

/* Hash seeds of the filter's two hashes; fixed, not the run's --seed. */
#define DUP_SEED1 0x6475706c31ull
#define DUP_SEED2 0x6475706c32ull

/* Suspects are settled once there are this many, or 1 per 128 rows. */
#define SUSPECTS_MIN 4096

typedef struct suspect {
  long line;
  char *id;
} suspect;

typedef struct dupcheck {
  ys_bloom *bloom;
  suspect *sus;          /* in line order */
  size_t n, a;
  ys_idmap *ids;         /* the suspects' ids */
  off_t size;            /* of the dataset, or 0 when unknown */
} dupcheck;

static void dup_cleanup(dupcheck *dc)
{
  for(size_t i = 0; i < dc->n; i++)
    free(dc->sus[i].id);
  free(dc->sus);
  ys_idmap_free(dc->ids);
  ys_bloom_free(dc->bloom);
}

/* Forgets the suspects (settled), keeping the filter. */
static void dup_clear(dupcheck *dc)
{
  for(size_t i = 0; i < dc->n; i++)
    free(dc->sus[i].id);
  dc->n = 0;
  ys_idmap_free(dc->ids);
  dc->ids = ys_idmap_new();
}

/* Rows still to come, from the bytes the rows so far took (and a tenth
 * more): the filter's next stage is sized for them. 0 when unknown. */
static size_t rows_to_come(const dupcheck *dc, const ys_dataset *ds,
                           long rows, long limit)
{
  double done = (double)ds->row_offset;
  if(dc->size <= 0 || rows <= 0 || done <= 0 || done >= (double)dc->size)
    return 0;
  double more = ((double)dc->size - done) / (done / (double)rows) * 1.1;
  if(limit > 0 && more > (double)(limit - rows))
    more = (double)(limit - rows);
  return more < 1 ? 1 : (size_t)more;
}

/* Whether id, just read on line, may have been read before; then it is
 * a suspect, and *again says whether it was one already. */
static int dup_check(dupcheck *dc, const ys_dataset *ds, long rows,
                     long limit, const char *id, long line, int *again)
{
  size_t len = strlen(id);
  *again = 0;
  if(ys_bloom_full(dc->bloom))
    ys_bloom_expect(dc->bloom, rows_to_come(dc, ds, rows, limit));
  if(!ys_bloom_add(dc->bloom, ys_hash64(id, len, DUP_SEED1),
                   ys_hash64(id, len, DUP_SEED2)))
    return 0;
  *again = !ys_idmap_put(dc->ids, id, len, (uint64_t)line, NULL);
  if(dc->n == dc->a) {
    dc->a = dc->a ? dc->a * 2 : 64;
    dc->sus = ys_xrealloc(dc->sus, dc->a * sizeof(suspect));
  }
  dc->sus[dc->n++] = (suspect){ line, ys_xstrdup(id) };
  return 1;
}

/* Settles the suspects by reading the dataset again up to the last of
 * them: YS_ERR_DATA for the first duplicate, else YS_OK with the
 * suspects cleared. */
static ys_err dup_settle(const ys_suite *s, dupcheck *dc, long *rereads,
                         ys_diag *diag)
{
  const char *path = s->dataset_path;
  /* Each distinct suspect id gets a slot; first[slot] is the line where
   * the re-read meets it first. */
  ys_idmap *slots = ys_idmap_new();
  size_t *slot = ys_xcalloc(dc->n + 1, sizeof(size_t));
  long *first = ys_xcalloc(dc->n + 1, sizeof(long));
  size_t nslots = 0;
  for(size_t i = 0; i < dc->n; i++) {
    uint64_t old;
    const char *id = dc->sus[i].id;
    if(ys_idmap_put(slots, id, strlen(id), nslots, &old))
      slot[i] = nslots++;
    else
      slot[i] = (size_t)old;
  }
  ys_dataset_opts o = s->dataset_opts;
  o.hash = 0;
  ys_dataset *ds = NULL;
  ys_err err = ys_dataset_open(path, &o, &ds, diag);
  size_t next = 0; /* the next suspect's row */
  (*rereads)++;
  while(!err && next < dc->n) {
    cJSON *row = NULL;
    long line = 0;
    char id[YS_MAX_ID + 1];
    const char *raw;
    size_t rawlen;
    /* Only ids are wanted: a JSONL line that holds its id as plain text
     * gives it without being parsed (most of this pass's time). */
    err = ys_dataset_next_string(ds, s->id_field, &raw, &rawlen, &row,
                                 &line, diag);
    if(err)
      break;
    int ok;
    if(raw) {
      ok = rawlen > 0 && rawlen <= YS_MAX_ID;
      if(ok) {
        memcpy(id, raw, rawlen);
        id[rawlen] = '\0';
      }
    }
    else
      ok = row && !ys_plan_row_id(s, row, path, line, id, NULL);
    /* Every row up to the last suspect passed the first read: the same
     * rows must come back, suspects on their lines, or the file changed
     * in between. */
    ok = ok && line <= dc->sus[next].line;
    cJSON_Delete(row);
    if(ok && line == dc->sus[next].line)
      ok = !strcmp(id, dc->sus[next++].id);
    if(!ok) {
      err = ys_fail(diag, YS_ERR_DATA, path, line, "the file changed while "
                    "it was read");
      break;
    }
    uint64_t k;
    if(ys_idmap_get(slots, id, strlen(id), &k) && !first[k])
      first[k] = line;
  }
  for(size_t i = 0; !err && i < dc->n; i++)
    if(first[slot[i]] < dc->sus[i].line)
      err = ys_fail(diag, YS_ERR_DATA, path, dc->sus[i].line, "duplicate id "
                    "'%s' (first on line %lu)", dc->sus[i].id,
                    (unsigned long)first[slot[i]]);
  ys_dataset_free(ds);
  free(first);
  free(slot);
  ys_idmap_free(slots);
  if(!err)
    dup_clear(dc);
  return err;
}

/* }====== */

long ys_plan_shard_of(const char *id, long shards)
{
  /* A fixed seed: the split must not move with --seed. */
  return shards > 0 ? (long)(ys_hash64(id, strlen(id), 0x5A4D5348ull) %
                             (uint64_t)shards) : 0;
}

ys_err ys_plan_make(const ys_suite *s, const ys_plan_opts *po,
                    ys_plan *plan, ys_diag *diag)
{
  return ys_plan_make_with_filter(s, po, 0, 0, plan, diag);
}

ys_err ys_plan_make_with_filter(const ys_suite *s, const ys_plan_opts *po,
                                unsigned bits, size_t first, ys_plan *plan,
                                ys_diag *diag)
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
  dupcheck dc = { ys_bloom_new(bits, first), NULL, 0, 0, ys_idmap_new(),
                  0 };
  struct stat st;
  if(fstat(fileno(ds->f), &st) == 0 && S_ISREG(st.st_mode))
    dc.size = st.st_size;
  int settled = 0; /* the error came from settling the suspects */
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
    int again;
    if(dup_check(&dc, ds, plan->rows_read, limit, id, line, &again)) {
      plan->id_suspects++;
      size_t cap = (size_t)plan->rows_read / 128;
      if(again || dc.n >= (cap > SUSPECTS_MIN ? cap : SUSPECTS_MIN)) {
        err = dup_settle(s, &dc, &plan->id_rereads, diag);
        if(err) {
          settled = 1;
          break;
        }
      }
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
  /* A duplicate before the row that failed is the error to report. */
  if(dc.n && !settled) {
    ys_diag keep;
    if(err && diag)
      keep = *diag;
    ys_err e = dup_settle(s, &dc, &plan->id_rereads, diag);
    if(e)
      err = e;
    else if(err && diag)
      *diag = keep;
  }
  dup_cleanup(&dc);
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
