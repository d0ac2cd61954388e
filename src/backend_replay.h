/* SPDX-License-Identifier: MIT */
/*
 * backend_replay.h: recorded outputs keyed by sample id, for re-scoring
 * without calling a model. The file is JSONL; each line holds an id and an
 * output (field names configurable), like a run's samples.jsonl, which can
 * be replayed as is with `model` picking one model's lines. Only an index
 * (id hash -> file offset) stays in memory; lines are read back on demand.
 * Uses dataset (line reader), hash, json.
 */
#ifndef YS_BACKEND_REPLAY_H
#define YS_BACKEND_REPLAY_H

#include <cjson/cJSON.h>

#include "err.h"

typedef struct ys_replay ys_replay;

typedef struct ys_replay_opts {
  const char *path;
  const char *model;        /* keep only lines whose "model" is this */
  const char *id_field;     /* default "id" */
  const char *output_field; /* default "output" */
} ys_replay_opts;

/* Reads and indexes the file. Errors (YS_ERR_DATA, YS_ERR_IO, ...) name
 * path:line: bad JSON, a line without the id or output field, an id twice. */
ys_err ys_replay_open(const ys_replay_opts *opts, ys_replay **out,
                      ys_diag *diag) YS_WARN_UNUSED;

/* The record for id: *record is the whole line's object (owned by the
 * caller), or NULL when the file has no line for id. */
ys_err ys_replay_get(ys_replay *r, const char *id, cJSON **record,
                     ys_diag *diag) YS_WARN_UNUSED;

/* Field names in use. */
const char *ys_replay_output_field(const ys_replay *r);
size_t ys_replay_count(const ys_replay *r);

void ys_replay_free(ys_replay *r);

#endif
