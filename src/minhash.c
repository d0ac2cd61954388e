/* SPDX-License-Identifier: MIT */
/*
 * minhash.c: text normalisation, shingles, MinHash signatures and LSH
 * bands for near-duplicate detection. Each shingle is hashed once with
 * XXH3; the K hash functions are then multiply-add-shift maps of that
 * 64-bit value ((a * x + b) >> 32, a odd), drawn once from a fixed seed,
 * so signatures never change between runs or machines. SimHash
 * signatures of embedding vectors share the bands and the storage.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "hash.h"
#include "minhash.h"
#include "stats.h"
#include "xalloc.h"

/* Seeds: the hash functions, shingle hashing and band keys. Changing one
 * changes every signature (and the documented examples). */
#define SEED_FUNCS 0x6d696e68617368ull   /* "minhash" */
#define SEED_SHINGLE 0x7368696e676c65ull /* "shingle" */
#define SEED_BAND 0x62616e64ull          /* "band" */
#define SEED_PROJ 0x70726f6aull          /* "proj" */

#define PI 3.14159265358979323846

/* Scratch text is capped like a dataset row. */
#define MAX_TEXT (64u << 20)

ys_err ys_minhash_parse_shingle(const char *spec, ys_shingle_kind *kind,
                                int *n, ys_diag *diag)
{
  const char *colon = spec ? strchr(spec, ':') : NULL;
  ys_shingle_kind k;
  if(colon && colon - spec == 4 && !strncmp(spec, "char", 4))
    k = YS_SHINGLE_CHAR;
  else if(colon && colon - spec == 4 && !strncmp(spec, "word", 4))
    k = YS_SHINGLE_WORD;
  else
    goto bad;
  char *end;
  long v = strtol(colon + 1, &end, 10);
  if(end == colon + 1 || *end || colon[1] == '-' || colon[1] == '+' ||
     v < 1 || v > YS_MINHASH_MAX_N)
    goto bad;
  *kind = k;
  *n = (int)v;
  return YS_OK;
bad:
  return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "shingle '%s': expected "
                 "char:N or word:N with N from 1 to %d", spec ? spec : "",
                 YS_MINHASH_MAX_N);
}

double ys_minhash_candidate_prob(double j, int rows, int bands)
{
  double p = j + (1 - j) / 256.0;
  return 1 - pow(1 - pow(p, rows), bands);
}

void ys_minhash_lsh_params(double t, int *rows, int *bands)
{
  for(int r = 16; r > 1; r--)
    if(ys_minhash_candidate_prob(t, r, YS_MINHASH_K / r) >= 0.99) {
      *rows = r;
      *bands = YS_MINHASH_K / r;
      return;
    }
  *rows = 1;
  *bands = YS_MINHASH_K;
}

ys_err ys_minhash_init(ys_minhash *mh, ys_shingle_kind kind, int n,
                       double threshold, ys_diag *diag)
{
  memset(mh, 0, sizeof(*mh));
  ys_buf_init(&mh->norm, MAX_TEXT);
  ys_buf_init(&mh->word, MAX_TEXT);
  if(n < 1 || n > YS_MINHASH_MAX_N)
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "shingle size %d: expected "
                   "1 to %d", n, YS_MINHASH_MAX_N);
  if(!(threshold >= 0.5 && threshold <= 1))
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "similarity threshold %g: "
                   "expected 0.5 to 1", threshold);
  mh->sketch = YS_SKETCH_MINHASH;
  mh->sig_len = YS_MINHASH_K;
  mh->kind = kind;
  mh->n = n;
  mh->threshold = threshold;
  ys_minhash_lsh_params(threshold, &mh->rows, &mh->bands);
  ys_rng r;
  ys_rng_seed(&r, SEED_FUNCS);
  for(int i = 0; i < YS_MINHASH_K; i++) {
    mh->a[i] = ys_rng_next(&r) | 1;
    mh->b[i] = ys_rng_next(&r);
  }
  return YS_OK;
}

void ys_minhash_cleanup(ys_minhash *mh)
{
  ys_buf_free(&mh->norm);
  ys_buf_free(&mh->word);
  free(mh->pos);
  mh->pos = NULL;
  mh->apos = 0;
  free(mh->proj);
  mh->proj = NULL;
  mh->dims = 0;
}

/* {====== normalisation ====== */

static int is_space(utf8proc_int32_t c)
{
  if(c == ' ' || (c >= '\t' && c <= '\r'))
    return 1;
  if(c < 0x80)
    return 0;
  utf8proc_category_t k = utf8proc_category(c);
  return k >= UTF8PROC_CATEGORY_ZS && k <= UTF8PROC_CATEGORY_ZP;
}

static int is_word(utf8proc_int32_t c)
{
  if(c < 0x80)
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  utf8proc_category_t k = utf8proc_category(c);
  return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
         (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO) ||
         (k >= UTF8PROC_CATEGORY_MN && k <= UTF8PROC_CATEGORY_ME);
}

static int is_ascii(const char *s, size_t len)
{
  for(size_t i = 0; i < len; i++)
    if((unsigned char)s[i] >= 0x80)
      return 0;
  return 1;
}

/* Appends s[0..len) to out with blanks collapsed; ASCII letters lowered
 * when lower is set (the rest is already folded). */
static ys_err collapse(const char *s, size_t len, int lower, ys_buf *out)
{
  int pending = 0;
  size_t i = 0;
  while(i < len) {
    utf8proc_int32_t c = (unsigned char)s[i];
    size_t n = 1;
    if(c >= 0x80) {
      utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                            (utf8proc_ssize_t)(len - i), &c);
      if(k <= 0) {
        c = (unsigned char)s[i]; /* not UTF-8: keep the byte */
        k = 1;
      }
      n = (size_t)k;
    }
    if(is_space(c)) {
      pending = out->len > 0;
      i += n;
      continue;
    }
    ys_err err = YS_OK;
    if(pending)
      err = ys_buf_addc(out, ' ');
    pending = 0;
    if(!err && lower && c >= 'A' && c <= 'Z')
      err = ys_buf_addc(out, (char)(c + 32));
    else if(!err)
      err = ys_buf_add(out, s + i, n);
    if(err)
      return err;
    i += n;
  }
  return YS_OK;
}

ys_err ys_minhash_normalize(const char *s, size_t len, ys_buf *out)
{
  ys_buf_reset(out);
  /* ASCII is its own NFKC form and folds to lower case: skip utf8proc
   * (and its copy) for the common case. */
  if(is_ascii(s, len))
    return collapse(s, len, 1, out);
  utf8proc_uint8_t *m = NULL;
  utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s,
                                    (utf8proc_ssize_t)len, &m,
                                    UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                    UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
  if(n == UTF8PROC_ERROR_NOMEM)
    return YS_ERR_NOMEM;
  ys_err err = n < 0 ? collapse(s, len, 1, out)
                     : collapse((const char *)m, (size_t)n, 0, out);
  free(m);
  return err;
}

/* }====== */

/* {====== signatures ====== */

static void need_pos(ys_minhash *mh, size_t n)
{
  if(n > mh->apos) {
    mh->apos = n + n / 2 + 16;
    mh->pos = ys_xrealloc(mh->pos, mh->apos * sizeof(size_t));
  }
}

/* Folds shingle hash x into the minima: one multiply-add per function. */
static void add_shingle(const ys_minhash *mh, uint32_t *mins, uint64_t x)
{
  for(int i = 0; i < YS_MINHASH_K; i++) {
    uint32_t v = (uint32_t)((mh->a[i] * x + mh->b[i]) >> 32);
    mins[i] = v < mins[i] ? v : mins[i];
  }
}

static size_t sign_chars(ys_minhash *mh, const char *s, size_t len,
                         uint32_t *mins)
{
  /* pos[i]: where code point i starts; pos[count] = len. */
  need_pos(mh, len + 1);
  size_t cp = 0;
  for(size_t i = 0; i < len; i++)
    if(((unsigned char)s[i] & 0xC0) != 0x80)
      mh->pos[cp++] = i;
  mh->pos[cp] = len;
  if(!cp)
    return 0;
  size_t n = (size_t)mh->n;
  if(cp <= n) {
    add_shingle(mh, mins, ys_hash64(s, len, SEED_SHINGLE));
    return 1;
  }
  for(size_t i = 0; i + n <= cp; i++)
    add_shingle(mh, mins, ys_hash64(s + mh->pos[i], mh->pos[i + n] -
                                    mh->pos[i], SEED_SHINGLE));
  return cp - n + 1;
}

static size_t sign_words(ys_minhash *mh, const char *s, size_t len,
                         uint32_t *mins)
{
  /* pos[2i], pos[2i + 1]: where word i starts and ends. */
  need_pos(mh, len + 2);
  size_t nw = 0, i = 0;
  int in_word = 0;
  while(i < len) {
    utf8proc_int32_t c = (unsigned char)s[i];
    utf8proc_ssize_t k = 1;
    if(c >= 0x80) {
      k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                           (utf8proc_ssize_t)(len - i), &c);
      if(k <= 0) {
        c = 0;
        k = 1;
      }
    }
    int w = is_word(c);
    if(w && !in_word)
      mh->pos[2 * nw] = i;
    if(!w && in_word)
      mh->pos[2 * nw++ + 1] = i;
    in_word = w;
    i += (size_t)k;
  }
  if(in_word)
    mh->pos[2 * nw++ + 1] = len;
  if(!nw)
    return 0;
  size_t n = (size_t)mh->n < nw ? (size_t)mh->n : nw;
  size_t count = 0;
  for(size_t w = 0; w + n <= nw; w++) {
    ys_buf_reset(&mh->word);
    for(size_t j = w; j < w + n; j++) {
      /* The shingle is no longer than the text: within the cap. */
      if((j > w && ys_buf_addc(&mh->word, ' ')) ||
         ys_buf_add(&mh->word, s + mh->pos[2 * j],
                    mh->pos[2 * j + 1] - mh->pos[2 * j]))
        return count;
    }
    add_shingle(mh, mins, ys_hash64(mh->word.data, mh->word.len,
                                    SEED_SHINGLE));
    count++;
  }
  return count;
}

int ys_minhash_sign(ys_minhash *mh, const char *s, size_t len,
                    uint8_t sig[YS_MINHASH_K], size_t *nshingles)
{
  uint32_t mins[YS_MINHASH_K];
  for(int i = 0; i < YS_MINHASH_K; i++)
    mins[i] = UINT32_MAX;
  size_t n = mh->kind == YS_SHINGLE_CHAR ? sign_chars(mh, s, len, mins)
                                         : sign_words(mh, s, len, mins);
  if(nshingles)
    *nshingles = n;
  if(!n)
    return 0;
  for(int i = 0; i < YS_MINHASH_K; i++)
    sig[i] = (uint8_t)mins[i];
  return 1;
}

double ys_minhash_similarity(const ys_minhash *mh, const uint8_t *a,
                             const uint8_t *b)
{
  if(mh->sketch == YS_SKETCH_SIMHASH) {
    int diff = 0;
    for(int i = 0; i < YS_SIMHASH_BITS / 8; i++) {
      unsigned x = (unsigned)(a[i] ^ b[i]);
      while(x) {
        diff++;
        x &= x - 1;
      }
    }
    return cos(PI * diff / YS_SIMHASH_BITS);
  }
  int same = 0;
  for(int i = 0; i < YS_MINHASH_K; i++)
    same += a[i] == b[i];
  double m = (double)same / YS_MINHASH_K;
  double j = (m - 1 / 256.0) / (1 - 1 / 256.0);
  return j < 0 ? 0 : j > 1 ? 1 : j;
}

/* }====== */

/* {====== LSH bands ====== */

uint32_t ys_minhash_band_key(const ys_minhash *mh, const uint8_t *sig,
                             int band)
{
  uint64_t h;
  if(mh->sketch == YS_SKETCH_SIMHASH) {
    /* rows bits from bit band * rows on, as a little-endian number */
    uint64_t bits = 0;
    int first = band * mh->rows;
    for(int i = 0; i < mh->rows; i++) {
      int b = first + i;
      bits |= (uint64_t)((sig[b / 8] >> (b % 8)) & 1) << i;
    }
    h = ys_hash64(&bits, sizeof(bits), SEED_BAND + (uint64_t)band);
  }
  else
    h = ys_hash64(sig + band * mh->rows, (size_t)mh->rows,
                  SEED_BAND + (uint64_t)band);
  return (uint32_t)(h ^ (h >> 32));
}

/* One stable counting pass on 16 bits of the key (shift 32 or 48). */
static void radix_pass(const uint64_t *in, uint64_t *out, uint32_t n,
                       int shift, size_t *count)
{
  memset(count, 0, 65536 * sizeof(size_t));
  for(uint32_t i = 0; i < n; i++)
    count[(in[i] >> shift) & 0xFFFF]++;
  size_t sum = 0;
  for(size_t d = 0; d < 65536; d++) {
    size_t c = count[d];
    count[d] = sum;
    sum += c;
  }
  for(uint32_t i = 0; i < n; i++)
    out[count[(in[i] >> shift) & 0xFFFF]++] = in[i];
}

void ys_minhash_band_sorted(const ys_minhash *mh,
                            const uint8_t *(*sigs)(uint32_t i, void *ctx),
                            void *ctx, uint32_t n, int band, uint64_t *out,
                            uint64_t *tmp)
{
  for(uint32_t i = 0; i < n; i++)
    out[i] = (uint64_t)ys_minhash_band_key(mh, sigs(i, ctx), band) << 32 |
             i;
  /* out is in index order, and LSD radix sorting is stable: equal keys
   * stay in index order. */
  size_t *count = ys_xmalloc(65536 * sizeof(size_t));
  radix_pass(out, tmp, n, 32, count);
  radix_pass(tmp, out, n, 48, count);
  free(count);
}

/* }====== */

/* {====== SimHash of embedding vectors ====== */

double ys_minhash_simhash_prob(double c, int rows, int bands)
{
  if(c > 1)
    c = 1;
  if(c < -1)
    c = -1;
  double p = 1 - acos(c) / PI;
  return 1 - pow(1 - pow(p, rows), bands);
}

void ys_minhash_simhash_params(double t, int *rows, int *bands)
{
  for(int r = 32; r > 1; r--)
    if(ys_minhash_simhash_prob(t, r, YS_SIMHASH_BITS / r) >= 0.99) {
      *rows = r;
      *bands = YS_SIMHASH_BITS / r;
      return;
    }
  *rows = 1;
  *bands = YS_SIMHASH_BITS;
}

ys_err ys_minhash_init_simhash(ys_minhash *mh, double threshold,
                               ys_diag *diag)
{
  memset(mh, 0, sizeof(*mh));
  ys_buf_init(&mh->norm, MAX_TEXT);
  ys_buf_init(&mh->word, MAX_TEXT);
  if(!(threshold >= 0.5 && threshold <= 1))
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "cosine similarity "
                   "threshold %g: expected 0.5 to 1", threshold);
  mh->sketch = YS_SKETCH_SIMHASH;
  mh->sig_len = YS_SIMHASH_BITS / 8;
  mh->threshold = threshold;
  ys_minhash_simhash_params(threshold, &mh->rows, &mh->bands);
  return YS_OK;
}

/* A standard normal value (Box-Muller). */
static double normal(ys_rng *r)
{
  double u = ((double)(ys_rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
  double v = (double)(ys_rng_next(r) >> 11) / 9007199254740992.0;
  return sqrt(-2 * log(u)) * cos(2 * PI * v);
}

ys_err ys_minhash_project(ys_minhash *mh, const float *v, size_t dims,
                          uint8_t sig[YS_MINHASH_K], ys_diag *diag)
{
  if(!mh->proj) {
    if(!dims || dims > YS_SIMHASH_MAX_DIMS)
      return ys_fail(diag, YS_ERR_MODEL, NULL, 0, "embeddings of %zu "
                     "dimensions: expected 1 to %d", dims,
                     YS_SIMHASH_MAX_DIMS);
    /* Normal directions make the chance that a hyperplane separates two
     * vectors their angle over pi, whatever the vectors. */
    mh->proj = ys_xmalloc(dims * YS_SIMHASH_BITS * sizeof(float));
    ys_rng r;
    ys_rng_seed(&r, SEED_PROJ);
    for(size_t i = 0; i < dims * YS_SIMHASH_BITS; i++)
      mh->proj[i] = (float)normal(&r);
    mh->dims = dims;
  }
  if(dims != mh->dims)
    return ys_fail(diag, YS_ERR_MODEL, NULL, 0, "an embedding of %zu "
                   "dimensions after ones of %zu", dims, mh->dims);
  /* Row by row (dimension by dimension): every sum in the same order on
   * every machine, and a loop the compiler vectorises. */
  float acc[YS_SIMHASH_BITS];
  memset(acc, 0, sizeof(acc));
  for(size_t d = 0; d < dims; d++) {
    float x = v[d];
    if(x == 0)
      continue;
    const float *row = mh->proj + d * YS_SIMHASH_BITS;
    for(int b = 0; b < YS_SIMHASH_BITS; b++)
      acc[b] += row[b] * x;
  }
  memset(sig, 0, YS_SIMHASH_BITS / 8);
  for(int b = 0; b < YS_SIMHASH_BITS; b++)
    if(acc[b] > 0)
      sig[b / 8] |= (uint8_t)(1u << (b % 8));
  return YS_OK;
}

/* }====== */
