/* SPDX-License-Identifier: ISC */
/*
 * Edit distance and the nearest-name search behind "did you mean" hints.
 * Names are short, so the three rows of the distance live on the stack.
 */
#include "nearest.h"

#include <string.h>
#include <glib.h>

#define NEAREST_MAX 64

size_t
nearest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, cost, best;
	size_t r0[NEAREST_MAX], r1[NEAREST_MAX], r2[NEAREST_MAX];
	size_t *pp = r0, *p = r1, *c = r2, *t;

	if (la >= NEAREST_MAX || lb >= NEAREST_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		p[j] = j;
	for (i = 1; i <= la; i++) {
		c[0] = i;
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] != b[j - 1];
			best = MIN(p[j] + 1, c[j - 1] + 1);
			best = MIN(best, p[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				best = MIN(best, pp[j - 2] + 1);
			c[j] = best;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[lb];
}

void
nearest_init(struct nearest *n, const char *name)
{
	n->name = name;
	n->best = NULL;
	n->best_d = (size_t)-1;
}

void
nearest_try(struct nearest *n, const char *candidate)
{
	size_t d = nearest_distance(n->name, candidate);

	if (d < n->best_d) {
		n->best_d = d;
		n->best = candidate;
	}
}

/* A typo is at most two edits, or a third of the name for long ones. */
const char *
nearest_result(const struct nearest *n)
{
	size_t limit = MAX(2, strlen(n->name) / 3);

	return n->best_d <= limit ? n->best : NULL;
}
