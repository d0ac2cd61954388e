/* SPDX-License-Identifier: MIT */
/*
 * redact.c: replacing a sample's sensitive field values in text.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "json.h"
#include "redact.h"
#include "xalloc.h"

static int by_length(const void *a, const void *b)
{
  const ys_redact_value *x = a, *y = b;
  return (x->len < y->len) - (x->len > y->len);
}

void ys_redactor_init(ys_redactor *r, const cJSON *row,
                      const char *const *fields, size_t n)
{
  r->v = ys_xcalloc(n + 1, sizeof(*r->v));
  r->n = 0;
  for(size_t i = 0; i < n; i++) {
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(row, fields[i]);
    char num[32];
    const char *t = cJSON_IsString(f) ? f->valuestring
                    : cJSON_IsNumber(f) ? ys_json_fmt_number(f->valuedouble,
                                                             num)
                    : NULL;
    /* Blanks around a value do not make it a different value. */
    while(t && isspace((unsigned char)*t))
      t++;
    size_t len = t ? strlen(t) : 0;
    while(len && isspace((unsigned char)t[len - 1]))
      len--;
    if(len < YS_REDACT_MIN)
      continue;
    r->v[r->n].text = ys_xstrndup(t, len);
    r->v[r->n].len = len;
    r->v[r->n].field = fields[i];
    r->n++;
  }
  qsort(r->v, r->n, sizeof(*r->v), by_length);
}

void ys_redactor_free(ys_redactor *r)
{
  for(size_t i = 0; i < r->n; i++)
    free(r->v[i].text);
  free(r->v);
  r->v = NULL;
  r->n = 0;
}

/* The value matching at p, or NULL. */
static const ys_redact_value *match_at(const ys_redactor *r, const char *p)
{
  for(size_t i = 0; i < r->n; i++)
    if(!strncasecmp(p, r->v[i].text, r->v[i].len))
      return &r->v[i];
  return NULL;
}

char *ys_redact_text(const ys_redactor *r, const char *s)
{
  if(!r->n || !s)
    return NULL;
  ys_buf b;
  ys_buf_init(&b, (size_t)1 << 30);
  int hit = 0;
  ys_err e = YS_OK;
  const char *run = s;
  for(const char *p = s; *p && !e;) {
    const ys_redact_value *m = match_at(r, p);
    if(!m) {
      p++;
      continue;
    }
    hit = 1;
    e = ys_buf_add(&b, run, (size_t)(p - run));
    if(!e)
      e = ys_buf_addf(&b, "[redacted:%s]", m->field);
    p += m->len;
    run = p;
  }
  if(!hit || e) {
    ys_buf_free(&b);
    /* Too large to rebuild (over 1 GiB): hide it all rather than leak. */
    return hit ? ys_xstrdup("[redacted]") : NULL;
  }
  if(ys_buf_adds(&b, run)) {
    ys_buf_free(&b);
    return ys_xstrdup("[redacted]");
  }
  return ys_buf_take(&b, NULL);
}

void ys_redact_json(const ys_redactor *r, cJSON *v)
{
  if(!v || !r->n)
    return;
  if(cJSON_IsString(v)) {
    char *t = ys_redact_text(r, v->valuestring);
    if(t) {
      cJSON_SetValuestring(v, t);
      free(t);
    }
    return;
  }
  for(cJSON *c = v->child; c; c = c->next)
    ys_redact_json(r, c);
}
