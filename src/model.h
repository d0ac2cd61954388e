/* SPDX-License-Identifier: MIT */
/*
 * model.h: the model object suites and evaluate functions call. A model
 * wraps a backend (any table with a chat(self, request) function: replay,
 * a Lua model, an HTTP provider plugin) and adds what every call needs:
 * message normalisation, timing, token and cost accounting into the
 * running task. In Lua: `local text, reply = model:chat(messages, opts)`,
 * where messages is a string (one user message) or a list of {role,
 * content}. The backend receives request = {messages, options, id, sample}
 * and returns a string or {text, input_tokens, output_tokens}. Uses sched
 * and Lua. A reply may also carry `output`, a structured value that the
 * default evaluation uses instead of the text (replayed table outputs).
 * Failed calls are timed and counted too. When the backend reports no
 * token counts (or counts no call can have: negative, over 10^12) they
 * are estimated (4 characters a token) and the usage is marked
 * estimated. rpm / tpm limits make a call wait its turn.
 */
#ifndef YS_MODEL_H
#define YS_MODEL_H

#include <math.h>

#include <cjson/cJSON.h>
#include <lua.h>

#include "limit.h"
#include "sched.h"

/* A backend's plain answer, given without Lua (see ys_model.direct). */
typedef struct ys_direct_reply {
  char *text;     /* owned: the reply's text (valid UTF-8, no NUL) */
  size_t len;
  long in, out;   /* token counts the backend reported; -1: none */
} ys_direct_reply;

/* Answers the default evaluation of the sample row (id) with text alone,
 * and returns 1; returns 0, having done nothing, for anything else (an
 * error, a structured output): the task then takes model:chat's way,
 * which reports it as usual. */
typedef int (*ys_direct_fn)(void *ud, const cJSON *row, const char *id,
                            ys_direct_reply *reply);

typedef struct ys_model {
  char *name;
  char *kind;         /* backend kind for the manifest ("replay", ...) */
  char *where;        /* "suite.lua:12" where it was defined, or "" */
  int backend_ref;    /* backend table, in the suite state's registry */
  int object_ref;     /* the ys.Model userdata */
  int concurrency;    /* tasks in flight at most; 0: only -j limits */
  double price_in;    /* per million input tokens; 0 when unknown */
  double price_out;   /* per million output tokens */
  int has_price;      /* price was given (even as 0): costs are known */
  double hosting_usd; /* fixed monthly cost (a self-hosted GPU); NaN: none */
  ys_limit limit;     /* rpm / tpm */
  ys_usage aux;       /* calls made from tasks evaluating another model */
  int inflight;       /* runner bookkeeping */
  size_t index;       /* position in the suite's model list */
  /* A backend written in C (replay) may answer the default evaluation
   * (no prompt function, no evaluate) without the Lua task; the runner
   * then accounts the call as model:chat would. NULL: always Lua. */
  ys_direct_fn direct;
  void *direct_ud;    /* anchored by the backend table */
} ys_model;

/* More tokens than any real call reports; a count past it (1e30, inf)
 * would not even fit in a long, so it is estimated like a missing one. */
#define YS_MAX_TOKENS 1e12

/* Tokens estimated for a text of n characters: 4 to a token. */
static inline double ys_model_estimate(double chars)
{
  return ceil(chars / 4);
}

/* The usage of one answered call of m that took ms: in and out are the
 * token counts the backend gave, -1 where it gave none (then est_in, and
 * the estimate for the reply's reply_len bytes); the cost at m's price.
 * model:chat and the runner's calls without Lua both account this way. */
ys_usage ys_model_call_usage(const ys_model *m, double est_in, long in,
                             long out, size_t reply_len, double ms);

/* [-0, +1, m] Creates the ys.Model userdata for m (with the backend table
 * on top of the stack, which it pops and references) and pushes it. */
void ys_model_push_new(lua_State *L, ys_model *m);

/* The ys_model behind the ys.Model at idx, or NULL. */
ys_model *ys_model_check(lua_State *L, int idx);

void ys_model_free(lua_State *L, ys_model *m);

#endif
