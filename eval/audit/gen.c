/* gen: a deterministic synthetic panel of survey responses with gaming
 * injected at known units and months, for scoring nps-audit (score.sh).
 *
 *   gen PREFIX [SEED [UNITS [MONTHS]]]
 *
 * writes PREFIX.tsv (unit responded_at transacted_at device score; an
 * invitation never answered has an empty score and no device) and
 * PREFIX.truth.tsv (unit period kind: clean, or the kind of gaming that
 * unit-month carries). Defaults: seed 1, 200 units, 12 months of 2026.
 *
 * Clean units differ, as real ones do: each has its own quality (its
 * scores shifted on a latent scale by N(0, 0.35^2)), size (invitations a
 * month log-uniform over 60..2400) and response rate (0.25..0.45); each
 * month moves every unit's quality by N(0, 0.1^2). A response comes
 * 2 hours to 10 days after its transaction (log-uniform), at a uniform
 * time of a day of the month; a customer answers from their own device,
 * 3% of them twice.
 *
 * 20% of the units game, each in one way, from a month drawn among
 * 1..7 to the end (the truth marks those unit-months):
 *   beg      staff ask for a 10: 60% of the answers that would be 7..9 are 10;
 *   fill     staff fill in surveys themselves: 25% more answers, 9 or 10,
 *            1..90 s after the transaction, in runs of 5..8 a few
 *            minutes apart, from 3 store devices;
 *   select   only happy customers are invited: 80% of would-be detractors
 *            and 40% of passives are never invited (fewer answers, same or
 *            higher score);
 *   deadline invitations piled up before the month closes: 35% more
 *            answers, from customers asked for a good score (9 or 10 with
 *            probability 0.8), all in its last 3 days;
 *   device   answers typed on staff phones: 30% of the answers come from
 *            2 devices, and are 10. */
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

static double normal(void)
{
	double u = uniform(), v = uniform();
	return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

enum kind { CLEAN, BEG, FILL, SELECT, DEADLINE, DEVICE, NKINDS };
static const char *const kind_names[NKINDS] = {
	"clean", "beg", "fill", "select", "deadline", "device",
};

/* A score from a latent quality: a logistic draw cut into 0..10 at
 * thresholds that give, at quality 0, about 25% detractors, 30% passives,
 * 45% promoters, 24% of them tens. */
static int score_of(double quality)
{
	static const double cut[10] = { -4.2, -3.7, -3.2, -2.7, -2.1, -1.6, -1.1,
					-0.3, 0.25, 1.15 };
	double u = uniform();
	double y = quality + log(u / (1 - u));
	int s = 0;
	while (s < 10 && y > cut[s])
		s++;
	return s;
}

static int days_in(int year, int month)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return d[month - 1] + (month == 2 && year % 4 == 0);
}

static void stamp(char *out, int year, int month, long long second)
{
	/* second: seconds since the first of the month (may be negative). */
	int mon = month, yr = year;
	while (second < 0) {
		if (--mon == 0)
			mon = 12, yr--;
		second += 86400LL * days_in(yr, mon);
	}
	long long day = second / 86400;
	while (day >= days_in(yr, mon)) {
		day -= days_in(yr, mon), second -= 86400LL * days_in(yr, mon);
		if (++mon == 13)
			mon = 1, yr++;
	}
	long long s = second % 86400;
	sprintf(out, "%04d-%02d-%02lldT%02lld:%02lld:%02lldZ", yr, mon, day + 1,
		s / 3600, s / 60 % 60, s % 60);
}

static FILE *rows;

static void response(int unit, int month, long long at, long long delay,
		     const char *device, int score)
{
	char when[32], done[32];
	stamp(when, 2026, month, at);
	stamp(done, 2026, month, at - delay);
	if (score < 0)
		fprintf(rows, "u%03d\t%s\t%s\t\t\n", unit, when, done);
	else
		fprintf(rows, "u%03d\t%s\t%s\t%s\t%d\n", unit, when, done, device, score);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gen PREFIX [SEED [UNITS [MONTHS]]]\n");
		return 64;
	}
	unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	int units = argc > 3 ? atoi(argv[3]) : 200;
	int months = argc > 4 ? atoi(argv[4]) : 12;
	state = seed * 0x2545F4914F6CDD1DULL + 1;
	char path[4096];
	snprintf(path, sizeof path, "%s.tsv", argv[1]);
	rows = fopen(path, "w");
	snprintf(path, sizeof path, "%s.truth.tsv", argv[1]);
	FILE *truth = fopen(path, "w");
	if (!rows || !truth) {
		perror(argv[1]);
		return 73;
	}
	fprintf(rows, "unit\tresponded_at\ttransacted_at\tdevice\tscore\n");
	fprintf(truth, "unit\tperiod\tkind\n");
	unsigned long long customer = 0;
	for (int u = 0; u < units; u++) {
		double quality = 0.35 * normal();
		double size = 60 * exp(uniform() * log(40.0));
		double rate = 0.25 + 0.2 * uniform();
		enum kind kind = uniform() < 0.2 ? (enum kind)(1 + (int)(uniform() * 5)) : CLEAN;
		int from = 1 + (int)(uniform() * 7);
		for (int m = 1; m <= months; m++) {
			enum kind now = kind != CLEAN && m >= from ? kind : CLEAN;
			fprintf(truth, "u%03d\t2026-%02d\t%s\n", u, m, kind_names[now]);
			double q = quality + 0.1 * normal();
			long long month_s = 86400LL * days_in(2026, m);
			int invitations = (int)(size * (0.85 + 0.3 * uniform()));
			for (int i = 0; i < invitations; i++) {
				long long at = (long long)(uniform() * (double)month_s);
				long long delay = (long long)(7200 * exp(uniform() * log(120.0)));
				int s = score_of(q);
				if (now == SELECT && ((s <= 6 && uniform() < 0.8) ||
						      (s >= 7 && s <= 8 && uniform() < 0.4)))
					continue; /* never invited */
				if (uniform() >= rate) {
					response(u, m, at, delay, "", -1);
					continue;
				}
				if (now == BEG && s >= 7 && s <= 9 && uniform() < 0.6)
					s = 10;
				char device[32];
				unsigned long long who = ++customer;
				if (now == DEVICE && uniform() < 0.3) {
					snprintf(device, sizeof device, "staff-%03d-%d", u,
						 (int)(uniform() * 2));
					s = 10;
				} else {
					snprintf(device, sizeof device, "d%llu", who);
				}
				response(u, m, at, delay, device, s);
				if (uniform() < 0.03) /* the same customer again */
					response(u, m, at + 86400 + (long long)(uniform() * 86400 * 5),
						 delay + 86400, device, score_of(q));
			}
			int answered = (int)(size * rate);
			if (now == FILL) {
				int extra = (int)(0.25 * answered);
				while (extra > 0) {
					int run = 5 + (int)(uniform() * 4);
					long long at = (long long)(uniform() * (double)(month_s - 3600));
					for (int k = 0; k < run && extra > 0; k++, extra--) {
						char device[32];
						snprintf(device, sizeof device, "tablet-%03d-%d", u,
							 (int)(uniform() * 3));
						response(u, m, at + k * (30 + (long long)(uniform() * 60)),
							 1 + (long long)(uniform() * 89), device,
							 uniform() < 0.7 ? 10 : 9);
					}
				}
			}
			if (now == DEADLINE) {
				int extra = (int)(0.35 * answered);
				for (int k = 0; k < extra; k++) {
					long long at = month_s - (long long)(uniform() * 3 * 86400) - 1;
					long long delay = (long long)(7200 * exp(uniform() * log(120.0)));
					char device[32];
					snprintf(device, sizeof device, "d%llu", ++customer);
					int s = uniform() < 0.8 ? 9 + (uniform() < 0.6) : score_of(q);
					response(u, m, at, delay, device, s);
				}
			}
		}
	}
	if (fclose(rows) || fclose(truth)) {
		perror(argv[1]);
		return 74;
	}
	return 0;
}
