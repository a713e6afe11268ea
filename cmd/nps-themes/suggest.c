/* nps-themes --suggest: candidate phrases for the dictionary from the texts
 * no theme was found in. See themes.h. */
#include <stdlib.h>
#include <string.h>

#include "themes.h"
#include "util.h"

/* Stop words, folded (no accents), English, French, German, Spanish. */
static const char stop_words[] =
	" a about also am an and any are as at be been being both but by can could"
	" d did didn do does doesn don down each few for from get got had hadn has"
	" hasn have haven having he her here him his how i if im in into is isn it"
	" its ive just ll m me more most my no nor not now o of off on once only or"
	" other our out over own re really s same she should shouldn so some such t"
	" than that the their them then there these they this those to too under up"
	" ve very was wasn we were weren what when where which who why will with won"
	" would wouldn couldn aren you your y"
	" ai au aux avait avec avez avoir avons c ca car ce cela ces cet cette chez"
	" dans de des donc dont du elle elles en est et etait ete etre fait ils je"
	" j l la le les leur leurs lui ma mais meme mes moi mon ne nos notre nous on"
	" ont ou pas par plus pour qu que qui quoi sa sans se ses si son sont sur ta"
	" te tes ton tous tout toute toutes tres trop tu un une vos votre vous bien"
	" alors aussi comme"
	" aber als auch auf aus bei bin bist das dass dem den der des die du ein"
	" eine einem einen einer eines er es fur habe haben hat hatte ich ihr ihre"
	" im ist kein keine mein meine mit nach nicht noch nur oder schon sehr sein"
	" sie sind uber und unser vom von vor war waren wie wir wird werden zu zum zur"
	" del el esta estan estar era fue las lo los mas menos mi mis muy para pero"
	" por porque sin sobre su sus una unas uno unos ya yo como cuando ";

static int stop_word(const char *w, size_t n)
{
	char key[32];
	if (n + 3 > sizeof key)
		return 0;
	key[0] = ' ';
	memcpy(key + 1, w, n);
	key[n + 1] = ' ';
	key[n + 2] = '\0';
	return strstr(stop_words, key) != NULL;
}

/* Chinese characters too common to make a bigram worth suggesting. */
static int stop_hanzi(unsigned c)
{
	static const unsigned list[] = {
		0x7684, 0x4E86, 0x662F, 0x6211, 0x4F60, 0x4ED6, 0x5979, 0x4EEC,
		0x5417, 0x5462, 0x5427, 0x554A, 0x5F88, 0x4E5F, 0x90FD, 0x5C31,
		0x5728, 0x548C, 0x8FD9, 0x90A3, 0x4E2A, 0x4E00,
	};
	for (size_t i = 0; i < sizeof list / sizeof *list; i++)
		if (list[i] == c)
			return 1;
	return 0;
}

static void count(struct suggest *g, char kind, const char *a, size_t na,
		  const char *b, size_t nb)
{
	char key[160];
	size_t n = 1 + na + (b ? 1 + nb : 0);
	if (n > sizeof key)
		return; /* a "word" that long is no phrase */
	key[0] = kind;
	memcpy(key + 1, a, na);
	if (b) {
		key[1 + na] = ' ';
		memcpy(key + 2 + na, b, nb);
	}
	int added;
	size_t id = hash_intern(&g->keys, key, n, &added);
	if (id >= g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		g->count = xrealloc(g->count, cap * sizeof *g->count);
		g->last = xrealloc(g->last, cap * sizeof *g->last);
		g->cap = cap;
	}
	if (added)
		g->count[id] = g->last[id] = 0;
	if (g->last[id] != g->text_no) {
		g->last[id] = g->text_no;
		g->count[id]++;
	}
}

static int letter(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= 0xC3 && c <= 0xDF);
}

static unsigned hanzi_at(const unsigned char *t, size_t n, size_t i)
{
	if (i + 3 > n || (t[i] & 0xF0) != 0xE0 || (t[i + 1] & 0xC0) != 0x80 ||
	    (t[i + 2] & 0xC0) != 0x80)
		return 0;
	unsigned c = (unsigned)(t[i] & 0x0F) << 12 | (unsigned)(t[i + 1] & 0x3F) << 6 |
		     (t[i + 2] & 0x3F);
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ? c : 0;
}

void suggest_add(struct suggest *g, const char *folded, size_t n)
{
	const unsigned char *t = (const unsigned char *)folded;
	g->text_no++;
	const char *prev = NULL; /* the last word, if a candidate, in this clause */
	size_t prevn = 0;
	unsigned prev_hanzi = 0; /* the last character, if a candidate */
	for (size_t i = 0; i < n;) {
		unsigned h = hanzi_at(t, n, i);
		if (h) {
			if (prev_hanzi && !stop_hanzi(h))
				count(g, 'c', folded + i - 3, 6, NULL, 0);
			prev_hanzi = stop_hanzi(h) ? 0 : h;
			prev = NULL;
			i += 3;
			continue;
		}
		prev_hanzi = 0;
		if (!letter(t[i])) {
			if (t[i] != ' ')
				prev = NULL; /* punctuation: a new clause */
			i += t[i] >= 0xE0 ? (t[i] >= 0xF0 ? 4 : 3) : 1;
			continue;
		}
		size_t start = i, digits = 1;
		while (i < n && letter(t[i])) {
			if (t[i] >= 0xC0) {
				i += i + 1 < n ? 2 : 1;
				digits = 0;
				continue;
			}
			digits &= t[i] >= '0' && t[i] <= '9';
			i++;
		}
		if (i > n)
			i = n;
		const char *w = folded + start;
		size_t wn = i - start;
		if (wn < 2 || digits || stop_word(w, wn)) {
			prev = NULL;
			continue;
		}
		count(g, 'w', w, wn, NULL, 0);
		if (prev)
			count(g, 'p', prev, prevn, w, wn);
		prev = w;
		prevn = wn;
	}
}

struct ranked {
	unsigned long count;
	const char *key;
	size_t len;
};

static int by_count(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	return c ? c : x->len < y->len ? -1 : x->len > y->len;
}

void suggest_write(struct suggest *g, struct writer *w, unsigned long top)
{
	static const struct {
		char kind;
		const char *name;
	} kinds[] = { { 'w', "word" }, { 'p', "two_words" }, { 'c', "cjk_bigram" } };
	writer_str(w, "kind\tphrase\tresponses\n");
	size_t n = g->keys.count;
	struct ranked *r = xmalloc((n ? n : 1) * sizeof *r);
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		size_t m = 0;
		for (size_t id = 0; id < n; id++)
			if (g->keys.keys[id][0] == kinds[k].kind)
				r[m++] = (struct ranked){ g->count[id], g->keys.keys[id] + 1,
							  g->keys.lens[id] - 1 };
		qsort(r, m, sizeof *r, by_count);
		for (size_t i = 0; i < m && i < top; i++) {
			writer_str(w, kinds[k].name);
			writer_char(w, '\t');
			writer_write(w, r[i].key, r[i].len);
			writer_char(w, '\t');
			writer_u64(w, r[i].count);
			writer_char(w, '\n');
		}
	}
	free(r);
}

void suggest_free(struct suggest *g)
{
	hash_free(&g->keys);
	free(g->count);
	free(g->last);
}
