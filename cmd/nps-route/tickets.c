/* tickets: one ticket line, ticket_id response_id segment score priority
 * action owner escalate_to due_at reason, formatted straight into the
 * caller's buffer: no allocation, no printf, as the sorted writer formats
 * millions of them. */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "route.h"

/* "segment\tscore\t", by answer; no score (segment-only input): empty. */
#define TEXT(s) { s, sizeof s - 1 }
static const struct slice answer_text[ANSWERS] = {
	TEXT("detractor\t0\t"), TEXT("detractor\t1\t"), TEXT("detractor\t2\t"),
	TEXT("detractor\t3\t"), TEXT("detractor\t4\t"), TEXT("detractor\t5\t"),
	TEXT("detractor\t6\t"), TEXT("passive\t7\t"), TEXT("passive\t8\t"),
	TEXT("promoter\t9\t"), TEXT("promoter\t10\t"), TEXT("detractor\t\t"),
	TEXT("passive\t\t"), TEXT("promoter\t\t"),
};

static char *put(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* 32 bits as 8 lowercase hex digits, without a loop: each nibble spread
 * to a byte of its own, then made a digit. */
static void put_hex32(char *p, uint32_t v)
{
	uint64_t x = v;
	x = (x | x << 16) & 0x0000ffff0000ffffULL;
	x = (x | x << 8) & 0x00ff00ff00ff00ffULL;
	x = (x | x << 4) & 0x0f0f0f0f0f0f0f0fULL; /* byte k: nibble k */
	uint64_t letter = (x + 0x0606060606060606ULL) >> 4 & 0x0101010101010101ULL;
	x += 0x3030303030303030ULL + letter * ('a' - '0' - 10);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap64(x); /* nibble 7 first */
#endif
	memcpy(p, &x, 8);
}

/* The ticket id: "T-" and the 64-bit FNV-1a hash of the response id's
 * bytes in 16 hex digits; byte-wise, so the same on every machine. */
static char *put_ticket_id(char *p, struct slice id)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < id.n; i++) {
		h ^= (unsigned char)id.p[i];
		h *= 0x100000001b3ULL;
	}
	*p++ = 'T';
	*p++ = '-';
	put_hex32(p, (uint32_t)(h >> 32));
	put_hex32(p + 8, (uint32_t)h);
	return p + 16;
}

/* "00" .. "59" */
static const char two_digits[] =
	"00010203040506070809101112131415161718192021222324252627282930"
	"31323334353637383940414243444546474849505152535455565758596061";

/* YYYY-MM-DDThh:mm:ssZ; t is at most ticket_last_due(). */
static char *put_time(struct ticket_writer *tickets, char *p, long long t)
{
	long long days = t / 86400, sec = t % 86400;
	if (sec < 0)
		sec += 86400, days--;
	struct due_day *day = &tickets->day[(size_t)days & 1023];
	if (!day->n || day->days != days) {
		long y;
		int m, d;
		civil_from_days((long)days, &y, &m, &d);
		day->days = (long)days;
		day->n = snprintf(day->text, sizeof day->text, "%04ld-%02d-%02d", y, m, d);
		if (day->n >= (int)sizeof day->text)
			day->n = (int)sizeof day->text - 1;
	}
	p = put(p, day->text, (size_t)day->n);
	int s = (int)sec, hh = s / 3600, mm = s / 60 % 60, ss = s % 60;
	p[0] = 'T';
	memcpy(p + 1, two_digits + 2 * hh, 2);
	p[3] = ':';
	memcpy(p + 4, two_digits + 2 * mm, 2);
	p[6] = ':';
	memcpy(p + 7, two_digits + 2 * ss, 2);
	p[9] = 'Z';
	return p + 10;
}

size_t ticket_size(const struct ticket *t)
{
	return 2 + 16 + 1 + t->id.n + 1 + 14 + t->rule->head.len +
	       t->contacts.n + 2 + 32 + t->rule->ending.len;
}

char *ticket_put(struct ticket_writer *tickets, char *p, const struct ticket *t)
{
	const struct rule *rule = t->rule;
	p = put_ticket_id(p, t->id);
	*p++ = '\t';
	p = put(p, t->id.p, t->id.n);
	*p++ = '\t';
	p = put(p, answer_text[t->answer].p, answer_text[t->answer].n);
	p = put(p, rule->head.p, rule->head.len);
	p = put(p, t->contacts.p, t->contacts.n);
	*p++ = '\t';
	if (tickets->timed)
		p = put_time(tickets, p, t->due);
	*p++ = '\t';
	return put(p, rule->ending.p, rule->ending.len);
}

void ticket_write(struct ticket_writer *tickets, struct writer *dest,
		  const struct ticket *t)
{
	size_t need = ticket_size(t);
	if (dest->cap - dest->len < need)
		writer_flush(dest);
	if (dest->cap - dest->len >= need) {
		char *start = dest->buf + dest->len;
		dest->len += (size_t)(ticket_put(tickets, start, t) - start);
		return;
	}
	buf_grow(&tickets->long_line, need);
	char *end = ticket_put(tickets, tickets->long_line.p, t);
	writer_write(dest, tickets->long_line.p, (size_t)(end - tickets->long_line.p));
}

long long ticket_last_due(void)
{
	return days_from_civil(10000, 1, 1) * 86400LL - 1;
}
