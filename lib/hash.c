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

/* The last n < 8 bytes as one word, with at most three loads. */
static inline __attribute__((always_inline)) uint64_t
tail_word(const unsigned char *p, size_t n)
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
	h = mix(h ^ tail_word(p, n) ^ 0xa0761d6478bd642fULL);
	return h ? h : 1; /* 0 marks an empty slot */
}

uint64_t hash_bytes(const void *key, size_t n)
{
	return hash_of(key, n);
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
		if (!h->slot[i].hash)
			continue;
		size_t j = h->slot[i].hash & (slots - 1);
		while (slot[j].hash)
			j = (j + 1) & (slots - 1);
		slot[j] = h->slot[i];
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
	return tail_word((const unsigned char *)a, n) ==
	       tail_word((const unsigned char *)b, n);
}

size_t hash_intern(struct hash *h, const void *key, size_t n, int *added)
{
	if (h->count >= h->slots / 2)
		grow(h);
	uint64_t hv = hash_of(key, n);
	size_t mask = h->slots - 1, j = hv & mask;
	for (struct hash_slot *s; (s = &h->slot[j])->hash; j = (j + 1) & mask) {
		if (s->hash == hv && s->len == (uint32_t)n && h->lens[s->id] == n &&
		    same_bytes(h->keys[s->id], key, n)) {
			*added = 0;
			return s->id;
		}
	}
	/* 2^32 keys take more than 128 GiB of slots alone: memory runs out
	 * first, so this is not a limit short of memory. */
	if (h->count >= UINT32_MAX)
		die(EX_SOFTWARE_, "out of memory (more than %u distinct keys)", UINT32_MAX);
	size_t id = h->count++;
	h->slot[j] = (struct hash_slot){ hv, (uint32_t)id, (uint32_t)n };
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
