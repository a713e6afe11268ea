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
	       TSV_HEADER_USAGE
	       "  -h, --help          show this help\n"
	       "      --version       show the version\n");
}

struct themes {
	struct tsv_reader r;
	size_t text_col;
	struct dict dict;
	int has_dict, spans;
	struct scan scan;      /* --suggest */
	struct suggest suggest;
	int long_form;
};

/* What one thread tags rows with (all of them, or ranges of them on
 * several threads: tsv_ranges): the program's state, read only, its own
 * scan of the text, and the row's reader and output. */
struct lane {
	OWN_LINES const struct themes *t;
	struct scan scan;
	const struct tsv_reader *r;
	struct writer *w;
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

static void write_theme(const struct lane *l, uint32_t theme, int negated)
{
	size_t len;
	const char *name = dict_theme(&l->t->dict, theme, &len);
	writer_write(l->w, name, len);
	if (negated)
		writer_str(l->w, ":negated");
}

/* The spans of one theme, or of every reported theme (theme < 0). */
static void write_spans(const struct lane *l, struct slice text, long theme)
{
	const struct scan *s = &l->scan;
	struct writer *w = l->w;
	int first = 1;
	for (size_t i = 0; i < s->nm; i++) {
		const struct match *m = &s->m[i];
		uint32_t th = l->t->dict.pat[m->pattern].theme;
		if ((theme >= 0 && th != (uint32_t)theme) || !reported(s, th))
			continue;
		if (!first)
			writer_char(w, ';');
		first = 0;
		write_theme(l, th, m->negated);
		writer_char(w, '@');
		writer_u64(w, s->off[m->start]);
		writer_char(w, '-');
		writer_u64(w, m->end < s->text.len ? s->off[m->end] : text.n);
	}
}

/* themes, theme (the first found and not negated), [spans] */
static void wide_row(const struct lane *l, struct slice text)
{
	const struct scan *s = &l->scan;
	struct writer *w = l->w;
	writer_write(w, l->r->row.p, l->r->row.n);
	writer_char(w, '\t');
	long primary = -1;
	int any = 0;
	for (size_t i = 0; i < s->ntouched; i++) {
		uint32_t th = s->touched[i];
		if (!reported(s, th))
			continue;
		if (any++)
			writer_char(w, ';');
		write_theme(l, th, only_negated(s, th));
		if (primary < 0 && !only_negated(s, th))
			primary = th;
	}
	if (!any)
		writer_str(w, "other");
	writer_char(w, '\t');
	if (primary >= 0)
		write_theme(l, (uint32_t)primary, 0);
	else
		writer_str(w, "other");
	if (l->t->spans) {
		writer_char(w, '\t');
		write_spans(l, text, -1);
	}
	writer_char(w, '\n');
}

/* One row per reported theme (other when none): theme, [spans] */
static void long_rows(const struct lane *l, struct slice text)
{
	const struct scan *s = &l->scan;
	struct writer *w = l->w;
	int any = 0;
	for (size_t i = 0; i < s->ntouched; i++) {
		uint32_t th = s->touched[i];
		if (!reported(s, th))
			continue;
		any = 1;
		writer_write(w, l->r->row.p, l->r->row.n);
		writer_char(w, '\t');
		write_theme(l, th, only_negated(s, th));
		if (l->t->spans) {
			writer_char(w, '\t');
			write_spans(l, text, th);
		}
		writer_char(w, '\n');
	}
	if (!any) {
		writer_write(w, l->r->row.p, l->r->row.n);
		writer_str(w, l->t->spans ? "\tother\t\n" : "\tother\n");
	}
}

/* The rows of r, tagged: a tsv_rows_fn. */
static void tag_rows(void *state, struct tsv_reader *r, struct writer *w)
{
	struct lane *l = state;
	const struct themes *t = l->t;
	l->r = r;
	l->w = w;
	while (tsv_next(r)) {
		if (!tsv_check_width(r))
			continue;
		struct slice text = r->fields[t->text_col];
		scan_text(&t->dict, &l->scan, text.p, text.n, t->spans);
		if (t->long_form)
			long_rows(l, text);
		else
			wide_row(l, text);
	}
}

/* The header, then every row, on one thread or on ranges on several. */
static void tag(struct themes *t)
{
	if (t->r.has_header) {
		tsv_write_header(&t->r, &out);
		out_str(t->long_form ? "\ttheme" : "\tthemes\ttheme");
		out_str(t->spans ? "\tspans\n" : "\n");
	}
	size_t n = tsv_range_threads(&t->r);
	struct lane *lanes = xmalloc_lines(n * sizeof *lanes);
	for (size_t i = 0; i < n; i++) {
		lanes[i] = (struct lane){ .t = t };
		scan_init(&lanes[i].scan, &t->dict);
	}
	if (n == 1)
		tag_rows(&lanes[0], &t->r, &out);
	else
		tsv_ranges(&t->r, n, tag_rows, lanes, sizeof *lanes);
	for (size_t i = 0; i < n; i++)
		scan_free(&lanes[i].scan);
	free(lanes);
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

struct options {
	const char *text_name, *dict_path, *rejects;
	int long_form, spans;
	unsigned long top; /* --suggest */
	struct tsv_header given; /* --columns, --header-from */
};

static void parse_options(struct options *o, int argc, char **argv)
{
	enum { LONG = 256, SPANS, SUGGEST, THEMES, REJECTS, VERSION };
	static const struct option options[] = {
		{ "text", required_argument, NULL, 'c' },
		{ "themes", required_argument, NULL, THEMES },
		{ "long", no_argument, NULL, LONG },
		{ "spans", no_argument, NULL, SPANS },
		{ "suggest", required_argument, NULL, SUGGEST },
		{ "rejects", required_argument, NULL, REJECTS },
		TSV_HEADER_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, VERSION },
		{ 0 },
	};
	int c;
	char *end;
	*o = (struct options){ .text_name = "comment" };
	while ((c = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (c) {
		case 'c': o->text_name = optarg; break;
		case THEMES: o->dict_path = optarg; break;
		case LONG: o->long_form = 1; break;
		case SPANS: o->spans = 1; break;
		case SUGGEST:
			o->top = strtoul(optarg, &end, 10);
			if (!*optarg || *end || o->top == 0 || optarg[0] == '-')
				die_usage("--suggest needs a count of 1 or more, not \"%s\"", optarg);
			break;
		case REJECTS: o->rejects = optarg; break;
		case TSV_OPT_COLUMNS: case TSV_OPT_HEADER_FROM: tsv_header_option(&o->given, c, optarg); break;
		case 'h': usage(); exit_printed();
		case VERSION: printf("nps-themes %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, "c:h");
		}
	}
	if (!o->dict_path && !o->top)
		die_usage("--themes FILE is needed (or --suggest N)");
	if (o->top && (o->long_form || o->spans))
		die_usage("--suggest writes candidates, not rows: no --long or --spans");
}

int main(int argc, char **argv)
{
	struct options o;
	prog_init(argv[0]);
	parse_options(&o, argc, argv);

	struct themes t = { 0 };
	if (o.dict_path) {
		dict_load(&t.dict, o.dict_path);
		t.has_dict = 1;
	}
	t.spans = o.spans;
	scan_init(&t.scan, &t.dict);
	tsv_open_header(&t.r, &o.given, argc - optind, argv + optind);
	t.text_col = tsv_col(&t.r, o.text_name);
	if (o.rejects)
		tsv_rejects_open(&t.r, o.rejects);
	t.long_form = o.long_form;
	if (o.top)
		suggest(&t, o.top);
	else
		tag(&t);
	writer_close(&out);
	tsv_close(&t.r);
	scan_free(&t.scan);
	suggest_free(&t.suggest);
	if (t.has_dict)
		dict_free(&t.dict);
	return 0;
}
