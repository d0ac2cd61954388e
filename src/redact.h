/* SPDX-License-Identifier: MIT */
/*
 * redact.h: --redact FIELD,...: keeps the values of named dataset fields
 * (a patient's name, a date of birth) out of everything a run writes.
 * For each sample, the fields' values are looked for in its output, its
 * error and its metrics' details and messages, and each occurrence is
 * replaced by "[redacted:FIELD]" (letters compared without case). Values
 * shorter than YS_REDACT_MIN characters are left alone: they would match
 * everywhere. Uses cJSON.
 */
#ifndef YS_REDACT_H
#define YS_REDACT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define YS_REDACT_MIN 3

typedef struct ys_redact_value {
  char *text;        /* the value as it appears in text */
  size_t len;
  const char *field;
} ys_redact_value;

/* One sample's values to hide, longest first (so "Ann Lee" goes before
 * "Ann"). */
typedef struct ys_redactor {
  ys_redact_value *v;
  size_t n;
} ys_redactor;

/* Collects row's values of the n named fields (strings, numbers). */
void ys_redactor_init(ys_redactor *r, const cJSON *row,
                      const char *const *fields, size_t n);
void ys_redactor_free(ys_redactor *r);

/* s with every value replaced: owned (free it), or NULL when s holds none
 * of them. */
char *ys_redact_text(const ys_redactor *r, const char *s);

/* Redacts every string in v (values, not keys) in place. */
void ys_redact_json(const ys_redactor *r, cJSON *v);

#endif
