/* SPDX-License-Identifier: MIT */
/*
 * report.c: `yardstick report`: a stored run in one of the report
 * formats, each in its own report_*.c.
 */
#include <string.h>

#include "report.h"

ys_err ys_report_write(const ys_results *r, const char *format, FILE *out,
                       ys_diag *diag)
{
  (void)r;
  (void)out;
  return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "unknown report format '%s' "
                 "(expected json, csv, junit, md or html)", format);
}
