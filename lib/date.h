/* date: ISO 8601 dates and timestamps, and the periods (day, ISO week,
 * month, quarter, year) that group them. Days count from 1970-01-01 in
 * the proleptic Gregorian calendar. A period is kept as an integer key
 * whose order is time order and whose successor is key + 1. */
#ifndef NPS_DATE_H
#define NPS_DATE_H

#include "slice.h"

struct when {
	long days;      /* the calendar date as written */
	long long utc;  /* seconds since the epoch, UTC (offset applied) */
	int year, month, day; /* the same date, as written */
};

/* One wording for each shared check, so that every program says it the
 * same way ("%s must be " DATE_EXPECTED " (%s)"):
 *	tsv_reject(r, "%s must be %s (%s)", name, DATE_EXPECTED, tsv_quote(f));
 */
#define DATE_EXPECTED \
	"a date YYYY-MM-DD or a timestamp YYYY-MM-DDThh:mm[:ss][Z|+hh:mm]"
#define PERIOD_EXPECTED "YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn or YYYY"
#define PERIOD_KIND_EXPECTED "day, week, month, quarter or year"

enum period_kind { PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH, PERIOD_QUARTER,
		   PERIOD_YEAR };

/* The years a date or period may have: 0001 to 9998. Year 0000's first
 * days fall in ISO week 52 of year -1, and a time in 9999 plus an SLA or a
 * time zone reaches year 10000: outside these years a period or a time
 * could not be written with four digits, so such dates are bad input. */
#define DATE_YEAR_MIN 1
#define DATE_YEAR_MAX 9998

/* "YYYY-MM-DD", or "YYYY-MM-DDThh:mm[:ss[.fff]]" followed by nothing
 * (UTC), "Z" or "+hh:mm"/"-hh:mm"; a space may stand for the "T".
 * 1 on success; 0 for anything else, including 2026-02-30 and a year
 * outside DATE_YEAR_MIN..DATE_YEAR_MAX. */
int date_parse(struct slice s, struct when *w);

long days_from_civil(long y, int m, int d);
void civil_from_days(long days, long *y, int *m, int *d);

/* "day", "week", ... into *kind; 0 if the name is unknown. */
int period_kind_parse(const char *name, enum period_kind *kind);
const char *period_kind_name(enum period_kind kind);
long period_of_days(enum period_kind kind, long days);
/* The same for a parsed date, without converting its days back. */
long period_of_when(enum period_kind kind, const struct when *w);
/* Writes a period as 2026-11-24, 2026-W48, 2026-11, 2026-Q4 or 2026. */
void period_format(enum period_kind kind, long key, char out[48]);
/* Reads one of those forms back, telling which kind it is. */
int period_parse(struct slice s, enum period_kind *kind, long *key);
/* The season a period falls in: month 1..12, ISO week 1..53, quarter 1..4,
 * day of the week 1..7 (Monday 1; a daily series' cycle); 0 for years. */
int period_season(enum period_kind kind, long key);
/* The first day of a period. */
long period_first_day(enum period_kind kind, long key);

#endif
