/* SPDX-License-Identifier: MIT */
/*
 * check_report.c: unit tests for the report formats (report.h,
 * report_util.h): the escapers (CSV quoting and formula guard, XML and
 * HTML escaping, Markdown cells), and each format written from real runs
 * of small suites made here: CSV read back with libcsv, JUnit checked for
 * well-formedness, JSON parsed back, Markdown tables, and the HTML page's
 * structure. Uses Check, cJSON and libcsv; run by `make check`.
 */
#include <check.h>
#include <csv.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "hash.h"
#include "report.h"
#include "report_util.h"
#include "utf8.h"
#include "xalloc.h"
#include "yardstick.h"

static char root[256];     /* every run and file of these tests */
static char fixture[600];  /* the fixture suite's run, in a hostile name */
static char nogates[600];  /* a run without gates */
static char incomplete[600]; /* a run with too many errors */
static char big[600];      /* 600 tasks per model, one long output */

/* {====== helpers ====== */

static void rm_rf(const char *path)
{
  struct stat st;
  if(lstat(path, &st) != 0)
    return;
  if(S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    struct dirent *e;
    while(d && (e = readdir(d))) {
      if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      char sub[1024];
      snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
      rm_rf(sub);
    }
    if(d)
      closedir(d);
    rmdir(path);
  }
  else
    unlink(path);
}

/* What an escaper wrote for s (owned). */
typedef void (*escaper)(FILE *f, const char *s, int flag);

static char *esc(escaper e, const char *s, int flag)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(f);
  e(f, s, flag);
  fclose(f);
  return buf;
}

static void md_esc(FILE *f, const char *s, int flag)
{
  (void)flag;
  ys_report_md(f, s);
}

#define ck_esc(e, in, flag, want) do { \
    char *got_ = esc(e, in, flag); \
    ck_assert_msg(!strcmp(got_, want), "escaping \"%s\": got \"%s\", " \
                  "expected \"%s\"", in, got_, want); \
    free(got_); \
  } while(0)

static ys_results *open_run(const char *dir)
{
  ys_results *r = NULL;
  ys_diag d;
  ys_err err = ys_results_open(dir, &r, &d);
  ck_assert_msg(err == YS_OK, "cannot open %s: %s", dir, d.msg);
  return r;
}

/* The report of run dir in format (owned, NUL-terminated). */
static char *render(const char *dir, const char *format)
{
  ys_results *r = open_run(dir);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(f);
  ys_diag d;
  ys_err err = ys_report_write(r, format, f, &d);
  fclose(f);
  ys_results_free(r);
  ck_assert_msg(err == YS_OK, "%s report: %s", format, d.msg);
  ck_assert_msg(ys_utf8_valid(buf, len, NULL), "%s report is not UTF-8",
                format);
  return buf;
}

static size_t count(const char *hay, const char *needle)
{
  size_t n = 0;
  for(const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
    n++;
  return n;
}

/* The text of a whole file (owned). */
static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t n;
  while((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    fwrite(chunk, 1, n, m);
  fclose(f);
  fclose(m);
  return buf;
}

/* }====== */

/* {====== a small XML well-formedness check ====== */

/* Enough of XML 1.0 for what report_junit.c writes: a declaration,
 * elements, double-quoted attributes, text and the five entities plus
 * character references. Returns NULL when s is well-formed, else why. */
static const char *xml_entity(const char **p)
{
  static const char *const names[] = { "&amp;", "&lt;", "&gt;", "&quot;",
                                       "&apos;" };
  for(int i = 0; i < 5; i++)
    if(!strncmp(*p, names[i], strlen(names[i]))) {
      *p += strlen(names[i]);
      return NULL;
    }
  if(!strncmp(*p, "&#", 2)) {
    const char *q = *p + 2;
    int hex = *q == 'x';
    q += hex;
    const char *digits = q;
    while(hex ? strchr("0123456789abcdefABCDEF", *q) && *q
              : *q >= '0' && *q <= '9')
      q++;
    if(q > digits && *q == ';') {
      *p = q + 1;
      return NULL;
    }
  }
  return "a bare & that starts no reference";
}

static int name_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ':' ||
         c == '.';
}

static const char *xml_check(const char *s)
{
  char stack[32][64];
  int depth = 0, roots = 0;
  const char *p = s;
  if(!strncmp(p, "<?xml ", 6)) {
    p = strstr(p, "?>");
    if(!p)
      return "unterminated declaration";
    p += 2;
  }
  while(*p) {
    if((unsigned char)*p < 0x20 && !strchr("\t\n\r", *p))
      return "a control character";
    if(*p == '&') {
      const char *e = xml_entity(&p);
      if(e)
        return e;
      continue;
    }
    if(*p != '<') {
      if(!depth && !strchr(" \t\r\n", *p))
        return "text outside the root element";
      p++;
      continue;
    }
    int closing = p[1] == '/';
    p += 1 + closing;
    const char *name = p;
    while(name_char(*p))
      p++;
    size_t nlen = (size_t)(p - name);
    if(!nlen || nlen >= 64)
      return "a tag without a name";
    if(closing) {
      if(*p != '>' || !depth)
        return "a bad end tag";
      depth--;
      if(strlen(stack[depth]) != nlen || strncmp(stack[depth], name, nlen))
        return "an end tag that does not match its start tag";
      p++;
      continue;
    }
    for(;;) {
      while(*p == ' ' || *p == '\n')
        p++;
      if(*p == '>' || !strncmp(p, "/>", 2))
        break;
      const char *an = p;
      while(name_char(*p))
        p++;
      if(p == an || strncmp(p, "=\"", 2))
        return "an attribute without name=\"value\"";
      p += 2;
      while(*p && *p != '"') {
        if(*p == '<')
          return "a < in an attribute value";
        if(*p == '&') {
          const char *e = xml_entity(&p);
          if(e)
            return e;
        }
        else
          p++;
      }
      if(*p != '"')
        return "an unterminated attribute value";
      p++;
    }
    if(!depth && roots++)
      return "two root elements";
    if(*p == '/') {
      p += 2;
      continue;
    }
    if(depth == 32)
      return "nested too deep";
    memcpy(stack[depth], name, nlen);
    stack[depth++][nlen] = '\0';
    p++;
  }
  if(depth)
    return "an element is never closed";
  return roots == 1 ? NULL : "no root element";
}

/* }====== */

/* {====== escaping ====== */

START_TEST(test_csv_plain_fields_are_left_alone)
{
  ck_esc(ys_report_csv_cell, "hello world", 1, "hello world");
  ck_esc(ys_report_csv_cell, "", 1, "");
  ck_esc(ys_report_csv_cell, "Z\xC3\xBCrich", 1, "Z\xC3\xBCrich");
  char *got = esc(ys_report_csv_cell, NULL, 1);
  ck_assert_str_eq(got, "");
  free(got);
}
END_TEST

START_TEST(test_csv_quotes_what_rfc4180_needs)
{
  ck_esc(ys_report_csv_cell, "a,b", 1, "\"a,b\"");
  ck_esc(ys_report_csv_cell, "say \"hi\"", 1, "\"say \"\"hi\"\"\"");
  ck_esc(ys_report_csv_cell, "two\nlines", 1, "\"two\nlines\"");
  ck_esc(ys_report_csv_cell, "crlf\r\nend", 1, "\"crlf\r\nend\"");
  ck_esc(ys_report_csv_cell, "trailing ", 1, "\"trailing \"");
  ck_esc(ys_report_csv_cell, " leading", 1, "\" leading\"");
}
END_TEST

START_TEST(test_csv_formula_guard)
{
  ck_esc(ys_report_csv_cell, "=1+2", 1, "'=1+2");
  ck_esc(ys_report_csv_cell, "+33 1 23", 1, "'+33 1 23");
  ck_esc(ys_report_csv_cell, "-5", 1, "'-5");
  ck_esc(ys_report_csv_cell, "@SUM(A1)", 1, "'@SUM(A1)");
  ck_esc(ys_report_csv_cell, "\tx", 1, "\"'\tx\"");
  ck_esc(ys_report_csv_cell, "=HYPERLINK(\"u\",\"c\")", 1,
         "\"'=HYPERLINK(\"\"u\"\",\"\"c\"\")\"");
  ck_esc(ys_report_csv_cell, "a=b", 1, "a=b");
  /* Numbers the report writes itself are not text: no guard. */
  ck_esc(ys_report_csv_cell, "-5", 0, "-5");
}
END_TEST

START_TEST(test_xml_escapes_markup)
{
  ck_esc(ys_report_xml, "a < b && c > d", 0, "a &lt; b &amp;&amp; c &gt; d");
  ck_esc(ys_report_xml, "\"quoted\" 'single'", 1,
         "&quot;quoted&quot; &#39;single&#39;");
  ck_esc(ys_report_xml, "Z\xC3\xBCrich \xF0\x9F\x98\x80", 0,
         "Z\xC3\xBCrich \xF0\x9F\x98\x80");
}
END_TEST

START_TEST(test_xml_replaces_what_xml_forbids)
{
  /* A stray continuation byte, a truncated sequence, an overlong '/',
   * a surrogate, and C0 controls: each bad byte becomes U+FFFD. */
  ck_esc(ys_report_xml, "a\x80z", 0, "a\xEF\xBF\xBDz");
  ck_esc(ys_report_xml, "a\xC3", 0, "a\xEF\xBF\xBD");
  ck_esc(ys_report_xml, "\xC0\xAF", 0, "\xEF\xBF\xBD\xEF\xBF\xBD");
  ck_esc(ys_report_xml, "\xED\xA0\x80", 0,
         "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  ck_esc(ys_report_xml, "bell\x07 esc\x1B", 0,
         "bell\xEF\xBF\xBD esc\xEF\xBF\xBD");
  ck_esc(ys_report_xml, "\xEF\xBF\xBE", 0, "\xEF\xBF\xBD");
}
END_TEST

START_TEST(test_xml_attributes_keep_line_breaks)
{
  ck_esc(ys_report_xml, "a\nb\tc\r", 1, "a&#10;b&#9;c&#13;");
  ck_esc(ys_report_xml, "a\nb\tc\r", 0, "a\nb\tc&#13;");
}
END_TEST

START_TEST(test_html_injection_is_inert)
{
  char *got = esc(ys_report_xml, "<script>alert(1)</script><img src=x "
                  "onerror=alert(2)>", 0);
  ck_assert_ptr_null(strchr(got, '<'));
  ck_assert_ptr_null(strchr(got, '>'));
  free(got);
  /* Breaking out of a quoted attribute needs a quote. */
  got = esc(ys_report_xml, "x\" onmouseover=\"alert(1)' '", 1);
  ck_assert_ptr_null(strchr(got, '"'));
  ck_assert_ptr_null(strchr(got, '\''));
  free(got);
}
END_TEST

START_TEST(test_md_escapes_pipes_and_line_breaks)
{
  ck_esc(md_esc, "a|b", 0, "a\\|b");
  ck_esc(md_esc, "one\ntwo\r\nthree\rfour", 0,
         "one<br>two<br>three<br>four");
  ck_esc(md_esc, "plain text 0.5", 0, "plain text 0.5");
}
END_TEST

START_TEST(test_md_escapes_formatting)
{
  ck_esc(md_esc, "*b* _i_ `c` [l](u) <h> ~s~ \\ &amp;", 0,
         "\\*b\\* \\_i\\_ \\`c\\` \\[l\\](u) \\<h\\> \\~s\\~ \\\\ "
         "\\&amp;");
  ck_esc(md_esc, "tab\there\x01", 0, "tab here\xEF\xBF\xBD");
}
END_TEST

START_TEST(test_cut_keeps_utf8_whole)
{
  ck_assert_uint_eq(ys_report_cut("abc", 10), 3);
  ck_assert_uint_eq(ys_report_cut("abcdef", 4), 4);
  /* "aü" is 3 bytes: cutting at 2 would split the ü. */
  ck_assert_uint_eq(ys_report_cut("a\xC3\xBC", 2), 1);
  ck_assert_uint_eq(ys_report_cut("a\xC3\xBC", 3), 3);
}
END_TEST

/* }====== */

/* {====== csv ====== */

typedef struct csv_rows {
  char **cells; /* row-major */
  size_t n, cols, rows, row_len;
  int ragged;
} csv_rows;

static void on_field(void *s, size_t len, void *data)
{
  csv_rows *c = data;
  c->cells = ys_xrealloc(c->cells, (c->n + 1) * sizeof(char *));
  c->cells[c->n++] = ys_xstrndup(s ? s : "", s ? len : 0);
  c->row_len++;
}

static void on_row(int ch, void *data)
{
  (void)ch;
  csv_rows *c = data;
  if(!c->rows)
    c->cols = c->row_len;
  else if(c->row_len != c->cols)
    c->ragged = 1;
  c->rows++;
  c->row_len = 0;
}

static csv_rows parse_csv(const char *text)
{
  csv_rows c = { 0 };
  struct csv_parser p;
  ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
  size_t len = strlen(text);
  ck_assert_msg(csv_parse(&p, text, len, on_field, on_row, &c) == len,
                "libcsv: %s", csv_strerror(csv_error(&p)));
  ck_assert_int_eq(csv_fini(&p, on_field, on_row, &c), 0);
  csv_free(&p);
  ck_assert_msg(!c.ragged, "rows of different lengths");
  return c;
}

static void free_csv(csv_rows *c)
{
  for(size_t i = 0; i < c->n; i++)
    free(c->cells[i]);
  free(c->cells);
}

static const char *cell(const csv_rows *c, size_t row, size_t col)
{
  return c->cells[row * c->cols + col];
}

/* The text a CSV output cell should hold for a samples.jsonl line. */
static char *expected_output(const cJSON *line)
{
  const cJSON *o = cJSON_GetObjectItemCaseSensitive(line, "output");
  if(!o)
    return ys_xstrdup("");
  char *t = cJSON_IsString(o) ? ys_xstrdup(o->valuestring)
                              : cJSON_PrintUnformatted(o);
  if(t[0] && strchr("=+-@\t\r", t[0])) {
    char *g = ys_xasprintf("'%s", t);
    free(t);
    return g;
  }
  return t;
}

START_TEST(test_csv_round_trips_through_libcsv)
{
  char *text = render(fixture, "csv");
  csv_rows c = parse_csv(text);
  const char *head[] = { "id", "repeat", "model", "status", "error",
                         "output", "cost", "latency_ms",
                         "field_completeness.share",
                         "field_completeness.name",
                         "field_completeness.city",
                         "field_completeness.zip", "json_valid",
                         "names_who" };
  ck_assert_uint_eq(c.cols, 14);
  for(size_t i = 0; i < 14; i++)
    ck_assert_str_eq(cell(&c, 0, i), head[i]);
  /* Every line of samples.jsonl, in order, with its whole output. */
  char path[700];
  snprintf(path, sizeof(path), "%s/samples.jsonl", fixture);
  char *lines = slurp(path);
  size_t row = 1;
  for(char *save = NULL, *l = strtok_r(lines, "\n", &save); l;
      l = strtok_r(NULL, "\n", &save), row++) {
    cJSON *o = cJSON_Parse(l);
    ck_assert_uint_lt(row, c.rows);
    ck_assert_str_eq(cell(&c, row, 0),
                     cJSON_GetObjectItem(o, "id")->valuestring);
    ck_assert_str_eq(cell(&c, row, 1), "1");
    ck_assert_str_eq(cell(&c, row, 2),
                     cJSON_GetObjectItem(o, "model")->valuestring);
    char *want = expected_output(o);
    ck_assert_str_eq(cell(&c, row, 5), want);
    free(want);
    const cJSON *sc = cJSON_GetObjectItem(o, "scores");
    for(size_t k = 8; k < 14; k++) {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(sc, head[k]);
      if(cJSON_IsNumber(v))
        ck_assert_double_eq(strtod(cell(&c, row, k), NULL), v->valuedouble);
      else
        ck_assert_str_eq(cell(&c, row, k), "");
    }
    cJSON_Delete(o);
  }
  ck_assert_uint_eq(row, c.rows);
  ck_assert_uint_eq(c.rows, 17);
  free(lines);
  free_csv(&c);
  free(text);
}
END_TEST

START_TEST(test_csv_errors_and_guards)
{
  char *text = render(fixture, "csv");
  csv_rows c = parse_csv(text);
  int seen_error = 0, seen_score_error = 0, seen_formula = 0;
  for(size_t row = 1; row < c.rows; row++) {
    if(!strcmp(cell(&c, row, 3), "error")) {
      seen_error = 1;
      ck_assert_str_eq(cell(&c, row, 4), "replay: recorded error: HTTP 503 "
                       "<b>busy</b> | \"retry\" & wait");
      ck_assert_str_eq(cell(&c, row, 5), "");
    }
    if(strstr(cell(&c, row, 4), "has no field 'who'")) {
      seen_score_error = 1;
      ck_assert_str_eq(cell(&c, row, 13), "");
    }
    if(!strncmp(cell(&c, row, 5), "'=HYPERLINK", 11))
      seen_formula = 1;
    const char *out = cell(&c, row, 5);
    ck_assert_msg(!out[0] || !strchr("=+-@", out[0]), "unguarded cell "
                  "'%s'", out);
  }
  ck_assert(seen_error && seen_score_error && seen_formula);
  /* Records end with CRLF, as RFC 4180 says. */
  ck_assert_ptr_nonnull(strstr(text, "names_who\r\n"));
  free_csv(&c);
  free(text);
}
END_TEST

START_TEST(test_csv_outputs_are_whole_and_repeats_counted)
{
  char *text = render(big, "csv");
  csv_rows c = parse_csv(text);
  ck_assert_uint_eq(c.rows, 1 + 2 * 600);
  int long_seen = 0, second = 0;
  for(size_t row = 1; row < c.rows; row++) {
    const char *out = cell(&c, row, 5);
    if(strlen(out) > 2000) {
      long_seen = 1;
      ck_assert_uint_eq(strlen(out), 6004);
      ck_assert_str_eq(out + 6000, "=end");
    }
    second += !strcmp(cell(&c, row, 1), "2");
  }
  ck_assert(long_seen);
  ck_assert_int_eq(second, 600);
  free_csv(&c);
  free(text);
}
END_TEST

/* }====== */

/* {====== junit ====== */

START_TEST(test_junit_is_well_formed_with_a_case_per_gate)
{
  char *x = render(fixture, "junit");
  const char *why = xml_check(x);
  ck_assert_msg(why == NULL, "not well-formed: %s\n%s", why, x);
  ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"report-fixture\" "
                               "tests=\"2\" failures=\"1\" errors=\"0\""));
  ck_assert_uint_eq(count(x, "<testcase "), 2);
  ck_assert_uint_eq(count(x, "<failure "), 1);
  ck_assert_ptr_nonnull(strstr(x, "<failure type=\"gate\" message=\""
                               "extractor json_valid &gt;= 0.9: 0.25 "));
  ck_assert_ptr_nonnull(strstr(x, "name=\"human field_completeness.share "
                               "&gt;= 0.8\""));
  /* The run directory's name is hostile: escaped in its property. */
  ck_assert_ptr_nonnull(strstr(x, "fx&amp;&lt;&#39;&quot;&gt;"));
  free(x);
}
END_TEST

START_TEST(test_junit_without_gates_has_zero_tests)
{
  char *x = render(nogates, "junit");
  const char *why = xml_check(x);
  ck_assert_msg(why == NULL, "not well-formed: %s\n%s", why, x);
  ck_assert_ptr_nonnull(strstr(x, "tests=\"0\" failures=\"0\" "
                               "errors=\"0\""));
  ck_assert_uint_eq(count(x, "<testcase"), 0);
  free(x);
}
END_TEST

START_TEST(test_junit_incomplete_run_is_an_error)
{
  char *x = render(incomplete, "junit");
  const char *why = xml_check(x);
  ck_assert_msg(why == NULL, "not well-formed: %s\n%s", why, x);
  ck_assert_ptr_nonnull(strstr(x, "errors=\"1\""));
  ck_assert_ptr_nonnull(strstr(x, "<testcase classname=\"report-fixture\" "
                               "name=\"run complete\""));
  ck_assert_ptr_nonnull(strstr(x, "<error type=\"incomplete\" message=\""
                               "the run is incomplete: 3 of 16 tasks"));
  free(x);
}
END_TEST

START_TEST(test_xml_check_catches_bad_xml)
{
  ck_assert_ptr_nonnull(xml_check("<a><b></a></b>"));
  ck_assert_ptr_nonnull(xml_check("<a x=\"1 & 2\"/>"));
  ck_assert_ptr_nonnull(xml_check("<a>x</a><b/>"));
  ck_assert_ptr_nonnull(xml_check("<a x=\"<\"/>"));
  ck_assert_ptr_null(xml_check("<?xml version=\"1.0\"?>\n<a x=\"&#10;\">"
                               "&lt;<b/></a>\n"));
}
END_TEST

/* }====== */

/* {====== json ====== */

START_TEST(test_json_holds_the_run_and_the_verdicts)
{
  char *text = render(fixture, "json");
  cJSON *doc = cJSON_Parse(text);
  ck_assert(cJSON_IsObject(doc));
  ck_assert_str_eq(cJSON_GetObjectItem(doc, "status")->valuestring,
                   "complete");
  ck_assert_str_eq(cJSON_GetObjectItem(doc, "outcome")->valuestring,
                   "gate_failed");
  ck_assert_double_eq(cJSON_GetObjectItem(doc, "gates_failed")->valuedouble,
                      1);
  const cJSON *g = cJSON_GetObjectItem(doc, "gates");
  ck_assert_int_eq(cJSON_GetArraySize(g), 2);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(g, 1),
                                       "description")->valuestring,
                   "extractor json_valid >= 0.9: 0.25 [0.07148, 0.5907], "
                   "n=8");
  ys_results *r = open_run(fixture);
  ck_assert(cJSON_Compare(cJSON_GetObjectItem(doc, "manifest"), r->manifest,
                          1));
  ck_assert(cJSON_Compare(cJSON_GetObjectItem(doc, "summary"), r->summary,
                          1));
  ck_assert_str_eq(cJSON_GetObjectItem(doc, "run_dir")->valuestring,
                   fixture);
  ys_results_free(r);
  cJSON_Delete(doc);
  free(text);
}
END_TEST

START_TEST(test_json_outcomes)
{
  char *text = render(nogates, "json");
  cJSON *doc = cJSON_Parse(text);
  ck_assert_str_eq(cJSON_GetObjectItem(doc, "outcome")->valuestring, "pass");
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "gates")), 0);
  cJSON_Delete(doc);
  free(text);
  text = render(incomplete, "json");
  doc = cJSON_Parse(text);
  ck_assert_str_eq(cJSON_GetObjectItem(doc, "outcome")->valuestring,
                   "incomplete");
  cJSON_Delete(doc);
  free(text);
}
END_TEST

/* }====== */

/* {====== markdown ====== */

/* Cell borders on a line: pipes not escaped with a backslash. */
static size_t borders(const char *line, size_t len)
{
  size_t n = 0;
  for(size_t i = 0; i < len; i++) {
    if(line[i] == '\\') {
      i++;
      continue;
    }
    n += line[i] == '|';
  }
  return n;
}

/* Every table's rows have as many cells as its header. */
static void check_tables(const char *md)
{
  size_t want = 0;
  for(const char *l = md; *l;) {
    const char *end = strchr(l, '\n');
    size_t len = end ? (size_t)(end - l) : strlen(l);
    if(len && l[0] == '|') {
      size_t b = borders(l, len);
      if(!want)
        want = b;
      ck_assert_msg(b == want, "table row with %zu borders, header has "
                    "%zu: %.*s", b, want, (int)len, l);
    }
    else
      want = 0;
    l += len + (end != NULL);
  }
}

START_TEST(test_md_tables_and_verdicts)
{
  char *md = render(fixture, "md");
  check_tables(md);
  ck_assert_ptr_nonnull(strstr(md, "### \xE2\x9D\x8C report-fixture: 1 of 2 "
                               "gates failed\n"));
  ck_assert_ptr_nonnull(strstr(md, "| \xE2\x9C\x85 | human "
                               "field\\_completeness.share \\>= 0.8 |"));
  ck_assert_ptr_nonnull(strstr(md, "| \xE2\x9D\x8C | extractor json\\_valid "
                               "\\>= 0.9 | 0.25 \\[0.07148, 0.5907\\], "
                               "n=8 |"));
  ck_assert_ptr_nonnull(strstr(md, "| extractor | 0.714 [0.429, 0.905] |"));
  ck_assert_ptr_nonnull(strstr(md, "| contract | field\\_completeness.share "
                               "| 0.800 |"));
  ck_assert_ptr_nonnull(strstr(md, "extraction \\<fixture\\> for the report "
                               "tests \\& their escaping"));
  free(md);
}
END_TEST

START_TEST(test_md_incomplete_and_no_gates)
{
  char *md = render(incomplete, "md");
  check_tables(md);
  ck_assert_ptr_nonnull(strstr(md, "the run did not complete (incomplete)"));
  free(md);
  md = render(nogates, "md");
  check_tables(md);
  ck_assert_ptr_nonnull(strstr(md, ": complete, no gates\n"));
  ck_assert_ptr_null(strstr(md, "**Gates**"));
  free(md);
}
END_TEST

/* }====== */

/* {====== html ====== */

/* The CSP source of the first <tag>...</tag>'s content. */
static void check_csp(const char *html, const char *tag)
{
  char open[32], close[32];
  snprintf(open, sizeof(open), "<%s>", tag);
  snprintf(close, sizeof(close), "</%s>", tag);
  const char *a = strstr(html, open), *b = a ? strstr(a, close) : NULL;
  ck_assert_msg(a && b, "no <%s>", tag);
  a += strlen(open);
  ys_sha256 *h = ys_sha256_new();
  ys_sha256_update(h, a, (size_t)(b - a));
  char hex[65];
  ys_sha256_final(h, hex);
  /* Compare as hex: decode the page's base64. */
  char want[64];
  snprintf(want, sizeof(want), "%s-src 'sha256-", tag[1] == 'c' ? "script"
           : "style");
  const char *p = strstr(html, want);
  ck_assert_msg(p != NULL, "no %s in the policy", want);
  p += strlen(want);
  static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned char raw[33];
  size_t n = 0;
  unsigned v = 0;
  int bits = 0;
  for(; *p && *p != '=' && *p != '\''; p++) {
    v = v << 6 | (unsigned)(strchr(b64, *p) - b64);
    bits += 6;
    if(bits >= 8) {
      bits -= 8;
      ck_assert_uint_lt(n, 33);
      raw[n++] = (unsigned char)(v >> bits & 0xFF);
    }
  }
  ck_assert_uint_eq(n, 32);
  char got[65];
  for(size_t i = 0; i < 32; i++)
    snprintf(got + 2 * i, 3, "%02x", raw[i]);
  ck_assert_str_eq(got, hex);
}

START_TEST(test_html_is_self_contained_and_escaped)
{
  char *h = render(fixture, "html");
  ck_assert(!strncmp(h, "<!DOCTYPE html>", 15));
  ck_assert_uint_eq(count(h, "<script"), 1);
  ck_assert_uint_eq(count(h, "<style"), 1);
  ck_assert_ptr_null(strstr(h, "src="));
  ck_assert_ptr_null(strstr(h, "href="));
  ck_assert_ptr_null(strstr(h, "@import"));
  ck_assert_ptr_null(strstr(h, "url("));
  ck_assert_ptr_null(strstr(h, "<b>busy"));
  ck_assert_ptr_nonnull(strstr(h, "&lt;script&gt;alert(&quot;pwned&quot;)"));
  ck_assert_ptr_nonnull(strstr(h, "HTTP 503 &lt;b&gt;busy&lt;/b&gt; | "
                               "&quot;retry&quot; &amp; wait"));
  ck_assert_ptr_nonnull(strstr(h, "fx&amp;&lt;&#39;&quot;&gt;"));
  check_csp(h, "script");
  check_csp(h, "style");
  free(h);
}
END_TEST

START_TEST(test_html_has_every_chart)
{
  char *h = render(fixture, "html");
  /* 6 keys: 6 bar charts, a heat map for field_completeness's 4 keys, a
   * cost chart per key (one shown) and the latency chart. */
  ck_assert_uint_eq(count(h, "<svg class=\"chart\""), 6 + 1 + 6 + 1);
  ck_assert_uint_eq(count(h, "<svg"), count(h, "</svg>"));
  ck_assert_uint_eq(count(h, "<div class=\"scatter\""), 6);
  ck_assert_uint_eq(count(h, "<div class=\"scatter\" data-key=\""
                          "field_completeness.share\">"), 1);
  ck_assert_uint_eq(count(h, "\" hidden>"), 5);
  ck_assert_ptr_nonnull(strstr(h, "field_completeness: models x keys"));
  /* Rows: disagreements first (r2 is the first), every task shown. */
  ck_assert_uint_eq(count(h, "<tr data-d="), 8);
  const char *first = strstr(h, "<tr data-d=");
  ck_assert(!strncmp(first, "<tr data-d=\"1\" data-e=\"0\"><td>r2</td>", 36));
  ck_assert_ptr_nonnull(strstr(h, "<tr data-d=\"0\" data-e=\"1\"><td>r5"));
  ck_assert_ptr_null(strstr(h, "left out"));
  free(h);
}
END_TEST

START_TEST(test_html_levels_chart_for_taxonomy)
{
  char suite[700], out[700];
  snprintf(suite, sizeof(suite), "%s/suites/replay.lua",
           getenv("YS_TESTDATA"));
  snprintf(out, sizeof(out), "%s/replay-run", root);
  if(access(out, F_OK) != 0) {
    ys_run_opts o;
    ys_run_opts_init(&o);
    o.search_path = getenv("YS_SRCDIR");
    o.out_dir = out;
    o.cache = YS_RUN_CACHE_OFF;
    ys_run *run = NULL;
    ys_diag d;
    ck_assert_msg(ys_run_open(suite, &o, &run, &d) == YS_OK, "%s", d.msg);
    ck_assert_msg(ys_run_exec(run, &d) == YS_OK, "%s", d.msg);
    ys_run_free(run);
  }
  char *h = render(out, "html");
  ck_assert_ptr_nonnull(strstr(h, "taxonomy_depth by level"));
  ck_assert_ptr_null(strstr(h, "taxonomy_depth: models x keys"));
  ck_assert_uint_eq(count(h, "class=\"series\""), 2);
  free(h);
}
END_TEST

START_TEST(test_html_caps_the_samples_table)
{
  char *h = render(big, "html");
  ck_assert_uint_eq(count(h, "<tr data-d="), 500);
  ck_assert_ptr_nonnull(strstr(h, "100 more tasks are left out"));
  /* The long output is shown cut. */
  ck_assert_ptr_null(strstr(h, "=end"));
  ck_assert_ptr_nonnull(strstr(h, "<td>s1 <span class=\"muted\">#2</span>"));
  free(h);
}
END_TEST

/* }====== */

/* {====== errors ====== */

START_TEST(test_unknown_format_is_a_usage_error)
{
  ys_results *r = open_run(fixture);
  ys_diag d;
  ck_assert_int_eq(ys_report_write(r, "pdf", stdout, &d), YS_ERR_USAGE);
  ck_assert_str_eq(d.msg, "unknown report format 'pdf' (expected json, "
                   "csv, junit, md or html)");
  ys_results_free(r);
}
END_TEST

START_TEST(test_write_failure_is_reported)
{
  FILE *f = fopen("/dev/full", "w");
  if(!f)
    return; /* no /dev/full here: nothing to test with */
  ys_results *r = open_run(fixture);
  const char *formats[] = { "json", "csv", "junit", "md", "html" };
  for(int i = 0; i < 5; i++) {
    ys_diag d;
    clearerr(f);
    ck_assert_int_eq(ys_report_write(r, formats[i], f, &d), YS_ERR_IO);
    ck_assert_msg(strstr(d.msg, "cannot write the") != NULL, "%s", d.msg);
  }
  fclose(f);
  ys_results_free(r);
}
END_TEST

START_TEST(test_csv_names_a_bad_line)
{
  /* A run whose samples.jsonl changes after it was opened. */
  char dir[300], cmd[4096];
  snprintf(dir, sizeof(dir), "%s/changed", root);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s' && cp '%s'/*.json "
           "'%s'/samples.jsonl '%s'/", dir, dir, nogates, nogates, dir);
  ck_assert_int_eq(system(cmd), 0);
  ys_results *r = open_run(dir);
  char path[800];
  snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
  FILE *f = fopen(path, "a");
  fputs("{not json\n", f);
  fclose(f);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  ys_diag d;
  ck_assert_int_eq(ys_report_write(r, "csv", m, &d), YS_ERR_DATA);
  fclose(m);
  free(buf);
  ck_assert_str_eq(d.file, path);
  ck_assert_int_eq(d.line, 9);
  ys_results_free(r);
}
END_TEST

/* }====== */

/* {====== the runs ====== */

static int write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  if(!f || fputs(text, f) < 0 || fclose(f)) {
    perror(path);
    return -1;
  }
  return 0;
}

static int run_suite(const char *suite, const char *out, ys_err want)
{
  ys_run_opts o;
  ys_run_opts_init(&o);
  o.search_path = getenv("YS_SRCDIR");
  o.out_dir = out;
  o.cache = YS_RUN_CACHE_OFF;
  ys_run *run = NULL;
  ys_diag d;
  ys_err err = ys_run_open(suite, &o, &run, &d);
  if(!err)
    err = ys_run_exec(run, &d);
  ys_run_free(run);
  if(err != want) {
    fprintf(stderr, "check_report: running %s gave %d (%s), expected %d\n",
            suite, err, d.msg, want);
    return -1;
  }
  return 0;
}

/* The fixture suite with its gates, error budget or data changed. */
static char *variant(const char *data, const char *models,
                     const char *extra)
{
  return ys_xasprintf(
    "local ys = require \"yardstick\"\n"
    "return ys.suite {\n"
    "  name = \"report-fixture\",\n"
    "  dataset = ys.jsonl \"%s/records.jsonl\",\n"
    "  prompt = \"Extract: {{text}}\",\n"
    "  models = { %s },\n"
    "  metrics = {\n"
    "    ys.metric \"field_completeness\" { fields = { \"name\", \"city\", "
    "\"zip\" } },\n"
    "    ys.metric \"json_valid\" {},\n"
    "    ys.metric \"contains\" { name = \"names_who\", "
    "expected = \"who\" },\n"
    "  },\n"
    "  %s\n"
    "}\n", data, models, extra);
}

static int make_runs(void)
{
  const char *td = getenv("YS_TESTDATA");
  char data[600], path[1024];
  snprintf(data, sizeof(data), "%s/report", td);
  snprintf(fixture, sizeof(fixture), "%s/fx&<'\">", root);
  snprintf(path, sizeof(path), "%s/suite.lua", data);
  if(run_suite(path, fixture, YS_OK))
    return -1;
  char *models = ys_xasprintf("extractor = ys.replay { file = "
                              "\"%s/outputs.jsonl\" }, human = ys.replay { "
                              "field = \"human\" }", data);
  char *text = variant(data, "human = ys.replay { field = \"human\" }",
                       "max_error_rate = 0.5");
  snprintf(path, sizeof(path), "%s/nogates.lua", root);
  snprintf(nogates, sizeof(nogates), "%s/nogates", root);
  int bad = write_file(path, text) || run_suite(path, nogates, YS_OK);
  free(text);
  text = variant(data, models, "gates = { { model = \"human\", metric = "
                 "\"json_valid\", min = 0.5 } }");
  snprintf(path, sizeof(path), "%s/incomplete.lua", root);
  snprintf(incomplete, sizeof(incomplete), "%s/incomplete", root);
  bad = bad || write_file(path, text) ||
        run_suite(path, incomplete, YS_ERR_INCOMPLETE);
  free(text);
  free(models);
  if(bad)
    return -1;
  /* 300 samples x 2 repeats x 2 models; b's first output is long. */
  snprintf(path, sizeof(path), "%s/big.jsonl", root);
  FILE *f = fopen(path, "w");
  for(int i = 1; f && i <= 300; i++)
    fprintf(f, "{\"id\": \"s%d\", \"e\": \"x\"}\n", i);
  if(!f || fclose(f))
    return -1;
  snprintf(path, sizeof(path), "%s/big.lua", root);
  snprintf(big, sizeof(big), "%s/big", root);
  return write_file(path,
    "local ys = require \"yardstick\"\n"
    "return ys.suite {\n"
    "  name = \"big\", dataset = ys.jsonl \"big.jsonl\", prompt = \"{{e}}\",\n"
    "  models = {\n"
    "    a = ys.model { chat = function(self, req) return \"x\" end },\n"
    "    b = ys.model { chat = function(self, req)\n"
    "      if req.id == \"s1\" then return string.rep(\"ab\", 3000) .. "
    "\"=end\" end\n"
    "      return \"y\" end },\n"
    "  },\n"
    "  metrics = { ys.metric \"exact_match\" { expected = \"e\" } },\n"
    "  [\"repeat\"] = 2,\n"
    "}\n") || run_suite(path, big, YS_OK);
}

/* }====== */

static Suite *report_suite(void)
{
  Suite *s = suite_create("report");
  TCase *tc = tcase_create("escaping");
  tcase_add_test(tc, test_csv_plain_fields_are_left_alone);
  tcase_add_test(tc, test_csv_quotes_what_rfc4180_needs);
  tcase_add_test(tc, test_csv_formula_guard);
  tcase_add_test(tc, test_xml_escapes_markup);
  tcase_add_test(tc, test_xml_replaces_what_xml_forbids);
  tcase_add_test(tc, test_xml_attributes_keep_line_breaks);
  tcase_add_test(tc, test_html_injection_is_inert);
  tcase_add_test(tc, test_md_escapes_pipes_and_line_breaks);
  tcase_add_test(tc, test_md_escapes_formatting);
  tcase_add_test(tc, test_cut_keeps_utf8_whole);
  suite_add_tcase(s, tc);
  tc = tcase_create("csv");
  tcase_add_test(tc, test_csv_round_trips_through_libcsv);
  tcase_add_test(tc, test_csv_errors_and_guards);
  tcase_add_test(tc, test_csv_outputs_are_whole_and_repeats_counted);
  tcase_add_test(tc, test_csv_names_a_bad_line);
  suite_add_tcase(s, tc);
  tc = tcase_create("junit");
  tcase_add_test(tc, test_junit_is_well_formed_with_a_case_per_gate);
  tcase_add_test(tc, test_junit_without_gates_has_zero_tests);
  tcase_add_test(tc, test_junit_incomplete_run_is_an_error);
  tcase_add_test(tc, test_xml_check_catches_bad_xml);
  suite_add_tcase(s, tc);
  tc = tcase_create("json");
  tcase_add_test(tc, test_json_holds_the_run_and_the_verdicts);
  tcase_add_test(tc, test_json_outcomes);
  suite_add_tcase(s, tc);
  tc = tcase_create("md");
  tcase_add_test(tc, test_md_tables_and_verdicts);
  tcase_add_test(tc, test_md_incomplete_and_no_gates);
  suite_add_tcase(s, tc);
  tc = tcase_create("html");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_html_is_self_contained_and_escaped);
  tcase_add_test(tc, test_html_has_every_chart);
  tcase_add_test(tc, test_html_levels_chart_for_taxonomy);
  tcase_add_test(tc, test_html_caps_the_samples_table);
  suite_add_tcase(s, tc);
  tc = tcase_create("errors");
  tcase_add_test(tc, test_unknown_format_is_a_usage_error);
  tcase_add_test(tc, test_write_failure_is_reported);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  if(!getenv("YS_SRCDIR") || !getenv("YS_SRCDIR")[0] ||
     !getenv("YS_TESTDATA") || !getenv("YS_TESTDATA")[0]) {
    fprintf(stderr, "check_report: YS_SRCDIR and YS_TESTDATA must be set "
            "(make check sets them)\n");
    return EXIT_FAILURE;
  }
  snprintf(root, sizeof(root), "%s/ys-check-report-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if(!mkdtemp(root)) {
    perror("check_report: mkdtemp");
    return EXIT_FAILURE;
  }
  if(make_runs()) {
    rm_rf(root);
    return EXIT_FAILURE;
  }
  SRunner *sr = srunner_create(report_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  rm_rf(root);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
