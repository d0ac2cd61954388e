/* SPDX-License-Identifier: MIT */
/*
 * fuzz_csv.c: fuzz target for CSV datasets (dataset.c, dataset_csv.c on
 * libcsv). The input is the dataset file, read as CSV and again as TSV
 * (the delimiter changes which quotes and fields are legal); its rows are
 * handled as a run reads them (common.c). Errors are expected outcomes;
 * a crash, a hang, a leak or a sanitizer report is a finding.
 */
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char path[4352];
  if(!path[0])
    fuzz_path("data.csv", path, sizeof(path));
  fuzz_write(path, data, size);
  static const char delims[] = { ',', '\t' };
  for(size_t i = 0; i < sizeof(delims); i++) {
    ys_dataset_opts o;
    ys_dataset_opts_init(&o, YS_DATASET_CSV);
    o.delimiter = delims[i];
    o.hash = 1;
    fuzz_read_dataset(path, &o);
  }
  return 0;
}
