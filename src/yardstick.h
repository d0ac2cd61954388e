/* SPDX-License-Identifier: MIT */
/*
 * yardstick.h: the embeddable C API of libyardstick. Open a run from a suite
 * file (loads and validates the suite and its dataset), execute it (writes a
 * run directory), then read its verdict and summary. The `yardstick` command
 * is a thin client of exactly this API.
 *
 * Ownership: pointers passed in are borrowed; pointers returned are borrowed
 * from the run unless the comment says "returns owned (free with free())".
 */
#ifndef YARDSTICK_H
#define YARDSTICK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define YS_VERSION "0.1.0"

/* Error codes. Numbers are never reused; a retired code becomes
 * YS_ERR_OBSOLETEn. */
typedef enum {
  YS_OK = 0,
  YS_ERR_NOMEM = 1,       /* out of memory */
  YS_ERR_USAGE = 2,       /* a bad argument or option from the caller */
  YS_ERR_SUITE = 3,       /* the suite file is wrong */
  YS_ERR_DATA = 4,        /* a dataset or recorded-output file is wrong */
  YS_ERR_IO = 5,          /* reading or writing a file failed */
  YS_ERR_TOOBIG = 6,      /* an input is over a hard size cap */
  YS_ERR_LUA = 7,         /* Lua code failed outside any sample */
  YS_ERR_MODEL = 8,       /* a model call failed */
  YS_ERR_INCOMPLETE = 9,  /* more samples errored than the suite allows */
  YS_ERR_INTERRUPTED = 10,/* stopped by a signal; the journal is valid */
  YS_ERR__LAST
} ys_err;

/* Where and why something failed: filled by every call that takes one. The
 * message is one line, lower case, without a final period. */
typedef struct ys_diag {
  char file[512]; /* empty when no file is involved */
  long line;      /* 0 when unknown */
  char msg[1024];
} ys_diag;

/* Static text for an error code. */
const char *ys_strerror(ys_err err);

/* Library version, YS_VERSION at build time. */
const char *ys_version(void);

/* Formats a diagnostic as "file:line: msg" (or less, when parts are absent)
 * into buf, always NUL-terminated. Returns buf. */
char *ys_diag_format(const ys_diag *diag, char *buf, size_t len);

/* Progress of a running evaluation, passed to ys_run_opts.progress. */
typedef struct ys_progress {
  long tasks_total;   /* (sample, model) tasks in this run */
  long tasks_done;    /* finished, scored or errored */
  long tasks_failed;  /* of which errored */
  long in_flight;     /* started and not finished */
  double elapsed_s;
} ys_progress;

/* What the response cache does (ys_run_opts.cache). */
typedef enum {
  YS_RUN_CACHE_ON = 0,  /* read and write (the default) */
  YS_RUN_CACHE_OFF = 1, /* neither */
  YS_RUN_CACHE_ONLY = 2 /* read only; a request not in it fails, no network */
} ys_run_cache;

typedef struct ys_run_opts {
  int jobs;                 /* tasks in flight at most (-j); default 8 */
  int repeat;               /* sample each task K times; 0: the suite's */
  ys_run_cache cache;
  const char *cache_path;   /* NULL: $XDG_CACHE_HOME/yardstick/cache.db */
  long limit;               /* evaluate the first N samples; 0 = all */
  long sample;              /* evaluate a seeded random subset of N; 0 = all */
  uint64_t seed;            /* for --sample and resampling; default 1 */
  const char *out_dir;      /* run directory; NULL: <runs_dir>/<suite>-... */
  const char *runs_dir;     /* parent of generated run directories: "runs" */
  const char *search_path;  /* ':'-separated plugin roots tried first */
  const char *command_line; /* recorded in manifest.json */
  /* Continue the unfinished run in this directory: its results so far are
   * kept, the rest is evaluated, and its limit, sample, seed and repeat
   * apply (the fields above are ignored). The suite and dataset must be
   * unchanged. suite_path may then be NULL: the run's own suite. */
  const char *resume_dir;
  /* Dataset fields whose values must not appear in the results: each
   * occurrence in outputs, errors and metric details is replaced by
   * "[redacted:FIELD]". Every field must exist in the dataset. */
  const char *const *redact;
  size_t nredact;
  /* Evaluate only the samples whose id falls in shard (0-based) of
   * shards (0: all): a split by a hash of the id, stable when rows are
   * reordered or added. Each shard is an ordinary run. */
  long shard, shards;
  /* Instead of evaluating, join the finished shard runs in these
   * directories (all shards of one run) into out_dir: the result is the
   * run an unsharded run would have written. suite_path may be NULL. */
  const char *const *merge;
  size_t nmerge;
  /* Called about ten times a second while running, and once at the end. */
  void (*progress)(void *ud, const ys_progress *p);
  /* Warnings and suite `print` output, one line each without newline. */
  void (*log)(void *ud, const char *line);
  void *ud;
} ys_run_opts;

typedef struct ys_run ys_run;

/* Fills opts with the defaults above. */
void ys_run_opts_init(ys_run_opts *opts);

/* Loads and validates the suite at suite_path and checks every row of its
 * dataset (ids present and unique, prompt fields present), without calling
 * any model. On success *out is a run ready for ys_run_exec. Errors:
 * YS_ERR_SUITE, YS_ERR_DATA, YS_ERR_USAGE, YS_ERR_IO, YS_ERR_TOOBIG; with
 * opts->resume_dir, YS_ERR_USAGE also when that run finished already or
 * its suite or dataset changed. */
ys_err ys_run_open(const char *suite_path, const ys_run_opts *opts,
                   ys_run **out, ys_diag *diag);

/* Runs every (sample, model) task, writes the run directory (manifest.json,
 * samples.jsonl, summary.json). Returns YS_OK when the run completed, whether
 * or not its gates hold (see ys_run_gates_failed); YS_ERR_INCOMPLETE when
 * more samples errored than the suite's max_error_rate allows or none was
 * scored; other errors when the run could not go on. */
ys_err ys_run_exec(ys_run *run, ys_diag *diag);

/* Asks a running ys_run_exec to stop: it starts no new task, abandons the
 * ones in flight, writes the results finished so far (in dataset order),
 * marks the run "interrupted" and returns YS_ERR_INTERRUPTED. Safe to call
 * from a signal handler. */
void ys_run_interrupt(ys_run *run);

/* The run directory, once ys_run_exec has created it; NULL before. */
const char *ys_run_dir(const ys_run *run);

/* Number of gates that failed; 0 when the suite has none. */
int ys_run_gates_failed(const ys_run *run);

/* The summary (summary.json's content) as compact JSON text, or NULL before
 * ys_run_exec finished. */
const char *ys_run_summary_json(const ys_run *run);

/* The terminal summary table (models x metrics, baselines, gates), with ANSI
 * colours when color is non-zero. Returns owned (free with free()), or NULL
 * before the run finished. */
char *ys_run_render_table(const ys_run *run, int color);

/* Frees the run; ys_run_free(NULL) is a no-op. */
void ys_run_free(ys_run *run);

/* Lists the metric plugins found on the search path (search_path entries,
 * then those installed with yardstick): name, file, description, kind and
 * parameters. A plugin that fails to load is listed with its error. As
 * JSON (an array) when json is non-zero, else as text for a terminal.
 * Returns owned (free with free()). */
char *ys_metrics_list(const char *search_path, int json, ys_diag *diag);

/* Runs the compact metric tests in the file at path (the format is in
 * doc/metrics.md): metrics are found in search_path, then beside the file
 * (its metrics/), then installed. Sets the number of tests and of
 * failures, and *report to the failures, one "file:line: what" per line
 * (owned, free with free()). Returns 0, or -1 when the file cannot be
 * read (diag says why). */
int ys_run_tests(const char *path, const char *search_path, long *tests,
                 long *failed, char **report, ys_diag *diag);

/* {====== stored runs ======
 * What comes after a run works on its directory: re-evaluating gates,
 * comparing, reports and cost projections. */

typedef struct ys_results ys_results;

/* Reads the run directory dir (manifest.json, summary.json,
 * samples.jsonl). Errors: YS_ERR_USAGE (not a run directory), YS_ERR_DATA
 * (a file is malformed; diag names file and line), YS_ERR_IO,
 * YS_ERR_TOOBIG. */
ys_err ys_results_open(const char *dir, ys_results **out, ys_diag *diag);

const char *ys_results_dir(const ys_results *r);

void ys_results_free(ys_results *r);

/* Evaluates the gates of a stored run again on its stored scores: the
 * run's own gates (suite_path NULL) or those of the suite at suite_path.
 * Sets *verdicts to the verdicts as a JSON array (owned, free with free())
 * and *failed to how many failed. */
ys_err ys_results_gate(const ys_results *r, const char *suite_path,
                       const char *search_path, char **verdicts, int *failed,
                       ys_diag *diag);

/* Gate verdicts (JSON text, as from ys_results_gate) as one line each.
 * Returns owned. */
char *ys_gates_render(const char *verdicts, int color);

/* What `yardstick compare` compares. */
typedef struct ys_compare_opts {
  int force;           /* compare runs of different datasets on the
                        * samples they share */
  const char *model_a; /* with model_b: these two; alone: that model in
                        * both runs; NULL: all (see ys_compare) */
  const char *model_b;
  const char *metric;  /* one metric key, or NULL for all */
  size_t show;         /* disagreeing samples listed per comparison */
} ys_compare_opts;

/* Compares run b with run a (b NULL: the models within a, each with each
 * later one) on the samples they share, aligned by id and repeat: per
 * metric key, the difference b - a with its 95% interval and p-value
 * (McNemar's exact test for pass/fail keys, a paired bootstrap otherwise;
 * Holm-adjusted over all the comparisons made), and the samples where
 * they disagree, regressions first. Runs of different datasets are
 * refused (YS_ERR_USAGE) unless opts->force. Sets *json to the result
 * (owned, free with free()). */
ys_err ys_compare(const ys_results *a, const ys_results *b,
                  const ys_compare_opts *opts, char **json, ys_diag *diag);

/* A comparison (JSON text from ys_compare) for a terminal. Returns owned. */
char *ys_compare_render(const char *json, int color);

/* What `yardstick cost` projects: exactly one of tokens_per_month and
 * samples_per_month (> 0). */
typedef struct ys_cost_hosting {
  const char *model;
  double monthly_usd;
} ys_cost_hosting;

typedef struct ys_cost_opts {
  double tokens_per_month;  /* each model's own tokens (input + output) */
  double samples_per_month;
  const char *metric;       /* quality shown beside cost; NULL: the first */
  const ys_cost_hosting *hosting; /* overrides of the suite's hosting */
  size_t nhosting;
} ys_cost_opts;

/* Projects each model's monthly cost from a stored run: samples a month
 * (given, or the tokens a month over the model's measured tokens per
 * sample) times its measured cost per sample, plus its fixed hosting.
 * A model with neither a price nor hosting has no cost (null), never $0.
 * Sets *json (owned, free with free()). */
ys_err ys_cost_project(const ys_results *r, const ys_cost_opts *opts,
                       char **json, ys_diag *diag);

/* A cost projection (JSON text from ys_cost_project) for a terminal.
 * Returns owned. */
char *ys_cost_render(const char *json, int color);

/* Writes a report of a stored run to out in format: "json", "csv",
 * "junit", "md" or "html" (see doc/reports.md). Errors: YS_ERR_USAGE (an
 * unknown format), YS_ERR_IO (writing failed). */
ys_err ys_report_write(const ys_results *r, const char *format, FILE *out,
                       ys_diag *diag);

/* }====== */

/* {====== dataset checks ======
 * `yardstick data`: checks a fine-tuning or evaluation dataset before it
 * is used (doc/data.md): lint (duplicates, near-duplicates, empty fields,
 * length outliers, labels), leak (evaluation rows found in the training
 * set) and a reproducible train/eval split. Files are JSONL or CSV, read
 * as a stream: memory grows by a small fixed amount per row, never with
 * the size of a row. */

typedef struct ys_data_opts {
  const char *format;    /* "jsonl", "csv" or "tsv"; NULL: by extension */
  const char *text;      /* fields compared, comma-separated; NULL: all
                          * fields but the id and label fields */
  const char *label;     /* the label field; NULL: no label checks */
  const char *id;        /* the id field; NULL: "id" when rows have one */
  const char *taxonomy;  /* lint: the valid labels, one a line; NULL */
  double threshold;      /* near-duplicate Jaccard similarity, 0.5 to 1
                          * (0.8) */
  const char *shingle;   /* "char:N" or "word:N" (char:5) */
  double max_z;          /* lint: length outlier past this robust z (3.5) */
  double rare;           /* lint: a label is rare under this share of the
                          * mean label count (0.2) */
  double holdout;        /* split: share of rows for eval, above 0 and
                          * below 1 (0.1) */
  uint64_t seed;         /* split: the hash's seed (1) */
  const char *stratify;  /* split: keep this field's shares; NULL */
  const char *key;       /* split: the field deciding a row's side; NULL:
                          * the id field, else the whole row */
  const char *out_train; /* split: files written; NULL: not written */
  const char *out_eval;
  /* lint, leak: near-duplicates by the cosine similarity of embeddings
   * from an OpenAI-compatible API instead of MinHash */
  const char *embed_url;     /* "http://host:8000/v1"; NULL: MinHash */
  const char *embed_model;
  const char *embed_key_env; /* variable holding the API key; NULL */
  double embed_threshold;    /* cosine similarity, 0.5 to 1 (0.95) */
  int embed_batch;           /* texts a request, 1 to 2048 (64) */
} ys_data_opts;

/* Fills opts with the defaults above. */
void ys_data_opts_init(ys_data_opts *opts);

typedef struct ys_data_report ys_data_report;

/* Checks the dataset at path: duplicate rows and texts, texts with
 * another label, near-duplicate texts, missing and empty fields, length
 * outliers, labels not in the taxonomy, rare labels. Sets *out (free with
 * ys_data_report_free). Errors: YS_ERR_USAGE (options), YS_ERR_IO (cannot
 * read), YS_ERR_DATA (a malformed row, a field not in the file, no rows;
 * diag names file and line), YS_ERR_TOOBIG, YS_ERR_MODEL (the embeddings
 * API failed). */
ys_err ys_data_lint(const char *path, const ys_data_opts *opts,
                    ys_data_report **out, ys_diag *diag);

/* Finds the rows of the evaluation set at eval whose text appears, the
 * same or nearly, in the training set at train. Memory grows with the
 * evaluation set; the training set is streamed. Errors as ys_data_lint. */
ys_err ys_data_leak(const char *train, const char *eval,
                    const ys_data_opts *opts, ys_data_report **out,
                    ys_diag *diag);

/* Splits the dataset at path into opts->out_train and opts->out_eval (each
 * optional; rows copied byte for byte, a CSV header to both). Each row
 * has a seeded hash of its key, so the same file and seed give the same
 * split, and rows with the same key land on the same side. Unstratified,
 * a row is in eval when its hash is under the holdout share: adding rows
 * never moves another. Stratified, each stratum's eval rows are the
 * round(holdout * rows) with the smallest hashes: exact shares, and adding
 * rows moves only rows next to a stratum's cut. Files are written whole or
 * not at all. Errors as ys_data_lint, and YS_ERR_IO when an output cannot
 * be written. */
ys_err ys_data_split(const char *path, const ys_data_opts *opts,
                     ys_data_report **out, ys_diag *diag);

/* The number of problems found (lint: issues; leak: leaked rows; split:
 * 0). */
long ys_data_report_problems(const ys_data_report *r);

/* Writes the report to out, as JSON when json is non-zero, else as text
 * listing at most show issues of each kind, and labels (0: all). Errors:
 * YS_ERR_IO, YS_ERR_NOMEM. */
ys_err ys_data_report_write(const ys_data_report *r, FILE *out, int json,
                            long show, ys_diag *diag);

void ys_data_report_free(ys_data_report *r);

/* }====== */

#ifdef __cplusplus
}
#endif
#endif /* YARDSTICK_H */
