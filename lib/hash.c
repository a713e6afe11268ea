#include "hash.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

static inline __attribute__((always_inline)) uint64_t
hash_of(const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = mix(h ^ w);
		p += 8;
		n -= 8;
	}
	h = mix(h ^ hash_tail_word(p, n) ^ 0xa0761d6478bd642fULL);
	return h ? h : 1; /* never 0, as always: hash_bytes' values reach outputs */
}

uint64_t hash_bytes(const void *key, size_t n)
{
	return hash_of(key, n);
}

/* The slot index a key starts its probe at, and its tag. */
static inline uint64_t slot_hash(const void *key, size_t n, uint64_t *tag)
{
	if (n <= HASH_SHORT_KEY) {
		*tag = hash_short_word(key, n);
		return hash_short_hash(*tag, n);
	}
	return *tag = hash_of(key, n);
}

static char *arena_copy(struct hash *h, const void *key, size_t n)
{
	if (!h->arena || h->arena_left < n) {
		size_t size = n > (1 << 16) ? n : (1 << 16);
		h->chunks = xrealloc(h->chunks, (h->nchunks + 1) * sizeof *h->chunks);
		h->arena = h->chunks[h->nchunks++] = xmalloc(size);
		h->arena_left = size;
	}
	char *p = h->arena;
	if (n)
		memcpy(p, key, n);
	h->arena += n;
	h->arena_left -= n;
	return p;
}

static void grow(struct hash *h)
{
	size_t slots = h->slots ? h->slots * 2 : 1024;
	struct hash_slot *slot = calloc(slots, sizeof *slot);
	if (!slot)
		die(EX_SOFTWARE_, "out of memory (%zu slots)", slots);
	for (size_t i = 0; i < h->slots; i++) {
		const struct hash_slot *s = &h->slot[i];
		if (!s->len1)
			continue;
		size_t n = h->lens[s->id];
		uint64_t hv = n <= HASH_SHORT_KEY ? hash_short_hash(s->tag, n) : s->tag;
		size_t j = hv & (slots - 1);
		while (slot[j].len1)
			j = (j + 1) & (slots - 1);
		slot[j] = *s;
	}
	free(h->slot);
	h->slot = slot;
	h->slots = slots;
	h->keys = xrealloc(h->keys, slots / 2 * sizeof *h->keys);
	h->lens = xrealloc(h->lens, slots / 2 * sizeof *h->lens);
}

/* memcmp, without a call for the short keys that are the rule. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	while (n >= 8) {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return 0;
		a += 8, b += 8, n -= 8;
	}
	return hash_tail_word((const unsigned char *)a, n) ==
	       hash_tail_word((const unsigned char *)b, n);
}

size_t hash_intern_slow(struct hash *h, const void *key, size_t n, int *added)
{
	if (h->count >= h->slots / 2)
		grow(h);
	uint64_t tag, hv = slot_hash(key, n, &tag);
	uint32_t len1 = (uint32_t)(n & 0x7fffffff) + 1;
	size_t mask = h->slots - 1, j = hv & mask;
	for (struct hash_slot *s; (s = &h->slot[j])->len1; j = (j + 1) & mask) {
		if (s->tag == tag && s->len1 == len1 &&
		    (n <= HASH_SHORT_KEY || (h->lens[s->id] == n &&
					same_bytes(h->keys[s->id], key, n)))) {
			*added = 0;
			return s->id;
		}
	}
	/* 2^32 keys take more than 128 GiB of slots alone: memory runs out
	 * first, so this is not a limit short of memory. */
	if (h->count >= UINT32_MAX)
		die(EX_SOFTWARE_, "out of memory (more than %u distinct keys)", UINT32_MAX);
	size_t id = h->count++;
	h->slot[j] = (struct hash_slot){ tag, (uint32_t)id, len1 };
	h->keys[id] = arena_copy(h, key, n);
	h->lens[id] = n;
	*added = 1;
	return id;
}

void hash_free(struct hash *h)
{
	for (size_t i = 0; i < h->nchunks; i++)
		free(h->chunks[i]);
	free(h->chunks);
	free(h->slot);
	free(h->keys);
	free(h->lens);
	memset(h, 0, sizeof *h);
}
