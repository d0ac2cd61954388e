/* SPDX-License-Identifier: MIT */
/*
 * cli_data.c: `yardstick data lint|leak|split`: checks a dataset before it
 * is used for fine-tuning or evaluation (doc/data.md). Parses the options
 * into ys_data_opts, runs the check through the public API and prints its
 * report; exit 1 when lint or leak found a problem.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { LINT = 1, LEAK = 2, SPLIT = 4 };

/* Which subcommands take which option; every option takes a value but
 * --json. */
static const struct {
  const char *name;
  int cmds;
} options[] = {
  { "--format", LINT | LEAK | SPLIT },
  { "--text", LINT | LEAK },
  { "--label", LINT | LEAK },
  { "--id", LINT | LEAK | SPLIT },
  { "--taxonomy", LINT },
  { "--threshold", LINT | LEAK },
  { "--shingle", LINT | LEAK },
  { "--max-z", LINT },
  { "--rare", LINT },
  { "--holdout", SPLIT },
  { "--seed", SPLIT },
  { "--stratify", SPLIT },
  { "--key", SPLIT },
  { "--train", SPLIT },
  { "--eval", SPLIT },
  { "--embed-url", LINT | LEAK },
  { "--embed-model", LINT | LEAK },
  { "--embed-key-env", LINT | LEAK },
  { "--embed-threshold", LINT | LEAK },
  { "--embed-batch", LINT | LEAK },
  { "--show", LINT | LEAK },
  { "--json", LINT | LEAK | SPLIT },
};

static void data_usage(FILE *f)
{
  fprintf(f,
"usage: yardstick data lint FILE [--text F,...] [--label F] [--id F]\n"
"                 [--taxonomy FILE] [--threshold J] [--shingle S]\n"
"                 [--max-z Z] [--rare SHARE] [--show N] [--json]\n"
"       yardstick data leak TRAIN EVAL [--text F,...] [--label F] [--id F]\n"
"                 [--threshold J] [--shingle S] [--show N] [--json]\n"
"       lint and leak, by embeddings: --embed-url URL --embed-model M\n"
"                 [--embed-key-env VAR] [--embed-threshold C]\n"
"                 [--embed-batch N]\n"
"       yardstick data split FILE --holdout SHARE [--stratify F] [--seed S]\n"
"                 [--key F] [--train OUT] [--eval OUT] [--json]\n"
"\n"
"Checks a dataset (JSONL, or CSV/TSV by extension or --format):\n"
"  lint   duplicate rows and texts, texts with two labels, near-duplicate\n"
"         texts (MinHash over shingles), missing and empty fields, length\n"
"         outliers, rare labels and labels not in a taxonomy file\n"
"  leak   rows of EVAL whose text is in TRAIN, exactly or nearly\n"
"  split  a reproducible train/eval split by a seeded hash of each row\n"
"\n"
"  --text F,...      fields compared (default: all but the id and label)\n"
"  --label F         the label field\n"
"  --id F            the id field (default: id, when rows have it)\n"
"  --taxonomy FILE   valid labels, one a line: \"A > B\" or \"ID - A > B\"\n"
"  --threshold J     near-duplicate Jaccard similarity, 0.5 to 1 (0.8)\n"
"  --shingle S       char:N or word:N shingles (char:5)\n"
"  --max-z Z         length outlier past this robust z-score (3.5)\n"
"  --embed-url URL   find near-duplicates by the cosine similarity of\n"
"                    embeddings from this OpenAI-compatible API (.../v1)\n"
"  --embed-model M   the embedding model\n"
"  --embed-key-env VAR  the environment variable holding the API key\n"
"  --embed-threshold C  near-duplicate cosine similarity, 0.5 to 1 (0.95)\n"
"  --embed-batch N   texts a request, 1 to 2048 (64)\n"
"  --rare SHARE      a label under SHARE of the mean label count is rare\n"
"                    (0.2)\n"
"  --holdout SHARE   share of rows for eval, above 0 and below 1 (0.1)\n"
"  --stratify F      keep each value of F at the holdout share\n"
"  --seed S          seed of the split (1)\n"
"  --key F           the field deciding a row's side (default: the id,\n"
"                    else the whole row)\n"
"  --train, --eval   files to write the rows to (written whole or not at\n"
"                    all; a CSV header goes to both)\n"
"  --show N          list at most N issues of each kind (10; 0: all)\n"
"  --json            the report as JSON\n"
"\n"
"Exit status: 0 no problems, 1 problems found (lint, leak), 2 usage or\n"
"data error, 3 the check could not complete.\n");
}

/* A number within [min, max] (open at either end when the flag says). */
static int parse_double(const char *opt, const char *s, double min,
                        int min_open, double max, int max_open, double *out)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if(!*s || *end || errno || !(min_open ? v > min : v >= min) ||
     !(max_open ? v < max : v <= max)) {
    fprintf(stderr, "%s: %s expects a number %s %g and %s %g, got '%s'\n",
            cli_progname, opt, min_open ? "above" : "from", min,
            max_open ? "below" : "up to", max, s);
    return 0;
  }
  *out = v;
  return 1;
}

/* Up to 2^53 - 1, so the seed reads back exactly from the JSON report. */
static int parse_seed(const char *s, uint64_t *out)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if(!*s || *end || errno || *s == '-' || *s == '+' ||
     v > 9007199254740991ull) {
    fprintf(stderr, "%s: --seed expects a whole number from 0 to "
            "9007199254740991, got '%s'\n", cli_progname, s);
    return 0;
  }
  *out = (uint64_t)v;
  return 1;
}

/* Library errors, as the data commands see them: a file that cannot be
 * read or written is the caller's to fix (2); only running out of memory
 * or a failing backend leaves the check incomplete (3). */
static int data_exit_for(ys_err err)
{
  switch(err) {
  case YS_ERR_IO:
    return EXIT_USAGE;
  default:
    return cli_exit_for(err);
  }
}

int cli_data(int argc, char **argv, int first)
{
  if(first >= argc)
    return cli_fail_usage("%s", "data needs a command: yardstick data "
                          "lint|leak|split ...");
  const char *sub = argv[first];
  if(!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
    data_usage(stdout);
    return EXIT_OK;
  }
  int cmd = !strcmp(sub, "lint") ? LINT : !strcmp(sub, "leak") ? LEAK
            : !strcmp(sub, "split") ? SPLIT : 0;
  if(!cmd)
    return cli_fail_usage("data: unknown command '%s' (expected lint, leak "
                          "or split)", sub);
  ys_data_opts o;
  ys_data_opts_init(&o);
  const char *files[2] = { NULL, NULL };
  int nfiles = 0, want = cmd == LEAK ? 2 : 1, json = 0;
  long show = 10;
  /* Options that belong to one way of finding near-duplicates. */
  const char *minhash_only = NULL, *embed_only = NULL;
  for(int i = first + 1; i < argc; i++) {
    const char *a = argv[i];
    if(!strcmp(a, "--help") || !strcmp(a, "-h")) {
      data_usage(stdout);
      return EXIT_OK;
    }
    if(a[0] == '-' && a[1]) {
      size_t k = 0, n = sizeof(options) / sizeof(options[0]);
      while(k < n && strcmp(options[k].name, a))
        k++;
      if(k == n)
        return cli_fail_usage("data %s: unknown option '%s'", sub, a);
      if(!(options[k].cmds & cmd))
        return cli_fail_usage("data %s: %s is not an option of this "
                              "command", sub, a);
      if(!strcmp(a, "--json")) {
        json = 1;
        continue;
      }
      if(i + 1 >= argc)
        return cli_fail_usage("option %s needs a value", a);
      const char *v = argv[++i];
      if(!*v)
        return cli_fail_usage("option %s needs a value, got an empty one",
                              a);
      if(!strcmp(a, "--format"))
        o.format = v;
      else if(!strcmp(a, "--text"))
        o.text = v;
      else if(!strcmp(a, "--label"))
        o.label = v;
      else if(!strcmp(a, "--id"))
        o.id = v;
      else if(!strcmp(a, "--taxonomy"))
        o.taxonomy = v;
      else if(!strcmp(a, "--shingle")) {
        o.shingle = v;
        minhash_only = a;
      }
      else if(!strcmp(a, "--stratify"))
        o.stratify = v;
      else if(!strcmp(a, "--key"))
        o.key = v;
      else if(!strcmp(a, "--train"))
        o.out_train = v;
      else if(!strcmp(a, "--eval"))
        o.out_eval = v;
      else if(!strcmp(a, "--embed-url"))
        o.embed_url = v;
      else if(!strcmp(a, "--embed-model"))
        o.embed_model = v;
      else if(!strcmp(a, "--embed-key-env"))
        o.embed_key_env = v;
      else if(!strcmp(a, "--embed-threshold")) {
        if(!parse_double(a, v, 0.5, 0, 1, 0, &o.embed_threshold))
          return EXIT_USAGE;
        embed_only = a;
      }
      else if(!strcmp(a, "--embed-batch")) {
        long batch;
        if(!cli_parse_long(a, v, 1, 2048, &batch))
          return EXIT_USAGE;
        o.embed_batch = (int)batch;
        embed_only = a;
      }
      else if(!strcmp(a, "--threshold")) {
        if(!parse_double(a, v, 0.5, 0, 1, 0, &o.threshold))
          return EXIT_USAGE;
        minhash_only = a;
      }
      else if(!strcmp(a, "--max-z")) {
        if(!parse_double(a, v, 0, 1, 1e6, 0, &o.max_z))
          return EXIT_USAGE;
      }
      else if(!strcmp(a, "--rare")) {
        if(!parse_double(a, v, 0, 0, 1, 0, &o.rare))
          return EXIT_USAGE;
      }
      else if(!strcmp(a, "--holdout")) {
        if(!parse_double(a, v, 0, 1, 1, 1, &o.holdout))
          return EXIT_USAGE;
      }
      else if(!strcmp(a, "--seed")) {
        if(!parse_seed(v, &o.seed))
          return EXIT_USAGE;
      }
      else if(!strcmp(a, "--show")) {
        if(!cli_parse_long(a, v, 0, 1000000000L, &show))
          return EXIT_USAGE;
      }
    }
    else if(nfiles == want)
      return cli_fail_usage("data %s: unexpected argument '%s' (%s)", sub,
                            a, cmd == LEAK ? "leak takes TRAIN and EVAL"
                                           : "one file at a time");
    else
      files[nfiles++] = a;
  }
  if(o.embed_key_env || o.embed_model)
    embed_only = o.embed_key_env ? "--embed-key-env" : "--embed-model";
  if(embed_only && !o.embed_url)
    return cli_fail_usage("%s needs --embed-url, the embeddings API",
                          embed_only);
  if(minhash_only && o.embed_url)
    return cli_fail_usage("%s is for MinHash near-duplicates; with "
                          "--embed-url use --embed-threshold", minhash_only);
  if(nfiles < want)
    return cli_fail_usage("data %s needs %s", sub, cmd == LEAK
                          ? "the training and the evaluation file: "
                            "yardstick data leak TRAIN EVAL"
                          : "a dataset file");
  ys_data_report *r = NULL;
  ys_diag d;
  ys_err err = cmd == LINT ? ys_data_lint(files[0], &o, &r, &d)
               : cmd == LEAK ? ys_data_leak(files[0], files[1], &o, &r, &d)
               : ys_data_split(files[0], &o, &r, &d);
  int status = EXIT_OK;
  if(err)
    status = data_exit_for(err);
  else if(ys_data_report_write(r, stdout, json, show, &d))
    status = EXIT_INCOMPLETE;
  else if(ys_data_report_problems(r))
    status = EXIT_GATE;
  ys_data_report_free(r);
  if(status != EXIT_OK && status != EXIT_GATE)
    cli_print_diag(&d);
  return status;
}
