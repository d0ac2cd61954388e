/* SPDX-License-Identifier: MIT */
/*
 * report_util.c: the escapers, summary accessors and metric groups every
 * report format uses (report_util.h). Escaping is done character by
 * character on validated UTF-8, so no input can break out of a cell, an
 * element or an attribute.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "report_util.h"
#include "xalloc.h"

/* {====== escaping ====== */

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Length of the valid UTF-8 character at s (at most len bytes), with its
 * code point in *cp; 0 when the bytes there are not one (RFC 3629: no
 * overlongs, surrogates or code points above U+10FFFF). */
static size_t utf8_char(const unsigned char *s, size_t len, uint32_t *cp)
{
  unsigned char c = s[0];
  size_t n;
  uint32_t v, min;
  if(c < 0x80) {
    *cp = c;
    return 1;
  }
  if(c >= 0xC2 && c <= 0xDF) {
    n = 2;
    v = c & 0x1F;
    min = 0x80;
  }
  else if(c >= 0xE0 && c <= 0xEF) {
    n = 3;
    v = c & 0x0F;
    min = 0x800;
  }
  else if(c >= 0xF0 && c <= 0xF4) {
    n = 4;
    v = c & 0x07;
    min = 0x10000;
  }
  else
    return 0;
  if(n > len)
    return 0;
  for(size_t i = 1; i < n; i++) {
    if((s[i] & 0xC0) != 0x80)
      return 0;
    v = v << 6 | (s[i] & 0x3F);
  }
  if(v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return n;
}

void ys_report_csv_cell(FILE *f, const char *s, int guard)
{
  if(!s)
    return;
  /* Blanks at either end are quoted too: some readers (libcsv among
   * them) trim them from unquoted fields. */
  size_t len = strlen(s);
  int quote = strpbrk(s, ",\"\r\n") != NULL ||
              (len && (strchr(" \t", s[0]) || strchr(" \t", s[len - 1])));
  if(quote)
    putc('"', f);
  if(guard && s[0] && strchr("=+-@\t\r", s[0]))
    putc('\'', f);
  for(const char *p = s; *p; p++) {
    if(*p == '"')
      putc('"', f);
    putc(*p, f);
  }
  if(quote)
    putc('"', f);
}

void ys_report_xml_n(FILE *f, const char *s, size_t len, int attr)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while(i < len) {
    uint32_t cp;
    size_t n = utf8_char(p + i, len - i, &cp);
    if(!n || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
       cp == 0xFFFE || cp == 0xFFFF) {
      fputs(REPLACEMENT, f);
      i += n ? n : 1;
      continue;
    }
    switch(cp) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    case '\r': fputs("&#13;", f); break;
    case '\n': fputs(attr ? "&#10;" : "\n", f); break;
    case '\t': fputs(attr ? "&#9;" : "\t", f); break;
    default: fwrite(p + i, 1, n, f);
    }
    i += n;
  }
}

void ys_report_xml(FILE *f, const char *s, int attr)
{
  if(s)
    ys_report_xml_n(f, s, strlen(s), attr);
}

void ys_report_md(FILE *f, const char *s)
{
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  size_t len = strlen((const char *)p), i = 0;
  while(i < len) {
    uint32_t cp;
    size_t n = utf8_char(p + i, len - i, &cp);
    if(n && (cp == '\n' || cp == '\r')) {
      fputs("<br>", f);
      i += cp == '\r' && p[i + 1] == '\n' ? 2 : 1;
      continue;
    }
    if(!n || cp < 0x20 || cp == 0x7F) {
      fputs(n && cp == '\t' ? " " : REPLACEMENT, f);
      i += n ? n : 1;
      continue;
    }
    if(cp < 0x80 && strchr("\\`*_[]<>|~&", (int)cp))
      putc('\\', f);
    fwrite(p + i, 1, n, f);
    i += n;
  }
}

size_t ys_report_cut(const char *s, size_t max)
{
  size_t len = strlen(s);
  if(len <= max)
    return len;
  while(max && ((unsigned char)s[max] & 0xC0) == 0x80)
    max--;
  return max;
}

/* }====== */

/* {====== figures ====== */

double ys_report_num(const cJSON *o, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *ys_report_str(const cJSON *o, const char *key, const char *dflt)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : dflt;
}

const cJSON *ys_report_model(const ys_results *r, size_t m)
{
  const cJSON *models = cJSON_GetObjectItemCaseSensitive(r->summary,
                                                         "models");
  return cJSON_GetArrayItem(models, (int)m);
}

const cJSON *ys_report_entry(const ys_results *r, size_t m, size_t k)
{
  const cJSON *mets = cJSON_GetObjectItemCaseSensitive(ys_report_model(r, m),
                                                       "metrics");
  return cJSON_GetObjectItemCaseSensitive(mets, r->keys[k]);
}

int ys_report_ci(const cJSON *entry, double *lo, double *hi)
{
  const cJSON *ci = cJSON_GetObjectItemCaseSensitive(entry, "ci95");
  if(cJSON_GetArraySize(ci) != 2 ||
     !cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) ||
     !cJSON_IsNumber(cJSON_GetArrayItem(ci, 1)))
    return 0;
  *lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
  *hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
  return 1;
}

const char *ys_report_status(const ys_results *r)
{
  return ys_report_str(r->manifest, "status",
                       ys_report_str(r->summary, "status", "unknown"));
}

const cJSON *ys_report_verdicts(const ys_results *r)
{
  const cJSON *g = cJSON_GetObjectItemCaseSensitive(r->summary, "gates");
  return cJSON_IsArray(g) ? g : NULL;
}

size_t ys_report_verdicts_failed(const ys_results *r)
{
  size_t n = 0;
  const cJSON *gates = ys_report_verdicts(r);
  for(const cJSON *g = gates ? gates->child : NULL; g; g = g->next)
    if(!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "pass")))
      n++;
  return n;
}

void ys_report_gate_split(const cJSON *verdict, char **what, char **found)
{
  char *line = ys_gate_describe(verdict);
  char *sep = strstr(line, ": ");
  if(!sep) {
    *what = line;
    *found = ys_xstrdup("");
    return;
  }
  *found = ys_xstrdup(sep + 2);
  *sep = '\0';
  *what = line;
}

void ys_report_fmt(double v, char *buf, size_t len)
{
  if(isnan(v))
    snprintf(buf, len, "-");
  else if(fabs(v) >= 1e5)
    snprintf(buf, len, "%.4g", v);
  else
    snprintf(buf, len, "%.3f", v);
}

/* }====== */

/* {====== metric groups ====== */

int ys_report_level(const char *sub)
{
  if(strncmp(sub, "level", 5) || !sub[5])
    return 0;
  int n = 0;
  for(const char *p = sub + 5; *p; p++) {
    if(*p < '0' || *p > '9' || n > 100000)
      return 0;
    n = n * 10 + (*p - '0');
  }
  return n;
}

static void add_key(ys_report_group *g, const ys_results *r, size_t k)
{
  g->keys = ys_xrealloc(g->keys, (g->n + 1) * sizeof(size_t));
  g->sub = ys_xrealloc(g->sub, (g->n + 1) * sizeof(char *));
  const char *key = r->keys[k];
  size_t nl = strlen(g->name);
  g->sub[g->n] = !strncmp(key, g->name, nl) && key[nl] == '.'
                 ? key + nl + 1 : key;
  g->keys[g->n++] = k;
}

/* The group named name, added at the end if new. */
static ys_report_group *group_named(ys_report_group **gs, size_t *n,
                                    const char *name, size_t len)
{
  for(size_t i = 0; i < *n; i++)
    if(strlen((*gs)[i].name) == len && !strncmp((*gs)[i].name, name, len))
      return &(*gs)[i];
  *gs = ys_xrealloc(*gs, (*n + 1) * sizeof(ys_report_group));
  ys_report_group *g = &(*gs)[(*n)++];
  memset(g, 0, sizeof(*g));
  g->name = ys_xstrndup(name, len);
  return g;
}

/* The manifest's instance that lists key k, or NULL. */
static const char *instance_of(const ys_results *r, size_t k)
{
  const cJSON *mets = cJSON_GetObjectItemCaseSensitive(r->manifest,
                                                       "metrics");
  for(const cJSON *m = cJSON_IsArray(mets) ? mets->child : NULL; m;
      m = m->next) {
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(m, "keys");
    const char *name = ys_report_str(m, "name", NULL);
    for(const cJSON *key = cJSON_IsArray(keys) ? keys->child : NULL;
        name && key; key = key->next)
      if(cJSON_IsString(key) && !strcmp(key->valuestring, r->keys[k]))
        return name;
  }
  return NULL;
}

ys_report_group *ys_report_groups(const ys_results *r, size_t *n)
{
  ys_report_group *gs = NULL;
  *n = 0;
  for(size_t k = 0; k < r->nkeys; k++) {
    const char *name = instance_of(r, k);
    size_t len = name ? strlen(name) : strcspn(r->keys[k], ".");
    ys_report_group *g = group_named(&gs, n, name ? name : r->keys[k], len);
    add_key(g, r, k);
  }
  for(size_t i = 0; i < *n; i++) {
    int levels = 0;
    for(size_t j = 0; j < gs[i].n; j++)
      levels += ys_report_level(gs[i].sub[j]) > 0;
    gs[i].levels = levels >= 2 ? levels : 0;
  }
  return gs;
}

void ys_report_groups_free(ys_report_group *g, size_t n)
{
  for(size_t i = 0; g && i < n; i++) {
    free(g[i].name);
    free(g[i].keys);
    free(g[i].sub);
  }
  free(g);
}

/* }====== */
