/* SPDX-License-Identifier: MIT */
/*
 * minhash.h: near-duplicate detection for dataset checks. Text is
 * normalised (NFKC, case folded, blanks collapsed), cut into shingles
 * (character or word n-grams), and summarised by a MinHash signature of
 * YS_MINHASH_K one-byte values (b-bit MinHash: the low 8 bits of each
 * minimum), so a row costs 128 bytes whatever its length. Locality-
 * sensitive hashing groups signatures into bands; two texts sharing a
 * band are candidates, and the signatures estimate their Jaccard
 * similarity. The same machinery takes embedding vectors instead:
 * SimHash (the signs of YS_SIMHASH_BITS random projections, Charikar
 * 2002) estimates their cosine similarity in 64 bytes. Uses utf8proc,
 * XXH3 (hash.h) and the seeded generator (stats.h). Used by data_lint.c
 * and data_leak.c.
 *
 * Pointers are borrowed. Everything is deterministic: the same text gives
 * the same signature on every machine and run.
 */
#ifndef YS_MINHASH_H
#define YS_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* Values in a signature: the most bytes a signature takes. */
#define YS_MINHASH_K 128
/* Bits of a SimHash signature, and the longest vector projected. */
#define YS_SIMHASH_BITS 512
#define YS_SIMHASH_MAX_DIMS 16384
/* Longest shingle, in characters or words. */
#define YS_MINHASH_MAX_N 32

typedef enum { YS_SHINGLE_CHAR, YS_SHINGLE_WORD } ys_shingle_kind;

typedef enum { YS_SKETCH_MINHASH, YS_SKETCH_SIMHASH } ys_sketch_kind;

typedef struct ys_minhash {
  ys_sketch_kind sketch;
  int sig_len;     /* bytes of a signature */
  ys_shingle_kind kind;
  int n;           /* shingle size */
  double threshold; /* Jaccard (MinHash) or cosine (SimHash) */
  int rows;        /* LSH: values (SimHash: bits) per band */
  int bands;       /* LSH: bands (rows * bands <= the values) */
  uint64_t a[YS_MINHASH_K], b[YS_MINHASH_K]; /* the hash functions */
  ys_buf norm;     /* scratch: the normalised text */
  ys_buf word;     /* scratch: a word shingle */
  size_t *pos;     /* scratch: code point or word offsets */
  size_t apos;
  float *proj;     /* SimHash: dims x YS_SIMHASH_BITS normal values */
  size_t dims;     /* 0 until the first vector */
} ys_minhash;

/* Parses "char:N" or "word:N" (N from 1 to YS_MINHASH_MAX_N). Errors:
 * YS_ERR_USAGE. */
ys_err ys_minhash_parse_shingle(const char *spec, ys_shingle_kind *kind,
                                int *n, ys_diag *diag) YS_WARN_UNUSED;

/* Sets up mh for shingles of kind and size n and a similarity threshold
 * from 0.5 to 1 (which picks the LSH bands, see ys_minhash_lsh_params).
 * Errors: YS_ERR_USAGE (n or threshold out of range). */
ys_err ys_minhash_init(ys_minhash *mh, ys_shingle_kind kind, int n,
                       double threshold, ys_diag *diag) YS_WARN_UNUSED;
void ys_minhash_cleanup(ys_minhash *mh);

/* Sets up mh for SimHash signatures of embedding vectors and a cosine
 * similarity threshold from 0.5 to 1 (which picks the LSH bands, see
 * ys_minhash_simhash_params). Errors: YS_ERR_USAGE. */
ys_err ys_minhash_init_simhash(ys_minhash *mh, double threshold,
                               ys_diag *diag) YS_WARN_UNUSED;

/* The LSH shape for a cosine threshold t: the most bits per band (at most
 * 32) such that YS_SIMHASH_BITS / rows bands catch a pair of cosine t
 * with probability at least 0.99 (see ys_minhash_simhash_prob). */
void ys_minhash_simhash_params(double t, int *rows, int *bands);

/* Probability that two vectors of cosine similarity c share at least one
 * of bands bands of rows bits: each bit agrees with probability
 * 1 - acos(c) / pi. */
double ys_minhash_simhash_prob(double c, int rows, int bands);

/* SimHash signature of v[0..dims) (mh set up by ys_minhash_init_simhash):
 * bit i is set when v's projection on the i-th random direction is
 * positive. The directions are drawn once from a fixed seed when the
 * first vector gives the length. Errors: YS_ERR_MODEL (dims over
 * YS_SIMHASH_MAX_DIMS, or unlike the first vector's). */
ys_err ys_minhash_project(ys_minhash *mh, const float *v, size_t dims,
                          uint8_t sig[YS_MINHASH_K], ys_diag *diag)
  YS_WARN_UNUSED;

/* The LSH shape for a threshold t: the most values per band r (at most
 * 16) such that bands = K / r catch a pair of similarity t with
 * probability at least 0.99 (see ys_minhash_candidate_prob). */
void ys_minhash_lsh_params(double t, int *rows, int *bands);

/* Probability that two texts of Jaccard similarity j share at least one
 * of bands bands of rows one-byte values: 1 - (1 - p^rows)^bands with
 * p = j + (1 - j) / 256 (two different minima agree in their low byte
 * one time in 256). */
double ys_minhash_candidate_prob(double j, int rows, int bands);

/* Normalises s[0..len) into out (reset first): NFKC, case folded, runs of
 * white space as one blank, none at either end. Text utf8proc refuses
 * (a lone surrogate from a JSON escape) is kept as it is, ASCII-lowered.
 * Errors: YS_ERR_NOMEM, YS_ERR_TOOBIG (out's cap). */
ys_err ys_minhash_normalize(const char *s, size_t len, ys_buf *out)
  YS_WARN_UNUSED;

/* Signature of normalised text s[0..len) (as from ys_minhash_normalize):
 * the minimum of each hash function over its shingles, low byte kept.
 * A text shorter than one shingle is one shingle. Sets *nshingles (may be
 * NULL) and returns 0 when the text has no shingle (empty, or no word in
 * word mode), else 1. */
int ys_minhash_sign(ys_minhash *mh, const char *s, size_t len,
                    uint8_t sig[YS_MINHASH_K], size_t *nshingles);

/* Estimated similarity of two signatures. MinHash: the Jaccard
 * similarity, from the share m of equal values corrected for chance
 * agreement, (m - 1/256) / (1 - 1/256), clamped to [0, 1]. SimHash: the
 * cosine similarity, cos(pi h / YS_SIMHASH_BITS) for h differing bits. */
double ys_minhash_similarity(const ys_minhash *mh, const uint8_t *a,
                             const uint8_t *b);

/* The 32-bit key of band band of sig (its rows values or bits, hashed
 * with the band number). */
uint32_t ys_minhash_band_key(const ys_minhash *mh, const uint8_t *sig,
                             int band);

/* Fills out[0..n) with key << 32 | i for signature i of sigs (n
 * signatures of YS_MINHASH_K bytes, sigs(i, ctx) returns signature i),
 * sorted by key and, within a key, by i (a stable radix sort; tmp holds n
 * values). */
void ys_minhash_band_sorted(const ys_minhash *mh,
                            const uint8_t *(*sigs)(uint32_t i, void *ctx),
                            void *ctx, uint32_t n, int band, uint64_t *out,
                            uint64_t *tmp);

#endif
