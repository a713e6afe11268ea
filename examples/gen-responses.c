/* gen-responses: a deterministic stream of synthetic NPS responses, for the
 * bundled sample and the benchmarks.
 *
 *   gen-responses [-s STORES] [-S SEED] [-c] ROWS  responses
 *   gen-responses -b [-S SEED] ROWS                competitor benchmark
 *
 * Responses: STORES stores (default 400) in 8 regions, sizes very unequal,
 * 24 months from 2024-11 to 2026-10, with a December season, a yearly
 * promotion (Black Friday, 20-30 November) that costs points, a product
 * launch in March-April 2026, and two stores whose level really moves in
 * 2026-10 (S007 falls, S012 rises). The benchmark: five brands, weighted.
 * -c adds a last column, comment: a free-text comment in English, French
 * or Chinese (by store), from a generator of its own, so the other columns
 * keep their bytes. A detractor's comment, when there is one (nine in
 * ten), talks about its reason code and may deny another theme first
 * ("Not expensive, but the queue was endless"); passives' are milder,
 * promoters' praise. examples/themes.tsv tags them.
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

/* The comments' own generator, so that -c leaves the other columns as
 * they are. */
static unsigned long long comment_state = 0x9e3779b97f4a7c15ULL;

static unsigned crnd(void)
{
	comment_state ^= comment_state >> 12;
	comment_state ^= comment_state << 25;
	comment_state ^= comment_state >> 27;
	return (unsigned)((comment_state * 2685821657736338717ULL) >> 33);
}

#define PICK(list) (list[crnd() % (sizeof list / sizeof *list)])

/* Complaints by reason (the order of reasons[]) and language. */
static const char *const complaints[3][5][4] = {
	{ { "Way too expensive.", "Prices keep going up.", "Overpriced for what you get.",
	    "Too expensive compared to other shops." },
	  { "Waited 30 minutes at the till.", "The queue was endless.",
	    "Long wait, only one checkout open.", "Had to wait ages to be served." },
	  { "The staff were rude.", "Unfriendly staff, nobody helped me.",
	    "The cashier was rude.", "Staff ignored me." },
	  { "It broke after a week.", "Poor quality, it fell apart.",
	    "The product was defective.", "Bad quality, it stopped working." },
	  { "Out of stock again.", "They never have my size in stock.",
	    "Empty shelves everywhere.", "The item I wanted was sold out." } },
	{ { "Beaucoup trop cher.", "Les prix ont encore augmenté.",
	    "Trop cher pour ce que c'est.", "Prix excessifs." },
	  { "Attente interminable en caisse.", "J'ai attendu 30 minutes.",
	    "Trop d'attente, une seule caisse ouverte.", "File d'attente énorme." },
	  { "Vendeur désagréable.", "Personnel impoli.", "Caissière très désagréable.",
	    "Le personnel nous a ignorés." },
	  { "Produit cassé au bout d'une semaine.", "Mauvaise qualité.",
	    "Article défectueux.", "Qualité médiocre, déjà abîmé." },
	  { "Encore en rupture de stock.", "Rayons vides.", "Article indisponible.",
	    "Jamais ma taille en stock." } },
	{ { "太贵了。", "价格又涨了。", "东西太贵，不划算。", "价格太高了。" },
	  { "排队排了半个小时。", "等了很久才结账。", "收银台只开了一个，排队太长。",
	    "等太久了。" },
	  { "店员态度很差。", "服务员不理人。", "收银员很不耐烦。", "店员态度恶劣。" },
	  { "质量太差了，用了一周就坏了。", "东西是坏的。", "做工很差。", "质量有问题。" },
	  { "又缺货了。", "货架是空的。", "想买的东西没货。", "尺码总是缺货。" } },
};
/* Milder words from passives. */
static const char *const mild[3][5] = {
	{ "A bit pricey.", "The queue was a little long.", "Staff could be friendlier.",
	  "Quality is just okay.", "Some items were out of stock." },
	{ "Un peu cher.", "Un peu d'attente.", "Personnel peu souriant.",
	  "Qualité moyenne.", "Quelques articles en rupture de stock." },
	{ "有点贵。", "排队有点久。", "店员不太热情。", "质量一般。", "有些东西缺货。" },
};
/* A theme denied before the complaint: price, wait_time, staff (the
 * first three reasons, same index). */
static const char *const denials[3][3] = {
	{ "Not expensive, but ", "No queue, but ", "Nobody was rude, but " },
	{ "Pas cher, mais ", "Pas d'attente, mais ", NULL },
	{ "不贵，但是", "不用排队，但是", NULL },
};
static const char *const praise[3][6] = {
	{ "Great service!", "Friendly staff, quick checkout.", "Love this store.",
	  "Good prices and great quality.", "Always find what I need.", "Excellent." },
	{ "Très bon accueil.", "Personnel souriant et efficace.", "Super magasin.",
	  "Bons prix, bonne qualité.", "Rien à redire.", "Parfait." },
	{ "服务很好！", "店员很热情，结账也快。", "很喜欢这家店。", "价格实惠，质量好。",
	  "东西很全。", "非常满意。" },
};
static const char *const neutral[3][3] = {
	{ "Fine.", "Nothing special.", "It was okay." },
	{ "Correct.", "Sans plus.", "Ça va." },
	{ "还行。", "一般般。", "还可以。" },
};

/* The comment of a response with this score and reason (an index into
 * reasons[], -1 for none) at store k. */
static void write_comment(unsigned k, int score, int reason)
{
	int lang = k % 4 < 2 ? 0 : k % 4 == 2 ? 1 : 2; /* en, fr, zh by store */
	unsigned roll = crnd() % 100;
	if (score >= 9) {
		if (roll < 60)
			fputs(PICK(praise[lang]), stdout);
	} else if (score >= 7) {
		if (roll < 50)
			fputs(mild[lang][reason], stdout);
		else if (roll < 80)
			fputs(PICK(neutral[lang]), stdout);
	} else if (roll < 90) {
		int deny = (int)(crnd() % 3);
		if (crnd() % 100 < 15 && deny != reason && denials[lang][deny]) {
			const char *c = PICK(complaints[lang][reason]);
			fputs(denials[lang][deny], stdout);
			/* "Not expensive, but the queue..." reads on in lower case. */
			if (lang < 2 && c[0] >= 'A' && c[0] <= 'Z') {
				putchar(c[0] | 0x20);
				c++;
			}
			fputs(c, stdout);
		} else {
			fputs(PICK(complaints[lang][reason]), stdout);
		}
	}
}

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
	int bench = 0, comments = 0, c;
	while ((c = getopt(argc, argv, "s:S:bc")) != -1) {
		switch (c) {
		case 's': stores = (unsigned)atoi(optarg); break;
		case 'S': state = strtoull(optarg, NULL, 10) * 2 + 1; break;
		case 'b': bench = 1; break;
		case 'c': comments = 1; break;
		default: return 64;
		}
	}
	if (optind >= argc || stores < 1) {
		fprintf(stderr, "usage: gen-responses [-b] [-c] [-s STORES] [-S SEED] ROWS\n");
		return 64;
	}
	long long rows = atoll(argv[optind]);
	static char out[1 << 16];
	setvbuf(stdout, out, _IOFBF, sizeof out);
	if (bench) {
		benchmark(rows);
		return ferror(stdout) || fflush(stdout) ? 74 : 0;
	}
	comment_state ^= state;
	printf("response_id\tresponded_at\tregion\tstore\tchannel\tcustomer_value\tscore\treason%s\n",
	       comments ? "\tcomment" : "");
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
		int r = score >= 9 ? -1 : (int)(rnd() % 5);
		printf("R%08lld\t%04d-%02d-%02dT%02u:%02u:00Z\t%s\tS%03u\t%s\t%u.%02u\t%d\t%s",
		       i + 1, y, m + 1, d, rnd() % 24, rnd() % 60, regions[k % 8],
		       k + 1, channels[rnd() % 4], rnd() % 2000, rnd() % 100, score,
		       r < 0 ? "" : reasons[r]);
		if (comments) {
			putchar('\t');
			write_comment(k, score, r);
		}
		putchar('\n');
	}
	return ferror(stdout) || fflush(stdout) ? 74 : 0;
}
