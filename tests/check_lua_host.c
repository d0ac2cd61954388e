/* SPDX-License-Identifier: MIT */
/*
 * check_lua_host.c: unit tests for the Lua host (lua_host.h): the memory
 * budget and its accounting, the allocator's pool of small blocks
 * (contents kept across every size change, exact byte counts), the
 * instruction and time limits, calls and their errors, loading files,
 * and the sandbox as a state shows it (missing libraries, read-only
 * globals, text-only chunks). Uses Check and Lua 5.4.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_host.h"

#define MiB ((size_t)1 << 20)

static lua_State *L;
static char logged[256]; /* the last line print() sent to the log */
static int nlogged;

/* {====== fixtures and helpers ====== */

static void log_line(void *ud, const char *line)
{
  (void)ud;
  snprintf(logged, sizeof(logged), "%s", line);
  nlogged++;
}

static void setup(void)
{
  logged[0] = '\0';
  nlogged = 0;
  L = ys_lua_new(8 * MiB, log_line, NULL);
  ck_assert_ptr_nonnull(L);
}

static void teardown(void)
{
  ys_lua_close(L);
  L = NULL;
}

/* Loads code as a sandboxed chunk (its own _ENV, text only) and calls it
 * through ys_lua_call, leaving nres results. */
static ys_err run(lua_State *S, const char *code, int nres, ys_diag *d)
{
  ys_diag_clear(d);
  int rc = luaL_loadbufferx(S, code, strlen(code), "=test", "t");
  if(rc == LUA_ERRMEM) {
    lua_pop(S, 1);
    return YS_ERR_NOMEM;
  }
  ck_assert_msg(rc == LUA_OK, "cannot load: %s", lua_tostring(S, -1));
  ys_lua_push_env(S);
  lua_setupvalue(S, -2, 1);
  return ys_lua_call(S, 0, nres, d);
}

/* Runs code that must succeed and return one integer. */
static lua_Integer run_int(lua_State *S, const char *code)
{
  ys_diag d;
  ys_err err = run(S, code, 1, &d);
  ck_assert_msg(err == YS_OK, "%s: %s", code, d.msg);
  ck_assert_msg(lua_isinteger(S, -1), "%s: not an integer", code);
  lua_Integer v = lua_tointeger(S, -1);
  lua_pop(S, 1);
  return v;
}

/* Runs code that must fail with err and a message containing want. */
static void run_fails(lua_State *S, const char *code, ys_err err,
                      const char *want)
{
  ys_diag d;
  int top = lua_gettop(S);
  ys_err got = run(S, code, 0, &d);
  ck_assert_msg(got == err, "%s: got error %d (%s), expected %d", code,
                (int)got, d.msg, (int)err);
  ck_assert_msg(strstr(d.msg, want) != NULL, "%s: message \"%s\" lacks "
                "\"%s\"", code, d.msg, want);
  ck_assert_int_eq(lua_gettop(S), top);
}

/* What Lua itself counts as allocated, in bytes. */
static size_t lua_count(lua_State *S)
{
  return (size_t)lua_gc(S, LUA_GCCOUNT) * 1024 +
         (size_t)lua_gc(S, LUA_GCCOUNTB);
}

/* A byte of block id at offset i: differs between neighbours and
 * between blocks, so a block written over by another shows. */
static unsigned char pat(unsigned id, size_t i)
{
  return (unsigned char)(id * 131u + i * 7u + (i >> 8));
}

static void fill(unsigned char *p, unsigned id, size_t n)
{
  for(size_t i = 0; i < n; i++)
    p[i] = pat(id, i);
}

static int intact(const unsigned char *p, unsigned id, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(p[i] != pat(id, i))
      return 0;
  return 1;
}

/* A small deterministic generator for the churn tests. */
static uint32_t rnd(uint32_t *s)
{
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

/* }====== */

/* {====== creating and the budget ====== */

START_TEST(test_lua_new_counts_its_memory)
{
  size_t used = ys_lua_mem_used(L);
  ck_assert_uint_gt(used, 1000);
  ck_assert_uint_lt(used, 8 * MiB);
  ys_lua_close(NULL);
}
END_TEST

START_TEST(test_lua_new_with_too_small_budget_fails_cleanly)
{
  /* Every budget from nothing to a little more than a state needs:
   * either no state at all or a working one within its budget. */
  ck_assert_ptr_null(ys_lua_new(0, NULL, NULL));
  int made = 0, refused = 0;
  for(size_t cap = 256; cap <= 64 * 1024; cap += 256) {
    lua_State *S = ys_lua_new(cap, NULL, NULL);
    if(!S) {
      refused++;
      continue;
    }
    made++;
    ck_assert_uint_le(ys_lua_mem_used(S), cap);
    ys_diag d;
    ys_err err = run(S, "return 1", 0, &d);
    ck_assert(err == YS_OK || err == YS_ERR_NOMEM);
    ck_assert_uint_le(ys_lua_mem_used(S), cap);
    ys_lua_close(S);
  }
  ck_assert_int_gt(refused, 0);
  ck_assert_int_gt(made, 0);
}
END_TEST

START_TEST(test_lua_table_past_budget_is_nomem)
{
  lua_State *S = ys_lua_new(MiB, NULL, NULL);
  ck_assert_ptr_nonnull(S);
  run_fails(S, "local t = {} for i = 1, 1e8 do t[i] = {i} end", YS_ERR_NOMEM,
            "out of memory");
  ck_assert_uint_le(ys_lua_mem_used(S), MiB);
  /* The state is still usable, and the garbage goes. */
  lua_gc(S, LUA_GCCOLLECT);
  ck_assert_uint_lt(ys_lua_mem_used(S), MiB / 4);
  ck_assert_int_eq(run_int(S, "local t = {} for i = 1, 1000 do t[i] = i end "
                           "return #t"), 1000);
  ys_lua_close(S);
}
END_TEST

START_TEST(test_lua_string_past_budget_is_nomem)
{
  /* string.rep and table.concat grow their result in a buffer whose
   * allocation fails inside lauxlib, not in the VM. */
  lua_State *S = ys_lua_new(MiB, NULL, NULL);
  ck_assert_ptr_nonnull(S);
  run_fails(S, "return string.rep('x', 8 * 1024 * 1024)", YS_ERR_NOMEM,
            "out of memory");
  run_fails(S, "local t = {} for i = 1, 20000 do t[i] = 'abcdefghij' .. i "
            "end return table.concat(t)", YS_ERR_NOMEM, "out of memory");
  ck_assert_int_eq(run_int(S, "return #string.rep('x', 1000)"), 1000);
  ys_lua_close(S);
}
END_TEST

START_TEST(test_lua_memory_error_caught_in_script_keeps_state)
{
  lua_State *S = ys_lua_new(MiB, NULL, NULL);
  ck_assert_ptr_nonnull(S);
  ck_assert_int_eq(run_int(S,
    "local ok = pcall(function() local t = {} "
    "  for i = 1, 1e8 do t[i] = {i} end end) "
    "local t = {} for i = 1, 100 do t[i] = i * 2 end "
    "return (ok and 1000 or 0) + t[100]"), 200);
  ys_lua_close(S);
}
END_TEST

START_TEST(test_lua_mem_used_matches_lua_count_exactly)
{
  /* Lua counts the exact sizes it asks for; the allocator's count must
   * agree byte for byte, which also means it falls to zero when
   * lua_close frees everything Lua counted. */
  ck_assert_uint_eq(ys_lua_mem_used(L), lua_count(L));
  ck_assert_int_eq(run_int(L,
    "local t = {} for i = 1, 5000 do t[i] = string.rep('y', i % 300) .. i "
    "end local n = 0 for k, v in pairs(t) do n = n + #v end return n > 0 "
    "and 1 or 0"), 1);
  ck_assert_uint_eq(ys_lua_mem_used(L), lua_count(L));
  lua_gc(L, LUA_GCCOLLECT);
  ck_assert_uint_eq(ys_lua_mem_used(L), lua_count(L));
  ys_diag d;
  ck_assert_int_eq(run(L, "error('x')", 0, &d), YS_ERR_LUA);
  ck_assert_uint_eq(ys_lua_mem_used(L), lua_count(L));
}
END_TEST

START_TEST(test_lua_mem_used_returns_to_baseline_after_collection)
{
  lua_gc(L, LUA_GCCOLLECT);
  size_t base = ys_lua_mem_used(L);
  ys_diag d;
  ck_assert_int_eq(run(L,
    "local t = {} for i = 1, 20000 do t[i] = {i, i * 2} end", 0, &d),
    YS_OK);
  ck_assert_uint_gt(ys_lua_mem_used(L), base + MiB);
  lua_gc(L, LUA_GCCOLLECT);
  lua_gc(L, LUA_GCCOLLECT);
  size_t after = ys_lua_mem_used(L);
  ck_assert_msg(after <= base + 16 * 1024, "baseline %zu, after %zu", base,
                after);
}
END_TEST

/* }====== */

/* {====== the allocator and its pool ====== */

/* The allocator loops check with plain ifs: a passing ck_assert records
 * its location, which would cost more than the allocations. */
#define CHECK(cond, ...) do { if(!(cond)) ck_abort_msg(__VA_ARGS__); } \
  while(0)

START_TEST(test_lua_alloc_resize_keeps_contents_for_all_small_sizes)
{
  /* Every pair of sizes in 1..300, across the pool's limit: the bytes
   * the two sizes share survive, and the count follows exactly. */
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  size_t base = ys_lua_mem_used(L);
  for(size_t n = 1; n <= 300; n++) {
    for(size_t m = 1; m <= 300; m++) {
      unsigned id = (unsigned)(n * 301 + m);
      unsigned char *p = f(ud, NULL, LUA_TSTRING, n);
      CHECK(p, "cannot allocate %zu bytes", n);
      CHECK(ys_lua_mem_used(L) == base + n, "count after malloc %zu", n);
      fill(p, id, n);
      unsigned char *q = f(ud, p, n, m);
      CHECK(q, "cannot resize %zu -> %zu", n, m);
      CHECK(ys_lua_mem_used(L) == base + m, "count after %zu -> %zu", n, m);
      CHECK(intact(q, id, n < m ? n : m), "resize %zu -> %zu lost bytes", n,
            m);
      fill(q, id, m); /* the whole new size is writable */
      CHECK(!f(ud, q, m, 0), "free gave a pointer");
      CHECK(ys_lua_mem_used(L) == base, "count after free %zu", m);
    }
  }
}
END_TEST

START_TEST(test_lua_alloc_churn_keeps_live_blocks_intact)
{
  /* Many live blocks of mixed sizes, freed and resized in a scrambled
   * order, so freed blocks go back to the pool and come out again
   * while their neighbours are in use. */
  enum { SLOTS = 1500, STEPS = 60000 };
  static unsigned char *blk[SLOTS];
  static size_t len[SLOTS];
  static unsigned ids[SLOTS];
  void *ud;
  lua_Alloc f = lua_getallocf(L, &ud);
  size_t base = ys_lua_mem_used(L), live = 0;
  uint32_t s = 12345;
  unsigned next_id = 1;
  for(int step = 0; step < STEPS; step++) {
    size_t i = rnd(&s) % SLOTS;
    size_t n = 1 + rnd(&s) % 300;
    if(!blk[i]) {
      blk[i] = f(ud, NULL, 0, n);
      CHECK(blk[i], "cannot allocate %zu bytes", n);
      len[i] = n;
      ids[i] = next_id++;
      fill(blk[i], ids[i], n);
      live += n;
    }
    else {
      CHECK(intact(blk[i], ids[i], len[i]), "block %zu (%zu bytes) changed "
            "at step %d", i, len[i], step);
      live -= len[i];
      if(rnd(&s) % 3 == 0) {
        CHECK(!f(ud, blk[i], len[i], 0), "free gave a pointer");
        blk[i] = NULL;
        continue;
      }
      unsigned char *p = f(ud, blk[i], len[i], n);
      CHECK(p, "cannot resize %zu -> %zu", len[i], n);
      CHECK(intact(p, ids[i], len[i] < n ? len[i] : n), "resize %zu -> %zu "
            "lost bytes", len[i], n);
      blk[i] = p;
      len[i] = n;
      ids[i] = next_id++;
      fill(blk[i], ids[i], n);
      live += n;
    }
    CHECK(ys_lua_mem_used(L) == base + live, "count at step %d", step);
  }
  for(size_t i = 0; i < SLOTS; i++) {
    if(!blk[i])
      continue;
    ck_assert(intact(blk[i], ids[i], len[i]));
    ck_assert_ptr_null(f(ud, blk[i], len[i], 0));
    blk[i] = NULL;
  }
  ck_assert_uint_eq(ys_lua_mem_used(L), base);
}
END_TEST

START_TEST(test_lua_alloc_refuses_past_budget_and_keeps_block)
{
  lua_State *S = ys_lua_new(MiB, NULL, NULL);
  ck_assert_ptr_nonnull(S);
  void *ud;
  lua_Alloc f = lua_getallocf(S, &ud);
  size_t base = ys_lua_mem_used(S);
  size_t room = MiB - base;
  ck_assert_ptr_null(f(ud, NULL, 0, room + 1));
  ck_assert_uint_eq(ys_lua_mem_used(S), base);
  /* Exactly the rest of the budget is fine. */
  unsigned char *p = f(ud, NULL, 0, room);
  ck_assert_ptr_nonnull(p);
  ck_assert_ptr_null(f(ud, NULL, 0, 1));
  ck_assert_ptr_null(f(ud, p, room, 0));
  /* A small block that cannot grow stays as it was. */
  unsigned char *q = f(ud, NULL, 0, 100);
  ck_assert_ptr_nonnull(q);
  fill(q, 7, 100);
  ck_assert_ptr_null(f(ud, q, 100, room + 1));
  ck_assert(intact(q, 7, 100));
  ck_assert_uint_eq(ys_lua_mem_used(S), base + 100);
  /* Shrinking never fails. */
  unsigned char *r = f(ud, q, 100, 10);
  ck_assert_ptr_nonnull(r);
  ck_assert(intact(r, 7, 10));
  ck_assert_ptr_null(f(ud, r, 10, 0));
  ck_assert_uint_eq(ys_lua_mem_used(S), base);
  ys_lua_close(S);
}
END_TEST

START_TEST(test_lua_strings_of_every_small_length_survive)
{
  /* Strings of 1 to 300 bytes, built, dropped and rebuilt so pooled
   * blocks are reused, then read back byte by byte in C. */
  ys_diag d;
  ck_assert_int_eq(run(L,
    "local keep = {} "
    "local function make(n) "
    "  local unit = string.char(65 + n % 26) .. '0123456789' "
    "  return string.rep(unit, n // #unit + 1):sub(1, n) "
    "end "
    "for round = 1, 3 do "
    "  for n = 1, 300 do keep[n] = make(n) .. '' end "
    "  local junk = {} "
    "  for n = 300, 1, -1 do junk[n] = string.rep('#', n) end "
    "end "
    "return keep", 1, &d), YS_OK);
  lua_gc(L, LUA_GCCOLLECT);
  ck_assert(lua_istable(L, -1));
  for(lua_Integer n = 1; n <= 300; n++) {
    lua_rawgeti(L, -1, n);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(len, (size_t)n);
    const char unit[] = "?0123456789";
    for(size_t i = 0; i < len; i++) {
      char want = i % 11 ? unit[i % 11] : (char)(65 + n % 26);
      CHECK(s[i] == want, "string %d: byte %zu is %c, not %c", (int)n, i,
            s[i], want);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  ck_assert_uint_eq(ys_lua_mem_used(L), lua_count(L));
}
END_TEST

START_TEST(test_lua_tables_growing_and_shrinking_keep_values)
{
  /* Array and hash parts through many sizes, up and down: each resize
   * moves the table's parts between pooled blocks of other classes. */
  ck_assert_int_eq(run_int(L,
    "local t = {} "
    "for n = 1, 200 do "
    "  t[n] = n * 3 "
    "  for i = 1, n do assert(t[i] == i * 3, 'array at ' .. n) end "
    "end "
    "local h = {} "
    "for n = 1, 200 do "
    "  h['k' .. n] = n "
    "  for i = 1, n, 7 do assert(h['k' .. i] == i, 'hash at ' .. n) end "
    "end "
    /* shrink: empty most of both, then new keys force a rehash */
    "for n = 200, 6, -1 do t[n] = nil; h['k' .. n] = nil end "
    "for i = 1, 40 do h['new' .. i] = -i end "
    "for i = 1, 5 do assert(t[i] == i * 3 and h['k' .. i] == i) end "
    "for i = 1, 40 do assert(h['new' .. i] == -i) end "
    "local c = 0 for _ in pairs(h) do c = c + 1 end "
    "assert(c == 45, 'count ' .. c) "
    /* and up again */
    "for n = 6, 150 do t[n] = -n end "
    "for i = 6, 150 do assert(t[i] == -i) end "
    "return #t"), 150);
  lua_gc(L, LUA_GCCOLLECT);
  ck_assert_uint_eq(ys_lua_mem_used(L), lua_count(L));
}
END_TEST

START_TEST(test_lua_many_states_close_without_leaks)
{
  /* Each state's pooled blocks go back at close: under valgrind or ASan
   * a leak here fails the run. */
  for(int i = 0; i < 20; i++) {
    lua_State *S = ys_lua_new(4 * MiB, NULL, NULL);
    ck_assert_ptr_nonnull(S);
    ck_assert_int_eq(run_int(S,
      "local t = {} for i = 1, 3000 do t[i] = ('x'):rep(i % 250) .. i end "
      "t = nil return 1"), 1);
    ck_assert_uint_eq(ys_lua_mem_used(S), lua_count(S));
    ys_lua_close(S);
  }
}
END_TEST

/* }====== */

/* {====== instruction and time limits ====== */

START_TEST(test_lua_instruction_limit_stops_endless_loop)
{
  ys_lua_set_instruction_limit(L, 1000000);
  run_fails(L, "while true do end", YS_ERR_LUA,
            "instruction budget exceeded");
  /* Armed again for the next call, which is short enough. */
  ck_assert_int_eq(run_int(L, "local s = 0 for i = 1, 1000 do s = s + i end "
                           "return s"), 500500);
}
END_TEST

START_TEST(test_lua_instruction_limit_survives_pcall)
{
  ys_lua_set_instruction_limit(L, 1000000);
  run_fails(L, "while true do pcall(function() while true do end end) end",
            YS_ERR_LUA, "instruction budget exceeded");
  run_fails(L, "local n = 0 "
            "while true do "
            "  local ok = pcall(function() while true do end end) "
            "  n = n + 1 "
            "end", YS_ERR_LUA, "instruction budget exceeded");
}
END_TEST

START_TEST(test_lua_instruction_limit_is_per_call)
{
  /* Each call gets the whole budget: two calls of 60% each pass. */
  ys_lua_set_instruction_limit(L, 2000000);
  for(int i = 0; i < 2; i++)
    ck_assert_int_eq(run_int(L, "local s = 0 for i = 1, 600000 do s = s + 1 "
                             "end return s"), 600000);
  /* One call of 120% does not. */
  run_fails(L, "local s = 0 for i = 1, 1200000 do s = s + 1 end",
            YS_ERR_LUA, "instruction budget exceeded");
}
END_TEST

START_TEST(test_lua_instruction_limit_zero_removes_it)
{
  ys_lua_set_instruction_limit(L, 100000);
  run_fails(L, "for i = 1, 1000000 do end", YS_ERR_LUA,
            "instruction budget exceeded");
  ys_lua_set_instruction_limit(L, 0);
  ck_assert_int_eq(run_int(L, "local s = 0 for i = 1, 1000000 do s = s + 1 "
                           "end return s"), 1000000);
}
END_TEST

START_TEST(test_lua_time_limit_stops_endless_loop)
{
  ys_lua_set_time_limit(L, 50);
  double t0 = ys_lua_clock_ms();
  run_fails(L, "while true do pcall(function() while true do end end) end",
            YS_ERR_LUA, "time limit exceeded (50 ms)");
  double dt = ys_lua_clock_ms() - t0;
  ck_assert_double_ge(dt, 45);
  ck_assert_double_lt(dt, 10000);
  ys_lua_set_time_limit(L, 0);
  ck_assert_int_eq(run_int(L, "return 7"), 7);
}
END_TEST

static int c_yield(lua_State *S)
{
  return lua_yield(S, lua_gettop(S));
}

START_TEST(test_lua_resume_applies_limit_per_slice)
{
  /* Scripts have no coroutine library: the host drives coroutines, and
   * a C function gives this one a way to yield. */
  ys_lua_set_instruction_limit(L, 1000000);
  lua_State *co = lua_newthread(L);
  const char *code =
    "return function(n) "
    "  while true do "
    "    local s = 0 for i = 1, 500000 do s = s + 1 end "
    "    n = yield(n * 2) "
    "    if n < 0 then while true do end end "
    "  end "
    "end";
  ck_assert_int_eq(luaL_loadbufferx(L, code, strlen(code), "=co", "t"),
                   LUA_OK);
  ys_lua_push_env(L);
  lua_pushcfunction(L, c_yield);
  lua_setfield(L, -2, "yield");
  lua_setupvalue(L, -2, 1);
  ys_diag d;
  ck_assert_int_eq(ys_lua_call(L, 0, 1, &d), YS_OK);
  lua_xmove(L, co, 1);
  /* Three slices of half the budget each: the budget is per slice. */
  int nres;
  lua_Integer n = 21;
  for(int i = 0; i < 3; i++) {
    lua_pushinteger(co, n);
    ck_assert_int_eq(ys_lua_resume(L, co, 1, &nres, &d), LUA_YIELD);
    ck_assert_int_eq(nres, 1);
    ck_assert_int_eq(lua_tointeger(co, -1), n * 2);
    n = lua_tointeger(co, -1);
    lua_pop(co, nres);
  }
  lua_pushinteger(co, -1);
  ys_diag_clear(&d);
  ck_assert_int_eq(ys_lua_resume(L, co, 1, &nres, &d), LUA_ERRRUN);
  ck_assert_msg(strstr(d.msg, "instruction budget exceeded") != NULL,
                "message: %s", d.msg);
  lua_pop(L, 1); /* the thread */
}
END_TEST

START_TEST(test_lua_instruction_limit_from_environment)
{
  char *saved = getenv("YARDSTICK_INSTRUCTION_LIMIT")
                ? strdup(getenv("YARDSTICK_INSTRUCTION_LIMIT")) : NULL;
  unsetenv("YARDSTICK_INSTRUCTION_LIMIT");
  ck_assert_int_eq(ys_instruction_limit(777), 777);
  setenv("YARDSTICK_INSTRUCTION_LIMIT", "5", 1);
  ck_assert_int_eq(ys_instruction_limit(777), 5000000);
  const char *bad[] = { "", "0", "-3", "5x", "abc", "1000000000" };
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    setenv("YARDSTICK_INSTRUCTION_LIMIT", bad[i], 1);
    ck_assert_msg(ys_instruction_limit(777) == 777, "\"%s\" was taken",
                  bad[i]);
  }
  if(saved)
    setenv("YARDSTICK_INSTRUCTION_LIMIT", saved, 1);
  else
    unsetenv("YARDSTICK_INSTRUCTION_LIMIT");
  free(saved);
}
END_TEST

/* }====== */

/* {====== calls ====== */

START_TEST(test_lua_call_error_leaves_stack_and_message)
{
  lua_pushliteral(L, "below");
  run_fails(L, "local x = nil; return x.field", YS_ERR_LUA,
            "attempt to index");
  ck_assert_int_eq(lua_gettop(L), 1);
  ck_assert_str_eq(lua_tostring(L, 1), "below");
  lua_pop(L, 1);
}
END_TEST

START_TEST(test_lua_call_reports_non_string_errors)
{
  run_fails(L, "error({})", YS_ERR_LUA, "(error object is a table value)");
  run_fails(L, "error(setmetatable({}, {__tostring = function() "
            "return 'custom text' end}))", YS_ERR_LUA, "custom text");
  run_fails(L, "error('plain', 0)", YS_ERR_LUA, "plain");
}
END_TEST

START_TEST(test_lua_call_returns_results)
{
  ys_diag d;
  ck_assert_int_eq(run(L, "return 1, 'two', 3", 3, &d), YS_OK);
  ck_assert_int_eq(lua_gettop(L), 3);
  ck_assert_int_eq(lua_tointeger(L, 1), 1);
  ck_assert_str_eq(lua_tostring(L, 2), "two");
  ck_assert_int_eq(lua_tointeger(L, 3), 3);
  lua_settop(L, 0);
}
END_TEST

static int c_sum(lua_State *S)
{
  int *calls = lua_touserdata(S, 1);
  (*calls)++;
  lua_Integer a = luaL_checkinteger(S, 2), b = luaL_checkinteger(S, 3);
  lua_pushinteger(S, a + b);
  return 1;
}

START_TEST(test_lua_pcall_c_passes_ud_and_args)
{
  int calls = 0;
  ys_diag d;
  lua_pushinteger(L, 40);
  lua_pushinteger(L, 2);
  ck_assert_int_eq(ys_lua_pcall_c(L, c_sum, &calls, 2, 1, &d), YS_OK);
  ck_assert_int_eq(calls, 1);
  ck_assert_int_eq(lua_gettop(L), 1);
  ck_assert_int_eq(lua_tointeger(L, -1), 42);
  lua_pop(L, 1);
  /* A raise inside is caught and reported. */
  lua_pushinteger(L, 1);
  lua_pushliteral(L, "not a number");
  ys_diag_clear(&d);
  ck_assert_int_eq(ys_lua_pcall_c(L, c_sum, &calls, 2, 1, &d), YS_ERR_LUA);
  ck_assert_int_eq(lua_gettop(L), 0);
  ck_assert_msg(strstr(d.msg, "bad argument #3") != NULL, "message: %s",
                d.msg);
}
END_TEST

START_TEST(test_lua_print_goes_to_the_log)
{
  ck_assert_int_eq(run_int(L, "print('a', 1, nil, true) return 0"), 0);
  ck_assert_int_eq(nlogged, 1);
  ck_assert_str_eq(logged, "a\t1\tnil\ttrue");
  /* A state without a log accepts print too. */
  lua_State *S = ys_lua_new(MiB, NULL, NULL);
  ck_assert_ptr_nonnull(S);
  ck_assert_int_eq(run_int(S, "print('nowhere') return 1"), 1);
  ys_lua_close(S);
}
END_TEST

/* }====== */

/* {====== loading files ====== */

/* Writes bytes to a new temporary file; returns its path (static). */
static const char *temp_file(const void *bytes, size_t len)
{
  static char path[64];
  snprintf(path, sizeof(path), "/tmp/check_lua_host_XXXXXX");
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
  close(fd);
  return path;
}

START_TEST(test_lua_load_file_runs_text_with_fresh_env)
{
  const char *src = "#!/usr/bin/env lua\nx = 40\nreturn x + 2\n";
  const char *path = temp_file(src, strlen(src));
  ys_diag d;
  ys_err err = ys_lua_load_file(L, path, "a.lua", &d);
  ck_assert_msg(err == YS_OK, "%s", d.msg);
  ck_assert_int_eq(ys_lua_call(L, 0, 1, &d), YS_OK);
  ck_assert_int_eq(lua_tointeger(L, -1), 42);
  lua_pop(L, 1);
  /* x went to that chunk's own environment, not to the globals. */
  ck_assert_int_eq(ys_lua_load_file(L, path, "b.lua", &d), YS_OK);
  lua_pop(L, 1);
  run_fails(L, "return x", YS_ERR_LUA, "undefined global 'x'");
  unlink(path);
}
END_TEST

START_TEST(test_lua_load_file_syntax_error_names_line)
{
  /* The skipped '#' line still counts, so line numbers match the file. */
  const char *src = "#!/usr/bin/env lua\nlocal a = 1\nlocal = 2\n";
  const char *path = temp_file(src, strlen(src));
  ys_diag d;
  int top = lua_gettop(L);
  ck_assert_int_eq(ys_lua_load_file(L, path, "bad.lua", &d), YS_ERR_SUITE);
  unlink(path);
  ck_assert_int_eq(lua_gettop(L), top);
  ck_assert_msg(strstr(d.msg, "bad.lua:3:") != NULL, "message: %s", d.msg);
}
END_TEST

START_TEST(test_lua_load_file_missing_is_io_error)
{
  ys_diag d;
  ck_assert_int_eq(ys_lua_load_file(L, "/nonexistent/x.lua", "x.lua", &d),
                   YS_ERR_IO);
  ck_assert_int_eq(lua_gettop(L), 0);
}
END_TEST

static int collect(lua_State *S, const void *p, size_t sz, void *ud)
{
  (void)S;
  luaL_addlstring(ud, p, sz);
  return 0;
}

START_TEST(test_lua_load_file_refuses_bytecode)
{
  /* Compiled with a plain state: the sandbox has no way to make it. */
  lua_State *P = luaL_newstate();
  ck_assert_ptr_nonnull(P);
  ck_assert_int_eq(luaL_loadstring(P, "return 1"), LUA_OK);
  luaL_Buffer b;
  luaL_buffinit(P, &b);
  lua_pushvalue(P, -2);
  ck_assert_int_eq(lua_dump(P, collect, &b, 0), 0);
  lua_pop(P, 1);
  luaL_pushresult(&b);
  size_t len;
  const char *bc = lua_tolstring(P, -1, &len);
  ck_assert_int_eq(bc[0], LUA_SIGNATURE[0]);
  const char *path = temp_file(bc, len);
  ys_diag d;
  ck_assert_int_eq(ys_lua_load_file(L, path, "c.luac", &d), YS_ERR_SUITE);
  ck_assert_msg(strstr(d.msg, "c.luac") != NULL, "message: %s", d.msg);
  unlink(path);
  /* Behind a '#' line too. */
  char *hashed = malloc(len + 8);
  memcpy(hashed, "#!lua\n", 6);
  memcpy(hashed + 6, bc, len);
  path = temp_file(hashed, len + 6);
  free(hashed);
  ck_assert_int_eq(ys_lua_load_file(L, path, "d.luac", &d), YS_ERR_SUITE);
  unlink(path);
  ck_assert_int_eq(lua_gettop(L), 0);
  lua_close(P);
}
END_TEST

/* }====== */

/* {====== the sandbox ====== */

START_TEST(test_lua_sandbox_has_no_unsafe_libraries)
{
  const char *names[] = { "io", "os", "package", "debug", "coroutine",
                          "dofile", "loadfile", "load", "collectgarbage" };
  for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    char code[64], want[64];
    snprintf(code, sizeof(code), "return %s", names[i]);
    snprintf(want, sizeof(want), "undefined global '%s'", names[i]);
    run_fails(L, code, YS_ERR_LUA, want);
  }
  /* The safe ones are there. */
  ck_assert_int_eq(run_int(L, "return #string.upper('abc') + math.max(1, 2) "
                           "+ #table.pack(1, 2) + utf8.len('\\u{e9}')"), 8);
}
END_TEST

START_TEST(test_lua_sandbox_globals_are_read_only)
{
  run_fails(L, "_G.x = 1", YS_ERR_LUA, "read-only");
  run_fails(L, "rawset(_G, 'x', 1)", YS_ERR_LUA, "bad argument");
  run_fails(L, "setmetatable(_G, {})", YS_ERR_LUA, "bad argument");
  run_fails(L, "return undefined_name", YS_ERR_LUA,
            "undefined global 'undefined_name'");
  /* A chunk's own globals stay in its environment. */
  ck_assert_int_eq(run_int(L, "y = 5 return y"), 5);
  run_fails(L, "return y", YS_ERR_LUA, "undefined global 'y'");
}
END_TEST

START_TEST(test_lua_sandbox_require_knows_only_registered_modules)
{
  run_fails(L, "return require('io')", YS_ERR_LUA, "module 'io' not found");
  lua_newtable(L);
  lua_pushinteger(L, 99);
  lua_setfield(L, -2, "answer");
  ys_lua_register_module(L, "yardstick");
  ck_assert_int_eq(lua_gettop(L), 0);
  ck_assert_int_eq(run_int(L, "return require('yardstick').answer"), 99);
}
END_TEST

/* }====== */

static Suite *lua_host_suite(void)
{
  Suite *s = suite_create("lua_host");

  TCase *tc = tcase_create("budget");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_lua_new_counts_its_memory);
  tcase_add_test(tc, test_lua_new_with_too_small_budget_fails_cleanly);
  tcase_add_test(tc, test_lua_table_past_budget_is_nomem);
  tcase_add_test(tc, test_lua_string_past_budget_is_nomem);
  tcase_add_test(tc, test_lua_memory_error_caught_in_script_keeps_state);
  tcase_add_test(tc, test_lua_mem_used_matches_lua_count_exactly);
  tcase_add_test(tc, test_lua_mem_used_returns_to_baseline_after_collection);
  suite_add_tcase(s, tc);

  tc = tcase_create("allocator");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_lua_alloc_resize_keeps_contents_for_all_small_sizes);
  tcase_add_test(tc, test_lua_alloc_churn_keeps_live_blocks_intact);
  tcase_add_test(tc, test_lua_alloc_refuses_past_budget_and_keeps_block);
  tcase_add_test(tc, test_lua_strings_of_every_small_length_survive);
  tcase_add_test(tc, test_lua_tables_growing_and_shrinking_keep_values);
  tcase_add_test(tc, test_lua_many_states_close_without_leaks);
  suite_add_tcase(s, tc);

  tc = tcase_create("limits");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_lua_instruction_limit_stops_endless_loop);
  tcase_add_test(tc, test_lua_instruction_limit_survives_pcall);
  tcase_add_test(tc, test_lua_instruction_limit_is_per_call);
  tcase_add_test(tc, test_lua_instruction_limit_zero_removes_it);
  tcase_add_test(tc, test_lua_time_limit_stops_endless_loop);
  tcase_add_test(tc, test_lua_resume_applies_limit_per_slice);
  tcase_add_test(tc, test_lua_instruction_limit_from_environment);
  suite_add_tcase(s, tc);

  tc = tcase_create("call");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_lua_call_error_leaves_stack_and_message);
  tcase_add_test(tc, test_lua_call_reports_non_string_errors);
  tcase_add_test(tc, test_lua_call_returns_results);
  tcase_add_test(tc, test_lua_pcall_c_passes_ud_and_args);
  tcase_add_test(tc, test_lua_print_goes_to_the_log);
  suite_add_tcase(s, tc);

  tc = tcase_create("load");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_lua_load_file_runs_text_with_fresh_env);
  tcase_add_test(tc, test_lua_load_file_syntax_error_names_line);
  tcase_add_test(tc, test_lua_load_file_missing_is_io_error);
  tcase_add_test(tc, test_lua_load_file_refuses_bytecode);
  suite_add_tcase(s, tc);

  tc = tcase_create("sandbox");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_lua_sandbox_has_no_unsafe_libraries);
  tcase_add_test(tc, test_lua_sandbox_globals_are_read_only);
  tcase_add_test(tc, test_lua_sandbox_require_knows_only_registered_modules);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(lua_host_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
