/* SPDX-License-Identifier: MIT */
/*
 * backend_exec.h: a local command as a model. `ys.exec { cmd = {...},
 * workers = N }` keeps N worker processes running for the whole run and
 * hands each one request at a time, as one JSON object per line:
 *
 *   to the worker (stdin):  {"id": ..., "messages": [...], "options": {...},
 *                            "repeat": 1, "sample": {...}}
 *   from the worker (stdout): {"text": "...", "input_tokens": 12,
 *                              "output_tokens": 3}   or   {"error": "..."}
 *
 * A worker's stderr lines go to yardstick's log. A worker that dies (or
 * exceeds `timeout` seconds on a request) is restarted and its request
 * retried once; failing again, the sample is recorded as an error. A
 * command that keeps dying before answering anything stops the run.
 * Workers start on the first request, inside the event loop, and stop
 * when the run ends. Uses process, sched, lua_lib_json.
 */
#ifndef YS_BACKEND_EXEC_H
#define YS_BACKEND_EXEC_H

#include <lua.h>

/* [-0, +0, m] Adds `exec` (the constructor) to the table on top. */
void ys_lua_add_exec(lua_State *L);

#endif
