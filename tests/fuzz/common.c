/* SPDX-License-Identifier: MIT */
/*
 * common.c: helpers shared by the fuzz targets: the temporary directory
 * (removed at exit, so a replay in `make check` leaves nothing behind)
 * and the per-row handling a dataset's rows get in a run.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <lua.h>

#include "buf.h"
#include "common.h"
#include "json.h"
#include "lua_host.h"
#include "lua_lib_json.h"
#include "plan.h"

static char tmpdir[4096];

/* Removes the directory and the files in it (the targets make no
 * subdirectories). */
static void remove_tmpdir(void)
{
  DIR *d = opendir(tmpdir);
  if(d) {
    struct dirent *e;
    while((e = readdir(d))) {
      if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      char p[4352];
      snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
      unlink(p);
    }
    closedir(d);
  }
  rmdir(tmpdir);
}

const char *fuzz_tmpdir(void)
{
  if(tmpdir[0])
    return tmpdir;
  const char *base = getenv("TMPDIR");
  if(!base || !base[0])
    base = "/tmp";
  snprintf(tmpdir, sizeof(tmpdir), "%s/yardstick-fuzz-XXXXXX", base);
  if(!mkdtemp(tmpdir)) {
    perror("fuzz: mkdtemp");
    abort();
  }
  atexit(remove_tmpdir);
  return tmpdir;
}

void fuzz_path(const char *name, char *out, size_t len)
{
  if((size_t)snprintf(out, len, "%s/%s", fuzz_tmpdir(), name) >= len) {
    fprintf(stderr, "fuzz: path too long\n");
    abort();
  }
}

void fuzz_write(const char *path, const void *data, size_t size)
{
  FILE *f = fopen(path, "wb");
  if(!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
    perror(path);
    abort();
  }
}

void fuzz_note(const char *fmt, ...)
{
  static int verbose = -1;
  if(verbose < 0)
    verbose = getenv("YS_FUZZ_VERBOSE") != NULL;
  if(!verbose)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* [-0, +0, m] Pushes the row as a task's sample and drops it. */
static int push_row(lua_State *L)
{
  ys_lua_push_json(L, lua_touserdata(L, 1));
  return 0;
}

void fuzz_read_dataset(const char *path, const ys_dataset_opts *opts)
{
  ys_dataset *ds = NULL;
  ys_diag d;
  if(ys_dataset_open(path, opts, &ds, &d)) {
    fuzz_note("open: %s", d.msg);
    return;
  }
  /* The fields a run needs from the suite: the id field's name. */
  char id_field[] = "id";
  ys_suite s;
  memset(&s, 0, sizeof(s));
  s.id_field = id_field;
  lua_State *L = ys_lua_new((size_t)256 << 20, NULL, NULL);
  ys_buf line;
  ys_buf_init(&line, YS_DATASET_MAX_LINE);
  long nrows = 0;
  for(;;) {
    cJSON *row = NULL;
    long lineno = 0;
    if(ys_dataset_next(ds, &row, &lineno, &d)) {
      fuzz_note("row %ld: %s", nrows + 1, d.msg);
      break;
    }
    if(!row) {
      fuzz_note("%ld rows", nrows);
      break;
    }
    nrows++;
    char id[YS_MAX_ID + 1];
    if(!ys_plan_row_id(&s, row, path, lineno, id, &d))
      (void)ys_plan_shard_of(id, 7);
    ys_buf_reset(&line);
    if(ys_json_append(&line, row))
      ys_buf_init(&line, YS_DATASET_MAX_LINE); /* freed by the failure */
    if(L && ys_lua_pcall_c(L, push_row, row, 0, 0, &d))
      d.msg[0] = '\0'; /* out of Lua memory: an expected outcome */
    cJSON_Delete(row);
  }
  (void)ys_dataset_sha256(ds);
  ys_buf_free(&line);
  ys_lua_close(L);
  ys_dataset_free(ds);
}
