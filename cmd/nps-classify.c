/* nps-classify: validate the score of each response and append its
 * segment (promoter | passive | detractor) and nps_points (100 | 0 | -100). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "hash.h"
#include "nps.h"
#include "out.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

static void usage(void)
{
	printf("Usage: nps-classify [options] [file ...]\n"
	       "Append segment and nps_points to each response.\n\n"
	       "  -s, --score COL     score column (default: score)\n"
	       "  -u, --unique COL    keep only the first response of each COL value\n"
	       "      --rejects FILE  write bad rows to FILE instead of stopping\n"
	       TSV_HEADER_USAGE
	       "  -h, --help          show this help\n"
	       "      --version       show the version\n");
}

int main(int argc, char **argv)
{
	const char *score_name = "score", *unique_name = NULL, *rejects = NULL;
	struct tsv_header given = { 0 };
	static const struct option options[] = {
		{ "score", required_argument, NULL, 's' },
		{ "unique", required_argument, NULL, 'u' },
		{ "rejects", required_argument, NULL, 'R' },
		TSV_HEADER_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	prog_init(argv[0]);
	int c;
	while ((c = getopt_long(argc, argv, "s:u:h", options, NULL)) != -1) {
		switch (c) {
		case 's': score_name = optarg; break;
		case 'u': unique_name = optarg; break;
		case 'R': rejects = optarg; break;
		case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM: tsv_header_option(&given, c, optarg); break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-classify %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "s:u:h");
		}
	}

	struct tsv_reader r;
	tsv_open_header(&r, &given, argc - optind, argv + optind);
	size_t score_col = tsv_col(&r, score_name);
	long unique_col = unique_name ? (long)tsv_col(&r, unique_name) : -1;
	if (rejects)
		tsv_rejects_open(&r, rejects);
	if (r.has_header) {
		tsv_write_header(&r, &out);
		out_str("\tsegment\tnps_points\n");
	}

	/* The whole suffix of a row, by score, written with one copy. */
	static const struct slice suffix[3] = {
		{ "\tdetractor\t-100\n", 16 },
		{ "\tpassive\t0\n", 11 },
		{ "\tpromoter\t100\n", 14 },
	};
	struct hash seen = { 0 };
	while (tsv_next(&r)) {
		if (!tsv_check_width(&r))
			continue;
		struct slice field = r.fields[score_col];
		int score = nps_score(field);
		if (score < 0) {
			tsv_reject(&r, "%s must be an integer 0..10 (%s)", score_name,
				   tsv_quote(field));
			continue;
		}
		if (unique_col >= 0) {
			struct slice id = r.fields[unique_col];
			int added;
			hash_intern(&seen, id.p, id.n, &added);
			if (!added) {
				tsv_reject(&r, "duplicate %s (%s)", unique_name,
					   tsv_quote(id));
				continue;
			}
		}
		out_write(r.row.p, r.row.n);
		const struct slice *s = &suffix[nps_segment_of(score)];
		out_write(s->p, s->n);
	}
	writer_close(&out);
	tsv_close(&r);
	hash_free(&seen);
	return 0;
}
