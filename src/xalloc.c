/* SPDX-License-Identifier: MIT */
/*
 * xalloc.c: abort-on-OOM allocation for bookkeeping (after jq's jv_alloc.c
 * and tmux's xmalloc.c). A failed small allocation leaves nothing sensible
 * to do, so we say so and stop instead of threading NULL through every
 * caller.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void oom(size_t n)
{
  fprintf(stderr, "yardstick: out of memory allocating %zu bytes\n", n);
  abort();
}

#ifdef YS_ERROR_INJECTION
static int injected(void)
{
  static long countdown = -2;
  if(countdown == -2) {
    const char *s = getenv("YS_FAIL_ALLOC");
    countdown = s ? atol(s) : -1;
  }
  if(countdown > 0 && --countdown == 0)
    return 1;
  return 0;
}
#define INJECT(n) do { if(injected()) oom(n); } while(0)
#else
#define INJECT(n) ((void)0)
#endif

void *ys_xmalloc(size_t n)
{
  INJECT(n);
  void *p = malloc(n ? n : 1);
  if(!p)
    oom(n);
  return p;
}

void *ys_xcalloc(size_t count, size_t size)
{
  INJECT(count * size);
  void *p = calloc(count ? count : 1, size ? size : 1);
  if(!p)
    oom(count * size);
  return p;
}

void *ys_xrealloc(void *p, size_t n)
{
  INJECT(n);
  void *q = realloc(p, n ? n : 1);
  if(!q)
    oom(n);
  return q;
}

char *ys_xstrdup(const char *s)
{
  return ys_xstrndup(s, strlen(s));
}

char *ys_xstrndup(const char *s, size_t n)
{
  char *p = ys_xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *ys_xasprintf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if(n < 0)
    oom(0);
  char *p = ys_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}
