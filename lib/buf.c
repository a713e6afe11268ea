#include "buf.h"

void *array_grow_slow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c = c > (size_t)-1 / 2 ? need : c * 2;
	if (size && c > (size_t)-1 / size)
		die(EX_SOFTWARE_, "out of memory (%zu elements of %zu bytes)", need, size);
	p = xrealloc(p, c * size);
	*cap = c;
	return p;
}
