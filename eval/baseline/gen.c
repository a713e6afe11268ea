/* gen: a deterministic synthetic panel of store-month NPS with a known
 * truth, for scoring nps-baseline (see score.sh). Usage:
 *
 *   gen PREFIX [SEED [STORES [MONTHS [SHIFTS [trend]]]]]
 *
 * writes PREFIX.agg.tsv (nps-agg output, -g store -p month), PREFIX.events.tsv
 * (start end label store) and PREFIX.truth.tsv (store period n true_nps
 * shift anomaly usual_sd forecast level). The truth of each store-month, in NPS points:
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
 * the same). Same arguments, same bytes, on any machine: the
 * random numbers come from our own generator, not libc's. */
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
		fprintf(stderr, "usage: gen PREFIX [SEED [STORES [MONTHS [SHIFTS [trend]]]]]\n");
		return 64;
	}
	state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	int stores = argc > 3 ? atoi(argv[3]) : 80;
	int months = argc > 4 ? atoi(argv[4]) : 36;
	int visible = argc <= 5 || strcmp(argv[5], "fixed") != 0;
	int trend = argc > 6 && strcmp(argv[6], "trend") == 0;
	const int year0 = 2024;
	FILE *agg = create(argv[1], ".agg.tsv"), *ev = create(argv[1], ".events.tsv"),
	     *truth = create(argv[1], ".truth.tsv");
	fprintf(agg, "store\tperiod\tn\tpromoters\tpassives\tdetractors\tpct_promoters\t"
		     "pct_passives\tpct_detractors\tnps\tse\tci_low\tci_high\n");
	fprintf(ev, "start\tend\tlabel\tstore\n");
	fprintf(truth, "store\tperiod\tn\ttrue_nps\tshift\tanomaly\tusual_sd\tforecast\tlevel\n");

	/* Which stores run which event: fixed per store. */
	int (*in)[NKINDS] = calloc((size_t)stores, sizeof *in);
	for (int s = 0; s < stores; s++)
		for (int k = 0; k < NKINDS; k++)
			in[s][k] = uniform() < kinds[k].share;
	for (int k = 0; k < NKINDS; k++)
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

	for (int s = 0; s < stores; s++) {
		double size = exp(between(log(30), log(1200)));
		double level = between(0, 50), tau = between(0, 4);
		double passive = between(0.15, 0.35), factor = between(0.5, 1.5);
		double slope = trend ? between(-1, 1) : 0;
		for (int t = 0; t < months; t++) {
			int y = t / 12, m = t % 12;
			level += slope + 0.5 * gauss();
			/* every draw happens, so a gap does not shift the stream */
			double noise = tau * gauss(), u_gap = uniform(), u_shift = uniform();
			double sign = uniform() < 0.5 ? -1 : 1, scale = uniform();
			double nd = size * between(0.85, 1.15);
			int n = (int)lround(nd < 30 ? 30 : nd > 1200 ? 1200 : nd);
			double forecast = level + factor * season[m];
			for (int k = 0; k < NKINDS; k++) {
				int runs = kinds[k].share >= 1 || in[s][k];
				if (runs && m + 1 == kinds[k].month && (!kinds[k].once || y == 1))
					forecast += kinds[k].effect;
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
			fprintf(agg, "S%03d\t%d-%02d\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n",
				s + 1, year0 + y, m + 1, n, c[0], c[1], c[2], 100 * sp,
				100.0 * c[1] / n, 100 * sd, nps, se, lo < -100 ? -100 : lo,
				hi > 100 ? 100 : hi);
			fprintf(truth, "S%03d\t%d-%02d\t%d\t%.2f\t%.2f\t%d\t%.2f\t%.2f\t%.2f\n", s + 1,
				year0 + y, m + 1, n, x, shift, anomaly, usual, forecast,
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
