/* SPDX-License-Identifier: MIT */
/*
 * check_data.c: unit tests for the dataset checks (data.h, minhash.h and
 * the ys_data_* API): MinHash estimates against true Jaccard similarities
 * computed here from the shingle sets, the LSH candidate probability
 * against what the bands actually catch, lint counts on small files with
 * planted problems, leaks, and the split's reproducibility, stratification
 * and stability; SimHash estimates of the cosine of random vectors. Files are written to a temporary directory removed at
 * the end; run by `make check`.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "embed.h"
#include "minhash.h"
#include "yardstick.h"

/* {====== helpers ====== */

static char tmpdir[256];

/* Paths handed out by path_of, freed at exit (tests may run in one
 * process under valgrind, CK_FORK=no). */
#define MAX_PATHS 4096
static char *paths[MAX_PATHS];
static size_t npaths;

static const char *path_of(const char *name)
{
  ck_assert_uint_lt(npaths, MAX_PATHS);
  size_t len = strlen(tmpdir) + strlen(name) + 2;
  char *p = malloc(len);
  ck_assert_ptr_nonnull(p);
  snprintf(p, len, "%s/%s", tmpdir, name);
  paths[npaths++] = p;
  return p;
}

static const char *write_file(const char *name, const char *text)
{
  const char *p = path_of(name);
  FILE *f = fopen(p, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
  ck_assert_int_eq(fclose(f), 0);
  return p;
}

/* The whole file (owned), or NULL when it does not exist. */
static char *read_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if(!f)
    return NULL;
  size_t cap = 4096, len = 0;
  char *s = malloc(cap);
  ck_assert_ptr_nonnull(s);
  size_t n;
  while((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if(cap - len < 2) {
      cap *= 2;
      s = realloc(s, cap);
      ck_assert_ptr_nonnull(s);
    }
  }
  fclose(f);
  s[len] = '\0';
  return s;
}

static size_t count_lines(const char *s)
{
  size_t n = 0;
  for(; *s; s++)
    n += *s == '\n';
  return n;
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

/* A small deterministic generator for test texts. */
static uint64_t lcg = 12345;
static unsigned rnd(unsigned n)
{
  lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
  return (unsigned)((lcg >> 33) % n);
}

static const char *words[] = {
  "red", "blue", "green", "cotton", "shirt", "dress", "steel", "knife",
  "pan", "lamp", "desk", "chair", "soft", "large", "small", "set", "pack",
  "wireless", "mouse", "keyboard", "phone", "case", "yoga", "mat", "tent",
  "camping", "puzzle", "book", "cream", "leash", "pen", "wool", "silk",
  "glass", "jar", "mug", "bowl", "plate", "towel", "pillow", "blanket",
  "bag", "shoe", "boot", "hat", "scarf", "glove", "watch", "ring", "lens",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* n random words into buf. */
static void random_text(char *buf, size_t cap, int n)
{
  size_t len = 0;
  buf[0] = '\0';
  for(int i = 0; i < n; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "",
                            words[rnd(NWORDS)]);
}

static ys_data_report *lint_ok(const char *path, const ys_data_opts *o)
{
  ys_data_report *r = NULL;
  ys_diag d;
  ys_err err = ys_data_lint(path, o, &r, &d);
  ck_assert_msg(err == YS_OK, "lint %s: %s:%ld: %s", path, d.file, d.line,
                d.msg);
  return r;
}

static ys_err lint_fails(const char *path, const ys_data_opts *o,
                         ys_diag *d)
{
  ys_data_report *r = NULL;
  ys_err err = ys_data_lint(path, o, &r, d);
  ck_assert_msg(err != YS_OK, "lint %s: expected an error", path);
  ck_assert_ptr_null(r);
  return err;
}

/* The issues of kind k as "line/other" pairs, space separated. */
static char *issues_of(const ys_data_report *r, ys_data_kind k)
{
  static char buf[4096];
  size_t len = 0;
  buf[0] = '\0';
  for(size_t i = 0; i < r->nissues; i++)
    if(r->issues[i].kind == k)
      len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%u/%u",
                              len ? " " : "", r->issues[i].line,
                              r->issues[i].other);
  return buf;
}

/* }====== */

/* {====== minhash ====== */

static double sign_sim(ys_minhash *mh, const char *a, const char *b)
{
  uint8_t sa[YS_MINHASH_K], sb[YS_MINHASH_K];
  ys_buf n;
  ys_buf_init(&n, 1 << 20);
  ck_assert_int_eq(ys_minhash_normalize(a, strlen(a), &n), YS_OK);
  ck_assert_int_eq(ys_minhash_sign(mh, n.data, n.len, sa, NULL), 1);
  ck_assert_int_eq(ys_minhash_normalize(b, strlen(b), &n), YS_OK);
  ck_assert_int_eq(ys_minhash_sign(mh, n.data, n.len, sb, NULL), 1);
  ys_buf_free(&n);
  return ys_minhash_similarity(mh, sa, sb);
}

/* The true Jaccard similarity of the character 5-gram sets of two ASCII
 * texts (already lower case, single spaces), computed the slow way. */
static double true_jaccard(const char *a, const char *b, size_t k)
{
  size_t na = strlen(a) - k + 1, nb = strlen(b) - k + 1;
  size_t inter = 0, ua = 0;
  for(size_t i = 0; i < na; i++) {
    int dup = 0;
    for(size_t j = 0; j < i && !dup; j++)
      dup = !memcmp(a + i, a + j, k);
    if(dup)
      continue;
    ua++;
    int in_b = 0;
    for(size_t j = 0; j < nb && !in_b; j++)
      in_b = !memcmp(a + i, b + j, k);
    inter += in_b;
  }
  size_t ub = 0;
  for(size_t i = 0; i < nb; i++) {
    int dup = 0;
    for(size_t j = 0; j < i && !dup; j++)
      dup = !memcmp(b + i, b + j, k);
    ub += !dup;
  }
  return (double)inter / (double)(ua + ub - inter);
}

START_TEST(test_minhash_identical_texts_are_one)
{
  ys_minhash mh;
  ck_assert_int_eq(ys_minhash_init(&mh, YS_SHINGLE_CHAR, 5, 0.8, NULL),
                   YS_OK);
  ck_assert_double_eq(sign_sim(&mh, "Men's cotton crew neck t-shirt",
                               "Men's cotton crew neck t-shirt"), 1.0);
  /* Case and blanks do not count. */
  ck_assert_double_eq(sign_sim(&mh, "Men's  Cotton crew\tneck T-SHIRT ",
                               "men's cotton crew neck t-shirt"), 1.0);
  ys_minhash_cleanup(&mh);
}
END_TEST

START_TEST(test_minhash_disjoint_texts_are_near_zero)
{
  ys_minhash mh;
  ck_assert_int_eq(ys_minhash_init(&mh, YS_SHINGLE_CHAR, 5, 0.8, NULL),
                   YS_OK);
  double s = sign_sim(&mh, "stainless steel chef knife with wooden handle",
                      "organic green tea leaves in a paper bag");
  ck_assert_msg(s < 0.06, "disjoint texts: %g", s);
  ys_minhash_cleanup(&mh);
}
END_TEST

START_TEST(test_minhash_estimates_true_jaccard)
{
  ys_minhash mh;
  ck_assert_int_eq(ys_minhash_init(&mh, YS_SHINGLE_CHAR, 5, 0.8, NULL),
                   YS_OK);
  char a[512], b[512];
  double worst = 0;
  for(int t = 0; t < 60; t++) {
    random_text(a, sizeof(a), 16);
    /* b: a with the last `change` words replaced */
    int change = t % 12;
    snprintf(b, sizeof(b), "%s", a);
    for(int c = 0; c < change; c++) {
      char *sp = strrchr(b, ' ');
      *sp = '\0';
    }
    for(int c = 0; c < change; c++) {
      size_t len = strlen(b);
      snprintf(b + len, sizeof(b) - len, " x%s", words[rnd(NWORDS)]);
    }
    double j = true_jaccard(a, b, 5);
    double e = sign_sim(&mh, a, b);
    if(fabs(e - j) > worst)
      worst = fabs(e - j);
    /* 128 values: a standard error of at most 0.045. */
    ck_assert_msg(fabs(e - j) < 0.16, "estimate %g, true %g for '%s' / "
                  "'%s'", e, j, a, b);
  }
  ck_assert_msg(worst > 0, "estimates are never off: the test is broken");
  ys_minhash_cleanup(&mh);
}
END_TEST

START_TEST(test_minhash_lsh_params_catch_the_threshold)
{
  for(double t = 0.5; t <= 1.0001; t += 0.05) {
    int rows, bands;
    ys_minhash_lsh_params(t, &rows, &bands);
    ck_assert_int_ge(rows, 1);
    ck_assert_int_le(rows * bands, YS_MINHASH_K);
    ck_assert_msg(ys_minhash_candidate_prob(t, rows, bands) >= 0.99,
                  "t %g: %d x %d catches %g", t, bands, rows,
                  ys_minhash_candidate_prob(t, rows, bands));
  }
  int rows, bands;
  ys_minhash_lsh_params(0.8, &rows, &bands);
  /* Unrelated texts rarely become candidates. */
  ck_assert_double_lt(ys_minhash_candidate_prob(0.2, rows, bands), 0.01);
  /* The probability grows with the similarity. */
  double last = 0;
  for(double j = 0; j <= 1.0001; j += 0.1) {
    double p = ys_minhash_candidate_prob(j, rows, bands);
    ck_assert_double_ge(p, last);
    last = p;
  }
  ck_assert_double_eq_tol(ys_minhash_candidate_prob(1, rows, bands), 1,
                          1e-12);
}
END_TEST

/* Whether two signatures share a band. */
static int candidates(const ys_minhash *mh, const uint8_t *a,
                      const uint8_t *b)
{
  for(int band = 0; band < mh->bands; band++)
    if(ys_minhash_band_key(mh, a, band) == ys_minhash_band_key(mh, b, band))
      return 1;
  return 0;
}

START_TEST(test_minhash_bands_catch_as_predicted)
{
  ys_minhash mh;
  ck_assert_int_eq(ys_minhash_init(&mh, YS_SHINGLE_CHAR, 5, 0.8, NULL),
                   YS_OK);
  ys_buf n;
  ys_buf_init(&n, 1 << 20);
  char a[512], b[520], c[512];
  int near = 0, far = 0, pairs = 400;
  double expect = 0;
  for(int t = 0; t < pairs; t++) {
    random_text(a, sizeof(a), 20);
    random_text(c, sizeof(c), 20);
    /* b: a with its first letter replaced by two others */
    snprintf(b, sizeof(b), "zz%s", a + 1);
    uint8_t sa[YS_MINHASH_K], sb[YS_MINHASH_K], sc[YS_MINHASH_K];
    ck_assert_int_eq(ys_minhash_normalize(a, strlen(a), &n), YS_OK);
    ys_minhash_sign(&mh, n.data, n.len, sa, NULL);
    ck_assert_int_eq(ys_minhash_normalize(b, strlen(b), &n), YS_OK);
    ys_minhash_sign(&mh, n.data, n.len, sb, NULL);
    ck_assert_int_eq(ys_minhash_normalize(c, strlen(c), &n), YS_OK);
    ys_minhash_sign(&mh, n.data, n.len, sc, NULL);
    near += candidates(&mh, sa, sb);
    far += candidates(&mh, sa, sc);
    expect += ys_minhash_candidate_prob(true_jaccard(a, b, 5), mh.rows,
                                        mh.bands);
  }
  /* Pairs a word apart (Jaccard about 0.9) are caught as often as the
   * formula says, within a few standard errors; random pairs of texts
   * from the same 50 words almost never. */
  ck_assert_msg(fabs(near - expect) < 12, "near pairs caught %d, "
                "predicted %.1f", near, expect);
  ck_assert_int_ge(near, pairs * 95 / 100);
  ck_assert_msg(far <= pairs / 50, "unrelated pairs caught %d", far);
  ys_buf_free(&n);
  ys_minhash_cleanup(&mh);
}
END_TEST

START_TEST(test_minhash_normalize_folds_unicode)
{
  ys_buf n;
  ys_buf_init(&n, 1024);
  const char *full = "\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3  Caf\xC3\xA9";
  ck_assert_int_eq(ys_minhash_normalize(full, strlen(full), &n), YS_OK);
  ck_assert_str_eq(ys_buf_str(&n), "abc caf\xC3\xA9");
  const char *decomposed = "CAFE\xCC\x81";
  ck_assert_int_eq(ys_minhash_normalize(decomposed, strlen(decomposed), &n),
                   YS_OK);
  ck_assert_str_eq(ys_buf_str(&n), "caf\xC3\xA9");
  ck_assert_int_eq(ys_minhash_normalize(" \t\n ", 4, &n), YS_OK);
  ck_assert_uint_eq(n.len, 0);
  ys_buf_free(&n);
}
END_TEST

START_TEST(test_minhash_word_shingles)
{
  ys_minhash mh;
  ck_assert_int_eq(ys_minhash_init(&mh, YS_SHINGLE_WORD, 2, 0.8, NULL),
                   YS_OK);
  uint8_t s[YS_MINHASH_K];
  size_t k;
  ck_assert_int_eq(ys_minhash_sign(&mh, "a b c d", 7, s, &k), 1);
  ck_assert_uint_eq(k, 3);
  /* Punctuation is not a word. */
  ck_assert_int_eq(ys_minhash_sign(&mh, "-- !!", 5, s, &k), 0);
  ck_assert_uint_eq(k, 0);
  /* Word order matters to bigrams, not to what the words are. */
  ck_assert_double_eq(sign_sim(&mh, "blue cotton shirt", "blue, cotton; "
                               "shirt!"), 1.0);
  ck_assert_double_lt(sign_sim(&mh, "blue cotton shirt", "shirt cotton "
                               "blue"), 0.2);
  ys_minhash_cleanup(&mh);
}
END_TEST

START_TEST(test_minhash_bad_settings_fail)
{
  ys_shingle_kind kind;
  int n;
  ys_diag d;
  ck_assert_int_eq(ys_minhash_parse_shingle("word:3", &kind, &n, &d), YS_OK);
  ck_assert_int_eq(kind, YS_SHINGLE_WORD);
  ck_assert_int_eq(n, 3);
  const char *bad[] = { "char", "char:", "char:0", "char:33", "byte:5",
                        "char:-1", "char:5x", "" };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ck_assert_int_eq(ys_minhash_parse_shingle(bad[i], &kind, &n, &d),
                     YS_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(d.msg, "expected char:N or word:N"));
  }
  ys_minhash mh;
  ck_assert_int_eq(ys_minhash_init(&mh, YS_SHINGLE_CHAR, 5, 0.4, &d),
                   YS_ERR_USAGE);
  ck_assert_str_eq(d.msg, "similarity threshold 0.4: expected 0.5 to 1");
  ys_minhash_cleanup(&mh);
}
END_TEST

/* A random unit-free vector of n normal values. */
static void random_vector(float *v, size_t n)
{
  for(size_t i = 0; i < n; i += 2) {
    double u = (rnd(1u << 30) + 0.5) / (double)(1u << 30);
    double w = rnd(1u << 30) / (double)(1u << 30);
    double r = sqrt(-2 * log(u));
    v[i] = (float)(r * cos(6.283185307179586 * w));
    if(i + 1 < n)
      v[i + 1] = (float)(r * sin(6.283185307179586 * w));
  }
}

static double cosine(const float *a, const float *b, size_t n)
{
  double ab = 0, aa = 0, bb = 0;
  for(size_t i = 0; i < n; i++) {
    ab += (double)a[i] * b[i];
    aa += (double)a[i] * a[i];
    bb += (double)b[i] * b[i];
  }
  return ab / sqrt(aa * bb);
}

START_TEST(test_simhash_estimates_cosine)
{
  ys_minhash mh;
  ys_diag d;
  ck_assert_int_eq(ys_minhash_init_simhash(&mh, 0.9, &d), YS_OK);
  ck_assert_int_eq(mh.sig_len, YS_SIMHASH_BITS / 8);
  enum { DIMS = 96 };
  float a[DIMS], b[DIMS], noise[DIMS];
  uint8_t sa[YS_MINHASH_K], sb[YS_MINHASH_K];
  double worst = 0;
  for(int t = 0; t < 40; t++) {
    random_vector(a, DIMS);
    random_vector(noise, DIMS);
    /* b = a + eps * noise: cosines from 1 down to about 0.4 */
    double eps = t * 0.05;
    for(int i = 0; i < DIMS; i++)
      b[i] = a[i] + (float)eps * noise[i];
    ck_assert_int_eq(ys_minhash_project(&mh, a, DIMS, sa, &d), YS_OK);
    ck_assert_int_eq(ys_minhash_project(&mh, b, DIMS, sb, &d), YS_OK);
    double c = cosine(a, b, DIMS), e = ys_minhash_similarity(&mh, sa, sb);
    if(!t)
      ck_assert_double_eq(e, 1.0);
    /* Within four standard errors: the share p = angle / pi of 512 bits
     * differ, p's error is sqrt(p (1 - p) / 512), the cosine's that times
     * pi sin(angle). */
    double ang = acos(c > 1 ? 1 : c), p = ang / 3.141592653589793;
    double se = 3.141592653589793 * sin(ang) * sqrt(p * (1 - p) / 512);
    ck_assert_msg(fabs(e - c) <= 4 * se + 0.01, "cosine %g estimated %g "
                  "(standard error %g)", c, e, se);
    if(fabs(e - c) > worst)
      worst = fabs(e - c);
  }
  ck_assert_double_gt(worst, 0);
  /* Opposite vectors: -1; the length does not matter. */
  for(int i = 0; i < DIMS; i++)
    b[i] = -3 * a[i];
  ck_assert_int_eq(ys_minhash_project(&mh, b, DIMS, sb, &d), YS_OK);
  ck_assert_int_eq(ys_minhash_project(&mh, a, DIMS, sa, &d), YS_OK);
  ck_assert_double_eq_tol(ys_minhash_similarity(&mh, sa, sb), -1, 1e-9);
  /* Every vector after the first has its length. */
  ck_assert_int_eq(ys_minhash_project(&mh, a, DIMS - 1, sa, &d),
                   YS_ERR_MODEL);
  ck_assert_str_eq(d.msg, "an embedding of 95 dimensions after ones of 96");
  ys_minhash_cleanup(&mh);
  ck_assert_int_eq(ys_minhash_init_simhash(&mh, 0.3, &d), YS_ERR_USAGE);
  ck_assert_str_eq(d.msg, "cosine similarity threshold 0.3: expected 0.5 "
                   "to 1");
  ys_minhash_cleanup(&mh);
}
END_TEST

START_TEST(test_simhash_bands_catch_the_threshold)
{
  for(double t = 0.5; t <= 1.0001; t += 0.05) {
    int rows, bands;
    ys_minhash_simhash_params(t, &rows, &bands);
    ck_assert_int_le(rows * bands, YS_SIMHASH_BITS);
    ck_assert_msg(ys_minhash_simhash_prob(t, rows, bands) >= 0.99,
                  "t %g: %d x %d catches %g", t, bands, rows,
                  ys_minhash_simhash_prob(t, rows, bands));
  }
  /* At 0.95, vectors at right angles almost never share a band, and
   * pairs at the threshold are caught as the formula says. */
  ys_minhash mh;
  ys_diag d;
  ck_assert_int_eq(ys_minhash_init_simhash(&mh, 0.95, &d), YS_OK);
  ck_assert_double_lt(ys_minhash_simhash_prob(0, mh.rows, mh.bands), 1e-3);
  enum { DIMS = 64, PAIRS = 300 };
  float a[DIMS], b[DIMS], noise[DIMS];
  uint8_t sa[YS_MINHASH_K], sb[YS_MINHASH_K];
  int caught = 0;
  double expect = 0;
  for(int t = 0; t < PAIRS; t++) {
    random_vector(a, DIMS);
    random_vector(noise, DIMS);
    for(int i = 0; i < DIMS; i++)
      b[i] = a[i] + 0.3f * noise[i];
    ck_assert_int_eq(ys_minhash_project(&mh, a, DIMS, sa, &d), YS_OK);
    ck_assert_int_eq(ys_minhash_project(&mh, b, DIMS, sb, &d), YS_OK);
    caught += candidates(&mh, sa, sb);
    expect += ys_minhash_simhash_prob(cosine(a, b, DIMS), mh.rows,
                                      mh.bands);
  }
  ck_assert_msg(fabs(caught - expect) < 15, "caught %d, predicted %.1f",
                caught, expect);
  ys_minhash_cleanup(&mh);
}
END_TEST

START_TEST(test_embed_options_are_checked)
{
  ys_embed *e = NULL;
  ys_diag d;
  ys_embed_opts o = { "ftp://example.org/v1", "m", NULL, 64, 0 };
  ck_assert_int_eq(ys_embed_new(&o, NULL, NULL, &e, &d), YS_ERR_USAGE);
  ck_assert_str_eq(d.msg, "embeddings URL 'ftp://example.org/v1': expected "
                   "http(s)://HOST[:PORT]/v1");
  o.url = "http://127.0.0.1:9/v1";
  o.model = NULL;
  ck_assert_int_eq(ys_embed_new(&o, NULL, NULL, &e, &d), YS_ERR_USAGE);
  ck_assert_str_eq(d.msg, "embeddings need a model name (--embed-model)");
  o.model = "m";
  o.batch = 0;
  ck_assert_int_eq(ys_embed_new(&o, NULL, NULL, &e, &d), YS_ERR_USAGE);
  o.batch = 4;
  ck_assert_int_eq(ys_embed_new(&o, NULL, NULL, &e, &d), YS_OK);
  ck_assert_ptr_nonnull(e);
  ck_assert_uint_eq(ys_embed_count(e), 0);
  ck_assert_uint_eq(ys_embed_dims(e), 0);
  /* Nothing queued: nothing sent (port 9 would refuse). */
  ck_assert_int_eq(ys_embed_flush(e, &d), YS_OK);
  ys_embed_free(e);
  ys_embed_free(NULL);
}
END_TEST

/* }====== */

/* {====== lint ====== */

/* Twelve rows: line 3 repeats line 1 (another id), line 4 is line 1 with
 * one word changed, line 6 lacks its text, line 7's text is blank, line 9
 * has line 2's text under another label, line 13 has line 10's text in
 * another case. */
static const char planted[] =
  "{\"id\": 1, \"text\": \"Men's cotton crew neck t-shirt, navy blue, "
  "size M\", \"label\": \"Apparel\"}\n"
  "{\"id\": 2, \"text\": \"Stainless steel chef knife with 8 inch blade\", "
  "\"label\": \"Kitchen\"}\n"
  "{\"id\": 3, \"text\": \"Men's cotton crew neck t-shirt, navy blue, "
  "size M\", \"label\": \"Apparel\"}\n"
  "{\"id\": 4, \"text\": \"Men's cotton crew neck t-shirt, navy blue, "
  "size L\", \"label\": \"Apparel\"}\n"
  "{\"id\": 5, \"text\": \"Ceramic coffee mug 12 oz white\", \"label\": "
  "\"Kitchen\"}\n"
  "{\"id\": 6, \"label\": \"Kitchen\"}\n"
  "{\"id\": 7, \"text\": \"   \", \"label\": \"Kitchen\"}\n"
  "{\"id\": 8, \"text\": \"Wireless bluetooth headphones\", \"label\": "
  "\"Electronics\"}\n"
  "{\"id\": 9, \"text\": \"Stainless steel chef knife with 8 inch blade\", "
  "\"label\": \"Tools\"}\n"
  "{\"id\": 10, \"text\": \"Yoga mat non slip 6mm thick purple\", "
  "\"label\": \"Sports\"}\n"
  "\n"
  "{\"id\": 11, \"text\": \"Garden hose 50 ft expandable\", \"label\": "
  "\"Garden\"}\n"
  "{\"id\": 12, \"text\": \"YOGA MAT non slip  6mm thick purple\", "
  "\"label\": \"Sports\"}\n";

START_TEST(test_lint_finds_planted_problems)
{
  const char *p = write_file("planted.jsonl", planted);
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.label = "label";
  ys_data_report *r = lint_ok(p, &o);
  ck_assert_uint_eq(r->rows, 12);
  ck_assert_str_eq(r->text, "text");
  ck_assert_str_eq(r->id, "id");
  ck_assert_str_eq(issues_of(r, YS_DATA_DUPLICATE), "3/1");
  ck_assert_str_eq(issues_of(r, YS_DATA_NEAR_DUPLICATE), "4/1");
  ck_assert_str_eq(issues_of(r, YS_DATA_LABEL_CONFLICT), "9/2");
  ck_assert_str_eq(issues_of(r, YS_DATA_DUPLICATE_TEXT), "13/10");
  ck_assert_str_eq(issues_of(r, YS_DATA_MISSING_FIELD), "6/0");
  ck_assert_str_eq(issues_of(r, YS_DATA_EMPTY_FIELD), "7/0");
  ck_assert_uint_eq(r->counts[YS_DATA_LENGTH_OUTLIER], 0);
  ck_assert_uint_eq(r->counts[YS_DATA_RARE_LABEL], 0);
  ck_assert_uint_eq(r->nissues, 6);
  ck_assert_int_eq(ys_data_report_problems(r), 6);
  /* Labels by count, then name. */
  ck_assert_uint_eq(r->nlabels, 6);
  ck_assert_str_eq(r->strings.v[r->labels[0]], "Kitchen");
  ck_assert_uint_eq(r->label_counts[0], 4);
  ck_assert_str_eq(r->strings.v[r->labels[1]], "Apparel");
  ck_assert_str_eq(r->strings.v[r->labels[5]], "Tools");
  ys_data_report_free(r);
}
END_TEST

START_TEST(test_lint_clean_file_has_no_issues)
{
  const char *p = write_file("clean.csv",
    "sku,title,category\n"
    "a1,Wireless optical mouse,Electronics\n"
    "a2,Mechanical keyboard with brown switches,Electronics\n"
    "a3,Nonstick frying pan 28 cm,Kitchen\n"
    "a4,Electric kettle 1.7 litres,Kitchen\n"
    "a5,Four person dome tent,Outdoors\n"
    "a6,Reflective dog leash,Pets\n");
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.label = "category";
  o.id = "sku";
  ys_data_report *r = lint_ok(p, &o);
  ck_assert_uint_eq(r->rows, 6);
  ck_assert_str_eq(r->format, "csv");
  ck_assert_str_eq(r->text, "title");
  ck_assert_uint_eq(r->nissues, 0);
  ck_assert_int_eq(ys_data_report_problems(r), 0);
  ck_assert_uint_eq(r->texts, 6);
  ys_data_report_free(r);
}
END_TEST

START_TEST(test_lint_length_outliers)
{
  /* 30 texts of 20 to 40 characters, one of 2 and one of 2000. */
  char *text = malloc(64 * 1024);
  ck_assert_ptr_nonnull(text);
  size_t len = 0;
  char t[256];
  for(int i = 0; i < 30; i++) {
    random_text(t, sizeof(t), 4 + i % 3);
    len += (size_t)sprintf(text + len, "{\"t\": \"%s %d\"}\n", t, i);
  }
  len += (size_t)sprintf(text + len, "{\"t\": \"ok\"}\n");
  len += (size_t)sprintf(text + len, "{\"t\": \"");
  for(int i = 0; i < 400; i++)
    len += (size_t)sprintf(text + len, "long ");
  sprintf(text + len, "\"}\n");
  const char *p = write_file("lengths.jsonl", text);
  free(text);
  ys_data_opts o;
  ys_data_opts_init(&o);
  ys_data_report *r = lint_ok(p, &o);
  ck_assert_str_eq(issues_of(r, YS_DATA_LENGTH_OUTLIER), "31/0 32/0");
  ck_assert_uint_eq(r->issues[r->nissues - 2].count, 2);
  ck_assert_float_lt(r->issues[r->nissues - 2].value, 0);
  ck_assert_uint_eq(r->issues[r->nissues - 1].count, 2000);
  ck_assert_float_gt(r->issues[r->nissues - 1].value, 3.5);
  ck_assert_double_lt(r->len_low, 20);
  ck_assert_double_gt(r->len_high, 40);
  /* A laxer z lets the short one pass: it is closer to the rest. */
  o.max_z = 30;
  ys_data_report_free(r);
  r = lint_ok(p, &o);
  ck_assert_uint_eq(r->counts[YS_DATA_LENGTH_OUTLIER], 0);
  ys_data_report_free(r);
}
END_TEST

START_TEST(test_lint_rare_and_invalid_labels)
{
  const char *tax = write_file("taxonomy.txt",
    "# Google product taxonomy, with ids\n"
    "1 - Apparel & Accessories\n"
    "212 - Apparel & Accessories > Clothing > Shirts & Tops\n"
    "\n"
    "Home & Garden > Kitchen & Dining\n");
  char *text = malloc(64 * 1024);
  ck_assert_ptr_nonnull(text);
  size_t len = 0;
  for(int i = 0; i < 60; i++)
    len += (size_t)sprintf(text + len, "{\"t\": \"shirt number %d\", "
                           "\"c\": \"Apparel & Accessories > Clothing > "
                           "Shirts & Tops\"}\n", i);
  for(int i = 0; i < 40; i++)
    len += (size_t)sprintf(text + len, "{\"t\": \"pan number %d\", \"c\": "
                           "\"Home & Garden>Kitchen & Dining\"}\n", i);
  /* Rare (1 of 103 rows, mean 34) and not in the taxonomy. */
  len += (size_t)sprintf(text + len, "{\"t\": \"a tent\", \"c\": "
                         "\"Sporting Goods\"}\n");
  len += (size_t)sprintf(text + len, "{\"t\": \"a jacket\", \"c\": "
                         "\"Apparel & Accessories\"}\n");
  sprintf(text + len, "{\"t\": \"a jumper\", \"c\": \"Apparel & "
          "Accessories\"}\n");
  const char *p = write_file("labels.jsonl", text);
  free(text);
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.label = "c";
  o.taxonomy = tax;
  ys_data_report *r = lint_ok(p, &o);
  ck_assert_uint_eq(r->taxonomy_size, 3);
  ck_assert_str_eq(issues_of(r, YS_DATA_INVALID_LABEL), "101/0");
  ck_assert_uint_eq(r->counts[YS_DATA_RARE_LABEL], 2);
  ck_assert_uint_eq(r->nlabels, 4);
  ck_assert_uint_eq(r->label_flags[3], 3); /* Sporting Goods: rare, bad */
  ck_assert_uint_eq(r->label_flags[2], 1); /* Apparel & Accessories: rare */
  ck_assert_uint_eq(r->label_flags[0], 0);
  /* Rare under a share of 0.02 of the mean: none. */
  o.rare = 0.02;
  ys_data_report_free(r);
  r = lint_ok(p, &o);
  ck_assert_uint_eq(r->counts[YS_DATA_RARE_LABEL], 0);
  ys_data_report_free(r);
}
END_TEST

START_TEST(test_lint_errors_name_file_and_line)
{
  ys_data_opts o;
  ys_data_opts_init(&o);
  ys_diag d;
  const char *p = write_file("fields.jsonl", "{\"a\": \"x\", \"b\": 1}\n");
  o.text = "a,c";
  ck_assert_int_eq(lint_fails(p, &o, &d), YS_ERR_DATA);
  ck_assert_str_eq(d.file, p);
  ck_assert_int_eq(d.line, 1);
  ck_assert_str_eq(d.msg, "no text field 'c' in the first row (its "
                   "fields: a, b)");
  o.text = NULL;
  o.label = "label";
  ck_assert_int_eq(lint_fails(p, &o, &d), YS_ERR_DATA);
  ck_assert_str_eq(d.msg, "no label field 'label' in the first row (its "
                   "fields: a, b)");
  o.label = NULL;
  p = write_file("bad.jsonl", "{\"a\": \"x\"}\n{\"a\": \"y\"\n");
  ck_assert_int_eq(lint_fails(p, &o, &d), YS_ERR_DATA);
  ck_assert_int_eq(d.line, 2);
  ck_assert_str_eq(d.msg, "invalid JSON: unexpected end of line");
  p = write_file("empty.jsonl", "\n\n");
  ck_assert_int_eq(lint_fails(p, &o, &d), YS_ERR_DATA);
  ck_assert_str_eq(d.msg, "no rows");
  ck_assert_int_eq(lint_fails(path_of("missing.jsonl"), &o, &d), YS_ERR_IO);
  ck_assert_ptr_nonnull(strstr(d.msg, "cannot open"));
  o.taxonomy = path_of("no-taxonomy.txt");
  o.label = "a";
  ck_assert_int_eq(lint_fails(write_file("ok.jsonl", "{\"a\": \"x\"}\n"), &o,
                              &d), YS_ERR_IO);
  ck_assert_str_eq(d.file, o.taxonomy);
  o.taxonomy = NULL;
  o.threshold = 0.3;
  ck_assert_int_eq(lint_fails(p, &o, &d), YS_ERR_USAGE);
  o.threshold = 0.8;
  o.format = "xml";
  ck_assert_int_eq(lint_fails(p, &o, &d), YS_ERR_USAGE);
  ck_assert_str_eq(d.msg, "format 'xml': expected jsonl, csv or tsv");
}
END_TEST

START_TEST(test_lint_report_json_reads_back)
{
  const char *p = write_file("planted2.jsonl", planted);
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.label = "label";
  ys_data_report *r = lint_ok(p, &o);
  const char *jp = path_of("report.json");
  FILE *f = fopen(jp, "w");
  ck_assert_ptr_nonnull(f);
  ys_diag d;
  ck_assert_int_eq(ys_data_report_write(r, f, 1, 0, &d), YS_OK);
  fclose(f);
  ys_data_report_free(r);
  char *text = read_file(jp);
  cJSON *doc = cJSON_Parse(text);
  free(text);
  ck_assert_ptr_nonnull(doc);
  ck_assert_str_eq(cJSON_GetObjectItem(doc, "command")->valuestring, "lint");
  ck_assert_int_eq(cJSON_GetObjectItem(doc, "problems")->valueint, 6);
  const cJSON *issues = cJSON_GetObjectItem(doc, "issues");
  ck_assert_int_eq(cJSON_GetArraySize(issues), 6);
  const cJSON *first = cJSON_GetArrayItem(issues, 0);
  ck_assert_str_eq(cJSON_GetObjectItem(first, "kind")->valuestring,
                   "duplicate");
  ck_assert_int_eq(cJSON_GetObjectItem(first, "line")->valueint, 3);
  ck_assert_int_eq(cJSON_GetObjectItem(first, "of")->valueint, 1);
  const cJSON *counts = cJSON_GetObjectItem(doc, "counts");
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "near_duplicate")->valueint,
                   1);
  cJSON_Delete(doc);
}
END_TEST

/* }====== */

/* {====== leak ====== */

START_TEST(test_leak_finds_exact_and_near_copies)
{
  const char *train = write_file("train.jsonl",
    "{\"q\": \"What is the capital of France?\", \"a\": \"Paris\"}\n"
    "{\"q\": \"How many legs does a spider have?\", \"a\": \"8\"}\n"
    "{\"q\": \"Who wrote the novel Moby Dick, first published in London "
    "in 1851?\", \"a\": \"Melville\"}\n");
  const char *eval = write_file("eval.jsonl",
    "{\"id\": \"e1\", \"q\": \"Name the largest planet.\", \"a\": "
    "\"Jupiter\"}\n"
    "{\"id\": \"e2\", \"q\": \"what is the  capital of France?\", \"a\": "
    "\"Paris\"}\n"
    "{\"id\": \"e3\", \"q\": \"Who wrote the novel Moby-Dick, first "
    "published in London in 1851?\", \"a\": \"H. Melville\"}\n"
    "{\"id\": \"e4\", \"q\": \"How many moons does Mars have?\", \"a\": "
    "\"2\"}\n");
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.text = "q";
  ys_data_report *r = NULL;
  ys_diag d;
  ck_assert_msg(ys_data_leak(train, eval, &o, &r, &d) == YS_OK, "%s",
                d.msg);
  ck_assert_uint_eq(r->rows, 3);
  ck_assert_uint_eq(r->rows2, 4);
  ck_assert_uint_eq(r->eval_leaked, 2);
  ck_assert_int_eq(ys_data_report_problems(r), 2);
  ck_assert_str_eq(issues_of(r, YS_DATA_LEAK_EXACT), "2/1");
  ck_assert_str_eq(issues_of(r, YS_DATA_LEAK_NEAR), "3/3");
  ck_assert_str_eq(r->strings.v[r->issues[0].aux - 1], "e2");
  ck_assert_str_eq(r->strings.v[r->issues[1].aux - 1], "e3");
  ck_assert_float_ge(r->issues[1].value, 0.8);
  ys_data_report_free(r);
  /* Without the near check (threshold 1): only the exact copy. */
  o.threshold = 1;
  ck_assert_int_eq(ys_data_leak(train, eval, &o, &r, &d), YS_OK);
  ck_assert_uint_eq(r->eval_leaked, 1);
  ys_data_report_free(r);
  /* The training file must have the eval file's text fields. */
  const char *other = write_file("other.jsonl", "{\"question\": \"x\"}\n");
  ck_assert_int_eq(ys_data_leak(other, eval, &o, &r, &d), YS_ERR_DATA);
  ck_assert_str_eq(d.file, other);
  ck_assert_str_eq(d.msg, "no text field 'q' in the first row (its "
                   "fields: question)");
}
END_TEST

START_TEST(test_leak_clean_sets_have_none)
{
  const char *train = write_file("train2.jsonl",
    "{\"text\": \"red cotton shirt\"}\n{\"text\": \"blue wool scarf\"}\n");
  const char *eval = write_file("eval2.jsonl",
    "{\"text\": \"steel chef knife\"}\n{\"text\": \"green yoga mat\"}\n");
  ys_data_opts o;
  ys_data_opts_init(&o);
  ys_data_report *r = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_data_leak(train, eval, &o, &r, &d), YS_OK);
  ck_assert_uint_eq(r->eval_leaked, 0);
  ck_assert_uint_eq(r->nissues, 0);
  ys_data_report_free(r);
}
END_TEST

/* }====== */

/* {====== split ====== */

/* n rows of JSONL with ids, labels A (70%), B (25%), C (5%). */
static char *labelled_rows(int from, int n)
{
  char *s = malloc((size_t)n * 80 + 1);
  ck_assert_ptr_nonnull(s);
  size_t len = 0;
  s[0] = '\0';
  for(int i = from; i < from + n; i++) {
    int k = i % 20;
    const char *label = k < 14 ? "A" : k < 19 ? "B" : "C";
    len += (size_t)sprintf(s + len, "{\"id\": \"r%05d\", \"text\": \"row "
                           "%d\", \"label\": \"%s\"}\n", i, i, label);
  }
  return s;
}

static ys_data_report *split_ok(const char *path, const ys_data_opts *o)
{
  ys_data_report *r = NULL;
  ys_diag d;
  ys_err err = ys_data_split(path, o, &r, &d);
  ck_assert_msg(err == YS_OK, "split: %s:%ld: %s", d.file, d.line, d.msg);
  return r;
}

/* How many lines of a (a file's text) appear in b. */
static size_t lines_in(const char *a, const char *b)
{
  size_t n = 0;
  while(*a) {
    const char *nl = strchr(a, '\n');
    size_t len = (size_t)(nl - a) + 1;
    for(const char *p = b; (p = strstr(p, "{\"id\"")); p++)
      if(!strncmp(p, a, len)) {
        n++;
        break;
      }
    a += len;
  }
  return n;
}

START_TEST(test_split_is_reproducible_and_complete)
{
  char *rows = labelled_rows(0, 1000);
  const char *p = write_file("rows.jsonl", rows);
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.holdout = 0.2;
  o.seed = 7;
  o.out_train = path_of("t1.jsonl");
  o.out_eval = path_of("e1.jsonl");
  ys_data_report_free(split_ok(p, &o));
  o.out_train = path_of("t2.jsonl");
  o.out_eval = path_of("e2.jsonl");
  ys_data_report *r = split_ok(p, &o);
  ck_assert_uint_eq(r->ntrain + r->neval, 1000);
  /* The hash decides: about 20%, not exactly. */
  ck_assert_uint_gt(r->neval, 150);
  ck_assert_uint_lt(r->neval, 250);
  ys_data_report_free(r);
  char *t1 = read_file(path_of("t1.jsonl")), *t2 = read_file(o.out_train);
  char *e1 = read_file(path_of("e1.jsonl")), *e2 = read_file(o.out_eval);
  ck_assert_str_eq(t1, t2);
  ck_assert_str_eq(e1, e2);
  /* Every row once, byte for byte. */
  ck_assert_uint_eq(count_lines(t1) + count_lines(e1), 1000);
  ck_assert_uint_eq(lines_in(t1, rows) + lines_in(e1, rows), 1000);
  ck_assert_uint_eq(lines_in(t1, e1), 0);
  /* Another seed, another split. */
  o.seed = 8;
  o.out_train = path_of("t3.jsonl");
  o.out_eval = path_of("e3.jsonl");
  ys_data_report_free(split_ok(p, &o));
  char *e3 = read_file(o.out_eval);
  ck_assert_str_ne(e1, e3);
  free(rows);
  free(t1);
  free(t2);
  free(e1);
  free(e2);
  free(e3);
}
END_TEST

START_TEST(test_split_stratified_keeps_shares)
{
  char *rows = labelled_rows(0, 1000);
  const char *p = write_file("strata.jsonl", rows);
  free(rows);
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.holdout = 0.1;
  o.stratify = "label";
  o.out_eval = path_of("strata-eval.jsonl");
  ys_data_report *r = split_ok(p, &o);
  ck_assert_uint_eq(r->nstrata, 3);
  /* A 700, B 250, C 50: 70, 25 and 5 rows for eval. */
  const uint64_t want_rows[] = { 700, 250, 50 }, eval[] = { 70, 25, 5 };
  for(int k = 0; k < 3; k++) {
    ck_assert_uint_eq(r->strata[k].rows, want_rows[k]);
    ck_assert_uint_eq(r->strata[k].eval, eval[k]);
    ck_assert_uint_eq(r->strata[k].train, want_rows[k] - eval[k]);
  }
  ck_assert_uint_eq(r->neval, 100);
  ys_data_report_free(r);
  char *e = read_file(o.out_eval);
  ck_assert_uint_eq(count_lines(e), 100);
  size_t c = 0;
  for(const char *q = e; (q = strstr(q, "\"label\": \"C\"")); q++)
    c++;
  ck_assert_uint_eq(c, 5);
  free(e);
  /* A stratum too small for one eval row keeps all its rows for training;
   * a row without the field is a stratum of its own. */
  p = write_file("tiny.jsonl",
    "{\"id\": 1, \"label\": \"A\"}\n{\"id\": 2, \"label\": \"A\"}\n"
    "{\"id\": 3, \"label\": \"A\"}\n{\"id\": 4, \"label\": \"A\"}\n"
    "{\"id\": 5, \"label\": \"B\"}\n{\"id\": 6}\n");
  o.holdout = 0.25;
  o.out_eval = NULL;
  r = split_ok(p, &o);
  ck_assert_uint_eq(r->nstrata, 3);
  ck_assert_uint_eq(r->strata[0].eval, 1);
  ck_assert_uint_eq(r->strata[1].eval + r->strata[2].eval, 0);
  ck_assert_uint_eq(r->strata[2].name, 0);
  ys_data_report_free(r);
}
END_TEST

START_TEST(test_split_appended_rows_move_no_row)
{
  char *first = labelled_rows(0, 500), *more = labelled_rows(500, 300);
  size_t a = strlen(first), b = strlen(more);
  char *all = malloc(a + b + 1);
  ck_assert_ptr_nonnull(all);
  memcpy(all, first, a);
  memcpy(all + a, more, b + 1);
  const char *p1 = write_file("first.jsonl", first);
  const char *p2 = write_file("all.jsonl", all);
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.holdout = 0.3;
  o.out_train = path_of("ft.jsonl");
  o.out_eval = path_of("fe.jsonl");
  ys_data_report_free(split_ok(p1, &o));
  o.out_train = path_of("at.jsonl");
  o.out_eval = path_of("ae.jsonl");
  ys_data_report_free(split_ok(p2, &o));
  char *ft = read_file(path_of("ft.jsonl")), *fe = read_file(
    path_of("fe.jsonl"));
  char *at = read_file(o.out_train), *ae = read_file(o.out_eval);
  /* Every row of the first split is on the same side in the second. */
  ck_assert_uint_eq(lines_in(ft, at), count_lines(ft));
  ck_assert_uint_eq(lines_in(fe, ae), count_lines(fe));
  /* Stratified: only rows at a stratum's cut move, at most one per row
   * added to the stratum. */
  o.stratify = "label";
  o.out_train = path_of("sft.jsonl");
  o.out_eval = path_of("sfe.jsonl");
  ys_data_report_free(split_ok(p1, &o));
  o.out_train = path_of("sat.jsonl");
  o.out_eval = path_of("sae.jsonl");
  ys_data_report_free(split_ok(p2, &o));
  char *sfe = read_file(path_of("sfe.jsonl"));
  char *sae = read_file(o.out_eval);
  size_t kept = lines_in(sfe, sae);
  ck_assert_uint_ge(kept + 300, count_lines(sfe));
  free(first);
  free(more);
  free(all);
  free(ft);
  free(fe);
  free(at);
  free(ae);
  free(sfe);
  free(sae);
}
END_TEST

START_TEST(test_split_csv_keeps_header_and_bytes)
{
  const char *p = write_file("rows.csv",
    "\xEF\xBB\xBFid,text\r\n1,\"one, with a comma\"\r\n\r\n2,\"two\r\n"
    "lines\"\r\n3,three\r\n4,four\r\n5,five");
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.holdout = 0.5;
  o.out_train = path_of("t.csv");
  o.out_eval = path_of("e.csv");
  ys_data_report *r = split_ok(p, &o);
  ck_assert_uint_eq(r->rows, 5);
  ck_assert_str_eq(r->key, "id");
  ys_data_report_free(r);
  char *t = read_file(o.out_train), *e = read_file(o.out_eval);
  const char *head = "\xEF\xBB\xBFid,text\r\n";
  ck_assert_int_eq(strncmp(t, head, strlen(head)), 0);
  ck_assert_int_eq(strncmp(e, head, strlen(head)), 0);
  /* Both files together hold each row's bytes once; the last row gets
   * the line end it lacked. */
  size_t total = strlen(t) + strlen(e) - 2 * strlen(head);
  ck_assert_uint_eq(total, strlen("1,\"one, with a comma\"\r\n2,\"two\r\n"
                                  "lines\"\r\n3,three\r\n4,four\r\n"
                                  "5,five\n"));
  ck_assert(strstr(t, "2,\"two\r\nlines\"\r\n") ||
            strstr(e, "2,\"two\r\nlines\"\r\n"));
  free(t);
  free(e);
}
END_TEST

START_TEST(test_split_same_rows_same_side)
{
  /* No id: the whole row is the key, so exact copies never straddle. */
  char *s = malloc(200 * 40);
  ck_assert_ptr_nonnull(s);
  size_t len = 0;
  for(int i = 0; i < 100; i++)
    len += (size_t)sprintf(s + len, "{\"text\": \"row %d\"}\n"
                           "{\"text\": \"row %d\"}\n", i, i);
  const char *p = write_file("pairs.jsonl", s);
  free(s);
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.holdout = 0.5;
  o.out_eval = path_of("pairs-eval.jsonl");
  ys_data_report *r = split_ok(p, &o);
  ck_assert_ptr_null(r->key);
  ck_assert_uint_eq(r->neval % 2, 0);
  ys_data_report_free(r);
  char *e = read_file(o.out_eval);
  for(const char *q = e; *q;) {
    const char *nl = strchr(q, '\n');
    ck_assert_int_eq(strncmp(q, nl + 1, (size_t)(nl - q) + 1), 0);
    q = nl + 1 + (nl - q) + 1;
  }
  free(e);
}
END_TEST

START_TEST(test_split_errors_write_nothing)
{
  const char *p = write_file("keys.jsonl",
    "{\"id\": \"a\", \"t\": 1}\n{\"id\": \"\", \"t\": 2}\n");
  ys_data_opts o;
  ys_data_opts_init(&o);
  o.out_train = path_of("never-t.jsonl");
  o.out_eval = path_of("never-e.jsonl");
  ys_data_report *r = NULL;
  ys_diag d;
  ck_assert_int_eq(ys_data_split(p, &o, &r, &d), YS_ERR_DATA);
  ck_assert_ptr_null(r);
  ck_assert_int_eq(d.line, 2);
  ck_assert_str_eq(d.msg, "the key field 'id' is missing or empty (every "
                   "row needs a key; --key FIELD names another field)");
  ck_assert_int_ne(access(o.out_train, F_OK), 0);
  ck_assert_int_ne(access(o.out_eval, F_OK), 0);
  o.key = "nope";
  ck_assert_int_eq(ys_data_split(p, &o, &r, &d), YS_ERR_DATA);
  ck_assert_str_eq(d.msg, "no field 'nope' in the first row (its fields: "
                   "id, t)");
  o.key = "t";
  o.holdout = 1;
  ck_assert_int_eq(ys_data_split(p, &o, &r, &d), YS_ERR_USAGE);
  o.holdout = 0.5;
  o.out_eval = p;
  ck_assert_int_eq(ys_data_split(p, &o, &r, &d), YS_ERR_USAGE);
  ck_assert_ptr_nonnull(strstr(d.msg, "is the input file"));
  o.out_eval = o.out_train;
  ck_assert_int_eq(ys_data_split(p, &o, &r, &d), YS_ERR_USAGE);
  o.out_eval = tmpdir;
  ck_assert_int_eq(ys_data_split(p, &o, &r, &d), YS_ERR_USAGE);
  ck_assert_ptr_nonnull(strstr(d.msg, "is a directory"));
  o.out_eval = path_of("no-such-dir/e.jsonl");
  ck_assert_int_eq(ys_data_split(p, &o, &r, &d), YS_ERR_IO);
  ck_assert_str_eq(d.file, o.out_eval);
  /* The train file was not written either. */
  ck_assert_int_ne(access(o.out_train, F_OK), 0);
}
END_TEST

/* }====== */

static Suite *data_suite(void)
{
  Suite *s = suite_create("data");
  TCase *tc = tcase_create("minhash");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_minhash_identical_texts_are_one);
  tcase_add_test(tc, test_minhash_disjoint_texts_are_near_zero);
  tcase_add_test(tc, test_minhash_estimates_true_jaccard);
  tcase_add_test(tc, test_minhash_lsh_params_catch_the_threshold);
  tcase_add_test(tc, test_minhash_bands_catch_as_predicted);
  tcase_add_test(tc, test_minhash_normalize_folds_unicode);
  tcase_add_test(tc, test_minhash_word_shingles);
  tcase_add_test(tc, test_minhash_bad_settings_fail);
  tcase_add_test(tc, test_simhash_estimates_cosine);
  tcase_add_test(tc, test_simhash_bands_catch_the_threshold);
  tcase_add_test(tc, test_embed_options_are_checked);
  suite_add_tcase(s, tc);

  tc = tcase_create("lint");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_lint_finds_planted_problems);
  tcase_add_test(tc, test_lint_clean_file_has_no_issues);
  tcase_add_test(tc, test_lint_length_outliers);
  tcase_add_test(tc, test_lint_rare_and_invalid_labels);
  tcase_add_test(tc, test_lint_errors_name_file_and_line);
  tcase_add_test(tc, test_lint_report_json_reads_back);
  suite_add_tcase(s, tc);

  tc = tcase_create("leak");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_leak_finds_exact_and_near_copies);
  tcase_add_test(tc, test_leak_clean_sets_have_none);
  suite_add_tcase(s, tc);

  tc = tcase_create("split");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_split_is_reproducible_and_complete);
  tcase_add_test(tc, test_split_stratified_keeps_shares);
  tcase_add_test(tc, test_split_appended_rows_move_no_row);
  tcase_add_test(tc, test_split_csv_keeps_header_and_bytes);
  tcase_add_test(tc, test_split_same_rows_same_side);
  tcase_add_test(tc, test_split_errors_write_nothing);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  const char *t = getenv("TMPDIR");
  snprintf(tmpdir, sizeof(tmpdir), "%s/ys-check-data-XXXXXX",
           t && t[0] ? t : "/tmp");
  if(!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return EXIT_FAILURE;
  }
  SRunner *sr = srunner_create(data_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  for(size_t i = 0; i < npaths; i++)
    free(paths[i]);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
