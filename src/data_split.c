/* SPDX-License-Identifier: MIT */
/*
 * data_split.c: `yardstick data split`: a reproducible train/eval split.
 * A first pass keeps 24 bytes per row: the seeded hash of the row's key,
 * its stratum, and where its bytes are in the file. The sides are then
 * decided, and a second, raw pass copies each row's bytes to a temporary
 * file beside each output, renamed into place once both are whole.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "json.h"
#include "xalloc.h"
#include "yardstick.h"

/* Mixed into the seed, so a split and other seeded choices made with the
 * same --seed (sampling in a run) are unrelated. */
#define SEED_SPLIT 0x73706c6974ull /* "split" */

typedef struct split {
  const ys_data_opts *o;
  ys_data_report *r;
  ys_data_src src;
  ys_buf buf;
  const char *key;      /* the key field, or NULL: the whole row */
  /* per row */
  uint64_t *hash;
  uint32_t *stratum;    /* index into r->strata; NULL unless stratified */
  uint64_t *start;      /* file offset of the row's first byte */
  uint32_t *len;        /* its bytes, up to and with its line end */
  uint8_t *eval;        /* decided side, 1 for eval */
  size_t n, a;
  uint64_t header_end;  /* CSV: the header's bytes end here */
  ys_dataset_kind src_kind;
  struct stat in_st;    /* the input when first read */
  ys_idmap *strata;     /* stratum value -> index */
  size_t astrata;
  /* outputs */
  char *tmp[2];
  FILE *out[2];
} split;

/* {====== first pass ====== */

static void grow_rows(split *s)
{
  if(s->n < s->a)
    return;
  s->a = s->a ? s->a * 2 : 4096;
  s->hash = ys_xrealloc(s->hash, s->a * sizeof(*s->hash));
  s->start = ys_xrealloc(s->start, s->a * sizeof(*s->start));
  s->len = ys_xrealloc(s->len, s->a * sizeof(*s->len));
  if(s->o->stratify)
    s->stratum = ys_xrealloc(s->stratum, s->a * sizeof(*s->stratum));
}

static uint32_t stratum_of(split *s, const char *v, size_t len,
                           ys_diag *diag, ys_err *err)
{
  ys_data_report *r = s->r;
  uint64_t old;
  if(!ys_idmap_put(s->strata, v, len, r->nstrata, &old))
    return (uint32_t)old;
  if(r->nstrata == YS_DATA_MAX_STRATA) {
    *err = ys_fail(diag, YS_ERR_DATA, s->src.path, s->src.line, "more "
                   "than %d distinct values of '%s': stratify by a label "
                   "field", YS_DATA_MAX_STRATA, s->o->stratify);
    return 0;
  }
  if(r->nstrata == s->astrata) {
    s->astrata = s->astrata ? s->astrata * 2 : 16;
    r->strata = ys_xrealloc(r->strata, s->astrata * sizeof(*r->strata));
  }
  ys_data_stratum *st = &r->strata[r->nstrata];
  memset(st, 0, sizeof(*st));
  st->name = len ? ys_data_intern(&r->strings, v, len) + 1u : 0;
  return (uint32_t)r->nstrata++;
}

static ys_err split_row(split *s, ys_diag *diag)
{
  const cJSON *row = s->src.row;
  ys_data_report *r = s->r;
  ys_err err = YS_OK;
  grow_rows(s);
  size_t i = s->n;
  /* The key: a field's value, or the whole row as canonical JSON (so a
   * row and its exact copy always land on the same side). */
  ys_buf_reset(&s->buf);
  if(s->key) {
    int present;
    err = ys_data_value_text(ys_json_path(row, s->key), &s->buf, &present);
    if(!err && !present)
      return ys_fail(diag, YS_ERR_DATA, s->src.path, s->src.line, "the "
                     "key field '%s' is missing or empty (every row needs "
                     "a key%s)", s->key, s->o->key ? "" : "; --key FIELD "
                     "names another field");
  }
  else
    err = ys_data_canonical(row, NULL, &s->buf);
  if(err)
    return ys_fail(diag, err, s->src.path, s->src.line, "%s",
                   err == YS_ERR_TOOBIG ? "row too long" : "out of memory");
  s->hash[i] = ys_hash64(ys_buf_str(&s->buf), s->buf.len,
                         s->o->seed ^ SEED_SPLIT);
  if(s->o->stratify) {
    int present;
    ys_buf_reset(&s->buf);
    err = ys_data_value_text(ys_json_path(row, s->o->stratify), &s->buf,
                             &present);
    if(err)
      return ys_fail(diag, err, s->src.path, s->src.line, "out of memory");
    s->stratum[i] = stratum_of(s, ys_buf_str(&s->buf), s->buf.len, diag,
                               &err);
    if(err)
      return err;
    r->strata[s->stratum[i]].rows++;
  }
  uint64_t start = s->src.ds->row_offset;
  uint64_t end = ys_data_src_pos(&s->src);
  if(end - start > UINT32_MAX)
    return ys_fail(diag, YS_ERR_TOOBIG, s->src.path, s->src.line, "row "
                   "longer than 4 GiB");
  s->start[i] = start;
  s->len[i] = (uint32_t)(end - start);
  s->n++;
  return YS_OK;
}

/* }====== */

/* {====== deciding ====== */

static int u64_cmp(const void *pa, const void *pb)
{
  uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
  return a < b ? -1 : a > b;
}

/* Stratified: in each stratum the round(holdout * rows) rows with the
 * smallest hashes go to eval (rows sharing the cut's hash, which share
 * their key, go with it). Exact shares; adding rows moves an existing row
 * only across its stratum's cut, at most one per row added. */
static void decide_strata(split *s)
{
  ys_data_report *r = s->r;
  size_t ns = r->nstrata;
  size_t *at = ys_xcalloc(ns + 1, sizeof(size_t));
  for(size_t k = 0; k < ns; k++)
    at[k + 1] = at[k] + r->strata[k].rows;
  uint64_t *v = ys_xmalloc((s->n ? s->n : 1) * sizeof(uint64_t));
  size_t *fill = ys_xmalloc((ns ? ns : 1) * sizeof(size_t));
  memcpy(fill, at, ns * sizeof(size_t));
  for(size_t i = 0; i < s->n; i++)
    v[fill[s->stratum[i]]++] = s->hash[i];
  uint64_t *cut = ys_xmalloc((ns ? ns : 1) * sizeof(uint64_t));
  uint8_t *none = ys_xcalloc(ns ? ns : 1, 1);
  for(size_t k = 0; k < ns; k++) {
    uint64_t rows = r->strata[k].rows;
    uint64_t want = (uint64_t)floor(r->holdout * (double)rows + 0.5);
    if(!want) {
      none[k] = 1;
      continue;
    }
    qsort(v + at[k], rows, sizeof(uint64_t), u64_cmp);
    cut[k] = v[at[k] + want - 1];
  }
  for(size_t i = 0; i < s->n; i++) {
    uint32_t k = s->stratum[i];
    s->eval[i] = !none[k] && s->hash[i] <= cut[k];
  }
  free(at);
  free(v);
  free(fill);
  free(cut);
  free(none);
}

/* Unstratified: a row is in eval when its hash is under holdout * 2^64,
 * whatever else is in the file, so adding rows never moves one. */
static void decide_hash(split *s)
{
  double c = ldexp(s->r->holdout, 64);
  uint64_t cut = c >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)c;
  for(size_t i = 0; i < s->n; i++)
    s->eval[i] = s->hash[i] < cut;
}

/* }====== */

/* {====== writing ====== */

/* An output must not be the input, the other output, or a directory. */
static ys_err check_output(const char *in, const char *out,
                           const char *other, const char *what,
                           ys_diag *diag)
{
  if(!out)
    return YS_OK;
  if(!*out)
    return ys_fail(diag, YS_ERR_USAGE, NULL, 0, "the %s file name is "
                   "empty", what);
  struct stat so, si;
  if(other && !strcmp(out, other))
    return ys_fail(diag, YS_ERR_USAGE, out, 0, "the train and eval files "
                   "must differ");
  if(stat(out, &so) != 0)
    return YS_OK;
  if(S_ISDIR(so.st_mode))
    return ys_fail(diag, YS_ERR_USAGE, out, 0, "is a directory, not a "
                   "file for the %s rows", what);
  if(stat(in, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
    return ys_fail(diag, YS_ERR_USAGE, out, 0, "is the input file: write "
                   "the %s rows elsewhere", what);
  struct stat sx;
  if(other && stat(other, &sx) == 0 && sx.st_dev == so.st_dev &&
     sx.st_ino == so.st_ino)
    return ys_fail(diag, YS_ERR_USAGE, out, 0, "the train and eval files "
                   "must differ");
  return YS_OK;
}

/* A new temporary file beside path, 0666 less the umask (a split is for
 * sharing; mkstemp makes 0600). */
static ys_err open_tmp(const char *path, char **tmp, FILE **f, ys_diag *diag)
{
  *tmp = ys_xasprintf("%s.tmp.XXXXXX", path);
  int fd = mkstemp(*tmp);
  if(fd < 0) {
    int e = errno;
    free(*tmp);
    *tmp = NULL;
    return ys_fail(diag, YS_ERR_IO, path, 0, "cannot write: %s",
                   strerror(e));
  }
  mode_t mask = umask(0);
  umask(mask);
  if(fchmod(fd, 0666 & ~mask) != 0 || !(*f = fdopen(fd, "wb"))) {
    int e = errno;
    close(fd);
    unlink(*tmp);
    free(*tmp);
    *tmp = NULL;
    return ys_fail(diag, YS_ERR_IO, path, 0, "cannot write: %s",
                   strerror(e));
  }
  return YS_OK;
}

/* Reads the input from offset *pos on: skips to from, then copies n bytes
 * to out[k] for each k set in mask. A failed write sets *failed to its k
 * and *failed_errno, and returns YS_ERR_IO with diag untouched (the
 * caller names the file);
 * *last is the last byte copied. */
static ys_err copy_bytes(FILE *in, const char *path, uint64_t *pos,
                         uint64_t from, uint64_t n, FILE **out, int mask,
                         int *failed, int *failed_errno, char *last,
                         char *buf, size_t cap, ys_diag *diag)
{
  while(*pos < from || n) {
    int skip = *pos < from;
    uint64_t want = skip ? from - *pos : n;
    size_t chunk = want < cap ? (size_t)want : cap;
    size_t got = fread(buf, 1, chunk, in);
    if(got < chunk) {
      if(ferror(in))
        return ys_fail(diag, YS_ERR_IO, path, 0, "read error: %s",
                       strerror(errno));
      return ys_fail(diag, YS_ERR_DATA, path, 0, "the file changed while "
                     "it was read (it is shorter now)");
    }
    *pos += got;
    if(skip)
      continue;
    n -= got;
    *last = buf[got - 1];
    for(int k = 0; k < 2; k++)
      if((mask & (1 << k)) && fwrite(buf, 1, got, out[k]) != got) {
        *failed = k;
        *failed_errno = errno;
        return YS_ERR_IO;
      }
  }
  return YS_OK;
}

static const char *side_name(int k)
{
  return k ? "eval" : "train";
}

static ys_err write_outputs(split *s, const char *path, ys_diag *diag)
{
  const char *paths[2] = { s->o->out_train, s->o->out_eval };
  ys_err err = YS_OK;
  int mask = 0;
  for(int k = 0; k < 2 && !err; k++)
    if(paths[k]) {
      err = open_tmp(paths[k], &s->tmp[k], &s->out[k], diag);
      mask |= 1 << k;
    }
  if(err)
    return err;
  FILE *in = fopen(path, "rb");
  if(!in)
    return ys_fail(diag, YS_ERR_IO, path, 0, "cannot open: %s",
                   strerror(errno));
  struct stat now;
  if(fstat(fileno(in), &now) != 0 || now.st_size != s->in_st.st_size ||
     now.st_mtime != s->in_st.st_mtime || now.st_ino != s->in_st.st_ino) {
    fclose(in);
    return ys_fail(diag, YS_ERR_DATA, path, 0, "the file changed while it "
                   "was read");
  }
  size_t cap = 64 * 1024;
  char *buf = ys_xmalloc(cap);
  uint64_t pos = 0, skip_bom = 0;
  int failed = -1; /* the output a write failed on, and why */
  int e = 0;
  char last = '\n';
  if(s->src_kind == YS_DATASET_JSONL) {
    /* A byte order mark belongs at the start of the input, not before its
     * first row wherever that lands. */
    char head[3];
    if(fread(head, 1, 3, in) == 3 && !memcmp(head, "\xEF\xBB\xBF", 3))
      skip_bom = 3;
    rewind(in);
  }
  /* The CSV header goes to both files. */
  err = copy_bytes(in, path, &pos, 0, s->header_end, s->out, mask, &failed,
                   &e, &last, buf, cap, diag);
  for(size_t i = 0; !err && i < s->n; i++) {
    int k = s->eval[i];
    if(!(mask & (1 << k)))
      continue;
    uint64_t from = s->start[i], n = s->len[i];
    if(from == 0 && skip_bom) {
      from += skip_bom;
      n -= skip_bom;
    }
    err = copy_bytes(in, path, &pos, from, n, s->out, 1 << k, &failed,
                     &e, &last, buf, cap, diag);
    /* The last row may lack its line end: a row after it must not join
     * it on one line. */
    if(!err && n && last != '\n' && fputc('\n', s->out[k]) == EOF) {
      failed = k;
      e = errno;
      err = YS_ERR_IO;
    }
  }
  free(buf);
  fclose(in);
  for(int k = 0; k < 2; k++) {
    if(!s->out[k])
      continue;
    int bad = fflush(s->out[k]) != 0 || ferror(s->out[k]);
    if(!bad && fsync(fileno(s->out[k])) != 0 && errno != EINVAL)
      bad = 1;
    if(bad && failed < 0)
      e = errno;
    if(fclose(s->out[k]) != 0 && !bad) {
      bad = 1;
      e = errno;
    }
    s->out[k] = NULL;
    if(bad && failed < 0 && !err)
      failed = k;
  }
  if(failed >= 0)
    return ys_fail(diag, YS_ERR_IO, paths[failed], 0, "cannot write the %s "
                   "rows: %s", side_name(failed), strerror(e));
  for(int k = 0; k < 2 && !err; k++) {
    if(!s->tmp[k])
      continue;
    if(rename(s->tmp[k], paths[k]) != 0)
      err = ys_fail(diag, YS_ERR_IO, paths[k], 0, "cannot rename into "
                    "place: %s", strerror(errno));
    else {
      free(s->tmp[k]);
      s->tmp[k] = NULL;
    }
  }
  return err;
}

/* }====== */

static void split_cleanup(split *s)
{
  ys_data_src_close(&s->src);
  ys_buf_free(&s->buf);
  free(s->hash);
  free(s->stratum);
  free(s->start);
  free(s->len);
  free(s->eval);
  ys_idmap_free(s->strata);
  for(int k = 0; k < 2; k++) {
    if(s->out[k])
      fclose(s->out[k]);
    if(s->tmp[k]) {
      unlink(s->tmp[k]);
      free(s->tmp[k]);
    }
  }
}

ys_err ys_data_split(const char *path, const ys_data_opts *opts,
                     ys_data_report **out, ys_diag *diag)
{
  *out = NULL;
  ys_diag_clear(diag);
  split s;
  memset(&s, 0, sizeof(s));
  s.o = opts;
  ys_data_report *r = s.r = ys_data_report_new(YS_DATA_SPLIT);
  ys_buf_init(&s.buf, (size_t)64 << 20);
  r->path = ys_xstrdup(path);
  r->holdout = opts->holdout;
  r->seed = opts->seed;
  ys_err err = YS_OK;
  if(!(opts->holdout > 0 && opts->holdout < 1))
    err = ys_fail(diag, YS_ERR_USAGE, NULL, 0, "holdout %g: expected a "
                  "share of rows above 0 and below 1 (0.1 for 10%%)",
                  opts->holdout);
  if(!err)
    err = check_output(path, opts->out_train, opts->out_eval, "train",
                       diag);
  if(!err)
    err = check_output(path, opts->out_eval, opts->out_train, "eval", diag);
  if(err)
    goto out;
  const char *need[2];
  size_t nneed = 0;
  if(opts->key)
    need[nneed++] = opts->key;
  if(opts->stratify)
    need[nneed++] = opts->stratify;
  err = ys_data_src_open(&s.src, path, opts->format, NULL, NULL, opts->id,
                         need, nneed, diag);
  if(err)
    goto out;
  /* The rows are copied in a second read of the file. */
  if(fstat(fileno(s.src.ds->f), &s.in_st) != 0 ||
     !S_ISREG(s.in_st.st_mode)) {
    err = ys_fail(diag, YS_ERR_USAGE, path, 0, "not a regular file: split "
                  "reads its input twice");
    goto out;
  }
  /* Splitting compares no text. */
  s.src.text_all = 0;
  r->format = ys_xstrdup(s.src.format);
  s.src_kind = s.src.kind;
  if(s.src.kind == YS_DATASET_CSV)
    s.header_end = ys_data_src_pos(&s.src);
  if(opts->stratify) {
    r->stratify = ys_xstrdup(opts->stratify);
    s.strata = ys_idmap_new();
  }
  for(;;) {
    err = ys_data_src_next(&s.src, diag);
    if(err || !s.src.row)
      break;
    if(s.src.nrows == 1) {
      s.key = opts->key ? opts->key : s.src.id;
      if(s.key)
        r->key = ys_xstrdup(s.key);
      if(s.src.id)
        r->id = ys_xstrdup(s.src.id);
    }
    err = split_row(&s, diag);
    if(err)
      break;
  }
  if(!err && !s.n)
    err = ys_fail(diag, YS_ERR_DATA, path, 0, "no rows");
  if(err)
    goto out;
  r->rows = s.n;
  ys_data_src_close(&s.src);
  s.eval = ys_xmalloc(s.n);
  if(opts->stratify)
    decide_strata(&s);
  else
    decide_hash(&s);
  for(size_t i = 0; i < s.n; i++) {
    if(s.eval[i])
      r->neval++;
    else
      r->ntrain++;
    if(opts->stratify) {
      ys_data_stratum *st = &r->strata[s.stratum[i]];
      if(s.eval[i])
        st->eval++;
      else
        st->train++;
    }
  }
  if(opts->out_train || opts->out_eval) {
    err = write_outputs(&s, path, diag);
    if(err)
      goto out;
  }
  if(opts->out_train)
    r->out_train = ys_xstrdup(opts->out_train);
  if(opts->out_eval)
    r->out_eval = ys_xstrdup(opts->out_eval);
  ys_data_strata_sort(r);
out:
  split_cleanup(&s);
  if(err) {
    ys_data_report_free(r);
    return err;
  }
  *out = r;
  return YS_OK;
}
