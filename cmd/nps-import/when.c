/* when: dates and times read by a strptime-style format (English names,
 * whatever the locale), written as ISO 8601, and the UTC offset of a
 * local time in a tz database zone, found with localtime_r. See import.h. */
#define _GNU_SOURCE /* tm_gmtoff */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "date.h"
#include "import.h"
#include "util.h"

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

int when_scan(const char *fmt, struct slice s, struct stamp *t)
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

void when_check_format(const char *opt, const char *fmt)
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

/* Of two instants (the hour repeated when summer time ends), the earlier
 * one is the one with the larger offset: summer time. */
int when_tz_offset(struct tz_cache *c, long long local, long *off)
{
	long day = (long)(local >= 0 ? local / 86400 : (local - 86399) / 86400);
	if (day == c->day) {
		*off = c->offset;
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
		c->day = day;
		c->offset = a;
	}
	return 1;
}

size_t when_format(const struct stamp *t, int has_offset, long offset, char *out)
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
