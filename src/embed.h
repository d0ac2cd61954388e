/* SPDX-License-Identifier: MIT */
/*
 * embed.h: text embeddings from an OpenAI-compatible /v1/embeddings
 * endpoint, for near-duplicate checks (data_lint.c, data_leak.c). Texts
 * are queued and sent in batches; each vector is handed to a callback in
 * the order its text was queued, so at most one batch of texts and
 * vectors is ever held. Uses backend_http (ys_http_post, its retries),
 * cJSON, buf.
 *
 * Pointers are borrowed. The API key is read from the environment by
 * backend_http and never stored or reported here.
 */
#ifndef YS_EMBED_H
#define YS_EMBED_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Longest vector accepted, and the most texts in a request. */
#define YS_EMBED_MAX_DIMS 65536
#define YS_EMBED_MAX_BATCH 2048

typedef struct ys_embed_opts {
  const char *url;     /* the API's base ("http://host:8000/v1") or the
                        * endpoint itself (".../v1/embeddings") */
  const char *model;
  const char *key_env; /* environment variable with the API key; NULL */
  int batch;           /* texts a request, 1 to YS_EMBED_MAX_BATCH */
  long timeout_ms;     /* per request; 0: 120 s */
} ys_embed_opts;

/* Receives the vector of the text queued with tag; v holds dims floats,
 * valid during the call. A non-zero ys_err stops the embedding and is
 * returned by the ys_embed_add or ys_embed_flush that called. */
typedef ys_err (*ys_embed_cb)(void *ud, uint64_t tag, const float *v,
                              size_t dims, ys_diag *diag);

typedef struct ys_embed ys_embed;

/* A new client (free with ys_embed_free). Errors: YS_ERR_USAGE (no URL or
 * model, a URL that is not http(s), a batch out of range). */
ys_err ys_embed_new(const ys_embed_opts *opts, ys_embed_cb cb, void *ud,
                    ys_embed **out, ys_diag *diag) YS_WARN_UNUSED;

/* Queues s[0..len) with tag, and sends the batch when it is full (or its
 * request body would pass 16 MiB). Errors: those of ys_embed_flush, and
 * YS_ERR_TOOBIG for a text that alone passes 16 MiB. */
ys_err ys_embed_add(ys_embed *e, const char *s, size_t len, uint64_t tag,
                    ys_diag *diag) YS_WARN_UNUSED;

/* Sends what is queued and waits for its vectors. Errors: YS_ERR_MODEL
 * (the server failed after its retries, answered an error status, or sent
 * something that is not one vector per text, all of one length), the
 * callback's. */
ys_err ys_embed_flush(ys_embed *e, ys_diag *diag) YS_WARN_UNUSED;

/* Vectors received so far, and their length (0 before the first). */
uint64_t ys_embed_count(const ys_embed *e);
size_t ys_embed_dims(const ys_embed *e);

void ys_embed_free(ys_embed *e);

#endif
