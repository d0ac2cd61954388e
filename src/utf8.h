/* SPDX-License-Identifier: MIT */
/*
 * utf8.h: UTF-8 validation for dataset lines (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). Uses only libc.
 */
#ifndef YS_UTF8_H
#define YS_UTF8_H

#include <stddef.h>

/* Returns 1 when s[0..len) is valid UTF-8; else 0 and the offset of the
 * first bad byte in *bad (when bad is not NULL). */
int ys_utf8_valid(const char *s, size_t len, size_t *bad);

#endif
