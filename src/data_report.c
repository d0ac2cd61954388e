/* SPDX-License-Identifier: MIT */
/*
 * data_report.c: writes what `yardstick data` found, as text for a person
 * or as one JSON document for a pipeline (doc/data.md has its shape). The
 * summary is built with cJSON; the issues, which may be many, are written
 * one per line as they are formatted, so the report never exists whole in
 * memory. Uses data.h's report; used by the command.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "xalloc.h"
#include "yardstick.h"

/* Each kind's JSON name, its heading in the text report and, for lint,
 * the key of its count. */
static const struct {
  const char *json, *title;
} kinds[YS_DATA__KINDS] = {
  { "duplicate", "duplicate rows" },
  { "duplicate_text", "duplicate texts" },
  { "label_conflict", "same text, another label" },
  { "near_duplicate", "near-duplicate texts" },
  { "missing_field", "missing fields" },
  { "empty_field", "empty fields" },
  { "length_outlier", "length outliers" },
  { "invalid_label", "labels not in the taxonomy" },
  { "rare_label", "rare labels" },
  { "exact", "exact copies in the training set" },
  { "near", "near copies in the training set" },
};

static const char *str(const ys_data_report *r, uint32_t s)
{
  return s < r->strings.n ? r->strings.v[s] : "";
}

/* Rounded for display: estimates are not worth more digits. */
static double round4(double v)
{
  return round(v * 10000) / 10000;
}

static const char *mode_name(ys_data_mode m)
{
  switch(m) {
  case YS_DATA_LINT:
    return "lint";
  case YS_DATA_LEAK:
    return "leak";
  case YS_DATA_SPLIT:
    return "split";
  }
  return "?";
}

static const char *shingle_name(const ys_data_report *r, char *buf,
                                size_t len)
{
  snprintf(buf, len, "%s:%d", r->shingle == YS_SHINGLE_WORD ? "word"
                                                            : "char",
           r->shingle_n);
  return buf;
}

/* {====== JSON ====== */

static cJSON *str_or_null(const char *s)
{
  return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* "a,b" -> ["a", "b"] */
static cJSON *field_list(const char *list)
{
  cJSON *a = cJSON_CreateArray();
  for(const char *p = list; p && *p;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    char *name = ys_xstrndup(p, n);
    cJSON_AddItemToArray(a, cJSON_CreateString(name));
    free(name);
    p = comma ? comma + 1 : p + n;
  }
  return a;
}

static cJSON *near_settings(const ys_data_report *r)
{
  cJSON *o = cJSON_CreateObject();
  if(r->embed_model) {
    cJSON_AddStringToObject(o, "method", "embeddings");
    cJSON_AddStringToObject(o, "model", r->embed_model);
    cJSON_AddNumberToObject(o, "cosine", r->threshold);
    cJSON_AddNumberToObject(o, "dimensions", (double)r->embed_dims);
  }
  else {
    char sh[32];
    cJSON_AddStringToObject(o, "method", "minhash");
    cJSON_AddStringToObject(o, "shingle", shingle_name(r, sh, sizeof(sh)));
    cJSON_AddNumberToObject(o, "jaccard", r->threshold);
  }
  cJSON_AddNumberToObject(o, "bands", r->lsh_bands);
  cJSON_AddNumberToObject(o, "rows_per_band", r->lsh_rows);
  return o;
}

static void lint_head(const ys_data_report *r, cJSON *o)
{
  cJSON_AddStringToObject(o, "file", r->path);
  cJSON_AddStringToObject(o, "format", r->format);
  cJSON_AddNumberToObject(o, "rows", (double)r->rows);
  cJSON *f = cJSON_AddObjectToObject(o, "fields");
  cJSON_AddItemToObject(f, "text", field_list(r->text));
  cJSON_AddItemToObject(f, "label", str_or_null(r->label));
  cJSON_AddItemToObject(f, "id", str_or_null(r->id));
  cJSON *nd = near_settings(r);
  cJSON_AddNumberToObject(nd, "texts", (double)r->texts);
  cJSON_AddItemToObject(o, "near_duplicates", nd);
  cJSON *len = cJSON_AddObjectToObject(o, "lengths");
  cJSON_AddNumberToObject(len, "texts", (double)r->nlengths);
  cJSON_AddNumberToObject(len, "median", round4(r->len_median));
  cJSON_AddNumberToObject(len, "low", round4(r->len_low));
  cJSON_AddNumberToObject(len, "high", round4(r->len_high));
  cJSON_AddNumberToObject(len, "max_z", r->max_z);
  cJSON *lab = cJSON_AddObjectToObject(o, "labels");
  cJSON_AddNumberToObject(lab, "labelled", (double)r->labelled);
  cJSON_AddNumberToObject(lab, "distinct", (double)r->nlabels);
  cJSON_AddNumberToObject(lab, "rare_share", r->rare);
  cJSON_AddItemToObject(lab, "taxonomy", str_or_null(r->taxonomy));
  if(r->taxonomy)
    cJSON_AddNumberToObject(lab, "taxonomy_size", (double)r->taxonomy_size);
  cJSON *counts = cJSON_AddArrayToObject(lab, "counts");
  for(size_t i = 0; i < r->nlabels; i++) {
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "label", str(r, r->labels[i]));
    cJSON_AddNumberToObject(c, "rows", (double)r->label_counts[i]);
    cJSON_AddNumberToObject(c, "share", round4((double)r->label_counts[i] /
                                               (double)r->labelled));
    cJSON_AddBoolToObject(c, "rare", r->label_flags[i] & 1);
    if(r->taxonomy)
      cJSON_AddBoolToObject(c, "in_taxonomy", !(r->label_flags[i] & 2));
    cJSON_AddItemToArray(counts, c);
  }
  cJSON *k = cJSON_AddObjectToObject(o, "counts");
  for(int i = 0; i < YS_DATA_LEAK_EXACT; i++)
    cJSON_AddNumberToObject(k, kinds[i].json, (double)r->counts[i]);
  cJSON_AddNumberToObject(o, "problems", (double)r->nissues);
}

static void leak_head(const ys_data_report *r, cJSON *o)
{
  cJSON_AddStringToObject(o, "train", r->path);
  cJSON_AddStringToObject(o, "eval", r->path2);
  cJSON_AddStringToObject(o, "format", r->format);
  cJSON_AddNumberToObject(o, "train_rows", (double)r->rows);
  cJSON_AddNumberToObject(o, "eval_rows", (double)r->rows2);
  cJSON *f = cJSON_AddObjectToObject(o, "fields");
  cJSON_AddItemToObject(f, "text", field_list(r->text));
  cJSON_AddItemToObject(f, "id", str_or_null(r->id));
  cJSON *nd = near_settings(r);
  cJSON_AddNumberToObject(nd, "texts", (double)r->texts);
  cJSON_AddItemToObject(o, "near_duplicates", nd);
  cJSON_AddNumberToObject(o, "leaked", (double)r->eval_leaked);
  cJSON_AddNumberToObject(o, "leaked_share",
                          round4((double)r->eval_leaked / (double)r->rows2));
  cJSON *k = cJSON_AddObjectToObject(o, "counts");
  cJSON_AddNumberToObject(k, "exact", (double)r->counts[YS_DATA_LEAK_EXACT]);
  cJSON_AddNumberToObject(k, "near", (double)r->counts[YS_DATA_LEAK_NEAR]);
  cJSON_AddNumberToObject(o, "problems", (double)r->eval_leaked);
}

static void split_head(const ys_data_report *r, cJSON *o)
{
  cJSON_AddStringToObject(o, "file", r->path);
  cJSON_AddStringToObject(o, "format", r->format);
  cJSON_AddNumberToObject(o, "rows", (double)r->rows);
  cJSON_AddNumberToObject(o, "holdout", r->holdout);
  cJSON_AddNumberToObject(o, "seed", (double)r->seed);
  cJSON_AddItemToObject(o, "key", str_or_null(r->key));
  cJSON_AddItemToObject(o, "stratify", str_or_null(r->stratify));
  cJSON *t = cJSON_AddObjectToObject(o, "train");
  cJSON_AddItemToObject(t, "file", str_or_null(r->out_train));
  cJSON_AddNumberToObject(t, "rows", (double)r->ntrain);
  cJSON *e = cJSON_AddObjectToObject(o, "eval");
  cJSON_AddItemToObject(e, "file", str_or_null(r->out_eval));
  cJSON_AddNumberToObject(e, "rows", (double)r->neval);
  if(r->stratify) {
    cJSON *a = cJSON_AddArrayToObject(o, "strata");
    for(size_t i = 0; i < r->nstrata; i++) {
      const ys_data_stratum *st = &r->strata[i];
      cJSON *s = cJSON_CreateObject();
      cJSON_AddItemToObject(s, "value", st->name
                            ? cJSON_CreateString(str(r, st->name - 1))
                            : cJSON_CreateNull());
      cJSON_AddNumberToObject(s, "rows", (double)st->rows);
      cJSON_AddNumberToObject(s, "train", (double)st->train);
      cJSON_AddNumberToObject(s, "eval", (double)st->eval);
      cJSON_AddItemToArray(a, s);
    }
  }
  cJSON_AddNumberToObject(o, "problems", 0);
}

static cJSON *issue_json(const ys_data_report *r, const ys_data_issue *is)
{
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "kind", kinds[is->kind].json);
  if(is->line)
    cJSON_AddNumberToObject(o, "line", is->line);
  switch((ys_data_kind)is->kind) {
  case YS_DATA_DUPLICATE:
  case YS_DATA_DUPLICATE_TEXT:
    cJSON_AddNumberToObject(o, "of", is->other);
    break;
  case YS_DATA_LABEL_CONFLICT:
    cJSON_AddNumberToObject(o, "of", is->other);
    cJSON_AddStringToObject(o, "label", str(r, is->aux));
    cJSON_AddStringToObject(o, "other_label", str(r, is->count));
    break;
  case YS_DATA_NEAR_DUPLICATE:
    cJSON_AddNumberToObject(o, "of", is->other);
    cJSON_AddNumberToObject(o, "similarity", round4(is->value));
    break;
  case YS_DATA_MISSING_FIELD:
  case YS_DATA_EMPTY_FIELD:
    cJSON_AddStringToObject(o, "field", str(r, is->aux));
    break;
  case YS_DATA_LENGTH_OUTLIER:
    cJSON_AddNumberToObject(o, "chars", is->count);
    cJSON_AddNumberToObject(o, "z", round(is->value * 100) / 100);
    break;
  case YS_DATA_INVALID_LABEL:
    cJSON_AddStringToObject(o, "label", str(r, is->aux));
    break;
  case YS_DATA_RARE_LABEL:
    cJSON_AddStringToObject(o, "label", str(r, is->aux));
    cJSON_AddNumberToObject(o, "rows", is->count);
    cJSON_AddNumberToObject(o, "share", round4(is->value));
    break;
  case YS_DATA_LEAK_EXACT:
  case YS_DATA_LEAK_NEAR:
    cJSON_AddItemToObject(o, "id", is->aux ? cJSON_CreateString(
                                               str(r, is->aux - 1))
                                           : cJSON_CreateNull());
    cJSON_AddNumberToObject(o, "train_line", is->other);
    cJSON_AddNumberToObject(o, "similarity", round4(is->value));
    break;
  case YS_DATA__KINDS:
    break;
  }
  return o;
}

static int write_json(const ys_data_report *r, FILE *out)
{
  cJSON *head = cJSON_CreateObject();
  cJSON_AddStringToObject(head, "command", mode_name(r->mode));
  if(r->mode == YS_DATA_LINT)
    lint_head(r, head);
  else if(r->mode == YS_DATA_LEAK)
    leak_head(r, head);
  else
    split_head(r, head);
  char *text = cJSON_PrintUnformatted(head);
  cJSON_Delete(head);
  if(!text)
    return -1;
  /* The head without its closing brace, then the issues one a line. */
  size_t len = strlen(text);
  fwrite(text, 1, len - 1, out);
  free(text);
  if(r->mode != YS_DATA_SPLIT) {
    fputs(",\"issues\":[", out);
    for(size_t i = 0; i < r->nissues; i++) {
      cJSON *o = issue_json(r, &r->issues[i]);
      char *s = cJSON_PrintUnformatted(o);
      cJSON_Delete(o);
      if(!s)
        return -1;
      fprintf(out, "%s\n%s", i ? "," : "", s);
      free(s);
    }
    fputs(r->nissues ? "\n]" : "]", out);
  }
  fputs("}\n", out);
  return 0;
}

/* }====== */

/* {====== text ====== */

static void issue_text(const ys_data_report *r, const ys_data_issue *is,
                       FILE *out)
{
  switch((ys_data_kind)is->kind) {
  case YS_DATA_DUPLICATE:
    fprintf(out, "  line %u: the same row as line %u\n", is->line,
            is->other);
    break;
  case YS_DATA_DUPLICATE_TEXT:
    fprintf(out, "  line %u: the same text as line %u\n", is->line,
            is->other);
    break;
  case YS_DATA_LABEL_CONFLICT:
    fprintf(out, "  line %u: labelled '%s'; line %u, the same text, "
            "'%s'\n", is->line, str(r, is->aux), is->other,
            str(r, is->count));
    break;
  case YS_DATA_NEAR_DUPLICATE:
    fprintf(out, "  line %u: %.0f%% alike line %u\n", is->line,
            floor(is->value * 100), is->other);
    break;
  case YS_DATA_MISSING_FIELD:
    fprintf(out, "  line %u: no '%s'\n", is->line, str(r, is->aux));
    break;
  case YS_DATA_EMPTY_FIELD:
    fprintf(out, "  line %u: '%s' is empty\n", is->line, str(r, is->aux));
    break;
  case YS_DATA_LENGTH_OUTLIER:
    fprintf(out, "  line %u: %u characters (%s, z %.1f)\n", is->line,
            is->count, is->value > 0 ? "long" : "short", is->value);
    break;
  case YS_DATA_INVALID_LABEL:
    fprintf(out, "  line %u: '%s'\n", is->line, str(r, is->aux));
    break;
  case YS_DATA_RARE_LABEL:
    fprintf(out, "  '%s': %u row%s (%.2f%%)\n", str(r, is->aux), is->count,
            is->count == 1 ? "" : "s", is->value * 100);
    break;
  case YS_DATA_LEAK_EXACT:
  case YS_DATA_LEAK_NEAR:
    fprintf(out, "  eval line %u", is->line);
    if(is->aux)
      fprintf(out, " (id %s)", str(r, is->aux - 1));
    if(is->kind == YS_DATA_LEAK_EXACT)
      fprintf(out, ": the same text as train line %u\n", is->other);
    else
      fprintf(out, ": %.0f%% alike train line %u\n",
              floor(is->value * 100), is->other);
    break;
  case YS_DATA__KINDS:
    break;
  }
}

/* The issues of one kind, at most show of them (0: all). */
static void kind_text(const ys_data_report *r, ys_data_kind k, long show,
                      FILE *out)
{
  uint64_t n = r->counts[k];
  if(!n)
    return;
  fprintf(out, "\n%s: %llu\n", kinds[k].title, (unsigned long long)n);
  if(k == YS_DATA_LENGTH_OUTLIER)
    fprintf(out, "  (usual: %.0f to %.0f characters, median %.0f)\n",
            ceil(r->len_low), floor(r->len_high), r->len_median);
  uint64_t shown = 0;
  for(size_t i = 0; i < r->nissues; i++) {
    if(r->issues[i].kind != k)
      continue;
    if(show > 0 && shown == (uint64_t)show)
      break;
    issue_text(r, &r->issues[i], out);
    shown++;
  }
  if(shown < n)
    fprintf(out, "  ... and %llu more (--show 0 lists all)\n",
            (unsigned long long)(n - shown));
}

static void near_text(const ys_data_report *r, FILE *out)
{
  if(r->embed_model)
    fprintf(out, "near-duplicates: embeddings of %s, cosine >= %g\n",
            r->embed_model, r->threshold);
  else {
    char sh[32];
    fprintf(out, "near-duplicates: %s shingles, Jaccard >= %g\n",
            shingle_name(r, sh, sizeof(sh)), r->threshold);
  }
}

static void lint_text(const ys_data_report *r, long show, FILE *out)
{
  fprintf(out, "%s: %llu row%s (%s)\n", r->path,
          (unsigned long long)r->rows, r->rows == 1 ? "" : "s", r->format);
  fprintf(out, "text: %s", r->text ? r->text : "");
  if(r->label)
    fprintf(out, "; label: %s", r->label);
  if(r->id)
    fprintf(out, "; id: %s", r->id);
  fputc('\n', out);
  near_text(r, out);
  fprintf(out, "\n");
  for(int k = 0; k < YS_DATA_LEAK_EXACT; k++)
    fprintf(out, "  %-28s %llu\n", kinds[k].title,
            (unsigned long long)r->counts[k]);
  for(int k = 0; k < YS_DATA_LEAK_EXACT; k++)
    kind_text(r, (ys_data_kind)k, show, out);
  if(r->nlabels) {
    fprintf(out, "\nlabels: %zu in %llu labelled row%s", r->nlabels,
            (unsigned long long)r->labelled, r->labelled == 1 ? "" : "s");
    if(r->taxonomy)
      fprintf(out, " (taxonomy: %llu categories)",
              (unsigned long long)r->taxonomy_size);
    fputc('\n', out);
    size_t width = 5;
    for(size_t i = 0; i < r->nlabels && (show <= 0 || i < (size_t)show);
        i++) {
      size_t w = strlen(str(r, r->labels[i]));
      if(w > width)
        width = w < 100 ? w : 100;
    }
    for(size_t i = 0; i < r->nlabels; i++) {
      if(show > 0 && i == (size_t)show) {
        fprintf(out, "  ... and %zu more labels\n", r->nlabels - i);
        break;
      }
      fprintf(out, "  %-*s %8llu %6.2f%%%s%s\n", (int)width,
              str(r, r->labels[i]), (unsigned long long)r->label_counts[i],
              100.0 * (double)r->label_counts[i] / (double)r->labelled,
              r->label_flags[i] & 1 ? "  rare" : "",
              r->label_flags[i] & 2 ? "  not in the taxonomy" : "");
    }
  }
  if(r->nissues)
    fprintf(out, "\n%zu problem%s found\n", r->nissues,
            r->nissues == 1 ? "" : "s");
  else
    fprintf(out, "\nno problems found\n");
}

static void leak_text(const ys_data_report *r, long show, FILE *out)
{
  fprintf(out, "eval %s: %llu row%s; train %s: %llu row%s (%s)\n", r->path2,
          (unsigned long long)r->rows2, r->rows2 == 1 ? "" : "s", r->path,
          (unsigned long long)r->rows, r->rows == 1 ? "" : "s", r->format);
  fprintf(out, "text: %s", r->text ? r->text : "");
  if(r->id)
    fprintf(out, "; id: %s", r->id);
  fputc('\n', out);
  near_text(r, out);
  kind_text(r, YS_DATA_LEAK_EXACT, show, out);
  kind_text(r, YS_DATA_LEAK_NEAR, show, out);
  if(r->eval_leaked)
    fprintf(out, "\n%llu of %llu eval rows (%.1f%%) appear in the training "
            "set\n", (unsigned long long)r->eval_leaked,
            (unsigned long long)r->rows2,
            100.0 * (double)r->eval_leaked / (double)r->rows2);
  else
    fprintf(out, "\nno eval row appears in the training set\n");
}

static void split_text(const ys_data_report *r, FILE *out)
{
  fprintf(out, "%s: %llu row%s (%s); holdout %g, seed %llu, key: %s",
          r->path, (unsigned long long)r->rows, r->rows == 1 ? "" : "s",
          r->format, r->holdout, (unsigned long long)r->seed,
          r->key ? r->key : "the whole row");
  if(r->stratify)
    fprintf(out, "; stratified by %s", r->stratify);
  fputc('\n', out);
  fprintf(out, "  train %10llu row%s (%.1f%%)%s%s\n",
          (unsigned long long)r->ntrain, r->ntrain == 1 ? "" : "s",
          100.0 * (double)r->ntrain / (double)r->rows,
          r->out_train ? "  -> " : "", r->out_train ? r->out_train : "");
  fprintf(out, "  eval  %10llu row%s (%.1f%%)%s%s\n",
          (unsigned long long)r->neval, r->neval == 1 ? "" : "s",
          100.0 * (double)r->neval / (double)r->rows,
          r->out_eval ? "  -> " : "", r->out_eval ? r->out_eval : "");
  if(!r->stratify)
    return;
  size_t width = 7;
  for(size_t i = 0; i < r->nstrata; i++) {
    size_t w = r->strata[i].name ? strlen(str(r, r->strata[i].name - 1))
                                 : 6;
    if(w > width)
      width = w < 100 ? w : 100;
  }
  fprintf(out, "\n  %-*s %10s %10s %10s\n", (int)width, "stratum", "rows",
          "train", "eval");
  for(size_t i = 0; i < r->nstrata; i++) {
    const ys_data_stratum *st = &r->strata[i];
    fprintf(out, "  %-*s %10llu %10llu %10llu\n", (int)width,
            st->name ? str(r, st->name - 1) : "(none)",
            (unsigned long long)st->rows, (unsigned long long)st->train,
            (unsigned long long)st->eval);
  }
}

/* }====== */

ys_err ys_data_report_write(const ys_data_report *r, FILE *out, int json,
                            long show, ys_diag *diag)
{
  ys_diag_clear(diag);
  if(json) {
    if(write_json(r, out))
      return ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "out of memory writing "
                     "the report");
  }
  else if(r->mode == YS_DATA_LINT)
    lint_text(r, show, out);
  else if(r->mode == YS_DATA_LEAK)
    leak_text(r, show, out);
  else
    split_text(r, out);
  if(fflush(out) != 0 || ferror(out))
    return ys_fail(diag, YS_ERR_IO, NULL, 0, "cannot write the report: %s",
                   strerror(errno));
  return YS_OK;
}
