/* SPDX-License-Identifier: MIT */
/*
 * check_cache.c: unit tests for the response cache (cache.h): the request
 * key (stable, 32 lower-case hex digits, changed by each part of the
 * request), storing and looking up bodies (binary and empty ones too),
 * the modes, batching and flushing, two handles sharing one file, the
 * default path, and files that are not a cache. Uses Check; each test
 * works in its own temporary directory.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"

static char root[256]; /* removed by main: holds every test's directory */
static char tmp[320];  /* this test's directory */

/* {====== fixtures and helpers ====== */

static void rm_rf(const char *path)
{
  struct stat st;
  if(lstat(path, &st) != 0)
    return;
  if(S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    struct dirent *e;
    while(d && (e = readdir(d))) {
      if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      char sub[1024];
      snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
      rm_rf(sub);
    }
    if(d)
      closedir(d);
    rmdir(path);
  }
  else
    unlink(path);
}

static void setup(void)
{
  snprintf(tmp, sizeof(tmp), "%s/t-XXXXXX", root);
  ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
  if(tmp[0])
    rm_rf(tmp);
  tmp[0] = '\0';
}

/* tmp/name in a static buffer (one of four, for use in one call). */
static const char *in_tmp(const char *name)
{
  static char bufs[4][700];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, 700, "%s/%s", tmp, name);
  return b;
}

static ys_cache *open_cache(const char *path, ys_cache_mode mode)
{
  ys_cache *c = NULL;
  ys_diag d;
  ys_diag_clear(&d);
  ys_err err = ys_cache_open(path, mode, &c, &d);
  ck_assert_msg(err == YS_OK, "cannot open %s: %s", path, d.msg);
  ck_assert_ptr_nonnull(c);
  return c;
}

static void put(ys_cache *c, const char *key, const char *body, size_t len)
{
  ys_diag d;
  ys_err err = ys_cache_put(c, key, body, len, &d);
  ck_assert_msg(err == YS_OK, "put %s: %s", key, d.msg);
}

static void flush(ys_cache *c)
{
  ys_diag d;
  ys_err err = ys_cache_flush(c, &d);
  ck_assert_msg(err == YS_OK, "flush: %s", d.msg);
}

/* Looks key up; returns the body (owned) or NULL on a miss. */
static char *get(ys_cache *c, const char *key, size_t *len)
{
  char *body = (char *)1;
  size_t n = 12345;
  ys_diag d;
  ys_err err = ys_cache_get(c, key, &body, &n, &d);
  ck_assert_msg(err == YS_OK, "get %s: %s", key, d.msg);
  if(!body)
    ck_assert_uint_eq(n, 0);
  if(len)
    *len = n;
  return body;
}

/* Asserts that key holds exactly the len bytes of want. */
static void ck_hit(ys_cache *c, const char *key, const char *want,
                   size_t len)
{
  size_t n;
  char *got = get(c, key, &n);
  ck_assert_msg(got != NULL, "expected a hit for %s", key);
  ck_assert_uint_eq(n, len);
  ck_assert_int_eq(memcmp(got, want, len), 0);
  ck_assert_int_eq(got[len], '\0');
  free(got);
}

static void ck_miss(ys_cache *c, const char *key)
{
  char *got = get(c, key, NULL);
  ck_assert_msg(got == NULL, "expected a miss for %s", key);
}

static void key_of(const char *provider, const char *url, const char *body,
                   int repeat, char key[65])
{
  ys_cache_key(provider, url, body, strlen(body), repeat, key);
}

/* }====== */

/* {====== the key ====== */

START_TEST(test_cache_key_is_32_lowercase_hex_digits)
{
  char key[65];
  memset(key, 'X', sizeof(key));
  key_of("openai", "https://api.example/v1/chat", "{\"model\":\"m\"}", 1,
         key);
  ck_assert_uint_eq(strlen(key), 32);
  for(int i = 0; i < 32; i++)
    ck_assert_msg(strchr("0123456789abcdef", key[i]) != NULL,
                  "key %s: byte %d is not a lower-case hex digit", key, i);
}
END_TEST

START_TEST(test_cache_key_is_stable_for_same_request)
{
  char a[65], b[65];
  key_of("openai", "https://h/v1", "{\"t\":0}", 3, a);
  key_of("openai", "https://h/v1", "{\"t\":0}", 3, b);
  ck_assert_str_eq(a, b);
  /* The body is taken by length, so a copy in another buffer gives the
   * same key. */
  char copy[] = "{\"t\":0}";
  ys_cache_key("openai", "https://h/v1", copy, strlen(copy), 3, b);
  ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(test_cache_key_changes_with_each_part)
{
  char base[65], k[65];
  key_of("openai", "https://h/v1", "{\"t\":0}", 1, base);
  key_of("anthropic", "https://h/v1", "{\"t\":0}", 1, k);
  ck_assert_str_ne(base, k);
  key_of("openai", "https://h/v2", "{\"t\":0}", 1, k);
  ck_assert_str_ne(base, k);
  key_of("openai", "https://h/v1", "{\"t\":1}", 1, k);
  ck_assert_str_ne(base, k);
  key_of("openai", "https://h/v1", "{\"t\":0}", 2, k);
  ck_assert_str_ne(base, k);
  /* Repeats far apart differ in a higher byte only. */
  char r1[65], r257[65];
  key_of("openai", "https://h/v1", "{\"t\":0}", 257, r257);
  key_of("openai", "https://h/v1", "{\"t\":0}", 1, r1);
  ck_assert_str_ne(r1, r257);
}
END_TEST

START_TEST(test_cache_key_separates_fields)
{
  /* Moving bytes from one field to the next is a different request. */
  char a[65], b[65], c[65];
  key_of("ab", "c", "body", 1, a);
  key_of("a", "bc", "body", 1, b);
  key_of("a", "b", "cbody", 1, c);
  ck_assert_str_ne(a, b);
  ck_assert_str_ne(b, c);
  ck_assert_str_ne(a, c);
}
END_TEST

START_TEST(test_cache_key_uses_body_length_and_bytes)
{
  char a[65], b[65];
  /* Only len bytes count ... */
  ys_cache_key("p", "u", "abcX", 3, 1, a);
  ys_cache_key("p", "u", "abcY", 3, 1, b);
  ck_assert_str_eq(a, b);
  /* ... and bytes after a NUL inside them do. */
  ys_cache_key("p", "u", "a\0b", 3, 1, a);
  ys_cache_key("p", "u", "a\0c", 3, 1, b);
  ck_assert_str_ne(a, b);
  ys_cache_key("p", "u", "a\0b", 1, 1, b);
  ck_assert_str_ne(a, b);
}
END_TEST

/* }====== */

/* {====== storing and looking up ====== */

START_TEST(test_cache_put_then_get_round_trips)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  char key[65];
  key_of("openai", "https://h/v1", "{\"q\":1}", 1, key);
  const char *body = "{\"choices\":[{\"text\":\"Paris\"}]}";
  put(c, key, body, strlen(body));
  ck_hit(c, key, body, strlen(body));
  /* Still there once committed and after the handle is gone. */
  flush(c);
  ck_hit(c, key, body, strlen(body));
  ys_cache_close(c);
  c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  ck_hit(c, key, body, strlen(body));
  ys_cache_close(c);
}
END_TEST

START_TEST(test_cache_keeps_binary_bodies_exactly)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  char body[512];
  for(int i = 0; i < 512; i++)
    body[i] = (char)(i * 7); /* every byte value, NULs included */
  put(c, "binary", body, sizeof(body));
  ck_hit(c, "binary", body, sizeof(body));
  flush(c);
  ys_cache_close(c);
  c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  ck_hit(c, "binary", body, sizeof(body));
  ys_cache_close(c);
}
END_TEST

START_TEST(test_cache_empty_body_is_a_hit_not_a_miss)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  put(c, "empty", "", 0);
  flush(c);
  ck_hit(c, "empty", "", 0);
  ck_assert_int_eq(ys_cache_hits(c), 1);
  ck_assert_int_eq(ys_cache_misses(c), 0);
  ys_cache_close(c);
}
END_TEST

START_TEST(test_cache_miss_gives_null_and_counts)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  ck_miss(c, "0123456789abcdef0123456789abcdef");
  put(c, "k1", "one", 3);
  ck_miss(c, "k2");
  ck_hit(c, "k1", "one", 3);
  ck_assert_int_eq(ys_cache_misses(c), 2);
  ck_assert_int_eq(ys_cache_hits(c), 1);
  ck_assert_int_eq(ys_cache_writes(c), 1);
  ys_cache_close(c);
}
END_TEST

START_TEST(test_cache_put_replaces_older_entry)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  put(c, "k", "first answer", 12);
  flush(c);
  put(c, "k", "second", 6);
  flush(c);
  ck_hit(c, "k", "second", 6);
  ys_cache_close(c);
}
END_TEST

START_TEST(test_cache_keeps_many_entries_apart)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  char key[65], body[64];
  /* More than one batch, so some commits happen inside put. */
  for(int i = 0; i < 1000; i++) {
    snprintf(body, sizeof(body), "body %d", i);
    ys_cache_key("p", "u", body, strlen(body), i, key);
    put(c, key, body, strlen(body));
  }
  ck_assert_int_eq(ys_cache_writes(c), 1000);
  ys_cache_close(c);
  c = open_cache(in_tmp("cache.db"), YS_CACHE_ONLY);
  for(int i = 0; i < 1000; i++) {
    snprintf(body, sizeof(body), "body %d", i);
    ys_cache_key("p", "u", body, strlen(body), i, key);
    ck_hit(c, key, body, strlen(body));
  }
  ck_assert_int_eq(ys_cache_hits(c), 1000);
  ys_cache_close(c);
}
END_TEST

/* }====== */

/* {====== modes ====== */

START_TEST(test_cache_mode_is_reported)
{
  ys_cache *c = open_cache(in_tmp("a.db"), YS_CACHE_OFF);
  ck_assert_int_eq(ys_cache_mode_of(c), YS_CACHE_OFF);
  ys_cache_close(c);
  c = open_cache(in_tmp("b.db"), YS_CACHE_ON);
  ck_assert_int_eq(ys_cache_mode_of(c), YS_CACHE_ON);
  ys_cache_close(c);
  c = open_cache(in_tmp("c.db"), YS_CACHE_ONLY);
  ck_assert_int_eq(ys_cache_mode_of(c), YS_CACHE_ONLY);
  ys_cache_close(c);
}
END_TEST

START_TEST(test_cache_only_reads_and_never_writes)
{
  ys_cache *w = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  put(w, "old", "stored", 6);
  ys_cache_close(w);
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ONLY);
  ck_hit(c, "old", "stored", 6);
  put(c, "new", "ignored", 7);
  put(c, "old", "overwritten", 11);
  flush(c);
  ck_assert_int_eq(ys_cache_writes(c), 0);
  ck_miss(c, "new");
  ck_hit(c, "old", "stored", 6);
  ys_cache_close(c);
  /* Nothing reached the file either. */
  w = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  ck_miss(w, "new");
  ck_hit(w, "old", "stored", 6);
  ys_cache_close(w);
}
END_TEST

START_TEST(test_cache_off_stores_nothing)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_OFF);
  put(c, "k", "body", 4);
  flush(c);
  ck_assert_int_eq(ys_cache_writes(c), 0);
  ck_miss(c, "k");
  ys_cache_close(c);
  c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  ck_miss(c, "k");
  ys_cache_close(c);
}
END_TEST

/* }====== */

/* {====== batching, flushing and sharing ====== */

START_TEST(test_cache_close_commits_pending_writes)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  put(c, "k", "kept", 4);
  ys_cache_close(c); /* no flush */
  c = open_cache(in_tmp("cache.db"), YS_CACHE_ONLY);
  ck_hit(c, "k", "kept", 4);
  ys_cache_close(c);
}
END_TEST

START_TEST(test_cache_flush_makes_writes_visible_to_other_handle)
{
  ys_cache *a = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  ys_cache *b = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  put(a, "k", "from a", 6);
  /* Uncommitted: the other handle does not see it yet. */
  ck_miss(b, "k");
  flush(a);
  flush(b); /* ends b's batch of lookups */
  ck_hit(b, "k", "from a", 6);
  ys_cache_close(b);
  ys_cache_close(a);
}
END_TEST

START_TEST(test_cache_two_writers_share_one_file)
{
  ys_cache *a = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  ys_cache *b = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  char key[16], body[32];
  /* Alternating writers: each waits for the other's commit, none is
   * lost. */
  for(int i = 0; i < 20; i++) {
    ys_cache *w = i % 2 ? b : a;
    snprintf(key, sizeof(key), "k%d", i);
    snprintf(body, sizeof(body), "written by %c", i % 2 ? 'b' : 'a');
    put(w, key, body, strlen(body));
    flush(w);
  }
  flush(a);
  flush(b);
  for(int i = 0; i < 20; i++) {
    snprintf(key, sizeof(key), "k%d", i);
    snprintf(body, sizeof(body), "written by %c", i % 2 ? 'b' : 'a');
    ck_hit(a, key, body, strlen(body));
    ck_hit(b, key, body, strlen(body));
  }
  ys_cache_close(a);
  ys_cache_close(b);
}
END_TEST

START_TEST(test_cache_commits_in_batches_without_flush)
{
  /* A long run commits as it goes, not only at the end: another handle
   * sees the early entries while the writer is still open. */
  ys_cache *a = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  char key[16];
  for(int i = 0; i < 1000; i++) {
    snprintf(key, sizeof(key), "k%d", i);
    put(a, key, key, strlen(key));
  }
  ys_cache *b = open_cache(in_tmp("cache.db"), YS_CACHE_ONLY);
  ck_hit(b, "k0", "k0", 2);
  ck_hit(b, "k500", "k500", 4);
  ys_cache_close(b);
  ys_cache_close(a);
}
END_TEST

START_TEST(test_cache_flush_with_nothing_pending_is_ok)
{
  ys_cache *c = open_cache(in_tmp("cache.db"), YS_CACHE_ON);
  flush(c);
  ck_miss(c, "k");
  flush(c);
  flush(c);
  ys_cache_close(c);
  ys_cache_close(NULL);
}
END_TEST

/* }====== */

/* {====== opening ====== */

START_TEST(test_cache_open_creates_missing_directories)
{
  const char *path = in_tmp("a/b/c/cache.db");
  ys_cache *c = open_cache(path, YS_CACHE_ON);
  put(c, "k", "v", 1);
  ys_cache_close(c);
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
}
END_TEST

START_TEST(test_cache_open_accepts_empty_existing_file)
{
  /* An empty file (touched ahead of time) is an empty database. */
  const char *path = in_tmp("cache.db");
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  fclose(f);
  ys_cache *c = open_cache(path, YS_CACHE_ON);
  ck_miss(c, "k");
  put(c, "k", "v", 1);
  ck_hit(c, "k", "v", 1);
  ys_cache_close(c);
}
END_TEST

START_TEST(test_cache_open_of_corrupt_file_is_io_error)
{
  const char *path = in_tmp("cache.db");
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  for(int i = 0; i < 200; i++)
    fputs("this is not an SQLite database\n", f);
  fclose(f);
  ys_cache *c = (ys_cache *)1;
  ys_diag d;
  ys_diag_clear(&d);
  ck_assert_int_eq(ys_cache_open(path, YS_CACHE_ON, &c, &d), YS_ERR_IO);
  ck_assert_ptr_null(c);
  ck_assert_str_eq(d.file, path);
  ck_assert_msg(strstr(d.msg, "cache") != NULL, "message: %s", d.msg);
}
END_TEST

START_TEST(test_cache_open_under_a_file_is_io_error)
{
  /* The parent "directory" is a regular file: nobody can create the
   * cache there, not even root. */
  const char *file = in_tmp("plain");
  FILE *f = fopen(file, "wb");
  ck_assert_ptr_nonnull(f);
  fclose(f);
  const char *path = in_tmp("plain/sub/cache.db");
  ys_cache *c = (ys_cache *)1;
  ys_diag d;
  ys_diag_clear(&d);
  ck_assert_int_eq(ys_cache_open(path, YS_CACHE_ON, &c, &d), YS_ERR_IO);
  ck_assert_ptr_null(c);
  ck_assert_uint_gt(strlen(d.msg), 0);
}
END_TEST

START_TEST(test_cache_open_of_a_directory_is_io_error)
{
  const char *path = in_tmp("dir.db");
  ck_assert_int_eq(mkdir(path, 0700), 0);
  ys_cache *c = (ys_cache *)1;
  ys_diag d;
  ys_diag_clear(&d);
  ck_assert_int_eq(ys_cache_open(path, YS_CACHE_ON, &c, &d), YS_ERR_IO);
  ck_assert_ptr_null(c);
  ck_assert_uint_gt(strlen(d.msg), 0);
}
END_TEST

/* Sets or unsets (value NULL) an environment variable. */
static void env(const char *name, const char *value)
{
  if(value)
    ck_assert_int_eq(setenv(name, value, 1), 0);
  else
    ck_assert_int_eq(unsetenv(name), 0);
}

START_TEST(test_cache_default_path_follows_xdg_then_home)
{
  /* Saved and put back: without fork every test shares the
   * environment. */
  char *xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME"))
              : NULL;
  char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
  env("XDG_CACHE_HOME", "/x/cache");
  env("HOME", "/home/u");
  char *p = ys_cache_default_path();
  ck_assert_str_eq(p, "/x/cache/yardstick/cache.db");
  free(p);
  /* A relative XDG_CACHE_HOME is invalid by the spec: ignored. */
  env("XDG_CACHE_HOME", "rel/cache");
  p = ys_cache_default_path();
  ck_assert_str_eq(p, "/home/u/.cache/yardstick/cache.db");
  free(p);
  env("XDG_CACHE_HOME", NULL);
  p = ys_cache_default_path();
  ck_assert_str_eq(p, "/home/u/.cache/yardstick/cache.db");
  free(p);
  env("HOME", NULL);
  ck_assert_ptr_null(ys_cache_default_path());
  env("XDG_CACHE_HOME", xdg);
  env("HOME", home);
  free(xdg);
  free(home);
}
END_TEST

/* }====== */

static Suite *cache_suite(void)
{
  Suite *s = suite_create("cache");

  TCase *tc = tcase_create("key");
  tcase_add_test(tc, test_cache_key_is_32_lowercase_hex_digits);
  tcase_add_test(tc, test_cache_key_is_stable_for_same_request);
  tcase_add_test(tc, test_cache_key_changes_with_each_part);
  tcase_add_test(tc, test_cache_key_separates_fields);
  tcase_add_test(tc, test_cache_key_uses_body_length_and_bytes);
  suite_add_tcase(s, tc);

  tc = tcase_create("get_put");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_cache_put_then_get_round_trips);
  tcase_add_test(tc, test_cache_keeps_binary_bodies_exactly);
  tcase_add_test(tc, test_cache_empty_body_is_a_hit_not_a_miss);
  tcase_add_test(tc, test_cache_miss_gives_null_and_counts);
  tcase_add_test(tc, test_cache_put_replaces_older_entry);
  tcase_add_test(tc, test_cache_keeps_many_entries_apart);
  suite_add_tcase(s, tc);

  tc = tcase_create("modes");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_cache_mode_is_reported);
  tcase_add_test(tc, test_cache_only_reads_and_never_writes);
  tcase_add_test(tc, test_cache_off_stores_nothing);
  suite_add_tcase(s, tc);

  tc = tcase_create("sharing");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_cache_close_commits_pending_writes);
  tcase_add_test(tc, test_cache_flush_makes_writes_visible_to_other_handle);
  tcase_add_test(tc, test_cache_two_writers_share_one_file);
  tcase_add_test(tc, test_cache_commits_in_batches_without_flush);
  tcase_add_test(tc, test_cache_flush_with_nothing_pending_is_ok);
  suite_add_tcase(s, tc);

  tc = tcase_create("open");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_cache_open_creates_missing_directories);
  tcase_add_test(tc, test_cache_open_accepts_empty_existing_file);
  tcase_add_test(tc, test_cache_open_of_corrupt_file_is_io_error);
  tcase_add_test(tc, test_cache_open_under_a_file_is_io_error);
  tcase_add_test(tc, test_cache_open_of_a_directory_is_io_error);
  tcase_add_test(tc, test_cache_default_path_follows_xdg_then_home);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(cache_suite());
  /* Tests work in directories under root, which goes at the end even
   * when a forked test failed before its teardown. */
  snprintf(root, sizeof(root), "%s/ys-check-cache-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if(!mkdtemp(root)) {
    perror("check_cache: mkdtemp");
    return EXIT_FAILURE;
  }
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  rm_rf(root);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
