/* SPDX-License-Identifier: MIT */
/*
 * data.h: what the dataset checks share (data.c): opening a dataset by
 * its name, picking a row's text, label, id and key fields, canonical row
 * text, interned strings, and the report the checks fill (data_lint.c,
 * data_leak.c, data_split.c) and data_report.c writes as text or JSON.
 * The public entry points are in yardstick.h (ys_data_*). Uses dataset,
 * json, hash, minhash, embed.
 *
 * Pointers are borrowed unless a comment says otherwise.
 */
#ifndef YS_DATA_H
#define YS_DATA_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "dataset.h"
#include "embed.h"
#include "err.h"
#include "hash.h"
#include "minhash.h"

/* Rows compared with one row per LSH bucket: lint compares a row with the
 * 32 rows before it in each bucket it falls in; leak compares a training
 * row with the first 256 evaluation rows of each bucket. This bounds the
 * time on files of many alike texts (templates). */
#define YS_DATA_LINT_NEIGHBOURS 32
#define YS_DATA_LEAK_NEIGHBOURS 256

/* Length outliers need at least this many texts. */
#define YS_DATA_MIN_LENGTHS 10

/* Distinct labels (lint) and strata (split) at most: a field with more
 * values is not a label, and each value is kept. */
#define YS_DATA_MAX_LABELS 100000
#define YS_DATA_MAX_STRATA 100000

/* What an issue is; the order is the report's. */
typedef enum {
  YS_DATA_DUPLICATE,      /* the same row again (other: its first line) */
  YS_DATA_DUPLICATE_TEXT, /* the same normalised text, same label */
  YS_DATA_LABEL_CONFLICT, /* the same normalised text, another label */
  YS_DATA_NEAR_DUPLICATE, /* similar text (value: estimated Jaccard) */
  YS_DATA_MISSING_FIELD,  /* aux: the field (a string) */
  YS_DATA_EMPTY_FIELD,    /* aux: the field */
  YS_DATA_LENGTH_OUTLIER, /* count: length; value: robust z */
  YS_DATA_INVALID_LABEL,  /* aux: the label */
  YS_DATA_RARE_LABEL,     /* line 0; aux: the label; count: its rows */
  YS_DATA_LEAK_EXACT,     /* other: the training line; aux: eval id + 1 */
  YS_DATA_LEAK_NEAR,      /* also value: estimated Jaccard */
  YS_DATA__KINDS
} ys_data_kind;

typedef struct ys_data_issue {
  uint32_t line;  /* 1-based; 0 for the file as a whole */
  uint32_t other; /* another line */
  uint32_t aux;   /* a string (ys_data_report.strings) */
  uint32_t count;
  float value;
  uint8_t kind;
} ys_data_issue;

/* Interned strings: field names, labels, ids, strata. */
typedef struct ys_data_strings {
  ys_idmap *map;
  char **v;
  size_t n, alloc;
} ys_data_strings;

void ys_data_strings_init(ys_data_strings *s);
void ys_data_strings_cleanup(ys_data_strings *s);
/* The index of s[0..len), added if new. */
uint32_t ys_data_intern(ys_data_strings *s, const char *str, size_t len);

typedef enum { YS_DATA_LINT, YS_DATA_LEAK, YS_DATA_SPLIT } ys_data_mode;

typedef struct ys_data_stratum {
  uint32_t name; /* string + 1; 0: rows without a value */
  uint64_t rows, train, eval;
} ys_data_stratum;

struct ys_data_report {
  ys_data_mode mode;
  char *path, *path2;      /* lint/split: the file; leak: train, eval */
  uint64_t rows, rows2;    /* leak: training rows, eval rows */
  char *format;
  char *text;              /* the text fields, comma-separated */
  char *label, *id;        /* NULL when unused */
  /* near-duplicates */
  ys_shingle_kind shingle;
  int shingle_n, lsh_rows, lsh_bands;
  double threshold;        /* Jaccard, or cosine with embeddings */
  char *embed_model;       /* embeddings: the model; NULL: MinHash */
  size_t embed_dims;       /* the model's vector length */
  uint64_t texts;          /* distinct texts compared */
  /* lint */
  char *taxonomy;
  uint64_t taxonomy_size;
  double max_z, rare;
  uint64_t nlengths;
  double len_median, len_low, len_high; /* in characters; low/high: the
                                         * bounds for "normal" */
  uint64_t labelled;       /* rows with a label */
  uint32_t *labels;        /* strings, by count (most first) */
  uint64_t *label_counts;
  uint8_t *label_flags;    /* 1 rare, 2 not in the taxonomy */
  size_t nlabels;
  /* leak */
  uint64_t eval_leaked;
  /* split */
  double holdout;
  uint64_t seed;
  char *key, *stratify, *out_train, *out_eval;
  uint64_t ntrain, neval;
  ys_data_stratum *strata;
  size_t nstrata;
  /* issues, in line order (line 0 last) */
  ys_data_issue *issues;
  size_t nissues, aissues;
  uint64_t counts[YS_DATA__KINDS];
  ys_data_strings strings;
};

/* A new report (free with ys_data_report_free). */
struct ys_data_report *ys_data_report_new(ys_data_mode mode);
void ys_data_issue_add(struct ys_data_report *r, ys_data_kind kind,
                       uint32_t line, uint32_t other, uint32_t aux,
                       uint32_t count, double value);
/* Sorts the issues by line (0 last), then kind. */
void ys_data_issues_sort(struct ys_data_report *r);
/* Sorts the strata by rows (most first), then name. */
void ys_data_strata_sort(struct ys_data_report *r);

/* Sets up the near-duplicate signatures opts ask for, and records them
 * in r: MinHash of shingles, or with opts->embed_url SimHash of
 * embeddings, fetched by *embed (free with ys_embed_free; NULL for
 * MinHash), which hands each vector to cb. Errors: YS_ERR_USAGE. */
ys_err ys_data_sketch_init(ys_minhash *mh, ys_embed **embed,
                           const ys_data_opts *o, ys_embed_cb cb, void *ud,
                           struct ys_data_report *r, ys_diag *diag)
  YS_WARN_UNUSED;

/* {====== reading rows ====== */

typedef struct ys_data_src {
  ys_dataset *ds;
  const char *path;
  ys_dataset_kind kind;
  const char *format;   /* "jsonl", "csv" or "tsv" */
  /* The fields asked for; NULL when not. text == NULL: all of the first
   * row's fields but the id and label fields. */
  char **text;
  size_t ntext;
  int text_all;
  const char *label;
  const char *id;       /* the id field, when the first row has it */
  const char *id_asked; /* as given; NULL: "id" if present */
  const char **need;    /* more fields the first row must have */
  size_t nneed;
  char **fields;        /* the first row's fields, in order */
  size_t nfields;
  cJSON *row;           /* the current row (owned), NULL at the end */
  long line;
  uint64_t nrows;
} ys_data_src;

/* Opens path for reading rows: format "jsonl", "csv", "tsv", or NULL to
 * pick by the extension (.csv, .tsv, else JSONL). text is a comma-
 * separated list of fields or NULL; label, id and each of need[0..nneed)
 * may be NULL. Errors: YS_ERR_USAGE (bad format or field list), YS_ERR_IO
 * (cannot open), YS_ERR_DATA (bad header). */
ys_err ys_data_src_open(ys_data_src *src, const char *path,
                        const char *format, const char *text,
                        const char *label, const char *id,
                        const char **need, size_t nneed, ys_diag *diag)
  YS_WARN_UNUSED;

/* Reads the next row into src->row (NULL at the end). On the first row,
 * checks the fields asked for are there (YS_ERR_DATA naming the file, the
 * line and the fields it has). Errors of the reader otherwise, and
 * YS_ERR_TOOBIG past 4294967295 lines. */
ys_err ys_data_src_next(ys_data_src *src, ys_diag *diag) YS_WARN_UNUSED;

/* Byte offset in the file just past what the reader consumed. */
uint64_t ys_data_src_pos(const ys_data_src *src);

void ys_data_src_close(ys_data_src *src);

/* Appends the row's text: the text fields' values joined by newlines
 * (strings as they are, numbers and booleans as text, the strings inside
 * arrays and objects one per line; null and missing fields add
 * nothing). */
ys_err ys_data_row_text(const ys_data_src *src, const cJSON *row,
                        ys_buf *out) YS_WARN_UNUSED;

/* Appends a value as a label or key: a string as it is, other values as
 * compact JSON. Sets *present to 0 for a missing, null or blank value. */
ys_err ys_data_value_text(const cJSON *v, ys_buf *out, int *present)
  YS_WARN_UNUSED;

/* Appends v as canonical JSON: object keys sorted, no blanks; the top-
 * level key skip (may be NULL) left out. Equal rows give equal text
 * whatever their key order or spacing. */
ys_err ys_data_canonical(const cJSON *v, const char *skip, ys_buf *out)
  YS_WARN_UNUSED;

/* Whether v is empty: null, a blank string, an empty array or object. */
int ys_data_value_empty(const cJSON *v);

/* Number of Unicode code points in s[0..len). */
uint64_t ys_data_chars(const char *s, size_t len);

/* }====== */

#endif
