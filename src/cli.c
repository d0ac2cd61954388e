/* SPDX-License-Identifier: MIT */
/*
 * cli.c: what every subcommand of the `yardstick` command shares: the
 * exit statuses, usage errors and diagnostics on stderr, number options.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

const char *cli_progname = "yardstick";

int cli_fail_usage(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "%s: ", cli_progname);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see yardstick --help)\n");
  return EXIT_USAGE;
}

int cli_parse_long(const char *opt, const char *s, long min, long max,
                   long *out)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if(!*s || *end || errno || v < min || v > max) {
    fprintf(stderr, "%s: %s expects a whole number from %ld to %ld, got "
            "'%s'\n", cli_progname, opt, min, max, s);
    return 0;
  }
  *out = v;
  return 1;
}

int cli_exit_for(ys_err err)
{
  switch(err) {
  case YS_OK:
    return EXIT_OK;
  case YS_ERR_USAGE:
  case YS_ERR_SUITE:
  case YS_ERR_DATA:
  case YS_ERR_TOOBIG:
    return EXIT_USAGE;
  case YS_ERR_INTERRUPTED:
    return EXIT_INTERRUPTED;
  case YS_ERR_NOMEM:
  case YS_ERR_IO:
  case YS_ERR_LUA:
  case YS_ERR_MODEL:
  case YS_ERR_INCOMPLETE:
  case YS_ERR__LAST:
    break;
  }
  return EXIT_INCOMPLETE;
}

void cli_print_diag(const ys_diag *d)
{
  char msg[2200];
  fprintf(stderr, "%s: %s\n", cli_progname, ys_diag_format(d, msg, sizeof(msg)));
}
