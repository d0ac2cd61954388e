/* SPDX-License-Identifier: MIT */
/*
 * data_lint.c: `yardstick data lint`, one pass over a dataset keeping a
 * few bytes per row: the 128-bit hashes of each row and each normalised
 * text (exact duplicates), a MinHash signature per distinct text (near-
 * duplicates, found after the pass band by band), each text's length
 * (outliers, after the pass) and a count per label. Rows themselves are
 * never kept. With embeddings, each distinct text is queued for the API
 * instead and its SimHash signature filled in when its vector comes back.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "json.h"
#include "stats.h"
#include "xalloc.h"
#include "yardstick.h"

/* Signatures are kept in blocks, so the store grows without copying. */
#define BLOCK 65536u

typedef struct lint {
  const ys_data_opts *o;
  ys_data_report *r;
  ys_data_src src;
  ys_minhash mh;
  ys_embed *embed;      /* NULL: MinHash */
  ys_idmap *rows, *texts, *taxonomy;
  ys_buf buf, norm;
  /* fields every row should have (strings), and their names */
  uint32_t *expected;
  const char **expected_name;
  size_t nexpected;
  /* per string: rows with it as their label, and whether it is valid */
  uint64_t *label_count;
  uint8_t *label_state; /* 0 unknown, 1 valid, 2 invalid */
  size_t alabel, nlabel;
  /* lengths of the texts, with their lines */
  uint32_t *len_line, *len_chars;
  size_t nlen, alen;
  /* signatures */
  uint8_t **blocks;
  size_t nblocks;
  uint32_t *slot_line;
  uint32_t nslots;
  size_t aslots;
} lint;

/* {====== taxonomy ====== */

/* Appends the category path s[0..n) with blanks around each '>' and at
 * the ends removed, parts joined by " > ". */
static ys_err norm_path(const char *s, size_t n, ys_buf *out)
{
  ys_buf_reset(out);
  size_t i = 0;
  ys_err err = YS_OK;
  while(!err && i <= n) {
    size_t j = i;
    while(j < n && s[j] != '>')
      j++;
    size_t a = i, b = j;
    while(a < b && (s[a] == ' ' || s[a] == '\t'))
      a++;
    while(b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
      b--;
    if(i)
      err = ys_buf_adds(out, " > ");
    if(!err)
      err = ys_buf_add(out, s + a, b - a);
    i = j + 1;
  }
  return err;
}

/* Reads the taxonomy: one category a line, as "A > B > C" or "ID - A > B"
 * (Google's product taxonomy with ids); blank lines and lines starting
 * with '#' are skipped. */
static ys_err load_taxonomy(lint *l, const char *path, ys_diag *diag)
{
  ys_dataset_opts o;
  ys_dataset_opts_init(&o, YS_DATASET_JSONL);
  ys_dataset *ds = NULL;
  ys_err err = ys_dataset_open(path, &o, &ds, diag);
  if(err)
    return err;
  l->taxonomy = ys_idmap_new();
  for(;;) {
    const char *s;
    size_t n;
    err = ys_dataset_readline(ds, &s, &n, diag);
    if(err || !s)
      break;
    while(n && (*s == ' ' || *s == '\t')) {
      s++;
      n--;
    }
    while(n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
      n--;
    if(!n || *s == '#')
      continue;
    /* "123 - Name": drop the id. */
    size_t d = 0;
    while(d < n && s[d] >= '0' && s[d] <= '9')
      d++;
    if(d && d + 2 <= n && (s[d] == ' ' || s[d] == '-')) {
      size_t k = d;
      while(k < n && s[k] == ' ')
        k++;
      if(k < n && s[k] == '-') {
        k++;
        while(k < n && s[k] == ' ')
          k++;
        if(k == n) {
          err = ys_fail(diag, YS_ERR_DATA, path, ds->lineno, "expected a "
                        "category after the id");
          break;
        }
        s += k;
        n -= k;
      }
    }
    err = norm_path(s, n, &l->buf);
    if(err)
      break;
    ys_idmap_put(l->taxonomy, l->buf.data, l->buf.len, 1, NULL);
  }
  ys_dataset_free(ds);
  if(!err && !ys_idmap_count(l->taxonomy))
    err = ys_fail(diag, YS_ERR_DATA, path, 0, "no categories (expected one "
                  "a line, as \"A > B > C\" or \"ID - A > B > C\")");
  if(!err)
    l->r->taxonomy_size = ys_idmap_count(l->taxonomy);
  return err;
}

/* }====== */

static void grow_labels(lint *l, size_t n)
{
  if(n <= l->alabel)
    return;
  size_t a = l->alabel ? l->alabel : 16;
  while(a < n)
    a *= 2;
  l->label_count = ys_xrealloc(l->label_count, a * sizeof(uint64_t));
  l->label_state = ys_xrealloc(l->label_state, a);
  memset(l->label_count + l->alabel, 0, (a - l->alabel) * sizeof(uint64_t));
  memset(l->label_state + l->alabel, 0, a - l->alabel);
  l->alabel = a;
}

static void add_expected(lint *l, const char *name)
{
  for(size_t i = 0; i < l->nexpected; i++)
    if(!strcmp(l->expected_name[i], name))
      return;
  l->expected = ys_xrealloc(l->expected,
                            (l->nexpected + 1) * sizeof(uint32_t));
  l->expected_name = ys_xrealloc(l->expected_name,
                                 (l->nexpected + 1) * sizeof(char *));
  uint32_t s = ys_data_intern(&l->r->strings, name, strlen(name));
  /* The string itself never moves, only the array of them. */
  l->expected[l->nexpected] = s;
  l->expected_name[l->nexpected++] = l->r->strings.v[s];
}

static uint8_t *slot_sig(lint *l, uint32_t i)
{
  return l->blocks[i / BLOCK] +
         (size_t)(i % BLOCK) * (size_t)l->mh.sig_len;
}

static const uint8_t *sig_at(uint32_t i, void *ctx)
{
  return slot_sig(ctx, i);
}

/* The label of the current row: its string, or UINT32_MAX. */
static ys_err row_label(lint *l, uint32_t line, uint32_t *label,
                        ys_diag *diag)
{
  *label = UINT32_MAX;
  if(!l->src.label)
    return YS_OK;
  ys_buf_reset(&l->buf);
  int present;
  ys_err err = ys_data_value_text(ys_json_path(l->src.row, l->src.label),
                                  &l->buf, &present);
  if(err || !present)
    return err;
  uint32_t s = ys_data_intern(&l->r->strings, ys_buf_str(&l->buf),
                              l->buf.len);
  grow_labels(l, (size_t)s + 1);
  if(!l->label_count[s] && ++l->nlabel > YS_DATA_MAX_LABELS)
    return ys_fail(diag, YS_ERR_DATA, l->src.path, line, "more than %d "
                   "distinct values of '%s': is it a label field?",
                   YS_DATA_MAX_LABELS, l->src.label);
  l->label_count[s]++;
  l->r->labelled++;
  if(l->taxonomy && !l->label_state[s]) {
    err = norm_path(l->buf.data, l->buf.len, &l->norm);
    if(err)
      return err;
    l->label_state[s] = ys_idmap_get(l->taxonomy, ys_buf_str(&l->norm),
                                     l->norm.len, NULL) ? 1 : 2;
  }
  if(l->label_state[s] == 2)
    ys_data_issue_add(l->r, YS_DATA_INVALID_LABEL, line, 0, s, 0, 0);
  *label = s;
  return YS_OK;
}

static ys_err lint_row(lint *l, ys_diag *diag)
{
  const cJSON *row = l->src.row;
  uint32_t line = (uint32_t)l->src.line;
  if(l->src.nrows == 1) {
    for(size_t i = 0; i < l->src.nfields; i++)
      add_expected(l, l->src.fields[i]);
    for(size_t i = 0; i < l->src.ntext; i++)
      add_expected(l, l->src.text[i]);
    if(l->src.label)
      add_expected(l, l->src.label);
    l->r->text = NULL;
    ys_buf_reset(&l->buf);
    for(size_t i = 0; i < l->src.ntext; i++)
      if((i && ys_buf_addc(&l->buf, ',')) ||
         ys_buf_adds(&l->buf, l->src.text[i]))
        return ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "out of memory");
    l->r->text = ys_xstrdup(ys_buf_str(&l->buf));
    if(l->src.id)
      l->r->id = ys_xstrdup(l->src.id);
  }
  int partial = 0; /* a text field is missing or empty */
  for(size_t i = 0; i < l->nexpected; i++) {
    const cJSON *v = ys_json_path(row, l->expected_name[i]);
    int gone = !v || ys_data_value_empty(v);
    if(!v)
      ys_data_issue_add(l->r, YS_DATA_MISSING_FIELD, line, 0,
                        l->expected[i], 0, 0);
    else if(gone)
      ys_data_issue_add(l->r, YS_DATA_EMPTY_FIELD, line, 0, l->expected[i],
                        0, 0);
    for(size_t t = 0; gone && t < l->src.ntext; t++)
      partial |= !strcmp(l->src.text[t], l->expected_name[i]);
  }
  uint32_t label;
  ys_err err = row_label(l, line, &label, diag);
  if(err == YS_ERR_DATA)
    return err;
  if(err)
    goto oom;
  /* The same row again, ids aside. */
  ys_buf_reset(&l->buf);
  if(ys_data_canonical(row, l->src.id, &l->buf))
    goto oom;
  uint64_t first;
  if(!ys_idmap_put(l->rows, ys_buf_str(&l->buf), l->buf.len, line, &first)) {
    ys_data_issue_add(l->r, YS_DATA_DUPLICATE, line, (uint32_t)first, 0, 0,
                      1);
    return YS_OK;
  }
  ys_buf_reset(&l->buf);
  if(ys_data_row_text(&l->src, row, &l->buf))
    goto oom;
  err = ys_minhash_normalize(l->buf.data ? l->buf.data : "", l->buf.len,
                             &l->norm);
  if(err == YS_ERR_TOOBIG)
    return ys_fail(diag, err, l->src.path, line, "text longer than 64 MiB");
  if(err)
    goto oom;
  if(!l->norm.len)
    return YS_OK;
  /* A row short of a text field is reported as such, not again as
   * short. */
  if(partial)
    goto similar;
  if(l->nlen == l->alen) {
    l->alen = l->alen ? l->alen * 2 : 1024;
    l->len_line = ys_xrealloc(l->len_line, l->alen * sizeof(uint32_t));
    l->len_chars = ys_xrealloc(l->len_chars, l->alen * sizeof(uint32_t));
  }
  uint64_t chars = ys_data_chars(l->buf.data, l->buf.len);
  l->len_line[l->nlen] = line;
  l->len_chars[l->nlen++] = chars > UINT32_MAX ? UINT32_MAX
                                               : (uint32_t)chars;
similar:;
  /* The same text again: with another label, a conflict. */
  uint64_t mine = (uint64_t)(label + 1u) << 32 | line;
  if(!ys_idmap_put(l->texts, ys_buf_str(&l->norm), l->norm.len, mine,
                   &first)) {
    uint32_t theirs = (uint32_t)(first >> 32) - 1u;
    if(label != UINT32_MAX && theirs != UINT32_MAX && theirs != label)
      ys_data_issue_add(l->r, YS_DATA_LABEL_CONFLICT, line, (uint32_t)first,
                        label, theirs, 1);
    else
      ys_data_issue_add(l->r, YS_DATA_DUPLICATE_TEXT, line, (uint32_t)first,
                        0, 0, 1);
    return YS_OK;
  }
  if(l->nslots == UINT32_MAX - 1)
    return ys_fail(diag, YS_ERR_TOOBIG, l->src.path, line, "more than %lu "
                   "distinct texts", (unsigned long)UINT32_MAX - 1);
  if(l->nslots % BLOCK == 0 && l->nslots / BLOCK == l->nblocks) {
    l->blocks = ys_xrealloc(l->blocks, (l->nblocks + 1) * sizeof(uint8_t *));
    l->blocks[l->nblocks++] = ys_xmalloc((size_t)BLOCK *
                                         (size_t)l->mh.sig_len);
  }
  if(!l->embed && !ys_minhash_sign(&l->mh, l->norm.data, l->norm.len,
                                   slot_sig(l, l->nslots), NULL))
    return YS_OK;
  if(l->nslots == l->aslots) {
    l->aslots = l->aslots ? l->aslots * 2 : 1024;
    l->slot_line = ys_xrealloc(l->slot_line, l->aslots * sizeof(uint32_t));
  }
  uint32_t slot = l->nslots++;
  l->slot_line[slot] = line;
  if(l->embed) {
    /* The text as it is: the model reads case and punctuation. The
     * signature is written when the vector comes back. */
    err = ys_embed_add(l->embed, ys_buf_str(&l->buf), l->buf.len, slot,
                       diag);
    if(err == YS_ERR_TOOBIG && diag) {
      char why[sizeof(diag->msg)];
      memcpy(why, diag->msg, sizeof(why));
      return ys_fail(diag, err, l->src.path, line, "%s", why);
    }
    return err;
  }
  return YS_OK;
oom:
  return ys_fail(diag, YS_ERR_NOMEM, l->src.path, line, "out of memory");
}

/* An embedding came back: its text's signature. */
static ys_err on_vector(void *ud, uint64_t slot, const float *v, size_t dims,
                        ys_diag *diag)
{
  lint *l = ud;
  return ys_minhash_project(&l->mh, v, dims, slot_sig(l, (uint32_t)slot),
                            diag);
}

/* Near-duplicates: for each band, signatures sorted by band key; within a
 * bucket each row is compared with the YS_DATA_LINT_NEIGHBOURS rows before
 * it. A row reports its most similar earlier row (the first on a tie). */
static void near_duplicates(lint *l)
{
  uint32_t n = l->nslots;
  l->r->texts = n;
  if(n < 2)
    return;
  uint64_t *sorted = ys_xmalloc((size_t)n * sizeof(uint64_t));
  uint64_t *tmp = ys_xmalloc((size_t)n * sizeof(uint64_t));
  float *best = ys_xmalloc((size_t)n * sizeof(float));
  uint32_t *partner = ys_xmalloc((size_t)n * sizeof(uint32_t));
  for(uint32_t i = 0; i < n; i++) {
    best[i] = -1;
    partner[i] = UINT32_MAX;
  }
  /* Compare in float: the stored best is a float too. */
  float t = (float)l->mh.threshold - 1e-6f;
  for(int band = 0; band < l->mh.bands; band++) {
    ys_minhash_band_sorted(&l->mh, sig_at, l, n, band, sorted, tmp);
    size_t start = 0;
    for(size_t p = 1; p <= n; p++) {
      if(p < n && sorted[p] >> 32 == sorted[start] >> 32)
        continue;
      /* bucket [start, p) */
      for(size_t q = start + 1; q < p; q++) {
        uint32_t j = (uint32_t)sorted[q];
        size_t from = q - start > YS_DATA_LINT_NEIGHBOURS
                      ? q - YS_DATA_LINT_NEIGHBOURS : start;
        for(size_t k = from; k < q; k++) {
          uint32_t i = (uint32_t)sorted[k];
          float s = (float)ys_minhash_similarity(&l->mh, slot_sig(l, i),
                                                 slot_sig(l, j));
          if(s >= t && (s > best[j] || (s == best[j] && i < partner[j]))) {
            best[j] = s;
            partner[j] = i;
          }
        }
      }
      start = p;
    }
  }
  for(uint32_t j = 0; j < n; j++)
    if(partner[j] != UINT32_MAX)
      ys_data_issue_add(l->r, YS_DATA_NEAR_DUPLICATE, l->slot_line[j],
                        l->slot_line[partner[j]], 0, 0, best[j]);
  free(sorted);
  free(tmp);
  free(best);
  free(partner);
}

/* Length outliers: the modified z-score (Iglewicz and Hoaglin) of the log
 * of each text's length in characters, 0.6745 (x - median) / MAD; when
 * the MAD is 0, (x - median) / (1.2533 * mean absolute deviation). */
static void length_outliers(lint *l)
{
  size_t n = l->nlen;
  l->r->nlengths = n;
  if(!n)
    return;
  double *v = ys_xmalloc(n * sizeof(double));
  for(size_t i = 0; i < n; i++)
    v[i] = log((double)l->len_chars[i]);
  double m = ys_stats_quantile(v, n, 0.5);
  double sum = 0;
  for(size_t i = 0; i < n; i++) {
    v[i] = fabs(v[i] - m);
    sum += v[i];
  }
  double mad = ys_stats_quantile(v, n, 0.5);
  free(v);
  double scale = mad > 0 ? mad / 0.6745 : 1.2533 * sum / (double)n;
  l->r->len_median = exp(m);
  l->r->len_low = scale > 0 ? exp(m - l->o->max_z * scale) : exp(m);
  l->r->len_high = scale > 0 ? exp(m + l->o->max_z * scale) : exp(m);
  if(n < YS_DATA_MIN_LENGTHS || scale <= 0)
    return;
  for(size_t i = 0; i < n; i++) {
    double z = (log((double)l->len_chars[i]) - m) / scale;
    if(fabs(z) > l->o->max_z)
      ys_data_issue_add(l->r, YS_DATA_LENGTH_OUTLIER, l->len_line[i], 0, 0,
                        l->len_chars[i], z);
  }
}

typedef struct label_row {
  uint64_t count;
  const char *name;
  uint32_t s;
} label_row;

static int label_cmp(const void *pa, const void *pb)
{
  const label_row *a = pa, *b = pb;
  if(a->count != b->count)
    return a->count > b->count ? -1 : 1;
  return strcmp(a->name, b->name);
}

/* Labels by count; a label is rare under opts->rare times the mean count
 * of the labels (when there are two or more). */
static void labels(lint *l)
{
  ys_data_report *r = l->r;
  size_t n = 0;
  for(size_t s = 0; s < l->alabel && s < r->strings.n; s++)
    n += l->label_count[s] > 0;
  r->nlabels = n;
  if(!n)
    return;
  label_row *v = ys_xmalloc(n * sizeof(*v));
  n = 0;
  for(size_t s = 0; s < l->alabel && s < r->strings.n; s++)
    if(l->label_count[s]) {
      v[n].count = l->label_count[s];
      v[n].name = r->strings.v[s];
      v[n++].s = (uint32_t)s;
    }
  qsort(v, n, sizeof(*v), label_cmp);
  r->labels = ys_xmalloc(n * sizeof(uint32_t));
  r->label_counts = ys_xmalloc(n * sizeof(uint64_t));
  r->label_flags = ys_xcalloc(n, 1);
  double mean = (double)r->labelled / (double)n;
  for(size_t i = 0; i < n; i++) {
    uint32_t s = v[i].s;
    r->labels[i] = s;
    r->label_counts[i] = v[i].count;
    if(l->label_state[s] == 2)
      r->label_flags[i] |= 2;
    if(n >= 2 && (double)v[i].count < l->o->rare * mean) {
      r->label_flags[i] |= 1;
      ys_data_issue_add(r, YS_DATA_RARE_LABEL, 0, 0, s, (uint32_t)v[i].count,
                        (double)v[i].count / (double)r->labelled);
    }
  }
  free(v);
}

static void lint_cleanup(lint *l)
{
  ys_data_src_close(&l->src);
  ys_embed_free(l->embed);
  ys_minhash_cleanup(&l->mh);
  ys_idmap_free(l->rows);
  ys_idmap_free(l->texts);
  ys_idmap_free(l->taxonomy);
  ys_buf_free(&l->buf);
  ys_buf_free(&l->norm);
  free(l->expected);
  free(l->expected_name);
  free(l->label_count);
  free(l->label_state);
  free(l->len_line);
  free(l->len_chars);
  for(size_t i = 0; i < l->nblocks; i++)
    free(l->blocks[i]);
  free(l->blocks);
  free(l->slot_line);
}

ys_err ys_data_lint(const char *path, const ys_data_opts *opts,
                    ys_data_report **out, ys_diag *diag)
{
  *out = NULL;
  ys_diag_clear(diag);
  lint l;
  memset(&l, 0, sizeof(l));
  l.o = opts;
  l.r = ys_data_report_new(YS_DATA_LINT);
  ys_buf_init(&l.buf, (size_t)64 << 20);
  ys_buf_init(&l.norm, (size_t)64 << 20);
  ys_data_report *r = l.r;
  r->path = ys_xstrdup(path);
  r->max_z = opts->max_z;
  r->rare = opts->rare;
  ys_err err = ys_data_sketch_init(&l.mh, &l.embed, opts, on_vector, &l, r,
                                   diag);
  if(!err && !(opts->max_z > 0))
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "length outlier z %g: "
                  "expected a number above 0", opts->max_z);
  if(!err && !(opts->rare >= 0 && opts->rare <= 1))
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "rare label share %g: "
                  "expected 0 to 1", opts->rare);
  if(!err && opts->taxonomy && !opts->label)
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "a taxonomy needs the label "
                  "field (--label FIELD) to check");
  if(err)
    goto out;
  if(opts->label)
    r->label = ys_xstrdup(opts->label);
  if(opts->taxonomy) {
    r->taxonomy = ys_xstrdup(opts->taxonomy);
    err = load_taxonomy(&l, opts->taxonomy, diag);
    if(err)
      goto out;
  }
  err = ys_data_src_open(&l.src, path, opts->format, opts->text,
                         opts->label, opts->id, NULL, 0, diag);
  if(err)
    goto out;
  r->format = ys_xstrdup(l.src.format);
  l.rows = ys_idmap_new();
  l.texts = ys_idmap_new();
  for(;;) {
    err = ys_data_src_next(&l.src, diag);
    if(err || !l.src.row)
      break;
    err = lint_row(&l, diag);
    if(err)
      break;
  }
  if(err)
    goto out;
  r->rows = l.src.nrows;
  if(!r->rows) {
    err = ys_fail(diag, YS_ERR_DATA, path, 0, "no rows");
    goto out;
  }
  if(l.embed) {
    err = ys_embed_flush(l.embed, diag);
    if(err)
      goto out;
    r->embed_dims = ys_embed_dims(l.embed);
  }
  /* What the pass no longer needs, before the larger work after it. */
  ys_idmap_free(l.rows);
  ys_idmap_free(l.texts);
  l.rows = l.texts = NULL;
  near_duplicates(&l);
  length_outliers(&l);
  labels(&l);
  ys_data_issues_sort(r);
out:
  lint_cleanup(&l);
  if(err) {
    ys_data_report_free(r);
    return err;
  }
  *out = r;
  return YS_OK;
}
