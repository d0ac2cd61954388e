/* SPDX-License-Identifier: MIT */
/*
 * report_junit.c: `--format junit`: JUnit XML, so CI systems show a
 * run's gates as tests: one testcase per gate, failed gates with a
 * <failure> whose message is the gate's one-line description; a run that
 * did not complete adds a "run complete" testcase with an <error>. A run
 * with no gates that completed gives a testsuite of zero tests. Every
 * text goes through ys_report_xml. Layout in doc/reports.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_util.h"
#include "xalloc.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's
 * days_from_civil), so no timegm is needed. */
static long days_from_civil(long y, long m, long d)
{
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ", or NaN. */
static double utc_seconds(const char *s)
{
  int y, mo, d, h, mi, se;
  if(!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi,
                  &se) != 6)
    return NAN;
  return (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 +
         mi * 60.0 + se;
}

static void property(FILE *f, const char *name, const char *value)
{
  fprintf(f, "      <property name=\"%s\" value=\"", name);
  ys_report_xml(f, value, 1);
  fputs("\"/>\n", f);
}

static void properties(const ys_results *r, FILE *f)
{
  fputs("    <properties>\n", f);
  property(f, "run_dir", ys_results_dir(r));
  property(f, "run_id", ys_report_str(r->summary, "run_id", ""));
  property(f, "status", ys_report_status(r));
  property(f, "yardstick", ys_report_str(r->manifest, "yardstick", ""));
  char n[32];
  snprintf(n, sizeof(n), "%.0f", ys_report_num(r->summary, "samples"));
  property(f, "samples", n);
  for(size_t m = 0; m < r->nmodels; m++)
    property(f, "model", r->models[m]);
  fputs("    </properties>\n", f);
}

/* Why a run that did not complete did not, in one line (owned). */
static char *status_message(const ys_results *r)
{
  const char *st = ys_report_status(r);
  double errs = ys_report_num(r->summary, "tasks_with_errors");
  double tasks = ys_report_num(r->summary, "tasks");
  double max = ys_report_num(r->summary, "max_error_rate");
  if(!strcmp(st, "incomplete") && !isnan(errs) && !isnan(tasks))
    return ys_xasprintf("the run is incomplete: %.0f of %.0f tasks had an "
                        "error (max_error_rate = %g), or no score was "
                        "produced", errs, tasks, isnan(max) ? 0 : max);
  return ys_xasprintf("the run did not complete: its status is '%s'", st);
}

static void status_case(const ys_results *r, FILE *f, const char *suite)
{
  char *msg = status_message(r);
  fputs("    <testcase classname=\"", f);
  ys_report_xml(f, suite, 1);
  fputs("\" name=\"run complete\" time=\"0\">\n      <error type=\"", f);
  ys_report_xml(f, ys_report_status(r), 1);
  fputs("\" message=\"", f);
  ys_report_xml(f, msg, 1);
  fputs("\">", f);
  ys_report_xml(f, msg, 0);
  fputs("</error>\n    </testcase>\n", f);
  free(msg);
}

static void gate_case(FILE *f, const char *suite, const cJSON *v)
{
  char *what, *found;
  ys_report_gate_split(v, &what, &found);
  char *line = ys_gate_describe(v);
  const char *where = ys_report_str(v, "where", "");
  int pass = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "pass"));
  fputs("    <testcase classname=\"", f);
  ys_report_xml(f, suite, 1);
  fputs(".gates\" name=\"", f);
  ys_report_xml(f, what, 1);
  fputs("\" time=\"0\">\n", f);
  if(!pass) {
    fputs("      <failure type=\"gate\" message=\"", f);
    ys_report_xml(f, line, 1);
    fputs("\">", f);
  }
  else
    fputs("      <system-out>", f);
  ys_report_xml(f, line, 0);
  if(where[0]) {
    fputs("\ndefined at ", f);
    ys_report_xml(f, where, 0);
  }
  fputs(pass ? "</system-out>\n" : "</failure>\n", f);
  fputs("    </testcase>\n", f);
  free(line);
  free(what);
  free(found);
}

static ys_err write_junit(const ys_results *r, FILE *f, ys_diag *diag)
{
  (void)diag;
  const char *suite = ys_report_str(r->summary, "suite", "yardstick");
  const cJSON *gates = ys_report_verdicts(r);
  int complete = !strcmp(ys_report_status(r), "complete");
  size_t ngates = (size_t)cJSON_GetArraySize(gates);
  size_t failed = ys_report_verdicts_failed(r);
  size_t tests = ngates + !complete, errors = !complete;
  const char *start = ys_report_str(r->manifest, "started_at", NULL);
  double secs = utc_seconds(ys_report_str(r->manifest, "ended_at", NULL)) -
                utc_seconds(start);
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fprintf(f, "<testsuites name=\"yardstick\" tests=\"%zu\" failures=\"%zu\" "
          "errors=\"%zu\">\n", tests, failed, errors);
  fputs("  <testsuite name=\"", f);
  ys_report_xml(f, suite, 1);
  fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
          "skipped=\"0\" time=\"%.0f\"", tests, failed, errors,
          isnan(secs) || secs < 0 ? 0 : secs);
  if(start) {
    fputs(" timestamp=\"", f);
    ys_report_xml(f, start, 1);
    putc('"', f);
  }
  fputs(">\n", f);
  properties(r, f);
  if(!complete)
    status_case(r, f, suite);
  for(const cJSON *v = gates ? gates->child : NULL; v; v = v->next)
    gate_case(f, suite, v);
  fputs("  </testsuite>\n</testsuites>\n", f);
  return YS_OK;
}

const ys_report_ops ys_report_junit_ops = { "junit", write_junit };
