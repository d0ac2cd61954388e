# SPDX-License-Identifier: MIT
# YS_CHECK_CSV: find libcsv, which ships no pkg-config file. Sets CSV_LIBS
# (and CSV_CFLAGS, empty unless given by the user).
AC_DEFUN([YS_CHECK_CSV], [
  AC_ARG_VAR([CSV_CFLAGS], [C compiler flags for libcsv])
  AC_ARG_VAR([CSV_LIBS], [linker flags for libcsv])
  ys_save_CPPFLAGS=$CPPFLAGS
  ys_save_LIBS=$LIBS
  CPPFLAGS="$CPPFLAGS $CSV_CFLAGS"
  AC_CHECK_HEADER([csv.h], [],
    [AC_MSG_ERROR([libcsv header csv.h not found; on Debian: apt-get install libcsv-dev])])
  AS_IF([test "x$CSV_LIBS" = x], [
    AC_CHECK_LIB([csv], [csv_init], [CSV_LIBS=-lcsv],
      [AC_MSG_ERROR([libcsv not found; on Debian: apt-get install libcsv-dev])])
  ])
  CPPFLAGS=$ys_save_CPPFLAGS
  LIBS=$ys_save_LIBS
])
