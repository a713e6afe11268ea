/* hash: a table from byte strings to small integer ids (0, 1, 2, ... in
 * order of first insertion). The table copies each key once into its own
 * arena and owns it; ids index the caller's own arrays. Grows by doubling:
 * memory is proportional to the number of distinct keys. */
#ifndef NPS_HASH_H
#define NPS_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hash_slot {
	/* a key of up to 8 bytes: the key itself, as hash.c packs it into a
	 * word (so that a probe compares it here, without reading the key);
	 * a longer one: its hash */
	uint64_t tag;
	uint32_t id;
	uint32_t len1; /* the key's length's low 31 bits + 1; 0: empty */
};

struct hash {
	struct hash_slot *slot; /* a probe reads one of these, not three arrays */
	size_t slots, count;
	char **keys;      /* per id: the copied key */
	size_t *lens;     /* per id: its length */
	char *arena;      /* key storage, in chunks */
	size_t arena_left;
	char **chunks;
	size_t nchunks;
};

uint64_t hash_bytes(const void *p, size_t n);

/* The last n < 8 bytes as one word, with at most three loads; every byte
 * has a place in it, so for a given n the word is the bytes. */
static inline __attribute__((always_inline)) uint64_t
hash_tail_word(const unsigned char *p, size_t n)
{
	uint32_t a, b;
	if (n >= 4) {
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		return (uint64_t)a << 32 | b;
	}
	if (n == 0)
		return 0;
	return (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
}

/* Keys of up to 8 bytes, the rule (a store, a region, a code), are
 * packed into a word (the slot's tag: a probe compares it without
 * reading the key) and hashed with one multiplication, the high and low
 * halves of its 128-bit product folded together. */
enum { HASH_SHORT_KEY = 8 };
static inline uint64_t hash_short_word(const void *key, size_t n)
{
	uint64_t w;
	if (n == 8) {
		memcpy(&w, key, 8);
		return w;
	}
	return hash_tail_word(key, n);
}
static inline uint64_t hash_short_hash(uint64_t w, size_t n)
{
	unsigned __int128 m = (unsigned __int128)(w ^ 0x9e3779b97f4a7c15ULL) *
			      (0xd6e8feb86659fd93ULL ^ n);
	/* the halves taken apart before they are folded: written as one
	 * expression, GCC 12 put the product on the stack and read it back,
	 * in the middle of every lookup */
	uint64_t lo = (uint64_t)m, hi = (uint64_t)(m >> 64);
	__asm__("" : "+r"(lo), "+r"(hi));
	return lo ^ hi;
}

/* The key's id; inserts it first if absent (then *added = 1). A short key
 * already there, the common case, is found inline. */
size_t hash_intern_slow(struct hash *h, const void *key, size_t n, int *added);
static inline size_t hash_intern(struct hash *h, const void *key, size_t n,
				 int *added)
{
	if (n <= HASH_SHORT_KEY && h->slots) {
		uint64_t w = hash_short_word(key, n);
		size_t mask = h->slots - 1, j = hash_short_hash(w, n) & mask;
		for (const struct hash_slot *s; (s = &h->slot[j])->len1;
		     j = (j + 1) & mask) {
			if (s->tag == w && s->len1 == n + 1) {
				*added = 0;
				return s->id;
			}
		}
	}
	return hash_intern_slow(h, key, n, added);
}
void hash_free(struct hash *h);

#endif
