/* hash: a table from byte strings to small integer ids (0, 1, 2, ... in
 * order of first insertion). The table copies each key once into its own
 * arena and owns it; ids index the caller's own arrays. Grows by doubling:
 * memory is proportional to the number of distinct keys. */
#ifndef NPS_HASH_H
#define NPS_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_slot {
	uint64_t hash; /* the key's hash; 0: an empty slot */
	uint32_t id, len; /* len: the low 32 bits (lens[id] is the whole) */
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
/* The key's id; inserts it first if absent (then *added = 1). */
size_t hash_intern(struct hash *h, const void *key, size_t n, int *added);
void hash_free(struct hash *h);

#endif
