/* SPDX-License-Identifier: MIT */
/*
 * fuzz_suite.c: fuzz target for the suite loader (suite.c, the sandbox in
 * lua_host.c, the `yardstick` module in lua_lib_ys.c and the plugin and
 * metric constructors a suite calls). The input is a suite file, loaded
 * as `yardstick run` loads one: in a sandboxed state under the load
 * instruction limit (YARDSTICK_INSTRUCTION_LIMIT, set low here unless
 * given), with the source tree's plugins and metrics, from a temporary
 * directory holding the small data files the seeds name.
 *
 * A suite may also start programs (ys.spawn), connect (ys.http.get) and
 * read files by path. This program is linked with --wrap (Makefile.am)
 * so that while a suite loads no program starts, no socket opens, and
 * files are read only from the temporary directory and the source tree.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common.h"
#include "process.h"
#include "suite.h"

/* {====== the fence ====== */

static int loading;                /* a suite is being loaded */
static char allowed[2][PATH_MAX];  /* the temporary dir, the source tree */

FILE *__real_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);
ys_err __wrap_ys_proc_spawn(const ys_proc_opts *opts, ys_proc **out,
                            ys_diag *diag);
int __wrap_ys_proc_free_port(void);
CURLcode __wrap_curl_easy_perform(CURL *e);

/* Whether path is inside one of the allowed directories. A path that does
 * not resolve cannot be opened either: fopen will say why. */
static int inside(const char *path)
{
  char real[PATH_MAX];
  if(!realpath(path, real))
    return 1;
  for(int i = 0; i < 2; i++) {
    size_t n = strlen(allowed[i]);
    if(n && !strncmp(real, allowed[i], n) &&
       (real[n] == '/' || real[n] == '\0'))
      return 1;
  }
  return 0;
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
  /* Nothing a suite can call opens a file for writing; libFuzzer itself
   * does (its crash reports), so writes pass. */
  int reading = !strpbrk(mode, "wa+");
  if(loading && reading && !inside(path)) {
    errno = EACCES;
    return NULL;
  }
  return __real_fopen(path, mode);
}

ys_err __wrap_ys_proc_spawn(const ys_proc_opts *opts, ys_proc **out,
                            ys_diag *diag)
{
  *out = NULL;
  return ys_fail(diag, YS_ERR_MODEL, NULL, 0, "cannot run %s: programs "
                 "are not started while fuzzing", opts->argv[0]);
}

int __wrap_ys_proc_free_port(void)
{
  return -1;
}

CURLcode __wrap_curl_easy_perform(CURL *e)
{
  (void)e;
  return CURLE_COULDNT_CONNECT;
}

/* }====== */

/* Data files the seeds use, made once in the temporary directory. */
static const struct {
  const char *name, *text;
} FILES[] = {
  { "data.jsonl",
    "{\"id\":\"1\",\"title\":\"Men's cotton shirt\",\"category\":"
    "\"Apparel > Clothing > Shirts\",\"answer\":\"shirt\"}\n"
    "{\"id\":\"2\",\"title\":\"Steel water bottle\",\"category\":"
    "\"Home > Kitchen > Bottles\",\"answer\":\"bottle\"}\n" },
  { "data.csv",
    "id,title,category\r\n1,Men's cotton shirt,Apparel > Clothing\r\n"
    "2,\"Bottle, steel\",Home > Kitchen\r\n" },
  { "data.tsv", "id\ttitle\n1\tshirt\n" },
  { "outputs.jsonl",
    "{\"id\":\"1\",\"model\":\"m\",\"output\":\"Apparel\","
    "\"usage\":{\"input_tokens\":12,\"output_tokens\":3}}\n"
    "{\"id\":\"2\",\"model\":\"m\",\"status\":\"error\","
    "\"error\":\"HTTP 500\"}\n" },
  { "train.jsonl",
    "{\"title\":\"cotton shirt\",\"category\":\"Apparel > Shirts\"}\n"
    "{\"title\":\"water bottle\",\"category\":\"Home > Bottles\"}\n" },
  { "categories.txt", "Apparel > Shirts\nHome > Bottles\n" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char path[4352];
  if(!path[0]) {
    /* A run's default would let a fuzzed loop spin for minutes. */
    setenv("YARDSTICK_INSTRUCTION_LIMIT", "5", 0);
    for(size_t i = 0; i < sizeof(FILES) / sizeof(*FILES); i++) {
      fuzz_path(FILES[i].name, path, sizeof(path));
      fuzz_write(path, FILES[i].text, strlen(FILES[i].text));
    }
    if(!realpath(fuzz_tmpdir(), allowed[0]) ||
       !realpath(YS_SRCDIR, allowed[1])) {
      perror("fuzz_suite: realpath");
      abort();
    }
    fuzz_path("suite.lua", path, sizeof(path));
  }
  fuzz_write(path, data, size);
  ys_suite_opts o;
  memset(&o, 0, sizeof(o));
  o.search_path = YS_SRCDIR; /* plugins/ and metrics/ */
  ys_suite *s = NULL;
  ys_diag d;
  loading = 1;
  ys_err err = ys_suite_load(path, &o, &s, &d);
  loading = 0;
  if(!err == !s)
    abort(); /* the contract: a suite exactly when it loaded */
  if(err)
    fuzz_note("error %d: %s", (int)err, d.msg);
  else
    fuzz_note("loaded '%s': %zu models, %zu metrics, %zu gates", s->name,
              s->nmodels, s->nmetrics, s->ngates);
  ys_suite_free(s);
  return 0;
}
