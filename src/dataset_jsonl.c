/* SPDX-License-Identifier: MIT */
/*
 * dataset_jsonl.c: JSON Lines datasets, one object per line (cJSON).
 * Blank lines are skipped; anything else that is not a JSON object is an
 * error naming the line and column.
 */
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "dataset.h"
#include "json.h"

static ys_err jsonl_open(ys_dataset *ds, ys_diag *diag)
{
  (void)ds;
  (void)diag;
  return YS_OK;
}

static int blank(const char *s, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return 0;
  return 1;
}

/* cJSON reports the last byte as the error position both when that byte
 * is wrong and when the text ends too early. Parsing again with a blank
 * appended tells them apart: cut-short text then fails on the blank.
 * Only runs on the error path. */
static int cut_short(const char *s, size_t n)
{
  /* An odd number of unescaped quotes: a string runs past the end. */
  int in_string = 0;
  for(size_t i = 0; i < n; i++) {
    if(s[i] == '\\' && in_string)
      i++;
    else if(s[i] == '"')
      in_string = !in_string;
  }
  if(in_string)
    return 1;
  char *copy = malloc(n + 2);
  if(!copy)
    return 0;
  memcpy(copy, s, n);
  copy[n] = ' ';
  copy[n + 1] = '\0';
  const char *end = NULL;
  cJSON *v = cJSON_ParseWithLengthOpts(copy, n + 1, &end, 0);
  int cut = !v && end == copy + n;
  cJSON_Delete(v);
  free(copy);
  return cut;
}

/* The first "\u0000" escape in s[0..n), or NULL. An escaped backslash
 * before it ("\\u0000") is text, not an escape. */
static const char *find_escaped_nul(const char *s, size_t n)
{
  /* memchr: most lines have few escapes, if any. */
  const char *end = s + n, *p = s;
  while(end - p >= 6 && (p = memchr(p, '\\', (size_t)(end - p - 5)))) {
    if(p[1] == 'u' && !memcmp(p + 2, "0000", 4))
      return p;
    p += 2; /* skip the escaped character */
  }
  return NULL;
}

/* Whether v holds a number no double can hold (1e999 reads as inf). */
static int has_infinite(const cJSON *v)
{
  if(cJSON_IsNumber(v))
    return isinf(v->valuedouble);
  for(const cJSON *c = v->child; c; c = c->next)
    if(has_infinite(c))
      return 1;
  return 0;
}

/* The column of the first number in s[0..n) too large for a double, or
 * of the first bracket past cJSON's nesting limit (kind 1 or 2), or 0. */
static size_t find_problem(const char *s, size_t n, int kind)
{
  int in_str = 0;
  long depth = 0;
  for(size_t i = 0; i < n; i++) {
    char c = s[i];
    if(in_str) {
      if(c == '\\')
        i++;
      else if(c == '"')
        in_str = 0;
      continue;
    }
    if(c == '"')
      in_str = 1;
    else if(c == '[' || c == '{') {
      if(kind == 2 && ++depth > CJSON_NESTING_LIMIT)
        return i + 1;
    }
    else if(c == ']' || c == '}')
      depth--;
    else if(kind == 1 && (c == '-' || (c >= '0' && c <= '9'))) {
      char num[400];
      size_t k = 0;
      while(i + k < n && k < sizeof(num) - 1 &&
            strchr("+-0123456789.eE", s[i + k])) {
        num[k] = s[i + k];
        k++;
      }
      num[k] = '\0';
      if(isinf(strtod(num, NULL)))
        return i + 1;
      i += k - 1;
    }
  }
  return 0;
}

/* The next line that is not blank, or *s = NULL at the end. */
static ys_err next_line(ys_dataset *ds, const char **s, size_t *n,
                        ys_diag *diag)
{
  for(;;) {
    ys_err err = ys_dataset_readline(ds, s, n, diag);
    if(err || !*s || !blank(*s, *n))
      return err;
  }
}

/* Parses and checks the line s[0..n) as a row. */
static ys_err parse_row(ys_dataset *ds, const char *s, size_t n,
                        cJSON **row, long *line, ys_diag *diag)
{
  /* cJSON keeps strings NUL-terminated, so "\u0000" would silently cut
   * a string short: refuse it instead. */
  const char *nul = find_escaped_nul(s, n);
  if(nul)
    return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                   "a string holds \\u0000 at column %zu (NUL characters "
                   "are not supported)", (size_t)(nul - s) + 1);
  const char *end = NULL;
  cJSON *v = cJSON_ParseWithLengthOpts(s, n, &end, 0);
  if(!v) {
    if(cut_short(s, n))
      return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                     "invalid JSON: unexpected end of line");
    size_t deep = find_problem(s, n, 2);
    if(deep)
      return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                     "JSON nested deeper than %d levels at column %zu",
                     CJSON_NESTING_LIMIT, deep);
    size_t col = end && end >= s ? (size_t)(end - s) + 1 : 1;
    return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                   "invalid JSON at column %zu", col);
  }
  if(has_infinite(v)) {
    size_t col = find_problem(s, n, 1);
    cJSON_Delete(v);
    return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                   "number out of range at column %zu", col ? col : 1);
  }
  /* cJSON stops after the first value; anything but blanks after it
   * is a second value or garbage on the same line. */
  if(end && !blank(end, n - (size_t)(end - s))) {
    while(*end == ' ' || *end == '\t')
      end++;
    size_t col = (size_t)(end - s) + 1;
    cJSON_Delete(v);
    return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                   "unexpected text after the JSON value at column %zu",
                   col);
  }
  if(!cJSON_IsObject(v)) {
    const char *t = ys_json_type_name(v);
    cJSON_Delete(v);
    return ys_fail(diag, YS_ERR_DATA, ds->path, ds->lineno,
                   "expected a JSON object, got %s", t);
  }
  *row = v;
  *line = ds->lineno;
  ds->row_offset = ds->line_offset;
  return YS_OK;
}

static ys_err jsonl_next(ys_dataset *ds, cJSON **row, long *line,
                         ys_diag *diag)
{
  const char *s;
  size_t n;
  ys_err err = next_line(ds, &s, &n, diag);
  if(err || !s)
    return err;
  return parse_row(ds, s, n, row, line, diag);
}

static ys_err jsonl_next_string(ys_dataset *ds, const char *key,
                                const char **val, size_t *vlen,
                                cJSON **row, long *line, ys_diag *diag)
{
  const char *s;
  size_t n;
  ys_err err = next_line(ds, &s, &n, diag);
  if(err || !s)
    return err;
  if(ys_json_raw_string(s, n, key, val, vlen)) {
    *line = ds->lineno;
    ds->row_offset = ds->line_offset;
    return YS_OK;
  }
  *val = NULL;
  return parse_row(ds, s, n, row, line, diag);
}

static void jsonl_close(ys_dataset *ds)
{
  (void)ds;
}

const ys_dataset_ops ys_dataset_jsonl_ops = {
  "jsonl", jsonl_open, jsonl_next, jsonl_close, jsonl_next_string
};
