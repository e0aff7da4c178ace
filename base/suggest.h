/*
 * suggest.h - "did you mean --period?": the closest known name to a
 * misspelt one.  The command line (options) and the grid loader (config
 * keys) share it.
 */
#ifndef DSAGA_SUGGEST_H
#define DSAGA_SUGGEST_H

/* The candidate closest to `word` by edit distance (insertions, deletions,
 * substitutions and transpositions, case-insensitive), if that distance is
 * at most max(1, strlen(word) / 3); else NULL.  Ties go to the first. */
const char *suggest_closest(const char *word, const char *const *candidates, int n);

#endif
