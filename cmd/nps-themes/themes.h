/* nps-themes' private parts: text folded for matching, the dictionary
 * compiled into an Aho-Corasick automaton, the scan of one text (matches,
 * overlaps, negation), and --suggest's counts. A struct dict owns its
 * names, patterns and automaton; a struct scan owns the buffers one text
 * is scanned with (reused from row to row: no allocation per row). */
#ifndef NPS_THEMES_H
#define NPS_THEMES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hash.h"
#include "out.h"

enum {
	PAT_PREFIX = 1,     /* "phrase*": the phrase starts a word */
	PAT_EXCLUDE = 2,    /* "-phrase": found, the theme is not reported */
	PAT_WORD_START = 4, /* begins with a letter or digit of a spaced script */
	PAT_WORD_END = 8,   /* ends with one, and is not a prefix */
};

struct pattern {
	uint32_t theme, len; /* len: bytes, folded */
	unsigned flags;
	unsigned long line; /* in the dictionary, for messages */
};

/* An automaton state. The first states (breadth first) have a full row of
 * 256 transitions; the others their own edges and a failure link.
 * Transitions (dense rows, edges) carry AC_OUT (match.c) when a pattern
 * ends at the target. */
struct ac_state {
	uint32_t fail;
	uint32_t output;  /* this state or the nearest on its failure chain
			     that ends a pattern; 0: none (the root ends none) */
	uint32_t pattern; /* the pattern that ends here, + 1; 0: none */
	uint32_t edges;   /* the first of its edges */
	uint32_t nedges;
};

struct dict {
	const char *path;
	struct hash theme_ids; /* name -> theme id, in dictionary order */
	size_t nthemes;
	struct pattern *pat;
	size_t npat;
	struct hash phrase_ids; /* kind byte + folded phrase -> pattern id */

	struct ac_state *st;
	size_t nstates;
	uint32_t *dense; /* states below ndense: a transition per class */
	size_t ndense;
	uint16_t byte_class[256];
	size_t nclasses;
	uint64_t negator_keys[64], clause_keys[16]; /* match.c's word lists */
	unsigned char *edge_byte;
	uint32_t *edge_to;
};

/* Status of a theme in one text. */
enum { THEME_PLAIN = 1, THEME_NEGATED = 2, THEME_EXCLUDED = 4 };

struct match {
	size_t start, end; /* folded bytes [start, end) */
	uint32_t pattern;
	int negated;
};

struct scan {
	struct buf text;    /* the folded text */
	size_t *off;        /* with offsets: off[i], the input byte that
			       folded byte i came from; off[text.len] = n */
	size_t offcap;
	struct match *m;    /* found; after scan_text, the kept ones by start */
	size_t nm, mcap;
	unsigned char *covered; /* per folded byte, while resolving overlaps */
	size_t covcap;
	unsigned long row;      /* stamps the per-theme arrays below */
	unsigned long *stamp;
	unsigned char *status;
	uint32_t *touched;      /* the themes found, ascending after scan_text */
	size_t ntouched;
};

/* Folds n bytes into s->text: ASCII letters lowered, Latin-1 and Latin
 * Extended-A letters to their base letters (é -> e, œ -> oe, ß -> ss),
 * ’ to ', the escapes \t \n \r and runs of spaces to one space, \\ to \;
 * every other byte (invalid UTF-8 too) as it is. With offsets, fills
 * s->off. */
void fold_text(struct scan *s, const char *p, size_t n, int offsets);

/* Reads the dictionary (header theme, phrase); exits 65 naming FILE:LINE
 * on a bad line, 66 when it cannot be opened. */
void dict_load(struct dict *d, const char *path);
void dict_free(struct dict *d);
/* The theme's name (owned by the dictionary). */
const char *dict_theme(const struct dict *d, uint32_t theme, size_t *len);

void scan_init(struct scan *s, const struct dict *d);
void scan_free(struct scan *s);
/* Scans one text: s->m holds the kept matches in text order, s->touched
 * the themes found (excluded ones included) in dictionary order, and
 * s->status[theme] says how each was found. */
void scan_text(const struct dict *d, struct scan *s, const char *p, size_t n,
	       int offsets);

/* --suggest: words, two-word phrases and CJK character bigrams of texts
 * no theme was found in, counted once per text. */
struct suggest {
	struct hash keys; /* kind byte + folded text -> id */
	unsigned long *count, *last;
	size_t cap;
	unsigned long text_no;
};
void suggest_add(struct suggest *g, const char *folded, size_t n);
/* Writes kind, phrase, responses: the top n of each kind. */
void suggest_write(struct suggest *g, struct writer *w, unsigned long n);
void suggest_free(struct suggest *g);

#endif
