/* SPDX-License-Identifier: MIT */
/*
 * cli.h: shared by the `yardstick` command's files (main.c and the
 * cli_*.c subcommands): exit statuses, usage errors, diagnostics. Only the
 * command prints or exits; the library never does.
 */
#ifndef YS_CLI_H
#define YS_CLI_H

#include "yardstick.h"

/* Exit statuses: documented in yardstick(1) and DESIGN.md; never
 * renumbered. */
enum {
  EXIT_OK = 0,          /* completed, every gate holds */
  EXIT_GATE = 1,        /* completed, a gate failed (or a test did) */
  EXIT_USAGE = 2,       /* usage, suite or data error */
  EXIT_INCOMPLETE = 3,  /* the run could not complete */
  EXIT_INTERRUPTED = 130
};

extern const char *cli_progname;

/* Prints "yardstick: MESSAGE (see yardstick --help)"; returns EXIT_USAGE. */
int cli_fail_usage(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
  __attribute__((format(printf, 1, 2)))
#endif
  ;

/* Parses a whole number of option opt within [min, max]; on error prints
 * why and returns 0. */
int cli_parse_long(const char *opt, const char *s, long min, long max,
                   long *out);

/* The exit status for a library error. */
int cli_exit_for(ys_err err);

/* Prints "yardstick: file:line: message". */
void cli_print_diag(const ys_diag *d);

/* The subcommands after a run: gate, compare, report, cost. */
int cli_gate(int argc, char **argv, int first);
int cli_report(int argc, char **argv, int first);
int cli_compare(int argc, char **argv, int first);
int cli_cost(int argc, char **argv, int first);

/* yardstick data lint|leak|split (cli_data.c). */
int cli_data(int argc, char **argv, int first);

#endif
