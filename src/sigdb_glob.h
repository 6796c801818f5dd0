/*
 * sigdb_glob.h - the globs of pattern indicators (dcdnwatch-signatures(5)), compiled at load and matched at
 * lookup.
 *
 * A pattern's wildcard labels each compile to fixed head atoms, an optional '*' and fixed tail atoms; an
 * atom is a set of characters with a repeat count ("[a-f]{3}").  A name matches when it has as many labels
 * in front of the pattern's literal suffix and each fits its glob label, which takes one pass over the name.
 */
#ifndef DCDN_SIGDB_GLOB_H
#define DCDN_SIGDB_GLOB_H

#include <stddef.h>
#include <stdint.h>

#define SIGDB_MAX_LABEL 63	/* characters in a host name label, RFC 1035 2.3.4 */

/* One glob position: n characters, each a member of set (a 256-bit map). */
struct atom {
	uint8_t set[32];
	uint8_t n;
};

/* One glob label: fixed head atoms, an optional '*', fixed tail atoms. */
struct glabel {
	uint32_t atom;	/* head atoms first, then tail atoms */
	uint16_t nhead, ntail;
	uint16_t headw, tailw;	/* characters the head and tail consume */
	uint8_t star;
};

/* The compiled labels of every pattern of a database; a pattern owns a run of labels. */
struct globs {
	struct glabel *labels;
	size_t nlabels, caplabels;
	struct atom *atoms;
	size_t natoms, capatoms;
};

/* Characters a host name label may hold (after lowering). */
static inline int
is_hostchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* 1 when s[0..n) holds a wildcard character (one of *?[]{}), else 0. */
int glob_has_meta(const char *s, size_t n);
/*
 * Compile the dot-separated labels s[0..n) (lowered) into gs: *first is the first of them, *count how many.
 * Returns NULL, or why the glob is bad.
 */
const char *glob_compile(struct globs *gs, const char *s, size_t n, uint32_t *first, uint16_t *count);
/* 1 when s[0..n), the labels in front of a pattern's suffix, matches its count labels from first, else 0. */
int glob_match(const struct globs *gs, uint32_t first, uint16_t count, const unsigned char *s, size_t n);
/* Free what gs holds. */
void glob_free(struct globs *gs);

#endif
