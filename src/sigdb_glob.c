/*
 * sigdb_glob.c - the globs of pattern indicators: compiling their wildcard labels (sigdb_load.c) and
 * matching the labels of a name against them (sigdb_match.c).  See sigdb_glob.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sigdb_glob.h"

/* A repeat count "{n}": at most six decimal digits, n in 1..SIGDB_MAX_LABEL; -1 otherwise. */
static long
repeat_count(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= SIGDB_MAX_LABEL ? v : -1;
}

static void
set_add(uint8_t *set, unsigned char c)
{
	set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

/* Compile one glob label t[0..m) into g's atoms and labels. */
static const char *
compile_label(struct globs *gs, const char *t, size_t m)
{
	struct glabel g;
	size_t j = 0, width = 0;

	memset(&g, 0, sizeof(g));
	g.atom = (uint32_t)gs->natoms;
	if (m == 0)
		return "empty label";
	while (j < m) {
		struct atom a;
		unsigned char c = (unsigned char)t[j];
		long count = 1;

		if (c == '*') {
			if (g.star)
				return "more than one '*' in a label";
			g.star = 1;
			if (++j < m && t[j] == '{')
				return "'{' after '*'";
			continue;
		}
		memset(&a, 0, sizeof(a));
		if (c == '?') {
			unsigned k;

			for (k = 0; k < 256; k++)
				if (k != '.')
					set_add(a.set, (unsigned char)k);
			j++;
		} else if (c == '[') {
			int any = 0;

			for (j++; j < m && t[j] != ']';) {
				unsigned char lo = (unsigned char)t[j], hi = lo, k;

				if (j + 2 < m && t[j + 1] == '-' && t[j + 2] != ']') {
					hi = (unsigned char)t[j + 2];
					j += 3;
				} else {
					j++;
				}
				if (!is_hostchar(lo) || !is_hostchar(hi))
					return "character not allowed in a class";
				if (hi < lo)
					return "reversed range in a class";
				for (k = lo;; k++) {
					if (is_hostchar(k))
						set_add(a.set, k);
					if (k == hi)
						break;
				}
				any = 1;
			}
			if (j >= m)
				return "unterminated '['";
			if (!any)
				return "empty class";
			j++;
		} else if (is_hostchar(c)) {
			set_add(a.set, c);
			j++;
		} else {
			return "character not allowed in a pattern";
		}
		if (j < m && t[j] == '{') {
			size_t k = j + 1;

			while (k < m && t[k] != '}')
				k++;
			if (k >= m || (count = repeat_count(t + j + 1, k - j - 1)) < 0)
				return "bad repeat count (expected {1} to {63})";
			j = k + 1;
		}
		a.n = (uint8_t)count;
		width += (size_t)count;
		if (width > SIGDB_MAX_LABEL)
			return "label longer than 63 characters";
		if (gs->natoms == gs->capatoms) {
			gs->capatoms = gs->capatoms ? gs->capatoms * 2 : 64;
			gs->atoms = xrealloc(gs->atoms, gs->capatoms * sizeof(*gs->atoms));
		}
		gs->atoms[gs->natoms++] = a;
		if (g.star) {
			g.ntail++;
			g.tailw = (uint16_t)(g.tailw + count);
		} else {
			g.nhead++;
			g.headw = (uint16_t)(g.headw + count);
		}
	}
	if (gs->nlabels == gs->caplabels) {
		gs->caplabels = gs->caplabels ? gs->caplabels * 2 : 64;
		gs->labels = xrealloc(gs->labels, gs->caplabels * sizeof(*gs->labels));
	}
	gs->labels[gs->nlabels++] = g;
	return NULL;
}

int
glob_has_meta(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr("*?[]{}", s[i]) != NULL)
			return 1;
	return 0;
}

const char *
glob_compile(struct globs *gs, const char *s, size_t n, uint32_t *first, uint16_t *count)
{
	size_t i, start;
	unsigned nglob = 0;
	const char *why;

	*first = (uint32_t)gs->nlabels;
	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if ((why = compile_label(gs, s + start, i - start)) != NULL)
			return why;
		nglob++;
		start = i + 1;
	}
	*count = (uint16_t)nglob;
	return NULL;
}

static int
label_match(const struct globs *gs, const struct glabel *g, const unsigned char *s, size_t m)
{
	const struct atom *a = &gs->atoms[g->atom];
	size_t pos = 0;
	unsigned i, k;

	if (g->star ? m < (size_t)g->headw + g->tailw : m != g->headw)
		return 0;
	for (i = 0; i < g->nhead; i++, a++)
		for (k = 0; k < a->n; k++, pos++)
			if (!(a->set[s[pos] >> 3] & (1u << (s[pos] & 7))))
				return 0;
	pos = m - g->tailw;
	for (i = 0; i < g->ntail; i++, a++)
		for (k = 0; k < a->n; k++, pos++)
			if (!(a->set[s[pos] >> 3] & (1u << (s[pos] & 7))))
				return 0;
	return 1;
}

int
glob_match(const struct globs *gs, uint32_t first, uint16_t count, const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	for (k = 0; k < count; k++) {
		size_t e = i;

		while (e < n && s[e] != '.')
			e++;
		if ((k + 1 < count) == (e == n))
			return 0;	/* too few or too many labels */
		if (!label_match(gs, &gs->labels[first + k], s + i, e - i))
			return 0;
		i = e + 1;
	}
	return 1;
}

void
glob_free(struct globs *gs)
{
	free(gs->labels);
	free(gs->atoms);
}
