/* gen: a deterministic synthetic panel of store-month (or store-week,
 * store-day) NPS with a known truth, for scoring nps-baseline (see
 * score.sh). Usage:
 *
 *   gen PREFIX [SEED [STORES [PERIODS [SHIFTS [trend|flat [month|week|day]]]]]]
 *
 * writes PREFIX.agg.tsv (nps-agg output, -g store -p KIND), PREFIX.events.tsv
 * (start end label store) and PREFIX.truth.tsv (store period t n true_nps
 * shift anomaly usual_sd forecast level; t counts periods from 0). The
 * truth of each store-period, in NPS points:
 *
 *   level (store, drifting)  + seasonal (company pattern x store factor)
 *   + event effects          + process noise N(0, tau_store^2)
 *   + shift (injected, in known cells: the anomalies to find)
 *
 * and its responses are a multinomial draw of n promoters / passives /
 * detractors with those shares. 4% of the store-months from the ninth on
 * carry a one-month shift, up or down: with SHIFTS "visible" (the default)
 * of 3 to 6 times that month's usual variation, the standard deviation of
 * sampling and process noise together (at least 10 points, at most 60):
 * a month as unusual for a store of 30 as for one of 1200; with "fixed",
 * of 10 to 30 points whatever the store, so that in small stores most are
 * drowned in sampling noise. Store sizes are log-uniform over 30..1200
 * responses a month. With "trend", each store's level also moves by a
 * steady -1..1 point a month (drawn only then, so the panel is otherwise
 * the same).
 *
 * Weeks (a weekly board): periods from 2024-W01, store sizes 30..1200 a
 * week, the level drifting by sd 0.25 a week, the season the month's
 * pattern above (by the month of the week's Thursday) and a Christmas
 * dip of -8 in the week of December 25; events: the spring promotion
 * in ISO weeks 14-15 in 40% of the stores, a launch -10 in week 6 of
 * the second year everywhere, and "christmas" as a holiday event.
 * Days (a daily board): from 2024-01-01, sizes 10..300 a day, drift sd
 * 0.1 a day, a day-of-week pattern (Saturday -5, Sunday -3, Friday -2,
 * Tuesday and Wednesday +1), public holidays -10 (New Year, 2024-02-12,
 * Good Friday 2024-03-29 and every 45th day after) as the unscoped event
 * "holiday", and a promotion +8 on days 20-22 and 60-62 in 40% of the
 * stores. Same arguments, same bytes, on any machine: the random
 * numbers come from our own generator, not libc's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state;

static double uniform(void) /* splitmix64 -> [0, 1) */
{
	unsigned long long z = (state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }

static double gauss(void) /* Box-Muller, one of the pair */
{
	double u = uniform(), v = uniform();
	return sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v);
}

/* The company's month-of-year pattern: a December rush, a good spring. */
static const double season[12] = { -1, 0, 1, 2, 3, 2, 1, 0, -1, -2, -5, -8 };

/* Events: label, month of year, share of stores it runs in, effect. A
 * share of 1 is one unscoped row; otherwise one row per store. The launch
 * happens once, in the second year. */
static const struct {
	const char *label;
	int month, once;
	double share, effect;
} kinds[] = {
	{ "spring_promo", 4, 0, 0.4, 8 },
	{ "acquisition", 9, 0, 0.3, -6 },
	{ "launch", 2, 1, 1.0, -10 },
};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };

enum kind { MONTH, WEEK, DAY };

/* Days from 1970-01-01 of a civil date, and back (Howard Hinnant's). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, int *m, int *d)
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

/* Period t of the panel: its label, first day, and the calendar facts the
 * truth needs (month 1..12, ISO week 1..53, day of week 1..7 Monday 1). */
struct when {
	char label[16];
	long first, last; /* days */
	int month, week, weekday, year_index;
};

static void period_at(enum kind kind, int t, int year0, struct when *w)
{
	long y;
	int m, d;
	if (kind == MONTH) {
		int yy = year0 + t / 12, mm = t % 12 + 1;
		snprintf(w->label, sizeof w->label, "%d-%02d", yy, mm);
		w->first = days_from_civil(yy, mm, 1);
		w->last = (mm == 12 ? days_from_civil(yy + 1, 1, 1) : days_from_civil(yy, mm + 1, 1)) - 1;
		w->month = mm;
		w->year_index = t / 12;
		w->week = w->weekday = 0;
		return;
	}
	long day0 = days_from_civil(year0, 1, 1); /* 2024-01-01 is a Monday */
	long first = kind == WEEK ? day0 + 7L * t : day0 + t;
	long thursday = kind == WEEK ? first + 3 : first;
	civil_from_days(thursday, &y, &m, &d);
	/* ISO week: of the Thursday's year, counted from its first Thursday */
	long jan1 = days_from_civil(y, 1, 1);
	int week = (int)((thursday - jan1) / 7) + 1;
	if (kind == WEEK) {
		snprintf(w->label, sizeof w->label, "%ld-W%02d", y, week);
		w->last = first + 6;
	} else {
		civil_from_days(first, &y, &m, &d);
		snprintf(w->label, sizeof w->label, "%ld-%02d-%02d", y, m, d);
		w->last = first;
	}
	w->first = first;
	w->month = m;
	w->week = week;
	w->weekday = (int)(((first + 3) % 7 + 7) % 7) + 1;
	w->year_index = (int)(y - year0);
}

static void day_label(long days, char out[16])
{
	long y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 16, "%ld-%02d-%02d", y, m, d);
}

static const double weekday_effect[8] = { 0, 0, 1, 1, 0, -2, -5, -3 };

static FILE *create(const char *prefix, const char *suffix)
{
	char path[4096];
	snprintf(path, sizeof path, "%s%s", prefix, suffix);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(73);
	}
	return f;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gen PREFIX [SEED [STORES [PERIODS [SHIFTS [trend|flat [month|week|day]]]]]]\n");
		return 64;
	}
	state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	int stores = argc > 3 ? atoi(argv[3]) : 80;
	int months = argc > 4 ? atoi(argv[4]) : 36;
	int visible = argc <= 5 || strcmp(argv[5], "fixed") != 0;
	int trend = argc > 6 && strcmp(argv[6], "trend") == 0;
	enum kind kind = argc <= 7 || strcmp(argv[7], "month") == 0 ? MONTH
		       : strcmp(argv[7], "week") == 0 ? WEEK : DAY;
	const int year0 = 2024;
	/* per kind: sizes, drift a period */
	double lo = kind == DAY ? 10 : 30, hi = kind == DAY ? 300 : 1200;
	double drift = kind == MONTH ? 0.5 : kind == WEEK ? 0.25 : 0.1;
	FILE *agg = create(argv[1], ".agg.tsv"), *ev = create(argv[1], ".events.tsv"),
	     *truth = create(argv[1], ".truth.tsv");
	fprintf(agg, "store\tperiod\tn\tpromoters\tpassives\tdetractors\tpct_promoters\t"
		     "pct_passives\tpct_detractors\tnps\tse\tci_low\tci_high\n");
	fprintf(ev, "start\tend\tlabel\tstore\n");
	fprintf(truth, "store\tperiod\tt\tn\ttrue_nps\tshift\tanomaly\tusual_sd\tforecast\tlevel\n");

	/* Which stores run which event: fixed per store. */
	int (*in)[NKINDS] = calloc((size_t)stores, sizeof *in);
	for (int s = 0; s < stores; s++)
		for (int k = 0; k < NKINDS; k++)
			in[s][k] = uniform() < kinds[k].share;
	for (int k = 0; k < NKINDS && kind == MONTH; k++)
		for (int y = 0; y * 12 < months; y++) {
			if (kinds[k].once && y != 1)
				continue;
			if (y * 12 + kinds[k].month > months)
				break;
			if (kinds[k].share >= 1) {
				fprintf(ev, "%d-%02d-01\t%d-%02d-28\t%s\t\n", year0 + y,
					kinds[k].month, year0 + y, kinds[k].month,
					kinds[k].label);
				continue;
			}
			for (int s = 0; s < stores; s++)
				if (in[s][k])
					fprintf(ev, "%d-%02d\t%d-%02d\t%s\tS%03d\n", year0 + y,
						kinds[k].month, year0 + y, kinds[k].month,
						kinds[k].label, s + 1);
		}

	/* Weeks and days: the events as day ranges, written once. */
	struct ev { long first, last; int store; const char *label; double effect; } evs[4096];
	int nevs = 0;
	if (kind != MONTH) {
		struct when a, z;
		period_at(kind, 0, year0, &a);
		period_at(kind, months - 1, year0, &z);
		for (long y = year0; y <= year0 + (z.last - a.first) / 365 + 1; y++) {
			if (kind == WEEK) {
				long xmas = days_from_civil(y, 12, 25);
				long mon = xmas - ((xmas + 3) % 7 + 7) % 7;
				evs[nevs++] = (struct ev){ mon, mon + 6, -1, "christmas", -8 };
				/* ISO week w of year y starts on the Monday of week 1 + 7 (w-1) */
				long jan4 = days_from_civil(y, 1, 4);
				long w1 = jan4 - ((jan4 + 3) % 7 + 7) % 7;
				for (int s = 0; s < stores; s++) {
					if (in[s][0])
						evs[nevs++] = (struct ev){ w1 + 7 * 13, w1 + 7 * 15 - 1, s, "spring_promo", 8 };
					if (in[s][1])
						evs[nevs++] = (struct ev){ w1 + 7 * 35, w1 + 7 * 37 - 1, s, "acquisition", -6 };
				}
				if (y == year0 + 1)
					evs[nevs++] = (struct ev){ w1 + 7 * 5, w1 + 7 * 6 - 1, -1, "launch", -10 };
			} else if (y == year0) {
				long d0 = days_from_civil(y, 1, 1);
				long hol[] = { d0, days_from_civil(y, 2, 12), days_from_civil(y, 3, 29) };
				for (int h = 0; h < 3; h++)
					evs[nevs++] = (struct ev){ hol[h], hol[h], -1, "holiday", -10 };
				for (long d = days_from_civil(y, 3, 29) + 45; d <= z.last; d += 45)
					evs[nevs++] = (struct ev){ d, d, -1, "holiday", -10 };
				for (int s = 0; s < stores; s++)
					if (in[s][0]) {
						evs[nevs++] = (struct ev){ d0 + 20, d0 + 22, s, "promo", 8 };
						evs[nevs++] = (struct ev){ d0 + 60, d0 + 62, s, "promo", 8 };
					}
			}
		}
		for (int e = 0; e < nevs; e++) {
			char f[16], l[16];
			day_label(evs[e].first, f);
			day_label(evs[e].last, l);
			if (evs[e].store < 0)
				fprintf(ev, "%s\t%s\t%s\t\n", f, l, evs[e].label);
			else
				fprintf(ev, "%s\t%s\t%s\tS%03d\n", f, l, evs[e].label, evs[e].store + 1);
		}
	}

	for (int s = 0; s < stores; s++) {
		double size = exp(between(log(lo), log(hi)));
		double level = between(0, 50), tau = between(0, 4);
		double passive = between(0.15, 0.35), factor = between(0.5, 1.5);
		double slope = trend ? between(-1, 1) : 0;
		for (int t = 0; t < months; t++) {
			int y = t / 12, m = t % 12;
			level += slope + drift * gauss();
			/* every draw happens, so a gap does not shift the stream */
			double noise = tau * gauss(), u_gap = uniform(), u_shift = uniform();
			double sign = uniform() < 0.5 ? -1 : 1, scale = uniform();
			double nd = size * between(0.85, 1.15);
			int n = (int)lround(nd < lo ? lo : nd > hi ? hi : nd);
			struct when at;
			period_at(kind, t, year0, &at);
			double forecast = level;
			if (kind == MONTH) {
				forecast += factor * season[m];
				for (int k = 0; k < NKINDS; k++) {
					int runs = kinds[k].share >= 1 || in[s][k];
					if (runs && m + 1 == kinds[k].month && (!kinds[k].once || y == 1))
						forecast += kinds[k].effect;
				}
			} else {
				forecast += factor * (kind == WEEK ? season[at.month - 1]
								   : weekday_effect[at.weekday]);
				for (int e = 0; e < nevs; e++)
					if ((evs[e].store < 0 || evs[e].store == s) &&
					    evs[e].first <= at.last && evs[e].last >= at.first)
						forecast += evs[e].effect;
			}
			double x = forecast + noise;
			double noise_sd = 100 * sqrt((1 - passive - x * x / 1e4) / n);
			double usual = sqrt(noise_sd * noise_sd + tau * tau);
			double shift = visible ? (3 + 3 * scale) * usual : 10 + 20 * scale;
			shift = sign * (shift < 10 ? 10 : shift > 60 ? 60 : shift);
			int anomaly = t >= 8 && u_shift < 0.04;
			if (anomaly)
				x += shift;
			else
				shift = 0;
			if (u_gap < 0.03)
				continue; /* no responses this month */
			double lim = 100 * (1 - passive) - 0.1;
			x = x > lim ? lim : x < -lim ? -lim : x;
			double p = (1 - passive + x / 100) / 2; /* d: the rest */
			int c[3] = { 0, 0, 0 }; /* promoters passives detractors */
			for (int i = 0; i < n; i++) {
				double u = uniform();
				c[u < p ? 0 : u < p + passive ? 1 : 2]++;
			}
			double sp = (double)c[0] / n, sd = (double)c[2] / n;
			double nps = 100 * (sp - sd), se = 100 * sqrt((sp + sd - (sp - sd) * (sp - sd)) / n);
			double lo = nps - 1.959964 * se, hi = nps + 1.959964 * se;
			fprintf(agg, "S%03d\t%s\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n",
				s + 1, at.label, n, c[0], c[1], c[2], 100 * sp,
				100.0 * c[1] / n, 100 * sd, nps, se, lo < -100 ? -100 : lo,
				hi > 100 ? 100 : hi);
			fprintf(truth, "S%03d\t%s\t%d\t%d\t%.2f\t%.2f\t%d\t%.2f\t%.2f\t%.2f\n", s + 1,
				at.label, t, n, x, shift, anomaly, usual, forecast,
				level);
		}
	}
	free(in);
	if (fclose(agg) || fclose(ev) || fclose(truth)) {
		perror("write");
		return 74;
	}
	return 0;
}
