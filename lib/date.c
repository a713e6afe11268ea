#include "date.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil / civil_from_days. */
long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(long z, long *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(long y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

/* n digits at p into *v; 0 if any is not a digit. */
static inline __attribute__((always_inline)) int
fixed_digits(const char *p, int n, int *v)
{
	int x = 0;
	unsigned bad = 0;
	for (int i = 0; i < n; i++) {
		unsigned digit = (unsigned)(unsigned char)p[i] - '0';
		bad |= digit > 9;
		x = x * 10 + (int)digit;
	}
	*v = x;
	return !bad;
}

/* The calendar dates checked last, by their ten bytes, two a set (the
 * newest first): a file holds few distinct dates, and checking one is
 * most of date_parse's work. Lib's plumbing, acceptable as state: a memo
 * of a pure function -- only dates found valid are kept, under all ten of
 * their bytes -- so what it holds never changes a result, and a new run
 * (the fuzz harness's next input) needs no reset. One per thread
 * (tsv_ranges parses dates on several). */
static _Thread_local struct date_seen {
	uint64_t head; /* bytes 0..7 */
	uint16_t tail; /* bytes 8..9 */
	int valid;
	long days;
	int y, m, d;
} dates_seen[1024][2];

/* The date part, YYYY-MM-DD, at p (10 bytes). */
static const struct date_seen *check_date(const char *p)
{
	uint64_t head;
	uint16_t tail;
	memcpy(&head, p, 8);
	memcpy(&tail, p + 8, 2);
	struct date_seen *set =
		dates_seen[((head ^ tail * 0x9e3779b97f4a7c15ULL) * 0xd6e8feb86659fd93ULL) >> 54];
	for (int i = 0; i < 2; i++)
		if (set[i].valid && set[i].head == head && set[i].tail == tail)
			return &set[i];
	int y, m, d;
	if (!fixed_digits(p, 4, &y) || y < DATE_YEAR_MIN || y > DATE_YEAR_MAX || p[4] != '-' ||
	    !fixed_digits(p + 5, 2, &m) || p[7] != '-' ||
	    !fixed_digits(p + 8, 2, &d) || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return NULL;
	set[1] = set[0];
	set[0] = (struct date_seen){ head, tail, 1, days_from_civil(y, m, d), y, m, d };
	return &set[0];
}

int date_parse(struct slice s, struct when *w)
{
	const char *p = s.p;
	size_t n = s.n;
	int hh = 0, mm = 0, ss = 0, oh = 0, om = 0;
	const struct date_seen *date = n >= 10 ? check_date(p) : NULL;
	if (!date)
		return 0;
	size_t i = 10;
	long offset = 0;
	if (n == 20 && p[10] == 'T' && p[13] == ':' && p[16] == ':' && p[19] == 'Z') {
		/* the usual YYYY-MM-DDThh:mm:ssZ, in one go */
		if (!fixed_digits(p + 11, 2, &hh) || !fixed_digits(p + 14, 2, &mm) ||
		    !fixed_digits(p + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
			return 0;
	} else if (i < n) {
		if ((p[i] != 'T' && p[i] != ' ') || n < i + 6 ||
		    !fixed_digits(p + i + 1, 2, &hh) || p[i + 3] != ':' ||
		    !fixed_digits(p + i + 4, 2, &mm))
			return 0;
		i += 6;
		if (i < n && p[i] == ':') {
			if (n < i + 3 || !fixed_digits(p + i + 1, 2, &ss))
				return 0;
			i += 3;
			if (i < n && p[i] == '.') {
				i++;
				size_t start = i;
				while (i < n && p[i] >= '0' && p[i] <= '9')
					i++;
				if (i == start)
					return 0;
			}
		}
		if (hh > 23 || mm > 59 || ss > 60)
			return 0;
		if (i < n && p[i] == 'Z') {
			i++;
		} else if (i < n && (p[i] == '+' || p[i] == '-')) {
			if (n < i + 6 || !fixed_digits(p + i + 1, 2, &oh) ||
			    p[i + 3] != ':' || !fixed_digits(p + i + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return 0;
			offset = (oh * 60L + om) * 60 * (p[i] == '-' ? -1 : 1);
			i += 6;
		}
		if (i != n)
			return 0;
	}
	w->days = date->days;
	w->year = date->y;
	w->month = date->m;
	w->day = date->d;
	w->utc = w->days * 86400LL + hh * 3600L + mm * 60L + ss - offset;
	return 1;
}

static const char *const kind_names[] = { "day", "week", "month", "quarter",
					  "year" };

int period_kind_parse(const char *name, enum period_kind *kind)
{
	for (int k = 0; k < 5; k++)
		if (strcmp(name, kind_names[k]) == 0) {
			*kind = (enum period_kind)k;
			return 1;
		}
	return 0;
}

const char *period_kind_name(enum period_kind kind)
{
	return kind_names[kind];
}

/* 1970-01-05 (day 4) is a Monday: week keys count Mondays from there. */
static long monday_of(long days)
{
	long wd = ((days - 4) % 7 + 7) % 7; /* 0 = Monday */
	return days - wd;
}

static long week_key(long monday) { return (monday - 4) / 7 + 1; }
static long week_monday(long key) { return (key - 1) * 7 + 4; }

/* The ISO year of the week starting on monday: the year of its Thursday. */
static void iso_week(long monday, long *year, int *week)
{
	long y;
	int m, d;
	civil_from_days(monday + 3, &y, &m, &d);
	long jan4 = days_from_civil(y, 1, 4);
	*year = y;
	*week = (int)((monday - monday_of(jan4)) / 7 + 1);
}

long period_of_days(enum period_kind kind, long days)
{
	long y;
	int m, d;
	if (kind == PERIOD_DAY)
		return days;
	if (kind == PERIOD_WEEK)
		return week_key(monday_of(days));
	civil_from_days(days, &y, &m, &d);
	if (kind == PERIOD_MONTH)
		return y * 12 + (m - 1);
	if (kind == PERIOD_QUARTER)
		return y * 4 + (m - 1) / 3;
	return y;
}

long period_of_when(enum period_kind kind, const struct when *w)
{
	switch (kind) {
	case PERIOD_MONTH:
		return w->year * 12L + (w->month - 1);
	case PERIOD_QUARTER:
		return w->year * 4L + (w->month - 1) / 3;
	case PERIOD_YEAR:
		return w->year;
	default:
		return period_of_days(kind, w->days);
	}
}

static long floor_div(long a, long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void period_format(enum period_kind kind, long key, char out[48])
{
	long y;
	int m, d, w;
	switch (kind) {
	case PERIOD_DAY:
		civil_from_days(key, &y, &m, &d);
		snprintf(out, 48, "%04ld-%02d-%02d", y, m, d);
		break;
	case PERIOD_WEEK:
		iso_week(week_monday(key), &y, &w);
		snprintf(out, 48, "%04ld-W%02d", y, w);
		break;
	case PERIOD_MONTH:
		snprintf(out, 48, "%04ld-%02ld", floor_div(key, 12),
			 key - floor_div(key, 12) * 12 + 1);
		break;
	case PERIOD_QUARTER:
		snprintf(out, 48, "%04ld-Q%ld", floor_div(key, 4),
			 key - floor_div(key, 4) * 4 + 1);
		break;
	case PERIOD_YEAR:
		snprintf(out, 48, "%04ld", key);
		break;
	}
}

int period_parse(struct slice s, enum period_kind *kind, long *key)
{
	const char *p = s.p;
	int y, a;
	struct when w;
	if (s.n < 4 || !fixed_digits(p, 4, &y) || y < DATE_YEAR_MIN ||
	    y > DATE_YEAR_MAX)
		return 0;
	if (s.n == 4) {
		*kind = PERIOD_YEAR;
		*key = y;
		return 1;
	}
	if (p[4] != '-')
		return 0;
	if (s.n == 7 && p[5] == 'Q' && fixed_digits(p + 6, 1, &a) && a >= 1 &&
	    a <= 4) {
		*kind = PERIOD_QUARTER;
		*key = y * 4L + a - 1;
		return 1;
	}
	if (s.n == 8 && p[5] == 'W' && fixed_digits(p + 6, 2, &a) && a >= 1) {
		long monday = monday_of(days_from_civil(y, 1, 4)) + (a - 1) * 7L;
		long iy;
		int iw;
		iso_week(monday, &iy, &iw);
		if (iy != y) /* week 53 of a year that has only 52 */
			return 0;
		*kind = PERIOD_WEEK;
		*key = week_key(monday);
		return 1;
	}
	if (s.n == 7 && fixed_digits(p + 5, 2, &a) && a >= 1 && a <= 12) {
		*kind = PERIOD_MONTH;
		*key = y * 12L + a - 1;
		return 1;
	}
	if (s.n == 10 && date_parse(s, &w)) {
		*kind = PERIOD_DAY;
		*key = w.days;
		return 1;
	}
	return 0;
}

int period_season(enum period_kind kind, long key)
{
	long y;
	int w;
	switch (kind) {
	case PERIOD_DAY: /* 1970-01-01 was a Thursday */
		return (int)(((key + 3) % 7 + 7) % 7) + 1;
	case PERIOD_WEEK:
		iso_week(week_monday(key), &y, &w);
		return w;
	case PERIOD_MONTH:
		return (int)(key - floor_div(key, 12) * 12 + 1);
	case PERIOD_QUARTER:
		return (int)(key - floor_div(key, 4) * 4 + 1);
	default:
		return 0;
	}
}

long period_first_day(enum period_kind kind, long key)
{
	switch (kind) {
	case PERIOD_DAY:
		return key;
	case PERIOD_WEEK:
		return week_monday(key);
	case PERIOD_MONTH:
		return days_from_civil(floor_div(key, 12),
				       (int)(key - floor_div(key, 12) * 12 + 1), 1);
	case PERIOD_QUARTER:
		return days_from_civil(floor_div(key, 4),
				       (int)(key - floor_div(key, 4) * 4) * 3 + 1, 1);
	default:
		return days_from_civil(key, 1, 1);
	}
}
