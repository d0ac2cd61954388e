/* SPDX-License-Identifier: MIT */
/*
 * cache.h: the response cache, an SQLite database in WAL mode (by default
 * $XDG_CACHE_HOME/yardstick/cache.db). An entry maps the 128-bit XXH3
 * hash of a canonical request (provider, URL, body with every sampling
 * parameter, repeat index) to the response body. Only responses a backend
 * accepted are stored, never errors. Writes are batched in transactions;
 * several runs may share one cache. Uses SQLite and libxxhash.
 */
#ifndef YS_CACHE_H
#define YS_CACHE_H

#include <stddef.h>

#include "err.h"

typedef enum {
  YS_CACHE_OFF,  /* --no-cache */
  YS_CACHE_ON,   /* read and write (the default) */
  YS_CACHE_ONLY  /* --cache-only: read; a miss is an error, no network */
} ys_cache_mode;

typedef struct ys_cache ys_cache;

/* The default path: $XDG_CACHE_HOME/yardstick/cache.db, else
 * $HOME/.cache/yardstick/cache.db. Returns owned (free with free()), or
 * NULL when neither variable is set. */
char *ys_cache_default_path(void);

/* Opens (creating it and its directory when needed) the cache at path.
 * Errors: YS_ERR_IO with the reason. */
ys_err ys_cache_open(const char *path, ys_cache_mode mode, ys_cache **out,
                     ys_diag *diag) YS_WARN_UNUSED;

ys_cache_mode ys_cache_mode_of(const ys_cache *c);

/* The key of a request: its 128-bit XXH3 hash as 32 hex digits. */
void ys_cache_key(const char *provider, const char *url, const char *body,
                  size_t len, int repeat, char key[65]);

/* Looks key up: *body (owned, free with free(); NUL-terminated) and *len,
 * or *body = NULL on a miss. Errors: YS_ERR_IO (a broken database). */
ys_err ys_cache_get(ys_cache *c, const char *key, char **body, size_t *len,
                    ys_diag *diag) YS_WARN_UNUSED;

/* Stores body under key (replacing an older entry). Batched: committed
 * every few hundred entries, every second, and at ys_cache_flush. */
ys_err ys_cache_put(ys_cache *c, const char *key, const char *body,
                    size_t len, ys_diag *diag) YS_WARN_UNUSED;

/* Commits what is batched. */
ys_err ys_cache_flush(ys_cache *c, ys_diag *diag) YS_WARN_UNUSED;

/* Counters since open. */
long ys_cache_hits(const ys_cache *c);
long ys_cache_misses(const ys_cache *c);
long ys_cache_writes(const ys_cache *c);

/* Commits and closes; NULL is a no-op. */
void ys_cache_close(ys_cache *c);

#endif
