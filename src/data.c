/* SPDX-License-Identifier: MIT */
/*
 * data.c: what the dataset checks share: reading rows and their fields
 * (text, label, id) with the first row's fields checked, canonical row
 * text for exact duplicates and split keys, interned strings, and the
 * report's issue list. Used by data_lint.c, data_leak.c, data_split.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data.h"
#include "json.h"
#include "xalloc.h"
#include "yardstick.h"

void ys_data_opts_init(ys_data_opts *opts)
{
  memset(opts, 0, sizeof(*opts));
  opts->threshold = 0.8;
  opts->shingle = "char:5";
  opts->max_z = 3.5;
  opts->rare = 0.2;
  opts->holdout = 0.1;
  opts->seed = 1;
  opts->embed_threshold = 0.95;
  opts->embed_batch = 64;
}

/* {====== interned strings ====== */

void ys_data_strings_init(ys_data_strings *s)
{
  memset(s, 0, sizeof(*s));
  s->map = ys_idmap_new();
}

void ys_data_strings_cleanup(ys_data_strings *s)
{
  for(size_t i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
  ys_idmap_free(s->map);
  memset(s, 0, sizeof(*s));
}

uint32_t ys_data_intern(ys_data_strings *s, const char *str, size_t len)
{
  uint64_t old;
  if(!ys_idmap_put(s->map, str, len, s->n, &old))
    return (uint32_t)old;
  if(s->n == s->alloc) {
    s->alloc = s->alloc ? s->alloc * 2 : 16;
    s->v = ys_xrealloc(s->v, s->alloc * sizeof(char *));
  }
  s->v[s->n] = ys_xstrndup(str, len);
  return (uint32_t)s->n++;
}

/* }====== */

/* {====== reports ====== */

ys_data_report *ys_data_report_new(ys_data_mode mode)
{
  ys_data_report *r = ys_xcalloc(1, sizeof(*r));
  r->mode = mode;
  ys_data_strings_init(&r->strings);
  return r;
}

void ys_data_report_free(ys_data_report *r)
{
  if(!r)
    return;
  free(r->path);
  free(r->path2);
  free(r->format);
  free(r->text);
  free(r->embed_model);
  free(r->label);
  free(r->id);
  free(r->taxonomy);
  free(r->labels);
  free(r->label_counts);
  free(r->label_flags);
  free(r->key);
  free(r->stratify);
  free(r->out_train);
  free(r->out_eval);
  free(r->strata);
  free(r->issues);
  ys_data_strings_cleanup(&r->strings);
  free(r);
}

long ys_data_report_problems(const ys_data_report *r)
{
  if(r->mode == YS_DATA_LEAK)
    return (long)r->eval_leaked;
  if(r->mode == YS_DATA_SPLIT)
    return 0;
  return (long)r->nissues;
}

void ys_data_issue_add(ys_data_report *r, ys_data_kind kind, uint32_t line,
                       uint32_t other, uint32_t aux, uint32_t count,
                       double value)
{
  if(r->nissues == r->aissues) {
    r->aissues = r->aissues ? r->aissues * 2 : 64;
    r->issues = ys_xrealloc(r->issues, r->aissues * sizeof(*r->issues));
  }
  ys_data_issue *is = &r->issues[r->nissues++];
  is->line = line;
  is->other = other;
  is->aux = aux;
  is->count = count;
  is->value = (float)value;
  is->kind = (uint8_t)kind;
  r->counts[kind]++;
}

static int issue_cmp(const void *pa, const void *pb)
{
  const ys_data_issue *a = pa, *b = pb;
  uint64_t la = a->line ? a->line : UINT64_MAX;
  uint64_t lb = b->line ? b->line : UINT64_MAX;
  if(la != lb)
    return la < lb ? -1 : 1;
  if(a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  if(a->aux != b->aux)
    return a->aux < b->aux ? -1 : 1;
  return a->other < b->other ? -1 : a->other > b->other;
}

void ys_data_issues_sort(ys_data_report *r)
{
  if(r->nissues > 1)
    qsort(r->issues, r->nissues, sizeof(*r->issues), issue_cmp);
}

typedef struct named_stratum {
  ys_data_stratum st;
  const char *name; /* NULL: rows without a value */
} named_stratum;

static int stratum_cmp(const void *pa, const void *pb)
{
  const named_stratum *a = pa, *b = pb;
  if(a->st.rows != b->st.rows)
    return a->st.rows > b->st.rows ? -1 : 1;
  if(!a->name || !b->name)
    return (a->name == NULL) - (b->name == NULL);
  return strcmp(a->name, b->name);
}

void ys_data_strata_sort(ys_data_report *r)
{
  size_t n = r->nstrata;
  if(n < 2)
    return;
  named_stratum *v = ys_xmalloc(n * sizeof(*v));
  for(size_t i = 0; i < n; i++) {
    v[i].st = r->strata[i];
    v[i].name = v[i].st.name ? r->strings.v[v[i].st.name - 1] : NULL;
  }
  qsort(v, n, sizeof(*v), stratum_cmp);
  for(size_t i = 0; i < n; i++)
    r->strata[i] = v[i].st;
  free(v);
}

/* }====== */

/* {====== near-duplicate sketches ====== */

ys_err ys_data_sketch_init(ys_minhash *mh, ys_embed **embed,
                           const ys_data_opts *o, ys_embed_cb cb, void *ud,
                           ys_data_report *r, ys_diag *diag)
{
  *embed = NULL;
  ys_err err;
  if(o->embed_url) {
    err = ys_minhash_init_simhash(mh, o->embed_threshold, diag);
    ys_embed_opts eo = { o->embed_url, o->embed_model, o->embed_key_env,
                         o->embed_batch, 0 };
    if(!err)
      err = ys_embed_new(&eo, cb, ud, embed, diag);
    if(err)
      return err;
    r->embed_model = ys_xstrdup(o->embed_model);
    r->threshold = o->embed_threshold;
  }
  else {
    ys_shingle_kind kind;
    int n;
    err = ys_minhash_parse_shingle(o->shingle, &kind, &n, diag);
    if(!err)
      err = ys_minhash_init(mh, kind, n, o->threshold, diag);
    if(err)
      return err;
    r->shingle = kind;
    r->shingle_n = n;
    r->threshold = o->threshold;
  }
  r->lsh_rows = mh->rows;
  r->lsh_bands = mh->bands;
  return YS_OK;
}

/* }====== */

/* {====== reading rows ====== */

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcasecmp(s + n - m, suffix);
}

static void free_list(char **v, size_t n)
{
  for(size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

ys_err ys_data_src_open(ys_data_src *src, const char *path,
                        const char *format, const char *text,
                        const char *label, const char *id,
                        const char **need, size_t nneed, ys_diag *diag)
{
  memset(src, 0, sizeof(*src));
  src->path = path;
  if(!format)
    format = ends_with(path, ".csv") ? "csv"
             : ends_with(path, ".tsv") ? "tsv" : "jsonl";
  if(!strcmp(format, "jsonl"))
    src->format = "jsonl";
  else if(!strcmp(format, "csv"))
    src->format = "csv";
  else if(!strcmp(format, "tsv"))
    src->format = "tsv";
  else
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "format '%s': expected "
                   "jsonl, csv or tsv", format);
  src->kind = src->format[0] == 'j' ? YS_DATASET_JSONL : YS_DATASET_CSV;
  if(text) {
    /* "a,b,c": every name non-empty. */
    const char *p = text;
    for(;;) {
      const char *comma = strchr(p, ',');
      size_t n = comma ? (size_t)(comma - p) : strlen(p);
      if(!n) {
        ys_data_src_close(src);
        return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "text fields '%s': an "
                       "empty field name", text);
      }
      src->text = ys_xrealloc(src->text, (src->ntext + 1) * sizeof(char *));
      src->text[src->ntext++] = ys_xstrndup(p, n);
      if(!comma)
        break;
      p = comma + 1;
    }
  }
  else
    src->text_all = 1;
  if((label && !*label) || (id && !*id)) {
    ys_data_src_close(src);
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "%s field name is empty",
                   label && !*label ? "the label" : "the id");
  }
  for(size_t i = 0; i < nneed; i++)
    if(need[i] && !*need[i]) {
      ys_data_src_close(src);
      return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "a field name is empty");
    }
  src->label = label;
  src->id_asked = id;
  src->need = need;
  src->nneed = nneed;
  ys_dataset_opts o;
  ys_dataset_opts_init(&o, src->kind);
  if(!strcmp(src->format, "tsv"))
    o.delimiter = '\t';
  ys_err err = ys_dataset_open(path, &o, &src->ds, diag);
  if(err)
    ys_data_src_close(src);
  return err;
}

/* "no text field 'x' in the first row (its fields: a, b, c)" */
static ys_err check_field(ys_data_src *src, const char *what,
                          const char *name, ys_diag *diag)
{
  if(!name || ys_json_path(src->row, name))
    return YS_OK;
  char list[400];
  size_t len = 0;
  list[0] = '\0';
  for(size_t i = 0; i < src->nfields && len < sizeof(list) - 1; i++) {
    int n = snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
                     src->fields[i]);
    if(n < 0)
      break;
    len += (size_t)n;
  }
  if(len >= sizeof(list) - 1)
    memcpy(list + sizeof(list) - 5, "...", 4);
  /* A CSV file names its fields in the header. */
  int csv = src->kind == YS_DATASET_CSV;
  return ys_fail(diag, YS_ERR_DATA, src->path, csv ? 0 : src->line, "no "
                 "%s '%s' in the %s (its fields: %s)", what, name,
                 csv ? "header" : "first row", src->nfields ? list : "none");
}

static int is_named(const char *name, const char *field)
{
  return name && !strcmp(name, field);
}

static ys_err first_row(ys_data_src *src, ys_diag *diag)
{
  for(const cJSON *c = src->row->child; c; c = c->next) {
    src->fields = ys_xrealloc(src->fields,
                              (src->nfields + 1) * sizeof(char *));
    src->fields[src->nfields++] = ys_xstrdup(c->string ? c->string : "");
  }
  ys_err err = YS_OK;
  for(size_t i = 0; !err && i < src->ntext; i++)
    err = check_field(src, "text field", src->text[i], diag);
  if(!err)
    err = check_field(src, "label field", src->label, diag);
  if(!err)
    err = check_field(src, "id field", src->id_asked, diag);
  for(size_t i = 0; !err && i < src->nneed; i++)
    err = check_field(src, "field", src->need[i], diag);
  if(err)
    return err;
  src->id = src->id_asked;
  if(!src->id && ys_json_path(src->row, "id"))
    src->id = "id";
  if(src->text_all) {
    for(size_t i = 0; i < src->nfields; i++) {
      if(is_named(src->id, src->fields[i]) ||
         is_named(src->label, src->fields[i]))
        continue;
      src->text = ys_xrealloc(src->text, (src->ntext + 1) * sizeof(char *));
      src->text[src->ntext++] = ys_xstrdup(src->fields[i]);
    }
    if(!src->ntext)
      return ys_fail(diag, YS_ERR_DATA, src->path, src->line, "no text to "
                     "check: the first row has only the id and label "
                     "fields");
  }
  return YS_OK;
}

ys_err ys_data_src_next(ys_data_src *src, ys_diag *diag)
{
  cJSON_Delete(src->row);
  src->row = NULL;
  ys_err err = ys_dataset_next(src->ds, &src->row, &src->line, diag);
  if(err || !src->row)
    return err;
  if(src->line > (long)UINT32_MAX)
    return ys_fail(diag, YS_ERR_TOOBIG, src->path, src->line, "more than "
                   "%lu lines", (unsigned long)UINT32_MAX);
  if(!src->nrows++)
    return first_row(src, diag);
  return YS_OK;
}

uint64_t ys_data_src_pos(const ys_data_src *src)
{
  return src->ds->chunk_base + src->ds->chunk_pos;
}

void ys_data_src_close(ys_data_src *src)
{
  cJSON_Delete(src->row);
  ys_dataset_free(src->ds);
  free_list(src->text, src->ntext);
  free_list(src->fields, src->nfields);
  memset(src, 0, sizeof(*src));
}

/* }====== */

/* {====== row values ====== */

static ys_err append_text(const cJSON *v, ys_buf *out)
{
  ys_err err = YS_OK;
  if(cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v)) {
    if(cJSON_IsString(v) && !v->valuestring[0])
      return YS_OK;
    if(out->len)
      err = ys_buf_addc(out, '\n');
    if(!err)
      err = ys_json_append_text(out, v);
  }
  else if(cJSON_IsArray(v) || cJSON_IsObject(v))
    for(const cJSON *c = v->child; !err && c; c = c->next)
      err = append_text(c, out);
  return err;
}

ys_err ys_data_row_text(const ys_data_src *src, const cJSON *row,
                        ys_buf *out)
{
  ys_err err = YS_OK;
  for(size_t i = 0; !err && i < src->ntext; i++)
    err = append_text(ys_json_path(row, src->text[i]), out);
  return err;
}

static int blank(const char *s)
{
  for(; *s; s++)
    if(*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' &&
       *s != '\v')
      return 0;
  return 1;
}

int ys_data_value_empty(const cJSON *v)
{
  if(!v || cJSON_IsNull(v))
    return 1;
  if(cJSON_IsString(v))
    return blank(v->valuestring);
  if(cJSON_IsArray(v) || cJSON_IsObject(v))
    return v->child == NULL;
  return 0;
}

ys_err ys_data_value_text(const cJSON *v, ys_buf *out, int *present)
{
  *present = !ys_data_value_empty(v);
  if(!*present)
    return YS_OK;
  if(cJSON_IsString(v))
    return ys_buf_adds(out, v->valuestring);
  return ys_json_append_text(out, v);
}

typedef struct member {
  const cJSON *item;
  size_t index;
} member;

static int member_cmp(const void *pa, const void *pb)
{
  const member *a = pa, *b = pb;
  int c = strcmp(a->item->string ? a->item->string : "",
                 b->item->string ? b->item->string : "");
  if(c)
    return c;
  return a->index < b->index ? -1 : a->index > b->index;
}

ys_err ys_data_canonical(const cJSON *v, const char *skip, ys_buf *out)
{
  ys_err err = YS_OK;
  if(cJSON_IsObject(v)) {
    size_t n = 0;
    for(const cJSON *c = v->child; c; c = c->next)
      n++;
    member *m = n ? ys_xmalloc(n * sizeof(*m)) : NULL;
    n = 0;
    for(const cJSON *c = v->child; c; c = c->next) {
      if(skip && c->string && !strcmp(c->string, skip))
        continue;
      m[n].item = c;
      m[n].index = n;
      n++;
    }
    qsort(m, n, sizeof(*m), member_cmp);
    err = ys_buf_addc(out, '{');
    for(size_t i = 0; !err && i < n; i++) {
      if(i)
        err = ys_buf_addc(out, ',');
      const char *k = m[i].item->string ? m[i].item->string : "";
      if(!err)
        err = ys_json_append_string(out, k, strlen(k));
      if(!err)
        err = ys_buf_addc(out, ':');
      if(!err)
        err = ys_data_canonical(m[i].item, NULL, out);
    }
    free(m);
    return err ? err : ys_buf_addc(out, '}');
  }
  if(cJSON_IsArray(v)) {
    err = ys_buf_addc(out, '[');
    for(const cJSON *c = v->child; !err && c; c = c->next) {
      if(c != v->child)
        err = ys_buf_addc(out, ',');
      if(!err)
        err = ys_data_canonical(c, NULL, out);
    }
    return err ? err : ys_buf_addc(out, ']');
  }
  return ys_json_append(out, v);
}

uint64_t ys_data_chars(const char *s, size_t len)
{
  uint64_t n = 0;
  for(size_t i = 0; i < len; i++)
    n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}

/* }====== */
