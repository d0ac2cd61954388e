# SPDX-License-Identifier: MIT
# YS_CHECK_LUA: find Lua 5.4, whose pkg-config name differs between
# distributions (Debian: lua5.4, FreeBSD: lua-5.4, Fedora/Arch: lua or lua54).
# Sets LUA_CFLAGS and LUA_LIBS; fails when no 5.4 is found.
AC_DEFUN([YS_CHECK_LUA], [
  ys_lua_found=no
  for ys_lua_pc in lua5.4 lua-5.4 lua54 lua; do
    PKG_CHECK_EXISTS([$ys_lua_pc >= 5.4 $ys_lua_pc < 5.5], [
      PKG_CHECK_MODULES([LUA], [$ys_lua_pc])
      ys_lua_found=yes
      break
    ])
  done
  AS_IF([test "x$ys_lua_found" != xyes],
    [AC_MSG_ERROR([Lua 5.4 not found (tried pkg-config lua5.4, lua-5.4, lua54, lua); on Debian: apt-get install liblua5.4-dev])])
])
