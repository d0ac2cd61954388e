/* SPDX-License-Identifier: MIT */
/*
 * hash.c: SHA-256 through libcrypto's EVP interface, XXH3 through
 * libxxhash, and the open-addressing id map (linear probing, power-of-two
 * size, grown at 70% load).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "hash.h"
#include "xalloc.h"

struct ys_sha256 {
  EVP_MD_CTX *ctx;
};

/* Fetched once: an implicit fetch on every hash costs more than hashing
 * a cache key. */
static const EVP_MD *sha256_md(void)
{
  static EVP_MD *md;
  if(!md)
    md = EVP_MD_fetch(NULL, "SHA256", NULL);
  return md ? md : EVP_sha256();
}

ys_sha256 *ys_sha256_new(void)
{
  ys_sha256 *h = ys_xmalloc(sizeof(*h));
  h->ctx = EVP_MD_CTX_new();
  if(!h->ctx || !EVP_DigestInit_ex(h->ctx, sha256_md(), NULL)) {
    fprintf(stderr, "yardstick: libcrypto cannot start SHA-256\n");
    abort();
  }
  return h;
}

void ys_sha256_update(ys_sha256 *h, const void *data, size_t len)
{
  EVP_DigestUpdate(h->ctx, data, len);
}

void ys_sha256_final(ys_sha256 *h, char hex[65])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  static const char digits[] = "0123456789abcdef";
  EVP_DigestFinal_ex(h->ctx, md, &n);
  for(unsigned int i = 0; i < n && i < 32; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = '\0';
  EVP_MD_CTX_free(h->ctx);
  free(h);
}

ys_err ys_sha256_file(const char *path, char hex[65], ys_diag *diag)
{
  FILE *f = fopen(path, "rb");
  if(!f)
    return ys_fail(diag, YS_ERR_IO, path, 0, "cannot open: %s",
                   strerror(errno));
  ys_sha256 *h = ys_sha256_new();
  char chunk[65536];
  size_t n;
  while((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    ys_sha256_update(h, chunk, n);
  int bad = ferror(f);
  fclose(f);
  ys_sha256_final(h, hex);
  if(bad)
    return ys_fail(diag, YS_ERR_IO, path, 0, "read error");
  return YS_OK;
}

uint64_t ys_hash64(const void *data, size_t len, uint64_t seed)
{
  return XXH3_64bits_withSeed(data, len, seed);
}

/* {====== id map ====== */

typedef struct slot {
  uint64_t lo, hi; /* 128-bit key hash; lo == hi == 0 marks an empty slot */
  uint64_t value;
} slot;

struct ys_idmap {
  slot *slots;
  size_t cap; /* power of two */
  size_t count;
};

ys_idmap *ys_idmap_new(void)
{
  ys_idmap *m = ys_xmalloc(sizeof(*m));
  m->cap = 64;
  m->count = 0;
  m->slots = ys_xcalloc(m->cap, sizeof(slot));
  return m;
}

void ys_idmap_free(ys_idmap *m)
{
  if(!m)
    return;
  free(m->slots);
  free(m);
}

static void key_of(const char *key, size_t len, uint64_t *lo, uint64_t *hi)
{
  XXH128_hash_t h = XXH3_128bits(key, len);
  *lo = h.low64;
  *hi = h.high64;
  if(!*lo && !*hi) /* keep 0,0 free as the empty marker */
    *lo = 1;
}

static slot *find(slot *slots, size_t cap, uint64_t lo, uint64_t hi)
{
  size_t i = (size_t)(lo ^ (hi >> 7)) & (cap - 1);
  for(;;) {
    slot *s = &slots[i];
    if((!s->lo && !s->hi) || (s->lo == lo && s->hi == hi))
      return s;
    i = (i + 1) & (cap - 1);
  }
}

static void grow(ys_idmap *m)
{
  size_t ncap = m->cap * 2;
  slot *ns = ys_xcalloc(ncap, sizeof(slot));
  for(size_t i = 0; i < m->cap; i++) {
    slot *s = &m->slots[i];
    if(s->lo || s->hi)
      *find(ns, ncap, s->lo, s->hi) = *s;
  }
  free(m->slots);
  m->slots = ns;
  m->cap = ncap;
}

int ys_idmap_put(ys_idmap *m, const char *key, size_t len, uint64_t value,
                 uint64_t *old)
{
  uint64_t lo, hi;
  key_of(key, len, &lo, &hi);
  if((m->count + 1) * 10 > m->cap * 7)
    grow(m);
  slot *s = find(m->slots, m->cap, lo, hi);
  if(s->lo || s->hi) {
    if(old)
      *old = s->value;
    return 0;
  }
  s->lo = lo;
  s->hi = hi;
  s->value = value;
  m->count++;
  return 1;
}

int ys_idmap_get(const ys_idmap *m, const char *key, size_t len,
                 uint64_t *value)
{
  uint64_t lo, hi;
  key_of(key, len, &lo, &hi);
  slot *s = find(m->slots, m->cap, lo, hi);
  if(!s->lo && !s->hi)
    return 0;
  if(value)
    *value = s->value;
  return 1;
}

size_t ys_idmap_count(const ys_idmap *m)
{
  return m->count;
}

/* }====== */
