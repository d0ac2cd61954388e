/* SPDX-License-Identifier: MIT */
/*
 * check_buf.c: unit tests for the capped byte buffer (buf.h), the UTF-8
 * validator (utf8.h) and the hashes (hash.h: SHA-256 against the FIPS
 * 180-2 vectors, XXH3 against xxHash's published empty-input value, and
 * the id map). Uses Check; run by `make check`.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "hash.h"
#include "utf8.h"

/* {====== buf: appending ====== */

START_TEST(test_buf_new_is_empty_string)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_ptr_null(b.data);
  ck_assert_uint_eq(b.len, 0);
  ck_assert_str_eq(ys_buf_str(&b), "");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_add_concatenates_and_terminates)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_buf_add(&b, "hello", 5), YS_OK);
  ck_assert_int_eq(ys_buf_adds(&b, ", "), YS_OK);
  ck_assert_int_eq(ys_buf_addc(&b, 'w'), YS_OK);
  ck_assert_int_eq(ys_buf_add(&b, "orldXXX", 4), YS_OK);
  ck_assert_uint_eq(b.len, 12);
  ck_assert_str_eq(ys_buf_str(&b), "hello, world");
  ck_assert_int_eq(b.data[b.len], '\0');
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_add_keeps_embedded_nul)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_buf_add(&b, "a\0b", 3), YS_OK);
  ck_assert_uint_eq(b.len, 3);
  ck_assert_int_eq(memcmp(b.data, "a\0b", 4), 0);
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_add_zero_bytes_is_ok)
{
  ys_buf b;
  ys_buf_init(&b, 10);
  ck_assert_int_eq(ys_buf_add(&b, "", 0), YS_OK);
  ck_assert_uint_eq(b.len, 0);
  ck_assert_str_eq(ys_buf_str(&b), "");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_add_grows_past_initial_block)
{
  /* One byte at a time across several doublings. */
  ys_buf b;
  ys_buf_init(&b, 100000);
  for(int i = 0; i < 10000; i++)
    ck_assert_int_eq(ys_buf_addc(&b, (char)('a' + i % 26)), YS_OK);
  ck_assert_uint_eq(b.len, 10000);
  ck_assert_uint_ge(b.alloc, 10001);
  ck_assert_uint_eq(strlen(ys_buf_str(&b)), 10000);
  for(int i = 0; i < 10000; i++)
    ck_assert_int_eq(b.data[i], 'a' + i % 26);
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_addf_formats)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_buf_adds(&b, ">"), YS_OK);
  ck_assert_int_eq(ys_buf_addf(&b, "%d-%s-%.2f", 42, "x", 1.5), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), ">42-x-1.50");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_addf_longer_than_stack_block)
{
  /* Past the 256-byte stack block the formatter takes another path. */
  char big[1001];
  memset(big, 'z', 1000);
  big[1000] = '\0';
  ys_buf b;
  ys_buf_init(&b, 5000);
  ck_assert_int_eq(ys_buf_addf(&b, "[%s]", big), YS_OK);
  ck_assert_uint_eq(b.len, 1002);
  ck_assert_int_eq(b.data[0], '[');
  ck_assert_int_eq(b.data[1000], 'z');
  ck_assert_int_eq(b.data[1001], ']');
  ys_buf_free(&b);
}
END_TEST

/* }====== */

/* {====== buf: the cap ====== */

START_TEST(test_buf_append_up_to_cap_succeeds)
{
  ys_buf b;
  ys_buf_init(&b, 5);
  ck_assert_int_eq(ys_buf_adds(&b, "abc"), YS_OK);
  ck_assert_int_eq(ys_buf_adds(&b, "de"), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), "abcde");
  ck_assert_uint_eq(b.len, b.max);
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_append_over_cap_fails)
{
  ys_buf b;
  ys_buf_init(&b, 5);
  ck_assert_int_eq(ys_buf_adds(&b, "abcdef"), YS_ERR_TOOBIG);
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_append_over_cap_frees_content)
{
  ys_buf b;
  ys_buf_init(&b, 5);
  ck_assert_int_eq(ys_buf_adds(&b, "abcd"), YS_OK);
  ck_assert_int_eq(ys_buf_adds(&b, "ef"), YS_ERR_TOOBIG);
  ck_assert_ptr_null(b.data);
  ck_assert_uint_eq(b.len, 0);
  ck_assert_str_eq(ys_buf_str(&b), "");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_addc_over_cap_fails)
{
  ys_buf b;
  ys_buf_init(&b, 1);
  ck_assert_int_eq(ys_buf_addc(&b, 'a'), YS_OK);
  ck_assert_int_eq(ys_buf_addc(&b, 'b'), YS_ERR_TOOBIG);
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_addf_over_cap_fails)
{
  ys_buf b;
  ys_buf_init(&b, 8);
  ck_assert_int_eq(ys_buf_addf(&b, "%d", 123456789), YS_ERR_TOOBIG);
  ck_assert_str_eq(ys_buf_str(&b), "");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_zero_cap_accepts_only_empty)
{
  ys_buf b;
  ys_buf_init(&b, 0);
  ck_assert_int_eq(ys_buf_add(&b, "", 0), YS_OK);
  ck_assert_int_eq(ys_buf_addc(&b, 'x'), YS_ERR_TOOBIG);
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_usable_again_after_cap_failure)
{
  ys_buf b;
  ys_buf_init(&b, 4);
  ck_assert_int_eq(ys_buf_adds(&b, "toolong"), YS_ERR_TOOBIG);
  ck_assert_int_eq(ys_buf_adds(&b, "ok"), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), "ok");
  ys_buf_free(&b);
}
END_TEST

/* }====== */

/* {====== buf: reset, take, free ====== */

START_TEST(test_buf_reset_empties_and_keeps_memory)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_buf_adds(&b, "some text"), YS_OK);
  char *mem = b.data;
  size_t alloc = b.alloc;
  ys_buf_reset(&b);
  ck_assert_uint_eq(b.len, 0);
  ck_assert_str_eq(ys_buf_str(&b), "");
  ck_assert_ptr_eq(b.data, mem);
  ck_assert_uint_eq(b.alloc, alloc);
  ck_assert_int_eq(ys_buf_adds(&b, "new"), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), "new");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_reset_resets_the_cap_count)
{
  /* After a reset the whole cap is available again. */
  ys_buf b;
  ys_buf_init(&b, 3);
  ck_assert_int_eq(ys_buf_adds(&b, "abc"), YS_OK);
  ys_buf_reset(&b);
  ck_assert_int_eq(ys_buf_adds(&b, "xyz"), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), "xyz");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_reset_of_unused_buffer_is_safe)
{
  ys_buf b;
  ys_buf_init(&b, 10);
  ys_buf_reset(&b);
  ck_assert_str_eq(ys_buf_str(&b), "");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_take_hands_over_content)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_buf_adds(&b, "owned"), YS_OK);
  size_t len = 99;
  char *s = ys_buf_take(&b, &len);
  ck_assert_str_eq(s, "owned");
  ck_assert_uint_eq(len, 5);
  ck_assert_ptr_null(b.data);
  ck_assert_uint_eq(b.len, 0);
  ck_assert_str_eq(ys_buf_str(&b), "");
  free(s);
  /* The buffer keeps working after the hand-over. */
  ck_assert_int_eq(ys_buf_adds(&b, "again"), YS_OK);
  ck_assert_str_eq(ys_buf_str(&b), "again");
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_take_of_empty_is_not_null)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  size_t len = 99;
  char *s = ys_buf_take(&b, &len);
  ck_assert_ptr_nonnull(s);
  ck_assert_str_eq(s, "");
  ck_assert_uint_eq(len, 0);
  free(s);
  ys_buf_free(&b);
}
END_TEST

START_TEST(test_buf_take_accepts_null_len)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_buf_adds(&b, "x"), YS_OK);
  char *s = ys_buf_take(&b, NULL);
  ck_assert_str_eq(s, "x");
  free(s);
}
END_TEST

START_TEST(test_buf_free_leaves_empty_buffer)
{
  ys_buf b;
  ys_buf_init(&b, 100);
  ck_assert_int_eq(ys_buf_adds(&b, "x"), YS_OK);
  ys_buf_free(&b);
  ck_assert_ptr_null(b.data);
  ck_assert_uint_eq(b.len, 0);
  ck_assert_str_eq(ys_buf_str(&b), "");
  ys_buf_free(&b); /* twice is harmless */
}
END_TEST

/* }====== */

/* {====== utf8 ====== */

static int valid(const char *s, size_t len, size_t *bad)
{
  *bad = (size_t)-1;
  return ys_utf8_valid(s, len, bad);
}

START_TEST(test_utf8_accepts_ascii_and_empty)
{
  size_t bad;
  ck_assert_int_eq(valid("", 0, &bad), 1);
  ck_assert_int_eq(valid("hello, world: a long ascii line", 31, &bad), 1);
  ck_assert_uint_eq(bad, (size_t)-1); /* untouched on success */
}
END_TEST

START_TEST(test_utf8_accepts_multibyte_sequences)
{
  size_t bad;
  /* e-acute (2 bytes), euro sign (3), G clef U+1D11E (4). */
  const char *s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E";
  ck_assert_int_eq(valid(s, strlen(s), &bad), 1);
}
END_TEST

START_TEST(test_utf8_accepts_range_limits)
{
  size_t bad;
  ck_assert_int_eq(valid("\xC2\x80", 2, &bad), 1);         /* U+0080 */
  ck_assert_int_eq(valid("\xDF\xBF", 2, &bad), 1);         /* U+07FF */
  ck_assert_int_eq(valid("\xE0\xA0\x80", 3, &bad), 1);     /* U+0800 */
  ck_assert_int_eq(valid("\xED\x9F\xBF", 3, &bad), 1);     /* U+D7FF */
  ck_assert_int_eq(valid("\xEE\x80\x80", 3, &bad), 1);     /* U+E000 */
  ck_assert_int_eq(valid("\xEF\xBF\xBF", 3, &bad), 1);     /* U+FFFF */
  ck_assert_int_eq(valid("\xF0\x90\x80\x80", 4, &bad), 1); /* U+10000 */
  ck_assert_int_eq(valid("\xF4\x8F\xBF\xBF", 4, &bad), 1); /* U+10FFFF */
}
END_TEST

START_TEST(test_utf8_accepts_embedded_nul)
{
  size_t bad;
  ck_assert_int_eq(valid("a\0b", 3, &bad), 1);
}
END_TEST

START_TEST(test_utf8_rejects_overlong_forms)
{
  size_t bad;
  ck_assert_int_eq(valid("\xC0\xAF", 2, &bad), 0);         /* '/' in 2 */
  ck_assert_int_eq(valid("\xC1\xBF", 2, &bad), 0);
  ck_assert_int_eq(valid("\xE0\x80\xAF", 3, &bad), 0);     /* '/' in 3 */
  ck_assert_int_eq(valid("\xE0\x9F\xBF", 3, &bad), 0);     /* U+07FF */
  ck_assert_int_eq(valid("\xF0\x80\x80\xAF", 4, &bad), 0); /* '/' in 4 */
  ck_assert_int_eq(valid("\xF0\x8F\xBF\xBF", 4, &bad), 0); /* U+FFFF */
}
END_TEST

START_TEST(test_utf8_rejects_surrogates)
{
  size_t bad;
  ck_assert_int_eq(valid("\xED\xA0\x80", 3, &bad), 0); /* U+D800 */
  ck_assert_int_eq(valid("\xED\xBF\xBF", 3, &bad), 0); /* U+DFFF */
}
END_TEST

START_TEST(test_utf8_rejects_above_max_code_point)
{
  size_t bad;
  ck_assert_int_eq(valid("\xF4\x90\x80\x80", 4, &bad), 0); /* U+110000 */
  ck_assert_int_eq(valid("\xF5\x80\x80\x80", 4, &bad), 0);
  ck_assert_int_eq(valid("\xFF", 1, &bad), 0);
}
END_TEST

START_TEST(test_utf8_rejects_truncated_and_stray_bytes)
{
  size_t bad;
  ck_assert_int_eq(valid("\xE2\x82", 2, &bad), 0);  /* cut at the end */
  ck_assert_int_eq(valid("\xE2\x82x", 3, &bad), 0); /* cut by ASCII */
  ck_assert_int_eq(valid("\x80", 1, &bad), 0);      /* lone continuation */
  ck_assert_int_eq(valid("\xC3\xA9\xA9", 3, &bad), 0);
}
END_TEST

START_TEST(test_utf8_reports_offset_of_bad_byte)
{
  size_t bad;
  ck_assert_int_eq(valid("abc\xFF", 4, &bad), 0);
  ck_assert_uint_eq(bad, 3);
  /* Inside and after the 8-byte ASCII fast path. */
  ck_assert_int_eq(valid("abc\x80" "defghijk", 12, &bad), 0);
  ck_assert_uint_eq(bad, 3);
  ck_assert_int_eq(valid("0123456789\xC0\x80", 12, &bad), 0);
  ck_assert_uint_eq(bad, 10);
  ck_assert_int_eq(valid("01234567\xC3\xA9xyz\xFE", 14, &bad), 0);
  ck_assert_uint_eq(bad, 13);
  /* A stray continuation right after a complete sequence. */
  ck_assert_int_eq(valid("\xC3\xA9\xA9", 3, &bad), 0);
  ck_assert_uint_eq(bad, 2);
}
END_TEST

START_TEST(test_utf8_honours_len_not_nul)
{
  size_t bad;
  /* The bad byte lies past len, so the prefix is valid. */
  ck_assert_int_eq(valid("ok\xFF", 2, &bad), 1);
}
END_TEST

START_TEST(test_utf8_reports_start_of_bad_sequence)
{
  size_t bad;
  /* The offset is where the ill-formed sequence starts, for each way a
   * sequence can be wrong. */
  ck_assert_int_eq(valid("ab\xC0\xAF", 4, &bad), 0);        /* overlong */
  ck_assert_uint_eq(bad, 2);
  ck_assert_int_eq(valid("abc\xE0\x9F\xBF", 6, &bad), 0);  /* overlong */
  ck_assert_uint_eq(bad, 3);
  ck_assert_int_eq(valid("a\xED\xA0\x80", 4, &bad), 0);    /* surrogate */
  ck_assert_uint_eq(bad, 1);
  ck_assert_int_eq(valid("\xC3\xA9\xF4\x90\x80\x80", 6, &bad), 0);
  ck_assert_uint_eq(bad, 2);                               /* > U+10FFFF */
  ck_assert_int_eq(valid("xy\xF0\x9D\x84", 5, &bad), 0);   /* cut at end */
  ck_assert_uint_eq(bad, 2);
  ck_assert_int_eq(valid("xy\xF0\x9D\x84z", 6, &bad), 0);  /* cut by 'z' */
  ck_assert_uint_eq(bad, 2);
  /* A multi-byte sequence cut off right after eight ASCII bytes. */
  ck_assert_int_eq(valid("01234567\xE2\x82", 10, &bad), 0);
  ck_assert_uint_eq(bad, 8);
  ck_assert_int_eq(valid("0123456\xE2\x82\xAC", 10, &bad), 1);
}
END_TEST

/* Whether s[0..len) starts with a well-formed sequence, by the table of
 * well-formed byte sequences in the Unicode standard (chapter 3, table
 * 3-7), written out rather than computed; its length, or 0. */
static size_t table_3_7(const unsigned char *s, size_t len)
{
  static const struct {
    unsigned char lo[4], hi[4];
    size_t n;
  } rows[] = {
    { { 0x00 }, { 0x7F }, 1 },
    { { 0xC2, 0x80 }, { 0xDF, 0xBF }, 2 },
    { { 0xE0, 0xA0, 0x80 }, { 0xE0, 0xBF, 0xBF }, 3 },
    { { 0xE1, 0x80, 0x80 }, { 0xEC, 0xBF, 0xBF }, 3 },
    { { 0xED, 0x80, 0x80 }, { 0xED, 0x9F, 0xBF }, 3 },
    { { 0xEE, 0x80, 0x80 }, { 0xEF, 0xBF, 0xBF }, 3 },
    { { 0xF0, 0x90, 0x80, 0x80 }, { 0xF0, 0xBF, 0xBF, 0xBF }, 4 },
    { { 0xF1, 0x80, 0x80, 0x80 }, { 0xF3, 0xBF, 0xBF, 0xBF }, 4 },
    { { 0xF4, 0x80, 0x80, 0x80 }, { 0xF4, 0x8F, 0xBF, 0xBF }, 4 },
  };
  for(size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
    size_t k = 0;
    while(k < rows[r].n && k < len && s[k] >= rows[r].lo[k] &&
          s[k] <= rows[r].hi[k])
      k++;
    if(k == rows[r].n)
      return k;
  }
  return 0;
}

/* Checks ys_utf8_valid on "ab" + seq + "yz" against the table. */
static void ck_against_table(const unsigned char *seq, size_t n)
{
  unsigned char buf[16];
  memcpy(buf, "ab", 2);
  memcpy(buf + 2, seq, n);
  memcpy(buf + 2 + n, "yz", 2);
  size_t len = n + 4, i = 0, want_bad = 0;
  int want = 1;
  while(i < len) {
    size_t k = table_3_7(buf + i, len - i);
    if(!k) {
      want = 0;
      want_bad = i;
      break;
    }
    i += k;
  }
  size_t bad = (size_t)-1;
  int got = ys_utf8_valid((const char *)buf, len, &bad);
  /* Plain ifs: a passing ck_assert records its location, which costs
   * more than the check across a few hundred thousand strings. */
  if(got != want)
    ck_abort_msg("%02X %02X %02X %02X (%zu bytes): got %d, expected %d",
                 seq[0], n > 1 ? seq[1] : 0, n > 2 ? seq[2] : 0,
                 n > 3 ? seq[3] : 0, n, got, want);
  if(!want && bad != want_bad)
    ck_abort_msg("%02X %02X %02X %02X: bad offset %zu, expected %zu",
                 seq[0], n > 1 ? seq[1] : 0, n > 2 ? seq[2] : 0,
                 n > 3 ? seq[3] : 0, bad, want_bad);
}

START_TEST(test_utf8_agrees_with_unicode_table)
{
  /* Every one- and two-byte string, and three- and four-byte ones over
   * every lead and second byte with the later bytes at the edges of
   * their ranges and just outside them. */
  static const unsigned char later[] = { 0x00, 0x41, 0x7F, 0x80, 0x8F,
                                         0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                         0xFF };
  const size_t nl = sizeof(later);
  unsigned char s[4];
  for(unsigned a = 0; a < 256; a++) {
    s[0] = (unsigned char)a;
    ck_against_table(s, 1);
    for(unsigned b = 0; b < 256; b++) {
      s[1] = (unsigned char)b;
      ck_against_table(s, 2);
      if(a < 0xE0 || a > 0xF7)
        continue;
      for(size_t c = 0; c < nl; c++) {
        s[2] = later[c];
        ck_against_table(s, 3);
        if(a < 0xF0)
          continue;
        for(size_t d = 0; d < nl; d++) {
          s[3] = later[d];
          ck_against_table(s, 4);
        }
      }
    }
  }
}
END_TEST

START_TEST(test_utf8_accepts_null_bad_pointer)
{
  ck_assert_int_eq(ys_utf8_valid("\xFF", 1, NULL), 0);
  ck_assert_int_eq(ys_utf8_valid("fine", 4, NULL), 1);
}
END_TEST

/* }====== */

/* {====== sha256 ====== */

/* FIPS 180-2 appendix B test vectors. */
#define SHA_EMPTY \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC \
  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_448BIT_MSG \
  "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA_448BIT \
  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define SHA_MILLION_A \
  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static void sha_of(const char *s, size_t len, char hex[65])
{
  ys_sha256 *h = ys_sha256_new();
  ys_sha256_update(h, s, len);
  ys_sha256_final(h, hex);
}

START_TEST(test_sha256_of_empty_string)
{
  char hex[65];
  sha_of("", 0, hex);
  ck_assert_str_eq(hex, SHA_EMPTY);
}
END_TEST

START_TEST(test_sha256_of_abc)
{
  char hex[65];
  sha_of("abc", 3, hex);
  ck_assert_str_eq(hex, SHA_ABC);
}
END_TEST

START_TEST(test_sha256_of_two_block_message)
{
  char hex[65];
  sha_of(SHA_448BIT_MSG, strlen(SHA_448BIT_MSG), hex);
  ck_assert_str_eq(hex, SHA_448BIT);
}
END_TEST

START_TEST(test_sha256_incremental_matches_one_shot)
{
  char hex[65];
  const char *m = SHA_448BIT_MSG;
  ys_sha256 *h = ys_sha256_new();
  ys_sha256_update(h, m, 1);
  ys_sha256_update(h, m + 1, 0);
  ys_sha256_update(h, m + 1, 20);
  ys_sha256_update(h, m + 21, strlen(m) - 21);
  ys_sha256_final(h, hex);
  ck_assert_str_eq(hex, SHA_448BIT);
}
END_TEST

START_TEST(test_sha256_hex_is_lower_case_and_terminated)
{
  char hex[65];
  memset(hex, 'X', sizeof(hex));
  sha_of("abc", 3, hex);
  ck_assert_int_eq(hex[64], '\0');
  for(int i = 0; i < 64; i++)
    ck_assert_ptr_nonnull(strchr("0123456789abcdef", hex[i]));
}
END_TEST

START_TEST(test_sha256_file_matches_content_digest)
{
  /* A million 'a's: FIPS 180-2's long vector, which spans several read
   * chunks. */
  char path[] = "/tmp/check_buf_sha_XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  FILE *f = fdopen(fd, "wb");
  ck_assert_ptr_nonnull(f);
  for(int i = 0; i < 1000000; i++)
    fputc('a', f);
  ck_assert_int_eq(fclose(f), 0);
  char hex[65];
  ys_diag diag;
  ys_err err = ys_sha256_file(path, hex, &diag);
  unlink(path);
  ck_assert_int_eq(err, YS_OK);
  ck_assert_str_eq(hex, SHA_MILLION_A);
}
END_TEST

START_TEST(test_sha256_file_of_empty_file)
{
  char path[] = "/tmp/check_buf_sha_XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  char hex[65];
  ys_diag diag;
  ys_err err = ys_sha256_file(path, hex, &diag);
  unlink(path);
  ck_assert_int_eq(err, YS_OK);
  ck_assert_str_eq(hex, SHA_EMPTY);
}
END_TEST

START_TEST(test_sha256_file_missing_is_io_error)
{
  char hex[65];
  ys_diag diag;
  const char *path = "/nonexistent/dir/check_buf_no_such_file";
  ys_diag_clear(&diag);
  ck_assert_int_eq(ys_sha256_file(path, hex, &diag), YS_ERR_IO);
  ck_assert_str_eq(diag.file, path);
  ck_assert_uint_gt(strlen(diag.msg), 0);
}
END_TEST

/* }====== */

/* {====== hash64 ====== */

START_TEST(test_hash64_of_empty_matches_xxh3_reference)
{
  /* XXH3_64bits of the empty input with seed 0, from xxHash's sanity
   * check table. */
  ck_assert_uint_eq(ys_hash64("", 0, 0), UINT64_C(0x2D06800538D394C2));
}
END_TEST

START_TEST(test_hash64_is_deterministic)
{
  ck_assert_uint_eq(ys_hash64("sample-17", 9, 7),
                    ys_hash64("sample-17", 9, 7));
}
END_TEST

START_TEST(test_hash64_depends_on_seed)
{
  ck_assert_uint_ne(ys_hash64("sample-17", 9, 1),
                    ys_hash64("sample-17", 9, 2));
}
END_TEST

START_TEST(test_hash64_depends_on_content_and_len)
{
  ck_assert_uint_ne(ys_hash64("abc", 3, 0), ys_hash64("abd", 3, 0));
  ck_assert_uint_ne(ys_hash64("abc", 3, 0), ys_hash64("abc", 2, 0));
  /* Only the first len bytes count. */
  ck_assert_uint_eq(ys_hash64("abc", 2, 0), ys_hash64("abX", 2, 0));
}
END_TEST

/* }====== */

/* {====== id map ====== */

static ys_idmap *map;

static void map_setup(void)
{
  map = ys_idmap_new();
}

static void map_teardown(void)
{
  ys_idmap_free(map);
  map = NULL;
}

START_TEST(test_idmap_new_is_empty)
{
  uint64_t v = 7;
  ck_assert_uint_eq(ys_idmap_count(map), 0);
  ck_assert_int_eq(ys_idmap_get(map, "x", 1, &v), 0);
  ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_idmap_put_then_get)
{
  uint64_t v = 0;
  ck_assert_int_eq(ys_idmap_put(map, "q1", 2, 11, NULL), 1);
  ck_assert_int_eq(ys_idmap_put(map, "q2", 2, 22, NULL), 1);
  ck_assert_uint_eq(ys_idmap_count(map), 2);
  ck_assert_int_eq(ys_idmap_get(map, "q1", 2, &v), 1);
  ck_assert_uint_eq(v, 11);
  ck_assert_int_eq(ys_idmap_get(map, "q2", 2, &v), 1);
  ck_assert_uint_eq(v, 22);
  ck_assert_int_eq(ys_idmap_get(map, "q3", 2, &v), 0);
}
END_TEST

START_TEST(test_idmap_duplicate_put_keeps_first_value)
{
  uint64_t old = 0, v = 0;
  ck_assert_int_eq(ys_idmap_put(map, "dup", 3, 1, NULL), 1);
  ck_assert_int_eq(ys_idmap_put(map, "dup", 3, 2, &old), 0);
  ck_assert_uint_eq(old, 1);
  ck_assert_uint_eq(ys_idmap_count(map), 1);
  ck_assert_int_eq(ys_idmap_get(map, "dup", 3, &v), 1);
  ck_assert_uint_eq(v, 1);
  /* old may be NULL. */
  ck_assert_int_eq(ys_idmap_put(map, "dup", 3, 3, NULL), 0);
}
END_TEST

START_TEST(test_idmap_key_is_bytes_with_length)
{
  uint64_t v = 0;
  ck_assert_int_eq(ys_idmap_put(map, "a\0b", 3, 1, NULL), 1);
  ck_assert_int_eq(ys_idmap_put(map, "a", 1, 2, NULL), 1);
  ck_assert_int_eq(ys_idmap_put(map, "a\0c", 3, 3, NULL), 1);
  ck_assert_uint_eq(ys_idmap_count(map), 3);
  ck_assert_int_eq(ys_idmap_get(map, "a\0b", 3, &v), 1);
  ck_assert_uint_eq(v, 1);
  ck_assert_int_eq(ys_idmap_get(map, "ab", 2, &v), 0);
}
END_TEST

START_TEST(test_idmap_empty_key_is_a_key)
{
  uint64_t v = 0;
  ck_assert_int_eq(ys_idmap_put(map, "", 0, 5, NULL), 1);
  ck_assert_int_eq(ys_idmap_get(map, "", 0, &v), 1);
  ck_assert_uint_eq(v, 5);
  ck_assert_int_eq(ys_idmap_put(map, "", 0, 6, NULL), 0);
}
END_TEST

START_TEST(test_idmap_get_accepts_null_value)
{
  ck_assert_int_eq(ys_idmap_put(map, "k", 1, 5, NULL), 1);
  ck_assert_int_eq(ys_idmap_get(map, "k", 1, NULL), 1);
}
END_TEST

START_TEST(test_idmap_keeps_all_keys_across_growth)
{
  enum { N = 20000 };
  char key[32];
  for(int i = 0; i < N; i++) {
    int n = snprintf(key, sizeof(key), "id-%d", i);
    ck_assert_int_eq(ys_idmap_put(map, key, (size_t)n, (uint64_t)i * 3,
                                  NULL), 1);
  }
  ck_assert_uint_eq(ys_idmap_count(map), N);
  for(int i = 0; i < N; i++) {
    uint64_t v = 0;
    int n = snprintf(key, sizeof(key), "id-%d", i);
    ck_assert_int_eq(ys_idmap_get(map, key, (size_t)n, &v), 1);
    ck_assert_uint_eq(v, (uint64_t)i * 3);
  }
  ck_assert_int_eq(ys_idmap_get(map, "id-20000", 8, NULL), 0);
  /* Re-inserting after growth still finds the duplicates. */
  ck_assert_int_eq(ys_idmap_put(map, "id-0", 4, 99, NULL), 0);
  ck_assert_uint_eq(ys_idmap_count(map), N);
}
END_TEST

START_TEST(test_idmap_keeps_full_64_bit_values)
{
  uint64_t v = 1;
  ck_assert_int_eq(ys_idmap_put(map, "zero", 4, 0, NULL), 1);
  ck_assert_int_eq(ys_idmap_put(map, "max", 3, UINT64_MAX, NULL), 1);
  ck_assert_int_eq(ys_idmap_get(map, "zero", 4, &v), 1);
  ck_assert_uint_eq(v, 0);
  ck_assert_int_eq(ys_idmap_get(map, "max", 3, &v), 1);
  ck_assert_uint_eq(v, UINT64_MAX);
  uint64_t old = 0;
  ck_assert_int_eq(ys_idmap_put(map, "max", 3, 5, &old), 0);
  ck_assert_uint_eq(old, UINT64_MAX);
}
END_TEST

START_TEST(test_idmap_free_null_is_noop)
{
  ys_idmap_free(NULL);
  ck_assert_uint_eq(ys_idmap_count(map), 0);
}
END_TEST

/* }====== */

static Suite *buf_suite(void)
{
  Suite *s = suite_create("buf");

  TCase *tc = tcase_create("buf_add");
  tcase_add_test(tc, test_buf_new_is_empty_string);
  tcase_add_test(tc, test_buf_add_concatenates_and_terminates);
  tcase_add_test(tc, test_buf_add_keeps_embedded_nul);
  tcase_add_test(tc, test_buf_add_zero_bytes_is_ok);
  tcase_add_test(tc, test_buf_add_grows_past_initial_block);
  tcase_add_test(tc, test_buf_addf_formats);
  tcase_add_test(tc, test_buf_addf_longer_than_stack_block);
  suite_add_tcase(s, tc);

  tc = tcase_create("buf_cap");
  tcase_add_test(tc, test_buf_append_up_to_cap_succeeds);
  tcase_add_test(tc, test_buf_append_over_cap_fails);
  tcase_add_test(tc, test_buf_append_over_cap_frees_content);
  tcase_add_test(tc, test_buf_addc_over_cap_fails);
  tcase_add_test(tc, test_buf_addf_over_cap_fails);
  tcase_add_test(tc, test_buf_zero_cap_accepts_only_empty);
  tcase_add_test(tc, test_buf_usable_again_after_cap_failure);
  suite_add_tcase(s, tc);

  tc = tcase_create("buf_reset_take");
  tcase_add_test(tc, test_buf_reset_empties_and_keeps_memory);
  tcase_add_test(tc, test_buf_reset_resets_the_cap_count);
  tcase_add_test(tc, test_buf_reset_of_unused_buffer_is_safe);
  tcase_add_test(tc, test_buf_take_hands_over_content);
  tcase_add_test(tc, test_buf_take_of_empty_is_not_null);
  tcase_add_test(tc, test_buf_take_accepts_null_len);
  tcase_add_test(tc, test_buf_free_leaves_empty_buffer);
  suite_add_tcase(s, tc);

  tc = tcase_create("utf8");
  tcase_add_test(tc, test_utf8_accepts_ascii_and_empty);
  tcase_add_test(tc, test_utf8_accepts_multibyte_sequences);
  tcase_add_test(tc, test_utf8_accepts_range_limits);
  tcase_add_test(tc, test_utf8_accepts_embedded_nul);
  tcase_add_test(tc, test_utf8_rejects_overlong_forms);
  tcase_add_test(tc, test_utf8_rejects_surrogates);
  tcase_add_test(tc, test_utf8_rejects_above_max_code_point);
  tcase_add_test(tc, test_utf8_rejects_truncated_and_stray_bytes);
  tcase_add_test(tc, test_utf8_reports_offset_of_bad_byte);
  tcase_add_test(tc, test_utf8_honours_len_not_nul);
  tcase_add_test(tc, test_utf8_reports_start_of_bad_sequence);
  tcase_add_test(tc, test_utf8_agrees_with_unicode_table);
  tcase_add_test(tc, test_utf8_accepts_null_bad_pointer);
  suite_add_tcase(s, tc);

  tc = tcase_create("sha256");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_sha256_of_empty_string);
  tcase_add_test(tc, test_sha256_of_abc);
  tcase_add_test(tc, test_sha256_of_two_block_message);
  tcase_add_test(tc, test_sha256_incremental_matches_one_shot);
  tcase_add_test(tc, test_sha256_hex_is_lower_case_and_terminated);
  tcase_add_test(tc, test_sha256_file_matches_content_digest);
  tcase_add_test(tc, test_sha256_file_of_empty_file);
  tcase_add_test(tc, test_sha256_file_missing_is_io_error);
  suite_add_tcase(s, tc);

  tc = tcase_create("hash64");
  tcase_add_test(tc, test_hash64_of_empty_matches_xxh3_reference);
  tcase_add_test(tc, test_hash64_is_deterministic);
  tcase_add_test(tc, test_hash64_depends_on_seed);
  tcase_add_test(tc, test_hash64_depends_on_content_and_len);
  suite_add_tcase(s, tc);

  tc = tcase_create("idmap");
  tcase_set_timeout(tc, 30);
  tcase_add_checked_fixture(tc, map_setup, map_teardown);
  tcase_add_test(tc, test_idmap_new_is_empty);
  tcase_add_test(tc, test_idmap_put_then_get);
  tcase_add_test(tc, test_idmap_duplicate_put_keeps_first_value);
  tcase_add_test(tc, test_idmap_key_is_bytes_with_length);
  tcase_add_test(tc, test_idmap_empty_key_is_a_key);
  tcase_add_test(tc, test_idmap_get_accepts_null_value);
  tcase_add_test(tc, test_idmap_keeps_all_keys_across_growth);
  tcase_add_test(tc, test_idmap_keeps_full_64_bit_values);
  tcase_add_test(tc, test_idmap_free_null_is_noop);
  suite_add_tcase(s, tc);

  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(buf_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
