/* nps-plot: the toolkit's TSV into one SVG chart on standard output:
 * trend, dots, funnel, stack or quadrant, each from the output of the
 * program that computes its figures, columns found by name. Libc only;
 * the same bytes for the same input. The chart holds every row it draws:
 * memory grows with the rows (an aggregate's, not the responses'). */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "num.h"
#include "out.h"
#include "tsv.h"
#include "util.h"
#include "version.h"

static void usage(void)
{
	printf("Usage: nps-plot KIND [options] [file ...]\n"
	       "Draw the toolkit's TSV as an SVG chart on standard output.\n\n"
	       "KIND: trend (nps-agg -t/-p, nps-baseline), dots (nps-agg, nps-signif --tiers),\n"
	       "      funnel (nps-audit), stack (nps-agg), quadrant (nps-drivers)\n\n"
	       "  -g, --group COLS    series columns (trend: one line each)\n"
	       "  -k, --key COL       the label column (default: the first column)\n"
	       "      --facet COL     one panel per value of COL\n"
	       "      --tiers FILE    nps-signif --tiers output to join by key (dots)\n"
	       "      --title TEXT    the title (default: one for the kind)\n"
	       "      --subtitle TEXT a line under the title\n"
	       "      --width PX      width (default 720)\n"
	       "      --height PX     height of a panel (default: by kind and rows)\n"
	       "      --id NAME       prefix of the ids in the SVG (default: from the input)\n"
	       "      --highlight KEY dots: this group in vermillion, a diamond (our brand)\n"
	       "  -h, --help          show this help\n"
	       "      --version       show the version\n");
}

enum kind { TREND, DOTS, FUNNEL, STACK, QUADRANT, NKINDS };
static const char *const kind_names[NKINDS] = { "trend", "dots", "funnel",
						"stack", "quadrant" };

/* The numbers a chart reads, by role; which column fills each depends
 * on the kind (columns_of). */
enum value { V_Y, V_LO, V_HI, V_X, V_EXPECTED, V_BAND_LO, V_BAND_HI,
	     V_PROMOTERS, V_PASSIVES, V_DETRACTORS, V_TARGET, V_V1, V_TAU2,
	     V_CUT_X, V_CUT_Y, NVALUES };
enum text { T_PERIOD, T_FLAG, T_PARTIAL, T_TIER, T_LETTERS, T_QUADRANT,
	    T_VERDICT, NTEXTS };

struct column_role {
	int is_text, role, required;
	const char *name;
};

static const struct column_role trend_cols[] = {
	{ 1, T_PERIOD, 1, "period" }, { 0, V_Y, 1, "nps" },
	{ 0, V_LO, 1, "ci_low" }, { 0, V_HI, 1, "ci_high" },
	{ 0, V_EXPECTED, 0, "expected" }, { 0, V_BAND_LO, 0, "lower" },
	{ 0, V_BAND_HI, 0, "upper" }, { 1, T_FLAG, 0, "flag" },
	{ 1, T_PARTIAL, 0, "partial" }, { 0, 0, 0, NULL },
};
static const struct column_role dots_cols[] = {
	{ 0, V_Y, 1, "nps" }, { 0, V_LO, 0, "ci_low" }, { 0, V_HI, 0, "ci_high" },
	{ 1, T_TIER, 0, "tier" }, { 1, T_LETTERS, 0, "letters" }, { 0, 0, 0, NULL },
};
static const struct column_role funnel_cols[] = {
	{ 0, V_X, 1, "n" }, { 0, V_Y, 1, "nps" }, { 0, V_TARGET, 1, "funnel_target" },
	{ 0, V_V1, 1, "funnel_v1" }, { 0, V_TAU2, 1, "funnel_tau2" },
	{ 1, T_VERDICT, 0, "verdict" }, { 0, 0, 0, NULL },
};
static const struct column_role stack_cols[] = {
	{ 0, V_PROMOTERS, 1, "pct_promoters" }, { 0, V_PASSIVES, 1, "pct_passives" },
	{ 0, V_DETRACTORS, 1, "pct_detractors" }, { 0, V_Y, 0, "nps" },
	{ 0, 0, 0, NULL },
};
static const struct column_role quadrant_cols[] = {
	{ 0, V_X, 1, "mean" }, { 0, V_Y, 1, "importance" },
	{ 0, V_LO, 0, "importance_low" }, { 0, V_HI, 0, "importance_high" },
	{ 0, V_CUT_X, 0, "cut_mean" }, { 0, V_CUT_Y, 0, "cut_importance" },
	{ 1, T_QUADRANT, 0, "quadrant" }, { 0, 0, 0, NULL },
};
static const struct column_role *const columns_of[NKINDS] = {
	trend_cols, dots_cols, funnel_cols, stack_cols, quadrant_cols,
};

struct row {
	char *label, *series, *facet;
	double v[NVALUES];
	unsigned has; /* bit per enum value */
	char *text[NTEXTS];
	double x; /* trend: the period's position */
};

struct options {
	enum kind kind;
	const char *group, *key, *facet, *tiers, *title, *subtitle, *id, *highlight;
	double width, height;
};

struct plot {
	struct options opt;
	struct row *rows;
	size_t nrows, cap;
	char **periods; /* trend: the distinct periods, in time order */
	size_t nperiods;
	char id[32];
};

/* ---- the look: colours chosen for contrast on white (WCAG 1.4.11 3:1
 * for marks, 1.4.3 4.5:1 for text) from the Okabe-Ito palette, darkened
 * where the original is too light, and told apart by shape too. */
#define INK "#222222"        /* text, axes: 15.9:1 */
#define INK_SOFT "#555555"   /* secondary text, limits: 7.5:1 */
#define BLUE "#0072B2"       /* Okabe-Ito blue: 5.2:1 */
#define VERMILLION "#C14F00" /* Okabe-Ito vermillion, darkened: 4.6:1 */
#define GREEN "#007A5A"      /* Okabe-Ito bluish green, darkened: 5.3:1 */
#define PURPLE "#A8527F"     /* Okabe-Ito reddish purple, darkened: 5.0:1 */
#define GREY "#6E6E6E"       /* passives: 5.1:1 */
#define BAND "#CFE5F3"       /* an interval's band: decoration, edged in BLUE */
#define GRID "#E3E3E3"       /* grid lines and tier stripes: decoration */
#define EXPECTED_BAND "#ECECEC" /* the baseline's band: decoration, named in the key */

static const char *const series_colours[] = { BLUE, VERMILLION, GREEN,
					      PURPLE, INK };
static const char *const series_shapes[] = { "circle", "square", "triangle",
					     "diamond", "cross" };
#define NSERIES_STYLES 5

/* ---- SVG writing -------------------------------------------------------- */

static void num(double v) /* coordinates: one decimal, no -0.0 */
{
	writer_fixed(&out, fabs(v) < 0.05 ? 0 : v, 1);
}

/* Text for XML: the five escapes; other bytes as they are (UTF-8). */
static void xml_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': out_str("&amp;"); break;
		case '<': out_str("&lt;"); break;
		case '>': out_str("&gt;"); break;
		case '"': out_str("&quot;"); break;
		case '\'': out_str("&#39;"); break;
		default:
			if ((unsigned char)s[i] < 0x20)
				out_char(' ');
			else
				out_char(s[i]);
		}
	}
}

static void xml_str(const char *s) { xml_text(s, strlen(s)); }

/* UTF-8 characters of s (continuation bytes not counted). */
static size_t chars_of(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A label of at most `max` characters: longer ones are cut with an
 * ellipsis, and the whole text goes into a <title> (a tooltip). */
static void label(double x, double y, const char *anchor, int size,
		  const char *colour, const char *s, size_t max)
{
	out_str("<text x=\"");
	num(x);
	out_str("\" y=\"");
	num(y);
	writer_printf(&out, "\" font-size=\"%d\" fill=\"%s\"", size, colour);
	if (strcmp(anchor, "start"))
		writer_printf(&out, " text-anchor=\"%s\"", anchor);
	out_char('>');
	size_t n = chars_of(s);
	if (n <= max) {
		xml_str(s);
	} else {
		out_str("<title>");
		xml_str(s);
		out_str("</title>");
		size_t bytes = 0, c = 0;
		for (; s[bytes] && c < max - 1; bytes++)
			c += ((unsigned char)s[bytes] & 0xC0) != 0x80 &&
			     ((unsigned char)s[bytes + 1] & 0xC0) != 0x80;
		while (s[bytes] && ((unsigned char)s[bytes] & 0xC0) == 0x80)
			bytes++;
		xml_text(s, bytes);
		out_str("\xE2\x80\xA6"); /* … */
	}
	out_str("</text>\n");
}

static void line(double x1, double y1, double x2, double y2, const char *colour,
		 double width, const char *dash, const char *class)
{
	out_str("<line x1=\"");
	num(x1);
	out_str("\" y1=\"");
	num(y1);
	out_str("\" x2=\"");
	num(x2);
	out_str("\" y2=\"");
	num(y2);
	writer_printf(&out, "\" stroke=\"%s\" stroke-width=\"%g\"", colour, width);
	if (dash)
		writer_printf(&out, " stroke-dasharray=\"%s\"", dash);
	writer_printf(&out, " class=\"%s\"/>\n", class);
}

static void rect(double x, double y, double w, double h, const char *fill,
		 const char *class)
{
	out_str("<rect x=\"");
	num(x);
	out_str("\" y=\"");
	num(y);
	out_str("\" width=\"");
	num(w > 0 ? w : 0);
	out_str("\" height=\"");
	num(h > 0 ? h : 0);
	writer_printf(&out, "\" fill=\"%s\" class=\"%s\"", fill, class);
}

/* A data point: its shape tells its series or state apart without colour
 * (WCAG 1.4.1); `hollow` for a partial period. The tooltip says the value. */
static void marker(double x, double y, const char *shape, const char *colour,
		   int hollow, const char *tip, double r)
{
	const char *fill = hollow ? "#FFFFFF" : colour;
	if (!strcmp(shape, "circle")) {
		out_str("<circle cx=\"");
		num(x);
		out_str("\" cy=\"");
		num(y);
		writer_printf(&out, "\" r=\"%g\"", r);
	} else if (!strcmp(shape, "square")) {
		out_str("<rect x=\"");
		num(x - r);
		out_str("\" y=\"");
		num(y - r);
		writer_printf(&out, "\" width=\"%g\" height=\"%g\"", 2 * r, 2 * r);
	} else {
		double pts[8][2];
		int n = 0;
		if (!strcmp(shape, "triangle") || !strcmp(shape, "triangle-down")) {
			double s = !strcmp(shape, "triangle") ? 1 : -1;
			pts[0][0] = x, pts[0][1] = y - s * r * 1.3;
			pts[1][0] = x + r * 1.2, pts[1][1] = y + s * r;
			pts[2][0] = x - r * 1.2, pts[2][1] = y + s * r;
			n = 3;
		} else if (!strcmp(shape, "diamond")) {
			pts[0][0] = x, pts[0][1] = y - r * 1.3;
			pts[1][0] = x + r * 1.3, pts[1][1] = y;
			pts[2][0] = x, pts[2][1] = y + r * 1.3;
			pts[3][0] = x - r * 1.3, pts[3][1] = y;
			n = 4;
		} else { /* cross */
			double a = r * 0.45;
			double c[8][2] = { { -a, -r }, { a, -r }, { a, -a }, { r, -a },
					   { r, a }, { a, a }, { a, r }, { -a, r } };
			for (n = 0; n < 8; n++)
				pts[n][0] = x + c[n][0], pts[n][1] = y + c[n][1];
		}
		out_str("<polygon points=\"");
		for (int i = 0; i < n; i++) {
			if (i)
				out_char(' ');
			num(pts[i][0]);
			out_char(',');
			num(pts[i][1]);
		}
		out_char('"');
	}
	writer_printf(&out, " fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\" class=\"mark\"><title>",
		      fill, colour);
	xml_str(tip);
	out_str("</title></");
	out_str(!strcmp(shape, "circle") ? "circle" : !strcmp(shape, "square") ? "rect" : "polygon");
	out_str(">\n");
}

/* ---- scales ------------------------------------------------------------ */

struct scale {
	double d0, d1, r0, r1; /* domain into range */
	double ticks[16];
	int nticks;
};

static double at(const struct scale *s, double v)
{
	if (s->d1 == s->d0)
		return (s->r0 + s->r1) / 2;
	return s->r0 + (v - s->d0) / (s->d1 - s->d0) * (s->r1 - s->r0);
}

/* 1, 2 or 5 times a power of ten, the nearest above x (Heckbert's nice
 * numbers). */
static double nice_step(double x)
{
	double p = pow(10, floor(log10(x)));
	double f = x / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/* A domain covering [lo, hi] widened to nice ticks, about `want` of them. */
static void nice_scale(struct scale *s, double lo, double hi, int want,
		       double r0, double r1)
{
	if (!(hi > lo)) {
		double pad = fabs(lo) > 1 ? fabs(lo) * 0.1 : 1;
		lo -= pad, hi += pad;
	}
	double step = nice_step((hi - lo) / (want - 1));
	s->d0 = floor(lo / step) * step;
	s->d1 = ceil(hi / step) * step;
	s->r0 = r0, s->r1 = r1;
	s->nticks = 0;
	for (double t = s->d0; t <= s->d1 + step / 2 && s->nticks < 16; t += step)
		s->ticks[s->nticks++] = fabs(t) < step / 1e6 ? 0 : t;
}

static void tick_text(double v, char *buf, size_t n)
{
	snprintf(buf, n, fabs(v - round(v)) < 1e-9 ? "%.0f" : fabs(v * 10 - round(v * 10)) < 1e-9 ? "%.1f" : "%.2f", v);
}

/* The y axis: grid lines, tick labels, and its title turned upright. */
static void y_axis(const struct scale *y, double left, double right,
		   const char *title)
{
	for (int i = 0; i < y->nticks; i++) {
		double py = at(y, y->ticks[i]);
		line(left, py, right, py, y->ticks[i] == 0 ? "#9A9A9A" : GRID, 1, NULL, "decor");
		char t[32];
		tick_text(y->ticks[i], t, sizeof t);
		label(left - 6, py + 4, "end", 11, INK, t, 12);
	}
	if (!*title)
		return;
	double mid = (y->r0 + y->r1) / 2;
	out_str("<text transform=\"translate(");
	num(left - 40);
	out_char(',');
	num(mid);
	writer_printf(&out, ") rotate(-90)\" font-size=\"12\" fill=\"%s\" text-anchor=\"middle\">", INK);
	xml_str(title);
	out_str("</text>\n");
}

static void x_axis_numeric(const struct scale *x, double bottom, double top,
			   const char *title)
{
	for (int i = 0; i < x->nticks; i++) {
		double px = at(x, x->ticks[i]);
		line(px, top, px, bottom, GRID, 1, NULL, "decor");
		char t[32];
		tick_text(x->ticks[i], t, sizeof t);
		label(px, bottom + 16, "middle", 11, INK, t, 12);
	}
	if (*title)
		label((x->r0 + x->r1) / 2, bottom + 34, "middle", 12, INK, title, 80);
}

/* ---- reading ------------------------------------------------------------ */

static char *copy(struct slice s) { return xstrndup(s.p, s.n); }

/* The joined text of some columns (series or facet); "" when none. */
static char *joined(const struct tsv_reader *r, const size_t *cols, size_t n)
{
	struct buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_add(&b, " / ", 3);
		buf_add(&b, r->fields[cols[i]].p, r->fields[cols[i]].n);
	}
	char *s = xstrndup(b.p ? b.p : "", b.len);
	buf_free(&b);
	return s;
}

static void read_rows(struct plot *p, int nfiles, char **files)
{
	struct tsv_reader r;
	const struct options *o = &p->opt;
	tsv_open(&r, nfiles, files);
	const struct column_role *roles = columns_of[o->kind];
	long col[32];
	size_t nroles = 0;
	for (; roles[nroles].name; nroles++) {
		const struct column_role *c = &roles[nroles];
		col[nroles] = r.has_header ? tsv_col_find(&r, c->name) : -1;
		if (col[nroles] < 0 && c->required && r.has_header)
			die_usage("%s needs a column \"%s\" (%s)", kind_names[o->kind],
				  c->name, o->kind == TREND ? "nps-agg -t COL -p KIND" :
				  o->kind == FUNNEL ? "nps-audit" : o->kind == QUADRANT ?
				  "nps-drivers" : "nps-agg");
	}
	size_t key = 0, *series = NULL, nseries = 0, *facet = NULL, nfacet = 0;
	long key_col = -1;
	if (r.has_header) {
		if (o->key)
			key_col = (long)tsv_col(&r, o->key);
		else if (o->kind == QUADRANT)
			key_col = tsv_col_find(&r, "driver");
		key = key_col >= 0 ? (size_t)key_col : 0;
		if (o->group)
			nseries = tsv_cols(&r, o->group, &series);
		if (o->facet)
			nfacet = tsv_cols(&r, o->facet, &facet);
	}
	while (tsv_next(&r)) {
		if (!tsv_check_width(&r))
			continue;
		if (p->nrows == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			p->rows = xrealloc(p->rows, p->cap * sizeof *p->rows);
		}
		struct row *row = &p->rows[p->nrows];
		memset(row, 0, sizeof *row);
		for (size_t i = 0; i < nroles; i++) {
			if (col[i] < 0)
				continue;
			struct slice f = r.fields[col[i]];
			if (roles[i].is_text) {
				row->text[roles[i].role] = copy(f);
				continue;
			}
			struct slice t = slice_trim(f);
			if (!t.n || slice_eq(t, "NA"))
				continue; /* a missing number: nothing drawn */
			double v;
			if (!num_double(f, &v))
				tsv_die(&r, EX_DATA_, "%s must be a number (%s)",
					roles[i].name, tsv_quote(f));
			row->v[roles[i].role] = v;
			row->has |= 1u << roles[i].role;
		}
		row->label = copy(r.fields[key]);
		row->series = joined(&r, series, nseries);
		row->facet = joined(&r, facet, nfacet);
		p->nrows++;
	}
	free(series);
	free(facet);
	tsv_close(&r);
}

/* --tiers FILE: nps-signif --tiers output, joined to the dots by key. */
static void join_tiers(struct plot *p, const char *path)
{
	struct tsv_reader r;
	char *files[1] = { (char *)path };
	tsv_open(&r, 1, files);
	if (!r.has_header)
		return;
	size_t key = tsv_col(&r, "key"), tier = tsv_col(&r, "tier");
	long letters = tsv_col_find(&r, "letters");
	struct hash keys = { 0 };
	for (size_t i = 0; i < p->nrows; i++) {
		int added;
		hash_intern(&keys, p->rows[i].label, strlen(p->rows[i].label), &added);
	}
	while (tsv_next(&r)) {
		if (!tsv_check_width(&r))
			continue;
		struct slice k = r.fields[key];
		int added;
		size_t id = hash_intern(&keys, k.p, k.n, &added);
		for (size_t i = 0; !added && i < p->nrows; i++) {
			if (i != id && strcmp(p->rows[i].label, keys.keys[id]))
				continue;
			free(p->rows[i].text[T_TIER]);
			p->rows[i].text[T_TIER] = copy(r.fields[tier]);
			if (letters >= 0) {
				free(p->rows[i].text[T_LETTERS]);
				p->rows[i].text[T_LETTERS] = copy(r.fields[letters]);
			}
		}
	}
	hash_free(&keys);
	tsv_close(&r);
}

static int has(const struct row *r, enum value v) { return (r->has >> v) & 1; }

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Trend: periods in time order (their ISO forms sort as text). */
static void place_periods(struct plot *p)
{
	p->periods = xmalloc((p->nrows + 1) * sizeof *p->periods);
	for (size_t i = 0; i < p->nrows; i++)
		p->periods[i] = p->rows[i].text[T_PERIOD] ? p->rows[i].text[T_PERIOD] : "";
	qsort(p->periods, p->nrows, sizeof *p->periods, cmp_str);
	size_t n = 0;
	for (size_t i = 0; i < p->nrows; i++)
		if (!n || strcmp(p->periods[n - 1], p->periods[i]))
			p->periods[n++] = p->periods[i];
	p->nperiods = n;
	for (size_t i = 0; i < p->nrows; i++) {
		char *key = p->rows[i].text[T_PERIOD] ? p->rows[i].text[T_PERIOD] : "";
		char **hit = bsearch(&key, p->periods, n, sizeof *p->periods, cmp_str);
		p->rows[i].x = (double)(hit - p->periods);
	}
}

/* ---- the panels ----------------------------------------------------------- */

struct box {
	double left, top, right, bottom; /* the plotting area */
	int axis_titles; /* 0 inside a grid of panels: the outer ones say it */
};

/* The rows of one panel: indexes into p->rows. */
struct panel {
	const char *facet;
	size_t *rows, n;
};

static void no_data(struct box b)
{
	label((b.left + b.right) / 2, (b.top + b.bottom) / 2, "middle", 14, INK_SOFT,
	      "no data", 40);
}

static int cmp_series(const void *pa, const void *pb, const struct plot *p)
{
	const struct row *a = &p->rows[*(const size_t *)pa];
	const struct row *b = &p->rows[*(const size_t *)pb];
	int c = strcmp(a->series, b->series);
	return c ? c : a->x < b->x ? -1 : a->x > b->x;
}

/* Insertion sort with the plot as context (panels are small). */
static void sort_rows(size_t *v, size_t n, const struct plot *p,
		      int (*cmp)(const void *, const void *, const struct plot *))
{
	for (size_t i = 1; i < n; i++) {
		size_t x = v[i], j = i;
		for (; j > 0 && cmp(&v[j - 1], &x, p) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* A line through the rows' values in order, broken where one is missing;
 * nothing when none is there. */
static void line_through(const struct plot *p, const size_t *rows, size_t n,
			 const struct scale *x, const struct scale *y,
			 enum value v, const char *style)
{
	int open = 0, any = 0;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &p->rows[rows[i]];
		if (!has(r, v)) {
			open = 0;
			continue;
		}
		out_str(any ? open ? " L" : " M" : "<path d=\"M");
		num(at(x, r->x));
		out_char(',');
		num(at(y, r->v[v]));
		open = any = 1;
	}
	if (any)
		writer_printf(&out, "\" fill=\"none\" %s/>\n", style);
}

static void trend_panel(const struct plot *p, struct panel *pn, struct box b)
{
	double lo = 1e300, hi = -1e300;
	/* Small multiples share one scale, so that panels compare. */
	for (size_t i = 0; i < p->nrows && pn->n; i++) {
		const struct row *r = &p->rows[i];
		const enum value vs[] = { V_Y, V_LO, V_HI, V_EXPECTED, V_BAND_LO, V_BAND_HI };
		for (size_t k = 0; k < sizeof vs / sizeof *vs; k++)
			if (has(r, vs[k])) {
				double v = r->v[vs[k]];
				lo = v < lo ? v : lo, hi = v > hi ? v : hi;
			}
	}
	if (lo > hi) {
		no_data(b);
		return;
	}
	lo = lo < -100 ? -100 : lo, hi = hi > 100 ? 100 : hi;
	struct scale y, x = { 0, (double)(p->nperiods > 1 ? p->nperiods - 1 : 1),
			      b.left + 10, b.right - 10, { 0 }, 0 };
	nice_scale(&y, lo, hi, 5, b.bottom, b.top);
	y_axis(&y, b.left, b.right, b.axis_titles & 1 ? "NPS (points)" : "");
	/* Period labels, thinned so that they never overlap (7 px a char). */
	size_t widest = 1;
	for (size_t i = 0; i < p->nperiods; i++)
		widest = strlen(p->periods[i]) > widest ? strlen(p->periods[i]) : widest;
	double room = p->nperiods > 1 ? (x.r1 - x.r0) / (double)(p->nperiods - 1) : 1e9;
	size_t every = (size_t)ceil((double)widest * 7.0 / room);
	every = every ? every : 1;
	for (size_t i = 0; i < p->nperiods; i += every)
		label(at(&x, (double)i), b.bottom + 16, "middle", 11, INK, p->periods[i], 12);
	if (b.axis_titles & 2)
		label((b.left + b.right) / 2, b.bottom + 34, "middle", 12, INK, "period", 40);
	/* Markers no wider than the room a period has. */
	double radius = room / 2.5 < 4.5 ? room / 2.5 : 4.5;
	radius = radius < 2 ? 2 : radius;

	sort_rows(pn->rows, pn->n, p, cmp_series);
	int nth = 0;
	for (size_t first = 0; first < pn->n; nth++) {
		size_t last = first;
		while (last < pn->n && !strcmp(p->rows[pn->rows[last]].series,
					       p->rows[pn->rows[first]].series))
			last++;
		const char *colour = series_colours[nth % NSERIES_STYLES];
		const char *shape = series_shapes[nth % NSERIES_STYLES];
		/* The baseline's band and expectation, then the interval band. */
		for (int pass = 0; pass < 2; pass++) {
			enum value blo = pass ? V_LO : V_BAND_LO, bhi = pass ? V_HI : V_BAND_HI;
			out_str("<path d=\"");
			int open = 0;
			struct buf back = { 0 };
			for (size_t i = first; i <= last; i++) {
				const struct row *r = i < last ? &p->rows[pn->rows[i]] : NULL;
				if (r && has(r, blo) && has(r, bhi)) {
					out_str(open ? " L" : "M");
					num(at(&x, r->x));
					out_char(',');
					num(at(&y, r->v[bhi]));
					char pt[64];
					snprintf(pt, sizeof pt, " L%.1f,%.1f", at(&x, r->x), at(&y, r->v[blo]));
					/* the lower edge, later, in reverse */
					struct buf tmp = { 0 };
					buf_add(&tmp, pt, strlen(pt));
					buf_add(&tmp, back.p ? back.p : "", back.len);
					buf_free(&back);
					back = tmp;
					open = 1;
				} else if (open) {
					out_write(back.p, back.len);
					out_str(" Z ");
					back.len = 0;
					open = 0;
				}
			}
			buf_free(&back);
			if (pass)
				writer_printf(&out, "\" fill=\"%s\" fill-opacity=\"0.7\" stroke=\"none\" class=\"band\"/>\n", BAND);
			else
				writer_printf(&out, "\" fill=\"%s\" stroke=\"none\" class=\"band expected-band\"/>\n", EXPECTED_BAND);
		}
		char style[160];
		snprintf(style, sizeof style, "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\" class=\"mark expected\"", INK);
		line_through(p, pn->rows + first, last - first, &x, &y, V_EXPECTED, style);
		snprintf(style, sizeof style, "stroke=\"%s\" stroke-width=\"2\" class=\"mark line\"", colour);
		line_through(p, pn->rows + first, last - first, &x, &y, V_Y, style);
		const struct row *end = NULL;
		for (size_t i = first; i < last; i++) {
			const struct row *r = &p->rows[pn->rows[i]];
			if (!has(r, V_Y))
				continue;
			const char *flag = r->text[T_FLAG] ? r->text[T_FLAG] : "";
			int partial = (r->text[T_PARTIAL] && !strcmp(r->text[T_PARTIAL], "1")) ||
				      !strcmp(flag, "partial");
			int high = !strcmp(flag, "high"), low = !strcmp(flag, "low");
			char tip[256];
			snprintf(tip, sizeof tip, "%s%s%s: NPS %.1f%s%s", r->series,
				 *r->series ? " " : "", p->periods[(size_t)r->x], r->v[V_Y],
				 high ? ", flagged high" : low ? ", flagged low" : "",
				 partial ? ", partial period" : "");
			marker(at(&x, r->x), at(&y, r->v[V_Y]),
			       high ? "triangle" : low ? "triangle-down" : shape,
			       high || low ? VERMILLION : colour, partial, tip,
			       high || low ? 4.5 : radius);
			if (high || low)
				label(at(&x, r->x), at(&y, r->v[V_Y]) + (high ? -10 : 18), "middle",
				      10, VERMILLION, flag, 8);
			end = r;
		}
		if (end && *end->series) /* a direct label: the series by name */
			label(at(&x, end->x) + 8, at(&y, end->v[V_Y]) + 4, "start", 11,
			      colour, end->series, 14);
		first = last;
	}
}

static int cmp_by_y(const void *pa, const void *pb, const struct plot *p)
{
	const struct row *a = &p->rows[*(const size_t *)pa];
	const struct row *b = &p->rows[*(const size_t *)pb];
	if (has(a, V_Y) != has(b, V_Y))
		return has(a, V_Y) ? -1 : 1;
	if (a->v[V_Y] != b->v[V_Y])
		return a->v[V_Y] > b->v[V_Y] ? -1 : 1;
	return strcmp(a->label, b->label);
}

/* Dots with whiskers, sorted high to low (Cleveland & McGill); tiers as
 * alternating stripes with their number, letters beside each dot. */
static void dots_panel(const struct plot *p, struct panel *pn, struct box b)
{
	double lo = 1e300, hi = -1e300;
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		for (enum value v = V_Y; v <= V_HI; v++)
			if (has(r, v))
				lo = r->v[v] < lo ? r->v[v] : lo, hi = r->v[v] > hi ? r->v[v] : hi;
	}
	if (lo > hi) {
		no_data(b);
		return;
	}
	sort_rows(pn->rows, pn->n, p, cmp_by_y);
	lo = lo < -100 ? -100 : lo, hi = hi > 100 ? 100 : hi;
	struct scale x;
	nice_scale(&x, lo, hi, 6, b.left, b.right);
	double step = (b.bottom - b.top) / (double)pn->n;
	const char *stripe_tier = NULL;
	int stripe = 0;
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		const char *tier = r->text[T_TIER];
		if (tier && *tier && (!stripe_tier || strcmp(tier, stripe_tier))) {
			size_t j = i;
			while (j < pn->n && p->rows[pn->rows[j]].text[T_TIER] &&
			       !strcmp(p->rows[pn->rows[j]].text[T_TIER], tier))
				j++;
			stripe++;
			if (stripe % 2) {
				rect(b.left, b.top + step * (double)i, b.right - b.left,
				     step * (double)(j - i), "#F2F2F2", "decor");
				out_str("/>\n");
			}
			char t[64];
			snprintf(t, sizeof t, "tier %s", tier);
			label(b.right + 44, b.top + step * (double)i + 12, "start", 10, INK_SOFT, t, 12);
			stripe_tier = tier;
		}
	}
	x_axis_numeric(&x, b.bottom, b.top, "NPS (points) with its 95% interval");
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		double cy = b.top + step * ((double)i + 0.5);
		int mine = p->opt.highlight && !strcmp(r->label, p->opt.highlight);
		label(b.left - 8, cy + 4, "end", 11, mine ? VERMILLION : INK, r->label, 22);
		if (!has(r, V_Y))
			continue;
		if (has(r, V_LO) && has(r, V_HI)) {
			line(at(&x, r->v[V_LO]), cy, at(&x, r->v[V_HI]), cy, BLUE, 1.5, NULL, "mark whisker");
			line(at(&x, r->v[V_LO]), cy - 4, at(&x, r->v[V_LO]), cy + 4, BLUE, 1.5, NULL, "mark whisker");
			line(at(&x, r->v[V_HI]), cy - 4, at(&x, r->v[V_HI]), cy + 4, BLUE, 1.5, NULL, "mark whisker");
		}
		char tip[256];
		if (has(r, V_LO) && has(r, V_HI))
			snprintf(tip, sizeof tip, "%s: NPS %.1f (%.1f to %.1f)", r->label,
				 r->v[V_Y], r->v[V_LO], r->v[V_HI]);
		else
			snprintf(tip, sizeof tip, "%s: NPS %.1f", r->label, r->v[V_Y]);
		marker(at(&x, r->v[V_Y]), cy, mine ? "diamond" : "circle", mine ? VERMILLION : BLUE,
		       0, tip, mine ? 5.5 : 4.5);
		const char *letters = r->text[T_LETTERS];
		char value[64];
		snprintf(value, sizeof value, "%.1f%s%s", r->v[V_Y], letters && *letters ? " " : "",
			 letters ? letters : "");
		double right = has(r, V_HI) ? at(&x, r->v[V_HI]) : at(&x, r->v[V_Y]);
		label(right + 6, cy + 4, "start", 10, INK_SOFT, value, 16);
	}
}

/* Funnel: NPS against responses, the limits around the target at 95% and
 * 99.8%, with overdispersion (nps-audit's funnel_target, funnel_v1 and
 * funnel_tau2: target +- q sqrt(v1 / n + tau2)). Units under review are
 * diamonds in vermillion, named. */
static void funnel_panel(const struct plot *p, struct panel *pn, struct box b)
{
	double nmax = 0, lo = 1e300, hi = -1e300;
	const struct row *ref = NULL;
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		if (!has(r, V_X) || !has(r, V_Y))
			continue;
		nmax = r->v[V_X] > nmax ? r->v[V_X] : nmax;
		lo = r->v[V_Y] < lo ? r->v[V_Y] : lo, hi = r->v[V_Y] > hi ? r->v[V_Y] : hi;
		if (has(r, V_TARGET) && has(r, V_V1) && has(r, V_TAU2))
			ref = r;
	}
	if (lo > hi || nmax <= 0) {
		no_data(b);
		return;
	}
	struct scale x, y;
	nice_scale(&x, 0, nmax, 6, b.left, b.right);
	double nmin = 1e300;
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		if (has(r, V_X) && r->v[V_X] >= 2)
			nmin = r->v[V_X] < nmin ? r->v[V_X] : nmin;
	}
	nmin = nmin < 1e300 ? nmin : 2;
	lo = lo < -100 ? -100 : lo, hi = hi > 100 ? 100 : hi;
	nice_scale(&y, lo, hi, 5, b.bottom, b.top);
	y_axis(&y, b.left, b.right, b.axis_titles & 1 ? "NPS (points)" : "");
	x_axis_numeric(&x, b.bottom, b.top, b.axis_titles & 2 ? "responses (n)" : "");
	if (ref) {
		/* The limits from the smallest unit to the axis' end, on a log
		 * spacing of n; drawn only inside the plotting area. */
		static const double q[2] = { 1.959964, 3.090232 };
		for (int k = 0; k < 2; k++)
			for (int side = -1; side <= 1; side += 2) {
				out_str("<path d=\"");
				int open = 0;
				for (int s = 0; s <= 80; s++) {
					double n = nmin * pow(x.d1 / nmin, s / 80.0);
					double v = ref->v[V_TARGET] + side * q[k] *
						   sqrt(ref->v[V_V1] / n + ref->v[V_TAU2]);
					if (v < y.d0 || v > y.d1) {
						open = 0;
						continue;
					}
					out_str(open ? " L" : " M");
					num(at(&x, n));
					out_char(',');
					num(at(&y, v));
					open = 1;
				}
				writer_printf(&out, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.25\"%s class=\"mark limit\"/>\n",
					      INK_SOFT, k ? "" : " stroke-dasharray=\"5 3\"");
				double end = ref->v[V_TARGET] + side * q[k] *
					     sqrt(ref->v[V_V1] / x.d1 + ref->v[V_TAU2]);
				if (side > 0 && end <= y.d1)
					label(x.r1 - 4, at(&y, end) - 5, "end", 10, INK_SOFT,
					      k ? "99.8%" : "95%", 6);
			}
		line(x.r0, at(&y, ref->v[V_TARGET]), x.r1, at(&y, ref->v[V_TARGET]), INK, 1.5, NULL, "mark target");
		label(x.r1 - 4, at(&y, ref->v[V_TARGET]) - 5, "end", 10, INK_SOFT, "target", 10);
	}
	/* Smaller markers in a crowd, so that they overlap less. */
	double radius = pn->n > 200 ? 3 : pn->n > 50 ? 3.75 : 4.5;
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		if (!has(r, V_X) || !has(r, V_Y))
			continue;
		int review = r->text[T_VERDICT] && !strcmp(r->text[T_VERDICT], "review");
		char tip[256];
		snprintf(tip, sizeof tip, "%s: NPS %.1f from %.0f responses%s", r->label,
			 r->v[V_Y], r->v[V_X], review ? ", under review" : "");
		marker(at(&x, r->v[V_X]), at(&y, r->v[V_Y]), review ? "diamond" : "circle",
		       review ? VERMILLION : BLUE, 0, tip, review ? 5.5 : radius);
		if (review)
			label(at(&x, r->v[V_X]) + 8, at(&y, r->v[V_Y]) + 4, "start", 10,
			      VERMILLION, r->label, 14);
	}
}

/* Diverging stacked bars centred on the passives (Robbins & Heiberger):
 * detractors left of the middle of the passives, promoters right. */
static void stack_panel(const struct plot *p, struct panel *pn, struct box b)
{
	if (!pn->n) {
		no_data(b);
		return;
	}
	sort_rows(pn->rows, pn->n, p, cmp_by_y);
	double reach = 0;
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		double left = r->v[V_DETRACTORS] + r->v[V_PASSIVES] / 2;
		double right = r->v[V_PROMOTERS] + r->v[V_PASSIVES] / 2;
		reach = fmax(reach, fmax(left, right));
	}
	struct scale x;
	nice_scale(&x, -reach, reach, 5, b.left, b.right);
	double m = fmax(-x.d0, x.d1);
	x.d0 = -m, x.d1 = m;
	nice_scale(&x, -m, m, 5, b.left, b.right);
	for (int i = 0; i < x.nticks; i++) {
		double px = at(&x, x.ticks[i]);
		line(px, b.top, px, b.bottom, GRID, 1, NULL, "decor");
		char t[32];
		snprintf(t, sizeof t, "%.0f%%", fabs(x.ticks[i]));
		label(px, b.bottom + 16, "middle", 11, INK, t, 8);
	}
	label((b.left + b.right) / 2, b.bottom + 34, "middle", 12, INK,
	      "share of responses: detractors left, promoters right, passives centred", 90);
	double step = (b.bottom - b.top) / (double)pn->n;
	static const char *const names[3] = { "detractors", "passives", "promoters" };
	static const char *const colours[3] = { VERMILLION, GREY, BLUE };
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		double y0 = b.top + step * (double)i + step * 0.15, h = step * 0.7;
		label(b.left - 8, y0 + h / 2 + 4, "end", 11, INK, r->label, 22);
		double share[3] = { r->v[V_DETRACTORS], r->v[V_PASSIVES], r->v[V_PROMOTERS] };
		double from = -(share[0] + share[1] / 2);
		for (int s = 0; s < 3; s++) {
			double x0 = at(&x, from), x1 = at(&x, from + share[s]);
			rect(x0, y0, x1 - x0, h, colours[s], "mark");
			/* a white edge keeps neighbouring segments apart (1.4.11) */
			out_str(" stroke=\"#FFFFFF\" stroke-width=\"1\"><title>");
			xml_str(r->label);
			writer_printf(&out, ": %s %.1f%%</title></rect>\n", names[s], share[s]);
			if (x1 - x0 > 30) {
				char t[16];
				snprintf(t, sizeof t, "%.0f", share[s]);
				label((x0 + x1) / 2, y0 + h / 2 + 4, "middle", 10, "#FFFFFF", t, 4);
			}
			from += share[s];
		}
	}
	line(at(&x, 0), b.top, at(&x, 0), b.bottom, INK, 1, NULL, "mark centre");
	/* The key: a word beside each colour, so colour is not the only cue. */
	for (int s = 0; s < 3; s++) {
		double kx = b.left + (double)s * 110;
		rect(kx, b.top - 18, 10, 10, colours[s], "mark key");
		out_str("/>\n");
		label(kx + 14, b.top - 9, "start", 11, INK, names[s], 12);
	}
}

/* Importance against performance (Martilla & James), the cut lines and
 * the quadrants named; each quadrant its own shape. */
static void quadrant_panel(const struct plot *p, struct panel *pn, struct box b)
{
	double xlo = 1e300, xhi = -1e300, ylo = 1e300, yhi = -1e300;
	const struct row *cut = NULL;
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		if (!has(r, V_X) || !has(r, V_Y))
			continue;
		xlo = fmin(xlo, r->v[V_X]), xhi = fmax(xhi, r->v[V_X]);
		ylo = fmin(ylo, has(r, V_LO) ? r->v[V_LO] : r->v[V_Y]);
		yhi = fmax(yhi, has(r, V_HI) ? r->v[V_HI] : r->v[V_Y]);
		if (has(r, V_CUT_X) && has(r, V_CUT_Y))
			cut = r;
	}
	if (xlo > xhi) {
		no_data(b);
		return;
	}
	if (cut) {
		xlo = fmin(xlo, cut->v[V_CUT_X]), xhi = fmax(xhi, cut->v[V_CUT_X]);
		ylo = fmin(ylo, cut->v[V_CUT_Y]), yhi = fmax(yhi, cut->v[V_CUT_Y]);
	}
	/* Room around the points, so that none sits on an edge or under a
	 * quadrant's name. */
	double xpad = (xhi - xlo) * 0.1 + 1e-9, ypad = (yhi - fmin(ylo, 0)) * 0.12 + 1e-9;
	struct scale x, y;
	nice_scale(&x, xlo - xpad, xhi + xpad, 5, b.left, b.right);
	nice_scale(&y, fmin(ylo, 0), yhi + ypad, 5, b.bottom, b.top);
	y_axis(&y, b.left, b.right, b.axis_titles & 1 ? "importance (share of R\xC2\xB2, %)" : "");
	x_axis_numeric(&x, b.bottom, b.top, b.axis_titles & 2 ? "performance (mean rating)" : "");
	if (cut) {
		double cx = at(&x, cut->v[V_CUT_X]), cy = at(&y, cut->v[V_CUT_Y]);
		int size = b.right - b.left < 320 ? 10 : 12;
		line(cx, b.top, cx, b.bottom, INK_SOFT, 1.25, "5 3", "mark cut");
		line(b.left, cy, b.right, cy, INK_SOFT, 1.25, "5 3", "mark cut");
		label(b.left + 6, b.top + 14, "start", size, VERMILLION, "fix first", 20);
		label(b.right - 6, b.top + 14, "end", size, BLUE, "keep", 20);
		label(b.left + 6, b.bottom - 8, "start", size, INK_SOFT, "low priority", 20);
		label(b.right - 6, b.bottom - 8, "end", size, PURPLE, "maintain", 20);
	}
	double used[64][2];
	int nused = 0;
	for (size_t i = 0; i < pn->n; i++) {
		const struct row *r = &p->rows[pn->rows[i]];
		if (!has(r, V_X) || !has(r, V_Y))
			continue;
		const char *q = r->text[T_QUADRANT] ? r->text[T_QUADRANT] : "";
		const char *shape = "circle", *colour = BLUE;
		if (!strcmp(q, "fix_first"))
			shape = "triangle", colour = VERMILLION;
		else if (!strcmp(q, "maintain"))
			shape = "square", colour = PURPLE;
		else if (!strcmp(q, "low_priority"))
			shape = "diamond", colour = INK;
		double px = at(&x, r->v[V_X]), py = at(&y, r->v[V_Y]);
		if (has(r, V_LO) && has(r, V_HI))
			line(px, at(&y, r->v[V_LO]), px, at(&y, r->v[V_HI]), colour, 1, NULL, "mark whisker");
		char tip[256];
		snprintf(tip, sizeof tip, "%s: importance %.1f, performance %.2f%s%s", r->label,
			 r->v[V_Y], r->v[V_X], *q ? ", " : "", q);
		marker(px, py, shape, colour, 0, tip, 5);
		/* In a small panel only the factors to fix first are named (the
		 * others keep their tooltip). The name goes beside the point,
		 * moved down (up near the bottom) while it would cover another. */
		if (b.right - b.left < 320 && strcmp(q, "fix_first"))
			continue;
		double ly = py + 4, step = py + 4 > b.bottom - 16 ? -12 : 12;
		for (int tries = 0; tries < 8; tries++) {
			int clash = 0;
			for (int k = 0; k < nused; k++)
				clash |= fabs(used[k][0] - px) < 90 && fabs(used[k][1] - ly) < 12;
			if (!clash)
				break;
			ly += step;
		}
		if (nused < 64)
			used[nused][0] = px, used[nused++][1] = ly;
		/* 6 px a character of 10 px text: a name that would leave the
		 * area goes on the point's left. */
		size_t len = chars_of(r->label) < 14 ? chars_of(r->label) : 14;
		if (px + 8 + 6.0 * (double)len > b.right)
			label(px - 8, ly, "end", 10, INK, r->label, 14);
		else
			label(px + 8, ly, "start", 10, INK, r->label, 14);
	}
}

/* ---- the chart ------------------------------------------------------------ */

static const char *default_title(enum kind k)
{
	static const char *const t[NKINDS] = {
		"NPS over time", "NPS by group", "NPS against number of responses",
		"Promoters, passives and detractors", "What to fix first",
	};
	return t[k];
}

/* What the chart shows and its extremes, for <desc>: screen readers read
 * it in place of the picture. */
static void describe(const struct plot *p)
{
	const struct row *best = NULL, *worst = NULL;
	size_t drawn = 0;
	for (size_t i = 0; i < p->nrows; i++) {
		const struct row *r = &p->rows[i];
		if (!has(r, V_Y))
			continue;
		drawn++;
		if (!best || r->v[V_Y] > best->v[V_Y])
			best = r;
		if (!worst || r->v[V_Y] < worst->v[V_Y])
			worst = r;
	}
	const char *what = p->opt.kind == QUADRANT ? "importance" : "NPS";
	writer_printf(&out, "%s chart of %zu %s. ", kind_names[p->opt.kind], drawn,
		      p->opt.kind == TREND ? "period values" : p->opt.kind == QUADRANT ? "drivers" : "groups");
	if (!best) {
		out_str("No data.");
		return;
	}
	const char *bl = p->opt.kind == TREND ? p->periods[(size_t)best->x] : best->label;
	const char *wl = p->opt.kind == TREND ? p->periods[(size_t)worst->x] : worst->label;
	out_str("Highest ");
	xml_str(what);
	out_char(' ');
	writer_fixed(&out, best->v[V_Y], 1);
	out_str(" (");
	if (p->opt.kind == TREND && *best->series) {
		xml_str(best->series);
		out_char(' ');
	}
	xml_str(bl);
	out_str("), lowest ");
	writer_fixed(&out, worst->v[V_Y], 1);
	out_str(" (");
	if (p->opt.kind == TREND && *worst->series) {
		xml_str(worst->series);
		out_char(' ');
	}
	xml_str(wl);
	out_str(").");
	size_t flagged = 0, review = 0;
	for (size_t i = 0; i < p->nrows; i++) {
		const char *f = p->rows[i].text[T_FLAG];
		flagged += f && (!strcmp(f, "high") || !strcmp(f, "low"));
		const char *v = p->rows[i].text[T_VERDICT];
		review += v && !strcmp(v, "review");
	}
	if (flagged)
		writer_printf(&out, " %zu flagged as unusual.", flagged);
	if (review)
		writer_printf(&out, " %zu under review.", review);
}

/* The trend's key: what each line, band and mark means, in words. */
static double trend_key(const struct plot *p, double y)
{
	int expected = 0, flagged = 0, partial = 0;
	for (size_t i = 0; i < p->nrows; i++) {
		const struct row *r = &p->rows[i];
		expected |= has(r, V_EXPECTED) || has(r, V_BAND_LO);
		const char *f = r->text[T_FLAG] ? r->text[T_FLAG] : "";
		flagged |= !strcmp(f, "high") || !strcmp(f, "low");
		partial |= (r->text[T_PARTIAL] && !strcmp(r->text[T_PARTIAL], "1")) ||
			   !strcmp(f, "partial");
	}
	double x = 12;
	line(x, y, x + 22, y, BLUE, 2, NULL, "mark key");
	label(x + 28, y + 4, "start", 11, INK, "NPS", 10);
	x += 64;
	rect(x, y - 6, 22, 12, BAND, "band key");
	out_str("/>\n");
	label(x + 28, y + 4, "start", 11, INK, "95% interval", 20);
	x += 120;
	if (expected) {
		line(x, y, x + 22, y, INK, 1.5, "4 3", "mark key");
		label(x + 28, y + 4, "start", 11, INK, "expected", 10);
		x += 90;
		rect(x, y - 6, 22, 12, EXPECTED_BAND, "band key");
		out_str("/>\n");
		label(x + 28, y + 4, "start", 11, INK, "usual range", 20);
		x += 112;
	}
	if (flagged) {
		marker(x + 6, y, "triangle", VERMILLION, 0, "flagged high", 4.5);
		marker(x + 20, y, "triangle-down", VERMILLION, 0, "flagged low", 4.5);
		label(x + 32, y + 4, "start", 11, INK, "unusual (high, low)", 24);
		x += 160;
	}
	if (partial) {
		marker(x + 6, y, "circle", BLUE, 1, "partial period", 4.5);
		label(x + 18, y + 4, "start", 11, INK, "partial period", 20);
	}
	return 20;
}

static int cmp_panels(const void *a, const void *b)
{
	return strcmp(((const struct panel *)a)->facet, ((const struct panel *)b)->facet);
}

static void draw(struct plot *p)
{
	const struct options *o = &p->opt;
	/* Panels: one per facet value, in sorted order. */
	struct panel *panels = xmalloc((p->nrows + 1) * sizeof *panels);
	size_t npanels = 0;
	for (size_t i = 0; i < p->nrows; i++) {
		size_t k = 0;
		while (k < npanels && strcmp(panels[k].facet, p->rows[i].facet))
			k++;
		if (k == npanels) {
			panels[k].facet = p->rows[i].facet;
			panels[k].rows = xmalloc(p->nrows * sizeof *panels[k].rows);
			panels[k].n = 0;
			npanels++;
		}
		panels[k].rows[panels[k].n++] = i;
	}
	if (!npanels) {
		panels[0].facet = "";
		panels[0].rows = NULL;
		panels[0].n = 0;
		npanels = 1;
	}
	qsort(panels, npanels, sizeof *panels, cmp_panels);
	size_t most = 1;
	for (size_t k = 0; k < npanels; k++)
		most = panels[k].n > most ? panels[k].n : most;
	size_t columns = npanels < 3 ? npanels : 3, prows = (npanels + columns - 1) / columns;
	int rowwise = o->kind == DOTS || o->kind == STACK;
	double panel_h = o->height > 0 ? o->height
		       : rowwise ? 70 + 22 * (double)most : o->kind == QUADRANT ? 380 : 300;
	double title_h = 30 + (o->subtitle ? 18 : 0) + (o->kind == TREND ? 20 : 0);
	double W = o->width, H = title_h + panel_h * (double)prows + 8;
	const char *title = o->title ? o->title : default_title(o->kind);

	out_str("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
	num(W);
	out_str("\" height=\"");
	num(H);
	out_str("\" viewBox=\"0 0 ");
	num(W);
	out_char(' ');
	num(H);
	writer_printf(&out, "\" role=\"img\" aria-labelledby=\"%s-title %s-desc\" font-family=\"sans-serif\">\n", p->id, p->id);
	writer_printf(&out, "<title id=\"%s-title\">", p->id);
	xml_str(title);
	writer_printf(&out, "</title>\n<desc id=\"%s-desc\">", p->id);
	describe(p);
	out_str("</desc>\n");
	rect(0, 0, W, H, "#FFFFFF", "background");
	out_str("/>\n");
	out_str("<text x=\"12\" y=\"22\" font-size=\"16\" font-weight=\"bold\" fill=\"" INK "\">");
	xml_str(title);
	out_str("</text>\n");
	if (o->subtitle)
		label(12, 40, "start", 12, INK_SOFT, o->subtitle, 110);
	if (o->kind == TREND)
		trend_key(p, title_h - 14);
	double pw = W / (double)columns;
	for (size_t k = 0; k < npanels; k++) {
		double px = pw * (double)(k % columns), py = title_h + panel_h * (double)(k / columns);
		struct box b;
		double left_margin = rowwise ? 150 : k % columns ? 36 : 62;
		b.left = px + left_margin;
		b.right = px + pw - (o->kind == DOTS ? 100 : o->kind == TREND && o->group ? 80 : 16);
		b.top = py + (o->facet ? 22 : 8) + (o->kind == STACK ? 22 : 0);
		b.bottom = py + panel_h - 44;
		b.axis_titles = (k % columns == 0) | (k + columns >= npanels) << 1;
		if (o->facet)
			label(px + 12, py + 14, "start", 12, INK, panels[k].facet, (size_t)(pw / 8));
		switch (o->kind) {
		case TREND: trend_panel(p, &panels[k], b); break;
		case DOTS: dots_panel(p, &panels[k], b); break;
		case FUNNEL: funnel_panel(p, &panels[k], b); break;
		case STACK: stack_panel(p, &panels[k], b); break;
		case QUADRANT: quadrant_panel(p, &panels[k], b); break;
		default: break;
		}
	}
	out_str("</svg>\n");
	for (size_t k = 0; k < npanels; k++)
		free(panels[k].rows);
	free(panels);
}

/* ---- options and main ------------------------------------------------------ */

/* shortopts "+g:k:h" stops at the chart's kind; "g:k:h" then takes the
 * options anywhere after it. */
static void parse_options(int argc, char **argv, struct options *o,
			  const char *shortopts)
{
	static const struct option options[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "key", required_argument, NULL, 'k' },
		{ "facet", required_argument, NULL, 'F' },
		{ "tiers", required_argument, NULL, 'T' },
		{ "title", required_argument, NULL, 't' },
		{ "subtitle", required_argument, NULL, 'S' },
		{ "width", required_argument, NULL, 'W' },
		{ "height", required_argument, NULL, 'H' },
		{ "id", required_argument, NULL, 'I' },
		{ "highlight", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, shortopts, options, NULL)) != -1) {
		switch (c) {
		case 'g': o->group = optarg; break;
		case 'k': o->key = optarg; break;
		case 'F': o->facet = optarg; break;
		case 'T': o->tiers = optarg; break;
		case 't': o->title = optarg; break;
		case 'S': o->subtitle = optarg; break;
		case 'W': o->width = num_opt_between("--width", optarg, 199, 20001); break;
		case 'H': o->height = num_opt_between("--height", optarg, 119, 20001); break;
		case 'I':
			for (const char *s = optarg; *s; s++)
				if (!(*s == '-' || *s == '_' || (*s >= '0' && *s <= '9') ||
				      ((*s | 32) >= 'a' && (*s | 32) <= 'z')))
					die_usage("--id must be letters, digits, - and _ (\"%s\")", optarg);
			if (!*optarg || strlen(optarg) > 24)
				die_usage("--id must be 1 to 24 characters (\"%s\")", optarg);
			o->id = optarg;
			break;
		case 'L': o->highlight = optarg; break;
		case 'h': usage(); exit_printed();
		case 'V': printf("nps-plot %s\n", NPSKIT_VERSION); exit_printed();
		default: die_option(argv, shortopts);
		}
	}
}

int main(int argc, char **argv)
{
	struct plot p = { 0 };
	p.opt.width = 720;
	prog_init(argv[0]);
	parse_options(argc, argv, &p.opt, "+g:k:h");
	/* The kind comes first; options may follow it. */
	if (optind >= argc)
		die_usage("which chart? trend, dots, funnel, stack or quadrant");
	const char *kind = argv[optind++];
	int k = 0;
	while (k < NKINDS && strcmp(kind, kind_names[k]))
		k++;
	if (k == NKINDS)
		die_usage("unknown chart \"%s\": trend, dots, funnel, stack or quadrant", kind);
	/* Options may follow the kind: getopt starts again (optind 0), over
	 * the arguments after it, in its usual order-free way. */
	argc -= optind - 1, argv += optind - 1;
	optind = 0;
	parse_options(argc, argv, &p.opt, "g:k:h");
	p.opt.kind = (enum kind)k;
	if (p.opt.tiers && p.opt.kind != DOTS)
		die_usage("--tiers is for dots");

	read_rows(&p, argc - optind, argv + optind);
	if (p.opt.tiers)
		join_tiers(&p, p.opt.tiers);
	if (p.opt.kind == TREND)
		place_periods(&p);
	/* Ids unique to this chart, so that several charts fit in one page. */
	uint64_t h = hash_bytes(kind, strlen(kind));
	for (size_t i = 0; i < p.nrows; i++)
		h = h * 31 + hash_bytes(p.rows[i].label, strlen(p.rows[i].label)) +
		    hash_bytes(&p.rows[i].v, sizeof p.rows[i].v);
	if (p.opt.id)
		snprintf(p.id, sizeof p.id, "%s", p.opt.id);
	else
		snprintf(p.id, sizeof p.id, "nps%08llx", (unsigned long long)(h & 0xffffffffULL));
	draw(&p);
	writer_close(&out);
	for (size_t i = 0; i < p.nrows; i++) {
		free(p.rows[i].label), free(p.rows[i].series), free(p.rows[i].facet);
		for (int t = 0; t < NTEXTS; t++)
			free(p.rows[i].text[t]);
	}
	free(p.rows);
	free(p.periods);
	return 0;
}
