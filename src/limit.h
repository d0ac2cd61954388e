/* SPDX-License-Identifier: MIT */
/*
 * limit.h: requests-per-minute and tokens-per-minute limits for a model,
 * as two token buckets that refill continuously (a full minute's worth to
 * start with, as providers allow). A call takes one request and its
 * estimated tokens; when the reply says how many tokens it really used,
 * the difference is settled. Pure arithmetic on a clock the caller gives.
 */
#ifndef YS_LIMIT_H
#define YS_LIMIT_H

typedef struct ys_limit {
  double rpm, tpm;        /* 0: no limit */
  double requests, tokens; /* available now */
  double last_ms;         /* time of the last refill */
  int started;
} ys_limit;

void ys_limit_init(ys_limit *l, double rpm, double tpm);

/* Milliseconds to wait before a call needing `tokens` may start at now_ms;
 * 0 means it may start now, and then it has been counted. */
double ys_limit_acquire(ys_limit *l, double tokens, double now_ms);

/* After the call: it used `used` tokens where `estimated` were counted. */
void ys_limit_settle(ys_limit *l, double estimated, double used);

#endif
