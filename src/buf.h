/* SPDX-License-Identifier: MIT */
/*
 * buf.h: a growable byte buffer with a hard size cap, after curl's dynbuf.
 * The cap is set at init; an append that would pass it (or fails to
 * allocate) frees the buffer and returns YS_ERR_TOOBIG (or YS_ERR_NOMEM).
 * The content is always NUL-terminated. Uses only libc.
 */
#ifndef YS_BUF_H
#define YS_BUF_H

#include <stddef.h>

#include "err.h"

typedef struct ys_buf {
  char *data;   /* NULL until the first append */
  size_t len;   /* bytes used, excluding the NUL */
  size_t alloc; /* bytes allocated */
  size_t max;   /* cap on len */
} ys_buf;

void ys_buf_init(ys_buf *b, size_t max);
void ys_buf_free(ys_buf *b);
/* Empties the buffer but keeps its memory. */
void ys_buf_reset(ys_buf *b);
ys_err ys_buf_add(ys_buf *b, const void *mem, size_t len) YS_WARN_UNUSED;
ys_err ys_buf_adds(ys_buf *b, const char *s) YS_WARN_UNUSED;
ys_err ys_buf_addc(ys_buf *b, char c) YS_WARN_UNUSED;
ys_err ys_buf_addf(ys_buf *b, const char *fmt, ...)
  YS_PRINTF(2, 3) YS_WARN_UNUSED;
/* The content ("" when empty); borrowed, valid until the next change. */
const char *ys_buf_str(const ys_buf *b);
/* Hands over the content and resets the buffer. Returns owned (free with
 * free()), never NULL. */
char *ys_buf_take(ys_buf *b, size_t *len);

#endif
