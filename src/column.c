/* SPDX-License-Identifier: MIT */
/*
 * column.c: score columns in chunks. Fixed chunks instead of one array
 * grown by doubling: a million-task column never needs a second copy of
 * itself while it grows, and only its table of chunk pointers is
 * reallocated.
 */
#include <stdlib.h>
#include <string.h>

#include "column.h"
#include "xalloc.h"

#define WORDS (YS_COLUMN_CHUNK / 64)

void ys_column_init(ys_column *c, int binary)
{
  memset(c, 0, sizeof(*c));
  c->binary = binary;
}

ys_column ys_column_view(const double *v, size_t n)
{
  ys_column c;
  memset(&c, 0, sizeof(c));
  c.flat = v;
  c.n = n;
  return c;
}

/* Room for one more chunk in the tables. */
static void grow_tables(ys_column *c)
{
  size_t a = c->achunks ? c->achunks * 2 : 4;
  if(c->binary) {
    c->bits = ys_xrealloc(c->bits, a * sizeof(uint64_t *));
    if(c->unscored) {
      c->unscored = ys_xrealloc(c->unscored, a * sizeof(uint64_t *));
      memset(c->unscored + c->achunks, 0,
             (a - c->achunks) * sizeof(uint64_t *));
    }
  }
  else
    c->dbl = ys_xrealloc(c->dbl, a * sizeof(double *));
  c->achunks = a;
}

void ys_column_push(ys_column *c, double x)
{
  size_t k = c->n >> YS_COLUMN_CHUNK_BITS, o = c->n & (YS_COLUMN_CHUNK - 1);
  if(k == c->nchunks) {
    if(c->nchunks == c->achunks)
      grow_tables(c);
    if(c->binary)
      c->bits[k] = ys_xcalloc(WORDS, sizeof(uint64_t));
    else
      c->dbl[k] = ys_xmalloc(YS_COLUMN_CHUNK * sizeof(double));
    c->nchunks++;
  }
  c->n++;
  if(!c->binary) {
    c->dbl[k][o] = x;
    return;
  }
  uint64_t bit = (uint64_t)1 << (o & 63);
  if(isnan(x)) {
    /* Errors are rare: the bits that mark them cost nothing until one
     * happens, then a bit per task of that chunk. */
    if(!c->unscored)
      c->unscored = ys_xcalloc(c->achunks, sizeof(uint64_t *));
    if(!c->unscored[k])
      c->unscored[k] = ys_xcalloc(WORDS, sizeof(uint64_t));
    c->unscored[k][o >> 6] |= bit;
  }
  else if(x > 0)
    c->bits[k][o >> 6] |= bit;
}

void ys_column_cleanup(ys_column *c)
{
  for(size_t k = 0; k < c->nchunks; k++) {
    if(c->binary) {
      free(c->bits[k]);
      if(c->unscored)
        free(c->unscored[k]);
    }
    else
      free(c->dbl[k]);
  }
  free(c->bits);
  free(c->unscored);
  free(c->dbl);
  ys_column_init(c, c->binary);
}

size_t ys_column_bytes(const ys_column *c)
{
  size_t b = 0;
  if(c->flat)
    return 0;
  if(c->binary) {
    b += c->achunks * sizeof(uint64_t *) + c->nchunks * WORDS * 8;
    if(c->unscored) {
      b += c->achunks * sizeof(uint64_t *);
      for(size_t k = 0; k < c->nchunks; k++)
        if(c->unscored[k])
          b += WORDS * 8;
    }
  }
  else
    b += c->achunks * sizeof(double *) +
         c->nchunks * YS_COLUMN_CHUNK * sizeof(double);
  return b;
}
