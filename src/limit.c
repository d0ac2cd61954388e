/* SPDX-License-Identifier: MIT */
/*
 * limit.c: the token buckets. A request asking for more tokens than a
 * whole minute allows is let through when the bucket is full, so it waits
 * but never forever.
 */
#include "limit.h"

void ys_limit_init(ys_limit *l, double rpm, double tpm)
{
  l->rpm = rpm > 0 ? rpm : 0;
  l->tpm = tpm > 0 ? tpm : 0;
  l->requests = l->rpm;
  l->tokens = l->tpm;
  l->last_ms = 0;
  l->started = 0;
}

static void refill(ys_limit *l, double now_ms)
{
  if(!l->started) {
    l->started = 1;
    l->last_ms = now_ms;
    return;
  }
  double dt = now_ms - l->last_ms;
  if(dt <= 0)
    return;
  l->last_ms = now_ms;
  l->requests += l->rpm * dt / 60000.0;
  if(l->requests > l->rpm)
    l->requests = l->rpm;
  l->tokens += l->tpm * dt / 60000.0;
  if(l->tokens > l->tpm)
    l->tokens = l->tpm;
}

double ys_limit_acquire(ys_limit *l, double tokens, double now_ms)
{
  if(!l->rpm && !l->tpm)
    return 0;
  refill(l, now_ms);
  double wait = 0;
  if(l->rpm && l->requests < 1) {
    double w = (1 - l->requests) * 60000.0 / l->rpm;
    if(w > wait)
      wait = w;
  }
  if(l->tpm) {
    double need = tokens < l->tpm ? tokens : l->tpm;
    if(l->tokens < need) {
      double w = (need - l->tokens) * 60000.0 / l->tpm;
      if(w > wait)
        wait = w;
    }
  }
  if(wait > 0)
    return wait < 1 ? 1 : wait;
  if(l->rpm)
    l->requests -= 1;
  if(l->tpm)
    l->tokens -= tokens;
  return 0;
}

void ys_limit_settle(ys_limit *l, double estimated, double used)
{
  if(l->tpm)
    l->tokens -= used - estimated;
}
