/* tsv-pick: the body of tsv_pick (tsv.h), private to tsv-split.c, which
 * includes it once per instruction set with
 *	PICK        the function's name,
 *	TARGET      its attributes (the instruction set),
 *	SEPARATORS  as for tsv-advance.h: the TABs and newlines of 64 bytes,
 *	KTH         KTH(m, k): the position of the k-th set bit of m (from
 *	            0); 64 when m has k bits or fewer,
 *	TZ          TZ(m): the number of trailing zeros; 64 for 0.
 *
 * A row is taken when it is plain: a newline within its first 128 bytes,
 * as many TABs as the header has, no CR before the newline, not the
 * header again. Its TAB bits (two words) give each wanted field's ends
 * directly, the k-th TAB, with no array of all the fields made and no
 * call per row. The first row that is not plain, or one that starts
 * fewer than 128 bytes before the batch's end (so that the two loads stay
 * inside the batch), ends the call: tsv_next reads it, in full. */

/* The k-th TAB of the row's 128 bytes, low of them among the first 64
 * (a column's TAB is on the same side in most rows: the branch is
 * predicted; computing both sides, without it, was slower). */
#define KTH128(t0, t1, low, k)                                             \
	((k) < (low) ? KTH(t0, k) : 64 + KTH(t1, ((k) - (low)) & 63))

TARGET static size_t PICK(struct tsv_reader *r, struct tsv_picks *s)
{
	const char *p = r->next_row, *end = r->rows_end;
	const size_t tabs_wanted = r->ncols - 1, want = s->nspans;
	const char *header = r->header.p;
	const size_t hlen = r->header.len;
	size_t n = 0;
	s->first_line = r->next_line;
	if (p == end || end - p < 128 || !r->has_header)
		return 0; /* nothing read yet (NULLs), or nothing to pick */
	uint64_t head8 = 0; /* the header's first 8 bytes, to rule it out */
	memcpy(&head8, header, hlen < 8 ? hlen : 8);
	while (n < TSV_PICK_ROWS && end - p >= 128) {
		/* 128 bytes at once, whatever the row's length: a branch on
		 * "over 64 bytes" is one the data mispredicts */
		uint64_t t0, n0, t1, n1;
		SEPARATORS(p, &t0, &n0);
		SEPARATORS(p + 64, &t1, &n1);
		/* the second word counts only when the first has no newline:
		 * masks, not ?:, which a compiler may make a branch */
		const uint64_t second = -(uint64_t)(n0 == 0);
		size_t len = TZ(n0) + (TZ(n1) & second);
		t0 &= (n0 & -n0) - 1; /* all of them when no newline */
		t1 &= ((n1 & -n1) - 1) & second;
		size_t low = (size_t)__builtin_popcountll(t0);
		if (len == 128 || low + (size_t)__builtin_popcountll(t1) != tabs_wanted ||
		    p[len - (len > 0)] == '\r')
			break;
		uint64_t first8;
		memcpy(&first8, p, 8);
		if ((len == hlen && (hlen < 8 || first8 == head8) &&
		     memcmp(p, header, hlen) == 0) ||
		    (len == hlen + 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 &&
		     memcmp(p + 3, header, hlen) == 0))
			break;
		for (size_t k = 0; k < want; k++) {
			size_t first = s->first[k], last = s->last[k], from = 0, to = len;
			if (first > 0) /* after the first-th TAB (counting from 1) */
				from = 1 + KTH128(t0, t1, low, first - 1);
			if (last < tabs_wanted) /* before the TAB after the last */
				to = KTH128(t0, t1, low, last);
			s->f[n][k].p = p + from;
			s->f[n][k].n = to - from;
		}
		s->row[n++] = p;
		p += len + 1;
	}
	r->next_row = p;
	r->next_line += n;
	return n;
}
