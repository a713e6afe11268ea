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

/* The picking for want spans, a constant where it is inlined (PICK's
 * switch), so that the spans' loop is unrolled and their columns stay in
 * registers: each instruction here runs for every row. */
TARGET static inline __attribute__((always_inline)) size_t
PICK_N(struct tsv_reader *r, struct tsv_picks *s, const size_t want)
{
	const char *p = r->next_row, *end = r->rows_end;
	const size_t seps = r->ncols; /* TABs, and the newline */
	const char *header = r->header.p;
	const size_t hlen = r->header.len;
	size_t n = 0;
	s->first_line = r->next_line;
	if (p == end || end - p < 128 || !r->has_header)
		return 0; /* nothing read yet (NULLs), or nothing to pick */
	uint64_t head8 = 0; /* the header's first 8 bytes, to rule it out */
	memcpy(&head8, header, hlen < 8 ? hlen : 8);
	/* a span is from after its (first - 1)-th separator, or from the
	 * row's start (from_mask 0), to its last-th separator: the TAB after
	 * it, or the newline, counted as the last separator */
	size_t from_k[TSV_PICK_SPANS], from_mask[TSV_PICK_SPANS], to_k[TSV_PICK_SPANS];
#pragma GCC unroll 4
	for (size_t k = 0; k < want; k++) {
		from_mask[k] = -(size_t)(s->first[k] > 0);
		from_k[k] = (s->first[k] - 1) & from_mask[k];
		to_k[k] = s->last[k];
	}
	const char *last_start = end - 128;
	while (n < TSV_PICK_ROWS && p <= last_start) {
		/* 128 bytes at once, whatever the row's length: a branch on
		 * "over 64 bytes" is one the data mispredicts; and masks, not
		 * ?:, which a compiler may make a branch */
		uint64_t t0, n0, t1, n1;
		SEPARATORS(p, &t0, &n0);
		SEPARATORS(p + 64, &t1, &n1);
		const uint64_t second = -(uint64_t)(n0 == 0); /* no newline in the first 64 */
		size_t len = TZ(n0) + (TZ(n1) & second);
		const uint64_t end0 = n0 & -n0, end1 = n1 & -n1 & second;
		t0 = (t0 & (end0 - 1)) | end0; /* the TABs, then the newline */
		t1 = ((t1 & (end1 - 1)) | end1) & second;
		size_t low = (size_t)__builtin_popcountll(t0);
		if (len == 128 || low + (size_t)__builtin_popcountll(t1) != seps ||
		    p[len - (len > 0)] == '\r')
			break; /* 128 bytes or more, not as wide as the header, a CR */
		uint64_t first8;
		memcpy(&first8, p, 8);
		if ((len == hlen && (hlen < 8 || first8 == head8) &&
		     memcmp(p, header, hlen) == 0) ||
		    (len == hlen + 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 &&
		     memcmp(p + 3, header, hlen) == 0))
			break;
#pragma GCC unroll 4
		for (size_t k = 0; k < want; k++) {
			size_t from = (1 + KTH128(t0, t1, low, from_k[k])) & from_mask[k];
			size_t to = KTH128(t0, t1, low, to_k[k]);
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

TARGET static size_t PICK(struct tsv_reader *r, struct tsv_picks *s)
{
	switch (s->nspans) {
	case 1:
		return PICK_N(r, s, 1);
	case 2:
		return PICK_N(r, s, 2);
	case 3:
		return PICK_N(r, s, 3);
	case 4:
		return PICK_N(r, s, 4);
	default:
		return PICK_N(r, s, 0);
	}
}
