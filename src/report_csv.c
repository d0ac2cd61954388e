/* SPDX-License-Identifier: MIT */
/*
 * report_csv.c: `--format csv`: one RFC 4180 row per task (sample x model
 * x repeat) for spreadsheets, streamed line by line from samples.jsonl so
 * outputs are whole (not the 2000-byte cut results.h keeps) and memory
 * does not grow with the run. Text cells get the formula guard of
 * ys_report_csv_cell; the columns are in doc/reports.md.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "report.h"
#include "report_util.h"
#include "xalloc.h"

#define EOL "\r\n" /* RFC 4180 ends records with CRLF */

static const char *const fixed[] = {
  "id", "repeat", "model", "status", "error", "output", "cost", "latency_ms"
};

/* A number in the fewest digits (15 to 17) that read back the same;
 * nothing for a missing or non-finite one. */
static void num_cell(FILE *f, const cJSON *v)
{
  if(!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
    return;
  double d = v->valuedouble;
  char buf[40];
  for(int prec = 15; prec <= 17; prec++) {
    snprintf(buf, sizeof(buf), "%.*g", prec, d);
    if(strtod(buf, NULL) == d)
      break;
  }
  fputs(buf, f);
}

static void header(const ys_results *r, FILE *f)
{
  for(size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
    fprintf(f, "%s%s", i ? "," : "", fixed[i]);
  for(size_t k = 0; k < r->nkeys; k++) {
    putc(',', f);
    ys_report_csv_cell(f, r->keys[k], 1);
  }
  fputs(EOL, f);
}

/* The task's error, else its metrics' errors joined by "; ". */
static void error_cell(FILE *f, const cJSON *line)
{
  const char *err = ys_report_str(line, "error", NULL);
  if(err) {
    ys_report_csv_cell(f, err, 1);
    return;
  }
  const cJSON *se = cJSON_GetObjectItemCaseSensitive(line, "score_errors");
  if(!cJSON_IsObject(se) || !se->child)
    return;
  size_t len = 1;
  for(const cJSON *e = se->child; e; e = e->next)
    if(cJSON_IsString(e))
      len += strlen(e->valuestring) + 2;
  char *all = ys_xmalloc(len);
  all[0] = '\0';
  for(const cJSON *e = se->child; e; e = e->next)
    if(cJSON_IsString(e)) {
      if(all[0])
        strcat(all, "; ");
      strcat(all, e->valuestring);
    }
  ys_report_csv_cell(f, all, 1);
  free(all);
}

static void output_cell(FILE *f, const cJSON *out)
{
  if(!out)
    return;
  if(cJSON_IsString(out)) {
    ys_report_csv_cell(f, out->valuestring, 1);
    return;
  }
  char *text = cJSON_PrintUnformatted(out);
  ys_report_csv_cell(f, text ? text : "", 1);
  free(text);
}

static void row(const ys_results *r, FILE *f, const cJSON *line)
{
  const cJSON *rep = cJSON_GetObjectItemCaseSensitive(line, "repeat");
  ys_report_csv_cell(f, ys_report_str(line, "id", ""), 1);
  fprintf(f, ",%d,", cJSON_IsNumber(rep) ? (int)rep->valuedouble : 1);
  ys_report_csv_cell(f, ys_report_str(line, "model", ""), 1);
  putc(',', f);
  ys_report_csv_cell(f, ys_report_str(line, "status", ""), 1);
  putc(',', f);
  error_cell(f, line);
  putc(',', f);
  output_cell(f, cJSON_GetObjectItemCaseSensitive(line, "output"));
  putc(',', f);
  num_cell(f, cJSON_GetObjectItemCaseSensitive(line, "cost"));
  putc(',', f);
  num_cell(f, cJSON_GetObjectItemCaseSensitive(line, "latency_ms"));
  const cJSON *scores = cJSON_GetObjectItemCaseSensitive(line, "scores");
  for(size_t k = 0; k < r->nkeys; k++) {
    putc(',', f);
    num_cell(f, cJSON_GetObjectItemCaseSensitive(scores, r->keys[k]));
  }
  fputs(EOL, f);
}

static ys_err write_csv(const ys_results *r, FILE *out, ys_diag *diag)
{
  char *path = ys_xasprintf("%s/samples.jsonl", ys_results_dir(r));
  FILE *in = fopen(path, "rb");
  if(!in) {
    ys_err e = ys_fail(diag, YS_ERR_IO, path, 0, "cannot open: %s",
                       strerror(errno));
    free(path);
    return e;
  }
  header(r, out);
  ys_err err = YS_OK;
  char *buf = NULL;
  size_t cap = 0;
  ssize_t len;
  long lineno = 0;
  while(!err && !ferror(out) && (len = getline(&buf, &cap, in)) >= 0) {
    lineno++;
    while(len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
      buf[--len] = '\0';
    if(!len)
      continue;
    cJSON *line = cJSON_ParseWithLength(buf, (size_t)len);
    if(!cJSON_IsObject(line))
      err = ys_fail(diag, YS_ERR_DATA, path, lineno, "not a JSON object "
                    "(was the file changed after the run?)");
    else
      row(r, out, line);
    cJSON_Delete(line);
  }
  if(!err && ferror(in))
    err = ys_fail(diag, YS_ERR_IO, path, 0, "cannot read: %s",
                  strerror(errno));
  free(buf);
  fclose(in);
  free(path);
  return err;
}

const ys_report_ops ys_report_csv_ops = { "csv", write_csv };
