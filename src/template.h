/* SPDX-License-Identifier: MIT */
/*
 * template.h: `{{field}}` prompt templates. A template is compiled once
 * (literal text and field references, surrounding blanks ignored, nested
 * fields with dots) and rendered per row. Uses json and buf.
 */
#ifndef YS_TEMPLATE_H
#define YS_TEMPLATE_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

typedef struct ys_template ys_template;

/* Compiles src. On a syntax error (an unclosed "{{", an empty name) returns
 * YS_ERR_SUITE with the message in diag (file/line left for the caller). */
ys_err ys_template_compile(const char *src, ys_template **out,
                           ys_diag *diag) YS_WARN_UNUSED;
void ys_template_free(ys_template *t);

/* Field names the template uses, in order of first use. */
size_t ys_template_nvars(const ys_template *t);
const char *ys_template_var(const ys_template *t, size_t i);

/* The first field of t that row lacks (or holds null), or NULL. */
const char *ys_template_missing(const ys_template *t, const cJSON *row);

/* Appends the rendering for row to out. Returns YS_ERR_DATA with *missing
 * set to the field name when row lacks one, YS_ERR_TOOBIG when out's cap
 * is reached. */
ys_err ys_template_render(const ys_template *t, const cJSON *row,
                          ys_buf *out, const char **missing) YS_WARN_UNUSED;

#endif
