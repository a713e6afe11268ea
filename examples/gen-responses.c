/* gen-responses: a deterministic stream of synthetic NPS responses, for the
 * bundled sample and the benchmarks.
 *
 *   gen-responses [-s STORES] [-S SEED] ROWS      responses
 *   gen-responses -b [-S SEED] ROWS               competitor benchmark
 *
 * Responses: STORES stores (default 400) in 8 regions, sizes very unequal,
 * 24 months from 2024-11 to 2026-10, with a December season, a yearly
 * promotion (Black Friday, 20-30 November) that costs points, a product
 * launch in March-April 2026, and two stores whose level really moves in
 * 2026-10 (S007 falls, S012 rises). The benchmark: five brands, weighted.
 * The same arguments always give the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long state = 88172645463325252ULL;

static unsigned rnd(void) /* xorshift64*: small and reproducible */
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (unsigned)((state * 2685821657736338717ULL) >> 33);
}

static const char *const regions[] = { "north", "south", "east", "west",
				       "central", "coast", "mountain", "lakes" };
static const char *const channels[] = { "store", "web", "app", "phone" };
static const char *const reasons[] = { "price", "wait_time", "staff",
				       "product_quality", "stock" };
static const int days_in[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* A score whose promoter and detractor shares move with `shift` points. */
static int draw_score(int shift)
{
	int roll = (int)(rnd() % 100) + shift / 2;
	return roll < 12 ? (int)(rnd() % 5) : roll < 25 ? 5 + (int)(rnd() % 2)
	     : roll < 55 ? 7 + (int)(rnd() % 2) : 9 + (int)(rnd() % 2);
}

static void benchmark(long long rows)
{
	static const char *const brands[] = { "us", "alpha", "beta", "gamma", "delta" };
	static const int level[] = { 4, 2, -14, 14, -30 };
	printf("brand\tresponded_at\tscore\tweight\n");
	for (long long i = 0; i < rows; i++) {
		int b = (int)(rnd() % 5), month = 12 + (int)(rnd() % 12);
		int y = 2024 + (10 + month) / 12, m = (10 + month) % 12;
		printf("%s\t%04d-%02d-%02d\t%d\t%u.%u\n", brands[b], y, m + 1,
		       1 + (int)(rnd() % 28), draw_score(level[b]), 1 + rnd() % 2,
		       rnd() % 10);
	}
}

int main(int argc, char **argv)
{
	unsigned stores = 400;
	int bench = 0, c;
	while ((c = getopt(argc, argv, "s:S:b")) != -1) {
		switch (c) {
		case 's': stores = (unsigned)atoi(optarg); break;
		case 'S': state = strtoull(optarg, NULL, 10) * 2 + 1; break;
		case 'b': bench = 1; break;
		default: return 64;
		}
	}
	if (optind >= argc || stores < 1) {
		fprintf(stderr, "usage: gen-responses [-b] [-s STORES] [-S SEED] ROWS\n");
		return 64;
	}
	long long rows = atoll(argv[optind]);
	static char out[1 << 16];
	setvbuf(stdout, out, _IOFBF, sizeof out);
	if (bench) {
		benchmark(rows);
		return ferror(stdout) || fflush(stdout) ? 74 : 0;
	}
	printf("response_id\tresponded_at\tregion\tstore\tchannel\tcustomer_value\tscore\treason\n");
	for (long long i = 0; i < rows; i++) {
		/* Store sizes: a third of the responses go to the first tenth. */
		unsigned k = rnd() % stores;
		if (rnd() % 3 == 0)
			k = k % (stores / 10 + 1);
		int month = (int)(rnd() % 24); /* 0 = 2024-11 */
		int y = 2024 + (10 + month) / 12, m = (10 + month) % 12;
		int d = 1 + (int)(rnd() % (unsigned)days_in[m]);
		int shift = (int)(k * 37 % 21) - 10; /* each store its own level */
		if (m == 11)
			shift -= 12; /* the December season */
		if (m == 10 && d >= 20 && d <= 30)
			shift -= 30; /* Black Friday crowds */
		if (y == 2026 && (m == 2 || m == 3))
			shift -= 16; /* the launch's teething troubles */
		if (y == 2026 && m == 9 && k + 1 == 7)
			shift -= 60;
		if (y == 2026 && m == 9 && k + 1 == 12)
			shift += 40;
		int score = draw_score(shift);
		const char *reason = score >= 9 ? "" : reasons[rnd() % 5];
		printf("R%08lld\t%04d-%02d-%02dT%02u:%02u:00Z\t%s\tS%03u\t%s\t%u.%02u\t%d\t%s\n",
		       i + 1, y, m + 1, d, rnd() % 24, rnd() % 60, regions[k % 8],
		       k + 1, channels[rnd() % 4], rnd() % 2000, rnd() % 100, score,
		       reason);
	}
	return ferror(stdout) || fflush(stdout) ? 74 : 0;
}
