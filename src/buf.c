/* SPDX-License-Identifier: MIT */
/*
 * buf.c: the capped growable buffer. Growth doubles, so appending n bytes
 * one at a time costs O(n).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void ys_buf_init(ys_buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->alloc = 0;
  b->max = max;
}

void ys_buf_free(ys_buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->alloc = 0;
}

void ys_buf_reset(ys_buf *b)
{
  b->len = 0;
  if(b->data)
    b->data[0] = '\0';
}

ys_err ys_buf_add(ys_buf *b, const void *mem, size_t len)
{
  if(len > b->max - b->len) {
    ys_buf_free(b);
    return YS_ERR_TOOBIG;
  }
  size_t need = b->len + len + 1;
  if(need > b->alloc) {
    /* Most buffers hold a line or a request: start at 1 KiB rather than
     * growing through 64, 128, 256, 512. */
    size_t a = b->alloc ? b->alloc : 1024;
    while(a < need)
      a *= 2;
    if(a > b->max + 1)
      a = b->max + 1;
    char *p = realloc(b->data, a);
    if(!p) {
      ys_buf_free(b);
      return YS_ERR_NOMEM;
    }
    b->data = p;
    b->alloc = a;
  }
  if(len)
    memcpy(b->data + b->len, mem, len);
  b->len += len;
  b->data[b->len] = '\0';
  return YS_OK;
}

ys_err ys_buf_adds(ys_buf *b, const char *s)
{
  return ys_buf_add(b, s, strlen(s));
}

ys_err ys_buf_addc(ys_buf *b, char c)
{
  if(b->len + 1 < b->alloc) { /* room for it and the NUL */
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return YS_OK;
  }
  return ys_buf_add(b, &c, 1);
}

ys_err ys_buf_addf(ys_buf *b, const char *fmt, ...)
{
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof(small), fmt, ap);
  va_end(ap);
  if(n < 0) {
    ys_buf_free(b);
    return YS_ERR_NOMEM;
  }
  if((size_t)n < sizeof(small))
    return ys_buf_add(b, small, (size_t)n);
  char *big = malloc((size_t)n + 1);
  if(!big) {
    ys_buf_free(b);
    return YS_ERR_NOMEM;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  ys_err err = ys_buf_add(b, big, (size_t)n);
  free(big);
  return err;
}

const char *ys_buf_str(const ys_buf *b)
{
  return b->data ? b->data : "";
}

char *ys_buf_take(ys_buf *b, size_t *len)
{
  char *p = b->data;
  if(len)
    *len = b->len;
  if(!p) {
    p = malloc(1);
    if(!p) {
      fprintf(stderr, "yardstick: out of memory\n");
      abort();
    }
    p[0] = '\0';
  }
  b->data = NULL;
  b->len = 0;
  b->alloc = 0;
  return p;
}
