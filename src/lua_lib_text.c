/* SPDX-License-Identifier: MIT */
/*
 * lua_lib_text.c: Unicode text helpers and regular expressions for Lua.
 * Normalisation is utf8proc's (NFKC, case folding, mark stripping);
 * categories decide what is punctuation or a word. Regexes are PCRE2
 * in UTF mode with Unicode properties, JIT-compiled, with match limits so
 * a pathological pattern fails instead of hanging a metric.
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <lauxlib.h>
#include <pcre2.h>
#include <utf8proc.h>

#include "lua_lib_text.h"

/* {====== normalisation ====== */

static int is_punct(utf8proc_int32_t c)
{
  utf8proc_category_t k = utf8proc_category(c);
  return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

static int is_space(utf8proc_int32_t c)
{
  utf8proc_category_t k = utf8proc_category(c);
  return c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         (k >= UTF8PROC_CATEGORY_ZS && k <= UTF8PROC_CATEGORY_ZP);
}

static int is_word(utf8proc_int32_t c)
{
  utf8proc_category_t k = utf8proc_category(c);
  return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
         (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO) ||
         (k >= UTF8PROC_CATEGORY_MN && k <= UTF8PROC_CATEGORY_ME);
}

/* Whether s[0..len) is ASCII without NUL (where utf8proc is not needed). */
static int is_ascii(const char *s, size_t len)
{
  for(size_t i = 0; i < len; i++)
    if((unsigned char)s[i] >= 0x80 || !s[i])
      return 0;
  return 1;
}

/* [-0, +1, m] Normalises s with utf8proc into a userdata buffer (so
 * nothing leaks if a later push raises); returns the NUL-terminated UTF-8
 * text in it. Raises on invalid UTF-8. */
static const utf8proc_uint8_t *map(lua_State *L, const char *s, size_t len,
                                   int opts)
{
  utf8proc_option_t o = (utf8proc_option_t)opts;
  utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s,
                                          (utf8proc_ssize_t)len, NULL, 0, o);
  if(n < 0)
    luaL_error(L, "not valid UTF-8 text (%s)", utf8proc_errmsg(n));
  /* reencode writes UTF-8 over the code points: one spare slot. */
  utf8proc_int32_t *buf = lua_newuserdatauv(L, ((size_t)n + 1) *
                                            sizeof(utf8proc_int32_t), 0);
  n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                         buf, n, o);
  if(n >= 0)
    n = utf8proc_reencode(buf, n, o);
  if(n < 0)
    luaL_error(L, "not valid UTF-8 text (%s)", utf8proc_errmsg(n));
  return (const utf8proc_uint8_t *)buf;
}

/* ys.normalize(s [, opts]) */
static int text_normalize(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int fold = 1, space = 1, punct = 0, accents = 0;
  if(!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const known[] = { "case", "whitespace", "punctuation",
                                         "accents", NULL };
    lua_pushnil(L);
    while(lua_next(L, 2)) {
      lua_pop(L, 1);
      const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                     : "?";
      int ok = 0;
      for(const char *const *o = known; *o; o++)
        ok |= !strcmp(*o, k);
      if(!ok)
        return luaL_error(L, "ys.normalize: unknown option '%s' (expected "
                          "case, whitespace, punctuation, accents)", k);
    }
    lua_getfield(L, 2, "case");
    fold = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
    lua_getfield(L, 2, "whitespace");
    space = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
    lua_getfield(L, 2, "punctuation");
    punct = lua_toboolean(L, -1);
    lua_getfield(L, 2, "accents");
    accents = lua_toboolean(L, -1);
    lua_pop(L, 4);
  }
  int opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
  if(fold)
    opts |= UTF8PROC_CASEFOLD;
  if(accents)
    opts |= UTF8PROC_STRIPMARK;
  /* ASCII is its own NFKC form, and folds to its lower case: skip
   * utf8proc (and its copy) for the common case. */
  const utf8proc_uint8_t *m = NULL;
  if(is_ascii(s, len)) {
    char *low = lua_newuserdatauv(L, len + 1, 0);
    for(size_t i = 0; i < len; i++)
      low[i] = fold && s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
    low[len] = '\0';
    m = (const utf8proc_uint8_t *)low;
  }
  else
    m = map(L, s, len, opts);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  /* Walk the normalised text: drop punctuation, collapse blanks. */
  const utf8proc_uint8_t *p = m;
  int pending_space = 0, any = 0;
  while(*p) {
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
    if(n <= 0)
      break;
    if(punct && is_punct(c)) {
      p += n;
      continue;
    }
    if(space && is_space(c)) {
      pending_space = any;
      p += n;
      continue;
    }
    if(pending_space) {
      luaL_addchar(&b, ' ');
      pending_space = 0;
    }
    luaL_addlstring(&b, (const char *)p, (size_t)n);
    any = 1;
    p += n;
  }
  luaL_pushresult(&b);
  return 1;
}

/* ys.casefold(s) */
static int text_casefold(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  if(is_ascii(s, len)) {
    /* ASCII folds to its lower case; most text is ASCII. */
    size_t i = 0;
    while(i < len && !(s[i] >= 'A' && s[i] <= 'Z'))
      i++;
    if(i == len) {
      lua_settop(L, 1);
      return 1;
    }
    luaL_Buffer b;
    char *d = luaL_buffinitsize(L, &b, len);
    for(i = 0; i < len; i++)
      d[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
    luaL_pushresultsize(&b, len);
    return 1;
  }
  const utf8proc_uint8_t *m = map(L, s, len, UTF8PROC_STABLE |
                                  UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  lua_pushstring(L, (const char *)m);
  return 1;
}

static int is_apostrophe(utf8proc_int32_t c)
{
  return c == '\'' || c == 0x2019;
}

/* ys.words(s) -> list of maximal runs of letters, digits and marks; an
 * apostrophe between two of them stays inside the word ("don't"). */
static int text_words(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_newtable(L);
  lua_Integer k = 0;
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s, *end = p + len;
  const utf8proc_uint8_t *start = NULL;
  while(p < end) {
    utf8proc_int32_t c, next;
    utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &c);
    if(n <= 0)
      return luaL_error(L, "ys.words: not valid UTF-8 text");
    if(is_word(c)) {
      if(!start)
        start = p;
    }
    else if(start && is_apostrophe(c) && p + n < end &&
            utf8proc_iterate(p + n, end - p - n, &next) > 0 &&
            is_word(next)) {
      /* inside the word */
    }
    else if(start) {
      lua_pushlstring(L, (const char *)start, (size_t)(p - start));
      lua_rawseti(L, -2, ++k);
      start = NULL;
    }
    p += n;
  }
  if(start) {
    lua_pushlstring(L, (const char *)start, (size_t)(p - start));
    lua_rawseti(L, -2, ++k);
  }
  return 1;
}

/* Dynamic programming over two sequences costs their product: past this
 * many cells (about a third of a second) the helpers refuse, as the time
 * limit cannot interrupt C code. */
#define MAX_CELLS ((size_t)1 << 27)

static void check_cells(lua_State *L, const char *fn, size_t n, size_t m)
{
  if(n && m > MAX_CELLS / n)
    luaL_error(L, "%s: %I by %I is too much work (at most %I cells); "
               "shorten the texts", fn, (lua_Integer)n, (lua_Integer)m,
               (lua_Integer)MAX_CELLS);
}

/* [-0, +0, m] Decodes s into a userdata array of code points; sets *n. */
static utf8proc_int32_t *codepoints(lua_State *L, const char *s, size_t len,
                                    size_t *n)
{
  utf8proc_int32_t *cp = lua_newuserdatauv(L, (len + 1) *
                                           sizeof(utf8proc_int32_t), 0);
  size_t k = 0;
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s, *end = p + len;
  while(p < end) {
    utf8proc_ssize_t m = utf8proc_iterate(p, end - p, &cp[k]);
    if(m <= 0)
      luaL_error(L, "ys.edit_distance: not valid UTF-8 text");
    k++;
    p += m;
  }
  *n = k;
  return cp;
}

/* ys.edit_distance(a, b) -> Levenshtein distance in characters, and that
 * distance over the longer length (0 for two empty strings). */
static int text_edit_distance(lua_State *L)
{
  size_t la, lb, n, m;
  const char *a = luaL_checklstring(L, 1, &la);
  const char *b = luaL_checklstring(L, 2, &lb);
  if(la > (1u << 20) || lb > (1u << 20))
    return luaL_error(L, "ys.edit_distance: strings longer than 1 MiB");
  utf8proc_int32_t *x = codepoints(L, a, la, &n);
  utf8proc_int32_t *y = codepoints(L, b, lb, &m);
  size_t longer = n > m ? n : m;
  /* A common prefix and suffix cost nothing: only the middle is compared. */
  while(n && m && x[0] == y[0]) {
    x++, y++;
    n--, m--;
  }
  while(n && m && x[n - 1] == y[m - 1])
    n--, m--;
  check_cells(L, "ys.edit_distance", n, m);
  /* Two rows of the DP table, in a userdata (freed by the collector). */
  size_t *row = lua_newuserdatauv(L, 2 * (m + 1) * sizeof(size_t), 0);
  size_t *prev = row, *cur = row + m + 1;
  for(size_t j = 0; j <= m; j++)
    prev[j] = j;
  for(size_t i = 1; i <= n; i++) {
    cur[0] = i;
    for(size_t j = 1; j <= m; j++) {
      size_t sub = prev[j - 1] + (x[i - 1] != y[j - 1]);
      size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
    }
    size_t *t = prev;
    prev = cur;
    cur = t;
  }
  size_t d = prev[m];
  lua_pushinteger(L, (lua_Integer)d);
  lua_pushnumber(L, longer ? (double)d / (double)longer : 0.0);
  return 2;
}

/* [-0, +1, m] The list at idx as an array of small integers, equal for
 * equal strings: ids maps each string to its number. Sets *n. */
static unsigned *token_ids(lua_State *L, int idx, int ids, size_t *n)
{
  luaL_checktype(L, idx, LUA_TTABLE);
  size_t len = (size_t)lua_rawlen(L, idx);
  unsigned *v = lua_newuserdatauv(L, (len + 1) * sizeof(unsigned), 0);
  for(size_t i = 0; i < len; i++) {
    if(lua_rawgeti(L, idx, (lua_Integer)i + 1) != LUA_TSTRING)
      luaL_error(L, "ys.lcs: item %I of argument %d is a %s, expected a "
                 "string", (lua_Integer)i + 1, idx, luaL_typename(L, -1));
    lua_pushvalue(L, -1);
    if(lua_rawget(L, ids) == LUA_TNIL) {
      lua_pop(L, 1);
      lua_Integer id = (lua_Integer)lua_rawlen(L, ids) + 1;
      lua_pushinteger(L, id);
      lua_rawset(L, ids); /* word -> id */
      lua_pushinteger(L, id);
      lua_rawseti(L, ids, id); /* keeps rawlen counting ids */
      v[i] = (unsigned)id;
    }
    else {
      v[i] = (unsigned)lua_tointeger(L, -1);
      lua_pop(L, 2);
    }
  }
  *n = len;
  return v;
}

/* ys.lcs(a, b) -> the length of the longest common subsequence of two
 * lists of strings (words, for ROUGE-L). */
static int text_lcs(lua_State *L)
{
  size_t n, m;
  lua_settop(L, 2);
  lua_newtable(L); /* 3: string -> id */
  unsigned *x = token_ids(L, 1, 3, &n);
  unsigned *y = token_ids(L, 2, 3, &m);
  size_t same = 0;
  while(n && m && x[0] == y[0]) {
    x++, y++;
    n--, m--, same++;
  }
  while(n && m && x[n - 1] == y[m - 1])
    n--, m--, same++;
  check_cells(L, "ys.lcs", n, m);
  size_t *row = lua_newuserdatauv(L, 2 * (m + 1) * sizeof(size_t), 0);
  size_t *prev = row, *cur = row + m + 1;
  memset(prev, 0, (m + 1) * sizeof(size_t));
  cur[0] = 0;
  for(size_t i = 1; i <= n; i++) {
    for(size_t j = 1; j <= m; j++)
      cur[j] = x[i - 1] == y[j - 1] ? prev[j - 1] + 1
               : prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
    size_t *t = prev;
    prev = cur;
    cur = t;
  }
  lua_pushinteger(L, (lua_Integer)(same + prev[m]));
  return 1;
}

/* }====== */

/* {====== regular expressions ====== */

static const char REGEX_MT[] = "ys.Regex";
static const char CACHE_KEY[] = "ys.re.cache";
#define CACHE_MAX 256
#define MATCH_LIMIT 10000000u
#define DEPTH_LIMIT 10000u

typedef struct regex {
  pcre2_code *code;
  pcre2_match_data *md;
  pcre2_match_context *mctx;
} regex;

static int rx_gc(lua_State *L)
{
  regex *r = luaL_checkudata(L, 1, REGEX_MT);
  pcre2_match_data_free(r->md);
  pcre2_match_context_free(r->mctx);
  pcre2_code_free(r->code);
  r->md = NULL;
  r->mctx = NULL;
  r->code = NULL;
  return 0;
}

static uint32_t parse_flags(lua_State *L, const char *f)
{
  uint32_t o = PCRE2_UTF | PCRE2_UCP;
  for(; f && *f; f++) {
    switch(*f) {
    case 'i': o |= PCRE2_CASELESS; break;
    case 'm': o |= PCRE2_MULTILINE; break;
    case 's': o |= PCRE2_DOTALL; break;
    case 'x': o |= PCRE2_EXTENDED; break;
    default:
      luaL_error(L, "ys.re: unknown flag '%c' (expected i, m, s, x)", *f);
    }
  }
  return o;
}

/* [-0, +1, e] The compiled regex for pattern and flags, from the cache. */
static regex *get_regex(lua_State *L, int pat, const char *flags)
{
  size_t plen;
  const char *p = luaL_checklstring(L, pat, &plen);
  uint32_t opts = parse_flags(L, flags);
  lua_getfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
  if(lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
  }
  lua_pushfstring(L, "%s\n%s", flags ? flags : "", p);
  lua_pushvalue(L, -1);
  if(lua_rawget(L, -3) == LUA_TUSERDATA) {
    regex *r = lua_touserdata(L, -1);
    lua_replace(L, -3);
    lua_pop(L, 1);
    return r;
  }
  lua_pop(L, 1); /* stack: cache, key */
  regex *r = lua_newuserdatauv(L, sizeof(regex), 0);
  memset(r, 0, sizeof(*r));
  luaL_setmetatable(L, REGEX_MT);
  int errcode;
  PCRE2_SIZE erroff;
  r->code = pcre2_compile((PCRE2_SPTR)p, plen, opts, &errcode, &erroff, NULL);
  if(!r->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(errcode, msg, sizeof(msg));
    luaL_error(L, "ys.re: bad pattern at offset %d: %s", (int)erroff,
               (const char *)msg);
  }
  pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE); /* falls back if no JIT */
  r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
  r->mctx = pcre2_match_context_create(NULL);
  if(!r->md || !r->mctx)
    luaL_error(L, "ys.re: out of memory");
  pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
  pcre2_set_depth_limit(r->mctx, DEPTH_LIMIT);
  /* Keep the cache bounded: start again when it is full. */
  lua_Integer n = 0;
  lua_pushnil(L);
  while(lua_next(L, -4)) {
    lua_pop(L, 1);
    n++;
  }
  if(n >= CACHE_MAX) {
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
  }
  else {
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, -5);
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
  return r;
}

/* Runs r on s from byte offset init; returns the match count (>0), 0 for
 * no match; pushes nil, message and returns -1 on a matching error. */
static int run(lua_State *L, regex *r, const char *s, size_t len,
               size_t init)
{
  int rc = pcre2_match(r->code, (PCRE2_SPTR)s, len, init, 0, r->md,
                       r->mctx);
  if(rc == PCRE2_ERROR_NOMATCH)
    return 0;
  if(rc < 0) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof(msg));
    lua_pushnil(L);
    lua_pushfstring(L, "ys.re: %s", (const char *)msg);
    return -1;
  }
  return rc == 0 ? (int)pcre2_get_ovector_count(r->md) : rc;
}

/* Pushes captures 1..n-1, or the whole match when there are none. */
static int push_captures(lua_State *L, regex *r, const char *s, int rc,
                         int whole_if_none)
{
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
  if(rc == 1) {
    if(!whole_if_none)
      return 0;
    lua_pushlstring(L, s + ov[0], ov[1] - ov[0]);
    return 1;
  }
  luaL_checkstack(L, rc, "too many captures");
  for(int i = 1; i < rc; i++) {
    if(ov[2 * i] == PCRE2_UNSET)
      lua_pushboolean(L, 0);
    else
      lua_pushlstring(L, s + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
  }
  return rc - 1;
}

/* get_regex also accepts a compiled regex in place of the pattern. */
static regex *regex_arg(lua_State *L, int idx, const char *flags)
{
  regex *r = luaL_testudata(L, idx, REGEX_MT);
  return r ? r : get_regex(L, idx, flags);
}

static size_t start_of(lua_State *L, int idx, size_t len)
{
  lua_Integer init = luaL_optinteger(L, idx, 1);
  if(init < 0)
    init = (lua_Integer)len + init + 1;
  if(init < 1)
    init = 1;
  if((size_t)init > len + 1)
    init = (lua_Integer)len + 1;
  return (size_t)init - 1;
}

/* re.match(s, pattern [, init [, flags]]) */
static int re_match(lua_State *L)
{
  lua_settop(L, 4); /* fixed argument slots: get_regex pushes */
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  regex *r = regex_arg(L, 2, luaL_optstring(L, 4, ""));
  int rc = run(L, r, s, len, start_of(L, 3, len));
  if(rc < 0)
    return 2;
  if(!rc) {
    luaL_pushfail(L);
    return 1;
  }
  return push_captures(L, r, s, rc, 1);
}

/* re.find(s, pattern [, init [, flags]]) */
static int re_find(lua_State *L)
{
  lua_settop(L, 4);
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  regex *r = regex_arg(L, 2, luaL_optstring(L, 4, ""));
  int rc = run(L, r, s, len, start_of(L, 3, len));
  if(rc < 0)
    return 2;
  if(!rc) {
    luaL_pushfail(L);
    return 1;
  }
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
  lua_pushinteger(L, (lua_Integer)ov[0] + 1);
  lua_pushinteger(L, (lua_Integer)ov[1]);
  return 2 + push_captures(L, r, s, rc, 0);
}

/* re.gsub(s, pattern, replacement [, flags]): $1, ${name}, $$ in the
 * replacement. */
static int re_gsub(lua_State *L)
{
  lua_settop(L, 4);
  size_t len, rlen;
  const char *s = luaL_checklstring(L, 1, &len);
  const char *rep = luaL_checklstring(L, 3, &rlen);
  regex *r = regex_arg(L, 2, luaL_optstring(L, 4, ""));
  PCRE2_SIZE outlen = len + rlen + 64;
  for(int attempt = 0; attempt < 2; attempt++) {
    luaL_Buffer b;
    PCRE2_UCHAR *out = (PCRE2_UCHAR *)luaL_buffinitsize(L, &b, outlen);
    PCRE2_SIZE got = outlen;
    int rc = pcre2_substitute(r->code, (PCRE2_SPTR)s, len, 0,
                              PCRE2_SUBSTITUTE_GLOBAL |
                              PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, r->md,
                              r->mctx, (PCRE2_SPTR)rep, rlen, out, &got);
    if(rc == PCRE2_ERROR_NOMEMORY && attempt == 0) {
      luaL_pushresultsize(&b, 0);
      lua_pop(L, 1);
      outlen = got; /* the size needed */
      continue;
    }
    if(rc < 0) {
      luaL_pushresultsize(&b, 0);
      lua_pop(L, 1);
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(rc, msg, sizeof(msg));
      if(rc == PCRE2_ERROR_BADREPLACEMENT || rc == PCRE2_ERROR_BADREPESCAPE
         || rc == PCRE2_ERROR_REPMISSINGBRACE || rc == PCRE2_ERROR_BADSUBSTITUTION
         || rc == PCRE2_ERROR_BADSUBSPATTERN)
        return luaL_error(L, "ys.re.gsub: bad replacement: %s",
                          (const char *)msg);
      lua_pushnil(L);
      lua_pushfstring(L, "ys.re: %s", (const char *)msg);
      return 2;
    }
    luaL_pushresultsize(&b, got);
    lua_pushinteger(L, rc);
    return 2;
  }
  return luaL_error(L, "ys.re.gsub: result too large");
}

/* re.compile(pattern [, flags]) -> regex */
static int re_compile(lua_State *L)
{
  get_regex(L, 1, luaL_optstring(L, 2, ""));
  return 1;
}

/* Methods take the compiled regex instead of a pattern. */
static int rx_call(lua_State *L, lua_CFunction f, int pat_at)
{
  regex *r = luaL_checkudata(L, 1, REGEX_MT);
  (void)r;
  /* Rebuild the argument list with the regex where the pattern goes:
   * regex:match(s, init) -> match(s, <regex>, init). */
  lua_pushvalue(L, 1);
  lua_remove(L, 1);
  lua_insert(L, pat_at);
  return f(L);
}

static int rx_match(lua_State *L);
static int rx_find(lua_State *L);
static int rx_gsub(lua_State *L);

static const luaL_Reg re_funcs[] = {
  { "match", re_match },
  { "find", re_find },
  { "gsub", re_gsub },
  { "compile", re_compile },
  { NULL, NULL }
};

static const luaL_Reg rx_methods[] = {
  { "match", rx_match },
  { "find", rx_find },
  { "gsub", rx_gsub },
  { NULL, NULL }
};

/* }====== */

static int rx_match(lua_State *L)
{
  return rx_call(L, re_match, 2);
}

static int rx_find(lua_State *L)
{
  return rx_call(L, re_find, 2);
}

static int rx_gsub(lua_State *L)
{
  return rx_call(L, re_gsub, 2);
}

static const luaL_Reg text_funcs[] = {
  { "normalize", text_normalize },
  { "casefold", text_casefold },
  { "words", text_words },
  { "edit_distance", text_edit_distance },
  { "lcs", text_lcs },
  { NULL, NULL }
};

void ys_lua_add_text(lua_State *L)
{
  if(luaL_newmetatable(L, REGEX_MT)) {
    lua_pushcfunction(L, rx_gc);
    lua_setfield(L, -2, "__gc");
    lua_newtable(L);
    luaL_setfuncs(L, rx_methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  luaL_setfuncs(L, text_funcs, 0);
  luaL_newlib(L, re_funcs);
  lua_setfield(L, -2, "re");
}
