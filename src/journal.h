/* SPDX-License-Identifier: MIT */
/*
 * journal.h: the run directory on disk. Creates it (never reusing one that
 * holds files) or reopens one to resume, writes samples.jsonl as an
 * append-only journal of complete lines written and fsynced in batches
 * (at least every second), and replaces JSON files (manifest.json,
 * summary.json) atomically: temp file, fsync, rename. Uses buf, json.
 */
#ifndef YS_JOURNAL_H
#define YS_JOURNAL_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

typedef struct ys_journal ys_journal;

/* Creates the run directory. When dir is NULL, makes
 * <parent>/<suite>-<UTC time>-<6 hex> (parent created if missing). Errors:
 * YS_ERR_USAGE (exists and is not empty), YS_ERR_IO. */
ys_err ys_journal_create(const char *dir, const char *parent,
                         const char *suite_name, ys_journal **out,
                         ys_diag *diag) YS_WARN_UNUSED;

const char *ys_journal_dir(const ys_journal *j);
/* The run id: the directory's last component. */
const char *ys_journal_run_id(const ys_journal *j);

/* Reopens the run directory dir to resume it: the lines already in
 * samples.jsonl are read back with ys_journal_kept_line, then
 * ys_journal_keep_no_more cuts what follows the last one kept, before
 * anything is appended. Errors: YS_ERR_USAGE (no samples.jsonl), YS_ERR_IO. */
ys_err ys_journal_resume(const char *dir, ys_journal **out, ys_diag *diag)
  YS_WARN_UNUSED;

/* The next whole line already in the journal (without its newline;
 * borrowed until the next call); 0 at the end or at a torn last line. */
int ys_journal_kept_line(ys_journal *j, const char **line, size_t *len);

/* Stops reading kept lines and cuts the file after the last one read (a
 * torn line, say); *dropped says whether anything was cut. */
ys_err ys_journal_keep_no_more(ys_journal *j, long *dropped, ys_diag *diag)
  YS_WARN_UNUSED;

/* Reading another run's samples.jsonl, line by line (merging shards). */
typedef struct ys_lines ys_lines;
ys_err ys_lines_open(const char *path, ys_lines **out, ys_diag *diag)
  YS_WARN_UNUSED;
/* The next line (without its newline; borrowed until the next call): 1,
 * or 0 at the end, or -1 for a last line without its newline. */
int ys_lines_next(ys_lines *l, const char **line, size_t *len);
/* The number of the line last returned, from 1. */
long ys_lines_number(const ys_lines *l);
const char *ys_lines_path(const ys_lines *l);
void ys_lines_free(ys_lines *l);

/* Appends one line (without its newline) to samples.jsonl. Lines are
 * written and fsynced every 256 KiB or second, and at ys_journal_close. */
ys_err ys_journal_append(ys_journal *j, const char *line, size_t len,
                         ys_diag *diag) YS_WARN_UNUSED;

/* Writes pending lines if the last write is a second old (call it while
 * waiting, so results never sit in memory long). */
ys_err ys_journal_tick(ys_journal *j, ys_diag *diag) YS_WARN_UNUSED;

/* Writes name (e.g. "summary.json") in the run directory atomically, as
 * pretty-printed JSON. */
ys_err ys_journal_write_json(ys_journal *j, const char *name,
                             const cJSON *doc, ys_diag *diag) YS_WARN_UNUSED;

/* Flushes and fsyncs samples.jsonl and closes it; safe to call twice. */
ys_err ys_journal_close(ys_journal *j, ys_diag *diag) YS_WARN_UNUSED;

void ys_journal_free(ys_journal *j);

/* The current UTC time as ISO 8601 ("2026-11-25T21:25:19Z"). */
void ys_journal_utc_now(char buf[32]);

#endif
