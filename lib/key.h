/* key: a row's group key -- the fields of the group columns joined by
 * TAB -- as nps-agg and nps-drivers hash their groups. The key is a slice
 * of the row itself when the columns are adjacent and in order (no copy),
 * else of the caller's scratch buffer; either way valid until the next
 * row is read or scratch is used again. No state. */
#ifndef NPS_KEY_H
#define NPS_KEY_H

#include "buf.h"
#include "slice.h"

/* Whether fields cols[0..n) lie side by side in a row, in this order:
 * then their key is the row's own bytes from the first to the last. */
static inline int key_in_place(const size_t *cols, size_t n)
{
	for (size_t g = 1; g < n; g++)
		if (cols[g] != cols[g - 1] + 1)
			return 0;
	return n > 0;
}

/* fields[cols[0]] TAB fields[cols[1]] ...; in_place as key_in_place gives
 * (a program computes it once, before its row loop). */
static inline struct slice key_of_row(const struct slice *fields, const size_t *cols,
				      size_t n, int in_place, struct buf *scratch)
{
	if (in_place) {
		struct slice first = fields[cols[0]], last = fields[cols[n - 1]];
		return (struct slice){ first.p, (size_t)(last.p + last.n - first.p) };
	}
	scratch->len = 0;
	for (size_t g = 0; g < n; g++) {
		if (g)
			buf_addc(scratch, '\t');
		buf_add(scratch, fields[cols[g]].p, fields[cols[g]].n);
	}
	return (struct slice){ n ? scratch->p : "", scratch->len };
}

#endif
