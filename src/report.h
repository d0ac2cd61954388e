/* SPDX-License-Identifier: MIT */
/*
 * report.h: reports of a stored run (results.h) in the formats of
 * `yardstick report`: one ops entry per format, each in its own
 * report_*.c, listed in report.c; ys_report_write (yardstick.h) picks one
 * by name. The formats are documented in doc/reports.md. Uses results,
 * gate, cJSON.
 */
#ifndef YS_REPORT_H
#define YS_REPORT_H

#include <stdio.h>

#include "err.h"
#include "results.h"

/* One report format. write puts the whole report on out; it may leave
 * stdio's error flag set on out (the caller checks ferror), and returns
 * YS_ERR_DATA (diag names the file and line) when the run's files are
 * wrong. r and out are borrowed. */
typedef struct ys_report_ops {
  const char *name;  /* as given to --format */
  ys_err (*write)(const ys_results *r, FILE *out, ys_diag *diag);
} ys_report_ops;

extern const ys_report_ops ys_report_json_ops;
extern const ys_report_ops ys_report_csv_ops;
extern const ys_report_ops ys_report_junit_ops;
extern const ys_report_ops ys_report_md_ops;
extern const ys_report_ops ys_report_html_ops;

#endif
