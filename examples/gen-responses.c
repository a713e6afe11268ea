/* gen-responses: a deterministic stream of synthetic NPS responses for the
 * bundled sample and the benchmarks. Usage: gen-responses ROWS [SEED].
 * 400 stores in 8 regions, sizes very unequal, 24 months from 2025-01,
 * a December season, customer value, a channel. Same arguments, same bytes. */
#include <stdio.h>
#include <stdlib.h>

static unsigned long long state;

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
static const int days_in[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gen-responses ROWS [SEED]\n");
		return 64;
	}
	long long rows = atoll(argv[1]);
	state = argc > 2 ? strtoull(argv[2], NULL, 10) * 2 + 1 : 88172645463325252ULL;
	static char out[1 << 16];
	setvbuf(stdout, out, _IOFBF, sizeof out);
	printf("response_id\tresponded_at\tregion\tstore\tchannel\tcustomer_value\tscore\n");
	for (long long i = 0; i < rows; i++) {
		/* Store sizes: store k is picked with weight ~ 1/(1 + k/8). */
		unsigned k = rnd() % 400;
		if (rnd() % 3 == 0)
			k = k % 40;
		int month = (int)(rnd() % 24), y = 2025 + month / 12, m = month % 12;
		int d = 1 + (int)(rnd() % (unsigned)days_in[m]);
		int quality = (int)(k * 37 % 21) - 10; /* per store, -10..10 */
		int roll = (int)(rnd() % 100) + quality / 2 + (m == 11 ? -8 : 0);
		int score = roll < 12 ? (int)(rnd() % 5) : roll < 25 ? 5 + (int)(rnd() % 2)
			  : roll < 55 ? 7 + (int)(rnd() % 2) : 9 + (int)(rnd() % 2);
		printf("R%08lld\t%04d-%02d-%02dT%02u:%02u:00Z\t%s\tS%03u\t%s\t%u.%02u\t%d\n",
		       i + 1, y, m + 1, d, rnd() % 24, rnd() % 60, regions[k % 8],
		       k + 1, channels[rnd() % 4], rnd() % 2000, rnd() % 100, score);
	}
	return ferror(stdout) || fflush(stdout) ? 74 : 0;
}
