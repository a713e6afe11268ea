/* csv: records split out of decoded bytes, RFC 4180 as the tools write
 * it. A record is parsed from its first byte each time: when the bytes
 * end inside it, the source is refilled (the record moved to the front)
 * and the record parsed again, so no state crosses a refill and the raw
 * record is always one slice. Fields are copied, already escaped, into
 * one row buffer, runs between stop bytes 16 bytes at a time; the stops
 * come from 64-byte windows of bit masks. See import.h. */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "import.h"
#include "util.h"

/* Grows the field index to hold n + 2 entries. */
static inline void fields_room(struct csv *c, size_t n)
{
	c->field = array_grow(c->field, &c->field_cap, n + 2, sizeof *c->field);
}

static void window_at(struct csv *c, const char *blk, const char *end)
{
	struct window *w = &c->win;
	uint64_t plain = 0, quoted = 0;
	unsigned high = 0;
#ifdef __SSE2__
	const __m128i sep = _mm_set1_epi8(c->sep), quote = _mm_set1_epi8('"'),
		      nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
		      tab = _mm_set1_epi8('\t'), bs = _mm_set1_epi8('\\');
	for (int k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(blk + 16 * k));
		__m128i q = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, nl)),
			_mm_or_si128(_mm_cmpeq_epi8(v, cr),
				     _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, bs))));
		quoted |= (uint64_t)(unsigned)_mm_movemask_epi8(q) << (16 * k);
		plain |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sep)) << (16 * k);
		high |= (unsigned)_mm_movemask_epi8(v);
	}
#else
	for (int k = 0; k < 64; k++) {
		char ch = blk[k];
		uint64_t bit = (uint64_t)1 << k;
		if (ch == '"' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\\')
			quoted |= bit;
		if (ch == c->sep)
			plain |= bit;
		high |= (unsigned char)ch >= 0x80;
	}
#endif
	plain |= quoted;
	if (end - blk < 64) {
		uint64_t stop = (uint64_t)1 << (end - blk);
		plain = (plain & (stop - 1)) | stop;
		quoted = (quoted & (stop - 1)) | stop;
	}
	w->blk = blk;
	w->plain = plain;
	w->quoted = quoted;
	w->high = high != 0;
}

/* The first stop at or after p (end when there is none). */
static inline const char *next_stop(struct csv *c, const char *p,
				    const char *end, int quoted, int *high)
{
	struct window *w = &c->win;
	for (;;) {
		size_t off = (size_t)(p - w->blk);
		if (off < 64) {
			uint64_t m = (quoted ? w->quoted : w->plain) >> off;
			if (m)
				return p + __builtin_ctzll(m);
			p = w->blk + 64;
		}
		if (p >= end)
			return end;
		window_at(c, p, end);
		*high |= w->high;
	}
}

/* Copies the run [p, q) to o (16 bytes at a time: both sides have room). */
static inline char *copy_run(char *o, const char *p, const char *q)
{
	size_t n = (size_t)(q - p);
#ifdef __SSE2__
	for (size_t i = 0; i < n; i += 16)
		_mm_storeu_si128((__m128i *)(void *)(o + i),
				 _mm_loadu_si128((const __m128i *)(const void *)(p + i)));
#else
	memcpy(o, p, n);
#endif
	return o + n;
}

enum parsed csv_parse(struct csv *c, const char *p, const char *end, int eof,
		       struct record *r)
{
	const char *begin = p;
	if (p == end)
		return eof ? NO_BYTES : NEED_MORE;
	struct buf *row = &c->row;
	buf_grow(row, 2 * (size_t)(end - p) + 64);
	if (!c->win.blk || p < c->win.blk || p >= c->win.blk + 64)
		window_at(c, p, end);
	r->high = c->win.high;
	r->lines = 0;
	r->fault = FAULT_NONE;
	r->maybe_na = 0;
	c->rec = row->len;
	char *base = row->p + row->len, *o = base, *field = o;
	size_t nf = 0;
	const char sep = c->sep;
	for (;;) { /* a field */
		fields_room(c, nf);
		c->field[nf++] = (size_t)(o - base);
		field = o;
		int quoted = p < end && *p == '"';
		p += quoted;
		for (;;) { /* a run, then the byte that stopped it */
			const char *q = next_stop(c, p, end, quoted, &r->high);
			o = copy_run(o, p, q);
			p = q;
			if (p == end) {
				if (!eof)
					return NEED_MORE;
				if (quoted)
					r->fault = FAULT_UNTERMINATED;
				r->rawlen = r->len = (size_t)(end - begin);
				goto done;
			}
		again:;
			char ch = *p;
			if (ch == '\t' && (sep != '\t' || quoted)) {
				*o++ = '\\', *o++ = 't', p++;
			} else if (ch == '\\') {
				*o++ = '\\', *o++ = '\\', p++;
			} else if (quoted) {
				if (ch == '"') {
					if (p + 1 == end && !eof)
						return NEED_MORE;
					if (p + 1 < end && p[1] == '"') {
						*o++ = '"';
						p += 2;
						continue;
					}
					/* closed: a separator or a line end follows */
					quoted = 0;
					if (++p == end)
						continue;
					if (*p == sep || *p == '\n' || *p == '\r')
						goto again;
					r->fault = FAULT_AFTER_QUOTE; /* read on as unquoted */
				} else if (ch == '\n') {
					*o++ = '\\', *o++ = 'n', p++;
					r->lines++;
				} else if (ch == '\r') {
					if (p + 1 == end && !eof)
						return NEED_MORE;
					*o++ = '\\', *o++ = 'r', p++;
					r->lines += p == end || *p != '\n';
				} else { /* cannot happen: no other stop inside quotes */
					*o++ = ch, p++;
				}
			} else if (ch == sep) {
				if (o - field <= (long)c->na_max && o > field &&
				    c->na_first[(unsigned char)*field])
					r->maybe_na = 1;
				*o++ = '\t';
				p++;
				break;
			} else if (ch == '"') { /* inside an unquoted field: literal */
				*o++ = ch, p++;
			} else { /* a line end: the record's end */
				const char *e = p;
				if (ch == '\r') {
					if (p + 1 == end && !eof)
						return NEED_MORE;
					p += p + 1 < end && p[1] == '\n';
				}
				p++;
				r->lines++;
				r->rawlen = (size_t)(e - begin);
				r->len = (size_t)(p - begin);
				goto done;
			}
		}
	}
done:
	if (o - field <= (long)c->na_max && o > field && c->na_first[(unsigned char)*field])
		r->maybe_na = 1;
	*o++ = '\t';
	c->field[nf] = (size_t)(o - base);
	r->nfields = nf;
	row->len += (size_t)(o - base);
	r->blank = r->rawlen == 0;
	return PARSED;
}

enum record_status csv_next(struct csv *c, struct source *s, struct record *r)
{
	for (;;) {
		c->row.len = 0;
		enum parsed st = csv_parse(c, s->buf + s->start, s->buf + s->end,
					   s->eof, r);
		if (st != NEED_MORE)
			return st == PARSED ? REC_OK : REC_EOF;
		source_fill(s);
		c->win.blk = NULL; /* the bytes have moved */
	}
}

char csv_detect_separator(struct source *s)
{
	for (;;) {
		const char *p = s->buf + s->start, *e = s->buf + s->end;
		int quoted = 0;
		size_t count[4] = { 0 };
		static const char seps[4] = { ',', ';', '\t', '|' };
		for (; p < e; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (!quoted && (*p == '\n' || *p == '\r'))
				break;
			else if (!quoted)
				for (int k = 0; k < 4; k++)
					count[k] += *p == seps[k];
		}
		if (p == e && !s->eof) {
			source_fill(s);
			continue;
		}
		int best = 0;
		for (int k = 1; k < 4; k++)
			if (count[k] > count[best])
				best = k;
		return seps[best];
	}
}

void csv_free(struct csv *c)
{
	buf_free(&c->row);
	free(c->field);
	c->field = NULL;
	c->field_cap = 0;
}
