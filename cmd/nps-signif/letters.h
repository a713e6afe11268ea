/* letters: nps-signif's tiers and compact letter display (--tiers), from
 * which pairs of ranked keys do not differ significantly. Keys are their
 * ranks 0..k-1 (best first). No state of its own: struct bits and struct
 * letters own their arrays until bits_free / letters_free. */
#ifndef NPS_SIGNIF_LETTERS_H
#define NPS_SIGNIF_LETTERS_H

#include <stddef.h>
#include <stdint.h>

/* Rows of bits over the ranked keys: bit j of row i. */
struct bits {
	uint64_t *w;
	size_t words; /* per row */
};

/* k rows of k bits, every one clear. */
void bits_init(struct bits *b, size_t k);
void bits_free(struct bits *b);

static inline int bit(const struct bits *b, size_t i, size_t j)
{
	return b->w[i * b->words + j / 64] >> (j % 64) & 1;
}

static inline void bit_set(struct bits *b, size_t i, size_t j)
{
	b->w[i * b->words + j / 64] |= (uint64_t)1 << (j % 64);
}

/* tier[i] of each of the k keys, 1 up, given same (bit j of row i when
 * keys i and j do not differ): from the top, the best key left and every
 * key left that does not differ from it. */
void tiers_assign(const struct bits *same, size_t k, size_t *tier);

/* Compact letter display: each letter is a set of keys no two of which
 * differ, every pair that does not differ shares one, and letters go in
 * the order of their best-ranked member. */
struct letters {
	uint64_t **sets; /* bit i of a set: key of rank i */
	size_t count, cap, words;
};

/* The letters of the k keys, from same as above (each key with itself). */
void letters_build(struct letters *L, const struct bits *same, size_t k);
/* Writes key i's letters to out: "ac", or past 52 letters their numbers
 * "1,3". */
void letters_put(const struct letters *L, size_t i);
void letters_free(struct letters *L);

#endif
