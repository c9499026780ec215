/* check_ckpt.c - unit tests of the checkpoint codec (suite "ckpt"). */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ckpt.h"
#include "core/error.h"

/* mt19937 as GSL keeps it: 624 words of 32 bits in unsigned longs, then the next word's
 * index. */
enum { MT_WORDS = 624 };

/* A generator written by atoll_wbuf_rng after a few draws; *state_at is where its state
 * starts in the bytes (after the length-prefixed name and the state's length). */
static atoll_wbuf saved_generator(size_t *state_at)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    for (int i = 0; i < 1000; i++)
        gsl_rng_get(rng);
    atoll_wbuf b = {0};
    atoll_wbuf_rng(&b, rng);
    ck_assert_int_eq(atoll_wbuf_status(&b, "test"), ATOLL_OK);
    *state_at = 8 + strlen(gsl_rng_name(rng)) + 8;
    ck_assert_uint_eq(b.len, *state_at + gsl_rng_size(rng));
    gsl_rng_free(rng);
    return b;
}

/* Read the generator in `b` into a fresh one; returns whether the read failed, and then that
 * the fresh generator kept its own state. */
static bool read_fails(const atoll_wbuf *b)
{
    gsl_rng *fresh = gsl_rng_alloc(gsl_rng_mt19937), *untouched = gsl_rng_alloc(gsl_rng_mt19937);
    atoll_rbuf r;
    atoll_rbuf_init(&r, b->data, b->len);
    atoll_rbuf_rng(&r, fresh);
    bool failed = atoll_rbuf_status(&r, "generator") != ATOLL_OK;
    if (failed)
        ck_assert(memcmp(gsl_rng_state(fresh), gsl_rng_state(untouched), gsl_rng_size(fresh)) ==
                  0);
    atoll_error_clear();
    gsl_rng_free(fresh);
    gsl_rng_free(untouched);
    return failed;
}

START_TEST(test_ckpt_rng_round_trip)
{
    size_t at = 0;
    atoll_wbuf b = saved_generator(&at);
    gsl_rng *want = gsl_rng_alloc(gsl_rng_mt19937), *got = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(want, 42);
    for (int i = 0; i < 1000; i++)
        gsl_rng_get(want);
    atoll_rbuf r;
    atoll_rbuf_init(&r, b.data, b.len);
    atoll_rbuf_rng(&r, got);
    ck_assert_int_eq(atoll_rbuf_status(&r, "generator"), ATOLL_OK);
    ck_assert_uint_eq(r.pos, r.len);
    for (int i = 0; i < 2000; i++)
        ck_assert_uint_eq(gsl_rng_get(got), gsl_rng_get(want));
    gsl_rng_free(want);
    gsl_rng_free(got);
    atoll_wbuf_free(&b);
}
END_TEST

START_TEST(test_ckpt_rng_next_word_out_of_range)
{
    /* GSL reads the word at the index unchecked: a negative one read before the state. */
    static const int bad[] = {-1, -100000, MT_WORDS + 1, 1 << 30};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        size_t at = 0;
        atoll_wbuf b = saved_generator(&at);
        memcpy(b.data + at + MT_WORDS * sizeof(unsigned long), &bad[k], sizeof bad[k]);
        ck_assert_msg(read_fails(&b), "next word %d was accepted", bad[k]);
        atoll_wbuf_free(&b);
    }
    size_t at = 0;
    atoll_wbuf b = saved_generator(&at);
    int last = MT_WORDS; /* every word used: the next draw makes new ones */
    memcpy(b.data + at + MT_WORDS * sizeof(unsigned long), &last, sizeof last);
    ck_assert(!read_fails(&b));
    atoll_wbuf_free(&b);
}
END_TEST

START_TEST(test_ckpt_rng_words_beyond_32_bits)
{
    /* High bits survive every new round of words, so gsl_rng_uniform_int rejected every
     * draw, forever. */
    size_t at = 0;
    atoll_wbuf b = saved_generator(&at);
    unsigned long word = 0x4e000000ed720fcdUL;
    memcpy(b.data + at + 362 * sizeof word, &word, sizeof word);
    ck_assert(read_fails(&b));
    atoll_wbuf_free(&b);
}
END_TEST

START_TEST(test_ckpt_rng_all_zero)
{
    /* All zero (but for bits the next round ignores) draws 0 forever, which
     * gsl_rng_uniform_pos never accepts. */
    size_t at = 0;
    atoll_wbuf b = saved_generator(&at);
    memset(b.data + at, 0, MT_WORDS * sizeof(unsigned long));
    unsigned long low = 0x7fffffffUL; /* the first word's low bits are not part of the state */
    memcpy(b.data + at, &low, sizeof low);
    ck_assert(read_fails(&b));
    unsigned long top = 0x80000000UL;
    memcpy(b.data + at, &top, sizeof top);
    ck_assert(!read_fails(&b));
    atoll_wbuf_free(&b);
}
END_TEST

static Suite *ckpt_suite(void)
{
    Suite *s = suite_create("ckpt");
    TCase *codec = tcase_create("codec");
    tcase_add_test(codec, test_ckpt_rng_round_trip);
    tcase_add_test(codec, test_ckpt_rng_next_word_out_of_range);
    tcase_add_test(codec, test_ckpt_rng_words_beyond_32_bits);
    tcase_add_test(codec, test_ckpt_rng_all_zero);
    suite_add_tcase(s, codec);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(ckpt_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
