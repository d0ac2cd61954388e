/* SPDX-License-Identifier: MIT */
/*
 * dataset.h: streaming dataset readers. A dataset yields one row at a time
 * as a cJSON object, with the line where the row starts. JSONL and CSV
 * share the line reader here (BOM, CRLF, UTF-8 and NUL checks, a line
 * cap); each format fills a ys_dataset_ops (dataset_jsonl.c, dataset_csv.c).
 * Uses cJSON, libcsv, hash (SHA-256 of the bytes read).
 */
#ifndef YS_DATASET_H
#define YS_DATASET_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"
#include "hash.h"

typedef enum { YS_DATASET_JSONL, YS_DATASET_CSV } ys_dataset_kind;

/* Longest line (JSONL) or row (CSV) accepted. */
#define YS_DATASET_MAX_LINE (32u << 20)

typedef struct ys_dataset ys_dataset;

typedef struct ys_dataset_ops {
  const char *name;
  ys_err (*open)(ys_dataset *ds, ys_diag *diag);
  /* Sets *row (owned by the caller) and *line, or *row = NULL at the end. */
  ys_err (*next)(ys_dataset *ds, cJSON **row, long *line, ys_diag *diag);
  void (*close)(ys_dataset *ds);
  /* Optional: ys_dataset_next_string's quick way; NULL: none. */
  ys_err (*next_string)(ys_dataset *ds, const char *key, const char **val,
                        size_t *vlen, cJSON **row, long *line,
                        ys_diag *diag);
} ys_dataset_ops;

extern const ys_dataset_ops ys_dataset_jsonl_ops;
extern const ys_dataset_ops ys_dataset_csv_ops;

typedef struct ys_dataset_opts {
  ys_dataset_kind kind;
  char delimiter; /* CSV only; ',' by default */
  int hash;       /* compute the SHA-256 of the bytes read */
} ys_dataset_opts;

struct ys_dataset {
  const ys_dataset_ops *ops;
  ys_dataset_opts opts;
  char *path;
  FILE *f;
  long lineno;     /* lines handed out by ys_dataset_readline so far */
  ys_buf line;     /* the current line */
  char *chunk;     /* read buffer */
  size_t chunk_len, chunk_pos;
  uint64_t chunk_base;  /* file offset of chunk[0] */
  uint64_t line_offset; /* file offset of the last line read */
  size_t line_bytes;    /* its length without the "\n" */
  uint64_t row_offset;  /* file offset where the last row returned starts
                         * (its first line) */
  int eof;
  ys_sha256 *sha;
  char sha_hex[65];
  void *impl;      /* the format's state */
};

void ys_dataset_opts_init(ys_dataset_opts *opts, ys_dataset_kind kind);

/* Opens path. Errors: YS_ERR_IO (cannot open), YS_ERR_DATA (bad header). */
ys_err ys_dataset_open(const char *path, const ys_dataset_opts *opts,
                       ys_dataset **out, ys_diag *diag) YS_WARN_UNUSED;

/* Reads the next row: *row is an object owned by the caller, *line the
 * line it starts on; *row is NULL at the end. Errors name path:line:
 * YS_ERR_DATA, YS_ERR_TOOBIG (line over YS_DATASET_MAX_LINE), YS_ERR_IO. */
ys_err ys_dataset_next(ys_dataset *ds, cJSON **row, long *line,
                       ys_diag *diag) YS_WARN_UNUSED;

/* For a second pass over rows already read once: the next row's string
 * member key without parsing the row when the format allows (a JSONL
 * line holding it with no escape): sets *val (valid until the next read)
 * and *vlen, and *row = NULL. Otherwise reads the row as ys_dataset_next
 * does and sets *row (and *val = NULL). Nothing else of a row read the
 * quick way is checked. */
ys_err ys_dataset_next_string(ys_dataset *ds, const char *key,
                              const char **val, size_t *vlen, cJSON **row,
                              long *line, ys_diag *diag) YS_WARN_UNUSED;

/* Hex SHA-256 of the whole file, once ys_dataset_next reached the end with
 * opts.hash set; NULL otherwise. */
const char *ys_dataset_sha256(const ys_dataset *ds);

void ys_dataset_free(ys_dataset *ds);

/* For format implementations: the next line without its terminator ("\n"
 * or "\r\n"; a UTF-8 BOM on line 1 removed), checked for NUL bytes and
 * valid UTF-8. Sets *text = NULL at the end of the file. */
ys_err ys_dataset_readline(ys_dataset *ds, const char **text, size_t *len,
                           ys_diag *diag) YS_WARN_UNUSED;

#endif
