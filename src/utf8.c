/* SPDX-License-Identifier: MIT */
/*
 * utf8.c: a table-free UTF-8 validator with an ASCII fast path, since most
 * dataset bytes are ASCII.
 */
#include <stdint.h>
#include <string.h>

#include "utf8.h"

int ys_utf8_valid(const char *str, size_t len, size_t *bad)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while(i < len) {
    /* Skip eight ASCII bytes at a time. */
    if(i + 8 <= len) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if(!(w & 0x8080808080808080ull)) {
        i += 8;
        continue;
      }
    }
    unsigned c = s[i];
    size_t n;
    unsigned min;
    if(c < 0x80) {
      i++;
      continue;
    }
    else if(c >= 0xC2 && c <= 0xDF) {
      n = 1;
      min = 0x80;
    }
    else if(c >= 0xE0 && c <= 0xEF) {
      n = 2;
      min = 0x800;
    }
    else if(c >= 0xF0 && c <= 0xF4) {
      n = 3;
      min = 0x10000;
    }
    else
      goto fail;
    unsigned cp = c & (0x3F >> n);
    for(size_t k = 1; k <= n; k++) {
      if(i + k >= len || (s[i + k] & 0xC0) != 0x80)
        goto fail;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if(cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      goto fail;
    i += n + 1;
  }
  return 1;
fail:
  if(bad)
    *bad = i;
  return 0;
}
