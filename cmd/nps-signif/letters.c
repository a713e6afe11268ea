#include <stdlib.h>
#include <string.h>

#include "letters.h"
#include "out.h"
#include "util.h"

void bits_init(struct bits *b, size_t k)
{
	b->words = (k + 63) / 64;
	size_t n = (k ? k : 1) * b->words * sizeof *b->w;
	b->w = xmalloc(n);
	memset(b->w, 0, n);
}

void bits_free(struct bits *b)
{
	free(b->w);
	b->w = NULL;
}

void tiers_assign(const struct bits *same, size_t k, size_t *tier)
{
	memset(tier, 0, k * sizeof *tier);
	size_t t = 0;
	for (size_t i = 0; i < k; i++) {
		if (tier[i])
			continue;
		tier[i] = ++t;
		for (size_t j = i + 1; j < k; j++)
			if (!tier[j] && bit(same, i, j))
				tier[j] = t;
	}
}

static int has(const uint64_t *set, size_t i) { return set[i / 64] >> (i % 64) & 1; }

/* A letter while letters are sorted: its set and the set's length. */
struct letter_ref {
	uint64_t *set;
	size_t words;
};

/* The set holding the best-ranked key that only one of them holds first. */
static int by_best_member(const void *x, const void *y)
{
	const struct letter_ref *a = x, *b = y;
	for (size_t w = 0; w < a->words; w++) {
		uint64_t d = a->set[w] ^ b->set[w];
		if (d)
			return (a->set[w] & d & -d) ? -1 : 1;
	}
	return 0;
}

static void letters_sort(struct letters *L)
{
	struct letter_ref *v = xmalloc((L->count ? L->count : 1) * sizeof *v);
	for (size_t s = 0; s < L->count; s++)
		v[s] = (struct letter_ref){ L->sets[s], L->words };
	qsort(v, L->count, sizeof *v, by_best_member);
	for (size_t s = 0; s < L->count; s++)
		L->sets[s] = v[s].set;
	free(v);
}

static uint64_t *letter_add(struct letters *L)
{
	if (L->count == L->cap) {
		L->cap = L->cap ? 2 * L->cap : 8;
		L->sets = xrealloc(L->sets, L->cap * sizeof *L->sets);
	}
	uint64_t *set = xmalloc(L->words * sizeof *set);
	memset(set, 0, L->words * sizeof *set);
	return L->sets[L->count++] = set;
}

/* Built greedily: for each pair in rank order that does not differ and
 * shares no letter yet, a letter with both, grown by the best-ranked key
 * that differs from none of its members until none is left (a maximal
 * set); a key that differs from every other gets a letter of its own. The
 * work is O(k^2) bit operations per 64 keys and letter, instead of insert
 * and absorb's pass over every letter for each differing pair. */
void letters_build(struct letters *L, const struct bits *same, size_t k)
{
	size_t W = L->words = same->words;
	struct bits covered;
	bits_init(&covered, k);
	uint64_t *cand = xmalloc(W * sizeof *cand);
	size_t *members = xmalloc(k * sizeof *members);
	for (size_t i = 0; i < k; i++) {
		for (size_t j = i + 1; j < k; j++) {
			if (!bit(same, i, j) || bit(&covered, i, j))
				continue;
			uint64_t *set = letter_add(L);
			size_t n = 0;
			for (size_t w = 0; w < W; w++)
				cand[w] = same->w[i * W + w] & same->w[j * W + w];
			for (size_t at = 0; at < W; at++)
				while (cand[at]) {
					size_t l = at * 64 + (size_t)__builtin_ctzll(cand[at]);
					members[n++] = l;
					set[l / 64] |= (uint64_t)1 << (l % 64);
					for (size_t w = 0; w < W; w++)
						cand[w] &= same->w[l * W + w] & ~set[w];
				}
			for (size_t a = 0; a < n; a++) /* every pair of the letter */
				for (size_t w = 0; w < W; w++)
					covered.w[members[a] * W + w] |= set[w];
		}
		if (!bit(&covered, i, i)) /* in no letter: one of its own */
			letter_add(L)[i / 64] |= (uint64_t)1 << (i % 64);
	}
	free(members);
	free(cand);
	bits_free(&covered);
	letters_sort(L);
}

void letters_put(const struct letters *L, size_t i)
{
	static const char alphabet[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	int numbered = L->count > sizeof alphabet - 1, first = 1;
	for (size_t l = 0; l < L->count; l++) {
		if (!has(L->sets[l], i))
			continue;
		if (!numbered) {
			out_char(alphabet[l]);
			continue;
		}
		if (!first)
			out_char(',');
		writer_u64(&out, l + 1);
		first = 0;
	}
}

void letters_free(struct letters *L)
{
	for (size_t s = 0; s < L->count; s++)
		free(L->sets[s]);
	free(L->sets);
}
