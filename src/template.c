/* SPDX-License-Identifier: MIT */
/*
 * template.c: compile and render `{{field}}` templates. Compiling splits
 * the source into alternating literal and field parts so rendering is a
 * walk over parts with no parsing.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "template.h"
#include "xalloc.h"

typedef struct part {
  int is_field;
  char *text; /* literal text or field name */
  size_t len;
} part;

struct ys_template {
  part *parts;
  size_t n;
  char **vars; /* distinct field names, borrowed from parts */
  size_t nvars;
};

static void add_part(ys_template *t, int is_field, const char *s, size_t len)
{
  t->parts = ys_xrealloc(t->parts, (t->n + 1) * sizeof(part));
  t->parts[t->n].is_field = is_field;
  t->parts[t->n].text = ys_xstrndup(s, len);
  t->parts[t->n].len = len;
  t->n++;
  if(!is_field)
    return;
  for(size_t i = 0; i < t->nvars; i++)
    if(!strcmp(t->vars[i], t->parts[t->n - 1].text))
      return;
  t->vars = ys_xrealloc(t->vars, (t->nvars + 1) * sizeof(char *));
  t->vars[t->nvars++] = t->parts[t->n - 1].text;
}

ys_err ys_template_compile(const char *src, ys_template **out,
                           ys_diag *diag)
{
  *out = NULL;
  ys_template *t = ys_xcalloc(1, sizeof(*t));
  const char *p = src;
  for(;;) {
    const char *open = strstr(p, "{{");
    if(!open) {
      if(*p)
        add_part(t, 0, p, strlen(p));
      break;
    }
    if(open > p)
      add_part(t, 0, p, (size_t)(open - p));
    const char *name = open + 2;
    const char *close = strstr(name, "}}");
    if(!close) {
      ys_template_free(t);
      return ys_fail(diag, YS_ERR_SUITE, NULL, 0,
                     "template: '{{' at offset %zu is never closed by '}}'",
                     (size_t)(open - src));
    }
    const char *b = name, *e = close;
    while(b < e && (*b == ' ' || *b == '\t'))
      b++;
    while(e > b && (e[-1] == ' ' || e[-1] == '\t'))
      e--;
    if(b == e || memchr(b, '{', (size_t)(e - b))) {
      ys_template_free(t);
      return ys_fail(diag, YS_ERR_SUITE, NULL, 0,
                     "template: expected a field name inside '{{ }}' at "
                     "offset %zu", (size_t)(open - src));
    }
    add_part(t, 1, b, (size_t)(e - b));
    p = close + 2;
  }
  *out = t;
  return YS_OK;
}

void ys_template_free(ys_template *t)
{
  if(!t)
    return;
  for(size_t i = 0; i < t->n; i++)
    free(t->parts[i].text);
  free(t->parts);
  free(t->vars);
  free(t);
}

size_t ys_template_nvars(const ys_template *t)
{
  return t->nvars;
}

const char *ys_template_var(const ys_template *t, size_t i)
{
  return i < t->nvars ? t->vars[i] : NULL;
}

const char *ys_template_missing(const ys_template *t, const cJSON *row)
{
  for(size_t i = 0; i < t->nvars; i++) {
    const cJSON *v = ys_json_path(row, t->vars[i]);
    if(!v || cJSON_IsNull(v))
      return t->vars[i];
  }
  return NULL;
}

ys_err ys_template_render(const ys_template *t, const cJSON *row,
                          ys_buf *out, const char **missing)
{
  if(missing)
    *missing = NULL;
  for(size_t i = 0; i < t->n; i++) {
    const part *pt = &t->parts[i];
    ys_err err;
    if(!pt->is_field)
      err = ys_buf_add(out, pt->text, pt->len);
    else {
      const cJSON *v = ys_json_path(row, pt->text);
      if(!v || cJSON_IsNull(v)) {
        if(missing)
          *missing = pt->text;
        return YS_ERR_DATA;
      }
      err = ys_json_append_text(out, v);
    }
    if(err)
      return err;
  }
  return YS_OK;
}
