/* SPDX-License-Identifier: MIT */
/*
 * err.c: error texts and diagnostics. Nothing here prints: the message goes
 * into the caller's ys_diag and only the CLI decides what to show.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

const char *ys_strerror(ys_err err)
{
  /* No default: -Wswitch then flags a code missing from this list. */
  switch(err) {
  case YS_OK: return "no error";
  case YS_ERR_NOMEM: return "out of memory";
  case YS_ERR_USAGE: return "bad usage";
  case YS_ERR_SUITE: return "suite error";
  case YS_ERR_DATA: return "data error";
  case YS_ERR_IO: return "input/output error";
  case YS_ERR_TOOBIG: return "input too large";
  case YS_ERR_LUA: return "Lua error";
  case YS_ERR_MODEL: return "model call failed";
  case YS_ERR_INCOMPLETE: return "run incomplete";
  case YS_ERR_INTERRUPTED: return "interrupted";
  case YS_ERR__LAST: break;
  }
  return "unknown error";
}

const char *ys_version(void)
{
  return YS_VERSION;
}

void ys_diag_clear(ys_diag *diag)
{
  if(diag) {
    diag->file[0] = '\0';
    diag->line = 0;
    diag->msg[0] = '\0';
  }
}

ys_err ys_fail(ys_diag *diag, ys_err err, const char *file, long line,
               const char *fmt, ...)
{
  if(!diag)
    return err;
  snprintf(diag->file, sizeof(diag->file), "%s", file ? file : "");
  diag->line = line;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
  va_end(ap);
  /* One line: a multi-line message (say, from a plugin) is cut at the
   * first newline so terminals and CI logs stay readable. */
  char *nl = strchr(diag->msg, '\n');
  if(nl && !getenv("YARDSTICK_DEBUG"))
    *nl = '\0';
  return err;
}

char *ys_diag_format(const ys_diag *diag, char *buf, size_t len)
{
  if(!len)
    return buf;
  if(diag->file[0] && diag->line > 0)
    snprintf(buf, len, "%s:%ld: %s", diag->file, diag->line, diag->msg);
  else if(diag->file[0])
    snprintf(buf, len, "%s: %s", diag->file, diag->msg);
  else
    snprintf(buf, len, "%s", diag->msg);
  return buf;
}
