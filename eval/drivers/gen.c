/* gen-drivers: synthetic responses with driver ratings whose true effects
 * are known, for nps-drivers' evaluation and benchmark.
 *
 *   gen-drivers [-s STORES] [-S SEED] [-m MISSING] [-T FIRST:MONTHS] ROWS
 *   gen-drivers -t                                         the truth
 *
 * Eight drivers (sat_wait ... sat_parking), each a latent standard normal
 * z_j, independent of the others, rated 1..5 as round(mu_j + z_j) clamped;
 * the score is round(6.5 + sum beta_j z_j + e), e ~ N(0, 1.5^2), clamped to
 * 0..10. With independent latents the true share of R² of driver j (LMG
 * and relative weights alike) is beta_j^2 / sum beta^2; the ratings'
 * rounding and clamping attenuate every driver alike enough to keep the
 * order. -t prints, per driver, beta, the true share (%), mu and the
 * quadrant those imply against the mean share (12.5%) and the mean of the
 * mus. STORES stores (default 400) in 8 regions; MISSING is the share of
 * ratings left empty (default 0); -T 2025-11:12 adds a responded_at
 * column, each response on a day of one of the 12 months from 2025-11
 * (the monthly report's sample survey, examples/drivers.tsv). The same
 * arguments give the same bytes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define P 8
static const char *const names[P] = { "sat_wait", "sat_staff", "sat_price",
	"sat_quality", "sat_clean", "sat_checkout", "sat_stock", "sat_parking" };
static const double beta[P] = { 1.2, 1.0, 0.8, 0.6, 0.45, 0.3, 0.15, 0.05 };
static const double mu[P] = { 2.5, 4.0, 2.6, 3.9, 2.7, 4.1, 2.8, 3.8 };
static const char *const regions[] = { "north", "south", "east", "west",
				       "central", "coast", "mountain", "lakes" };

static unsigned long long state = 0x2545f4914f6cdd1dULL;

static double uniform(void) /* splitmix64 -> (0, 1) */
{
	unsigned long long z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void) /* Box-Muller, one of the pair */
{
	return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static int clamp(double v, int lo, int hi)
{
	long r = lround(v);
	return r < lo ? lo : r > hi ? hi : (int)r;
}

static void truth(void)
{
	double sb = 0, smu = 0;
	for (int j = 0; j < P; j++)
		sb += beta[j] * beta[j], smu += mu[j];
	printf("driver\tbeta\tshare\tmu\tquadrant\n");
	for (int j = 0; j < P; j++) {
		double share = 100 * beta[j] * beta[j] / sb;
		int high = share >= 100.0 / P, good = mu[j] >= smu / P;
		printf("%s\t%.2f\t%.4f\t%.2f\t%s\n", names[j], beta[j], share, mu[j],
		       high ? (good ? "keep" : "fix_first") : (good ? "maintain" : "low_priority"));
	}
}

int main(int argc, char **argv)
{
	unsigned stores = 400;
	double missing = 0;
	int c, first_year = 0, first_month = 0, months = 0;
	while ((c = getopt(argc, argv, "s:S:m:tT:")) != -1) {
		switch (c) {
		case 's': stores = (unsigned)atoi(optarg); break;
		case 'S': state = strtoull(optarg, NULL, 10) * 2 + 1; break;
		case 'm': missing = atof(optarg); break;
		case 't': truth(); return ferror(stdout) || fflush(stdout) ? 74 : 0;
		case 'T':
			if (sscanf(optarg, "%d-%d:%d", &first_year, &first_month, &months) != 3 ||
			    first_month < 1 || first_month > 12 || months < 1) {
				fprintf(stderr, "gen-drivers: -T must be YYYY-MM:MONTHS (\"%s\")\n", optarg);
				return 64;
			}
			break;
		default: return 64;
		}
	}
	if (optind >= argc || stores < 1) {
		fprintf(stderr, "usage: gen-drivers [-s STORES] [-S SEED] [-m MISSING] ROWS | gen-drivers -t\n");
		return 64;
	}
	long long rows = atoll(argv[optind]);
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	printf(months ? "response_id\tresponded_at\tregion\tstore\tscore"
		      : "response_id\tregion\tstore\tscore");
	for (int j = 0; j < P; j++)
		printf("\t%s", names[j]);
	printf("\n");
	for (long long i = 0; i < rows; i++) {
		unsigned store = (unsigned)(uniform() * stores);
		double y = 6.5 + 1.5 * normal();
		int rating[P];
		for (int j = 0; j < P; j++) {
			double z = normal();
			y += beta[j] * z;
			rating[j] = clamp(mu[j] + z, 1, 5);
		}
		printf("R%08lld", i + 1);
		if (months) {
			int k = first_year * 12 + first_month - 1 + (int)(uniform() * months);
			printf("\t%04d-%02d-%02dT12:00:00Z", k / 12, k % 12 + 1,
			       1 + (int)(uniform() * 28));
		}
		printf("\t%s\tS%03u\t%d", regions[store % 8], store + 1, clamp(y, 0, 10));
		for (int j = 0; j < P; j++) {
			if (missing > 0 && uniform() < missing)
				printf("\t");
			else
				printf("\t%d", rating[j]);
		}
		printf("\n");
	}
	return ferror(stdout) || fflush(stdout) ? 74 : 0;
}
