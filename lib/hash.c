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
static uint64_t tail_word(const unsigned char *p, size_t n)
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

uint64_t hash_bytes(const void *key, size_t n)
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
	uint64_t *hashes = calloc(slots, sizeof *hashes);
	uint32_t *ids = xmalloc(slots * sizeof *ids);
	if (!hashes)
		die(EX_SOFTWARE_, "out of memory (%zu slots)", slots);
	for (size_t i = 0; i < h->slots; i++) {
		if (!h->hashes[i])
			continue;
		size_t j = h->hashes[i] & (slots - 1);
		while (hashes[j])
			j = (j + 1) & (slots - 1);
		hashes[j] = h->hashes[i];
		ids[j] = h->ids[i];
	}
	free(h->hashes);
	free(h->ids);
	h->hashes = hashes;
	h->ids = ids;
	h->slots = slots;
	h->keys = xrealloc(h->keys, slots / 2 * sizeof *h->keys);
	h->lens = xrealloc(h->lens, slots / 2 * sizeof *h->lens);
}

size_t hash_intern(struct hash *h, const void *key, size_t n, int *added)
{
	if (h->count >= h->slots / 2)
		grow(h);
	uint64_t hv = hash_bytes(key, n);
	size_t j = hv & (h->slots - 1);
	while (h->hashes[j]) {
		if (h->hashes[j] == hv) {
			uint32_t id = h->ids[j];
			if (h->lens[id] == n && memcmp(h->keys[id], key, n) == 0) {
				*added = 0;
				return id;
			}
		}
		j = (j + 1) & (h->slots - 1);
	}
	if (h->count >= UINT32_MAX)
		die(EX_SOFTWARE_, "more than %u distinct keys", UINT32_MAX);
	size_t id = h->count++;
	h->hashes[j] = hv;
	h->ids[j] = (uint32_t)id;
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
	free(h->hashes);
	free(h->ids);
	free(h->keys);
	free(h->lens);
	memset(h, 0, sizeof *h);
}
