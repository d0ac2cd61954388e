/* SPDX-License-Identifier: MIT */
/*
 * cli_results.c: the subcommands that work on a finished run directory:
 * `yardstick gate RUN_DIR [--suite SUITE.lua] [--json]`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int use_color(void)
{
  return isatty(1) && !getenv("NO_COLOR");
}

int cli_gate(int argc, char **argv, int first)
{
  const char *dir = NULL, *suite = NULL;
  int json = 0;
  for(int i = first; i < argc; i++) {
    const char *a = argv[i];
    if(!strcmp(a, "--json"))
      json = 1;
    else if(!strcmp(a, "--suite")) {
      if(++i >= argc)
        return cli_fail_usage("%s", "--suite needs a suite file");
      suite = argv[i];
    }
    else if(a[0] == '-' && a[1])
      return cli_fail_usage("gate: unknown option '%s'", a);
    else if(dir)
      return cli_fail_usage("gate: unexpected argument '%s': gate takes one "
                            "run directory", a);
    else
      dir = a;
  }
  if(!dir)
    return cli_fail_usage("%s", "gate needs a run directory: yardstick gate "
                          "RUN_DIR");
  ys_results *r = NULL;
  ys_diag d;
  ys_err err = ys_results_open(dir, &r, &d);
  char *verdicts = NULL;
  int failed = 0;
  if(!err)
    err = ys_results_gate(r, suite, getenv("YARDSTICK_PATH"), &verdicts,
                          &failed, &d);
  ys_results_free(r);
  if(err) {
    cli_print_diag(&d);
    return cli_exit_for(err);
  }
  if(json)
    printf("%s\n", verdicts);
  else if(!strcmp(verdicts, "[]"))
    printf("no gates\n");
  else {
    char *text = ys_gates_render(verdicts, use_color());
    fputs(text, stdout);
    free(text);
  }
  free(verdicts);
  return failed ? EXIT_GATE : EXIT_OK;
}
