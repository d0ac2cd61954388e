/* SPDX-License-Identifier: MIT */
/*
 * cli_results.c: the subcommands that work on a finished run directory:
 * `yardstick gate RUN_DIR [--suite SUITE.lua] [--json]`,
 * `yardstick report RUN_DIR --format F [-o FILE]`,
 * `yardstick compare RUN_A [RUN_B] [options]`,
 * `yardstick cost RUN_DIR --tokens-per-month N | --samples-per-month N`.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Writes to a temporary file beside path and renames it over path, so a
 * failed report never leaves a half-written file. */
int cli_report(int argc, char **argv, int first)
{
  const char *dir = NULL, *format = NULL, *outp = NULL;
  for(int i = first; i < argc; i++) {
    const char *a = argv[i];
    if(!strcmp(a, "--format") || !strcmp(a, "-f") || !strcmp(a, "-o") ||
       !strcmp(a, "--output")) {
      if(i + 1 >= argc)
        return cli_fail_usage("option %s needs a value", a);
      if(a[1] == 'o' || a[2] == 'o')
        outp = argv[++i];
      else
        format = argv[++i];
    }
    else if(a[0] == '-' && a[1])
      return cli_fail_usage("report: unknown option '%s'", a);
    else if(dir)
      return cli_fail_usage("report: unexpected argument '%s': report takes "
                            "one run directory", a);
    else
      dir = a;
  }
  if(!dir || !format)
    return cli_fail_usage("%s", "report needs a run directory and a format: "
                          "yardstick report RUN_DIR --format "
                          "json|csv|junit|md|html [-o FILE]");
  ys_results *r = NULL;
  ys_diag d;
  ys_err err = ys_results_open(dir, &r, &d);
  if(err) {
    cli_print_diag(&d);
    return cli_exit_for(err);
  }
  FILE *f = stdout;
  char *tmp = NULL;
  if(outp && strcmp(outp, "-")) {
    size_t n = strlen(outp) + 16;
    tmp = malloc(n);
    if(tmp)
      snprintf(tmp, n, "%s.tmp.XXXXXX", outp);
    int fd = tmp ? mkstemp(tmp) : -1;
    if(fd >= 0) {
      /* mkstemp makes 0600; a report is for sharing: 0666 less umask. */
      mode_t mask = umask(0);
      umask(mask);
      if(fchmod(fd, 0666 & ~mask) != 0) {
        close(fd);
        unlink(tmp);
        fd = -1;
      }
    }
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if(!f) {
      fprintf(stderr, "%s: %s: cannot write: %s\n", cli_progname, outp,
              strerror(errno));
      if(fd >= 0) {
        close(fd);
        unlink(tmp);
      }
      free(tmp);
      ys_results_free(r);
      return EXIT_USAGE;
    }
  }
  err = ys_report_write(r, format, f, &d);
  ys_results_free(r);
  if(tmp) {
    int bad = fclose(f) != 0;
    if(!err && bad)
      err = YS_ERR_IO;
    if(!err && rename(tmp, outp)) {
      int e = errno;
      fprintf(stderr, "%s: %s: cannot write: %s\n", cli_progname, outp,
              strerror(e));
      unlink(tmp);
      free(tmp);
      /* A path that cannot take a file is the caller's mistake. */
      return e == EISDIR || e == ENOTDIR || e == EACCES || e == ENOENT
             ? EXIT_USAGE : EXIT_INCOMPLETE;
    }
    if(err) {
      unlink(tmp);
      if(bad && !d.msg[0])
        snprintf(d.msg, sizeof(d.msg), "%s: cannot write", outp);
    }
    free(tmp);
  }
  else if(fflush(stdout) && !err) {
    fprintf(stderr, "%s: cannot write the report: %s\n", cli_progname,
            strerror(errno));
    return EXIT_INCOMPLETE;
  }
  if(err) {
    cli_print_diag(&d);
    return cli_exit_for(err);
  }
  return EXIT_OK;
}

int cli_compare(int argc, char **argv, int first)
{
  const char *dirs[2] = { NULL, NULL };
  int ndirs = 0, json = 0;
  char *models = NULL;
  ys_compare_opts o = { 0, NULL, NULL, NULL, 10 };
  for(int i = first; i < argc; i++) {
    const char *a = argv[i];
    if(!strcmp(a, "--json"))
      json = 1;
    else if(!strcmp(a, "--force"))
      o.force = 1;
    else if(!strcmp(a, "--models") || !strcmp(a, "--metric") ||
            !strcmp(a, "--show")) {
      if(i + 1 >= argc) {
        free(models);
        return cli_fail_usage("option %s needs a value", a);
      }
      const char *v = argv[++i];
      if(a[3] == 'o') {
        free(models);
        models = strdup(v);
      }
      else if(a[3] == 'e')
        o.metric = v;
      else {
        long n;
        if(!cli_parse_long(a, v, 0, 100000, &n)) {
          free(models);
          return EXIT_USAGE;
        }
        o.show = (size_t)n;
      }
    }
    else if(a[0] == '-' && a[1]) {
      free(models);
      return cli_fail_usage("compare: unknown option '%s'", a);
    }
    else if(ndirs == 2) {
      free(models);
      return cli_fail_usage("compare: unexpected argument '%s': compare "
                            "takes one or two run directories", a);
    }
    else
      dirs[ndirs++] = a;
  }
  if(!ndirs) {
    free(models);
    return cli_fail_usage("%s", "compare needs a run directory: yardstick "
                          "compare RUN_A [RUN_B]");
  }
  if(models) {
    char *comma = strchr(models, ',');
    if(comma)
      *comma = '\0';
    o.model_a = models;
    o.model_b = comma ? comma + 1 : NULL;
    if(!models[0] || (comma && (!comma[1] || strchr(comma + 1, ',')))) {
      free(models);
      return cli_fail_usage("%s", "--models takes A or A,B");
    }
  }
  ys_results *r[2] = { NULL, NULL };
  ys_diag d;
  ys_err err = YS_OK;
  for(int i = 0; i < ndirs && !err; i++)
    err = ys_results_open(dirs[i], &r[i], &d);
  char *doc = NULL;
  if(!err)
    err = ys_compare(r[0], r[1], &o, &doc, &d);
  ys_results_free(r[0]);
  ys_results_free(r[1]);
  free(models);
  if(err) {
    cli_print_diag(&d);
    return cli_exit_for(err);
  }
  if(json)
    printf("%s\n", doc);
  else {
    char *text = ys_compare_render(doc, use_color());
    fputs(text, stdout);
    free(text);
  }
  free(doc);
  return EXIT_OK;
}

/* "100M", "2.5k", "1e9", "40000": a positive amount. */
static int parse_amount(const char *opt, const char *s, double *out)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  double mult = 1;
  if(end != s && *end && !end[1]) {
    switch(*end) {
    case 'k': case 'K': mult = 1e3; end++; break;
    case 'M': case 'm': mult = 1e6; end++; break;
    case 'G': case 'B': case 'g': case 'b': mult = 1e9; end++; break;
    default: break;
    }
  }
  if(end == s || *end || errno || !(v > 0) || isinf(v * mult)) {
    fprintf(stderr, "%s: %s expects a positive amount such as 40000, 2.5k, "
            "100M or 1G, got '%s'\n", cli_progname, opt, s);
    return 0;
  }
  *out = v * mult;
  return 1;
}

int cli_cost(int argc, char **argv, int first)
{
  const char *dir = NULL;
  int json = 0;
  ys_cost_opts o;
  memset(&o, 0, sizeof(o));
  ys_cost_hosting *hosting = calloc((size_t)argc + 1, sizeof(*hosting));
  if(!hosting)
    return EXIT_INCOMPLETE;
  int status = -1;
  for(int i = first; i < argc && status < 0; i++) {
    const char *a = argv[i];
    if(!strcmp(a, "--json"))
      json = 1;
    else if(!strcmp(a, "--tokens-per-month") ||
            !strcmp(a, "--samples-per-month") || !strcmp(a, "--metric") ||
            !strcmp(a, "--hosting")) {
      if(i + 1 >= argc) {
        status = cli_fail_usage("option %s needs a value", a);
        break;
      }
      const char *v = argv[++i];
      if(!strcmp(a, "--metric"))
        o.metric = v;
      else if(!strcmp(a, "--hosting")) {
        const char *eq = strrchr(v, '=');
        char *end = NULL;
        double usd = eq ? strtod(eq + 1, &end) : -1;
        if(!eq || eq == v || !eq[1] || *end || !(usd >= 0)) {
          status = cli_fail_usage("--hosting expects MODEL=USD (a monthly "
                                  "cost), got '%s'", v);
          break;
        }
        hosting[o.nhosting].model = v;
        hosting[o.nhosting].monthly_usd = usd;
        /* The name ends at the '=': cut it in place. */
        ((char *)eq)[0] = '\0';
        o.nhosting++;
      }
      else if(!parse_amount(a, v, a[2] == 't' ? &o.tokens_per_month
                                              : &o.samples_per_month))
        status = EXIT_USAGE;
    }
    else if(a[0] == '-' && a[1])
      status = cli_fail_usage("cost: unknown option '%s'", a);
    else if(dir)
      status = cli_fail_usage("cost: unexpected argument '%s': cost takes "
                              "one run directory", a);
    else
      dir = a;
  }
  if(status < 0 && !dir)
    status = cli_fail_usage("%s", "cost needs a run directory: yardstick "
                            "cost RUN_DIR --tokens-per-month 100M");
  if(status >= 0) {
    free(hosting);
    return status;
  }
  o.hosting = hosting;
  ys_results *r = NULL;
  ys_diag d;
  char *doc = NULL;
  ys_err err = ys_results_open(dir, &r, &d);
  if(!err)
    err = ys_cost_project(r, &o, &doc, &d);
  ys_results_free(r);
  free(hosting);
  if(err) {
    cli_print_diag(&d);
    return cli_exit_for(err);
  }
  if(json)
    printf("%s\n", doc);
  else {
    char *text = ys_cost_render(doc, use_color());
    fputs(text, stdout);
    free(text);
  }
  free(doc);
  return EXIT_OK;
}
