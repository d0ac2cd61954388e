/* SPDX-License-Identifier: MIT */
/*
 * err.h: filling a ys_diag (the error-buffer every module takes) and the
 * warn-unused attribute for ys_err returners. Uses only libc; used by all.
 */
#ifndef YS_ERR_H
#define YS_ERR_H

#include "yardstick.h"

#if defined(__GNUC__) || defined(__clang__)
#define YS_WARN_UNUSED __attribute__((warn_unused_result))
#define YS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define YS_WARN_UNUSED
#define YS_PRINTF(f, a)
#endif

/* Sets diag (if not NULL) to file:line plus a printf-formatted message and
 * returns err, so callers can write `return ys_fail(diag, ...)`. file may be
 * NULL; line 0 means unknown. */
ys_err ys_fail(ys_diag *diag, ys_err err, const char *file, long line,
               const char *fmt, ...) YS_PRINTF(5, 6);

/* Clears diag (if not NULL). */
void ys_diag_clear(ys_diag *diag);

#endif
