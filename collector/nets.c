/* SPDX-License-Identifier: ISC */
/*
 * networks_file loading and longest-prefix match. Prefixes are grouped by
 * family and length; each group is a sorted array of masked addresses, so
 * a lookup is one binary search per distinct length, longest first, with
 * no allocation. Lists hold at most a few thousand prefixes in practice.
 */
#include "config.h"

#include "collector/nets.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

/* The prefixes of one family and one length, sorted by address. */
struct nets_group {
	uint8_t plen;
	GArray *addrs; /* struct ft_addr, masked */
};

struct nets {
	GPtrArray *groups[2]; /* [0] IPv4, [1] IPv6; longest first */
	guint count;
};

static int
addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ft_addr));
}

static struct nets_group *
group_get(struct nets *n, int fam, uint8_t plen)
{
	GPtrArray *gs = n->groups[fam];
	struct nets_group *g;
	guint i;

	for (i = 0; i < gs->len; i++) {
		g = g_ptr_array_index(gs, i);
		if (g->plen == plen)
			return g;
		if (g->plen < plen)
			break;
	}
	g = g_new0(struct nets_group, 1);
	g->plen = plen;
	g->addrs = g_array_new(FALSE, FALSE, sizeof(struct ft_addr));
	g_ptr_array_insert(gs, (gint)i, g);
	return g;
}

static void
group_free(gpointer p)
{
	struct nets_group *g = p;

	g_array_free(g->addrs, TRUE);
	g_free(g);
}

/* One line: the prefix is the last comma-separated field. */
static gboolean
nets_parse_line(struct nets *n, char *line, GError **err)
{
	char *p = strrchr(line, ',');
	struct ft_addr a;
	uint8_t plen;

	p = g_strstrip(p != NULL ? p + 1 : line);
	if (!ft_prefix_parse(p, &a, &plen, err))
		return FALSE;
	ft_addr_mask(&a, plen);
	g_array_append_val(group_get(n, a.family == 6, plen)->addrs, a);
	n->count++;
	return TRUE;
}

static void
nets_sort(struct nets *n)
{
	guint f, i;

	for (f = 0; f < 2; f++) {
		for (i = 0; i < n->groups[f]->len; i++) {
			struct nets_group *g =
				g_ptr_array_index(n->groups[f], i);

			g_array_sort(g->addrs, addr_cmp);
		}
	}
}

struct nets *
nets_load_string(const char *name, const char *text, GError **err)
{
	struct nets *n = g_new0(struct nets, 1);
	gchar **lines = g_strsplit(text, "\n", -1);
	GError *lerr = NULL;
	guint i;

	n->groups[0] = g_ptr_array_new_with_free_func(group_free);
	n->groups[1] = g_ptr_array_new_with_free_func(group_free);
	for (i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);

		if (*line == '\0' || *line == '!' || *line == '#')
			continue;
		if (!nets_parse_line(n, line, &lerr)) {
			g_set_error(err, FT_ERROR, FT_ERROR_SYNTAX, "%s:%u: %s",
				    name, i + 1, lerr->message);
			g_error_free(lerr);
			g_strfreev(lines);
			nets_free(n);
			return NULL;
		}
	}
	g_strfreev(lines);
	nets_sort(n);
	return n;
}

struct nets *
nets_load(const char *path, GError **err)
{
	GError *ferr = NULL;
	struct nets *n;
	gchar *text;

	if (!g_file_get_contents(path, &text, NULL, &ferr)) {
		g_set_error(err, FT_ERROR, FT_ERROR_IO, "%s", ferr->message);
		g_error_free(ferr);
		return NULL;
	}
	n = nets_load_string(path, text, err);
	g_free(text);
	return n;
}

void
nets_free(struct nets *n)
{
	if (n == NULL)
		return;
	g_ptr_array_free(n->groups[0], TRUE);
	g_ptr_array_free(n->groups[1], TRUE);
	g_free(n);
}

guint
nets_count(const struct nets *n)
{
	return n->count;
}

gboolean
nets_lookup(const struct nets *n, const struct ft_addr *a, uint8_t *plen)
{
	const GPtrArray *gs;
	struct ft_addr m;
	guint i;

	if (a->family != 4 && a->family != 6)
		return FALSE;
	gs = n->groups[a->family == 6];
	for (i = 0; i < gs->len; i++) {
		const struct nets_group *g = g_ptr_array_index(gs, i);

		m = *a;
		ft_addr_mask(&m, g->plen);
		if (bsearch(&m, g->addrs->data, g->addrs->len,
			    sizeof(struct ft_addr), addr_cmp) != NULL) {
			*plen = g->plen;
			return TRUE;
		}
	}
	return FALSE;
}
