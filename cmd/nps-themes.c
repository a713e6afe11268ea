/* nps-themes: tag each response's free text with the themes of a dictionary
 * (phrases matched case- and accent-insensitively, on word bounds for spaced
 * scripts, as substrings for Chinese and Japanese; the longest of
 * overlapping matches wins; a negated mention is told apart), one row per
 * response or per (response, theme); or suggest phrases for the dictionary
 * from the texts it misses. The matcher is in nps-themes/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "nps-themes/themes.h"
#include "out.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

static void usage(void)
{
	printf("Usage: nps-themes --themes FILE [options] [file ...]\n"
	       "       nps-themes --suggest N [--themes FILE] [options] [file ...]\n"
	       "Tag each response's free text with themes from a dictionary.\n\n"
	       "  -c, --text COL      the text column (default: comment)\n"
	       "      --themes FILE   the dictionary: TSV with columns theme, phrase\n"
	       "      --long          one row per response and theme, column theme\n"
	       "      --spans         add a column spans: where each theme matched\n"
	       "      --suggest N     write the N most frequent words, two-word phrases\n"
	       "                      and Chinese bigrams of texts with no theme\n"
	       "      --rejects FILE  write bad rows to FILE instead of stopping\n"
	       "  -h, --help          show this help\n"
	       "      --version       show the version\n");
}

struct themes {
	struct tsv_reader r;
	size_t text_col;
	struct dict dict;
	int has_dict, spans;
	struct scan scan;
	struct suggest suggest;
};

/* Whether a theme found in the text is reported, and how. */
static int reported(const struct scan *s, uint32_t theme)
{
	return !(s->status[theme] & THEME_EXCLUDED);
}

static int only_negated(const struct scan *s, uint32_t theme)
{
	return !(s->status[theme] & THEME_PLAIN);
}

static void write_theme(const struct themes *t, uint32_t theme, int negated)
{
	size_t len;
	const char *name = dict_theme(&t->dict, theme, &len);
	out_write(name, len);
	if (negated)
		out_str(":negated");
}

/* The spans of one theme, or of every reported theme (theme < 0). */
static void write_spans(const struct themes *t, struct slice text, long theme)
{
	const struct scan *s = &t->scan;
	int first = 1;
	for (size_t i = 0; i < s->nm; i++) {
		const struct match *m = &s->m[i];
		uint32_t th = t->dict.pat[m->pattern].theme;
		if ((theme >= 0 && th != (uint32_t)theme) || !reported(s, th))
			continue;
		if (!first)
			out_char(';');
		first = 0;
		write_theme(t, th, m->negated);
		out_char('@');
		writer_u64(&out, s->off[m->start]);
		out_char('-');
		writer_u64(&out, m->end < s->text.len ? s->off[m->end] : text.n);
	}
}

/* themes, theme (the first found and not negated), [spans] */
static void wide_row(struct themes *t, struct slice text)
{
	const struct scan *s = &t->scan;
	out_write(t->r.row.p, t->r.row.n);
	out_char('\t');
	long primary = -1;
	int any = 0;
	for (size_t i = 0; i < s->ntouched; i++) {
		uint32_t th = s->touched[i];
		if (!reported(s, th))
			continue;
		if (any++)
			out_char(';');
		write_theme(t, th, only_negated(s, th));
		if (primary < 0 && !only_negated(s, th))
			primary = th;
	}
	if (!any)
		out_str("other");
	out_char('\t');
	if (primary >= 0)
		write_theme(t, (uint32_t)primary, 0);
	else
		out_str("other");
	if (t->spans) {
		out_char('\t');
		write_spans(t, text, -1);
	}
	out_char('\n');
}

/* One row per reported theme (other when none): theme, [spans] */
static void long_rows(struct themes *t, struct slice text)
{
	const struct scan *s = &t->scan;
	int any = 0;
	for (size_t i = 0; i < s->ntouched; i++) {
		uint32_t th = s->touched[i];
		if (!reported(s, th))
			continue;
		any = 1;
		out_write(t->r.row.p, t->r.row.n);
		out_char('\t');
		write_theme(t, th, only_negated(s, th));
		if (t->spans) {
			out_char('\t');
			write_spans(t, text, th);
		}
		out_char('\n');
	}
	if (!any) {
		out_write(t->r.row.p, t->r.row.n);
		out_str(t->spans ? "\tother\t\n" : "\tother\n");
	}
}

static void tag(struct themes *t, int long_form)
{
	if (t->r.has_header) {
		tsv_write_header(&t->r, &out);
		out_str(long_form ? "\ttheme" : "\tthemes\ttheme");
		out_str(t->spans ? "\tspans\n" : "\n");
	}
	while (tsv_next(&t->r)) {
		if (!tsv_check_width(&t->r))
			continue;
		struct slice text = t->r.fields[t->text_col];
		scan_text(&t->dict, &t->scan, text.p, text.n, t->spans);
		if (long_form)
			long_rows(t, text);
		else
			wide_row(t, text);
	}
}

/* Counts the candidates of texts in which no theme is reported. */
static void suggest(struct themes *t, unsigned long top)
{
	struct scan *s = &t->scan;
	while (tsv_next(&t->r)) {
		if (!tsv_check_width(&t->r))
			continue;
		struct slice text = t->r.fields[t->text_col];
		int tagged = 0;
		if (t->has_dict) {
			scan_text(&t->dict, s, text.p, text.n, 0);
			for (size_t i = 0; i < s->ntouched && !tagged; i++)
				tagged = reported(s, s->touched[i]);
		} else {
			fold_text(s, text.p, text.n, 0);
		}
		if (!tagged)
			suggest_add(&t->suggest, s->text.p, s->text.len);
	}
	suggest_write(&t->suggest, &out, top);
}

int main(int argc, char **argv)
{
	const char *text_name = "comment", *dict_path = NULL, *rejects = NULL;
	int long_form = 0, spans = 0;
	unsigned long top = 0;
	enum { LONG = 256, SPANS, SUGGEST, THEMES, REJECTS, VERSION };
	static const struct option options[] = {
		{ "text", required_argument, NULL, 'c' },
		{ "themes", required_argument, NULL, THEMES },
		{ "long", no_argument, NULL, LONG },
		{ "spans", no_argument, NULL, SPANS },
		{ "suggest", required_argument, NULL, SUGGEST },
		{ "rejects", required_argument, NULL, REJECTS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, VERSION },
		{ 0 },
	};
	prog_init(argv[0]);
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (c) {
		case 'c': text_name = optarg; break;
		case THEMES: dict_path = optarg; break;
		case LONG: long_form = 1; break;
		case SPANS: spans = 1; break;
		case SUGGEST:
			top = strtoul(optarg, &end, 10);
			if (!*optarg || *end || top == 0 || optarg[0] == '-')
				die_usage("--suggest needs a count of 1 or more, not \"%s\"", optarg);
			break;
		case REJECTS: rejects = optarg; break;
		case 'h': usage(); exit_printed();
		case VERSION: printf("nps-themes %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "c:h");
		}
	}
	if (!dict_path && !top)
		die_usage("--themes FILE is needed (or --suggest N)");
	if (top && (long_form || spans))
		die_usage("--suggest writes candidates, not rows: no --long or --spans");

	struct themes t = { 0 };
	if (dict_path) {
		dict_load(&t.dict, dict_path);
		t.has_dict = 1;
	}
	t.spans = spans;
	scan_init(&t.scan, &t.dict);
	tsv_open(&t.r, argc - optind, argv + optind);
	t.text_col = tsv_col(&t.r, text_name);
	if (rejects)
		tsv_rejects_open(&t.r, rejects);
	if (top)
		suggest(&t, top);
	else
		tag(&t, long_form);
	writer_close(&out);
	tsv_close(&t.r);
	scan_free(&t.scan);
	suggest_free(&t.suggest);
	if (t.has_dict)
		dict_free(&t.dict);
	return 0;
}
