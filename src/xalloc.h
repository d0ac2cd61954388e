/* SPDX-License-Identifier: MIT */
/*
 * xalloc.h: allocation for small bookkeeping that aborts with a message on
 * out-of-memory. Anything sized by input uses a capped ys_buf or checks
 * malloc itself instead. With --enable-error-injection, YS_FAIL_ALLOC=N in
 * the environment makes the Nth ys_x* call fail (tests only).
 */
#ifndef YS_XALLOC_H
#define YS_XALLOC_H

#include <stddef.h>

void *ys_xmalloc(size_t n);
void *ys_xcalloc(size_t count, size_t size);
void *ys_xrealloc(void *p, size_t n);
char *ys_xstrdup(const char *s);
char *ys_xstrndup(const char *s, size_t n);
/* printf into a new string (abort on OOM); returns owned, free with free() */
char *ys_xasprintf(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
  __attribute__((format(printf, 1, 2)))
#endif
  ;

#endif
