/* SPDX-License-Identifier: MIT */
/*
 * journal.c: the run directory. Lines are gathered in a buffer and
 * written with one write() per batch (256 KiB or a second's worth), and
 * what was written is fsynced at most once a second, so a crash loses at
 * most a second or two of results (a killed process loses none of what
 * it wrote), and a fast run does not wait on the disk. A write
 * cut short (a full disk, a kill) can leave a torn last line: resuming
 * drops it. The directory is 0700 and its files 0600: they may hold
 * patient data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "journal.h"
#include "json.h"
#include "xalloc.h"

#define BATCH_BYTES (256u * 1024)
#define BATCH_MS 1000.0

struct ys_journal {
  char *dir;
  char *samples;  /* dir/samples.jsonl, for messages */
  char *run_id;
  int fd;        /* samples.jsonl, or -1 */
  ys_buf pending;
  double last_flush; /* ms, monotonic */
  double last_sync;  /* ms, monotonic */
  int unsynced;      /* written since the last fsync */
  FILE *kept;    /* resuming: the lines already there, read in order */
  off_t kept_end;/* the end of the last whole line read */
  long kept_lines;
  char *line;    /* getline's buffer */
  size_t line_cap;
};

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void ys_journal_utc_now(char buf[32])
{
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int mkdir_p(const char *path)
{
  if(!path[0]) {
    errno = ENOENT;
    return -1;
  }
  char *p = ys_xstrdup(path);
  for(char *s = p + 1; *s; s++) {
    if(*s != '/')
      continue;
    *s = '\0';
    if(mkdir(p, 0777) != 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(p, 0700);
  free(p);
  return rc != 0 && errno != EEXIST ? -1 : 0;
}

static int dir_is_empty(const char *path)
{
  DIR *d = opendir(path);
  if(!d)
    return 0;
  struct dirent *e;
  int empty = 1;
  while((e = readdir(d))) {
    if(strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      empty = 0;
      break;
    }
  }
  closedir(d);
  return empty;
}

static void random_hex(char out[7])
{
  unsigned char b[3] = { 0, 0, 0 };
  FILE *f = fopen("/dev/urandom", "rb");
  if(!f || fread(b, 1, 3, f) != 3) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long x = (unsigned long)ts.tv_nsec ^ (unsigned long)getpid();
    b[0] = (unsigned char)x;
    b[1] = (unsigned char)(x >> 8);
    b[2] = (unsigned char)(x >> 16);
  }
  if(f)
    fclose(f);
  snprintf(out, 7, "%02x%02x%02x", b[0], b[1], b[2]);
}

ys_err ys_journal_create(const char *dir, const char *parent,
                         const char *suite_name, ys_journal **out,
                         ys_diag *diag)
{
  *out = NULL;
  char *path;
  if(dir) {
    path = ys_xstrdup(dir);
    /* "runs/x/" (as shells complete it) names the run "x". */
    size_t n = strlen(path);
    while(n > 1 && path[n - 1] == '/')
      path[--n] = '\0';
  }
  else {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32], hex[7];
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    random_hex(hex);
    path = ys_xasprintf("%s/%s-%s-%s", !parent ? "runs" : *parent ? parent
                        : ".", suite_name,
                        stamp, hex);
  }
  struct stat st;
  if(stat(path, &st) == 0) {
    if(!S_ISDIR(st.st_mode) || !dir_is_empty(path)) {
      ys_err e = ys_fail(diag, YS_ERR_USAGE, path, 0, "run directory "
                         "already exists and is not empty (choose another "
                         "--output)");
      free(path);
      return e;
    }
  }
  else if(mkdir_p(path) != 0) {
    ys_err e = ys_fail(diag, YS_ERR_IO, path, 0, "cannot create run "
                       "directory: %s", strerror(errno));
    free(path);
    return e;
  }
  ys_journal *j = ys_xcalloc(1, sizeof(*j));
  j->dir = path;
  const char *slash = strrchr(path, '/');
  j->run_id = ys_xstrdup(slash && slash[1] ? slash + 1 : path);
  ys_buf_init(&j->pending, (size_t)1 << 30);
  j->samples = ys_xasprintf("%s/samples.jsonl", path);
  j->fd = open(j->samples, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if(j->fd < 0) {
    ys_err e = ys_fail(diag, YS_ERR_IO, path, 0, "cannot create "
                       "samples.jsonl: %s", strerror(errno));
    ys_journal_free(j);
    return e;
  }
  *out = j;
  return YS_OK;
}

const char *ys_journal_dir(const ys_journal *j)
{
  return j->dir;
}

const char *ys_journal_run_id(const ys_journal *j)
{
  return j->run_id;
}

static ys_err write_all(int fd, const char *p, size_t n, const char *what,
                        ys_diag *diag)
{
  while(n) {
    ssize_t w = write(fd, p, n);
    if(w < 0) {
      if(errno == EINTR)
        continue;
      return ys_fail(diag, YS_ERR_IO, what, 0, "write failed: %s%s",
                     strerror(errno), errno == ENOSPC || errno == EFBIG ||
                     errno == EDQUOT ? " (free some space, or raise the "
                     "file size limit)" : "");
    }
    p += w;
    n -= (size_t)w;
  }
  return YS_OK;
}

static ys_err flush_pending(ys_journal *j, ys_diag *diag)
{
  double now = now_ms();
  j->last_flush = now;
  if(j->fd < 0)
    return YS_OK;
  ys_err err = YS_OK;
  if(j->pending.len) {
    err = write_all(j->fd, j->pending.data, j->pending.len, j->samples,
                    diag);
    ys_buf_reset(&j->pending);
    j->unsynced = 1;
  }
  if(!err && j->unsynced && now - j->last_sync >= BATCH_MS) {
    if(fdatasync(j->fd) != 0 && errno != EINVAL)
      err = ys_fail(diag, YS_ERR_IO, j->samples, 0, "fsync failed: %s",
                    strerror(errno));
    j->unsynced = 0;
    j->last_sync = now;
  }
  return err;
}

ys_err ys_journal_append(ys_journal *j, const char *line, size_t len,
                         ys_diag *diag)
{
  if(!j->last_flush)
    j->last_flush = j->last_sync = now_ms();
  ys_err err = ys_buf_add(&j->pending, line, len);
  if(!err)
    err = ys_buf_addc(&j->pending, '\n');
  if(err)
    return ys_fail(diag, err, j->samples, 0, "result line too large");
  if(j->pending.len >= BATCH_BYTES || now_ms() - j->last_flush >= BATCH_MS)
    return flush_pending(j, diag);
  return YS_OK;
}

ys_err ys_journal_tick(ys_journal *j, ys_diag *diag)
{
  double now = now_ms();
  if((j->pending.len && now - j->last_flush >= BATCH_MS) ||
     (j->unsynced && now - j->last_sync >= BATCH_MS))
    return flush_pending(j, diag);
  return YS_OK;
}

ys_err ys_journal_resume(const char *dir, ys_journal **out, ys_diag *diag)
{
  *out = NULL;
  char *path = ys_xstrdup(dir);
  size_t n = strlen(path);
  while(n > 1 && path[n - 1] == '/')
    path[--n] = '\0';
  char *sp = ys_xasprintf("%s/samples.jsonl", path);
  ys_journal *j = ys_xcalloc(1, sizeof(*j));
  j->dir = path;
  const char *slash = strrchr(path, '/');
  j->run_id = ys_xstrdup(slash && slash[1] ? slash + 1 : path);
  ys_buf_init(&j->pending, (size_t)1 << 30);
  j->fd = -1;
  j->samples = ys_xstrdup(sp);
  j->kept = fopen(sp, "rb");
  if(!j->kept) {
    ys_err e = ys_fail(diag, YS_ERR_USAGE, sp, 0, "cannot open: %s",
                       strerror(errno));
    free(sp);
    ys_journal_free(j);
    return e;
  }
  j->fd = open(sp, O_WRONLY | O_APPEND | O_CLOEXEC);
  if(j->fd < 0) {
    ys_err e = ys_fail(diag, YS_ERR_IO, sp, 0, "cannot write: %s",
                       strerror(errno));
    free(sp);
    ys_journal_free(j);
    return e;
  }
  free(sp);
  *out = j;
  return YS_OK;
}

int ys_journal_kept_line(ys_journal *j, const char **line, size_t *len)
{
  if(!j->kept)
    return 0;
  ssize_t n = getline(&j->line, &j->line_cap, j->kept);
  if(n <= 0 || j->line[n - 1] != '\n') {
    /* The end, or a torn last line: not kept. */
    fclose(j->kept);
    j->kept = NULL;
    return 0;
  }
  j->kept_end += n;
  j->kept_lines++;
  j->line[n - 1] = '\0';
  *line = j->line;
  *len = (size_t)n - 1;
  return 1;
}

ys_err ys_journal_keep_no_more(ys_journal *j, long *dropped, ys_diag *diag)
{
  *dropped = 0;
  if(j->kept) {
    fclose(j->kept);
    j->kept = NULL;
  }
  struct stat st;
  if(fstat(j->fd, &st) != 0)
    return ys_fail(diag, YS_ERR_IO, j->samples, 0, "cannot stat: %s",
                   strerror(errno));
  if(st.st_size > j->kept_end) {
    /* Lines past the ones kept (a torn line, or lines the run will
     * write again): cut them so the journal stays whole lines in order. */
    *dropped = 1;
    if(ftruncate(j->fd, j->kept_end) != 0 || fdatasync(j->fd) != 0)
      return ys_fail(diag, YS_ERR_IO, j->samples, 0, "cannot cut the "
                     "unfinished end: %s", strerror(errno));
  }
  return YS_OK;
}

ys_err ys_journal_close(ys_journal *j, ys_diag *diag)
{
  if(j->kept) {
    fclose(j->kept);
    j->kept = NULL;
  }
  if(j->fd < 0)
    return YS_OK;
  ys_err err = flush_pending(j, diag);
  if(!err && fsync(j->fd) != 0 && errno != EINVAL)
    err = ys_fail(diag, YS_ERR_IO, j->samples, 0, "fsync failed: %s",
                  strerror(errno));
  close(j->fd);
  j->fd = -1;
  return err;
}

ys_err ys_journal_write_json(ys_journal *j, const char *name,
                             const cJSON *doc, ys_diag *diag)
{
  char *text = cJSON_Print(doc);
  if(!text)
    return ys_fail(diag, YS_ERR_NOMEM, name, 0, "cannot serialise");
  char *final = ys_xasprintf("%s/%s", j->dir, name);
  char *tmp = ys_xasprintf("%s/.%s.tmp", j->dir, name);
  ys_err err = YS_OK;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if(fd < 0)
    err = ys_fail(diag, YS_ERR_IO, final, 0, "cannot write: %s",
                  strerror(errno));
  else {
    err = write_all(fd, text, strlen(text), final, diag);
    if(!err)
      err = write_all(fd, "\n", 1, final, diag);
    if(!err && fsync(fd) != 0 && errno != EINVAL)
      err = ys_fail(diag, YS_ERR_IO, final, 0, "fsync failed: %s",
                    strerror(errno));
    close(fd);
    if(!err && rename(tmp, final) != 0)
      err = ys_fail(diag, YS_ERR_IO, final, 0, "cannot rename into place: "
                    "%s", strerror(errno));
    if(err)
      unlink(tmp);
  }
  free(text);
  free(final);
  free(tmp);
  return err;
}

void ys_journal_free(ys_journal *j)
{
  if(!j)
    return;
  if(j->fd >= 0)
    close(j->fd);
  if(j->kept)
    fclose(j->kept);
  free(j->line);
  free(j->samples);
  ys_buf_free(&j->pending);
  free(j->dir);
  free(j->run_id);
  free(j);
}

/* {====== reading lines ====== */

struct ys_lines {
  FILE *f;
  char *path;
  char *buf;
  size_t cap;
  long n;
};

ys_err ys_lines_open(const char *path, ys_lines **out, ys_diag *diag)
{
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if(!f)
    return ys_fail(diag, YS_ERR_USAGE, path, 0, "cannot open: %s",
                   strerror(errno));
  ys_lines *l = ys_xcalloc(1, sizeof(*l));
  l->f = f;
  l->path = ys_xstrdup(path);
  *out = l;
  return YS_OK;
}

int ys_lines_next(ys_lines *l, const char **line, size_t *len)
{
  ssize_t n = getline(&l->buf, &l->cap, l->f);
  if(n <= 0)
    return 0;
  l->n++;
  if(l->buf[n - 1] != '\n')
    return -1;
  l->buf[n - 1] = '\0';
  *line = l->buf;
  *len = (size_t)n - 1;
  return 1;
}

long ys_lines_number(const ys_lines *l)
{
  return l->n;
}

const char *ys_lines_path(const ys_lines *l)
{
  return l->path;
}

void ys_lines_free(ys_lines *l)
{
  if(!l)
    return;
  fclose(l->f);
  free(l->buf);
  free(l->path);
  free(l);
}

/* }====== */
