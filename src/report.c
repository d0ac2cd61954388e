/* SPDX-License-Identifier: MIT */
/*
 * report.c: `yardstick report`: a stored run in one of the report
 * formats, each in its own report_*.c, looked up by name in a table. A
 * report that could not be written in full is an error, so the command
 * never keeps half a file.
 */
#include <errno.h>
#include <string.h>

#include "report.h"

static const ys_report_ops *const formats[] = {
  &ys_report_json_ops, &ys_report_csv_ops, &ys_report_junit_ops,
  &ys_report_md_ops, &ys_report_html_ops
};

ys_err ys_report_write(const ys_results *r, const char *format, FILE *out,
                       ys_diag *diag)
{
  ys_diag_clear(diag);
  const ys_report_ops *ops = NULL;
  for(size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
    if(!strcmp(format, formats[i]->name))
      ops = formats[i];
  if(!ops)
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "unknown report format '%s' "
                   "(expected json, csv, junit, md or html)", format);
  errno = 0;
  ys_err err = ops->write(r, out, diag);
  if(err)
    return err;
  /* stdio keeps the first write error; fflush reports the rest. */
  if(fflush(out) != 0 || ferror(out))
    return ys_fail(diag, YS_ERR_IO, NULL, 0, "cannot write the %s report: "
                   "%s", ops->name, errno ? strerror(errno)
                   : "write error");
  return YS_OK;
}
