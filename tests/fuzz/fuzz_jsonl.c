/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jsonl.c: fuzz target for JSON Lines datasets (dataset.c,
 * dataset_jsonl.c). The input is the dataset file; its rows are read and
 * handled as a run reads them (common.c). Then it is read twice side by
 * side, by rows and by the quick id reader of the duplicate check
 * (ys_dataset_next_string): where a row parses, an id the quick reader
 * gives must be the parsed one. Errors are expected outcomes; a crash, a
 * hang, a leak, a sanitizer report or two ids that differ is a finding.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void compare_ids(const char *path, const ys_dataset_opts *o)
{
  ys_dataset *a = NULL, *b = NULL;
  ys_diag d;
  if(ys_dataset_open(path, o, &a, &d) || ys_dataset_open(path, o, &b, &d)) {
    ys_dataset_free(a);
    return;
  }
  for(;;) {
    cJSON *row = NULL, *brow = NULL;
    long la = 0, lb = 0;
    const char *v;
    size_t n;
    ys_err ea = ys_dataset_next(a, &row, &la, &d);
    ys_err eb = ys_dataset_next_string(b, "id", &v, &n, &brow, &lb, &d);
    cJSON_Delete(brow);
    if(ea || !row) {
      cJSON_Delete(row);
      break;
    }
    if(eb || la != lb)
      abort(); /* the same lines must come back */
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(row, "id");
    if(v && (!cJSON_IsString(id) || strlen(id->valuestring) != n ||
             memcmp(id->valuestring, v, n)))
      abort(); /* the quick reader gave another id */
    cJSON_Delete(row);
  }
  ys_dataset_free(a);
  ys_dataset_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char path[4352];
  if(!path[0])
    fuzz_path("data.jsonl", path, sizeof(path));
  fuzz_write(path, data, size);
  ys_dataset_opts o;
  ys_dataset_opts_init(&o, YS_DATASET_JSONL);
  o.hash = 1;
  fuzz_read_dataset(path, &o);
  o.hash = 0;
  compare_ids(path, &o);
  return 0;
}
