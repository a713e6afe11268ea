/* tsv-advance: the body of the row splitter, private to tsv-split.c,
 * which includes it once per instruction set with
 *	ADVANCE     the function's name,
 *	TARGET      its attributes (the instruction set),
 *	SEPARATORS  SEPARATORS(p, &tabs, &nl): the TABs and the newlines
 *	            among the 64 bytes at p, as bits (byte i: bit i),
 *	FIELDS      o = FIELDS(o, c, tabs, &field): the fields that end at
 *	            the TABs of the 64 bytes at c, the first starting at
 *	            field, stored from o on (at most 64 more slices may be
 *	            written); returns past the last, field past its TAB.
 *
 * It splits the next line of the batch into r->row and r->fields, 64
 * bytes at a time from the row's start (the batch's buffer has 64
 * readable bytes past its end, tsv.c's SLACK; the bits past it are
 * masked off). A row shorter than that is one step, and its TABs one
 * loop as long as the row is wide, which the branch predictor learns.
 * The TABs before the first newline are the bits below it:
 * (nl & -nl) - 1, which is all of them when there is no newline. */

TARGET static void ADVANCE(struct tsv_reader *r)
{
	const char *field = r->next_row, *end = r->rows_end, *q;
	/* o: the next field; room: the last o with room for a step's
	 * fields, and the line's last */
	struct slice *f = r->field_buf, *o = f, *room = f + r->field_cap - 66;
	for (const char *c = field;; c += 64) {
		if (o > room) {
			size_t nf = (size_t)(o - f);
			f = tsv_grow_fields(r, nf + 66);
			o = f + nf;
			room = f + r->field_cap - 66;
		}
		uint64_t tabs, nl;
		SEPARATORS(c, &tabs, &nl);
		size_t left = (size_t)(end - c);
		if (left < 64) {
			uint64_t in = ((uint64_t)1 << left) - 1;
			tabs &= in, nl &= in;
		}
		tabs &= (nl & -nl) - 1;
		if (tabs)
			o = FIELDS(o, c, tabs, &field);
		if (nl) {
			q = c + (unsigned)__builtin_ctzll(nl);
			r->next_row = q + 1;
			break;
		}
		if (left <= 64) {
			q = r->next_row = end;
			break;
		}
	}
	/* the last field, without the CR of a CRLF; without a branch, as
	 * whether it is empty is up to the data (*q is readable: the
	 * newline, or at the end a byte of the slack) */
	size_t n = (size_t)(q - field), some = n > 0;
	o->p = field;
	o->n = n - (some & (q[-(ptrdiff_t)some] == '\r'));
	o++;
	r->fields = f;
	r->nfields = (size_t)(o - f);
	r->row.p = f[0].p;
	r->row.n = (size_t)(q - f[0].p) - (n - o[-1].n);
	r->line = r->next_line++;
}
