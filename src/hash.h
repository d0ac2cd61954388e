/* SPDX-License-Identifier: MIT */
/*
 * hash.h: hashing for yardstick. Content hashes for manifests are SHA-256
 * (libcrypto), so users can check them with sha256sum; identity hashes for
 * ids (duplicate checks, sampling, sharding) are XXH3 (libxxhash). Also a
 * compact hash map keyed by the 128-bit XXH3 of a string: it keeps no copy
 * of the key, so a million ids cost 24 bytes each. Two distinct keys
 * colliding in 128 bits is treated as impossible (p < 1e-26 at 1e6 keys).
 */
#ifndef YS_HASH_H
#define YS_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Incremental SHA-256, hex output (65 bytes with the NUL). */
typedef struct ys_sha256 ys_sha256;
ys_sha256 *ys_sha256_new(void);
void ys_sha256_update(ys_sha256 *h, const void *data, size_t len);
/* Writes the hex digest to hex and frees h. */
void ys_sha256_final(ys_sha256 *h, char hex[65]);
/* Hex SHA-256 of a whole file. Errors: YS_ERR_IO with the reason in diag. */
ys_err ys_sha256_file(const char *path, char hex[65], ys_diag *diag);

/* 64-bit XXH3 of data with a seed. */
uint64_t ys_hash64(const void *data, size_t len, uint64_t seed);

/* The id map: key string -> uint64 value. */
typedef struct ys_idmap ys_idmap;
ys_idmap *ys_idmap_new(void);
void ys_idmap_free(ys_idmap *m);
/* Inserts key -> value. Returns 1 when inserted, 0 when the key was there
 * already (its value is stored in *old when old is not NULL, and kept). */
int ys_idmap_put(ys_idmap *m, const char *key, size_t len, uint64_t value,
                 uint64_t *old);
/* Returns 1 and sets *value when key is present, else 0. */
int ys_idmap_get(const ys_idmap *m, const char *key, size_t len,
                 uint64_t *value);
size_t ys_idmap_count(const ys_idmap *m);

#endif
