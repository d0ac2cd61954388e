/* SPDX-License-Identifier: MIT */
/*
 * report_json.c: `--format json`: one JSON document for machines. The
 * run's manifest and summary as stored, under a few fields a pipeline
 * reads first: the status, the outcome (what the exit status of `yardstick
 * gate` would say) and each gate verdict with its one-line description.
 * Laid out in doc/reports.md.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_util.h"
#include "xalloc.h"

/* The verdicts, each with "description" added. */
static cJSON *gates(const ys_results *r)
{
  cJSON *out = cJSON_CreateArray();
  const cJSON *vs = ys_report_verdicts(r);
  for(const cJSON *v = vs ? vs->child : NULL; v; v = v->next) {
    cJSON *g = cJSON_Duplicate(v, 1);
    char *line = ys_gate_describe(v);
    if(cJSON_IsObject(g))
      cJSON_AddStringToObject(g, "description", line);
    free(line);
    cJSON_AddItemToArray(out, g);
  }
  return out;
}

static const char *outcome(const ys_results *r)
{
  if(strcmp(ys_report_status(r), "complete"))
    return "incomplete";
  return ys_report_verdicts_failed(r) ? "gate_failed" : "pass";
}

static ys_err write_json(const ys_results *r, FILE *out, ys_diag *diag)
{
  cJSON *doc = cJSON_CreateObject();
  cJSON_AddNumberToObject(doc, "report", 1);
  cJSON_AddStringToObject(doc, "run_dir", ys_results_dir(r));
  cJSON_AddStringToObject(doc, "suite", ys_report_str(r->summary, "suite",
                                                      ""));
  cJSON_AddStringToObject(doc, "status", ys_report_status(r));
  cJSON_AddStringToObject(doc, "outcome", outcome(r));
  cJSON_AddNumberToObject(doc, "gates_failed",
                          (double)ys_report_verdicts_failed(r));
  cJSON_AddItemToObject(doc, "gates", gates(r));
  cJSON_AddItemToObject(doc, "manifest", cJSON_Duplicate(r->manifest, 1));
  cJSON_AddItemToObject(doc, "summary", cJSON_Duplicate(r->summary, 1));
  char *text = cJSON_Print(doc);
  cJSON_Delete(doc);
  if(!text)
    return ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "out of memory while "
                   "writing the JSON report");
  fputs(text, out);
  putc('\n', out);
  free(text);
  return YS_OK;
}

const ys_report_ops ys_report_json_ops = { "json", write_json };
