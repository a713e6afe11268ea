/* nps-themes: folding, the dictionary and its automaton, the scan of a
 * text. See themes.h. */
#include <stdlib.h>
#include <string.h>

#include "themes.h"
#include "tsv.h"
#include "util.h"

/* ---- Folding ----------------------------------------------------------- */

/* U+00C0..U+00FF folded; "" keeps the character (× and ÷). */
static const char latin1[64][3] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};
/* U+0100..U+017F folded to one letter; I stands for "ij", O for "oe". */
static const char latin_a[129] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiIIjjkkk"
	"llllllllllnnnnnnnnnooooooOOrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

static void fold_grow(struct scan *s, size_t n, int offsets)
{
	s->text.len = 0;
	buf_grow(&s->text, n + 1);
	if (offsets && s->offcap < n + 1) {
		s->offcap = n + 1 > 2 * s->offcap ? n + 1 : 2 * s->offcap;
		s->off = xrealloc(s->off, s->offcap * sizeof *s->off);
	}
}

/* Bytes that fold_text copies as they are, or lowered (ASCII letters): 0.
 * Spaces, backslashes and the lead bytes of what folds: 1. */
static const unsigned char fold_special[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, ['\\'] = 1,
	[0xC3] = 1, [0xC4] = 1, [0xC5] = 1, [0xE2] = 1,
};

static inline __attribute__((always_inline)) void
fold(struct scan *s, const unsigned char *in, size_t n, const int offsets)
{
	fold_grow(s, n, offsets);
	unsigned char *o = (unsigned char *)s->text.p;
	size_t j = 0;
	int space = 0; /* the last byte written is a space */
	for (size_t i = 0; i < n;) {
		unsigned char c = in[i];
		if (!fold_special[c]) {
			if (offsets)
				s->off[j] = i;
			o[j++] = (unsigned char)(c + ((unsigned)(c - 'A') < 26) * 32);
			space = 0;
			i++;
			continue;
		}
		const char *to = NULL;
		size_t used = 1;
		char one[2] = { 0, 0 };
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			to = " ";
		} else if (c == '\\' && i + 1 < n &&
			   (in[i + 1] == 't' || in[i + 1] == 'n' || in[i + 1] == 'r')) {
			to = " ";
			used = 2;
		} else if (c == '\\' && i + 1 < n && in[i + 1] == '\\') {
			to = "\\";
			used = 2;
		} else if (c == 0xC3 && i + 1 < n && in[i + 1] >= 0x80 && in[i + 1] <= 0xBF) {
			to = latin1[in[i + 1] - 0x80];
			used = 2;
			if (!*to)
				to = NULL, used = 1;
		} else if ((c == 0xC4 || c == 0xC5) && i + 1 < n && in[i + 1] >= 0x80 &&
			   in[i + 1] <= 0xBF) {
			char l = latin_a[(c - 0xC4) * 64 + (in[i + 1] - 0x80)];
			to = l == 'I' ? "ij" : l == 'O' ? "oe" : (one[0] = l, one);
			used = 2;
		} else if (c == 0xE2 && i + 2 < n && in[i + 1] == 0x80 && in[i + 2] == 0x99) {
			to = "'";
			used = 3;
		}
		if (!to) {
			if (offsets)
				s->off[j] = i;
			o[j++] = c;
			space = 0;
			i++;
			continue;
		}
		if (to[0] == ' ') {
			if (!space) {
				if (offsets)
					s->off[j] = i;
				o[j++] = ' ';
			}
			space = 1;
		} else {
			for (; *to; to++) {
				if (offsets)
					s->off[j] = i;
				o[j++] = (unsigned char)*to;
			}
			space = 0;
		}
		i += used;
	}
	if (offsets)
		s->off[j] = n;
	s->text.len = j;
}

void fold_text(struct scan *s, const char *p, size_t n, int offsets)
{
	if (offsets)
		fold(s, (const unsigned char *)p, n, 1);
	else
		fold(s, (const unsigned char *)p, n, 0);
}

/* ---- Characters -------------------------------------------------------- */

static int alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Starts a character of a spaced script's word: an ASCII letter or digit,
 * or a two-byte UTF-8 letter (Latin, Greek, Cyrillic, Hebrew, Arabic...). */
static int word_lead(unsigned char c)
{
	return alnum(c) || (c >= 0xC3 && c <= 0xDF);
}

static int word_after(const unsigned char *t, size_t n, size_t i)
{
	return i < n && word_lead(t[i]);
}

static int word_before(const unsigned char *t, size_t i)
{
	if (i == 0)
		return 0;
	unsigned char c = t[i - 1];
	if (c < 0x80)
		return alnum(c);
	return c < 0xC0 && i >= 2 && t[i - 2] >= 0xC3 && t[i - 2] <= 0xDF;
}

static size_t char_len(const unsigned char *t, size_t n, size_t i)
{
	unsigned char c = t[i];
	size_t k = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	return i + k <= n ? k : n - i;
}

/* The code point of the valid three-byte character at t[i], else 0. */
static unsigned cp3(const unsigned char *t, size_t n, size_t i)
{
	if (i + 3 > n || (t[i] & 0xF0) != 0xE0 || (t[i + 1] & 0xC0) != 0x80 ||
	    (t[i + 2] & 0xC0) != 0x80)
		return 0;
	return (unsigned)(t[i] & 0x0F) << 12 | (unsigned)(t[i + 1] & 0x3F) << 6 |
	       (t[i + 2] & 0x3F);
}

/* Whether n bytes are valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int utf8_valid(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
			 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		if (!k || i + k > n)
			return 0;
		for (size_t j = 1; j < k; j++)
			if ((p[i + j] & 0xC0) != 0x80)
				return 0;
		unsigned c1 = p[i + 1];
		if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) ||
		    (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
			return 0;
		i += k;
	}
	return 1;
}

/* ---- Negation ---------------------------------------------------------- */

/* A word of at most 8 bytes as one number (zero-padded), so that the word
 * before each match is looked up by a few comparisons. */
static uint64_t word_key(const void *w, size_t n)
{
	uint64_t k = 0;
	memcpy(&k, w, n);
	return k;
}

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Whether the word (of any length) is one whose key is in keys (sorted). */
static int in_keys(const uint64_t *keys, size_t count, const unsigned char *w, size_t n)
{
	if (n > 8)
		return 0;
	uint64_t k = word_key(w, n);
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (keys[mid] == k)
			return 1;
		if (keys[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Folded words that negate what follows them in their clause: English,
 * French (and n' at the start of a word, below), German, Spanish (8 bytes
 * at most). */
static const char *const negators[] = {
	"arent", "aucun", "aucune", "cannot", "cant", "couldnt", "didnt", "doesnt",
	"dont", "guere", "hadnt", "hardly", "hasnt", "havent", "isnt", "jamais",
	"jamas", "kein", "keine", "keinem", "keinen", "keiner", "ne", "neither",
	"never", "ni", "nicht", "nie", "niemals", "ningun", "ninguna", "ninguno",
	"no", "nobody", "none", "nor", "not", "nothing", "nunca", "ohne", "pas",
	"rien", "sans", "sin", "tampoco", "wasnt", "werent", "without", "wont",
	"wouldnt",
};
/* Words that end a clause, as punctuation does (8 bytes at most). */
static const char *const clause_words[] = {
	"aber", "although", "but", "however", "jedoch", "mais", "pero",
	"pourtant", "sino", "though",
};
#define COUNT(a) (sizeof a / sizeof *a)
_Static_assert(COUNT(negators) <= COUNT(((struct dict *)0)->negator_keys), "negator_keys");
_Static_assert(COUNT(clause_words) <= COUNT(((struct dict *)0)->clause_keys), "clause_keys");

/* The lists' keys, sorted (every word is 8 bytes or less). */
static void negation_keys(struct dict *d)
{
	for (size_t i = 0; i < COUNT(negators); i++)
		d->negator_keys[i] = word_key(negators[i], strlen(negators[i]));
	for (size_t i = 0; i < COUNT(clause_words); i++)
		d->clause_keys[i] = word_key(clause_words[i], strlen(clause_words[i]));
	qsort(d->negator_keys, COUNT(negators), sizeof *d->negator_keys, key_cmp);
	qsort(d->clause_keys, COUNT(clause_words), sizeof *d->clause_keys, key_cmp);
}

static int negator_word(const struct dict *d, const unsigned char *w, size_t n)
{
	if (in_keys(d->negator_keys, COUNT(negators), w, n))
		return 1;
	if (n >= 3 && w[0] == 'n' && w[1] == '\'') /* n'est, n'ai */
		return 1;
	return n >= 4 && memcmp(w + n - 3, "n't", 3) == 0; /* didn't */
}

enum { NEG_NO, NEG_YES, NEG_CLAUSE_END };

/* A Chinese character before a phrase: a negator (不 没 未 别 无, but not in
 * 不错 不久 不少 不仅 特别 区别 别人 未来 无论 ...), the end of the clause
 * (但, 却, 不过, full-width punctuation) or neither. prev and next are the
 * characters around it (0 if none). */
static int hanzi_negation(unsigned c, unsigned prev, unsigned next)
{
	switch (c) {
	case 0x4E0D: /* 不 */
		if (next == 0x8FC7) /* 不过: however */
			return NEG_CLAUSE_END;
		return next == 0x9519 || next == 0x4E45 || next == 0x5C11 ||
		       next == 0x4EC5 || next == 0x4F46 ? NEG_NO : NEG_YES;
	case 0x6CA1: /* 没 */
		return NEG_YES;
	case 0x672A: /* 未 */
		return next == 0x6765 ? NEG_NO : NEG_YES;
	case 0x65E0: /* 无 */
		return next == 0x8BBA ? NEG_NO : NEG_YES;
	case 0x522B: /* 别 */
		if (next == 0x4EBA || next == 0x7684)
			return NEG_NO;
		switch (prev) {
		case 0x7279: case 0x533A: case 0x5206: case 0x7EA7: case 0x7C7B:
		case 0x4E2A: case 0x5DEE: case 0x544A: case 0x8BC6: case 0x6027:
			return NEG_NO;
		}
		return NEG_YES;
	case 0x4F46: case 0x5374: /* 但 却 */
		return NEG_CLAUSE_END;
	}
	if ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
	    (c >= 0xFF1A && c <= 0xFF1F) || c == 0x2026 || c == 0x2014)
		return NEG_CLAUSE_END;
	return NEG_NO;
}

enum { NEG_WORDS = 3, NEG_HANZI = 4 };

/* Whether a negator stands in the same clause within the NEG_WORDS words
 * or NEG_HANZI Chinese characters before t[start], after t[limit] (the end
 * of the match before: "not expensive, rude staff" negates one phrase). */
static int negated(const struct dict *d, const unsigned char *t, size_t n, size_t start,
		   size_t limit)
{
	size_t i = start;
	int words = 0, hanzi = 0;
	while (i > limit) {
		unsigned char c = t[i - 1];
		if (c == ' ') {
			i--;
			continue;
		}
		if (c < 0x80 && !alnum(c) && c != '\'')
			return 0; /* punctuation ends the clause */
		size_t k = i - 1; /* the start of the character before i */
		while (k > limit && i - k < 4 && (t[k] & 0xC0) == 0x80)
			k--;
		unsigned h = cp3(t, n, k);
		if (h >= 0x2000) {
			unsigned prev = k >= limit + 3 ? cp3(t, n, k - 3) : 0;
			unsigned next = cp3(t, n, i);
			int v = hanzi_negation(h, prev, next);
			if (v != NEG_NO)
				return v == NEG_YES;
			if (++hanzi >= NEG_HANZI)
				return 0;
			i = k;
			continue;
		}
		/* A word: letters, digits, apostrophes, two-byte letters. */
		size_t e = i;
		while (i > limit) {
			unsigned char b = t[i - 1];
			if (b < 0x80 ? alnum(b) || b == '\'' : word_before(t, i) && i >= limit + 2)
				i -= b < 0x80 ? 1 : 2;
			else
				break;
		}
		if (i == e) { /* a byte of no word: skip it */
			i--;
			continue;
		}
		if (in_keys(d->clause_keys, COUNT(clause_words), t + i, e - i))
			return 0;
		if (negator_word(d, t + i, e - i))
			return 1;
		if (++words >= NEG_WORDS)
			return 0;
	}
	return 0;
}

/* ---- The dictionary ---------------------------------------------------- */

/* The trie while the dictionary is read: first child and next sibling. */
struct trie {
	uint32_t *child, *sibling, *pattern;
	unsigned char *byte;
	size_t n, cap;
};

/* The child of parent by c, added if absent (node 0 is the root). */
static uint32_t trie_add(struct trie *t, uint32_t parent, unsigned char c)
{
	if (t->n) /* the root exists: look for the child */
		for (uint32_t k = t->child[parent]; k; k = t->sibling[k])
			if (t->byte[k] == c)
				return k;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->child = xrealloc(t->child, t->cap * sizeof *t->child);
		t->sibling = xrealloc(t->sibling, t->cap * sizeof *t->sibling);
		t->pattern = xrealloc(t->pattern, t->cap * sizeof *t->pattern);
		t->byte = xrealloc(t->byte, t->cap);
	}
	uint32_t k = (uint32_t)t->n++;
	t->child[k] = t->pattern[k] = 0;
	t->byte[k] = c;
	t->sibling[k] = 0;
	if (k) {
		t->sibling[k] = t->child[parent];
		t->child[parent] = k;
	}
	return k;
}

/* A transition's target, with AC_OUT set when a pattern ends there (or on
 * its failure chain). */
#define AC_OUT 0x80000000u

static uint32_t ac_step_slow(const struct dict *d, uint32_t s, unsigned char c)
{
	for (;;) {
		if (s < d->ndense)
			return d->dense[(size_t)s * d->nclasses + d->byte_class[c]];
		const struct ac_state *st = &d->st[s];
		const unsigned char *eb = d->edge_byte + st->edges;
		for (uint32_t k = 0; k < st->nedges; k++)
			if (eb[k] == c)
				return d->edge_to[st->edges + k];
		s = st->fail;
	}
}

static inline uint32_t ac_step(const struct dict *d, uint32_t s, unsigned char c)
{
	if (s < d->ndense)
		return d->dense[(size_t)s * d->nclasses + d->byte_class[c]];
	return ac_step_slow(d, s, c);
}

/* States with a full row of transitions: the first ones breadth first,
 * which the scan visits most, as many as fit in this many bytes (measured
 * with 50,000 phrases: 16 MB, 15% faster than 2 MB; a small dictionary
 * fits whole, in cache). */
enum { DENSE_BYTES = 16 << 20 };

/* Bytes no phrase holds all behave alike: class 0. The others get a class
 * each, so that a dense row has one transition per class, not per byte. */
static void byte_classes(struct dict *d, const struct trie *t, uint16_t *rep)
{
	int used[256] = { 0 };
	for (size_t k = 1; k < t->n; k++)
		used[t->byte[k]] = 1;
	d->nclasses = 1;
	rep[0] = 0;
	for (int c = 255; c >= 0; c--) /* some unused byte stands for class 0 */
		if (!used[c])
			rep[0] = (uint16_t)c;
	for (int c = 0; c < 256; c++) {
		d->byte_class[c] = used[c] ? (uint16_t)d->nclasses : 0;
		if (used[c])
			rep[d->nclasses++] = (uint16_t)c;
	}
}

/* Turns the trie into the automaton: states renumbered breadth first,
 * edges sorted, failure links, output links, dense rows. */
static void ac_build(struct dict *d, struct trie *t)
{
	size_t n = t->n;
	uint32_t *order = xmalloc(n * sizeof *order), *newid = xmalloc(n * sizeof *newid);
	size_t head = 0, tail = 0;
	order[tail++] = 0;
	newid[0] = 0;
	while (head < tail) {
		uint32_t u = order[head++];
		for (uint32_t k = t->child[u]; k; k = t->sibling[k]) {
			newid[k] = (uint32_t)tail;
			order[tail++] = k;
		}
	}
	d->nstates = n;
	d->st = xmalloc(n * sizeof *d->st);
	d->edge_byte = xmalloc(n);
	d->edge_to = xmalloc(n * sizeof *d->edge_to);
	size_t ne = 0;
	/* Edges of a state, sorted by byte: (byte << 32 | target) pairs. */
	uint64_t *tmp = xmalloc(256 * sizeof *tmp);
	for (size_t s = 0; s < n; s++) {
		uint32_t u = order[s];
		struct ac_state *st = &d->st[s];
		st->pattern = t->pattern[u];
		st->edges = (uint32_t)ne;
		size_t m = 0;
		for (uint32_t k = t->child[u]; k; k = t->sibling[k])
			tmp[m++] = (uint64_t)t->byte[k] << 32 | newid[k];
		for (size_t a = 1; a < m; a++) /* few edges: insertion sort */
			for (size_t b = a; b > 0 && tmp[b - 1] > tmp[b]; b--) {
				uint64_t x = tmp[b];
				tmp[b] = tmp[b - 1];
				tmp[b - 1] = x;
			}
		for (size_t a = 0; a < m; a++) {
			d->edge_byte[ne] = (unsigned char)(tmp[a] >> 32);
			d->edge_to[ne++] = (uint32_t)tmp[a];
		}
		st->nedges = (uint32_t)m;
		st->fail = st->output = 0;
	}
	free(tmp);
	uint16_t rep[257]; /* a byte of each class */
	byte_classes(d, t, rep);
	size_t fit = DENSE_BYTES / (d->nclasses * sizeof *d->dense);
	size_t ndense = n < fit ? n : fit;
	d->dense = xmalloc(ndense * d->nclasses * sizeof *d->dense);
	d->ndense = 0; /* while the rows are filled, every state is sparse */
	/* Breadth first: a state's failure target is shallower, so done. */
	for (size_t s = 0; s < n; s++) {
		struct ac_state *st = &d->st[s];
		for (uint32_t a = 0; a < st->nedges; a++) {
			uint32_t v = d->edge_to[st->edges + a];
			unsigned char c = d->edge_byte[st->edges + a];
			uint32_t f = s == 0 ? 0 : ac_step(d, st->fail, c) & ~AC_OUT;
			d->st[v].fail = f;
			d->st[v].output = d->st[v].pattern ? v : d->st[f].output;
			if (d->st[v].output)
				d->edge_to[st->edges + a] |= AC_OUT;
		}
		if (s < ndense) {
			uint32_t *row = d->dense + s * d->nclasses;
			for (size_t c = 0; c < d->nclasses; c++)
				row[c] = s == 0 ? 0 : ac_step(d, st->fail, (unsigned char)rep[c]);
			for (uint32_t a = 0; a < st->nedges; a++)
				row[d->byte_class[d->edge_byte[st->edges + a]]] = d->edge_to[st->edges + a];
			d->ndense = s + 1;
		}
	}
	free(order);
	free(newid);
}

const char *dict_theme(const struct dict *d, uint32_t theme, size_t *len)
{
	*len = d->theme_ids.lens[theme];
	return d->theme_ids.keys[theme];
}

/* Checks and adds one line's phrase; folded with the scan's buffer. */
static void dict_add(struct dict *d, struct trie *t, struct scan *fold,
		     const struct tsv_reader *r, struct slice theme, struct slice phrase)
{
	if (!utf8_valid((const unsigned char *)theme.p, theme.n))
		tsv_die(r, EX_DATA_, "the theme is not valid UTF-8 (%s)", tsv_quote(theme));
	if (!utf8_valid((const unsigned char *)phrase.p, phrase.n))
		tsv_die(r, EX_DATA_, "the phrase is not valid UTF-8 (%s)", tsv_quote(phrase));
	if (theme.n == 0)
		tsv_die(r, EX_DATA_, "the theme is empty");
	if (memchr(theme.p, ';', theme.n) || memchr(theme.p, ':', theme.n) ||
	    memchr(theme.p, '@', theme.n) || memchr(theme.p, ' ', theme.n))
		tsv_die(r, EX_DATA_, "a theme is a name without ; : @ or spaces (%s)",
			tsv_quote(theme));
	if (slice_eq(theme, "other"))
		tsv_die(r, EX_DATA_, "the theme \"other\" is kept for texts with no theme");
	unsigned flags = 0;
	struct slice ph = phrase;
	if (ph.n && ph.p[0] == '-') {
		flags |= PAT_EXCLUDE;
		ph.p++, ph.n--;
	}
	if (ph.n && ph.p[ph.n - 1] == '*') {
		flags |= PAT_PREFIX;
		ph.n--;
	}
	fold_text(fold, ph.p, ph.n, 0);
	const unsigned char *f = (const unsigned char *)fold->text.p;
	size_t n = fold->text.len;
	while (n && f[n - 1] == ' ')
		n--;
	while (n && f[0] == ' ')
		f++, n--;
	if (n == 0)
		tsv_die(r, EX_DATA_, "the phrase is empty (%s)", tsv_quote(phrase));
	if (n > UINT32_MAX)
		tsv_die(r, EX_DATA_, "the phrase is too long");

	int added;
	uint32_t id = (uint32_t)hash_intern(&d->theme_ids, theme.p, theme.n, &added);
	d->nthemes = d->theme_ids.count;
	/* The same phrase twice: fine for one theme, an error for two. */
	char *key = xmalloc(n + 1);
	key[0] = (char)(flags & (PAT_EXCLUDE | PAT_PREFIX));
	memcpy(key + 1, f, n);
	size_t pid = hash_intern(&d->phrase_ids, key, n + 1, &added);
	free(key);
	if (!added) {
		const struct pattern *old = &d->pat[pid];
		if (old->theme == id)
			return;
		size_t len;
		const char *name = dict_theme(d, old->theme, &len);
		tsv_die(r, EX_DATA_, "the phrase %s is also theme %.*s's, on line %lu",
			tsv_quote(phrase), (int)len, name, old->line);
	}
	if (d->npat % 256 == 0)
		d->pat = xrealloc(d->pat, (d->npat + 256) * sizeof *d->pat);
	struct pattern *p = &d->pat[d->npat++];
	p->theme = id;
	p->len = (uint32_t)n;
	p->line = r->line;
	size_t last = n - 1;
	while (last > 0 && (f[last] & 0xC0) == 0x80)
		last--;
	p->flags = flags | (word_lead(f[0]) ? PAT_WORD_START : 0) |
		   (!(flags & PAT_PREFIX) && word_lead(f[last]) ? PAT_WORD_END : 0);
	uint32_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = trie_add(t, s, f[i]);
	t->pattern[s] = (uint32_t)d->npat;
}

void dict_load(struct dict *d, const char *path)
{
	memset(d, 0, sizeof *d);
	d->path = path;
	negation_keys(d);
	struct tsv_reader r;
	char *files[1] = { (char *)path };
	tsv_open(&r, 1, files);
	if (!r.has_header)
		die(EX_DATA_, "%s: the dictionary is empty: it needs the header theme, phrase", path);
	long tc = tsv_col_find(&r, "theme"), pc = tsv_col_find(&r, "phrase");
	if (tc < 0 || pc < 0)
		die(EX_DATA_, "%s:1: the dictionary's header must name the columns theme and phrase",
		    path);
	struct trie t = { 0 };
	trie_add(&t, 0, 0); /* the root */
	struct scan fold = { 0 };
	while (tsv_next(&r)) {
		if (r.nfields != r.ncols)
			tsv_die(&r, EX_DATA_, "a dictionary line needs a theme and a phrase "
				    "(%zu fields, the header has %zu)", r.nfields, r.ncols);
		dict_add(d, &t, &fold, &r, r.fields[tc], r.fields[pc]);
	}
	if (!d->npat)
		die(EX_DATA_, "%s: the dictionary has no phrases", path);
	tsv_close(&r);
	buf_free(&fold.text);
	ac_build(d, &t);
	free(t.child);
	free(t.sibling);
	free(t.pattern);
	free(t.byte);
}

void dict_free(struct dict *d)
{
	hash_free(&d->theme_ids);
	hash_free(&d->phrase_ids);
	free(d->pat);
	free(d->st);
	free(d->dense);
	free(d->edge_byte);
	free(d->edge_to);
}

/* ---- Scanning ---------------------------------------------------------- */

void scan_init(struct scan *s, const struct dict *d)
{
	memset(s, 0, sizeof *s);
	size_t k = d->nthemes ? d->nthemes : 1;
	s->stamp = xmalloc(k * sizeof *s->stamp);
	memset(s->stamp, 0, k * sizeof *s->stamp);
	s->status = xmalloc(k);
	s->touched = xmalloc(k * sizeof *s->touched);
}

void scan_free(struct scan *s)
{
	buf_free(&s->text);
	free(s->off);
	free(s->m);
	free(s->covered);
	free(s->stamp);
	free(s->status);
	free(s->touched);
}

static void touch(struct scan *s, uint32_t theme, unsigned status)
{
	if (s->stamp[theme] != s->row) {
		s->stamp[theme] = s->row;
		s->status[theme] = 0;
		s->touched[s->ntouched++] = theme;
	}
	s->status[theme] |= (unsigned char)status;
}

/* A pattern ends at folded byte e: keep it if it stands on word bounds. */
static void found(const struct dict *d, struct scan *s, uint32_t pid, size_t e)
{
	const struct pattern *p = &d->pat[pid];
	const unsigned char *t = (const unsigned char *)s->text.p;
	size_t n = s->text.len, start = e - p->len;
	if ((p->flags & PAT_WORD_START) && word_before(t, start))
		return;
	if ((p->flags & PAT_WORD_END) && word_after(t, n, e))
		return;
	if (p->flags & PAT_PREFIX)
		while (word_after(t, n, e))
			e += char_len(t, n, e);
	if (p->flags & PAT_EXCLUDE) {
		touch(s, p->theme, THEME_EXCLUDED);
		return;
	}
	if (s->nm == s->mcap) {
		s->mcap = s->mcap ? 2 * s->mcap : 16;
		s->m = xrealloc(s->m, s->mcap * sizeof *s->m);
	}
	s->m[s->nm++] = (struct match){ start, e, pid, 0 };
}

static int longest_first(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	size_t lx = x->end - x->start, ly = y->end - y->start;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int by_start(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* A text has a few matches: insertion sort, qsort past 16. */
static void sort_matches(struct match *m, size_t n, int (*cmp)(const void *, const void *))
{
	if (n > 16) {
		qsort(m, n, sizeof *m, cmp);
		return;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp(&m[j - 1], &m[j]) > 0; j--) {
			struct match x = m[j];
			m[j] = m[j - 1];
			m[j - 1] = x;
		}
}

/* Keeps the longest of overlapping matches (the earlier of two as long),
 * then sorts the kept ones by where they start. */
static void resolve(struct scan *s)
{
	if (s->nm < 2)
		return;
	size_t n = s->text.len;
	if (s->covcap < n) {
		s->covcap = n > 2 * s->covcap ? n : 2 * s->covcap;
		s->covered = xrealloc(s->covered, s->covcap);
	}
	memset(s->covered, 0, n);
	sort_matches(s->m, s->nm, longest_first);
	size_t kept = 0;
	for (size_t i = 0; i < s->nm; i++) {
		struct match m = s->m[i];
		if (memchr(s->covered + m.start, 1, m.end - m.start))
			continue;
		memset(s->covered + m.start, 1, m.end - m.start);
		s->m[kept++] = m;
	}
	s->nm = kept;
	sort_matches(s->m, s->nm, by_start);
}

static int theme_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void scan_text(const struct dict *d, struct scan *s, const char *p, size_t n, int offsets)
{
	fold_text(s, p, n, offsets);
	s->row++;
	s->nm = s->ntouched = 0;
	const unsigned char *t = (const unsigned char *)s->text.p;
	size_t len = s->text.len;
	const struct ac_state *st = d->st;
	uint32_t q = 0;
	for (size_t i = 0; i < len; i++) {
		q = ac_step(d, q, t[i]);
		if (q & AC_OUT) {
			q &= ~AC_OUT;
			for (uint32_t o = st[q].output; o; o = st[st[o].fail].output)
				found(d, s, st[o].pattern - 1, i + 1);
		}
	}
	resolve(s);
	for (size_t i = 0; i < s->nm; i++) {
		struct match *m = &s->m[i];
		m->negated = negated(d, t, len, m->start, i ? s->m[i - 1].end : 0);
		touch(s, d->pat[m->pattern].theme, m->negated ? THEME_NEGATED : THEME_PLAIN);
	}
	if (s->ntouched > 1)
		qsort(s->touched, s->ntouched, sizeof *s->touched, theme_cmp);
}
