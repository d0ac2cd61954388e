/* SPDX-License-Identifier: MIT */
/*
 * plan.h: the pass over the dataset before any model is called. It checks
 * every row in scope (an id that is a non-empty string or number and
 * unique; every field the prompt templates use), applies --limit and the
 * seeded --sample selection and the --shard split, and hashes the file.
 * Unique ids are checked in about 2 bytes per row: a Bloom filter, and a
 * second read of the rows up to the last id it was unsure of (see
 * plan.c). The run then streams the dataset again and keeps the rows the
 * plan selected. Uses dataset, template, hash, bloom, suite.
 */
#ifndef YS_PLAN_H
#define YS_PLAN_H

#include <stdint.h>

#include "hash.h"
#include "suite.h"

/* Longest id accepted, in bytes. */
#define YS_MAX_ID 1023

typedef struct ys_plan {
  long rows_read;     /* rows checked */
  long rows_selected; /* rows the run evaluates */
  long limit;         /* from the options; 0 = none */
  long sample;        /* from the options; 0 = none */
  uint64_t seed;
  ys_idmap *selected; /* ids kept by --sample, or NULL when all are */
  char sha256[65];    /* of the dataset file */
  long *field_rows;   /* per watched field: rows in scope that have it */
  long shard, shards; /* this run's shard of shards; 0 shards: all */
  long id_suspects;   /* ids the duplicate filter was unsure of */
  long id_rereads;    /* reads of the dataset to settle them */
} ys_plan;

/* What the plan selects. */
typedef struct ys_plan_opts {
  long limit;                 /* the first N rows; 0: all */
  long sample;                /* a seeded subset of N of those; 0: all */
  uint64_t seed;
  long shard, shards;         /* then the rows whose id falls in shard
                               * (0-based) of shards; shards 0: all */
  const char *const *fields;  /* fields to count rows of (field_rows) */
  size_t nfields;
} ys_plan_opts;

/* Checks the suite's dataset and fills plan; also counts the rows that
 * have each of o->fields (for options naming dataset fields). Errors:
 * YS_ERR_DATA (with dataset:line), YS_ERR_IO, YS_ERR_TOOBIG. */
ys_err ys_plan_make(const ys_suite *s, const ys_plan_opts *o, ys_plan *plan,
                    ys_diag *diag) YS_WARN_UNUSED;

/* The same with the duplicate-id filter sized by hand (bloom.h): bits
 * per id and ids in its first stage, 0 for the defaults. Tests make it
 * tiny to force false positives; the result is the same at any size. */
ys_err ys_plan_make_with_filter(const ys_suite *s, const ys_plan_opts *o,
                                unsigned bits, size_t first, ys_plan *plan,
                                ys_diag *diag) YS_WARN_UNUSED;

/* The shard (0-based, of shards) a sample id falls in: a hash of the id
 * alone, so shards stay the same when rows are reordered or added. */
long ys_plan_shard_of(const char *id, long shards);

/* Whether the run evaluates the row with this id (the index-th row read,
 * counting from 0). */
int ys_plan_selects(const ys_plan *plan, long index, const char *id);

void ys_plan_cleanup(ys_plan *plan);

/* The id of row as text in buf, or a YS_ERR_DATA naming path:line. */
ys_err ys_plan_row_id(const ys_suite *s, const cJSON *row, const char *path,
                      long line, char id[YS_MAX_ID + 1], ys_diag *diag)
  YS_WARN_UNUSED;

#endif
