/* SPDX-License-Identifier: MIT */
/*
 * bloom.c: the growing Bloom filter. Probe j of an item is h1 + j * h2
 * (Kirsch and Mitzenmacher: two hashes make k), mapped onto a stage's m
 * bits by multiplying its top 32 bits by m, which fits any m up to 2^32
 * without a division, so a stage is sized for its items exactly instead
 * of rounded up to a power of two.
 */
#include <stdlib.h>
#include <string.h>

#include "bloom.h"
#include "xalloc.h"

/* A stage's bits at most: what the 32-bit mapping reaches. */
#define MAX_STAGE_BITS ((uint64_t)1 << 32)

typedef struct stage {
  uint64_t *w;
  uint64_t m;     /* bits: a multiple of 64 */
  size_t cap, n;  /* items it holds, and has */
  unsigned k;     /* probes */
} stage;

struct ys_bloom {
  unsigned bits;       /* per item, in stages after the first */
  stage *st;
  size_t nst, ast;
  size_t count, capacity;
  size_t expect;       /* the next stage's items, from the caller */
};

static void add_stage(ys_bloom *b, size_t cap, unsigned bits)
{
  if(cap < 1)
    cap = 1;
  uint64_t m = (uint64_t)cap * bits;
  if(m > MAX_STAGE_BITS) {
    m = MAX_STAGE_BITS;
    cap = (size_t)(m / bits);
  }
  m = (m + 63) / 64 * 64;
  if(b->nst == b->ast) {
    b->ast = b->ast ? b->ast * 2 : 8;
    b->st = ys_xrealloc(b->st, b->ast * sizeof(stage));
  }
  /* k = bits * ln 2 minimises false positives for a full stage. */
  unsigned k = (unsigned)((double)bits * 0.6931471805599453 + 0.5);
  stage *s = &b->st[b->nst++];
  s->w = ys_xcalloc((size_t)(m / 64), sizeof(uint64_t));
  s->m = m;
  s->cap = cap;
  s->n = 0;
  s->k = k ? k : 1;
  b->capacity += cap;
}

ys_bloom *ys_bloom_new(unsigned bits, size_t first)
{
  ys_bloom *b = ys_xcalloc(1, sizeof(*b));
  b->bits = bits == 0 ? YS_BLOOM_BITS : bits > 32 ? 32 : bits;
  add_stage(b, first ? first : YS_BLOOM_FIRST, 2 * b->bits);
  return b;
}

void ys_bloom_free(ys_bloom *b)
{
  if(!b)
    return;
  for(size_t i = 0; i < b->nst; i++)
    free(b->st[i].w);
  free(b->st);
  free(b);
}

static uint64_t probe(const stage *s, uint64_t h1, uint64_t h2, unsigned j)
{
  uint64_t g = h1 + (uint64_t)j * h2;
  return ((g >> 32) * s->m) >> 32;
}

static int has(const stage *s, uint64_t h1, uint64_t h2)
{
  for(unsigned j = 0; j < s->k; j++) {
    uint64_t p = probe(s, h1, h2, j);
    if(!(s->w[p >> 6] >> (p & 63) & 1))
      return 0;
  }
  return 1;
}

int ys_bloom_add(ys_bloom *b, uint64_t h1, uint64_t h2)
{
  for(size_t i = 0; i < b->nst; i++)
    if(has(&b->st[i], h1, h2))
      return 1;
  if(ys_bloom_full(b)) {
    size_t cap = b->capacity;
    if(b->expect)
      cap = b->expect > b->capacity / 4 ? b->expect : b->capacity / 4;
    b->expect = 0;
    add_stage(b, cap, b->bits);
  }
  stage *s = &b->st[b->nst - 1];
  for(unsigned j = 0; j < s->k; j++) {
    uint64_t p = probe(s, h1, h2, j);
    s->w[p >> 6] |= (uint64_t)1 << (p & 63);
  }
  s->n++;
  b->count++;
  return 0;
}

int ys_bloom_full(const ys_bloom *b)
{
  const stage *s = &b->st[b->nst - 1];
  return s->n >= s->cap;
}

void ys_bloom_expect(ys_bloom *b, size_t n)
{
  b->expect = n;
}

size_t ys_bloom_count(const ys_bloom *b)
{
  return b->count;
}

size_t ys_bloom_bytes(const ys_bloom *b)
{
  size_t n = 0;
  for(size_t i = 0; i < b->nst; i++)
    n += (size_t)(b->st[i].m / 8);
  return n;
}
