/* nps-import: a survey export (CSV as the tools write it, in UTF-8,
 * UTF-16, Latin-1, cp1252 or whatever iconv reads) into the TSV of
 * npskit(7): columns renamed and chosen, dates rewritten as ISO 8601 with
 * their offset, missing values made empty. Streams in constant memory.
 *
 * The input is read in big blocks and decoded into UTF-8 (straight into
 * the block when it is UTF-8 already). A record is parsed from its first
 * byte each time: when the block ends inside it, the block is refilled
 * with the record moved to its front and the record parsed again, so no
 * state crosses a block boundary and the raw record is always one slice
 * (for --rejects). Parsing writes each field, already escaped, into one
 * row buffer; a row that needs no change is written with one copy. */
#define _GNU_SOURCE /* tm_gmtoff */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <iconv.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "buf.h"
#include "date.h"
#include "num.h"
#include "out.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

#define BLOCK (1 << 20)
#define START (1 << 16) /* the first buffer's size */
/* Bytes kept free (and defined) after the decoded ones: the scanner reads
 * whole 64-byte windows and copies 16 bytes at a time past a run's end. */
#define SLACK 64

/* ---- decoding: any input encoding into UTF-8 ---- */

enum encoding { ENC_UTF8, ENC_LATIN1, ENC_CP1252, ENC_UTF16LE, ENC_UTF16BE,
		ENC_ICONV };

/* A byte that valid UTF-8 never holds: the decoders write it for each
 * unit that is not valid in the input's encoding, and the row that holds
 * it is rejected as not valid UTF-8 would be. */
#define BAD_UNIT 0xFF

struct source {
	int fd;
	const char *name;
	int eof;                 /* every byte of the input is decoded */
	char *buf;               /* decoded UTF-8: [start, end) not parsed yet */
	size_t cap, start, end;
	unsigned long line;      /* the physical line buf[start] is on */
	enum encoding enc;       /* this input's, after its byte-order mark */
	iconv_t cd;
	char *raw;               /* undecoded bytes, for every encoding but UTF-8 */
	size_t rawlen, rawcap;
	int raw_eof;
	int filled;              /* the last read filled the room it was given */
};

/* cp1252's 0x80..0x9F; 0 for the five bytes it leaves undefined. */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* Decodes s->raw into the free end of s->buf, as far as both go (every
 * unit writes at most 4 bytes), keeping an incomplete last unit. */
static void decode(struct source *s)
{
	const unsigned char *p = (const unsigned char *)s->raw;
	const unsigned char *e = p + s->rawlen;
	char *o = s->buf + s->end, *oe = s->buf + s->cap - SLACK;
	switch (s->enc) {
	case ENC_UTF8:
		break;
	case ENC_LATIN1:
	case ENC_CP1252:
		for (; p < e && o < oe; p++) {
			unsigned c = *p;
			if (c >= 0x80 && c < 0xA0 && s->enc == ENC_CP1252) {
				c = cp1252_high[c - 0x80];
				if (!c) {
					*o++ = (char)BAD_UNIT;
					continue;
				}
			}
			o = put_utf8(o, c);
		}
		break;
	case ENC_UTF16LE:
	case ENC_UTF16BE: {
		int be = s->enc == ENC_UTF16BE;
		while (e - p >= 2 && o < oe) {
			unsigned u = be ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
			if (u >= 0xD800 && u < 0xDC00) {
				if (e - p < 4) {
					if (!s->raw_eof)
						break;
					*o++ = (char)BAD_UNIT;
					p += 2;
					continue;
				}
				unsigned v = be ? (unsigned)p[2] << 8 | p[3] : (unsigned)p[3] << 8 | p[2];
				if (v >= 0xDC00 && v < 0xE000) {
					o = put_utf8(o, 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00));
					p += 4;
				} else {
					*o++ = (char)BAD_UNIT;
					p += 2;
				}
			} else if (u >= 0xDC00 && u < 0xE000) {
				*o++ = (char)BAD_UNIT;
				p += 2;
			} else {
				o = put_utf8(o, u);
				p += 2;
			}
		}
		if (e - p == 1 && s->raw_eof && o < oe) { /* an odd last byte */
			*o++ = (char)BAD_UNIT;
			p++;
		}
		break;
	}
	case ENC_ICONV:
		while (p < e && o < oe) {
			char *in = (char *)p, *outp = o;
			size_t inleft = (size_t)(e - p), outleft = (size_t)(oe - o);
			size_t k = iconv(s->cd, &in, &inleft, &outp, &outleft);
			int err = k == (size_t)-1 ? errno : 0;
			p = (const unsigned char *)in;
			o = outp;
			if (!err || err == E2BIG)
				break;
			if (err == EINVAL && !s->raw_eof)
				break; /* an incomplete sequence: wait for the rest */
			*o++ = (char)BAD_UNIT;
			p++;
			iconv(s->cd, NULL, NULL, NULL, NULL);
		}
		break;
	}
	s->rawlen = (size_t)(e - p);
	memmove(s->raw, p, s->rawlen);
	s->end = (size_t)(o - s->buf);
	if (s->raw_eof && s->rawlen == 0)
		s->eof = 1;
}

/* Reads into dst; 0 at the end of the input. Exits 74 on a read error. */
static size_t read_some(struct source *s, char *dst, size_t n)
{
	ssize_t k;
	do
		k = read(s->fd, dst, n);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		die(errno == EISDIR ? EX_NOINPUT_ : EX_IOERR_, "cannot read %s: %s",
		    s->name, strerror(errno));
	return (size_t)k;
}

/* Adds at least one decoded byte after s->end, or sets s->eof. The
 * unparsed bytes move to the front first. The buffer starts small (most
 * exports are) and doubles while reads fill it, up to 2 BLOCKs, and
 * beyond only while one record is longer than half of it. */
static void source_fill(struct source *s)
{
	if (s->start) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	if (s->cap - s->end < s->cap / 2 || (s->filled && s->cap < 2 * BLOCK)) {
		size_t old = s->cap;
		s->cap *= 2;
		s->buf = xrealloc(s->buf, s->cap);
		memset(s->buf + old, 0, s->cap - old);
	}
	size_t before = s->end;
	while (s->end == before && !s->eof) {
		if (s->enc == ENC_UTF8) {
			size_t room = s->cap - s->end - SLACK;
			size_t k = read_some(s, s->buf + s->end, room);
			s->filled = k == room;
			s->end += k;
			s->eof = k == 0;
			continue;
		}
		if (!s->raw_eof && s->rawlen < s->rawcap) {
			size_t room = s->rawcap - s->rawlen;
			size_t k = read_some(s, s->raw + s->rawlen, room);
			s->filled = k == room;
			s->rawlen += k;
			s->raw_eof = k == 0;
		}
		decode(s);
	}
}

static int enc_is(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (strcasecmp(name, *names) == 0)
			return 1;
	return 0;
}

/* The declared encoding by name; ENC_ICONV when only iconv knows it (the
 * caller opens it). */
static enum encoding encoding_of(const char *name)
{
	static const char *const utf8[] = { "utf-8", "utf8", NULL };
	static const char *const latin1[] = { "latin1", "latin-1", "iso-8859-1",
					      "iso8859-1", "l1", NULL };
	static const char *const cp1252[] = { "cp1252", "windows-1252", NULL };
	static const char *const le[] = { "utf-16le", "utf16le", "utf-16", "utf16", NULL };
	static const char *const be[] = { "utf-16be", "utf16be", NULL };
	if (!name || enc_is(name, utf8))
		return ENC_UTF8;
	if (enc_is(name, latin1))
		return ENC_LATIN1;
	if (enc_is(name, cp1252))
		return ENC_CP1252;
	if (enc_is(name, le))
		return ENC_UTF16LE;
	if (enc_is(name, be))
		return ENC_UTF16BE;
	return ENC_ICONV;
}

/* Opens the next input and reads its first block: a byte-order mark
 * decides the encoding (UTF-8, UTF-16 LE or BE), whatever was declared. */
static void source_open(struct source *s, const char *path, const char *declared)
{
	if (strcmp(path, "-") == 0) {
		s->fd = 0;
		s->name = "stdin";
	} else {
		s->fd = open(path, O_RDONLY);
		if (s->fd < 0)
			die(EX_NOINPUT_, "cannot open %s: %s", path, strerror(errno));
		s->name = path;
	}
	s->start = s->end = s->rawlen = 0;
	s->eof = s->raw_eof = 0;
	s->line = 1;
	if (!s->raw) {
		s->rawcap = START / 2;
		s->raw = xmalloc(s->rawcap);
	}
	/* the first bytes, for the byte-order mark */
	while (s->rawlen < 3 && !s->raw_eof) {
		size_t k = read_some(s, s->raw + s->rawlen, s->rawcap - s->rawlen);
		s->rawlen += k;
		s->raw_eof = k == 0;
	}
	const unsigned char *r = (const unsigned char *)s->raw;
	size_t skip = 0;
	s->enc = encoding_of(declared);
	if (s->rawlen >= 3 && r[0] == 0xEF && r[1] == 0xBB && r[2] == 0xBF)
		s->enc = ENC_UTF8, skip = 3;
	else if (s->rawlen >= 2 && r[0] == 0xFF && r[1] == 0xFE)
		s->enc = ENC_UTF16LE, skip = 2;
	else if (s->rawlen >= 2 && r[0] == 0xFE && r[1] == 0xFF)
		s->enc = ENC_UTF16BE, skip = 2;
	s->rawlen -= skip;
	memmove(s->raw, s->raw + skip, s->rawlen);
	s->filled = s->raw_eof == 0;
	if (!s->buf) {
		s->cap = START;
		s->buf = xmalloc(s->cap);
		memset(s->buf, 0, s->cap);
	}
	if (s->enc == ENC_UTF8) { /* what was read is decoded already */
		memcpy(s->buf, s->raw, s->rawlen);
		s->end = s->rawlen;
		s->rawlen = 0;
		s->eof = s->raw_eof;
	} else if (s->enc == ENC_ICONV) {
		iconv(s->cd, NULL, NULL, NULL, NULL);
	}
}

static void source_close(struct source *s)
{
	if (s->fd > 0)
		close(s->fd);
	s->fd = -1;
}

/* ---- UTF-8 ---- */

/* The length of the valid UTF-8 prefix of [p, p + n). */
static size_t utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		unsigned lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			k = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			if (c == 0xE0)
				lo = 0xA0; /* no overlong forms */
			if (c == 0xED)
				hi = 0x9F; /* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			if (c == 0xF0)
				lo = 0x90;
			if (c == 0xF4)
				hi = 0x8F; /* nothing past U+10FFFF */
		} else {
			return i;
		}
		if (n - i <= k || p[i + 1] < lo || p[i + 1] > hi)
			return i;
		for (size_t j = 2; j <= k; j++)
			if ((p[i + j] & 0xC0) != 0x80)
				return i;
		i += k + 1;
	}
	return i;
}

/* ---- CSV records ---- */

enum record_status { REC_OK, REC_MORE, REC_EOF };
enum record_fault { FAULT_NONE, FAULT_AFTER_QUOTE, FAULT_UNTERMINATED };

struct record {
	size_t rawlen;   /* the record's bytes, without its line end */
	size_t len;      /* the bytes it took, line end included */
	unsigned long lines; /* line ends in it, its own included */
	size_t nfields;  /* field i: row[field[i], field[i + 1] - 1), then a TAB */
	int high;        /* a byte >= 0x80 was seen */
	int blank;       /* an empty line */
	int maybe_na;    /* a field may be one of the --na values */
	enum record_fault fault;
};

/* The bytes that stop a copy, as bit masks over a 64-byte window of the
 * input, computed once for all the fields in it: outside quotes the
 * separator, the quote, line ends and the two bytes that need escaping
 * (TAB, backslash); inside quotes the same but the separator. A window
 * cut short by the end of the bytes has a stop where they end. */
struct window {
	const char *blk; /* the masks cover [blk, blk + 64); NULL: none yet */
	uint64_t plain, quoted;
	int high;        /* a byte >= 0x80 in the window */
};

struct import {
	/* options */
	char sep;           /* 0: detected from the header */
	const char *encoding;
	char **renames;
	size_t nrenames;
	const char *keep, *drop;
	char **dates;       /* COL=FORMAT, as given */
	size_t ndates;
	const char *tz;
	struct slice na[16];
	size_t nna, na_max;
	unsigned char na_first[256]; /* the first bytes of the --na values */
	const char *rejects_path;

	struct source src;

	/* the current record */
	struct buf row;
	size_t *field;
	size_t field_cap;
	struct window win;

	/* the columns, from the first input's header */
	struct buf header;  /* the names as read (escaped), TAB after each */
	size_t *header_at;  /* input name i: header[header_at[i], [i + 1] - 1) */
	size_t ncols;
	const char *header_file;
	struct buf names;   /* the output names, TAB after each */
	size_t *name_at;    /* output name j: names[name_at[j], name_at[j + 1] - 1) */
	size_t *order;      /* output column j is input column order[j] */
	size_t nout;
	int identity;       /* every column, in input order */
	char ***formats;    /* per input column: its --date formats, or NULL */
	int any_date;
	char (*stamp)[96];  /* per output column: a rewritten date */
	size_t *stamp_len;

	/* --tz: a cache of the last local day whose offset is the same all day */
	long tz_day;
	long tz_offset;

	/* bad rows */
	struct writer rejects;
	int rejecting;
	unsigned long nrejected;
};

/* Grows the field index to hold n + 2 entries. */
static void fields_room(struct import *im, size_t n)
{
	if (n + 2 <= im->field_cap)
		return;
	size_t c = im->field_cap ? im->field_cap : 64;
	while (c < n + 2)
		c *= 2;
	im->field = xrealloc(im->field, c * sizeof *im->field);
	im->field_cap = c;
}

static void window_at(struct import *im, const char *blk, const char *end)
{
	struct window *w = &im->win;
	uint64_t plain = 0, quoted = 0;
	unsigned high = 0;
#ifdef __SSE2__
	const __m128i sep = _mm_set1_epi8(im->sep), quote = _mm_set1_epi8('"'),
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
		char c = blk[k];
		uint64_t bit = (uint64_t)1 << k;
		if (c == '"' || c == '\n' || c == '\r' || c == '\t' || c == '\\')
			quoted |= bit;
		if (c == im->sep)
			plain |= bit;
		high |= (unsigned char)c >= 0x80;
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
static inline const char *next_stop(struct import *im, const char *p,
				    const char *end, int quoted, int *high)
{
	struct window *w = &im->win;
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
		window_at(im, p, end);
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

/* Parses one record at [p, end) into im->row and im->field. REC_MORE:
 * the block ends inside it (and the input goes on); REC_EOF: no bytes
 * are left. A malformed record still ends where a reader would end it,
 * with its fault set. */
static enum record_status parse_record(struct import *im, const char *p,
				       const char *end, int eof,
				       struct record *r)
{
	const char *begin = p;
	if (p == end)
		return eof ? REC_EOF : REC_MORE;
	struct buf *row = &im->row;
	row->len = 0;
	buf_grow(row, 2 * (size_t)(end - p) + 64);
	if (!im->win.blk || p < im->win.blk || p >= im->win.blk + 64)
		window_at(im, p, end);
	r->high = im->win.high;
	r->lines = 0;
	r->fault = FAULT_NONE;
	r->maybe_na = 0;
	char *base = row->p, *o = base, *field = o;
	size_t nf = 0;
	const char sep = im->sep;
	for (;;) { /* a field */
		fields_room(im, nf);
		im->field[nf++] = (size_t)(o - base);
		field = o;
		int quoted = p < end && *p == '"';
		p += quoted;
		for (;;) { /* a run, then the byte that stopped it */
			const char *q = next_stop(im, p, end, quoted, &r->high);
			o = copy_run(o, p, q);
			p = q;
			if (p == end) {
				if (!eof)
					return REC_MORE;
				if (quoted)
					r->fault = FAULT_UNTERMINATED;
				r->rawlen = r->len = (size_t)(end - begin);
				goto done;
			}
		again:;
			char c = *p;
			if (c == '\t' && (sep != '\t' || quoted)) {
				*o++ = '\\', *o++ = 't', p++;
			} else if (c == '\\') {
				*o++ = '\\', *o++ = '\\', p++;
			} else if (quoted) {
				if (c == '"') {
					if (p + 1 == end && !eof)
						return REC_MORE;
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
				} else if (c == '\n') {
					*o++ = '\\', *o++ = 'n', p++;
					r->lines++;
				} else if (c == '\r') {
					if (p + 1 == end && !eof)
						return REC_MORE;
					*o++ = '\\', *o++ = 'r', p++;
					r->lines += p == end || *p != '\n';
				} else { /* cannot happen: no other stop inside quotes */
					*o++ = c, p++;
				}
			} else if (c == sep) {
				if (o - field <= (long)im->na_max && o > field &&
				    im->na_first[(unsigned char)*field])
					r->maybe_na = 1;
				*o++ = '\t';
				p++;
				break;
			} else if (c == '"') { /* inside an unquoted field: literal */
				*o++ = c, p++;
			} else { /* a line end: the record's end */
				const char *e = p;
				if (c == '\r') {
					if (p + 1 == end && !eof)
						return REC_MORE;
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
	if (o - field <= (long)im->na_max && o > field && im->na_first[(unsigned char)*field])
		r->maybe_na = 1;
	*o++ = '\t';
	im->field[nf] = (size_t)(o - base);
	r->nfields = nf;
	row->len = (size_t)(o - base);
	r->blank = r->rawlen == 0;
	return REC_OK;
}

/* The next record of the current input, refilling as needed. */
static enum record_status next_record(struct import *im, struct record *r)
{
	struct source *s = &im->src;
	for (;;) {
		enum record_status st = parse_record(im, s->buf + s->start,
						     s->buf + s->end, s->eof, r);
		if (st != REC_MORE)
			return st;
		source_fill(s);
		im->win.blk = NULL;
	}
}

/* ---- dates ---- */

struct stamp {
	int year, month, day, hour, min, sec;
	int has_time, has_zone, pm, twelve;
	int zone; /* minutes east of UTC */
	const char *frac;
	size_t nfrac;
};

static const char *const month_names[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};
static const char *const day_names[7] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

/* 1..max digits at *p into *v. */
static int scan_num(const char **p, const char *e, int min, int max, int *v)
{
	int n = 0, x = 0;
	while (*p < e && n < max && **p >= '0' && **p <= '9') {
		x = x * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*v = x;
	return n >= min;
}

/* A name from names[] (full, or its first three letters), any case. */
static int scan_name(const char **p, const char *e, const char *const *names,
		     int count, int *v)
{
	for (int i = 0; i < count; i++) {
		size_t full = strlen(names[i]);
		size_t left = (size_t)(e - *p);
		if (left >= full && strncasecmp(*p, names[i], full) == 0) {
			*p += full;
			*v = i;
			return 1;
		}
	}
	for (int i = 0; i < count; i++)
		if (e - *p >= 3 && strncasecmp(*p, names[i], 3) == 0) {
			*p += 3;
			*v = i;
			return 1;
		}
	return 0;
}

/* Reads s by the strptime-style format into t; 1 if the whole of s
 * matched. Locale-independent: month and day names are English. */
static int scan_date(const char *fmt, struct slice s, struct stamp *t)
{
	const char *p = s.p, *e = s.p + s.n;
	memset(t, 0, sizeof *t);
	for (const char *f = fmt; *f; f++) {
		if (*f == ' ') {
			if (p == e || *p != ' ')
				return 0;
			while (p < e && *p == ' ')
				p++;
			continue;
		}
		if (*f != '%') {
			if (p == e || *p != *f)
				return 0;
			p++;
			continue;
		}
		int v, ok = 1;
		switch (*++f) {
		case 'Y': ok = scan_num(&p, e, 4, 4, &t->year); break;
		case 'y':
			ok = scan_num(&p, e, 2, 2, &v);
			t->year = v < 69 ? 2000 + v : 1900 + v;
			break;
		case 'm': ok = scan_num(&p, e, 1, 2, &t->month); break;
		case 'e':
			if (p < e && *p == ' ')
				p++;
			/* fall through */
		case 'd': ok = scan_num(&p, e, 1, 2, &t->day); break;
		case 'H': ok = scan_num(&p, e, 1, 2, &t->hour); t->has_time = 1; break;
		case 'I':
			ok = scan_num(&p, e, 1, 2, &t->hour) && t->hour >= 1 && t->hour <= 12;
			t->has_time = t->twelve = 1;
			break;
		case 'M': ok = scan_num(&p, e, 1, 2, &t->min); t->has_time = 1; break;
		case 'S': ok = scan_num(&p, e, 1, 2, &t->sec); t->has_time = 1; break;
		case 'f':
			t->frac = p;
			while (p < e && *p >= '0' && *p <= '9')
				p++;
			t->nfrac = (size_t)(p - t->frac);
			ok = t->nfrac > 0;
			break;
		case 'p':
			if (e - p >= 2 && (p[1] == 'M' || p[1] == 'm') &&
			    (p[0] == 'A' || p[0] == 'a' || p[0] == 'P' || p[0] == 'p')) {
				t->pm = p[0] == 'P' || p[0] == 'p';
				p += 2;
			} else {
				ok = 0;
			}
			break;
		case 'b': case 'B': case 'h':
			ok = scan_name(&p, e, month_names, 12, &v);
			t->month = v + 1;
			break;
		case 'a': case 'A':
			ok = scan_name(&p, e, day_names, 7, &v);
			break;
		case 'z':
			if (p < e && *p == 'Z') {
				p++;
				t->zone = 0;
			} else if (p < e && (*p == '+' || *p == '-')) {
				int neg = *p++ == '-', hh, mm = 0;
				ok = scan_num(&p, e, 2, 2, &hh);
				if (ok && p < e && *p == ':')
					p++;
				if (ok && p < e && *p >= '0' && *p <= '9')
					ok = scan_num(&p, e, 2, 2, &mm) && mm < 60;
				ok = ok && hh <= 23;
				t->zone = (neg ? -1 : 1) * (hh * 60 + mm);
			} else {
				ok = 0;
			}
			t->has_zone = 1;
			break;
		case '%':
			ok = p < e && *p++ == '%';
			break;
		default: /* checked when the option was read */
			ok = 0;
		}
		if (!ok)
			return 0;
	}
	if (p != e)
		return 0;
	if (t->twelve)
		t->hour = t->hour % 12 + (t->pm ? 12 : 0);
	if (t->month < 1 || t->month > 12 || t->day < 1 || t->min > 59 || t->sec > 59)
		return 0;
	long y;
	int m, d;
	civil_from_days(days_from_civil(t->year, t->month, t->day), &y, &m, &d);
	if (m != t->month) /* 2026-02-30 */
		return 0;
	if (t->hour == 24) { /* 24:00:00 is the next day's midnight */
		if (t->min || t->sec || strspn(t->frac ? t->frac : "", "0") != t->nfrac)
			return 0;
		civil_from_days(days_from_civil(t->year, t->month, t->day) + 1, &y, &m, &d);
		t->year = (int)y, t->month = m, t->day = d, t->hour = 0;
	}
	return t->hour < 24 && t->year >= 0 && t->year <= 9999;
}

/* A --date format: only the directives scan_date knows, and a year, a
 * month and a day. Exits 64 otherwise. */
static void check_format(const char *opt, const char *fmt)
{
	int y = 0, m = 0, d = 0;
	for (const char *f = fmt; *f; f++) {
		if (*f != '%')
			continue;
		char c = *++f;
		if (!c || !strchr("YymedHIMSfpbBhaAz%", c))
			die_usage("--date %s: unknown directive %%%c (see nps-import(1))",
				  opt, c ? c : ' ');
		y |= c == 'Y' || c == 'y';
		m |= c == 'm' || c == 'b' || c == 'B' || c == 'h';
		d |= c == 'd' || c == 'e';
	}
	if (!y || !m || !d)
		die_usage("--date %s: the format needs a year, a month and a day", opt);
}

static long offset_at(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

/* The UTC offset (seconds) of a local wall-clock time in --tz, given as
 * seconds since the epoch as if it were UTC. 0 if that time does not
 * exist (skipped by a change to summer time); of two (the hour repeated
 * when summer time ends), the earlier instant, the summer offset. */
static int tz_offset(struct import *im, long long local, long *off)
{
	long day = (long)(local >= 0 ? local / 86400 : (local - 86399) / 86400);
	if (day == im->tz_day) {
		*off = im->tz_offset;
		return 1;
	}
	long a = offset_at((time_t)(local - 86400)), b = offset_at((time_t)(local + 86400));
	int va = offset_at((time_t)(local - a)) == a;
	int vb = b != a && offset_at((time_t)(local - b)) == b;
	if (!va && !vb)
		return 0;
	*off = va && vb ? (a > b ? a : b) : va ? a : b;
	/* the whole day has one offset when the days around it have it too */
	long long d0 = (long long)day * 86400;
	if (a == b && offset_at((time_t)(d0 - 86400 - a)) == a &&
	    offset_at((time_t)(d0 + 2 * 86400 - a)) == a) {
		im->tz_day = day;
		im->tz_offset = a;
	}
	return 1;
}

/* Writes the stamp as ISO 8601 into out (96 bytes). */
static size_t format_stamp(const struct stamp *t, int has_offset, long offset,
			   char *out)
{
	int n = snprintf(out, 96, "%04d-%02d-%02d", t->year, t->month, t->day);
	if (!t->has_time)
		return (size_t)n;
	n += snprintf(out + n, (size_t)(96 - n), "T%02d:%02d:%02d", t->hour, t->min, t->sec);
	if (t->nfrac)
		n += snprintf(out + n, (size_t)(96 - n), ".%.*s",
			      (int)(t->nfrac > 9 ? 9 : t->nfrac), t->frac);
	if (has_offset) {
		long m = offset / 60;
		char sign = m < 0 ? '-' : '+';
		if (m < 0)
			m = -m;
		n += snprintf(out + n, (size_t)(96 - n), "%c%02ld:%02ld", sign, m / 60, m % 60);
	}
	return (size_t)n;
}

/* ---- columns ---- */

/* "a\tb\t" style lists: the i-th entry of a TAB-terminated list. */
static struct slice entry(const struct buf *b, const size_t *at, size_t i)
{
	return (struct slice){ b->p + at[i], at[i + 1] - at[i] - 1 };
}

static _Noreturn void die_columns(const struct import *im, const char *fmt,
				  const char *what)
{
	struct buf list = { 0 };
	for (size_t i = 0; i < im->nout; i++) {
		if (i)
			buf_add(&list, ", ", 2);
		struct slice s = entry(&im->names, im->name_at, i);
		buf_add(&list, s.p, s.n);
	}
	die_usage(fmt, what, im->header_file, buf_cstr(&list));
}

/* The output column named name (n bytes); -1 if none. */
static long out_col(const struct import *im, const char *name, size_t n)
{
	for (size_t j = 0; j < im->nout; j++) {
		struct slice s = entry(&im->names, im->name_at, j);
		if (s.n == n && memcmp(s.p, name, n) == 0)
			return (long)j;
	}
	return -1;
}

/* Applies one -r OLD=NEW to every name: OLD as /REGEX/, PREFIX* or the
 * exact name. A rule that matches no column is a usage error. */
static void rename_columns(char **name, size_t n,
			   const char *rule)
{
	const char *eq = strchr(rule, '=');
	if (!eq || eq == rule)
		die_usage("-r %s: expected OLD=NEW", rule);
	size_t oldn = (size_t)(eq - rule);
	const char *new = eq + 1;
	int regex = oldn >= 2 && rule[0] == '/' && rule[oldn - 1] == '/';
	int prefix = !regex && rule[oldn - 1] == '*';
	regex_t re;
	if (regex) {
		char *pat = xstrndup(rule + 1, oldn - 2);
		int err = regcomp(&re, pat, REG_EXTENDED);
		free(pat);
		if (err) {
			char msg[200];
			regerror(err, &re, msg, sizeof msg);
			regfree(&re);
			die_usage("-r %s: %s", rule, msg);
		}
	}
	size_t matched = 0;
	for (size_t i = 0; i < n; i++) {
		regmatch_t m[10];
		int hit;
		if (regex)
			hit = regexec(&re, name[i], 10, m, 0) == 0;
		else if (prefix)
			hit = strncmp(name[i], rule, oldn - 1) == 0;
		else
			hit = strlen(name[i]) == oldn && memcmp(name[i], rule, oldn) == 0;
		if (!hit)
			continue;
		matched++;
		struct buf b = { 0 };
		for (const char *q = new; *q; q++) {
			if (regex && q[0] == '\\' && q[1] >= '0' && q[1] <= '9') {
				regmatch_t g = m[q[1] - '0'];
				if (g.rm_so >= 0)
					buf_add(&b, name[i] + g.rm_so, (size_t)(g.rm_eo - g.rm_so));
				q++;
			} else {
				buf_addc(&b, *q);
			}
		}
		free(name[i]);
		name[i] = buf_cstr(&b);
	}
	if (regex)
		regfree(&re);
	if (!matched) {
		struct buf list = { 0 };
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_add(&list, ", ", 2);
			buf_add(&list, name[i], strlen(name[i]));
		}
		for (size_t i = 0; i < n; i++)
			free(name[i]);
		free(name);
		die_usage("-r %s: no column matches (columns: %s)", rule, buf_cstr(&list));
	}
}

/* The first input's header: names, renames, the columns kept and in
 * which order, the date columns. */
static void setup_columns(struct import *im, const struct record *r)
{
	size_t n = r->nfields;
	im->ncols = n;
	buf_add(&im->header, im->row.p, im->row.len);
	im->header_at = xmalloc((n + 1) * sizeof *im->header_at);
	memcpy(im->header_at, im->field, (n + 1) * sizeof *im->header_at);
	char **name = xmalloc(n * sizeof *name);
	for (size_t i = 0; i < n; i++)
		name[i] = xstrndup(im->row.p + im->field[i],
				   im->field[i + 1] - im->field[i] - 1);
	for (size_t k = 0; k < im->nrenames; k++)
		rename_columns(name, n, im->renames[k]);
	/* every column, for now: --keep and --drop name output names */
	im->name_at = xmalloc((n + 1) * sizeof *im->name_at);
	im->order = xmalloc(n * sizeof *im->order);
	for (size_t i = 0; i < n; i++) {
		im->name_at[i] = im->names.len;
		buf_add(&im->names, name[i], strlen(name[i]));
		buf_addc(&im->names, '\t');
		im->order[i] = i;
		free(name[i]);
	}
	free(name);
	im->name_at[n] = im->names.len;
	im->nout = n;
	for (size_t j = 0; j < n; j++) {
		struct slice s = entry(&im->names, im->name_at, j);
		long k = out_col(im, s.p, s.n);
		if (k != (long)j && im->nrenames) {
			char *dup = xstrndup(s.p, s.n);
			die_usage("-r: two columns would be named \"%s\"", dup);
		}
	}
	const char *list = im->keep ? im->keep : im->drop;
	if (list) {
		char *drop = xmalloc(n);
		memset(drop, im->keep != NULL, n);
		size_t *keep_order = xmalloc((strlen(list) + 1) * sizeof *keep_order);
		size_t nkeep = 0;
		for (const char *p = list;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			long j = out_col(im, p, len);
			if (j < 0) {
				char *what = xstrndup(p, len);
				die_columns(im, "no column \"%s\" in %s (columns: %s)", what);
			}
			drop[j] = im->keep == NULL;
			keep_order[nkeep++] = (size_t)j;
			if (!comma)
				break;
			p = comma + 1;
		}
		struct buf names = { 0 };
		size_t *name_at = xmalloc((n + 1) * sizeof *name_at), nout = 0;
		for (size_t k = 0; k < (im->keep ? nkeep : n); k++) {
			size_t j = im->keep ? keep_order[k] : k;
			if (drop[j])
				continue;
			struct slice s = entry(&im->names, im->name_at, j);
			name_at[nout] = names.len;
			buf_add(&names, s.p, s.n + 1);
			im->order[nout++] = j;
		}
		name_at[nout] = names.len;
		free(drop);
		free(keep_order);
		buf_free(&im->names);
		free(im->name_at);
		im->names = names;
		im->name_at = name_at;
		im->nout = nout;
	}
	if (im->nout == 0)
		die_usage("--drop: no column left to write");
	im->identity = im->nout == n;
	for (size_t j = 0; j < im->nout; j++)
		im->identity &= im->order[j] == j;
	/* --date: each column's formats, in the order given */
	im->formats = xmalloc(n * sizeof *im->formats);
	memset(im->formats, 0, n * sizeof *im->formats);
	for (size_t k = 0; k < im->ndates; k++) {
		const char *eq = strchr(im->dates[k], '=');
		long j = out_col(im, im->dates[k], (size_t)(eq - im->dates[k]));
		if (j < 0) {
			char *what = xstrndup(im->dates[k], (size_t)(eq - im->dates[k]));
			die_columns(im, "--date: no column \"%s\" in %s (columns: %s)", what);
		}
		size_t i = im->order[j], c = 0;
		while (im->formats[i] && im->formats[i][c])
			c++;
		im->formats[i] = xrealloc(im->formats[i], (c + 2) * sizeof **im->formats);
		im->formats[i][c] = (char *)eq + 1;
		im->formats[i][c + 1] = NULL;
		im->any_date = 1;
	}
	im->stamp = xmalloc(im->nout * sizeof *im->stamp);
	im->stamp_len = xmalloc(im->nout * sizeof *im->stamp_len);
}

/* ---- bad rows ---- */

/* Writes s with the escapes of npskit(7); for an input not in UTF-8, a
 * unit that could not be decoded as U+FFFD. */
static void write_escaped(struct writer *w, const char *p, size_t n, int decoded)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		switch (c) {
		case '\t': writer_write(w, "\\t", 2); break;
		case '\n': writer_write(w, "\\n", 2); break;
		case '\r': writer_write(w, "\\r", 2); break;
		case '\\': writer_write(w, "\\\\", 2); break;
		default:
			if (c == BAD_UNIT && decoded)
				writer_write(w, "\xEF\xBF\xBD", 3);
			else
				writer_char(w, (char)c);
		}
	}
}

struct where {
	const char *file;
	unsigned long line;
	struct slice raw;
};

static void reject(struct import *im, const struct where *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The record is bad: with --rejects, into the rejects file (file, line,
 * the raw record, the reason); without, the message and exit 65. */
static void reject(struct import *im, const struct where *at, const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (!im->rejecting)
		die(EX_DATA_, "%s:%lu: %s", at->file, at->line, reason);
	struct writer *w = &im->rejects;
	write_escaped(w, at->file, strlen(at->file), 0);
	writer_char(w, '\t');
	writer_u64(w, at->line);
	writer_char(w, '\t');
	write_escaped(w, at->raw.p, at->raw.n, im->src.enc != ENC_UTF8);
	writer_char(w, '\t');
	write_escaped(w, reason, strlen(reason), 0);
	writer_char(w, '\n');
	im->nrejected++;
}

/* A value for a message: at most 40 bytes, bytes that are not text as
 * \xHH, quoted. */
static const char *quote_bytes(struct slice s)
{
	static char q[40 * 4 + 8];
	char *o = q;
	*o++ = '"';
	for (size_t i = 0; i < s.n && i < 40; i++) {
		unsigned char c = (unsigned char)s.p[i];
		size_t ok = c >= 0x80 ? utf8_valid((const unsigned char *)s.p + i, s.n - i) : 1;
		if (c >= 0x80 && ok) { /* a whole valid character */
			size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
			memcpy(o, s.p + i, k);
			o += k;
			i += k - 1;
		} else if (c < 0x20 || c >= 0x7F) {
			o += sprintf(o, "\\x%02X", c);
		} else {
			*o++ = (char)c;
		}
	}
	if (s.n > 40)
		o += sprintf(o, "...");
	*o++ = '"';
	*o = '\0';
	return q;
}

static const char *encoding_name(const struct import *im)
{
	switch (im->src.enc) {
	case ENC_UTF8: return "UTF-8";
	case ENC_LATIN1: return "latin1";
	case ENC_CP1252: return "cp1252";
	case ENC_UTF16LE: return "UTF-16LE";
	case ENC_UTF16BE: return "UTF-16BE";
	default: return im->encoding;
	}
}

/* ---- rows ---- */

static struct slice field_of(const struct import *im, size_t i)
{
	return (struct slice){ im->row.p + im->field[i],
			       im->field[i + 1] - im->field[i] - 1 };
}

static inline int is_na(const struct import *im, struct slice s)
{
	if (s.n == 0 || s.n > im->na_max || !im->na_first[(unsigned char)s.p[0]])
		return 0;
	for (size_t k = 0; k < im->nna; k++)
		if (im->na[k].n == s.n && memcmp(im->na[k].p, s.p, s.n) == 0)
			return 1;
	return 0;
}

/* Rewrites input column i's value (a date) into stamp; 0 after
 * rejecting the row. */
static int rewrite_date(struct import *im, const struct where *at, size_t j,
			struct slice v)
{
	size_t i = im->order[j];
	struct slice t = slice_trim(v);
	struct stamp st;
	char **f = im->formats[i];
	for (; *f; f++)
		if (scan_date(*f, t, &st))
			break;
	if (!*f) {
		struct slice name = entry(&im->names, im->name_at, j);
		reject(im, at, "%.*s is not a date of the form %s%s (%s)", (int)name.n,
		       name.p, im->formats[i][0], im->formats[i][1] ? " or the others given" : "",
		       tsv_quote(v));
		return 0;
	}
	long off = st.zone * 60L;
	int has_offset = st.has_zone;
	if (st.has_time && !st.has_zone && im->tz) {
		long long local = (long long)days_from_civil(st.year, st.month, st.day) * 86400 +
				  st.hour * 3600 + st.min * 60 + st.sec;
		if (!tz_offset(im, local, &off)) {
			reject(im, at, "local time does not exist in %s (%s)", im->tz,
			       tsv_quote(v));
			return 0;
		}
		has_offset = 1;
	}
	im->stamp_len[j] = format_stamp(&st, has_offset, off, im->stamp[j]);
	return 1;
}

/* One data record: checked, rewritten, written (or rejected). */
static void take_row(struct import *im, const struct record *r, const struct where *at)
{
	if (r->fault == FAULT_UNTERMINATED) {
		reject(im, at, "quoted field not closed before the end of the file");
		return;
	}
	if (r->fault == FAULT_AFTER_QUOTE) {
		reject(im, at, "text after a closing quote (%s)", quote_bytes(at->raw));
		return;
	}
	if (r->nfields != im->ncols) {
		reject(im, at, "expected %zu fields, found %zu", im->ncols, r->nfields);
		return;
	}
	if (r->high) {
		for (size_t i = 0; i < r->nfields; i++) {
			struct slice v = field_of(im, i);
			if (utf8_valid((const unsigned char *)v.p, v.n) == v.n)
				continue;
			struct slice name = entry(&im->header, im->header_at, i);
			if (im->src.enc == ENC_UTF8)
				reject(im, at, "%.*s is not valid UTF-8 (%s); "
				       "try --encoding latin1 or cp1252", (int)name.n, name.p,
				       quote_bytes(v));
			else
				reject(im, at, "%.*s has bytes not valid in %s (%s)", (int)name.n,
				       name.p, encoding_name(im), quote_bytes(v));
			return;
		}
	}
	if (im->identity && !im->any_date) {
		int plain = 1;
		for (size_t i = 0; i < r->nfields && plain && r->maybe_na; i++)
			plain = !is_na(im, field_of(im, i));
		if (plain) {
			im->row.p[im->row.len - 1] = '\n';
			out_write(im->row.p, im->row.len);
			return;
		}
	}
	/* column by column: missing values emptied, dates rewritten first
	 * (a bad date rejects the row before anything is written) */
	for (size_t j = 0; j < im->nout && im->any_date; j++) {
		size_t i = im->order[j];
		struct slice v = field_of(im, i);
		if (im->formats[i] && v.n && !is_na(im, v) && !rewrite_date(im, at, j, v))
			return;
	}
	for (size_t j = 0; j < im->nout; j++) {
		size_t i = im->order[j];
		struct slice v = field_of(im, i);
		if (j)
			out_char('\t');
		if (v.n == 0 || is_na(im, v))
			continue;
		if (im->formats[i])
			out_write(im->stamp[j], im->stamp_len[j]);
		else
			out_write(v.p, v.n);
	}
	out_char('\n');
}

/* ---- options ---- */

static void usage(void)
{
	printf("Usage: nps-import [options] [file ...]\n"
	       "Convert a survey export (CSV, any usual encoding) into npskit TSV.\n\n"
	       "  -F, --separator C    field separator: , ; | or tab (default: detected\n"
	       "                       from the header)\n"
	       "      --encoding NAME  utf-8 (default), latin1, cp1252, utf-16le, utf-16be,\n"
	       "                       or any name iconv knows; a byte-order mark wins\n"
	       "  -r, --rename OLD=NEW rename a column; OLD is a name, a PREFIX* or a\n"
	       "                       /REGEX/ (repeatable)\n"
	       "      --keep COLS      write only these columns, in this order\n"
	       "      --drop COLS      write every column but these\n"
	       "      --date COL=FMT   rewrite COL as ISO 8601, read with the strptime-style\n"
	       "                       FMT (repeatable; several for a COL are tried in order)\n"
	       "      --tz ZONE        give local times in --date columns their offset in\n"
	       "                       ZONE (an IANA name such as Europe/Paris)\n"
	       "      --na LIST        values written as empty (default: NA,N/A,NULL,#N/A)\n"
	       "      --rejects FILE   write bad records to FILE instead of stopping\n"
	       "  -h, --help           show this help\n"
	       "      --version        show the version\n");
}

static char parse_separator(const char *arg)
{
	if (strcmp(arg, "\\t") == 0 || strcasecmp(arg, "tab") == 0)
		return '\t';
	if (strlen(arg) != 1 || strchr("\"\r\n", arg[0]) || arg[0] == '\0')
		die_usage("-F %s: the separator must be one character (, ; | tab ...)", arg);
	return arg[0];
}

static void parse_na(struct import *im, const char *list)
{
	im->nna = 0;
	im->na_max = 0;
	memset(im->na_first, 0, sizeof im->na_first);
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (im->nna == sizeof im->na / sizeof im->na[0])
			die_usage("--na: at most %zu values", sizeof im->na / sizeof im->na[0]);
		im->na[im->nna++] = (struct slice){ p, n };
		im->na_first[(unsigned char)p[0]] = 1;
		if (n > im->na_max)
			im->na_max = n;
		if (!comma)
			break;
		p = comma + 1;
	}
}

static void check_tz(const char *zone)
{
	if (strcmp(zone, "UTC") == 0)
		return;
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	struct buf path = { 0 };
	buf_add(&path, dir, strlen(dir));
	buf_addc(&path, '/');
	buf_add(&path, zone, strlen(zone));
	struct stat st;
	int ok = zone[0] != '/' && !strstr(zone, "..") &&
		 stat(buf_cstr(&path), &st) == 0 && S_ISREG(st.st_mode);
	buf_free(&path);
	if (!ok)
		die_usage("--tz %s: no such time zone in the tz database (%s)", zone, dir);
}

/* Which of , ; TAB | the header line uses most, outside quotes (in that
 * order when they tie); a comma when it has none. */
static char detect_separator(struct source *s)
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

int main(int argc, char **argv)
{
	struct import im = { .src = { .fd = -1 }, .tz_day = LONG_MIN };
	static const struct option options[] = {
		{ "separator", required_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'E' },
		{ "rename", required_argument, NULL, 'r' },
		{ "keep", required_argument, NULL, 'K' },
		{ "drop", required_argument, NULL, 'D' },
		{ "date", required_argument, NULL, 'T' },
		{ "tz", required_argument, NULL, 'Z' },
		{ "na", required_argument, NULL, 'N' },
		{ "rejects", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	prog_init(argv[0]);
	parse_na(&im, "NA,N/A,NULL,#N/A");
	im.renames = xmalloc((size_t)argc * sizeof *im.renames);
	im.dates = xmalloc((size_t)argc * sizeof *im.dates);
	int c;
	while ((c = getopt_long(argc, argv, "F:r:h", options, NULL)) != -1) {
		switch (c) {
		case 'F': im.sep = parse_separator(optarg); break;
		case 'E': im.encoding = optarg; break;
		case 'r': im.renames[im.nrenames++] = optarg; break;
		case 'K': im.keep = optarg; break;
		case 'D': im.drop = optarg; break;
		case 'T': im.dates[im.ndates++] = optarg; break;
		case 'Z': im.tz = optarg; break;
		case 'N': parse_na(&im, optarg); break;
		case 'R': im.rejects_path = optarg; break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-import %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "F:r:h");
		}
	}
	if (im.keep && im.drop)
		die_usage("--keep and --drop: give one of them");
	for (size_t k = 0; k < im.ndates; k++) {
		const char *eq = strchr(im.dates[k], '=');
		if (!eq || eq == im.dates[k])
			die_usage("--date %s: expected COL=FORMAT", im.dates[k]);
		check_format(im.dates[k], eq + 1);
	}
	if (im.tz) {
		check_tz(im.tz);
		setenv("TZ", im.tz, 1);
		tzset();
	}
	if (encoding_of(im.encoding) == ENC_ICONV) {
		im.src.cd = iconv_open("UTF-8", im.encoding);
		if (im.src.cd == (iconv_t)-1)
			die_usage("--encoding %s: unknown encoding", im.encoding);
	}
	if (im.rejects_path) {
		writer_open(&im.rejects, im.rejects_path);
		im.rejecting = 1;
		writer_str(&im.rejects, "file\tline\trecord\treject_reason\n");
	}

	int nfiles = argc - optind;
	char *std_in[] = { "-" };
	char **files = nfiles > 0 ? argv + optind : std_in;
	if (nfiles == 0)
		nfiles = 1;
	int have_header = 0;
	for (int f = 0; f < nfiles; f++) {
		struct source *s = &im.src;
		source_open(s, files[f], im.encoding);
		im.win.blk = NULL;
		struct record r;
		/* the header: the first record that is not an empty line */
		enum record_status st;
		if (!im.sep)
			im.sep = detect_separator(s);
		while ((st = next_record(&im, &r)) == REC_OK && r.blank) {
			s->start += r.len;
			s->line += r.lines;
		}
		if (st == REC_EOF) {
			source_close(s);
			continue;
		}
		struct where at = { s->name, s->line, { s->buf + s->start, r.rawlen } };
		if (r.fault == FAULT_UNTERMINATED)
			die(EX_DATA_, "%s:%lu: quoted field not closed before the end of the file",
			    at.file, at.line);
		if (r.fault == FAULT_AFTER_QUOTE)
			die(EX_DATA_, "%s:%lu: text after a closing quote (%s)", at.file,
			    at.line, quote_bytes(at.raw));
		if (r.high && utf8_valid((const unsigned char *)im.row.p, im.row.len) != im.row.len)
			die(EX_DATA_, "%s:%lu: header is not valid %s (%s)", at.file, at.line,
			    encoding_name(&im), quote_bytes(at.raw));
		if (!have_header) {
			have_header = 1;
			im.header_file = s->name;
			setup_columns(&im, &r);
			out_write(im.names.p, im.names.len - 1);
			out_char('\n');
		} else if (im.row.len != im.header.len ||
			   memcmp(im.row.p, im.header.p, im.row.len) != 0) {
			die(EX_DATA_, "%s:%lu: header differs from the header of %s", at.file,
			    at.line, im.header_file);
		}
		s->start += r.len;
		s->line += r.lines;
		while ((st = next_record(&im, &r)) == REC_OK) {
			at.line = s->line;
			at.raw = (struct slice){ s->buf + s->start, r.rawlen };
			if (!r.blank)
				take_row(&im, &r, &at);
			s->start += r.len;
			s->line += r.lines;
		}
		source_close(s);
	}
	writer_close(&out);
	if (im.rejecting) {
		writer_close(&im.rejects);
		fprintf(stderr, "nps-import: %lu bad row%s written to %s\n", im.nrejected,
			im.nrejected == 1 ? "" : "s", im.rejects_path);
	}
	if (im.src.cd)
		iconv_close(im.src.cd);
	for (size_t i = 0; i < im.ncols; i++)
		free(im.formats[i]);
	free(im.formats);
	free(im.stamp);
	free(im.stamp_len);
	free(im.header_at);
	free(im.order);
	free(im.name_at);
	free(im.field);
	free(im.renames);
	free(im.dates);
	buf_free(&im.names);
	buf_free(&im.header);
	buf_free(&im.row);
	free(im.src.buf);
	free(im.src.raw);
	return 0;
}
