/* SPDX-License-Identifier: MIT */
/*
 * report_util.h: what the report formats (report_*.c) share: escaping
 * text for CSV, XML and HTML, and Markdown; reading figures from a stored
 * run's summary; gate verdicts split into what was checked and what was
 * found; and grouping a run's metric keys by the metric instance that
 * gives them. Escapers write to a FILE and leave errors to its error
 * flag. Pointers are borrowed unless a comment says owned. Uses results,
 * gate, cJSON.
 */
#ifndef YS_REPORT_UTIL_H
#define YS_REPORT_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "results.h"

/* {====== escaping ====== */

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or
 * LF, or starts or ends with a space or tab, with quotes doubled. With
 * guard, a field starting with = + - @, a tab or CR gets a leading ' so
 * spreadsheets take it as text, not a formula. s NULL is an empty
 * field. */
void ys_report_csv_cell(FILE *f, const char *s, int guard);

/* Text for XML or HTML: & < > " ' become references, so the result is
 * safe in element content and in quoted attribute values of both. Bytes
 * that are not valid UTF-8 and characters XML 1.0 forbids (C0 controls
 * other than tab, LF and CR; U+FFFE, U+FFFF) become U+FFFD. With attr,
 * tab, LF and CR become references too, so attribute values keep them;
 * CR always does, as XML parsers would turn it into LF. s NULL writes
 * nothing. */
void ys_report_xml(FILE *f, const char *s, int attr);

/* Like ys_report_xml for the first len bytes of s. */
void ys_report_xml_n(FILE *f, const char *s, size_t len, int attr);

/* Text for a Markdown (GitHub) table cell or line: the characters that
 * could start formatting, a link, HTML or a cell border (\ ` * _ [ ] < >
 * | ~ &) are backslash-escaped, line breaks (LF, CR, CRLF) become <br>,
 * other control characters and invalid UTF-8 become U+FFFD. */
void ys_report_md(FILE *f, const char *s);

/* How many bytes of s to keep to show at most max bytes without cutting
 * a UTF-8 character. */
size_t ys_report_cut(const char *s, size_t max);

/* }====== */

/* {====== figures ====== */

/* A number member of o, or NaN. */
double ys_report_num(const cJSON *o, const char *key);

/* A string member of o, or dflt. */
const char *ys_report_str(const cJSON *o, const char *key,
                          const char *dflt);

/* summary.json's entry for model m, and its metric entry for key k (NULL
 * when absent). */
const cJSON *ys_report_model(const ys_results *r, size_t m);
const cJSON *ys_report_entry(const ys_results *r, size_t m, size_t k);

/* Sets lo and hi to the entry's 95% interval; returns 0 when it has
 * none. */
int ys_report_ci(const cJSON *entry, double *lo, double *hi);

/* The run's status: manifest.json's, else summary.json's, else
 * "unknown". */
const char *ys_report_status(const ys_results *r);

/* The summary's gate verdicts (an array; NULL when the summary has
 * none), and how many of them failed. */
const cJSON *ys_report_verdicts(const ys_results *r);
size_t ys_report_verdicts_failed(const ys_results *r);

/* A verdict's one-line description split at its first ": " into what was
 * checked ("trained exact_match >= 0.7") and what was found ("0.74
 * [0.71, 0.77], n=710"). Both owned (free with free()); found is "" when
 * the line has no ": ". */
void ys_report_gate_split(const cJSON *verdict, char **what, char **found);

/* A figure for a table: "-" for NaN, else 3 decimals, or 4 significant
 * digits beyond 100000. */
void ys_report_fmt(double v, char *buf, size_t len);

/* }====== */

/* {====== metric groups ====== */

/* The keys one metric instance gives: taxonomy_depth gives
 * taxonomy_depth.level1, .level2, ...; exact_match gives exact_match. */
typedef struct ys_report_group {
  char *name;        /* the instance's name (owned by the group) */
  size_t n;          /* its keys */
  size_t *keys;      /* indexes into r->keys, in summary order */
  const char **sub;  /* each key without "name." (points into r->keys) */
  int levels;        /* keys ending level1, level2, ...: how many (0 if
                        fewer than two) */
} ys_report_group;

/* Groups r's keys by metric instance: as manifest.json's metrics list
 * them, else (an older or edited manifest) by the text before the first
 * dot. Every key is in exactly one group. Returns owned (free with
 * ys_report_groups_free); sets *n. */
ys_report_group *ys_report_groups(const ys_results *r, size_t *n);
void ys_report_groups_free(ys_report_group *g, size_t n);

/* The number after "level" in a sub-key such as "level3", or 0. */
int ys_report_level(const char *sub);

/* }====== */

#endif
