/* SPDX-License-Identifier: MIT */
/*
 * backend_replay.c: the replay index. Offsets and lengths are packed in one
 * 64-bit map value (38 bits of offset, 26 of length), so the index costs
 * the id map's 24 bytes per record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_replay.h"
#include "dataset.h"
#include "hash.h"
#include "json.h"
#include "xalloc.h"

#define OFF_BITS 38
#define LEN_BITS 26

struct ys_replay {
  char *path;
  char *model;
  char *id_field;
  char *output_field;
  FILE *f;
  ys_idmap *index;
};

static ys_err fail_free(ys_replay *r, ys_dataset *ds, ys_err err)
{
  ys_dataset_free(ds);
  ys_replay_free(r);
  return err;
}

ys_err ys_replay_open(const ys_replay_opts *opts, ys_replay **out,
                      ys_diag *diag)
{
  *out = NULL;
  ys_replay *r = ys_xcalloc(1, sizeof(*r));
  r->path = ys_xstrdup(opts->path);
  r->model = opts->model ? ys_xstrdup(opts->model) : NULL;
  r->id_field = ys_xstrdup(opts->id_field ? opts->id_field : "id");
  r->output_field = ys_xstrdup(opts->output_field ? opts->output_field
                               : "output");
  r->index = ys_idmap_new();
  /* Index with the dataset reader (same checks as any dataset), then
   * keep a plain FILE for reading records back by offset. */
  ys_dataset_opts dopts;
  ys_dataset_opts_init(&dopts, YS_DATASET_JSONL);
  ys_dataset *ds = NULL;
  ys_err err = ys_dataset_open(r->path, &dopts, &ds, diag);
  if(err)
    return fail_free(r, NULL, err);
  r->f = fopen(r->path, "rb");
  if(!r->f)
    return fail_free(r, ds, ys_fail(diag, YS_ERR_IO, r->path, 0,
                                    "cannot open: %s", strerror(errno)));
  for(;;) {
    cJSON *row = NULL;
    long line = 0;
    err = ys_dataset_next(ds, &row, &line, diag);
    if(err)
      return fail_free(r, ds, err);
    if(!row)
      break;
    uint64_t off = ds->line_offset;
    uint64_t len = ds->line_bytes;
    if(off >= (1ull << OFF_BITS) || len >= (1ull << LEN_BITS)) {
      cJSON_Delete(row);
      return fail_free(r, ds, ys_fail(diag, YS_ERR_TOOBIG, r->path, line,
                       "recorded-output file too large to index"));
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(row, "model");
    if(r->model && !(cJSON_IsString(model) &&
                     !strcmp(model->valuestring, r->model))) {
      cJSON_Delete(row);
      continue;
    }
    char id[1024];
    const cJSON *idv = ys_json_path(row, r->id_field);
    if(!ys_json_id_text(idv, id, sizeof(id))) {
      cJSON_Delete(row);
      return fail_free(r, ds, ys_fail(diag, YS_ERR_DATA, r->path, line,
                       "expected field '%s' with a string or number id",
                       r->id_field));
    }
    const cJSON *o = ys_json_path(row, r->output_field);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(row, "status");
    int is_error = cJSON_IsString(st) && !strcmp(st->valuestring, "error");
    if(!o && !is_error) {
      cJSON_Delete(row);
      return fail_free(r, ds, ys_fail(diag, YS_ERR_DATA, r->path, line,
                       "record '%s' has no field '%s'", id,
                       r->output_field));
    }
    cJSON_Delete(row);
    uint64_t packed = off << LEN_BITS | len;
    if(!ys_idmap_put(r->index, id, strlen(id), packed, NULL)) {
      if(r->model)
        return fail_free(r, ds, ys_fail(diag, YS_ERR_DATA, r->path, line,
                         "id '%s' appears twice for model '%s'", id,
                         r->model));
      return fail_free(r, ds, ys_fail(diag, YS_ERR_DATA, r->path, line,
                       "id '%s' appears twice (a run's samples.jsonl holds "
                       "several models: pick one with model = \"...\")",
                       id));
    }
  }
  ys_dataset_free(ds);
  *out = r;
  return YS_OK;
}

ys_err ys_replay_get(ys_replay *r, const char *id, cJSON **record,
                     ys_diag *diag)
{
  *record = NULL;
  uint64_t packed;
  if(!ys_idmap_get(r->index, id, strlen(id), &packed))
    return YS_OK;
  uint64_t off = packed >> LEN_BITS;
  size_t len = (size_t)(packed & ((1ull << LEN_BITS) - 1));
  char *buf = ys_xmalloc(len + 1);
  if(fseeko(r->f, (off_t)off, SEEK_SET) != 0 ||
     fread(buf, 1, len, r->f) != len) {
    free(buf);
    return ys_fail(diag, YS_ERR_IO, r->path, 0, "cannot read back the "
                   "record for '%s' (was the file changed during the run?)",
                   id);
  }
  buf[len] = '\0';
  const char *s = buf;
  if(off == 0 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
    s += 3;
  cJSON *row = cJSON_Parse(s);
  free(buf);
  if(!cJSON_IsObject(row)) {
    cJSON_Delete(row);
    return ys_fail(diag, YS_ERR_IO, r->path, 0, "the record for '%s' "
                   "changed on disk during the run", id);
  }
  *record = row;
  return YS_OK;
}

const char *ys_replay_output_field(const ys_replay *r)
{
  return r->output_field;
}

size_t ys_replay_count(const ys_replay *r)
{
  return ys_idmap_count(r->index);
}

void ys_replay_free(ys_replay *r)
{
  if(!r)
    return;
  if(r->f)
    fclose(r->f);
  ys_idmap_free(r->index);
  free(r->path);
  free(r->model);
  free(r->id_field);
  free(r->output_field);
  free(r);
}
