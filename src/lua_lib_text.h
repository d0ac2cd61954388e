/* SPDX-License-Identifier: MIT */
/*
 * lua_lib_text.h: text helpers for plugin authors, Unicode-aware through
 * utf8proc and PCRE2 (with JIT):
 *   ys.normalize(s [, opts]) -> s'  NFKC, case folding, blanks collapsed
 *     and trimmed; opts = { case = true, whitespace = true,
 *     punctuation = false, accents = false }
 *   ys.casefold(s) -> s'
 *   ys.words(s) -> { "word", ... }  runs of letters and digits
 *   ys.edit_distance(a, b) -> distance, normalised (0..1), in characters
 *   ys.re.match(s, pattern [, init [, flags]]) -> captures | nil
 *   ys.re.find(s, pattern [, init [, flags]]) -> start, end, captures | nil
 *   ys.re.gsub(s, pattern, replacement [, flags]) -> s', count
 *   ys.re.compile(pattern [, flags]) -> regex with :match :find :gsub
 * Flags: "i" caseless, "m" multiline, "s" dot matches newlines, "x"
 * extended. Patterns are compiled once per state (a cache). Bad patterns
 * and non-strings raise; a subject that is not UTF-8 returns nil and a
 * message. Uses utf8proc, PCRE2.
 */
#ifndef YS_LUA_LIB_TEXT_H
#define YS_LUA_LIB_TEXT_H

#include <lua.h>

/* [-0, +0, m] Adds normalize, casefold, words, edit_distance and the re
 * table to the table on top. */
void ys_lua_add_text(lua_State *L);

#endif
