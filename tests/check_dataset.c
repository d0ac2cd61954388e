/* SPDX-License-Identifier: MIT */
/*
 * check_dataset.c: unit tests for src/dataset.h, JSONL and CSV readers.
 * Inputs are small files under tests/data/unit/ (found through YS_TESTDATA
 * or YS_SRCDIR) or temp files written by the test; every error checks the
 * code and the file, line and message it leaves in ys_diag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>

#include "dataset.h"

/* {====== helpers ====== */

/* Temp files made by a test. Each is unlinked as soon as the dataset has
 * opened it (a failed assertion in a forked test skips the teardown), and
 * the fixture teardown (or, without fork, an exit handler) frees the
 * paths, which tests still compare with ys_diag.file. */
#define MAX_TEMPS 64
static char *temps[MAX_TEMPS];
static int temps_linked[MAX_TEMPS];
static size_t ntemps;
static int temps_atexit;

static void temps_unlink(void)
{
  for(size_t i = 0; i < ntemps; i++)
    if(temps_linked[i]) {
      unlink(temps[i]);
      temps_linked[i] = 0;
    }
}

static void temps_cleanup(void)
{
  temps_unlink();
  for(size_t i = 0; i < ntemps; i++)
    free(temps[i]);
  ntemps = 0;
}

/* Writes len bytes to a new temp file; returns its path (borrowed, valid
 * until teardown). */
static const char *temp_file(const void *data, size_t len)
{
  if(!temps_atexit)
    temps_atexit = !atexit(temps_cleanup);
  ck_assert_uint_lt(ntemps, MAX_TEMPS);
  char tmpl[] = "/tmp/ys-check-dataset-XXXXXX";
  int fd = mkstemp(tmpl);
  ck_assert_msg(fd >= 0, "mkstemp failed");
  char *path = strdup(tmpl);
  ck_assert_ptr_nonnull(path);
  temps_linked[ntemps] = 1;
  temps[ntemps++] = path;
  FILE *f = fdopen(fd, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
  return path;
}

static const char *temp_text(const char *s)
{
  return temp_file(s, strlen(s));
}

/* Path of a file under tests/data/unit/. Returns owned (free with free()).
 */
static char *data_path(const char *name)
{
  const char *dir = getenv("YS_TESTDATA");
  const char *sub = "unit";
  if(!dir || !dir[0]) {
    dir = getenv("YS_SRCDIR");
    sub = "tests/data/unit";
  }
  ck_assert_msg(dir && dir[0], "set YS_TESTDATA (the tests/data directory) "
                "or YS_SRCDIR (the source tree); `make check` sets both");
  size_t len = strlen(dir) + strlen(sub) + strlen(name) + 3;
  char *p = malloc(len);
  ck_assert_ptr_nonnull(p);
  snprintf(p, len, "%s/%s/%s", dir, sub, name);
  return p;
}

static ys_dataset *open_ok(const char *path, ys_dataset_kind kind,
                           char delim, int hash)
{
  ys_dataset_opts opts;
  ys_dataset_opts_init(&opts, kind);
  if(delim)
    opts.delimiter = delim;
  opts.hash = hash;
  ys_dataset *ds = NULL;
  ys_diag d;
  ys_diag_clear(&d);
  ys_err err = ys_dataset_open(path, &opts, &ds, &d);
  temps_unlink();
  ck_assert_msg(err == YS_OK, "open %s: %s (%d)", path, d.msg, (int)err);
  ck_assert_ptr_nonnull(ds);
  return ds;
}

/* Reads one row, which must exist; returns it (owned) and its line. */
static cJSON *next_ok(ys_dataset *ds, long *line)
{
  cJSON *row = NULL;
  ys_diag d;
  ys_diag_clear(&d);
  ys_err err = ys_dataset_next(ds, &row, line, &d);
  ck_assert_msg(err == YS_OK, "next: %s:%ld: %s", d.file, d.line, d.msg);
  ck_assert_msg(row != NULL, "expected a row, got the end");
  ck_assert(cJSON_IsObject(row));
  return row;
}

static void expect_end(ys_dataset *ds)
{
  cJSON *row = (cJSON *)1;
  long line = -1;
  ys_diag d;
  ys_diag_clear(&d);
  ys_err err = ys_dataset_next(ds, &row, &line, &d);
  ck_assert_msg(err == YS_OK, "next at end: %s", d.msg);
  ck_assert_ptr_null(row);
}

static const char *field(const cJSON *row, const char *name)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, name);
  ck_assert_msg(cJSON_IsString(v), "field '%s' missing or not a string",
                name);
  return v->valuestring;
}

static void expect_diag(const ys_diag *d, const char *file, long line,
                        const char *part)
{
  ck_assert_str_eq(d->file, file);
  ck_assert_int_eq(d->line, line);
  ck_assert_msg(strstr(d->msg, part) != NULL,
                "message '%s' lacks '%s'", d->msg, part);
}

/* The first error reading path (at open or at any row), or YS_OK when the
 * whole file reads cleanly. */
static ys_err first_error(const char *path, ys_dataset_kind kind, char delim,
                          ys_diag *d)
{
  ys_dataset_opts opts;
  ys_dataset_opts_init(&opts, kind);
  if(delim)
    opts.delimiter = delim;
  ys_dataset *ds = NULL;
  ys_diag_clear(d);
  ys_err err = ys_dataset_open(path, &opts, &ds, d);
  temps_unlink();
  if(err) {
    ck_assert_ptr_null(ds);
    return err;
  }
  for(;;) {
    cJSON *row = NULL;
    long line = 0;
    err = ys_dataset_next(ds, &row, &line, d);
    if(err) {
      ck_assert_ptr_null(row);
      break;
    }
    if(!row)
      break;
    cJSON_Delete(row);
  }
  ys_dataset_free(ds);
  return err;
}

static void expect_jsonl_error(const char *data, size_t len, ys_err want,
                               long line, const char *part)
{
  const char *path = temp_file(data, len);
  ys_diag d;
  ys_err err = first_error(path, YS_DATASET_JSONL, 0, &d);
  ck_assert_msg(err == want, "got error %d (%s), wanted %d", (int)err,
                d.msg, (int)want);
  expect_diag(&d, path, line, part);
}

static void expect_csv_error(const char *text, char delim, long line,
                             const char *part)
{
  const char *path = temp_text(text);
  ys_diag d;
  ys_err err = first_error(path, YS_DATASET_CSV, delim, &d);
  ck_assert_msg(err == YS_ERR_DATA, "got error %d (%s), wanted DATA",
                (int)err, d.msg);
  expect_diag(&d, path, line, part);
}

/* }====== */

/* {====== opening ====== */

START_TEST(test_open_missing_file_is_io_error)
{
  ys_dataset_opts opts;
  ys_dataset_opts_init(&opts, YS_DATASET_JSONL);
  ys_dataset *ds = (ys_dataset *)1;
  ys_diag d;
  ys_err err = ys_dataset_open("/nonexistent/ys/rows.jsonl", &opts, &ds,
                               &d);
  ck_assert_int_eq(err, YS_ERR_IO);
  ck_assert_ptr_null(ds);
  expect_diag(&d, "/nonexistent/ys/rows.jsonl", 0, "cannot open");
  expect_diag(&d, "/nonexistent/ys/rows.jsonl", 0,
              "No such file or directory");
}
END_TEST

START_TEST(test_opts_init_defaults)
{
  ys_dataset_opts opts;
  memset(&opts, 0x55, sizeof(opts));
  ys_dataset_opts_init(&opts, YS_DATASET_CSV);
  ck_assert_int_eq(opts.kind, YS_DATASET_CSV);
  ck_assert_int_eq(opts.delimiter, ',');
  ck_assert_int_eq(opts.hash, 0);
}
END_TEST

START_TEST(test_free_null_is_noop)
{
  ys_dataset_free(NULL);
}
END_TEST

/* }====== */

/* {====== JSONL ====== */

START_TEST(test_jsonl_rows_carry_their_start_line)
{
  char *path = data_path("rows.jsonl");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  static const struct { const char *id; long line; } want[] = {
    { "r1", 1 }, { "r2", 3 }, { "r3", 6 }
  };
  for(size_t i = 0; i < 3; i++) {
    long line = 0;
    cJSON *row = next_ok(ds, &line);
    ck_assert_str_eq(field(row, "id"), want[i].id);
    ck_assert_int_eq(line, want[i].line);
    cJSON_Delete(row);
  }
  expect_end(ds);
  expect_end(ds); /* the end stays the end */
  ys_dataset_free(ds);
  free(path);
}
END_TEST

START_TEST(test_jsonl_blank_lines_are_skipped)
{
  const char *path = temp_text("\n  \n\t\n{\"a\": 1}\n\r\n\n{\"a\": 2}\n\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 4);
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 7);
  ck_assert_int_eq(cJSON_GetObjectItem(row, "a")->valueint, 2);
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_crlf_lines_parse)
{
  const char *path = temp_text("{\"a\": \"x\"}\r\n{\"a\": \"y\"}\r\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "a"), "x");
  ck_assert_int_eq(line, 1);
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "a"), "y");
  ck_assert_int_eq(line, 2);
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_bom_on_first_line_is_removed)
{
  const char *path = temp_text("\xEF\xBB\xBF{\"a\": 1}\n{\"a\": 2}\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 1);
  ck_assert_int_eq(cJSON_GetObjectItem(row, "a")->valueint, 1);
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 2);
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_bom_columns_count_after_it)
{
  /* Columns are counted on the text after the BOM: 'x' is column 7. */
  static const char s[] = "\xEF\xBB\xBF{\"a\": x}\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 1,
                     "invalid JSON at column 7");
}
END_TEST

START_TEST(test_jsonl_invalid_json_names_line_and_column)
{
  static const char s[] = "{\"a\": 1}\n{\"a\": x}\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 2,
                     "invalid JSON at column 7");
}
END_TEST

START_TEST(test_jsonl_truncated_object_says_end_of_line)
{
  /* The reader has a message for JSON cut short by the end of the line;
   * a column would point past the text. */
  static const char s[] = "{\"a\": 1}\n{\"a\": [1, 2\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 2,
                     "invalid JSON: unexpected end of line");
}
END_TEST

START_TEST(test_jsonl_unterminated_string_says_end_of_line)
{
  static const char s[] = "{\"a\": \"abc\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 1,
                     "invalid JSON: unexpected end of line");
}
END_TEST

START_TEST(test_jsonl_escaped_nul_is_refused)
{
  /* cJSON would cut "x\u0000y" short at the NUL; the reader refuses it
   * rather than hand out a different string. */
  static const char s[] = "{}\n{\"a\": \"x\\u0000y\"}\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 2,
                     "a string holds \\u0000 at column 9");
}
END_TEST

START_TEST(test_jsonl_escaped_backslash_before_u0000_is_text)
{
  const char *path = temp_text("{\"a\": \"x\\\\u0000y\"}\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "a"), "x\\u0000y");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

/* ys_dataset_next_string: the id of a plain JSONL line without parsing,
 * a parsed row otherwise, blank lines skipped, the right line numbers. */
START_TEST(test_next_string_reads_plain_ids_and_parses_the_rest)
{
  const char *path = temp_text("{\"id\": \"a\", \"x\": [1]}\n\n"
                               "{\"id\": \"b\\u0021\"}\n"
                               "{\"id\": 7}\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  const char *v;
  size_t n;
  cJSON *row = NULL;
  long line = 0;
  ys_diag d;
  ck_assert_int_eq(ys_dataset_next_string(ds, "id", &v, &n, &row, &line, &d),
                   YS_OK);
  ck_assert_ptr_nonnull(v);
  ck_assert_ptr_null(row);
  ck_assert_int_eq((int)n, 1);
  ck_assert_int_eq(v[0], 'a');
  ck_assert_int_eq(line, 1);
  ck_assert_int_eq(ys_dataset_next_string(ds, "id", &v, &n, &row, &line, &d),
                   YS_OK);
  ck_assert_ptr_null(v);  /* an escape: parsed */
  ck_assert_str_eq(field(row, "id"), "b!");
  ck_assert_int_eq(line, 3);
  cJSON_Delete(row);
  row = NULL;
  ck_assert_int_eq(ys_dataset_next_string(ds, "id", &v, &n, &row, &line, &d),
                   YS_OK);
  ck_assert_ptr_null(v);  /* a number: parsed */
  ck_assert_ptr_nonnull(row);
  ck_assert_int_eq(line, 4);
  cJSON_Delete(row);
  row = NULL;
  ck_assert_int_eq(ys_dataset_next_string(ds, "id", &v, &n, &row, &line, &d),
                   YS_OK);
  ck_assert_ptr_null(v);
  ck_assert_ptr_null(row);  /* the end */
  ys_dataset_free(ds);
}
END_TEST

/* CSV has no quick way: every row is read as ys_dataset_next reads it. */
START_TEST(test_next_string_csv_reads_rows)
{
  const char *path = temp_text("id,x\nr1,2\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  const char *v;
  size_t n;
  cJSON *row = NULL;
  long line = 0;
  ys_diag d;
  ck_assert_int_eq(ys_dataset_next_string(ds, "id", &v, &n, &row, &line, &d),
                   YS_OK);
  ck_assert_ptr_null(v);
  ck_assert_str_eq(field(row, "id"), "r1");
  ck_assert_int_eq(line, 2);
  cJSON_Delete(row);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_second_value_on_line_fails)
{
  static const char s[] = "{\"a\": 1}{\"b\": 2}\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 1,
                     "unexpected text after the JSON value at column 9");
}
END_TEST

START_TEST(test_jsonl_second_value_column_points_at_it)
{
  /* With blanks between the values, the column names the second value,
   * not the blank after the first. */
  static const char s[] = "\n{\"a\": 1}   {\"b\": 2}\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 2,
                     "unexpected text after the JSON value at column 12");
}
END_TEST

START_TEST(test_jsonl_trailing_blanks_after_object_are_fine)
{
  const char *path = temp_text("{\"a\": 1}  \t\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 1);
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_array_line_is_not_an_object)
{
  static const char s[] = "{\"a\": 1}\n[1, 2]\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 2,
                     "expected a JSON object, got array");
}
END_TEST

START_TEST(test_jsonl_number_line_is_not_an_object)
{
  static const char s[] = "42\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 1,
                     "expected a JSON object, got number");
}
END_TEST

START_TEST(test_jsonl_string_and_null_lines_are_not_objects)
{
  static const char s[] = "\"text\"\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 1,
                     "expected a JSON object, got string");
  static const char n[] = "\n\nnull\n";
  expect_jsonl_error(n, sizeof(n) - 1, YS_ERR_DATA, 3,
                     "expected a JSON object, got null");
}
END_TEST

START_TEST(test_jsonl_invalid_utf8_names_column)
{
  /* 0xC3 followed by '(' is a broken two-byte sequence at column 8. */
  static const char s[] = "{}\n{\"a\": \"\xC3(\"}\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 2,
                     "invalid UTF-8 at column 8");
}
END_TEST

START_TEST(test_jsonl_overlong_and_surrogate_utf8_fail)
{
  static const char overlong[] = "{\"a\": \"\xC0\xAF\"}\n";
  expect_jsonl_error(overlong, sizeof(overlong) - 1, YS_ERR_DATA, 1,
                     "invalid UTF-8 at column 8");
  static const char surrogate[] = "{\"ab\": \"\xED\xA0\x80\"}\n";
  expect_jsonl_error(surrogate, sizeof(surrogate) - 1, YS_ERR_DATA, 1,
                     "invalid UTF-8 at column 9");
}
END_TEST

START_TEST(test_jsonl_valid_utf8_passes)
{
  const char *path = temp_text("{\"a\": \"caf\xC3\xA9 \xE2\x82\xAC "
                               "\xF0\x9F\x98\x80\"}\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "a"),
                   "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  cJSON_Delete(row);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_nul_byte_names_column)
{
  static const char s[] = "{\"a\": 1}\n{\"a\": \"x\0y\"}\n";
  expect_jsonl_error(s, sizeof(s) - 1, YS_ERR_DATA, 2,
                     "NUL byte at column 9");
}
END_TEST

START_TEST(test_jsonl_empty_file_has_no_rows)
{
  const char *path = temp_file("", 0);
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_blank_only_file_has_no_rows)
{
  const char *path = temp_text("\n \r\n\t\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

/* Appends n bytes of c to the file at path. */
static void append_fill(const char *path, char c, size_t n)
{
  static char block[1 << 16];
  memset(block, c, sizeof(block));
  FILE *f = fopen(path, "ab");
  ck_assert_ptr_nonnull(f);
  while(n) {
    size_t k = n < sizeof(block) ? n : sizeof(block);
    ck_assert_uint_eq(fwrite(block, 1, k, f), k);
    n -= k;
  }
  ck_assert_int_eq(fclose(f), 0);
}

static void append_text(const char *path, const char *s)
{
  FILE *f = fopen(path, "ab");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_ge(fputs(s, f), 0);
  ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_jsonl_line_over_cap_is_toobig)
{
  /* Line 1 is a row, line 2 is one byte over YS_DATASET_MAX_LINE. The
   * 32 MiB temp file goes as soon as it is open. */
  const char *path = temp_text("{\"a\": 1}\n");
  append_fill(path, 'x', (size_t)YS_DATASET_MAX_LINE + 1);
  append_text(path, "\n{\"a\": 3}\n");

  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 1);
  cJSON_Delete(row);
  row = NULL;
  ys_diag d;
  ys_err err = ys_dataset_next(ds, &row, &line, &d);
  ck_assert_int_eq(err, YS_ERR_TOOBIG);
  ck_assert_ptr_null(row);
  expect_diag(&d, path, 2, "line longer than 32 MiB");
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_line_at_cap_is_read)
{
  /* {"a":"xx...x"} exactly YS_DATASET_MAX_LINE bytes, then a row. */
  const char *path = temp_text("{\"a\":\"");
  size_t fill = (size_t)YS_DATASET_MAX_LINE - strlen("{\"a\":\"\"}");
  append_fill(path, 'x', fill);
  append_text(path, "\"}\n{\"b\": 2}\n");

  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 1);
  ck_assert_uint_eq(strlen(field(row, "a")), fill);
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 2);
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_hash_is_sha256_of_the_bytes)
{
  /* Over 64 KiB, so the reader hashes several chunks. */
  size_t cap = 200000, len = 0;
  char *data = malloc(cap);
  ck_assert_ptr_nonnull(data);
  for(int i = 0; len + 64 < cap; i++)
    len += (size_t)snprintf(data + len, cap - len,
                            "{\"id\": \"row-%05d\", \"v\": %d}\n%s", i,
                            i * 7, i % 10 ? "" : "\r\n");
  const char *path = temp_file(data, len);

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  ck_assert(EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL));
  ck_assert_uint_eq(mdlen, 32);
  char want[65];
  for(unsigned i = 0; i < mdlen; i++)
    snprintf(want + 2 * i, 3, "%02x", md[i]);
  free(data);

  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 1);
  ck_assert_ptr_null(ys_dataset_sha256(ds)); /* not before the end */
  long line = 0, rows = 0;
  for(;;) {
    cJSON *row = NULL;
    ys_diag d;
    ck_assert_int_eq(ys_dataset_next(ds, &row, &line, &d), YS_OK);
    if(!row)
      break;
    rows++;
    cJSON_Delete(row);
  }
  ck_assert_int_gt(rows, 1000);
  ck_assert_ptr_nonnull(ys_dataset_sha256(ds));
  ck_assert_str_eq(ys_dataset_sha256(ds), want);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_hash_of_empty_file)
{
  const char *path = temp_file("", 0);
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 1);
  expect_end(ds);
  ck_assert_str_eq(ys_dataset_sha256(ds), "e3b0c44298fc1c149afbf4c8996fb924"
                   "27ae41e4649b934ca495991b7852b855");
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_no_hash_unless_asked)
{
  const char *path = temp_text("{\"a\": 1}\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 0);
  long line = 0;
  cJSON_Delete(next_ok(ds, &line));
  expect_end(ds);
  ck_assert_ptr_null(ys_dataset_sha256(ds));
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_jsonl_free_before_end_is_clean)
{
  /* Freeing mid-file with hashing on must release the digest state. */
  const char *path = temp_text("{\"a\": 1}\n{\"a\": 2}\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_JSONL, 0, 1);
  long line = 0;
  cJSON_Delete(next_ok(ds, &line));
  ys_dataset_free(ds);
}
END_TEST

/* }====== */

/* {====== CSV ====== */

START_TEST(test_csv_header_names_fields)
{
  const char *path = temp_text("id,q\n1,hello\n2,world\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 2);
  ck_assert_int_eq(cJSON_GetArraySize(row), 2);
  ck_assert_str_eq(field(row, "id"), "1");
  ck_assert_str_eq(field(row, "q"), "hello");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 3);
  ck_assert_str_eq(field(row, "id"), "2");
  ck_assert_str_eq(field(row, "q"), "world");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_quoted_fields_from_data_file)
{
  char *path = data_path("quoted.csv");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 2);
  ck_assert_str_eq(field(row, "question"), "Capital of France, please");
  ck_assert_str_eq(field(row, "answer"), "Paris");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 3);
  ck_assert_str_eq(field(row, "question"), "Say \"hi\"");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 4);
  ck_assert_str_eq(field(row, "question"), "two\nlines");
  ck_assert_str_eq(field(row, "answer"), "x");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 6);
  ck_assert_str_eq(field(row, "id"), "q4");
  ck_assert_str_eq(field(row, "answer"), "trailing");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
  free(path);
}
END_TEST

START_TEST(test_csv_quoted_field_keeps_delimiters)
{
  const char *path = temp_text("id,q\n1,\"a, b,, c\"\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "q"), "a, b,, c");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_doubled_quotes_unescape)
{
  const char *path = temp_text("id,q\n1,\"say \"\"hi\"\"\"\n2,\"\"\"\"\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "q"), "say \"hi\"");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "q"), "\"");
  cJSON_Delete(row);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_embedded_newlines_keep_row_lines)
{
  /* Row 1 spans lines 2-4; row 2 is on line 5; row 3 spans 6-7. */
  const char *path = temp_text("id,q\n1,\"one\ntwo\nthree\"\n2,x\n"
                               "3,\"\nlast\"\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 2);
  ck_assert_str_eq(field(row, "q"), "one\ntwo\nthree");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 5);
  ck_assert_str_eq(field(row, "id"), "2");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 6);
  ck_assert_str_eq(field(row, "q"), "\nlast");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_row_offsets_point_at_each_row)
{
  /* CSV: rows start after the header, at their first line, past blank
   * lines; a quoted field may span lines. */
  const char *csv = "id,q\n1,\"one\ntwo\"\n\n2,x\n";
  ys_dataset *ds = open_ok(temp_text(csv), YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_uint_eq(ds->row_offset, 5);
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_uint_eq(ds->row_offset, 18);
  ck_assert_int_eq(strncmp(csv + ds->row_offset, "2,x", 3), 0);
  cJSON_Delete(row);
  ys_dataset_free(ds);
  /* JSONL: the row's line, past blank ones. */
  const char *jl = "{\"a\": 1}\n  \n\n{\"a\": 2}\n";
  ds = open_ok(temp_text(jl), YS_DATASET_JSONL, 0, 0);
  row = next_ok(ds, &line);
  ck_assert_uint_eq(ds->row_offset, 0);
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_uint_eq(ds->row_offset, 13);
  ck_assert_int_eq(strncmp(jl + ds->row_offset, "{\"a\": 2}", 8), 0);
  cJSON_Delete(row);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_crlf_lines_parse)
{
  const char *path = temp_text("id,q\r\n1,x\r\n2,\"y, z\"\r\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 2);
  ck_assert_str_eq(field(row, "q"), "x");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 3);
  ck_assert_str_eq(field(row, "q"), "y, z");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_bom_is_not_part_of_first_name)
{
  const char *path = temp_text("\xEF\xBB\xBFid,q\n1,x\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "id"), "1");
  cJSON_Delete(row);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_blank_lines_and_last_line_without_newline)
{
  const char *path = temp_text("id\n\n1\n\n\n2");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_int_eq(line, 3);
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 6);
  ck_assert_str_eq(field(row, "id"), "2");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_semicolon_delimiter)
{
  const char *path = temp_text("id;q\n1;a,b\n2;\"c;d\"\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, ';', 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "q"), "a,b");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "q"), "c;d");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_tab_delimiter)
{
  const char *path = temp_text("id\tq\tr\n1\tx, y\tz\n2\t\t3\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, '\t', 0);
  long line = 0;
  cJSON *row = next_ok(ds, &line);
  ck_assert_str_eq(field(row, "id"), "1");
  ck_assert_str_eq(field(row, "q"), "x, y");
  ck_assert_str_eq(field(row, "r"), "z");
  cJSON_Delete(row);
  row = next_ok(ds, &line);
  ck_assert_int_eq(line, 3);
  ck_assert_str_eq(field(row, "q"), "");
  ck_assert_str_eq(field(row, "r"), "3");
  cJSON_Delete(row);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_empty_header_name_fails)
{
  expect_csv_error("id,,q\n1,2,3\n", 0, 1,
                   "header field 2 is empty: every column needs a name");
  expect_csv_error("\nid,q,\n", 0, 2, "header field 3 is empty");
}
END_TEST

START_TEST(test_csv_duplicate_header_fails)
{
  expect_csv_error("id,q,id\n1,2,3\n", 0, 1,
                   "header names column 'id' twice");
}
END_TEST

START_TEST(test_csv_row_with_more_fields_fails)
{
  expect_csv_error("id,q\n1,x\n2,y,z\n", 0, 3,
                   "expected 2 fields as in the header, got 3");
}
END_TEST

START_TEST(test_csv_row_with_fewer_fields_fails)
{
  expect_csv_error("id,q,r\n1,x,y\n\n2\n", 0, 4,
                   "expected 3 fields as in the header, got 1");
}
END_TEST

START_TEST(test_csv_unterminated_quote_at_eof_fails)
{
  /* The row starts on line 3 and the quote never closes. */
  expect_csv_error("id,q\n1,x\n2,\"open\nstill open\n", 0, 3,
                   "unterminated quoted field");
}
END_TEST

START_TEST(test_csv_quote_inside_unquoted_field_fails)
{
  expect_csv_error("id,q\n1,x\n2,ab\"c\n", 0, 3,
                   "a quote inside an unquoted field at column 5");
}
END_TEST

START_TEST(test_csv_text_after_closing_quote_fails)
{
  expect_csv_error("id,q\n1,\"ab\"c\n", 0, 2,
                   "text after the closing quote at column 7");
}
END_TEST

START_TEST(test_csv_empty_file_needs_header)
{
  expect_csv_error("", 0, 1, "expected a header row");
  expect_csv_error("\n\n", 0, 1, "expected a header row");
}
END_TEST

START_TEST(test_csv_header_only_has_no_rows)
{
  const char *path = temp_text("id,q\n");
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 0);
  expect_end(ds);
  ys_dataset_free(ds);
}
END_TEST

START_TEST(test_csv_shares_line_checks)
{
  /* NUL bytes and bad UTF-8 are caught by the shared line reader. */
  static const char nul[] = "id,q\n1,a\0b\n";
  const char *path = temp_file(nul, sizeof(nul) - 1);
  ys_diag d;
  ck_assert_int_eq(first_error(path, YS_DATASET_CSV, 0, &d), YS_ERR_DATA);
  expect_diag(&d, path, 2, "NUL byte at column 4");
  expect_csv_error("id,q\n1,x\n2,\xFF\n", 0, 3, "invalid UTF-8 at column 3");
}
END_TEST

START_TEST(test_csv_hash_is_sha256_of_the_bytes)
{
  /* The CSV reader hashes through the same line reader as JSONL. */
  static const char s[] = "id\n1\n2\n3\n4\n";
  const char *path = temp_text(s);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  ck_assert(EVP_Digest(s, sizeof(s) - 1, md, &mdlen, EVP_sha256(), NULL));
  char want[65];
  for(unsigned i = 0; i < mdlen; i++)
    snprintf(want + 2 * i, 3, "%02x", md[i]);
  ys_dataset *ds = open_ok(path, YS_DATASET_CSV, 0, 1);
  long line = 0;
  for(int i = 0; i < 4; i++)
    cJSON_Delete(next_ok(ds, &line));
  expect_end(ds);
  ck_assert_str_eq(ys_dataset_sha256(ds), want);
  ys_dataset_free(ds);
}
END_TEST

/* }====== */

static Suite *dataset_suite(void)
{
  Suite *s = suite_create("dataset");

  TCase *tc = tcase_create("open");
  tcase_add_checked_fixture(tc, NULL, temps_cleanup);
  tcase_add_test(tc, test_open_missing_file_is_io_error);
  tcase_add_test(tc, test_opts_init_defaults);
  tcase_add_test(tc, test_free_null_is_noop);
  suite_add_tcase(s, tc);

  tc = tcase_create("jsonl");
  tcase_add_checked_fixture(tc, NULL, temps_cleanup);
  tcase_set_timeout(tc, 120); /* the 32 MiB line, under valgrind */
  tcase_add_test(tc, test_jsonl_rows_carry_their_start_line);
  tcase_add_test(tc, test_jsonl_blank_lines_are_skipped);
  tcase_add_test(tc, test_jsonl_crlf_lines_parse);
  tcase_add_test(tc, test_jsonl_bom_on_first_line_is_removed);
  tcase_add_test(tc, test_jsonl_bom_columns_count_after_it);
  tcase_add_test(tc, test_jsonl_invalid_json_names_line_and_column);
  tcase_add_test(tc, test_jsonl_truncated_object_says_end_of_line);
  tcase_add_test(tc, test_jsonl_unterminated_string_says_end_of_line);
  tcase_add_test(tc, test_jsonl_escaped_nul_is_refused);
  tcase_add_test(tc, test_jsonl_escaped_backslash_before_u0000_is_text);
  tcase_add_test(tc, test_next_string_reads_plain_ids_and_parses_the_rest);
  tcase_add_test(tc, test_next_string_csv_reads_rows);
  tcase_add_test(tc, test_jsonl_second_value_on_line_fails);
  tcase_add_test(tc, test_jsonl_second_value_column_points_at_it);
  tcase_add_test(tc, test_jsonl_trailing_blanks_after_object_are_fine);
  tcase_add_test(tc, test_jsonl_array_line_is_not_an_object);
  tcase_add_test(tc, test_jsonl_number_line_is_not_an_object);
  tcase_add_test(tc, test_jsonl_string_and_null_lines_are_not_objects);
  tcase_add_test(tc, test_jsonl_invalid_utf8_names_column);
  tcase_add_test(tc, test_jsonl_overlong_and_surrogate_utf8_fail);
  tcase_add_test(tc, test_jsonl_valid_utf8_passes);
  tcase_add_test(tc, test_jsonl_nul_byte_names_column);
  tcase_add_test(tc, test_jsonl_empty_file_has_no_rows);
  tcase_add_test(tc, test_jsonl_blank_only_file_has_no_rows);
  tcase_add_test(tc, test_jsonl_line_over_cap_is_toobig);
  tcase_add_test(tc, test_jsonl_line_at_cap_is_read);
  tcase_add_test(tc, test_jsonl_hash_is_sha256_of_the_bytes);
  tcase_add_test(tc, test_jsonl_hash_of_empty_file);
  tcase_add_test(tc, test_jsonl_no_hash_unless_asked);
  tcase_add_test(tc, test_jsonl_free_before_end_is_clean);
  suite_add_tcase(s, tc);

  tc = tcase_create("csv");
  tcase_add_checked_fixture(tc, NULL, temps_cleanup);
  tcase_add_test(tc, test_csv_header_names_fields);
  tcase_add_test(tc, test_csv_quoted_fields_from_data_file);
  tcase_add_test(tc, test_csv_quoted_field_keeps_delimiters);
  tcase_add_test(tc, test_csv_doubled_quotes_unescape);
  tcase_add_test(tc, test_csv_embedded_newlines_keep_row_lines);
  tcase_add_test(tc, test_row_offsets_point_at_each_row);
  tcase_add_test(tc, test_csv_crlf_lines_parse);
  tcase_add_test(tc, test_csv_bom_is_not_part_of_first_name);
  tcase_add_test(tc, test_csv_blank_lines_and_last_line_without_newline);
  tcase_add_test(tc, test_csv_semicolon_delimiter);
  tcase_add_test(tc, test_csv_tab_delimiter);
  tcase_add_test(tc, test_csv_empty_header_name_fails);
  tcase_add_test(tc, test_csv_duplicate_header_fails);
  tcase_add_test(tc, test_csv_row_with_more_fields_fails);
  tcase_add_test(tc, test_csv_row_with_fewer_fields_fails);
  tcase_add_test(tc, test_csv_unterminated_quote_at_eof_fails);
  tcase_add_test(tc, test_csv_quote_inside_unquoted_field_fails);
  tcase_add_test(tc, test_csv_text_after_closing_quote_fails);
  tcase_add_test(tc, test_csv_empty_file_needs_header);
  tcase_add_test(tc, test_csv_header_only_has_no_rows);
  tcase_add_test(tc, test_csv_shares_line_checks);
  tcase_add_test(tc, test_csv_hash_is_sha256_of_the_bytes);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(dataset_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
