/* SPDX-License-Identifier: MIT */
/*
 * common.h: what the fuzz targets (tests/fuzz/fuzz_*.c) share: the
 * libFuzzer entry point's prototype, a private temporary directory per
 * process for the files an input must become, and reading a dataset the
 * way a run does. Each target is built with libFuzzer (`make fuzz`) and
 * with driver.c, which replays saved inputs (`make check`).
 */
#ifndef YS_FUZZ_COMMON_H
#define YS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

/* Runs one input; always returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The process's temporary directory, made on first use and removed with
 * the files in it at exit. Aborts when it cannot be made. */
const char *fuzz_tmpdir(void);

/* Writes the path of name inside fuzz_tmpdir() to out (size len). */
void fuzz_path(const char *name, char *out, size_t len);

/* Writes data[0..size) to path, replacing the file. Aborts on failure:
 * the input would not be tested. */
void fuzz_write(const char *path, const void *data, size_t size);

/* Reads every row of the dataset at path as a run does (hashing the
 * file) and gives each row what a run gives it before its tasks start:
 * its id's text, its shard, its compact JSON for the results line and its
 * conversion into a Lua table. Stops at the end or at the first error. */
void fuzz_read_dataset(const char *path, const ys_dataset_opts *opts);

/* Prints one line about what an input did to stderr, when YS_FUZZ_VERBOSE
 * is set in the environment (to see what a corpus file exercises). */
void fuzz_note(const char *fmt, ...) YS_PRINTF(1, 2);

#endif
