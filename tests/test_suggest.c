/*
 * test_suggest.c - base/suggest.h, the "did you mean" behind every unknown
 * key, algorithm and data set name: the closest candidate by edit distance
 * (insertions, deletions, substitutions, adjacent transpositions), case
 * never counting, within max(1, strlen / 3) edits, ties to the first.
 */
#include <criterion/criterion.h>
#include <stddef.h>

#include "base/suggest.h"

static const char *const keys[] = {"period", "refresh", "refresh_fraction", "nodes", "lambda"};
static const int n_keys = (int)(sizeof keys / sizeof *keys);

Test(suggest, each_kind_of_edit_is_one)
{
    cr_assert_str_eq(suggest_closest("perid", keys, n_keys), "period");   /* deletion */
    cr_assert_str_eq(suggest_closest("periodd", keys, n_keys), "period"); /* insertion */
    cr_assert_str_eq(suggest_closest("pariod", keys, n_keys), "period");  /* substitution */
    cr_assert_str_eq(suggest_closest("peirod", keys, n_keys), "period");  /* transposition */
}

Test(suggest, case_never_counts)
{
    cr_assert_str_eq(suggest_closest("PERIOD", keys, n_keys), "period");
    cr_assert_str_eq(suggest_closest("NODSE", keys, n_keys), "nodes");
    /* a transposition of letters in another case is one edit: "LAMDBAx"
     * is two from "lambda", within 7 / 3 = 2; read as two substitutions
     * (a case-sensitive transposition test) it would be three */
    cr_assert_str_eq(suggest_closest("LAMDBAx", keys, n_keys), "lambda");
}

Test(suggest, too_far_is_null)
{
    /* 2 edits from "nodes" with a limit of max(1, 5 / 3) = 1 */
    cr_assert_null(suggest_closest("modez", keys, n_keys));
    cr_assert_null(suggest_closest("xyz", keys, n_keys));
    cr_assert_null(suggest_closest("period", NULL, 0));
}

Test(suggest, short_words_allow_one_edit_and_ties_go_first)
{
    static const char *const two[] = {"ab", "ba", "ac"};
    cr_assert_str_eq(suggest_closest("a", two, 3), "ab");  /* all three at 1 */
    cr_assert_str_eq(suggest_closest("bb", two, 3), "ab"); /* "ab", "ba" at 1 */
}
