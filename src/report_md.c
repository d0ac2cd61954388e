/* SPDX-License-Identifier: MIT */
/*
 * report_md.c: `--format md`: GitHub-flavoured Markdown for a pull-request
 * comment or $GITHUB_STEP_SUMMARY: the verdict in a heading, a models x
 * metrics table with 95% intervals, errors, cost and p95 latency, the
 * baselines and each gate with a check or a cross. Every text from the
 * run goes through ys_report_md. Layout in doc/reports.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_util.h"
#include "xalloc.h"

static void verdict(const ys_results *r, FILE *f)
{
  const char *st = ys_report_status(r);
  size_t n = (size_t)cJSON_GetArraySize(ys_report_verdicts(r));
  size_t failed = ys_report_verdicts_failed(r);
  fputs("### ", f);
  if(strcmp(st, "complete")) {
    fputs("\xE2\x9D\x8C ", f); /* cross mark */
    ys_report_md(f, ys_report_str(r->summary, "suite", "yardstick"));
    fputs(": the run did not complete (", f);
    ys_report_md(f, st);
    fputs(")\n\n", f);
    return;
  }
  fputs(failed ? "\xE2\x9D\x8C " : "\xE2\x9C\x85 ", f);
  ys_report_md(f, ys_report_str(r->summary, "suite", "yardstick"));
  if(!n)
    fputs(": complete, no gates\n\n", f);
  else if(failed)
    fprintf(f, ": %zu of %zu gate%s failed\n\n", failed, n,
            n == 1 ? "" : "s");
  else
    fprintf(f, ": %s gate%s hold%s\n\n", n == 1 ? "the" : "all",
            n == 1 ? "" : "s", n == 1 ? "s" : "");
}

static void intro(const ys_results *r, FILE *f)
{
  const char *desc = ys_report_str(r->summary, "description", NULL);
  if(desc) {
    ys_report_md(f, desc);
    fputs("\n\n", f);
  }
  double samples = ys_report_num(r->summary, "samples");
  fprintf(f, "%.0f sample%s \xC3\x97 %zu model%s \xC2\xB7 run ", samples,
          samples == 1 ? "" : "s", r->nmodels, r->nmodels == 1 ? "" : "s");
  ys_report_md(f, ys_report_str(r->summary, "run_id", ys_results_dir(r)));
  fputs(" \xC2\xB7 status ", f);
  ys_report_md(f, ys_report_status(r));
  double errs = ys_report_num(r->summary, "tasks_with_errors");
  double tasks = ys_report_num(r->summary, "tasks");
  if(!isnan(errs) && !isnan(tasks))
    fprintf(f, " \xC2\xB7 %.0f of %.0f tasks with errors", errs, tasks);
  fputs("\n\n", f);
}

/* "0.714 [0.476, 0.952]", or the value alone. */
static void value_cell(FILE *f, const cJSON *entry)
{
  char v[48], lo[48], hi[48];
  double a, b;
  ys_report_fmt(ys_report_num(entry, "value"), v, sizeof(v));
  if(!isnan(ys_report_num(entry, "value")) && ys_report_ci(entry, &a, &b)) {
    ys_report_fmt(a, lo, sizeof(lo));
    ys_report_fmt(b, hi, sizeof(hi));
    fprintf(f, " %s [%s, %s] |", v, lo, hi);
  }
  else
    fprintf(f, " %s |", v);
}

static void model_table(const ys_results *r, FILE *f)
{
  fputs("| model |", f);
  for(size_t k = 0; k < r->nkeys; k++) {
    putc(' ', f);
    ys_report_md(f, r->keys[k]);
    fputs(" |", f);
  }
  fputs(" errors | cost $ | p95 ms |\n| :--- |", f);
  for(size_t k = 0; k < r->nkeys; k++)
    fputs(" ---: |", f);
  fputs(" ---: | ---: | ---: |\n", f);
  for(size_t m = 0; m < r->nmodels; m++) {
    const cJSON *me = ys_report_model(r, m);
    fputs("| ", f);
    ys_report_md(f, r->models[m]);
    fputs(" |", f);
    for(size_t k = 0; k < r->nkeys; k++)
      value_cell(f, ys_report_entry(r, m, k));
    double errs = ys_report_num(me, "errors") +
                  ys_report_num(me, "score_errors");
    double cost = ys_report_num(cJSON_GetObjectItemCaseSensitive(me,
                                "usage"), "cost");
    double p95 = ys_report_num(cJSON_GetObjectItemCaseSensitive(me,
                               "latency_ms"), "p95");
    char c[48] = "-", l[48] = "-";
    if(!isnan(cost) && cost > 0)
      snprintf(c, sizeof(c), "%.4f", cost);
    if(!isnan(p95))
      snprintf(l, sizeof(l), "%.1f", p95);
    fprintf(f, " %.0f | %s | %s |\n", isnan(errs) ? 0 : errs, c, l);
  }
  fputs("\n", f);
}

static void baselines(const ys_results *r, FILE *f)
{
  const cJSON *bs = cJSON_GetObjectItemCaseSensitive(r->summary,
                                                     "baselines");
  if(!cJSON_GetArraySize(bs))
    return;
  fputs("**Baselines**\n\n| baseline | metric | value |\n"
        "| :--- | :--- | ---: |\n", f);
  for(const cJSON *b = bs->child; b; b = b->next) {
    char v[48];
    ys_report_fmt(ys_report_num(b, "value"), v, sizeof(v));
    fputs("| ", f);
    ys_report_md(f, ys_report_str(b, "name", "?"));
    fputs(" | ", f);
    ys_report_md(f, ys_report_str(b, "metric", "?"));
    fprintf(f, " | %s |\n", v);
  }
  fputs("\n", f);
}

static void gates(const ys_results *r, FILE *f)
{
  const cJSON *gs = ys_report_verdicts(r);
  if(!cJSON_GetArraySize(gs))
    return;
  fputs("**Gates**\n\n| | gate | found |\n| :---: | :--- | :--- |\n", f);
  for(const cJSON *g = gs->child; g; g = g->next) {
    int pass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "pass"));
    char *what, *found;
    ys_report_gate_split(g, &what, &found);
    fputs(pass ? "| \xE2\x9C\x85 | " : "| \xE2\x9D\x8C | ", f);
    ys_report_md(f, what);
    fputs(" | ", f);
    ys_report_md(f, found);
    fputs(" |\n", f);
    free(what);
    free(found);
  }
  fputs("\n", f);
}

static void footer(const ys_results *r, FILE *f)
{
  const cJSON *suite = cJSON_GetObjectItemCaseSensitive(r->manifest,
                                                        "suite");
  const cJSON *opts = cJSON_GetObjectItemCaseSensitive(r->manifest,
                                                       "options");
  fputs("<sub>yardstick ", f);
  ys_report_md(f, ys_report_str(r->manifest, "yardstick", "?"));
  fputs(" \xC2\xB7 suite ", f);
  ys_report_md(f, ys_report_str(suite, "path", "?"));
  const char *sha = ys_report_str(suite, "sha256", NULL);
  if(sha && strlen(sha) >= 12) {
    char short_sha[13];
    snprintf(short_sha, sizeof(short_sha), "%s", sha);
    fputs(" (sha256 ", f);
    ys_report_md(f, short_sha);
    putc(')', f);
  }
  double seed = ys_report_num(opts, "seed");
  if(!isnan(seed))
    fprintf(f, " \xC2\xB7 seed %.0f", seed);
  fputs(" \xC2\xB7 started ", f);
  ys_report_md(f, ys_report_str(r->manifest, "started_at", "?"));
  fputs("</sub>\n", f);
}

static ys_err write_md(const ys_results *r, FILE *f, ys_diag *diag)
{
  (void)diag;
  verdict(r, f);
  intro(r, f);
  model_table(r, f);
  baselines(r, f);
  gates(r, f);
  footer(r, f);
  return YS_OK;
}

const ys_report_ops ys_report_md_ops = { "md", write_md };
