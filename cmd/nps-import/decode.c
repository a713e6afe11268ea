/* decode: an input's bytes into UTF-8, in blocks: UTF-8 (read straight
 * into the buffer), UTF-16 LE/BE, Latin-1 and cp1252 by hand, anything
 * else through iconv; a byte-order mark decides. See import.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "import.h"
#include "util.h"

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
void source_fill(struct source *s)
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
enum encoding encoding_of(const char *name)
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
void source_open(struct source *s, const char *path, const char *declared)
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

void source_close(struct source *s)
{
	if (s->fd > 0)
		close(s->fd);
	s->fd = -1;
}

void source_free(struct source *s)
{
	source_close(s);
	free(s->buf);
	free(s->raw);
	s->buf = s->raw = NULL;
}

size_t utf8_valid(const unsigned char *p, size_t n)
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
