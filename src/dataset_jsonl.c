/* SPDX-License-Identifier: MIT */
/*
 * dataset_jsonl.c: JSON Lines datasets, one object per line (cJSON).
 * Blank lines are skipped; anything else that is not a JSON object is an
 * error naming the line and column.
 */
#include <string.h>

#include "dataset.h"
#include "json.h"

static ys_err jsonl_open(ys_dataset *ds, ys_diag *diag)
{
  (void)ds;
  (void)diag;
  return YS_OK;
}

static int blank(const char *s, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return 0;
  return 1;
}

static ys_err jsonl_next(ys_dataset *ds, cJSON **row, long *line,
                         ys_diag *diag)
{
  for(;;) {
    const char *s;
    size_t n;
    ys_err err = ys_dataset_readline(ds, &s, &n, diag);
    if(err || !s)
      return err;
    if(blank(s, n))
      continue;
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(s, n, &end, 0);
    if(!v) {
      size_t col = end && end >= s ? (size_t)(end - s) + 1 : 1;
      if(col > n)
        return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                       "invalid JSON: unexpected end of line");
      return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                     "invalid JSON at column %zu", col);
    }
    /* cJSON stops after the first value; anything but blanks after it
     * is a second value or garbage on the same line. */
    if(end && !blank(end, n - (size_t)(end - s))) {
      size_t col = (size_t)(end - s) + 1;
      cJSON_Delete(v);
      return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                     "unexpected text after the JSON value at column %zu",
                     col);
    }
    if(!cJSON_IsObject(v)) {
      const char *t = ys_json_type_name(v);
      cJSON_Delete(v);
      return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                     "expected a JSON object, got %s", t);
    }
    *row = v;
    *line = ds->lineno;
    return YS_OK;
  }
}

static void jsonl_close(ys_dataset *ds)
{
  (void)ds;
}

const ys_dataset_ops ys_dataset_jsonl_ops = {
  "jsonl", jsonl_open, jsonl_next, jsonl_close
};
