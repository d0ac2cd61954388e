/* SPDX-License-Identifier: MIT */
/*
 * column.h: one score per task for one (model, metric key), what a run
 * keeps for its intervals, gates and paired tests. A column built with
 * ys_column_push is stored in chunks of 65,536 tasks: as bits for binary
 * keys (a value bit per task, plus a "not scored" bit per task once a task
 * in the chunk is not scored) or as doubles for continuous keys (NaN: not
 * scored). A column made by ys_column_view reads a caller's array of
 * doubles instead (a stored run read back). Readers use ys_column_at.
 * The struct is the caller's (init/cleanup); a view owns nothing. Uses
 * xalloc.
 */
#ifndef YS_COLUMN_H
#define YS_COLUMN_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Tasks per chunk: 8 KiB of bits, 512 KiB of doubles. */
#define YS_COLUMN_CHUNK_BITS 16
#define YS_COLUMN_CHUNK ((size_t)1 << YS_COLUMN_CHUNK_BITS)

typedef struct ys_column {
  size_t n;             /* values pushed or viewed */
  int binary;           /* stored as bits */
  const double *flat;   /* a view: n doubles, not owned; else NULL */
  double **dbl;         /* continuous: chunks of doubles */
  uint64_t **bits;      /* binary: chunks of value bits */
  uint64_t **unscored;  /* binary: chunks of "not scored" bits; the table
                         * and each chunk stay NULL until needed */
  size_t nchunks, achunks;
} ys_column;

/* An empty column: bits when binary (whose scores are 0 or 1), doubles
 * otherwise. */
void ys_column_init(ys_column *c, int binary);

/* Appends the next task's score; NaN when it was not scored. A binary
 * column keeps x > 0 as its bit. */
void ys_column_push(ys_column *c, double x);

/* A read-only view of n doubles (not copied; v must outlive the view). */
ys_column ys_column_view(const double *v, size_t n);

/* Frees what c holds (nothing for a view) and empties it. */
void ys_column_cleanup(ys_column *c);

/* Bytes c holds on the heap (the chunks and their tables). */
size_t ys_column_bytes(const ys_column *c);

/* The score of task t < c->n: 0 or 1 for a binary column, NaN where the
 * task was not scored. */
static inline double ys_column_at(const ys_column *c, size_t t)
{
  if(c->flat)
    return c->flat[t];
  size_t k = t >> YS_COLUMN_CHUNK_BITS, o = t & (YS_COLUMN_CHUNK - 1);
  if(!c->binary)
    return c->dbl[k][o];
  uint64_t bit = (uint64_t)1 << (o & 63);
  if(c->unscored && c->unscored[k] && (c->unscored[k][o >> 6] & bit))
    return NAN;
  return (c->bits[k][o >> 6] & bit) ? 1.0 : 0.0;
}

#endif
