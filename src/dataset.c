/* SPDX-License-Identifier: MIT */
/*
 * dataset.c: opening datasets, dispatch to the format, and the shared line
 * reader. Lines are read through a 64 KiB chunk with memchr, so a line is
 * copied once; a line over the cap fails instead of growing without bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "utf8.h"
#include "xalloc.h"

#define CHUNK (64u * 1024)

void ys_dataset_opts_init(ys_dataset_opts *opts, ys_dataset_kind kind)
{
  opts->kind = kind;
  opts->delimiter = ',';
  opts->hash = 0;
}

ys_err ys_dataset_open(const char *path, const ys_dataset_opts *opts,
                       ys_dataset **out, ys_diag *diag)
{
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if(!f)
    return ys_fail(diag, YS_ERR_IO, path, 0, "cannot open: %s",
                   strerror(errno));
  ys_dataset *ds = ys_xcalloc(1, sizeof(*ds));
  ds->opts = *opts;
  ds->ops = opts->kind == YS_DATASET_CSV ? &ys_dataset_csv_ops
                                         : &ys_dataset_jsonl_ops;
  ds->path = ys_xstrdup(path);
  ds->f = f;
  ds->chunk = ys_xmalloc(CHUNK);
  ys_buf_init(&ds->line, YS_DATASET_MAX_LINE);
  if(opts->hash)
    ds->sha = ys_sha256_new();
  ys_err err = ds->ops->open(ds, diag);
  if(err) {
    ys_dataset_free(ds);
    return err;
  }
  *out = ds;
  return YS_OK;
}

ys_err ys_dataset_next_string(ys_dataset *ds, const char *key,
                              const char **val, size_t *vlen, cJSON **row,
                              long *line, ys_diag *diag)
{
  *val = NULL;
  *vlen = 0;
  if(ds->ops->next_string)
    return ds->ops->next_string(ds, key, val, vlen, row, line, diag);
  return ys_dataset_next(ds, row, line, diag);
}

ys_err ys_dataset_next(ys_dataset *ds, cJSON **row, long *line,
                       ys_diag *diag)
{
  *row = NULL;
  return ds->ops->next(ds, row, line, diag);
}

const char *ys_dataset_sha256(const ys_dataset *ds)
{
  return ds->sha_hex[0] ? ds->sha_hex : NULL;
}

void ys_dataset_free(ys_dataset *ds)
{
  if(!ds)
    return;
  if(ds->ops && ds->impl)
    ds->ops->close(ds);
  if(ds->f)
    fclose(ds->f);
  if(ds->sha) {
    char hex[65];
    ys_sha256_final(ds->sha, hex);
  }
  ys_buf_free(&ds->line);
  free(ds->chunk);
  free(ds->path);
  free(ds);
}

/* Refills the chunk; returns 0 at the end of the file. */
static ys_err refill(ys_dataset *ds, int *got, ys_diag *diag)
{
  *got = 0;
  if(ds->eof)
    return YS_OK;
  size_t n = fread(ds->chunk, 1, CHUNK, ds->f);
  if(n == 0) {
    if(ferror(ds->f))
      return ys_fail(diag, YS_ERR_IO, ds->path, ds->lineno + 1,
                     "read error: %s", strerror(errno));
    ds->eof = 1;
    if(ds->sha) {
      ys_sha256_final(ds->sha, ds->sha_hex);
      ds->sha = NULL;
    }
    return YS_OK;
  }
  if(ds->sha)
    ys_sha256_update(ds->sha, ds->chunk, n);
  ds->chunk_base += ds->chunk_len;
  ds->chunk_len = n;
  ds->chunk_pos = 0;
  *got = 1;
  return YS_OK;
}

ys_err ys_dataset_readline(ys_dataset *ds, const char **text, size_t *len,
                           ys_diag *diag)
{
  *text = NULL;
  *len = 0;
  ys_buf_reset(&ds->line);
  ds->line_offset = ds->chunk_base + ds->chunk_pos;
  int any = 0; /* read at least one byte of this line */
  for(;;) {
    if(ds->chunk_pos >= ds->chunk_len) {
      int got;
      ys_err err = refill(ds, &got, diag);
      if(err)
        return err;
      if(!got)
        break;
    }
    const char *start = ds->chunk + ds->chunk_pos;
    size_t avail = ds->chunk_len - ds->chunk_pos;
    const char *nl = memchr(start, '\n', avail);
    size_t take = nl ? (size_t)(nl - start) : avail;
    any = 1;
    ys_err err = ys_buf_add(&ds->line, start, take);
    if(err == YS_ERR_TOOBIG) {
      ys_buf_init(&ds->line, YS_DATASET_MAX_LINE);
      return ys_fail(diag, YS_ERR_TOOBIG, ds->path, ds->lineno + 1,
                     "line longer than %u MiB", YS_DATASET_MAX_LINE >> 20);
    }
    if(err)
      return ys_fail(diag, err, ds->path, ds->lineno + 1,
                     "out of memory reading line");
    ds->chunk_pos += take + (nl ? 1 : 0);
    if(nl)
      break;
  }
  if(!any)
    return YS_OK; /* end of file */
  ds->lineno++;
  ds->line_bytes = ds->line.len;
  char *s = ds->line.data ? ds->line.data : (char *)"";
  size_t n = ds->line.len;
  if(n && s[n - 1] == '\r')
    n--;
  if(ds->lineno == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
    s += 3;
    n -= 3;
  }
  const char *nul = memchr(s, '\0', n);
  if(nul)
    return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                   "NUL byte at column %zu", (size_t)(nul - s) + 1);
  size_t bad;
  if(!ys_utf8_valid(s, n, &bad))
    return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                   "invalid UTF-8 at column %zu", bad + 1);
  *text = s;
  *len = n;
  return YS_OK;
}
