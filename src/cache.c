/* SPDX-License-Identifier: MIT */
/*
 * cache.c: the SQLite response cache. One connection per run, prepared
 * statements kept for the run, WAL so readers never block the writer and
 * a busy timeout so concurrent runs wait for each other's commits instead
 * of failing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "cache.h"
#include "hash.h"
#include "lua_host.h"
#include "xalloc.h"

#define BATCH_ENTRIES 256
#define BATCH_MS 1000.0
#define BUSY_TIMEOUT_MS 30000

struct ys_cache {
  sqlite3 *db;
  ys_cache_mode mode;
  char *path;
  sqlite3_stmt *get, *put;
  int in_read;     /* a read transaction is open (lookups batched) */
  int reads;
  double read_start;
  int in_txn;      /* a write transaction is open */
  int pending;
  double txn_start;
  long hits, misses, writes;
};

char *ys_cache_default_path(void)
{
  const char *xdg = getenv("XDG_CACHE_HOME");
  if(xdg && xdg[0] == '/')
    return ys_xasprintf("%s/yardstick/cache.db", xdg);
  const char *home = getenv("HOME");
  if(home && home[0])
    return ys_xasprintf("%s/.cache/yardstick/cache.db", home);
  return NULL;
}

static int mkdir_parents(const char *path)
{
  char *p = ys_xstrdup(path);
  for(char *s = p + 1; *s; s++) {
    if(*s != '/')
      continue;
    *s = '\0';
    if(mkdir(p, 0700) != 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  free(p);
  return 0;
}

static ys_err db_fail(ys_cache *c, ys_diag *diag, const char *what)
{
  return ys_fail(diag, YS_ERR_IO, c->path, 0, "cache: %s: %s", what,
                 c->db ? sqlite3_errmsg(c->db) : "cannot open");
}

ys_err ys_cache_open(const char *path, ys_cache_mode mode, ys_cache **out,
                     ys_diag *diag)
{
  *out = NULL;
  ys_cache *c = ys_xcalloc(1, sizeof(*c));
  c->mode = mode;
  c->path = ys_xstrdup(path);
  if(mkdir_parents(path) != 0) {
    ys_err e = ys_fail(diag, YS_ERR_IO, path, 0, "cache: cannot create its "
                       "directory: %s", strerror(errno));
    ys_cache_close(c);
    return e;
  }
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
              SQLITE_OPEN_NOMUTEX;
  ys_err err = YS_OK;
  if(sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK)
    err = db_fail(c, diag, "cannot open");
  if(!err)
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
  if(!err && sqlite3_exec(c->db,
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=NORMAL;"
      /* Read pages through a memory map and keep more of them: a warm
       * re-run is mostly lookups. */
      "PRAGMA mmap_size=268435456;"
      "PRAGMA cache_size=-65536;"
      "CREATE TABLE IF NOT EXISTS responses ("
      " key TEXT PRIMARY KEY,"
      " body BLOB NOT NULL,"
      " created INTEGER NOT NULL) WITHOUT ROWID;",
      NULL, NULL, NULL) != SQLITE_OK)
    err = db_fail(c, diag, "cannot set up");
  if(!err && sqlite3_prepare_v2(c->db,
      "SELECT body FROM responses WHERE key = ?1", -1, &c->get,
      NULL) != SQLITE_OK)
    err = db_fail(c, diag, "cannot prepare");
  if(!err && sqlite3_prepare_v2(c->db,
      "INSERT OR REPLACE INTO responses (key, body, created) "
      "VALUES (?1, ?2, ?3)", -1, &c->put, NULL) != SQLITE_OK)
    err = db_fail(c, diag, "cannot prepare");
  if(err) {
    ys_cache_close(c);
    return err;
  }
  *out = c;
  return YS_OK;
}

ys_cache_mode ys_cache_mode_of(const ys_cache *c)
{
  return c->mode;
}

void ys_cache_key(const char *provider, const char *url, const char *body,
                  size_t len, int repeat, char key[65])
{
  /* Fields separated by NUL bytes, which none of them holds, so no two
   * different requests give the same input. XXH3's 128 bits: a cache
   * needs no defence against forged collisions, and hashing every
   * request with SHA-256 cost more than the rest of a cache hit. */
  XXH3_state_t st;
  XXH3_128bits_reset(&st);
  XXH3_128bits_update(&st, "yardstick-cache-2", 18);
  XXH3_128bits_update(&st, provider, strlen(provider) + 1);
  XXH3_128bits_update(&st, url, strlen(url) + 1);
  /* The repeat as four little-endian bytes. */
  uint32_t r = repeat > 0 ? (uint32_t)repeat : 0;
  unsigned char rep[4] = { (unsigned char)r, (unsigned char)(r >> 8),
                           (unsigned char)(r >> 16),
                           (unsigned char)(r >> 24) };
  XXH3_128bits_update(&st, rep, sizeof(rep));
  XXH3_128bits_update(&st, body, len);
  XXH128_hash_t h = XXH3_128bits_digest(&st);
  static const char hex[] = "0123456789abcdef";
  for(int i = 0; i < 16; i++) {
    key[15 - i] = hex[(h.high64 >> (4 * i)) & 15];
    key[31 - i] = hex[(h.low64 >> (4 * i)) & 15];
  }
  key[32] = '\0';
}

/* Ends the batch of lookups, so other runs' commits become visible. */
static void end_read(ys_cache *c)
{
  if(c->in_read) {
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    c->in_read = 0;
  }
}

ys_err ys_cache_get(ys_cache *c, const char *key, char **body, size_t *len,
                    ys_diag *diag)
{
  *body = NULL;
  *len = 0;
  /* Lookups share a read transaction for a few hundred calls or a second:
   * taking the WAL locks once per lookup costs more than the lookup. */
  if(!c->in_txn) {
    if(c->in_read && (c->reads >= BATCH_ENTRIES ||
                      ys_lua_clock_ms() - c->read_start >= BATCH_MS))
      end_read(c);
    if(!c->in_read &&
       sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
      c->in_read = 1;
      c->reads = 0;
      c->read_start = ys_lua_clock_ms();
    }
    c->reads++;
  }
  sqlite3_reset(c->get);
  sqlite3_bind_text(c->get, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(c->get);
  if(rc == SQLITE_ROW) {
    const void *b = sqlite3_column_blob(c->get, 0);
    int n = sqlite3_column_bytes(c->get, 0);
    char *copy = ys_xmalloc((size_t)n + 1);
    if(n)
      memcpy(copy, b, (size_t)n);
    copy[n] = '\0';
    *body = copy;
    *len = (size_t)n;
    c->hits++;
  }
  else if(rc == SQLITE_DONE)
    c->misses++;
  else {
    sqlite3_reset(c->get);
    return db_fail(c, diag, "lookup failed");
  }
  sqlite3_reset(c->get);
  return YS_OK;
}

static ys_err commit(ys_cache *c, ys_diag *diag)
{
  if(!c->in_txn)
    return YS_OK;
  c->in_txn = 0;
  c->pending = 0;
  if(sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    ys_err e = db_fail(c, diag, "commit failed");
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return e;
  }
  return YS_OK;
}

ys_err ys_cache_put(ys_cache *c, const char *key, const char *body,
                    size_t len, ys_diag *diag)
{
  if(c->mode != YS_CACHE_ON)
    return YS_OK;
  end_read(c);
  if(!c->in_txn) {
    if(sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
       SQLITE_OK)
      return db_fail(c, diag, "cannot begin a write");
    c->in_txn = 1;
    c->txn_start = ys_lua_clock_ms();
  }
  sqlite3_reset(c->put);
  sqlite3_bind_text(c->put, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_blob(c->put, 2, body, (int)len, SQLITE_STATIC);
  sqlite3_bind_int64(c->put, 3, (sqlite3_int64)time(NULL));
  int rc = sqlite3_step(c->put);
  sqlite3_reset(c->put);
  if(rc != SQLITE_DONE)
    return db_fail(c, diag, "write failed");
  c->writes++;
  if(++c->pending >= BATCH_ENTRIES ||
     ys_lua_clock_ms() - c->txn_start >= BATCH_MS)
    return commit(c, diag);
  return YS_OK;
}

ys_err ys_cache_flush(ys_cache *c, ys_diag *diag)
{
  end_read(c);
  return commit(c, diag);
}

long ys_cache_hits(const ys_cache *c) { return c->hits; }
long ys_cache_misses(const ys_cache *c) { return c->misses; }
long ys_cache_writes(const ys_cache *c) { return c->writes; }

void ys_cache_close(ys_cache *c)
{
  if(!c)
    return;
  if(c->db) {
    end_read(c);
    ys_diag ignore;
    if(commit(c, &ignore))
      ignore.msg[0] = '\0'; /* nothing more to do at close */
    sqlite3_finalize(c->get);
    sqlite3_finalize(c->put);
    sqlite3_close(c->db);
  }
  free(c->path);
  free(c);
}
