/* SPDX-License-Identifier: ISC */
/*
 * The nearest known name to a misspelt one, for "did you mean" hints:
 * configuration keys, aggregation primitives. Offer candidates one by one,
 * then ask for the closest if it is close enough to be a typo.
 */
#ifndef FT_NEAREST_H
#define FT_NEAREST_H

#include <stddef.h>

struct nearest {
	const char *name; /* the unknown name */
	const char *best; /* closest candidate so far */
	size_t best_d;    /* its edit distance */
};

void nearest_init(struct nearest *n, const char *name);
void nearest_try(struct nearest *n, const char *candidate);

/* The closest candidate, or NULL when none is within a typo's reach. */
const char *nearest_result(const struct nearest *n);

/*
 * Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of neighbours each cost one; (size_t)-1 for names over 63
 * characters.
 */
size_t nearest_distance(const char *a, const char *b);

#endif
