/* SPDX-License-Identifier: MIT */
/*
 * main.c: the `yardstick` command, a thin client of libyardstick's public
 * API: parses arguments, draws progress, prints the summary and errors,
 * and picks the exit status. Only this file prints or exits.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "yardstick.h"

/* The run a first Ctrl-C or SIGTERM stops cleanly; a second one ends the
 * process at once (the journal holds only whole lines either way). */
static ys_run *volatile running;
static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
  if(signals_seen++ || !running) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  ys_run_interrupt(running);
}

static void catch_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  /* No SA_RESTART: a wait in the event loop returns at once. */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

static void usage(FILE *f)
{
  fprintf(f,
"usage: yardstick run SUITE.lua [options]\n"
"       yardstick run --resume RUN_DIR [SUITE.lua] [-j N] [cache options]\n"
"       yardstick merge SHARD_DIR... --out RUN_DIR [--suite SUITE.lua]\n"
"       yardstick gate RUN_DIR [--suite SUITE.lua] [--json]\n"
"       yardstick report RUN_DIR --format json|csv|junit|md|html [-o FILE]\n"
"       yardstick compare RUN_A [RUN_B] [--models A[,B]] [--metric KEY]\n"
"                 [--show N] [--force] [--json]\n"
"       yardstick cost RUN_DIR --tokens-per-month N | --samples-per-month N\n"
"                 [--metric KEY] [--hosting MODEL=USD]... [--json]\n"
"       yardstick metrics [--json]\n"
"       yardstick data lint FILE | leak TRAIN EVAL | split FILE [options]\n"
"                 (yardstick data --help lists them)\n"
"       yardstick --run-tests FILE...\n"
"       yardstick --version | --help\n"
"\n"
"Runs an evaluation suite: every sample against every model, scored by the\n"
"suite's metrics; writes a run directory and prints a summary.\n"
"\n"
"run options:\n"
"  -j, --jobs N        tasks in flight at most (default 8)\n"
"      --limit N       evaluate only the first N samples\n"
"      --sample N      evaluate a random subset of N samples (see --seed)\n"
"      --seed S        seed for --sample and resampling (default 1)\n"
"      --repeat K      run each (sample, model) K times (default: suite's)\n"
"      --cache PATH    response cache file (default\n"
"                      $XDG_CACHE_HOME/yardstick/cache.db)\n"
"      --no-cache      neither read nor write the response cache\n"
"      --cache-only    answer model calls from the cache only; a call not\n"
"                      in it fails (no network)\n"
"  -o, --output DIR    write the run to DIR (must be new or empty)\n"
"      --runs-dir DIR  parent of generated run directories (default runs)\n"
"      --shard K/N     evaluate only shard K (0 to N-1) of N: a split by\n"
"                      a hash of the sample id; join with yardstick merge\n"
"      --redact F,...  keep these dataset fields' values out of the\n"
"                      results (replaced by [redacted:F])\n"
"      --resume DIR    continue the interrupted run in DIR (its suite,\n"
"                      data and options; SUITE.lua may be left out)\n"
"  -q, --quiet         print nothing but errors\n"
"\n"
"Exit status: 0 all gates hold, 1 a gate failed, 2 usage, suite or data\n"
"error, 3 the run could not complete, 130 interrupted.\n"
"Environment: YARDSTICK_PATH (extra plugin directories), NO_COLOR.\n");
}

typedef struct ui {
  int progress; /* draw a progress line on stderr */
  int drawn;
  int quiet;    /* only errors and warnings */
} ui;

static void on_progress(void *ud, const ys_progress *p)
{
  ui *u = ud;
  if(!u->progress)
    return;
  double pct = p->tasks_total ? 100.0 * (double)p->tasks_done /
                                (double)p->tasks_total : 100;
  fprintf(stderr, "\r\033[K%ld/%ld tasks  %3.0f%%  %ld failed  %ld in flight"
          "  %.1fs", p->tasks_done, p->tasks_total, pct, p->tasks_failed,
          p->in_flight, p->elapsed_s);
  fflush(stderr);
  u->drawn = 1;
}

static void clear_progress(ui *u)
{
  if(u->drawn) {
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    u->drawn = 0;
  }
}

static void on_log(void *ud, const char *line)
{
  ui *u = ud;
  if(u->quiet && strncmp(line, "warning:", 8))
    return;
  clear_progress(u);
  fprintf(stderr, "%s\n", line);
}

/* The command line as one string, quoting arguments with blanks. */
static char *join_args(int argc, char **argv)
{
  size_t n = 1;
  for(int i = 0; i < argc; i++)
    n += strlen(argv[i]) + 3;
  char *s = malloc(n);
  if(!s)
    return NULL;
  s[0] = '\0';
  for(int i = 0; i < argc; i++) {
    int q = strpbrk(argv[i], " \t") != NULL;
    if(i)
      strcat(s, " ");
    if(q)
      strcat(s, "'");
    strcat(s, argv[i]);
    if(q)
      strcat(s, "'");
  }
  return s;
}

/* --redact's list; main frees it (cmd_run returns from many places). */
static char **redact;

/* The directories `yardstick merge` joins; main frees the list. */
static const char **merge_dirs;

/* yardstick run, and yardstick merge (merge set: the arguments are shard
 * directories, the suite comes from them or --suite). */
static int cmd_run(int argc, char **argv, int first, int merge)
{
  ys_run_opts opts;
  ys_run_opts_init(&opts);
  const char *suite = NULL;
  int quiet = 0;
  const char *fixed = NULL; /* an option a resumed run takes from itself */
  size_t nredact = 0;
  for(int i = first; i < argc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    long v;
    int takes = !strcmp(a, "-j") || !strcmp(a, "--jobs") ||
                !strcmp(a, "--limit") || !strcmp(a, "--sample") ||
                !strcmp(a, "--seed") || !strcmp(a, "-o") ||
                !strcmp(a, "--repeat") || !strcmp(a, "--cache") ||
                !strcmp(a, "--output") || !strcmp(a, "--runs-dir") ||
                !strcmp(a, "--resume") || !strcmp(a, "--redact") ||
                !strcmp(a, "--shard") || !strcmp(a, "--out") ||
                !strcmp(a, "--suite");
    if(takes && !val)
      return cli_fail_usage("option %s needs a value", a);
    /* An empty path would mean the current or the root directory. */
    if(takes && !*val && (!strcmp(a, "-o") || !strcmp(a, "--output") ||
                          !strcmp(a, "--out") || !strcmp(a, "--runs-dir") ||
                          !strcmp(a, "--resume")))
      return cli_fail_usage("%s needs a directory name", a);
    if(takes && !*val && (!strcmp(a, "--cache") || !strcmp(a, "--suite")))
      return cli_fail_usage("%s needs a file name", a);
    if(!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
      if(!cli_parse_long(a, val, 1, 100000, &v))
        return EXIT_USAGE;
      opts.jobs = (int)v;
      i++;
    }
    else if(!strcmp(a, "--resume") && !merge) {
      opts.resume_dir = val;
      i++;
    }
    else if(!strcmp(a, "--shard") && !merge) {
      /* K/N, K from 0 to N-1 (a Kubernetes completion index, a Slurm
       * array task id). */
      char *end;
      errno = 0;
      long k = strtol(val, &end, 10), n = 0;
      if(end != val && *end == '/')
        n = strtol(end + 1, &end, 10);
      if(errno || *end || n < 1 || n > 1000000 || k < 0 || k >= n)
        return cli_fail_usage("--shard expects K/N with N from 1 and K "
                              "from 0 to N-1 (e.g. 0/4), got '%s'", val);
      opts.shard = k;
      opts.shards = n;
      fixed = a;
      i++;
    }
    else if(!strcmp(a, "--suite") && merge) {
      suite = val;
      i++;
    }
    else if(!strcmp(a, "--redact")) {
      /* FIELD,FIELD,...: cut in place. */
      char *list = (char *)val;
      size_t n = 1;
      for(const char *p = list; *p; p++)
        n += *p == ',';
      free(redact);
      redact = calloc(n + 1, sizeof(char *));
      if(!redact)
        return EXIT_INCOMPLETE;
      nredact = 0;
      for(char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
        redact[nredact++] = tok;
      if(!nredact) {
        return cli_fail_usage("%s", "--redact needs field names: "
                              "--redact name,dob");
      }
      fixed = a;
      i++;
    }
    else if(!strcmp(a, "--limit")) {
      if(!cli_parse_long(a, val, 1, LONG_MAX, &v))
        return EXIT_USAGE;
      opts.limit = v;
      fixed = a;
      i++;
    }
    else if(!strcmp(a, "--sample")) {
      if(!cli_parse_long(a, val, 1, LONG_MAX, &v))
        return EXIT_USAGE;
      opts.sample = v;
      fixed = a;
      i++;
    }
    else if(!strcmp(a, "--seed")) {
      if(!cli_parse_long(a, val, 0, LONG_MAX, &v))
        return EXIT_USAGE;
      opts.seed = (uint64_t)v;
      fixed = a;
      i++;
    }
    else if(!strcmp(a, "--repeat")) {
      if(!cli_parse_long(a, val, 1, 1000, &v))
        return EXIT_USAGE;
      opts.repeat = (int)v;
      fixed = a;
      i++;
    }
    else if(!strcmp(a, "--cache")) {
      opts.cache_path = val;
      i++;
    }
    else if(!strcmp(a, "--no-cache") || !strcmp(a, "--cache-only")) {
      ys_run_cache want = !strcmp(a, "--no-cache") ? YS_RUN_CACHE_OFF
                                                   : YS_RUN_CACHE_ONLY;
      if(opts.cache != YS_RUN_CACHE_ON && opts.cache != want)
        return cli_fail_usage("%s", "--no-cache and --cache-only cannot be used "
                          "together");
      opts.cache = want;
    }
    else if(!strcmp(a, "-o") || !strcmp(a, "--output") ||
            (merge && !strcmp(a, "--out"))) {
      opts.out_dir = val;
      fixed = a;
      i++;
    }
    else if(!strcmp(a, "--runs-dir")) {
      opts.runs_dir = val;
      i++;
    }
    else if(!strcmp(a, "-q") || !strcmp(a, "--quiet"))
      quiet = 1;
    else if(a[0] == '-' && a[1])
      return cli_fail_usage("unknown option '%s'", a);
    else if(merge) {
      if(!merge_dirs)
        merge_dirs = calloc((size_t)argc, sizeof(char *));
      if(!merge_dirs)
        return EXIT_INCOMPLETE;
      merge_dirs[opts.nmerge++] = a;
    }
    else if(suite)
      return cli_fail_usage("unexpected argument '%s': run takes one suite",
                        a);
    else
      suite = a;
  }
  if(opts.resume_dir && fixed)
    return cli_fail_usage("--resume continues a run with its own options: "
                          "%s cannot change them", fixed);
  if(merge && !opts.nmerge)
    return cli_fail_usage("%s", "merge needs the shard directories: "
                          "yardstick merge DIR... --out RUN_DIR");
  if(merge && !opts.out_dir)
    return cli_fail_usage("%s", "merge needs --out RUN_DIR, the merged "
                          "run's directory");
  opts.merge = merge_dirs;
  if(!suite && !opts.resume_dir && !merge)
    return cli_fail_usage("%s", "run needs a suite file: yardstick run "
                      "SUITE.lua");
  ui u = { !quiet && isatty(2), 0, quiet };
  char *cmdline = join_args(argc, argv);
  opts.command_line = cmdline;
  opts.search_path = getenv("YARDSTICK_PATH");
  opts.redact = (const char *const *)redact;
  opts.nredact = nredact;
  opts.progress = on_progress;
  opts.log = on_log;
  opts.ud = &u;
  ys_run *run = NULL;
  ys_diag d;
  ys_err err = ys_run_open(suite, &opts, &run, &d);
  if(!err) {
    running = run;
    catch_signals();
    err = ys_run_exec(run, &d);
    running = NULL;
  }
  clear_progress(&u);
  int color = isatty(1) && !getenv("NO_COLOR");
  char *table = run ? ys_run_render_table(run, color) : NULL;
  if(table && !quiet) {
    fputs(table, stdout);
    fflush(stdout);
  }
  free(table);
  int status;
  if(err) {
    cli_print_diag(&d);
    status = cli_exit_for(err);
  }
  else
    status = ys_run_gates_failed(run) ? EXIT_GATE : EXIT_OK;
  ys_run_free(run);
  free(cmdline);
  return status;
}

static int cmd_metrics(int argc, char **argv, int first)
{
  int json = 0;
  for(int i = first; i < argc; i++) {
    if(!strcmp(argv[i], "--json"))
      json = 1;
    else
      return cli_fail_usage("metrics: unexpected argument '%s'", argv[i]);
  }
  ys_diag d;
  char *list = ys_metrics_list(getenv("YARDSTICK_PATH"), json, &d);
  if(!list) {
    cli_print_diag(&d);
    return EXIT_INCOMPLETE;
  }
  fputs(list, stdout);
  free(list);
  return EXIT_OK;
}

/* yardstick --run-tests FILE...: 0 all pass, 1 a test failed, 2 a file
 * could not be read. */
static int cmd_run_tests(int argc, char **argv, int first)
{
  if(first >= argc)
    return cli_fail_usage("%s", "--run-tests needs test files");
  int status = EXIT_OK;
  long all = 0, all_failed = 0;
  for(int i = first; i < argc; i++) {
    long tests, failed;
    char *report = NULL;
    ys_diag d;
    if(ys_run_tests(argv[i], getenv("YARDSTICK_PATH"), &tests, &failed,
                    &report, &d)) {
      cli_print_diag(&d);
      return EXIT_USAGE;
    }
    fputs(report, stderr);
    free(report);
    printf("%s: %ld test%s, %ld failed\n", argv[i], tests,
           tests == 1 ? "" : "s", failed);
    all += tests;
    all_failed += failed;
    if(failed)
      status = EXIT_GATE;
  }
  if(argc - first > 1)
    printf("all: %ld tests, %ld failed\n", all, all_failed);
  return status;
}

/* Spells options the usual ways: "--jobs=8" and "-j8" become "--jobs"
 * "8" and "-j" "8" (also -o and -f), so each subcommand parses one form.
 * Returns a new array (free it) of argv's strings, cut in place at '=',
 * and constant ones. */
static char **split_options(int argc, char **argv, int *out_argc)
{
  static char short_opts[][3] = { "-j", "-o", "-f" };
  char **v = calloc((size_t)argc * 2 + 1, sizeof(char *));
  if(!v)
    return NULL;
  int n = 0;
  for(int i = 0; i < argc; i++) {
    char *a = argv[i];
    char *eq = i >= 2 && !strncmp(a, "--", 2) ? strchr(a, '=') : NULL;
    const char *sh = i >= 2 && a[0] == '-' && a[1] && a[2]
                     ? strchr("jof", a[1]) : NULL;
    if(eq && eq > a + 2) {
      *eq = '\0';
      v[n++] = a;
      v[n++] = eq + 1;
    }
    else if(sh) {
      v[n++] = short_opts[sh - "jof"];
      v[n++] = a + 2;
    }
    else
      v[n++] = a;
  }
  *out_argc = n;
  return v;
}

static int dispatch(int argc, char **argv)
{
  const char *cmd = argv[1];
  if(!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return EXIT_OK;
  }
  if(!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    printf("yardstick %s\n", ys_version());
    return EXIT_OK;
  }
  if(!strcmp(cmd, "run"))
    return cmd_run(argc, argv, 2, 0);
  if(!strcmp(cmd, "merge"))
    return cmd_run(argc, argv, 2, 1);
  if(!strcmp(cmd, "metrics"))
    return cmd_metrics(argc, argv, 2);
  if(!strcmp(cmd, "--run-tests") || !strcmp(cmd, "test"))
    return cmd_run_tests(argc, argv, 2);
  if(!strcmp(cmd, "gate"))
    return cli_gate(argc, argv, 2);
  if(!strcmp(cmd, "report"))
    return cli_report(argc, argv, 2);
  if(!strcmp(cmd, "compare"))
    return cli_compare(argc, argv, 2);
  if(!strcmp(cmd, "cost"))
    return cli_cost(argc, argv, 2);
  if(!strcmp(cmd, "data"))
    return cli_data(argc, argv, 2);
  return cli_fail_usage("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
  if(argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  /* Past a file size limit (ulimit -f), a write should fail with EFBIG
   * and a clear error, not kill the process; a closed pipe likewise. */
  signal(SIGXFSZ, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  char **args = split_options(argc, argv, &argc);
  if(!args) {
    fprintf(stderr, "%s: out of memory\n", cli_progname);
    return EXIT_INCOMPLETE;
  }
  int status = dispatch(argc, args);
  free(args);
  free(redact);
  free(merge_dirs);
  return status;
}
