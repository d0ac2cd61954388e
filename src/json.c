/* SPDX-License-Identifier: MIT */
/*
 * json.c: cJSON helpers. The serializer here (ys_json_append) exists
 * because results are written one line per task on the hot path: it
 * appends into a reused buffer instead of allocating a string per line as
 * cJSON_PrintUnformatted does, and formats numbers deterministically.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

const cJSON *ys_json_path(const cJSON *obj, const char *path)
{
  if(!cJSON_IsObject(obj))
    return NULL;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, path);
  if(v || !strchr(path, '.'))
    return v;
  const cJSON *cur = obj;
  const char *p = path;
  char part[256];
  while(*p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if(n == 0 || n >= sizeof(part) || !cJSON_IsObject(cur))
      return NULL;
    memcpy(part, p, n);
    part[n] = '\0';
    cur = cJSON_GetObjectItemCaseSensitive(cur, part);
    if(!cur)
      return NULL;
    if(dot && !dot[1])
      return NULL; /* a trailing dot names an empty segment */
    p += n + (dot ? 1 : 0);
  }
  return cur;
}

char *ys_json_fmt_number(double d, char buf[32])
{
  if(isnan(d) || isinf(d)) {
    strcpy(buf, "null");
    return buf;
  }
  if(d == floor(d) && fabs(d) < 9007199254740992.0) {
    /* Integers are most numbers written (scores, counts): format them
     * without printf, which is slow for doubles. */
    long long v = (long long)d;
    char tmp[24];
    int n = 0;
    unsigned long long u = v < 0 ? (unsigned long long)(-v)
                                  : (unsigned long long)v;
    do {
      tmp[n++] = (char)('0' + u % 10);
      u /= 10;
    } while(u);
    int k = 0;
    if(v < 0)
      buf[k++] = '-';
    while(n)
      buf[k++] = tmp[--n];
    buf[k] = '\0';
    return buf;
  }
  /* 15 digits always read back exactly for normal doubles, so shorter
   * forms only need trying below DBL_MIN. */
  for(int prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
    snprintf(buf, 32, "%.*g", prec, d);
    if(strtod(buf, NULL) == d)
      break;
  }
  return buf;
}

char *ys_json_fmt_ms(double x, char buf[32])
{
  if(isnan(x) || isinf(x) || fabs(x) > 1e12)
    return ys_json_fmt_number(x, buf);
  long long m = llround(x * 1000);
  int neg = m < 0;
  unsigned long long u = neg ? (unsigned long long)(-m)
                             : (unsigned long long)m;
  unsigned long long whole = u / 1000, frac = u % 1000;
  char tmp[32];
  int n = 0;
  if(frac) {
    int digits = 3;
    while(frac % 10 == 0) {
      frac /= 10;
      digits--;
    }
    for(int i = 0; i < digits; i++) {
      tmp[n++] = (char)('0' + frac % 10);
      frac /= 10;
    }
    tmp[n++] = '.';
  }
  do {
    tmp[n++] = (char)('0' + whole % 10);
    whole /= 10;
  } while(whole);
  int k = 0;
  if(neg && u)
    buf[k++] = '-';
  while(n)
    buf[k++] = tmp[--n];
  buf[k] = '\0';
  return buf;
}

const char *ys_json_type_name(const cJSON *v)
{
  if(!v)
    return "nothing";
  if(cJSON_IsString(v))
    return "string";
  if(cJSON_IsNumber(v))
    return "number";
  if(cJSON_IsBool(v))
    return "boolean";
  if(cJSON_IsNull(v))
    return "null";
  if(cJSON_IsArray(v))
    return "array";
  if(cJSON_IsObject(v))
    return "object";
  return "invalid";
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Whether a byte of w is zero, or below n (n at most 128): exact answers
 * for the word as a whole. */
static int has_zero(uint64_t w)
{
  return ((w - ONES) & ~w & HIGHS) != 0;
}

static int has_byte_below(uint64_t w, unsigned n)
{
  return ((w - ONES * n) & ~w & HIGHS) != 0;
}

static int has_byte(uint64_t w, unsigned char c)
{
  return has_zero(w ^ (ONES * c));
}

ys_err ys_json_append_string(ys_buf *b, const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  ys_err err = ys_buf_addc(b, '"');
  size_t run = 0; /* bytes not needing escapes, copied in one go */
  for(size_t i = 0; i < len && !err; i++) {
    /* Eight bytes at a time while none is a control character, a quote
     * or a backslash (the usual case). */
    while(i + 8 <= len) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if(has_byte_below(w, 0x20) || has_byte(w, '"') || has_byte(w, '\\'))
        break;
      run += 8;
      i += 8;
    }
    if(i >= len)
      break;
    unsigned char c = (unsigned char)s[i];
    if(c >= 0x20 && c != '"' && c != '\\') {
      run++;
      continue;
    }
    if(run)
      err = ys_buf_add(b, s + i - run, run);
    run = 0;
    if(err)
      break;
    char esc[7] = { '\\', 0, 0, 0, 0, 0, 0 };
    size_t n = 2;
    switch(c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    default:
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      n = 6;
    }
    err = ys_buf_add(b, esc, n);
  }
  if(!err && run)
    err = ys_buf_add(b, s + len - run, run);
  if(!err)
    err = ys_buf_addc(b, '"');
  return err;
}

ys_err ys_json_append(ys_buf *b, const cJSON *v)
{
  char num[32];
  ys_err err = YS_OK;
  if(cJSON_IsString(v))
    return ys_json_append_string(b, v->valuestring, strlen(v->valuestring));
  if(cJSON_IsNumber(v))
    return ys_buf_adds(b, ys_json_fmt_number(v->valuedouble, num));
  if(cJSON_IsTrue(v))
    return ys_buf_adds(b, "true");
  if(cJSON_IsFalse(v))
    return ys_buf_adds(b, "false");
  if(cJSON_IsArray(v) || cJSON_IsObject(v)) {
    int obj = cJSON_IsObject(v);
    err = ys_buf_addc(b, obj ? '{' : '[');
    for(const cJSON *c = v->child; c && !err; c = c->next) {
      if(c != v->child)
        err = ys_buf_addc(b, ',');
      if(!err && obj) {
        err = ys_json_append_string(b, c->string, strlen(c->string));
        if(!err)
          err = ys_buf_addc(b, ':');
      }
      if(!err)
        err = ys_json_append(b, c);
    }
    if(!err)
      err = ys_buf_addc(b, obj ? '}' : ']');
    return err;
  }
  return ys_buf_adds(b, "null");
}

ys_err ys_json_append_text(ys_buf *b, const cJSON *v)
{
  char num[32];
  if(cJSON_IsString(v))
    return ys_buf_adds(b, v->valuestring);
  if(cJSON_IsNumber(v))
    return ys_buf_adds(b, ys_json_fmt_number(v->valuedouble, num));
  return ys_json_append(b, v);
}

/* {====== reading a member without parsing ====== */

static size_t skip_blanks(const char *s, size_t n, size_t i)
{
  while(i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
                  s[i] == '\n'))
    i++;
  return i;
}

/* s[i] is a quote: the index after the string's closing quote (n when
 * there is none); *esc says whether it holds an escape. */
static size_t skip_string(const char *s, size_t n, size_t i, int *esc)
{
  *esc = 0;
  for(i++; i < n; i++) {
    if(s[i] == '\\') {
      *esc = 1;
      i++;
    }
    else if(s[i] == '"')
      return i + 1;
  }
  return n;
}

/* The index after the value that starts at s[i]. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
  int esc;
  if(s[i] == '"')
    return skip_string(s, n, i, &esc);
  if(s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while(i < n) {
      if(s[i] == '"') {
        i = skip_string(s, n, i, &esc);
        continue;
      }
      if(s[i] == '{' || s[i] == '[')
        depth++;
      else if((s[i] == '}' || s[i] == ']') && --depth == 0)
        return i + 1;
      i++;
    }
    return n;
  }
  while(i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
        s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
    i++;
  return i;
}

int ys_json_raw_string(const char *s, size_t n, const char *key,
                       const char **val, size_t *vlen)
{
  size_t klen = strlen(key), i = skip_blanks(s, n, 0);
  if(i >= n || s[i] != '{')
    return 0;
  for(i++;;) {
    i = skip_blanks(s, n, i);
    if(i >= n || s[i] != '"')
      return 0; /* the end of the object, or not an object */
    int esc;
    size_t k = i + 1, kend = skip_string(s, n, i, &esc);
    /* An escaped key could spell key: cJSON would find that member. */
    if(esc || kend >= n)
      return 0;
    int match = kend - 1 - k == klen && !memcmp(s + k, key, klen);
    i = skip_blanks(s, n, kend);
    if(i >= n || s[i] != ':')
      return 0;
    i = skip_blanks(s, n, i + 1);
    if(i >= n)
      return 0;
    if(match) {
      if(s[i] != '"')
        return 0;
      size_t vend = skip_string(s, n, i, &esc);
      if(esc || vend > n || s[vend - 1] != '"' || vend - i < 2)
        return 0;
      *val = s + i + 1;
      *vlen = vend - i - 2;
      return 1;
    }
    i = skip_blanks(s, n, skip_value(s, n, i));
    if(i >= n || s[i] != ',')
      return 0;
    i++;
  }
}

/* }====== */

int ys_json_id_text(const cJSON *v, char *buf, size_t len)
{
  char num[32];
  const char *s;
  if(cJSON_IsString(v))
    s = v->valuestring;
  else if(cJSON_IsNumber(v))
    s = ys_json_fmt_number(v->valuedouble, num);
  else
    return 0;
  size_t n = strlen(s);
  if(n == 0 || n >= len)
    return 0;
  memcpy(buf, s, n + 1);
  return 1;
}
