/* SPDX-License-Identifier: MIT */
/*
 * driver.c: a main() for the fuzz targets without libFuzzer. It runs
 * LLVMFuzzerTestOneInput once on each file named on the command line and
 * on each file in each directory named (in name order), so `make check`
 * replays the corpora and the crash reproducers with the ordinary
 * compiler, and under ASan and UBSan with `make check-sanitize`. A crash,
 * a sanitizer report or a leak fails the replay.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

static long nrun;

/* Reads the file at path and runs it. Returns 0, or -1 when it cannot be
 * read. */
static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if(!f) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return -1;
  }
  char *data = NULL;
  size_t len = 0, cap = 0;
  for(;;) {
    if(len == cap) {
      cap = cap ? cap * 2 : 65536;
      char *p = realloc(data, cap);
      if(!p) {
        free(data);
        fclose(f);
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
      }
      data = p;
    }
    size_t n = fread(data + len, 1, cap - len, f);
    if(!n)
      break;
    len += n;
  }
  int bad = ferror(f);
  fclose(f);
  if(bad) {
    free(data);
    fprintf(stderr, "%s: read error\n", path);
    return -1;
  }
  /* Announced first, so the log names the input a crash came from. */
  printf("%s\n", path);
  fflush(stdout);
  /* A copy of exactly len bytes: ASan sees a read past the input. */
  uint8_t *input = malloc(len ? len : 1);
  if(!input) {
    free(data);
    return -1;
  }
  memcpy(input, data, len);
  free(data);
  LLVMFuzzerTestOneInput(input, len);
  free(input);
  nrun++;
  return 0;
}

static int not_hidden(const struct dirent *e)
{
  return e->d_name[0] != '.';
}

static int run_dir(const char *dir)
{
  struct dirent **list;
  int n = scandir(dir, &list, not_hidden, alphasort);
  if(n < 0) {
    fprintf(stderr, "%s: %s\n", dir, strerror(errno));
    return -1;
  }
  int rc = 0;
  for(int i = 0; i < n; i++) {
    char path[4352];
    snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
    struct stat st;
    if(stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path))
      rc = -1;
    free(list[i]);
  }
  free(list);
  return rc;
}

int main(int argc, char **argv)
{
  if(argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  int rc = 0;
  for(int i = 1; i < argc; i++) {
    struct stat st;
    if(stat(argv[i], &st) != 0) {
      fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
      rc = 1;
    }
    else if(S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]))
      rc = 1;
  }
  printf("%ld inputs run\n", nrun);
  return rc;
}
