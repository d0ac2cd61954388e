/* SPDX-License-Identifier: MIT */
/*
 * fuzz_jsonl.c: fuzz target for JSON Lines datasets (dataset.c,
 * dataset_jsonl.c). The input is the dataset file; its rows are read and
 * handled as a run reads them (common.c). Errors are expected outcomes;
 * a crash, a hang, a leak or a sanitizer report is a finding.
 */
#include "common.h"

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
  return 0;
}
