/* SPDX-License-Identifier: MIT */
/*
 * check_plan.c: unit tests for the duplicate-id check of the plan
 * (plan.h): the same errors as an exact check, word for word and line for
 * line, with the default filter and with a tiny one that makes almost
 * every id a suspect (false positives cleared by the second read); a
 * duplicate before another bad row still comes first; suspects settled
 * part way through a long file; --limit; CSV; a file that changes
 * between the two reads (a FIFO). Writes its datasets to a
 * temporary directory. Uses Check; run by `make check`.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan.h"
#include "suite.h"
#include "yardstick.h"

static char dir[256];      /* the test's temporary directory */
static char data[320];     /* dir/data.jsonl or dir/data.csv */

/* The two filters every case runs with: the default, and 1 bit per id
 * with a first stage of 1 id, which says "maybe" to most ids. */
static const struct {
  unsigned bits;
  size_t first;
} filters[] = { { 0, 0 }, { 1, 1 } };

static void setup(void)
{
  snprintf(dir, sizeof(dir), "%s/ys-check-plan-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
  char p[400];
  snprintf(p, sizeof(p), "%s/data.jsonl", dir);
  unlink(p);
  snprintf(p, sizeof(p), "%s/data.csv", dir);
  unlink(p);
  snprintf(p, sizeof(p), "%s/suite.lua", dir);
  unlink(p);
  snprintf(p, sizeof(p), "%s/other.jsonl", dir);
  unlink(p);
  rmdir(dir);
}

/* Writes n JSONL rows with ids "r<line>", except the rows listed in
 * ids[] (line, id) get that id, or no id at all when it is NULL. */
typedef struct row_id {
  long line;
  const char *id;
} row_id;

static void write_jsonl(long n, const row_id *ids, size_t nids)
{
  snprintf(data, sizeof(data), "%s/data.jsonl", dir);
  FILE *f = fopen(data, "wb");
  ck_assert_ptr_nonnull(f);
  for(long line = 1; line <= n; line++) {
    const char *id = NULL;
    int special = 0;
    for(size_t i = 0; i < nids; i++)
      if(ids[i].line == line) {
        id = ids[i].id;
        special = 1;
      }
    if(!special)
      fprintf(f, "{\"id\": \"r%ld\", \"q\": \"question %ld\"}\n", line, line);
    else if(id)
      fprintf(f, "{\"id\": %s, \"q\": \"question %ld\"}\n", id, line);
    else
      fprintf(f, "{\"q\": \"question %ld\"}\n", line);
  }
  fclose(f);
}

static ys_suite *load_suite(void)
{
  char path[400];
  snprintf(path, sizeof(path), "%s/suite.lua", dir);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  int csv = strstr(data, ".csv") != NULL;
  fprintf(f, "local ys = require \"yardstick\"\n"
          "return ys.suite { name = \"plan\", dataset = ys.%s \"%s\",\n"
          "  prompt = \"{{q}}\",\n"
          "  models = { m = ys.replay { field = \"q\" } },\n"
          "  metrics = { ys.metric \"exact_match\" { expected = \"q\" } } }\n",
          csv ? "csv" : "jsonl", data);
  fclose(f);
  const char *srcdir = getenv("YS_SRCDIR");
  ck_assert_msg(srcdir && srcdir[0], "YS_SRCDIR is not set (make check "
                "sets it)");
  ys_suite_opts so = { srcdir, NULL, NULL };
  ys_suite *s = NULL;
  ys_diag d;
  ck_assert_msg(ys_suite_load(path, &so, &s, &d) == YS_OK, "%s", d.msg);
  return s;
}

/* Plans with filter f and a limit; returns the error, fills plan and d. */
static ys_err plan_with(const ys_suite *s, size_t f, long limit,
                        ys_plan *plan, ys_diag *d)
{
  ys_plan_opts o = { limit, 0, 1, 0, 0, NULL, 0 };
  return ys_plan_make_with_filter(s, &o, filters[f].bits, filters[f].first,
                                  plan, d);
}

/* Expects the dataset to fail with msg on line, with either filter. */
static void expect_error(long line, const char *msg)
{
  ys_suite *s = load_suite();
  for(size_t f = 0; f < 2; f++) {
    ys_plan plan;
    ys_diag d;
    ck_assert_int_eq(plan_with(s, f, 0, &plan, &d), YS_ERR_DATA);
    ck_assert_str_eq(d.file, data);
    ck_assert_int_eq(d.line, line);
    ck_assert_str_eq(d.msg, msg);
    /* The tiny filter had suspects to settle before the error. */
    if(f == 1)
      ck_assert_int_ge(plan.id_rereads, 1);
  }
  ys_suite_free(s);
}

/* {====== duplicates found exactly ====== */

START_TEST(test_plan_unique_ids_pass_even_when_all_are_suspects)
{
  write_jsonl(3000, NULL, 0);
  ys_suite *s = load_suite();
  char sha[65] = "";
  for(size_t f = 0; f < 2; f++) {
    ys_plan plan;
    ys_diag d;
    ck_assert_msg(plan_with(s, f, 0, &plan, &d) == YS_OK, "%s", d.msg);
    ck_assert_int_eq(plan.rows_read, 3000);
    ck_assert_int_eq(plan.rows_selected, 3000);
    if(f == 0) {
      memcpy(sha, plan.sha256, sizeof(sha));
      ck_assert_int_eq(plan.id_suspects, 0);
      ck_assert_int_eq(plan.id_rereads, 0);
    }
    else {
      /* False positives, all cleared by one second read. */
      ck_assert_int_gt(plan.id_suspects, 300);
      ck_assert_int_eq(plan.id_rereads, 1);
      ck_assert_str_eq(plan.sha256, sha);
    }
    ys_plan_cleanup(&plan);
  }
  ys_suite_free(s);
}
END_TEST

START_TEST(test_plan_duplicate_on_the_last_line)
{
  const row_id ids[] = { { 500, "\"r1\"" } };
  write_jsonl(500, ids, 1);
  expect_error(500, "duplicate id 'r1' (first on line 1)");
}
END_TEST

START_TEST(test_plan_duplicate_on_the_second_line)
{
  const row_id ids[] = { { 2, "\"r1\"" } };
  write_jsonl(300, ids, 1);
  expect_error(2, "duplicate id 'r1' (first on line 1)");
}
END_TEST

START_TEST(test_plan_first_duplicate_is_reported)
{
  /* r3 comes back on line 200, r2 on line 150, r5 three times: line 150
   * is the first line whose id was seen before. */
  const row_id ids[] = { { 200, "\"r3\"" }, { 150, "\"r2\"" },
                         { 170, "\"r5\"" }, { 260, "\"r5\"" } };
  write_jsonl(400, ids, 4);
  expect_error(150, "duplicate id 'r2' (first on line 2)");
}
END_TEST

START_TEST(test_plan_third_occurrence_names_the_first)
{
  const row_id ids[] = { { 10, "\"dup\"" }, { 90, "\"dup\"" },
                         { 95, "\"dup\"" } };
  write_jsonl(120, ids, 3);
  expect_error(90, "duplicate id 'dup' (first on line 10)");
}
END_TEST

START_TEST(test_plan_number_and_string_ids_collide)
{
  const row_id ids[] = { { 7, "1.5" }, { 60, "\"1.5\"" } };
  write_jsonl(100, ids, 2);
  expect_error(60, "duplicate id '1.5' (first on line 7)");
}
END_TEST

START_TEST(test_plan_duplicate_before_a_bad_row_comes_first)
{
  const row_id ids[] = { { 40, "\"r12\"" }, { 80, NULL } };
  write_jsonl(200, ids, 2);
  expect_error(40, "duplicate id 'r12' (first on line 12)");
}
END_TEST

START_TEST(test_plan_bad_row_after_false_positives_is_reported)
{
  /* The tiny filter has suspects by line 250; they are all false, so the
   * missing id is the error, as it always was. */
  const row_id ids[] = { { 250, NULL } };
  write_jsonl(300, ids, 1);
  expect_error(250, "row has no id field 'id' (set the suite's id = "
               "\"...\" to the field that names each sample)");
}
END_TEST

/* }====== */

/* {====== long files, limits, CSV ====== */

START_TEST(test_plan_settles_suspects_part_way)
{
  /* 12,000 rows with the tiny filter: more suspects than are kept at
   * once, so they are settled (and cleared) on the way, then once more;
   * a duplicate of line 5 at the end is still found. */
  const row_id ids[] = { { 12000, "\"r5\"" } };
  write_jsonl(12000, ids, 1);
  ys_suite *s = load_suite();
  ys_plan plan;
  ys_diag d;
  ck_assert_int_eq(plan_with(s, 1, 11999, &plan, &d), YS_OK);
  ck_assert_int_eq(plan.rows_read, 11999);
  ck_assert_int_ge(plan.id_rereads, 2);
  ys_plan_cleanup(&plan);
  ck_assert_int_eq(plan_with(s, 1, 0, &plan, &d), YS_ERR_DATA);
  ck_assert_int_eq(d.line, 12000);
  ck_assert_str_eq(d.msg, "duplicate id 'r5' (first on line 5)");
  ys_suite_free(s);
}
END_TEST

START_TEST(test_plan_duplicate_past_the_limit_is_not_read)
{
  const row_id ids[] = { { 101, "\"r1\"" } };
  write_jsonl(101, ids, 1);
  ys_suite *s = load_suite();
  for(size_t f = 0; f < 2; f++) {
    ys_plan plan;
    ys_diag d;
    ck_assert_int_eq(plan_with(s, f, 100, &plan, &d), YS_OK);
    ck_assert_int_eq(plan.rows_read, 100);
    ys_plan_cleanup(&plan);
    ck_assert_int_eq(plan_with(s, f, 101, &plan, &d), YS_ERR_DATA);
    ck_assert_int_eq(d.line, 101);
  }
  ys_suite_free(s);
}
END_TEST

START_TEST(test_plan_csv_duplicate_names_its_lines)
{
  /* A header, a quoted field over two lines, then the duplicate: lines
   * count as the file's, not rows. */
  snprintf(data, sizeof(data), "%s/data.csv", dir);
  FILE *f = fopen(data, "wb");
  ck_assert_ptr_nonnull(f);
  fputs("id,q\n", f);
  for(int i = 1; i <= 100; i++)
    fprintf(f, "c%d,question %d\n", i, i);
  fputs("c101,\"two\nlines\"\n", f);
  fputs("c7,again\n", f);
  fclose(f);
  /* c7 is on line 8; the duplicate is on line 104. */
  expect_error(104, "duplicate id 'c7' (first on line 8)");
}
END_TEST

/* The second read meets other rows than the first. The dataset is a
 * FIFO for the first read; once that read has it open, the writer puts a
 * plain file with other ids in its place, which the second read opens. */
START_TEST(test_plan_file_changed_between_reads_is_an_error)
{
  write_jsonl(50, NULL, 0);
  ys_suite *s = load_suite(); /* loading reads the plain file */
  char other[400];
  snprintf(other, sizeof(other), "%s/other.jsonl", dir);
  FILE *f = fopen(other, "wb");
  ck_assert_ptr_nonnull(f);
  for(int line = 1; line <= 50; line++)
    fprintf(f, "{\"id\": \"other%d\", \"q\": \"x\"}\n", line);
  fclose(f);
  ck_assert_int_eq(unlink(data), 0);
  ck_assert_int_eq(mkfifo(data, 0600), 0);
  /* The writer is a shell: once the first read has the FIFO open, it
   * moves the other file over its name and writes the rows. */
  static const char writer[] =
    "exec 3>\"$0\" && mv \"$1\" \"$0\" && i=1 && while [ $i -le 50 ]; do "
    "echo \"{\\\"id\\\": \\\"r$i\\\", \\\"q\\\": \\\"x\\\"}\" >&3; "
    "i=$((i + 1)); done";
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if(pid == 0) {
    execl("/bin/sh", "sh", "-c", writer, data, other, (char *)NULL);
    _exit(127);
  }
  /* The tiny filter makes most ids suspects: the file is read again, and
   * the first suspect met there has another id. */
  ys_plan plan;
  ys_diag d;
  ys_err err = plan_with(s, 1, 0, &plan, &d);
  kill(pid, SIGKILL); /* if it is still there, something went wrong */
  int status = 0;
  waitpid(pid, &status, 0);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                "the writer failed");
  ck_assert_int_eq(err, YS_ERR_DATA);
  ck_assert_str_eq(d.file, data);
  ck_assert_int_ge(d.line, 2);
  ck_assert_int_le(d.line, 50);
  ck_assert_str_eq(d.msg, "the file changed while it was read");
  ck_assert_int_eq(plan.id_rereads, 1);
  ys_suite_free(s);
}
END_TEST

/* }====== */

static Suite *plan_suite(void)
{
  Suite *s = suite_create("plan");
  TCase *tc = tcase_create("duplicates");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_plan_unique_ids_pass_even_when_all_are_suspects);
  tcase_add_test(tc, test_plan_duplicate_on_the_last_line);
  tcase_add_test(tc, test_plan_duplicate_on_the_second_line);
  tcase_add_test(tc, test_plan_first_duplicate_is_reported);
  tcase_add_test(tc, test_plan_third_occurrence_names_the_first);
  tcase_add_test(tc, test_plan_number_and_string_ids_collide);
  tcase_add_test(tc, test_plan_duplicate_before_a_bad_row_comes_first);
  tcase_add_test(tc, test_plan_bad_row_after_false_positives_is_reported);
  suite_add_tcase(s, tc);

  tc = tcase_create("long files, limits, CSV");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_plan_settles_suspects_part_way);
  tcase_add_test(tc, test_plan_duplicate_past_the_limit_is_not_read);
  tcase_add_test(tc, test_plan_csv_duplicate_names_its_lines);
  tcase_add_test(tc, test_plan_file_changed_between_reads_is_an_error);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(plan_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
