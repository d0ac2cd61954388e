/* SPDX-License-Identifier: MIT */
/*
 * report_text.h: the terminal summary: a models x metrics table of values
 * with their 95% interval half-width, error counts and median latency,
 * then baselines and gate verdicts. Reads a summary document (the content
 * of summary.json). Uses cJSON and buf.
 */
#ifndef YS_REPORT_TEXT_H
#define YS_REPORT_TEXT_H

#include <cjson/cJSON.h>

/* Renders the table. run_dir may be NULL. With color, uses ANSI colours.
 * Returns owned (free with free()). */
char *ys_report_text(const cJSON *summary, const char *run_dir, int color);

/* One "gate PASS|FAIL  what: evidence" line per verdict (a summary's
 * "gates" array). Returns owned. */
char *ys_report_gates(const cJSON *verdicts, int color);

#endif
