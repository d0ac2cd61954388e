/* SPDX-License-Identifier: MIT */
/*
 * json.h: cJSON helpers shared by the dataset readers, templates, results
 * and reports: dotted-path lookup, scalar-to-text rendering, deterministic
 * number formatting and an id's text. Uses cJSON and buf.
 */
#ifndef YS_JSON_H
#define YS_JSON_H

#include <cjson/cJSON.h>

#include "buf.h"

/* Looks up a field by name in an object. A name with dots ("a.b.c") is
 * first tried as a literal key, then as a path into nested objects.
 * Returns the item (borrowed) or NULL. */
const cJSON *ys_json_path(const cJSON *obj, const char *path);

/* Formats a number the shortest way that reads back to the same double:
 * integers below 2^53 without a fraction, others with up to 17 digits.
 * NaN and infinities give "null". buf needs 32 bytes. */
char *ys_json_fmt_number(double d, char buf[32]);

/* Formats x rounded to 3 decimals, without trailing zeros ("12.5",
 * "0.003", "7"): timings, fast. buf needs 32 bytes. */
char *ys_json_fmt_ms(double x, char buf[32]);

/* Appends a value's text as a template shows it: a string's characters,
 * a number as above, true/false, null as "null", arrays and objects as
 * compact JSON. */
ys_err ys_json_append_text(ys_buf *b, const cJSON *v) YS_WARN_UNUSED;

/* The text of an id value: strings as they are, numbers as above. Returns
 * 0 for other types or an empty string (ids must be non-empty). */
int ys_json_id_text(const cJSON *v, char *buf, size_t len);

/* In the JSON text s[0..n) of an object, the string value of its first
 * member named key, as the text holds it: sets *val (pointing into s) and
 * *vlen and returns 1 when that value is a string with no escape and no
 * key up to it has an escape; returns 0 otherwise (no such member, another
 * type, an escape: parse the text instead). For text already known to be
 * valid JSON: it does not check the rest. */
int ys_json_raw_string(const char *s, size_t n, const char *key,
                       const char **val, size_t *vlen);

/* Name of a cJSON item's type, for messages ("string", "object"...). */
const char *ys_json_type_name(const cJSON *v);

/* Compact JSON of v appended to b (no allocation per item). */
ys_err ys_json_append(ys_buf *b, const cJSON *v) YS_WARN_UNUSED;

/* Appends a JSON string literal (quoted, escaped) for s[0..len). */
ys_err ys_json_append_string(ys_buf *b, const char *s, size_t len)
  YS_WARN_UNUSED;

#endif
