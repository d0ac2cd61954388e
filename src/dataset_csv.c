/* SPDX-License-Identifier: MIT */
/*
 * dataset_csv.c: CSV datasets through libcsv in strict mode. The first row
 * names the fields; every later row must have as many. Lines are fed to the
 * parser one at a time so each row knows the line it starts on; quoted
 * fields may span lines.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "dataset.h"
#include "xalloc.h"

typedef struct csv_state {
  struct csv_parser p;
  char **header;   /* field names */
  size_t nheader;
  char **fields;   /* the row being built */
  size_t nfields, afields;
  size_t row_bytes;
  size_t row_fed;  /* bytes of the current row given to libcsv */
  int row_done;    /* the parser ended a row */
  long row_line;   /* line where the current row starts; 0 before */
  uint64_t row_offset; /* and its file offset */
  int oom;         /* a field was over the row cap */
} csv_state;

static void on_field(void *s, size_t len, void *data)
{
  csv_state *st = data;
  if(st->oom)
    return;
  st->row_bytes += len;
  if(st->row_bytes > YS_DATASET_MAX_LINE) {
    st->oom = 1;
    return;
  }
  if(st->nfields == st->afields) {
    st->afields = st->afields ? st->afields * 2 : 16;
    st->fields = ys_xrealloc(st->fields, st->afields * sizeof(char *));
  }
  st->fields[st->nfields++] = ys_xstrndup(s ? s : "", s ? len : 0);
}

static void on_row(int c, void *data)
{
  (void)c;
  csv_state *st = data;
  st->row_done = 1;
}

static void clear_fields(csv_state *st)
{
  for(size_t i = 0; i < st->nfields; i++)
    free(st->fields[i]);
  st->nfields = 0;
  st->row_bytes = 0;
  st->row_fed = 0;
  st->row_done = 0;
  st->row_line = 0;
}

/* Feeds lines until the parser completes a row; *done = 0 at the end. */
/* What libcsv's strict mode refused on line s[0..n), and where (1-based
 * column); in_quote says the line continues a quoted field. NULL when the
 * scan finds nothing wrong. */
static const char *csv_problem(const char *s, size_t n, char delim,
                               int in_quote, size_t *col)
{
  int field_start = !in_quote, after_close = 0;
  for(size_t i = 0; i < n; i++) {
    char c = s[i];
    if(in_quote) {
      if(c == '"') {
        if(i + 1 < n && s[i + 1] == '"')
          i++;
        else {
          in_quote = 0;
          after_close = 1;
        }
      }
      continue;
    }
    if(after_close) {
      if(c == delim) {
        after_close = 0;
        field_start = 1;
        continue;
      }
      if(c == '\r' && i + 1 == n)
        continue;
      *col = i + 1;
      return "text after the closing quote";
    }
    if(c == delim) {
      field_start = 1;
      continue;
    }
    if(c == '"') {
      if(field_start) {
        in_quote = 1;
        field_start = 0;
        continue;
      }
      *col = i + 1;
      return "a quote inside an unquoted field";
    }
    field_start = 0;
  }
  return NULL;
}

static ys_err read_row(ys_dataset *ds, csv_state *st, int *done,
                       ys_diag *diag)
{
  *done = 0;
  clear_fields(st);
  for(;;) {
    const char *s;
    size_t n;
    ys_err err = ys_dataset_readline(ds, &s, &n, diag);
    if(err)
      return err;
    if(!s) {
      if(csv_fini(&st->p, on_field, on_row, st) != 0)
        return ys_fail(diag, YS_ERR_DATA, ds->path, st->row_line,
                       "unterminated quoted field");
      if(st->row_done && st->nfields) {
        *done = 1;
        return YS_OK;
      }
      return YS_OK;
    }
    if(!st->row_line && n) {
      st->row_line = ds->lineno;
      st->row_offset = ds->line_offset;
    }
    int continued = st->row_line && st->row_line < ds->lineno;
    /* A quoted field over many short lines: cap the row as it is fed,
     * before libcsv buffers all of it. */
    st->row_fed += n + 1;
    if(st->row_fed > YS_DATASET_MAX_LINE)
      return ys_fail(diag, YS_ERR_TOOBIG, ds->path, st->row_line,
                     "row longer than %u MiB", YS_DATASET_MAX_LINE >> 20);
    if(csv_parse(&st->p, s, n, on_field, on_row, st) != n ||
       csv_parse(&st->p, "\n", 1, on_field, on_row, st) != 1) {
      size_t col = 0;
      const char *what = csv_problem(s, n, ds->opts.delimiter, continued,
                                     &col);
      if(what)
        return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                       "%s at column %zu", what, col);
      return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                     "malformed CSV: %s (a quote inside an unquoted field, "
                     "or text after a closing quote)",
                     csv_strerror(csv_error(&st->p)));
    }
    if(st->oom)
      return ys_fail(diag, YS_ERR_TOOBIG, ds->path, st->row_line,
                     "row longer than %u MiB", YS_DATASET_MAX_LINE >> 20);
    if(st->row_done) {
      *done = 1;
      return YS_OK;
    }
  }
}

static ys_err csv_open(ys_dataset *ds, ys_diag *diag)
{
  csv_state *st = ys_xcalloc(1, sizeof(*st));
  ds->impl = st;
  if(csv_init(&st->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
    return ys_fail(diag, YS_ERR_NOMEM, ds->path, 0, "cannot start libcsv");
  csv_set_delim(&st->p, (unsigned char)ds->opts.delimiter);
  /* libcsv grows its field buffer by 128 bytes at a time: quadratic on a
   * long field. Grow by a MiB. */
  csv_set_blk_size(&st->p, (size_t)1 << 20);
  int done;
  ys_err err = read_row(ds, st, &done, diag);
  if(err)
    return err;
  if(!done)
    return ys_fail(diag, YS_ERR_DATA, ds->path, 1,
                   "empty file: expected a header row naming the fields");
  long line = st->row_line;
  for(size_t i = 0; i < st->nfields; i++) {
    if(!st->fields[i][0])
      return ys_fail(diag, YS_ERR_DATA, ds->path, line,
                     "header field %zu is empty: every column needs a name",
                     i + 1);
    for(size_t j = 0; j < i; j++)
      if(!strcmp(st->fields[i], st->fields[j]))
        return ys_fail(diag, YS_ERR_DATA, ds->path, line,
                       "header names column '%s' twice", st->fields[i]);
  }
  st->header = st->fields;
  st->nheader = st->nfields;
  st->fields = NULL;
  st->nfields = st->afields = 0;
  return YS_OK;
}

static ys_err csv_next(ys_dataset *ds, cJSON **row, long *line,
                       ys_diag *diag)
{
  csv_state *st = ds->impl;
  int done;
  ys_err err = read_row(ds, st, &done, diag);
  if(err || !done)
    return err;
  if(st->nfields != st->nheader)
    return ys_fail(diag, YS_ERR_DATA, ds->path, st->row_line,
                   "expected %zu fields as in the header, got %zu",
                   st->nheader, st->nfields);
  cJSON *obj = cJSON_CreateObject();
  for(size_t i = 0; i < st->nfields; i++)
    cJSON_AddItemToObject(obj, st->header[i],
                          cJSON_CreateString(st->fields[i]));
  *row = obj;
  *line = st->row_line;
  ds->row_offset = st->row_offset;
  return YS_OK;
}

static void csv_close(ys_dataset *ds)
{
  csv_state *st = ds->impl;
  clear_fields(st);
  free(st->fields);
  for(size_t i = 0; i < st->nheader; i++)
    free(st->header[i]);
  free(st->header);
  csv_free(&st->p);
  free(st);
  ds->impl = NULL;
}

const ys_dataset_ops ys_dataset_csv_ops = {
  "csv", csv_open, csv_next, csv_close, NULL
};
