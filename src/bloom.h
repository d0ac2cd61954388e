/* SPDX-License-Identifier: MIT */
/*
 * bloom.h: a Bloom filter that grows, for "surely new" or "maybe seen"
 * answers about items given by two 64-bit hashes, in about 2 bytes per
 * item at 16 bits each. There are no false negatives; false positives
 * are the caller's to settle (plan.c re-reads the dataset). The filter is
 * a list of stages: the first holds few items at twice the bits (it is
 * small, and it stays full for the rest of the run, so it must rarely
 * say "maybe"); each later one is sized by the caller's estimate of the
 * items still to come (ys_bloom_expect), or as large as all before it.
 * An item is looked for in every stage and added to the newest. The
 * filter is the caller's to free (ys_bloom_free). Uses xalloc.
 */
#ifndef YS_BLOOM_H
#define YS_BLOOM_H

#include <stddef.h>
#include <stdint.h>

typedef struct ys_bloom ys_bloom;

/* Bits per item when the caller has no reason to pick: k = 11 probes,
 * about 1 false positive in 2,000 lookups in a full stage. */
#define YS_BLOOM_BITS 16

/* Items the first stage holds (at twice the bits) by default. */
#define YS_BLOOM_FIRST 4096

/* A filter of bits bits per item (1 to 32; 0: YS_BLOOM_BITS; k = bits *
 * ln 2 probes) whose first stage holds first items (0: YS_BLOOM_FIRST).
 * Tests make both tiny to force false positives. Returns owned (free
 * with ys_bloom_free). */
ys_bloom *ys_bloom_new(unsigned bits, size_t first);
void ys_bloom_free(ys_bloom *b);

/* Returns 1 when an item with this hash may have been added before
 * (and leaves the filter as it is), else adds it and returns 0. */
int ys_bloom_add(ys_bloom *b, uint64_t h1, uint64_t h2);

/* Whether the newest stage is full: the next item added starts a stage. */
int ys_bloom_full(const ys_bloom *b);

/* The next stage started holds at least n items: the caller's estimate
 * of the items still to come (0: no estimate). A stage still holds at
 * least a quarter of all before it, so a low estimate costs a few more
 * stages, not one per item. */
void ys_bloom_expect(ys_bloom *b, size_t n);

/* Items added, and bytes of bits held. */
size_t ys_bloom_count(const ys_bloom *b);
size_t ys_bloom_bytes(const ys_bloom *b);

#endif
