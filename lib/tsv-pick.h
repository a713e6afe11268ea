/* tsv-pick: the body of tsv_pick (tsv.h), private to tsv-split.c, which
 * includes it once per instruction set with
 *	PICK, PICK_N, PICK_ROW  the functions' names,
 *	TARGET      their attributes (the instruction set),
 *	SEPARATORS  as for tsv-advance.h: the TABs and newlines of 64 bytes,
 *	KTH         KTH(m, k): the position of the k-th set bit of m (from
 *	            0); 64 when m has k bits or fewer,
 *	TZ          TZ(m): the number of trailing zeros; 64 for 0.
 *
 * A row is taken when it is plain: a newline within its first 128 bytes,
 * as many TABs as the header has, no CR before the newline, not the
 * header again. Its TAB bits (two words) give each wanted span's ends
 * directly, the k-th TAB, with no array of all the fields made and no
 * call per row. The first row that is not plain, or one that starts
 * fewer than 128 bytes before the batch's end (so that the two loads stay
 * inside the batch), ends the call: tsv_next reads it, in full.
 *
 * Where the next row starts is known only once this one's newline is
 * found: a chain of a load, a compare and a count per row, which alone
 * took more time than the rest of the row's work. So a call walks two
 * chains at once, its first rows and the rows from about half way on
 * (where the previous calls' rows say half of TSV_PICK_ROWS rows end),
 * one row of each in turn: the processor overlaps them. The first chain
 * must then arrive exactly at the second's start, through plain rows, or
 * the second's rows are dropped (and read again by the next call). */

/* The k-th TAB of the row's 128 bytes, low of them among the first 64
 * (a column's TAB is on the same side in most rows: the branch is
 * predicted; computing both sides, without it, was slower). */
#define KTH128(t0, t1, low, k)                                             \
	((k) < (low) ? KTH(t0, k) : 64 + KTH(t1, ((k) - (low)) & 63))

/* What every row of a call is checked against and cut by (a type per
 * inclusion, named as its function). A span is from
 * after its (first - 1)-th separator, or from the row's start (from_mask
 * 0), to its last-th separator: the TAB after it, or the newline, counted
 * as the last separator. */
struct PICK_ROW {
	size_t seps; /* the header's TABs, and the newline */
	const struct tsv_reader *r;
	size_t hlen; /* a row this long, or 3 more (a BOM), may be the header */
	size_t from_k[TSV_PICK_SPANS], from_mask[TSV_PICK_SPANS], to_k[TSV_PICK_SPANS];
};

/* The row at p: 1 and its spans in f, or 0 when it is not plain; its
 * length in *len either way. Inlined with want constant: the spans'
 * loop unrolled, each instruction here runs for every row. */
TARGET static inline __attribute__((always_inline)) int
PICK_ROW(const struct PICK_ROW *c, const char *p, size_t *len,
	 struct slice *f, const size_t want)
{
	/* 128 bytes at once, whatever the row's length: a branch on "over
	 * 64 bytes" is one the data mispredicts; and masks, not ?:, which a
	 * compiler may make a branch */
	uint64_t t0, n0, t1, n1;
	SEPARATORS(p, &t0, &n0);
	SEPARATORS(p + 64, &t1, &n1);
	const uint64_t second = -(uint64_t)(n0 == 0); /* no newline in the first 64 */
	const size_t n = TZ(n0) + (TZ(n1) & second);
	const uint64_t end0 = n0 & -n0, end1 = n1 & -n1 & second;
	t0 = (t0 & (end0 - 1)) | end0; /* the TABs, then the newline */
	t1 = ((t1 & (end1 - 1)) | end1) & second;
	const size_t low = (size_t)__builtin_popcountll(t0);
	*len = n;
	if (n == 128 || low + (size_t)__builtin_popcountll(t1) != c->seps ||
	    p[n - (n > 0)] == '\r')
		return 0; /* 128 bytes or more, not as wide as the header, a CR */
	if ((n == c->hlen || n == c->hlen + 3) &&
	    tsv_is_header_line(c->r, (struct slice){ p, n }))
		return 0; /* the header again: tsv_next skips it */
#pragma GCC unroll 4
	for (size_t k = 0; k < want; k++) {
		size_t from = (1 + KTH128(t0, t1, low, c->from_k[k])) & c->from_mask[k];
		size_t to = KTH128(t0, t1, low, c->to_k[k]);
		f[k].p = p + from;
		f[k].n = to - from;
	}
	return 1;
}

/* The picking for want spans, a constant where it is inlined (PICK's
 * switch). */
TARGET static inline __attribute__((always_inline)) size_t
PICK_N(struct tsv_reader *r, struct tsv_picks *s, const size_t want)
{
	enum { HALF = TSV_PICK_ROWS / 2 };
	const char *const start = r->next_row, *end = r->rows_end;
	const char *p = start;
	size_t n = 0, len;
	s->first_line = r->next_line;
	if (p == end || end - p < 128 || !r->has_header)
		return 0; /* nothing read yet (NULLs), or nothing to pick */
	struct PICK_ROW c = { r->ncols, r, r->header.len, { 0 }, { 0 }, { 0 } };
#pragma GCC unroll 4
	for (size_t k = 0; k < want; k++) {
		c.from_mask[k] = -(size_t)(s->first[k] > 0);
		c.from_k[k] = (s->first[k] - 1) & c.from_mask[k];
		c.to_k[k] = s->last[k];
	}
	const char *const last_start = end - 128;
	/* the second chain: from the first row after where 7/8 of HALF rows
	 * of the average length end, so that the first chain most often
	 * arrives within HALF rows, then the second goes on alone */
	size_t ahead = HALF * (s->row_bytes ? s->row_bytes : 64) * 7 / 8;
	const char *b = NULL;
	if ((size_t)(last_start - p) > ahead + 1024) {
		b = memchr(p + ahead, '\n', 1024);
		b = b ? b + 1 : NULL;
	}
	if (b) {
		const char *const b_start = b;
		size_t na = 0, nb = 0, lb;
		int a_ok = 1, b_ok = 1;
		/* a's rows go to [0, HALF), b's to [HALF, ...) */
		while (na < HALF && nb < HALF && p < b_start && b <= last_start) {
			a_ok = PICK_ROW(&c, p, &len, s->f[na], want);
			b_ok = PICK_ROW(&c, b, &lb, s->f[HALF + nb], want);
			if (a_ok) {
				s->row[na++] = p;
				p += len + 1;
			}
			if (b_ok) {
				s->row[HALF + nb++] = b;
				b += lb + 1;
			}
			if (!(a_ok & b_ok))
				break;
		}
		while (a_ok && na < HALF && p < b_start) {
			a_ok = PICK_ROW(&c, p, &len, s->f[na], want);
			if (a_ok) {
				s->row[na++] = p;
				p += len + 1;
			}
		}
		n = na;
		if (p == b_start) { /* a met b: b's rows follow a's */
			if (na < HALF) {
				memmove(s->f[na], s->f[HALF], nb * sizeof s->f[0]);
				memmove(&s->row[na], &s->row[HALF], nb * sizeof s->row[0]);
			}
			n += nb;
			p = b;
			while (b_ok && n < TSV_PICK_ROWS && p <= last_start) {
				b_ok = PICK_ROW(&c, p, &len, s->f[n], want);
				if (b_ok) {
					s->row[n++] = p;
					p += len + 1;
				}
			}
		}
	} else {
		while (n < TSV_PICK_ROWS && p <= last_start &&
		       PICK_ROW(&c, p, &len, s->f[n], want)) {
			s->row[n++] = p;
			p += len + 1;
		}
	}
	if (n > 0)
		s->row_bytes = (size_t)(p - start) / n;
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
