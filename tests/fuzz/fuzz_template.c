/* SPDX-License-Identifier: MIT */
/*
 * fuzz_template.c: fuzz target for `{{field}}` prompt templates
 * (template.c, and json.c's path lookup and value text). The input is
 * used twice: compiled as a template (as the suite loader compiles a
 * prompt) and rendered against a fixed row holding every JSON type; and
 * parsed as a row, against which fixed templates and the input's own
 * template are rendered, with the output capped as a run caps it.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "common.h"
#include "dataset.h"
#include "template.h"

static const char ROW[] =
  "{\"id\":\"p-1\",\"title\":\"Men's shirt\",\"description\":"
  "\"Cotton \\u00e9t\\u00e9 \\u2013 100%\\n{{title}}\",\"price\":12.5,"
  "\"count\":3,\"big\":1e300,\"tiny\":5e-324,\"neg\":-0.0,\"ok\":true,"
  "\"no\":false,\"none\":null,\"tags\":[\"a\",\"b\",[1,{}]],"
  "\"dims\":{\"w\":10,\"h\":{\"mm\":2}},\"a.b\":\"a literal dotted key\","
  "\"a\":{\"b\":\"a nested field\"},\"empty\":\"\",\"emoji\":"
  "\"\\ud83d\\ude00\",\"\":\"empty name\"}";

static const char *const TEMPLATES[] = {
  "{{title}}",
  "Title: {{ title }}\nDescription: {{description}} ({{price}}, {{count}})",
  "{{dims.h.mm}} {{dims}} {{tags}} {{a.b}} {{ok}} {{no}} {{id}}",
  "{{ missing.field }}",
  "literal { and } and {{x}}}}",
};

/* Renders t for row as the runner does (capped at a dataset line). */
static void render(const ys_template *t, const cJSON *row)
{
  ys_buf out;
  ys_buf_init(&out, YS_DATASET_MAX_LINE);
  const char *missing = NULL;
  if(ys_template_render(t, row, &out, &missing) == YS_ERR_DATA &&
     (!missing || !*missing) && ys_template_nvars(t))
    abort(); /* the contract: a missing field is named */
  (void)ys_template_missing(t, row);
  ys_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static cJSON *fixed;
  if(!fixed)
    fixed = cJSON_Parse(ROW); /* read-only from here on */
  if(!fixed)
    abort();
  /* The suite loader hands templates over as C strings. */
  char *src = malloc(size + 1);
  if(!src)
    return 0;
  memcpy(src, data, size);
  src[size] = '\0';
  ys_template *mine = NULL;
  ys_diag d;
  if(ys_template_compile(src, &mine, &d) == YS_OK) {
    for(size_t i = 0; i < ys_template_nvars(mine); i++)
      if(!ys_template_var(mine, i))
        abort();
    render(mine, fixed);
  }
  free(src);
  cJSON *row = cJSON_ParseWithLength((const char *)data, size);
  if(cJSON_IsObject(row)) {
    for(size_t i = 0; i < sizeof(TEMPLATES) / sizeof(*TEMPLATES); i++) {
      ys_template *t = NULL;
      if(ys_template_compile(TEMPLATES[i], &t, &d) != YS_OK)
        abort();
      render(t, row);
      ys_template_free(t);
    }
    if(mine)
      render(mine, row);
  }
  cJSON_Delete(row);
  ys_template_free(mine);
  return 0;
}
