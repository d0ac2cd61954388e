/* SPDX-License-Identifier: MIT */
/*
 * data_leak.c: `yardstick data leak`: which evaluation rows appear in the
 * training set. The evaluation set is indexed (a hash per distinct
 * normalised text, a MinHash signature and its LSH band keys), then the
 * training set streams past it once: an equal text is an exact leak, a
 * text sharing a band and estimated similar enough a near one. With
 * embeddings, texts of both sets go to the API in batches; a training
 * text is matched when its vector comes back.
 */
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "json.h"
#include "xalloc.h"
#include "yardstick.h"

#define BLOCK 65536u

enum { NONE = 0, NEAR = 1, EXACT = 2 };

typedef struct leak {
  const ys_data_opts *o;
  ys_data_report *r;
  ys_minhash mh;
  ys_embed *embed;     /* NULL: MinHash */
  int training;        /* vectors now come from the training set */
  ys_buf buf, norm;
  ys_idmap *texts;     /* normalised eval text -> slot */
  /* eval rows: line and slot (UINT32_MAX: no text) */
  uint32_t *row_line, *row_slot;
  size_t nrows, arows;
  /* slots: one per distinct eval text */
  uint8_t **blocks;
  size_t nblocks;
  uint8_t *has_sig, *kind;
  float *best;
  uint32_t *train_line;
  uint32_t nslots;
  size_t aslots;
  uint64_t **band;     /* per band: key << 32 | slot, sorted */
} leak;

static uint8_t *slot_sig(leak *k, uint32_t i)
{
  return k->blocks[i / BLOCK] +
         (size_t)(i % BLOCK) * (size_t)k->mh.sig_len;
}

static const uint8_t *sig_at(uint32_t i, void *ctx)
{
  return slot_sig(ctx, i);
}

/* Normalises the current row's text into k->norm. */
static ys_err row_norm(leak *k, const ys_data_src *src, ys_diag *diag)
{
  ys_buf_reset(&k->buf);
  ys_err err = ys_data_row_text(src, src->row, &k->buf);
  if(!err)
    err = ys_minhash_normalize(k->buf.data ? k->buf.data : "", k->buf.len,
                               &k->norm);
  if(err == YS_ERR_TOOBIG)
    return ys_fail(diag, err, src->path, src->line, "text longer than "
                   "64 MiB");
  if(err)
    return ys_fail(diag, YS_ERR_NOMEM, src->path, src->line, "out of "
                   "memory");
  return YS_OK;
}

/* Queues the current row's text (in k->buf) for its embedding. */
static ys_err embed_text(leak *k, const ys_data_src *src, uint64_t tag,
                         ys_diag *diag)
{
  ys_err err = ys_embed_add(k->embed, ys_buf_str(&k->buf), k->buf.len, tag,
                            diag);
  if(err == YS_ERR_TOOBIG && diag) {
    char why[sizeof(diag->msg)];
    memcpy(why, diag->msg, sizeof(why));
    return ys_fail(diag, err, src->path, src->line, "%s", why);
  }
  return err;
}

static void match(leak *k, const uint8_t *sig, uint32_t line);

/* An embedding came back: an evaluation text's signature, or a training
 * text (tag: its line) to match. */
static ys_err on_vector(void *ud, uint64_t tag, const float *v, size_t dims,
                        ys_diag *diag)
{
  leak *k = ud;
  if(!k->training)
    return ys_minhash_project(&k->mh, v, dims, slot_sig(k, (uint32_t)tag),
                              diag);
  uint8_t sig[YS_MINHASH_K];
  ys_err err = ys_minhash_project(&k->mh, v, dims, sig, diag);
  if(!err)
    match(k, sig, (uint32_t)tag);
  return err;
}

static ys_err index_row(leak *k, const ys_data_src *src, ys_diag *diag)
{
  ys_err err = row_norm(k, src, diag);
  if(err)
    return err;
  if(k->nrows == k->arows) {
    k->arows = k->arows ? k->arows * 2 : 1024;
    k->row_line = ys_xrealloc(k->row_line, k->arows * sizeof(uint32_t));
    k->row_slot = ys_xrealloc(k->row_slot, k->arows * sizeof(uint32_t));
  }
  size_t r = k->nrows++;
  k->row_line[r] = (uint32_t)src->line;
  k->row_slot[r] = UINT32_MAX;
  if(!k->norm.len)
    return YS_OK;
  uint64_t old;
  if(!ys_idmap_put(k->texts, ys_buf_str(&k->norm), k->norm.len, k->nslots,
                   &old)) {
    k->row_slot[r] = (uint32_t)old;
    return YS_OK;
  }
  if(k->nslots == UINT32_MAX - 1)
    return ys_fail(diag, YS_ERR_TOOBIG, src->path, src->line, "more than "
                   "%lu distinct texts", (unsigned long)UINT32_MAX - 1);
  if(k->nslots % BLOCK == 0) {
    k->blocks = ys_xrealloc(k->blocks, (k->nblocks + 1) * sizeof(uint8_t *));
    k->blocks[k->nblocks++] = ys_xmalloc((size_t)BLOCK *
                                         (size_t)k->mh.sig_len);
  }
  if(k->nslots == k->aslots) {
    k->aslots = k->aslots ? k->aslots * 2 : 1024;
    k->has_sig = ys_xrealloc(k->has_sig, k->aslots);
  }
  uint32_t slot = k->nslots++;
  uint8_t *sig = slot_sig(k, slot);
  k->row_slot[r] = slot;
  if(k->embed) {
    /* Filled in when the vector comes back (on_vector). */
    k->has_sig[slot] = 1;
    memset(sig, 0, (size_t)k->mh.sig_len);
    return embed_text(k, src, slot, diag);
  }
  k->has_sig[slot] = (uint8_t)ys_minhash_sign(&k->mh, k->norm.data,
                                              k->norm.len, sig, NULL);
  if(!k->has_sig[slot])
    memset(sig, 0, (size_t)k->mh.sig_len);
  return YS_OK;
}

static void build_bands(leak *k)
{
  uint32_t n = k->nslots;
  k->kind = ys_xcalloc(n ? n : 1, 1);
  k->best = ys_xcalloc(n ? n : 1, sizeof(float));
  k->train_line = ys_xcalloc(n ? n : 1, sizeof(uint32_t));
  k->band = ys_xcalloc((size_t)k->mh.bands, sizeof(uint64_t *));
  uint64_t *tmp = ys_xmalloc(((size_t)n + 1) * sizeof(uint64_t));
  for(int b = 0; b < k->mh.bands; b++) {
    k->band[b] = ys_xmalloc(((size_t)n + 1) * sizeof(uint64_t));
    ys_minhash_band_sorted(&k->mh, sig_at, k, n, b, k->band[b], tmp);
  }
  free(tmp);
}

/* The first entry of a sorted band with key, or n. */
static size_t band_find(const uint64_t *v, size_t n, uint32_t key)
{
  size_t lo = 0, hi = n;
  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if((uint32_t)(v[mid] >> 32) < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && (uint32_t)(v[lo] >> 32) == key ? lo : n;
}

/* The evaluation texts that a training text of signature sig, on line,
 * is near. */
static void match(leak *k, const uint8_t *sig, uint32_t line)
{
  float t = (float)k->mh.threshold - 1e-6f;
  for(int b = 0; b < k->mh.bands; b++) {
    uint32_t key = ys_minhash_band_key(&k->mh, sig, b);
    const uint64_t *v = k->band[b];
    size_t n = k->nslots;
    size_t seen = 0;
    for(size_t p = band_find(v, n, key);
        p < n && (uint32_t)(v[p] >> 32) == key &&
        seen < YS_DATA_LEAK_NEIGHBOURS; p++, seen++) {
      uint32_t e = (uint32_t)v[p];
      if(!k->has_sig[e] || k->kind[e] == EXACT)
        continue;
      float s = (float)ys_minhash_similarity(&k->mh, slot_sig(k, e), sig);
      if(s >= t && (k->kind[e] == NONE || s > k->best[e])) {
        k->kind[e] = NEAR;
        k->best[e] = s;
        k->train_line[e] = line;
      }
    }
  }
}

static ys_err train_row(leak *k, const ys_data_src *src, uint8_t *sig,
                        ys_diag *diag)
{
  ys_err err = row_norm(k, src, diag);
  if(err || !k->norm.len)
    return err;
  uint32_t line = (uint32_t)src->line;
  uint64_t slot;
  if(ys_idmap_get(k->texts, ys_buf_str(&k->norm), k->norm.len, &slot)) {
    if(k->kind[slot] != EXACT) {
      k->kind[slot] = EXACT;
      k->best[slot] = 1;
      k->train_line[slot] = line;
    }
    return YS_OK;
  }
  if(k->embed)
    return embed_text(k, src, line, diag);
  if(ys_minhash_sign(&k->mh, k->norm.data, k->norm.len, sig, NULL))
    match(k, sig, line);
  return YS_OK;
}

/* A second look at the evaluation set, for the ids of the leaked rows. */
static ys_err leaked_ids(leak *k, const char *eval, const char *text,
                         ys_diag *diag)
{
  ys_data_src src;
  ys_err err = ys_data_src_open(&src, eval, k->o->format, text,
                                k->o->label, k->r->id, NULL, 0, diag);
  size_t i = 0; /* the next issue */
  while(!err && i < k->r->nissues) {
    err = ys_data_src_next(&src, diag);
    if(err || !src.row)
      break;
    ys_data_issue *is = &k->r->issues[i];
    if(is->line != (uint32_t)src.line)
      continue;
    ys_buf_reset(&k->buf);
    int present;
    err = ys_data_value_text(ys_json_path(src.row, k->r->id), &k->buf,
                             &present);
    if(err)
      err = ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "out of memory");
    else if(present)
      is->aux = ys_data_intern(&k->r->strings, ys_buf_str(&k->buf),
                               k->buf.len) + 1u;
    i++;
  }
  if(!err && i < k->r->nissues)
    err = ys_fail(diag, YS_ERR_DATA, eval, 0, "the file changed while it "
                  "was read");
  ys_data_src_close(&src);
  return err;
}

static void leak_cleanup(leak *k)
{
  ys_embed_free(k->embed);
  ys_minhash_cleanup(&k->mh);
  ys_buf_free(&k->buf);
  ys_buf_free(&k->norm);
  ys_idmap_free(k->texts);
  free(k->row_line);
  free(k->row_slot);
  for(size_t i = 0; i < k->nblocks; i++)
    free(k->blocks[i]);
  free(k->blocks);
  free(k->has_sig);
  free(k->kind);
  free(k->best);
  free(k->train_line);
  if(k->band)
    for(int b = 0; b < k->mh.bands; b++)
      free(k->band[b]);
  free(k->band);
}

ys_err ys_data_leak(const char *train, const char *eval,
                    const ys_data_opts *opts, ys_data_report **out,
                    ys_diag *diag)
{
  *out = NULL;
  ys_diag_clear(diag);
  leak k;
  memset(&k, 0, sizeof(k));
  k.o = opts;
  k.r = ys_data_report_new(YS_DATA_LEAK);
  ys_data_report *r = k.r;
  ys_buf_init(&k.buf, (size_t)64 << 20);
  ys_buf_init(&k.norm, (size_t)64 << 20);
  r->path = ys_xstrdup(train);
  r->path2 = ys_xstrdup(eval);
  ys_data_src src;
  memset(&src, 0, sizeof(src));
  ys_err err = ys_data_sketch_init(&k.mh, &k.embed, opts, on_vector, &k, r,
                                   diag);
  if(err)
    goto out;
  k.texts = ys_idmap_new();
  /* The evaluation set first: it is indexed. */
  err = ys_data_src_open(&src, eval, opts->format, opts->text, opts->label,
                         opts->id, NULL, 0, diag);
  if(err)
    goto out;
  r->format = ys_xstrdup(src.format);
  for(;;) {
    err = ys_data_src_next(&src, diag);
    if(err || !src.row)
      break;
    err = index_row(&k, &src, diag);
    if(err)
      break;
  }
  if(!err && !src.nrows)
    err = ys_fail(diag, YS_ERR_DATA, eval, 0, "no rows");
  if(!err && k.embed)
    err = ys_embed_flush(k.embed, diag);
  if(err)
    goto out;
  k.training = 1;
  r->rows2 = src.nrows;
  r->texts = k.nslots;
  /* Both sides compare the same fields: the evaluation set's. */
  ys_buf_reset(&k.buf);
  for(size_t i = 0; i < src.ntext; i++)
    if((i && ys_buf_addc(&k.buf, ',')) || ys_buf_adds(&k.buf, src.text[i])) {
      err = ys_fail(diag, YS_ERR_NOMEM, NULL, 0, "out of memory");
      goto out;
    }
  r->text = ys_xstrdup(ys_buf_str(&k.buf));
  if(src.id)
    r->id = ys_xstrdup(src.id);
  if(opts->label)
    r->label = ys_xstrdup(opts->label);
  ys_data_src_close(&src);
  build_bands(&k);
  err = ys_data_src_open(&src, train, opts->format, r->text, NULL, NULL,
                         NULL, 0, diag);
  if(err)
    goto out;
  uint8_t sig[YS_MINHASH_K];
  for(;;) {
    err = ys_data_src_next(&src, diag);
    if(err || !src.row)
      break;
    err = train_row(&k, &src, sig, diag);
    if(err)
      break;
  }
  if(!err && !src.nrows)
    err = ys_fail(diag, YS_ERR_DATA, train, 0, "no rows");
  if(!err && k.embed) {
    err = ys_embed_flush(k.embed, diag);
    r->embed_dims = ys_embed_dims(k.embed);
  }
  if(err)
    goto out;
  r->rows = src.nrows;
  ys_data_src_close(&src);
  for(size_t i = 0; i < k.nrows; i++) {
    uint32_t s = k.row_slot[i];
    if(s == UINT32_MAX || k.kind[s] == NONE)
      continue;
    ys_data_issue_add(r, k.kind[s] == EXACT ? YS_DATA_LEAK_EXACT
                                            : YS_DATA_LEAK_NEAR,
                      k.row_line[i], k.train_line[s], 0, 0, k.best[s]);
    r->eval_leaked++;
  }
  if(r->id && r->nissues)
    err = leaked_ids(&k, eval, r->text, diag);
out:
  ys_data_src_close(&src);
  leak_cleanup(&k);
  if(err) {
    ys_data_report_free(r);
    return err;
  }
  *out = r;
  return YS_OK;
}
