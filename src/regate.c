/* SPDX-License-Identifier: MIT */
/*
 * regate.c: `yardstick gate RUN_DIR`: the gates of a stored run evaluated
 * again on its stored scores, either as the run defined them (read back
 * from summary.json) or as an updated suite file defines them now (with
 * its baselines). The same evaluation as at the end of a run, with the
 * run's seed, so an unchanged gate gets the same verdict. Loading a suite
 * runs its constructors: a local server starts, a classifier trains.
 */
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "report_text.h"
#include "results.h"
#include "suite.h"
#include "xalloc.h"
#include "yardstick.h"

ys_err ys_results_gate(const ys_results *r, const char *suite_path,
                       const char *search_path, char **verdicts, int *failed,
                       ys_diag *diag)
{
  ys_diag_clear(diag);
  *verdicts = NULL;
  *failed = 0;
  ys_suite *s = NULL;
  ys_gate *gates = NULL;
  size_t n = 0;
  ys_err err = YS_OK;
  if(suite_path) {
    ys_suite_opts so = { search_path, NULL, NULL };
    err = ys_suite_load(suite_path, &so, &s, diag);
    if(err)
      return err;
    gates = s->gates;
    n = s->ngates;
  }
  else {
    const cJSON *stored = cJSON_GetObjectItemCaseSensitive(r->summary,
                                                           "gates");
    size_t max = (size_t)cJSON_GetArraySize(stored);
    gates = ys_xcalloc(max + 1, sizeof(ys_gate));
    for(const cJSON *v = stored ? stored->child : NULL; v && !err;
        v = v->next) {
      err = ys_gate_from_json(v, &gates[n], diag);
      if(!err)
        n++;
      else {
        char *path = ys_xasprintf("%s/summary.json", r->dir);
        snprintf(diag->file, sizeof(diag->file), "%s", path);
        free(path);
      }
    }
  }
  if(!err) {
    /* An updated suite's baselines are the ones its gates name. */
    cJSON *summary = r->summary, *copy = NULL;
    if(s) {
      copy = cJSON_Duplicate(r->summary, 1);
      cJSON *bl = cJSON_CreateArray();
      for(size_t i = 0; i < s->nbaselines; i++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "name", s->baselines[i].name);
        cJSON_AddStringToObject(b, "metric", s->baselines[i].metric);
        cJSON_AddNumberToObject(b, "value", s->baselines[i].value);
        cJSON_AddItemToArray(bl, b);
      }
      if(!cJSON_ReplaceItemInObjectCaseSensitive(copy, "baselines", bl))
        cJSON_AddItemToObject(copy, "baselines", bl);
      summary = copy;
    }
    cJSON *v = ys_gates_eval(gates, n, summary, &r->scores, r->seed,
                             failed);
    *verdicts = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    cJSON_Delete(copy);
  }
  if(s)
    ys_suite_free(s);
  else {
    for(size_t i = 0; i < n; i++)
      ys_gate_clear(&gates[i]);
    free(gates);
  }
  return err;
}

char *ys_gates_render(const char *verdicts, int color)
{
  cJSON *v = cJSON_Parse(verdicts);
  char *text = ys_report_gates(v, color);
  cJSON_Delete(v);
  return text;
}
