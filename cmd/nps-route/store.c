/* store: nps-route's kept tickets, sorted at the end. A ticket is kept in
 * a 24-byte record, in chunks; at the end the records are sorted by a
 * radix sort on their order key (priority rank, then due time), ties by
 * response id, and written.
 *
 * Threads. With a second core (store_new's threads) there are two:
 * - the supplier, while the input is read: it allocates chunks ahead and
 *   touches their pages, so that the page faults are not the reading
 *   thread's. It shares only `ready`/`nready`/`stop`, under `lock`. The
 *   program may exit while it runs (a bad row): fine for a process, so it
 *   is compiled out where exit does not end the process (the fuzz
 *   harness, NPSKIT_NO_THREADS).
 * - the helper, while the tickets are written: it splits the second half
 *   of the chunks, then sorts and formats every other unit of buckets
 *   into a text buffer of its own, which the main thread writes in turn.
 *   Before `split` is set it writes only its own chunks and their piece
 *   starts; after `planned`, it reads the plan and writes only its own
 *   units' records, its text buffers, and `text_ready`. Nothing it does
 *   can exit (stdout is the main thread's), so a longjmp never strands it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "route.h"
#include "util.h"

/* A kept ticket. The key's low ORDER_BITS bits order the tickets (while
 * reading: the priority rank above the biased due time; at the end
 * re-packed into as few bits as the data need); its top bits say which
 * rule and which answer. A response id of up to 11 bytes is inline; a
 * longer one lives in long_ids (4 bytes of length, then the bytes), id
 * holding its offset. */
#define LONG_ID 255
struct record {
	uint64_t key;
	uint32_t contacts; /* id in the contacts table */
	uint8_t id_len;    /* LONG_ID: the id is in long_ids */
	char id[11];
};
_Static_assert(sizeof(struct record) == 24, "a record is 24 bytes");
#define ORDER_BITS 50
#define ORDER_MASK ((1ULL << ORDER_BITS) - 1)
/* Due times stay within 0 .. 2^39 s: years 0..9999 (ticket_last_due). */
#define DUE_BITS 40
#define DUE_BIAS (1LL << 39)
_Static_assert(MAX_RULES * ANSWERS < 1 << (64 - ORDER_BITS),
	       "rule and answer fit above the order");

/* Chunks of CHUNK records: growing copies nothing, and at the end each
 * chunk is split by itself, in cache. Units of about UNIT_TICKETS are
 * sorted and written in turn. The fuzz target makes both small. */
#ifndef CHUNK
#define CHUNK 65536
#endif
#ifndef UNIT_TICKETS
#define UNIT_TICKETS 16384
#endif
#define READY_CHUNKS 2
#ifndef TOP_DIGIT
#define TOP_DIGIT 11
#endif

struct store {
	const struct rules *rules;
	int threads;
	struct record **chunk;
	size_t n, nchunks, chunks_cap;
	struct buf long_ids;
	/* the distinct "owner\tescalate_to" texts, each kept once */
	struct hash contacts;
	unsigned priority_rank[MAX_RULES]; /* by rule */
	long long min_due, max_due;
	/* the supplier of chunks */
	int supplying, stop;
	pthread_t supplier;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct record *ready[READY_CHUNKS];
	int nready;
};

static struct slice record_id(const struct store *s, const struct record *r)
{
	if (r->id_len != LONG_ID)
		return (struct slice){ r->id, r->id_len };
	uint64_t at;
	uint32_t n;
	memcpy(&at, r->id, sizeof at);
	memcpy(&n, s->long_ids.p + at, sizeof n);
	return (struct slice){ s->long_ids.p + at + sizeof n, n };
}

/* The order of kept tickets: by the order key, then by response id, then
 * by what else the ticket holds, so that records still equal write the
 * same line. */
static int by_ticket(const struct store *s, const struct record *a,
		     const struct record *b)
{
	uint64_t ka = a->key & ORDER_MASK, kb = b->key & ORDER_MASK;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	struct slice x = record_id(s, a), y = record_id(s, b);
	int c = memcmp(x.p, y.p, x.n < y.n ? x.n : y.n);
	if (c)
		return c;
	if (x.n != y.n)
		return x.n < y.n ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->contacts == b->contacts)
		return 0;
	/* by their text, not their ids: the ids follow the order tickets
	 * came in, which threads reading ranges (store_take) do not keep */
	const struct hash *h = &s->contacts;
	size_t na = h->lens[a->contacts], nb = h->lens[b->contacts];
	c = memcmp(h->keys[a->contacts], h->keys[b->contacts], na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

/* ---- while reading ---- */

static int by_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

/* The rank of each rule's priority among the distinct priorities. */
static void rank_priorities(const struct rules *rs, unsigned *rank)
{
	unsigned sorted[MAX_RULES];
	for (size_t i = 0; i < rs->n; i++)
		sorted[i] = rs->rule[i].priority;
	qsort(sorted, rs->n, sizeof *sorted, by_unsigned);
	for (size_t i = 0; i < rs->n; i++) {
		rank[i] = 0;
		for (size_t j = 0; j < rs->n && sorted[j] < rs->rule[i].priority; j++)
			if (j == 0 || sorted[j] != sorted[j - 1])
				rank[i]++;
	}
}

struct store *store_new(const struct rules *rs, int threads)
{
	struct store *s = xmalloc_lines(sizeof *s); /* one per thread */
	memset(s, 0, sizeof *s);
	s->rules = rs;
	s->threads = threads;
	rank_priorities(rs, s->priority_rank);
	return s;
}

static void *supply_chunks(void *arg)
{
	struct store *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->nready == READY_CHUNKS && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		char *c = xmalloc(CHUNK * sizeof(struct record));
		for (size_t i = 0; i < CHUNK * sizeof(struct record); i += 4096)
			c[i] = 0;
		pthread_mutex_lock(&s->lock);
		s->ready[s->nready++] = (struct record *)(void *)c;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void new_chunk(struct store *s)
{
	s->chunk = array_grow(s->chunk, &s->chunks_cap, s->nchunks + 1,
			      sizeof *s->chunk);
#ifndef NPSKIT_NO_THREADS
	if (s->nchunks == 1 && s->threads) {
		pthread_mutex_init(&s->lock, NULL);
		pthread_cond_init(&s->cond, NULL);
		s->supplying = pthread_create(&s->supplier, NULL, supply_chunks, s) == 0;
	}
#endif
	struct record *c = NULL;
	if (s->supplying) { /* one that is ready, or none: no waiting */
		pthread_mutex_lock(&s->lock);
		if (s->nready)
			c = s->ready[--s->nready];
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
	s->chunk[s->nchunks++] = c ? c : xmalloc(CHUNK * sizeof *c);
}

static void stop_supplier(struct store *s)
{
	if (!s->supplying)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->supplier, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	while (s->nready)
		free(s->ready[--s->nready]);
	s->supplying = 0;
}

void store_add(struct store *s, const struct ticket *t)
{
	if (s->n % CHUNK == 0)
		new_chunk(s);
	struct record *r = &s->chunk[s->n / CHUNK][s->n % CHUNK];
	s->n++;
	size_t rule = (size_t)(t->rule - s->rules->rule);
	r->key = (uint64_t)(rule * ANSWERS + (size_t)t->answer) << ORDER_BITS |
		 (uint64_t)s->priority_rank[rule] << DUE_BITS |
		 (uint64_t)(t->due + DUE_BIAS);
	int added;
	r->contacts = (uint32_t)hash_intern(&s->contacts, t->contacts.p,
					    t->contacts.n, &added);
	if (t->id.n < LONG_ID && t->id.n <= sizeof r->id) {
		r->id_len = (uint8_t)t->id.n;
		memcpy(r->id, t->id.p, t->id.n);
	} else {
		uint64_t at = s->long_ids.len;
		if (t->id.n > UINT32_MAX)
			die(EX_DATA_, "a response id longer than 4 GB");
		uint32_t n = (uint32_t)t->id.n;
		r->id_len = LONG_ID;
		memcpy(r->id, &at, sizeof at);
		buf_add(&s->long_ids, &n, sizeof n);
		buf_add(&s->long_ids, t->id.p, t->id.n);
	}
	if (s->n == 1 || t->due < s->min_due)
		s->min_due = t->due;
	if (s->n == 1 || t->due > s->max_due)
		s->max_due = t->due;
}

void store_take(struct store *s, struct store *from)
{
	/* The records are the same in every store of the same rules, but
	 * for their contacts' ids and long ids' offsets: those are mapped. */
	uint32_t *map = xmalloc((from->contacts.count + 1) * sizeof *map);
	for (size_t id = 0; id < from->contacts.count; id++) {
		int added;
		map[id] = (uint32_t)hash_intern(&s->contacts, from->contacts.keys[id],
						from->contacts.lens[id], &added);
	}
	if (from->n && (s->n == 0 || from->min_due < s->min_due))
		s->min_due = from->min_due;
	if (from->n && (s->n == 0 || from->max_due > s->max_due))
		s->max_due = from->max_due;
	for (size_t i = 0; i < from->n; i++) {
		if (s->n % CHUNK == 0)
			new_chunk(s);
		struct record *r = &s->chunk[s->n / CHUNK][s->n % CHUNK];
		s->n++;
		*r = from->chunk[i / CHUNK][i % CHUNK];
		r->contacts = map[r->contacts];
		if (r->id_len == LONG_ID) {
			struct slice id = record_id(from, r);
			uint64_t at = s->long_ids.len;
			uint32_t n = (uint32_t)id.n;
			memcpy(r->id, &at, sizeof at);
			buf_add(&s->long_ids, &n, sizeof n);
			buf_add(&s->long_ids, id.p, id.n);
		}
	}
	free(map);
	store_free(from);
}

void store_free(struct store *s)
{
	stop_supplier(s);
	for (size_t c = 0; c < s->nchunks; c++)
		free(s->chunk[c]);
	free(s->chunk);
	hash_free(&s->contacts);
	buf_free(&s->long_ids);
	free(s);
}

/* ---- sorting ---- */

/* Records whose order keys are equal, by by_ticket: insertion sort when
 * few, else a merge sort through tmp (n records). */
static void sort_ties(const struct store *s, struct record *v, size_t n,
		      struct record *tmp)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			struct record x = v[i];
			size_t j = i;
			for (; j > 0 && by_ticket(s, &v[j - 1], &x) > 0; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	size_t mid = n / 2;
	sort_ties(s, v, mid, tmp);
	sort_ties(s, v + mid, n - mid, tmp);
	if (by_ticket(s, &v[mid - 1], &v[mid]) <= 0)
		return;
	memcpy(tmp, v, mid * sizeof *v);
	size_t i = 0, j = mid, k = 0;
	while (i < mid && j < n)
		v[k++] = by_ticket(s, &v[j], &tmp[i]) < 0 ? v[j++] : tmp[i++];
	while (i < mid)
		v[k++] = tmp[i++];
}

/* Sorts v[0..n), n <= CHUNK, whose order keys agree above their low
 * `bits` bits: an LSD radix sort through tmp (CHUNK records), at most 10
 * bits a pass; the counts of every pass come from one read, and a pass
 * whose digit is the same in every key is skipped. Then runs of equal
 * order keys are sorted by sort_ties. */
#define LSD_DIGIT 10
static void sort_records(const struct store *s, struct record *v, size_t n,
			 int bits, struct record *tmp)
{
	enum { MAX_PASSES = (ORDER_BITS + LSD_DIGIT - 1) / LSD_DIGIT };
	size_t count[MAX_PASSES][1 << LSD_DIGIT];
	int passes = n <= 32 ? 0 : (bits + LSD_DIGIT - 1) / LSD_DIGIT;
	int digit = passes ? (bits + passes - 1) / passes : 0;
	uint64_t mask = (1ULL << digit) - 1;
	memset(count, 0, (size_t)passes * sizeof count[0]);
	for (size_t i = 0; i < n && passes; i++)
		for (int k = 0; k < passes; k++)
			count[k][v[i].key >> (k * digit) & mask]++;
	struct record *src = v, *dst = tmp;
	for (int k = 0; k < passes; k++) {
		size_t sum = 0, *c = count[k];
		int trivial = 0;
		for (size_t j = 0; j <= mask; j++) {
			size_t x = c[j];
			trivial |= x == n;
			c[j] = sum;
			sum += x;
		}
		if (trivial)
			continue;
		int shift = k * digit;
		for (size_t i = 0; i < n; i++)
			dst[c[src[i].key >> shift & mask]++] = src[i];
		struct record *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	if (!passes) { /* few: one comparison sort */
		sort_ties(s, v, n, tmp);
		return;
	}
	for (size_t i = 0, j; i < n; i = j) {
		uint64_t order = v[i].key & ORDER_MASK;
		for (j = i + 1; j < n && (v[j].key & ORDER_MASK) == order; j++)
			;
		if (j - i > 1)
			sort_ties(s, v + i, j - i, tmp);
	}
}

/* ---- the end: sorting and writing ---- */

/* After the input, the keys are re-packed, and each chunk is split by
 * their top digit into buckets, in cache: bucket d of chunk c is then one
 * piece of it, [piece_start(c, d), piece_start(c, d + 1)). Buckets are
 * taken in order, in units of about UNIT_TICKETS: a bucket's pieces are
 * gathered, sorted and written. With a second core, a helper thread
 * splits half of the chunks, then does every other unit into a text
 * buffer of its own, which the main thread writes in turn: the same bytes
 * as one thread writes. A bucket bigger than a chunk (many equal keys) is
 * a unit of its own, the main thread's: its pieces are sorted in place
 * and merged. */
struct plan {
	struct store *store;
	struct record **chunk;    /* the store's, split */
	size_t helper_first;      /* the helper splits chunks [helper_first, nchunks) */
	size_t *piece_starts;     /* chunk c's bucket d: [c * (nbuckets + 1) + d] */
	size_t *bucket_size;
	size_t nbuckets;
	size_t *unit_first, nunits; /* unit u: buckets [unit_first[u], [u + 1]) */
	unsigned char *for_helper;   /* by unit: 1 for the helper's */
	int below_top;            /* order bits below the top digit */
	int due_bits;             /* order bits of due - min_due */
	int timed;                /* the main thread's ticket_writer's */
	struct writer *out;
	/* shared with the helper, under lock */
	pthread_t helper;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int split, planned;       /* the helper's chunks split; units planned */
	struct buf text[2];       /* the helper's units, in turn */
	int text_ready[2];        /* text[i] waits to be written */
};

/* What one thread needs to sort and write units. */
struct sorting {
	struct record *gathered, *tmp; /* CHUNK records each */
	size_t *head;                  /* by bucket */
	struct ticket_writer *tickets;
};

static size_t piece_start(const struct plan *plan, size_t c, size_t d)
{
	return plan->piece_starts[c * (plan->nbuckets + 1) + d];
}

/* Chunk c's keys re-packed (rank << due_bits | due - min_due) and counted
 * by top digit; then the chunk is moved into the order of that digit,
 * into sorting->gathered, which becomes the chunk (and the chunk the
 * gathered space). */
static void split_chunk(struct plan *plan, size_t c, struct sorting *sorting)
{
	const struct store *s = plan->store;
	struct record *v = plan->chunk[c];
	size_t n = c + 1 < s->nchunks ? CHUNK : s->n - c * CHUNK;
	size_t *at = plan->piece_starts + c * (plan->nbuckets + 1);
	uint64_t top_mask = plan->nbuckets - 1, due_mask = (1ULL << DUE_BITS) - 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = v[i].key;
		long long due = (long long)(k & due_mask) - DUE_BIAS;
		uint64_t rank = (k & ORDER_MASK) >> DUE_BITS;
		k = (k & ~ORDER_MASK) | rank << plan->due_bits |
		    (uint64_t)(due - s->min_due);
		v[i].key = k;
		at[(k >> plan->below_top & top_mask) + 1]++;
	}
	for (size_t d = 0; d < plan->nbuckets; d++)
		at[d + 1] += at[d];
	memcpy(sorting->head, at, plan->nbuckets * sizeof *sorting->head);
	for (size_t i = 0; i < n; i++)
		sorting->gathered[sorting->head[v[i].key >> plan->below_top & top_mask]++] = v[i];
	plan->chunk[c] = sorting->gathered;
	sorting->gathered = v;
}

/* A record as the ticket it keeps. */
static struct ticket ticket_of(const struct plan *plan, const struct record *r)
{
	const struct store *s = plan->store;
	uint64_t which = r->key >> ORDER_BITS;
	size_t c = r->contacts;
	return (struct ticket){
		.id = record_id(s, r),
		.answer = (int)(which % ANSWERS),
		.rule = &s->rules->rule[which / ANSWERS],
		.contacts = { s->contacts.keys[c], s->contacts.lens[c] },
		.due = (long long)(r->key & ((1ULL << plan->due_bits) - 1)) + s->min_due,
	};
}

/* One record's line, into `to`, or to the output when to is NULL. */
static void format_record(const struct plan *plan, const struct record *r,
			  struct ticket_writer *tickets, struct buf *to)
{
	struct ticket t = ticket_of(plan, r);
	if (!to) {
		ticket_write(tickets, plan->out, &t);
		return;
	}
	buf_grow(to, ticket_size(&t));
	to->len = (size_t)(ticket_put(tickets, to->p + to->len, &t) - to->p);
}

struct cursor {
	const struct record *p, *end;
};

static void sift_down(const struct store *s, struct cursor *h, size_t n,
		      size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && by_ticket(s, h[l].p, h[m].p) < 0)
			m = l;
		if (l + 1 < n && by_ticket(s, h[l + 1].p, h[m].p) < 0)
			m = l + 1;
		if (m == i)
			return;
		struct cursor t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Bucket d, too big to gather: its pieces, sorted in place, then merged
 * through a heap, straight to the output (the main thread's). */
static void merge_bucket(const struct plan *plan, size_t d,
			 struct sorting *sorting)
{
	const struct store *s = plan->store;
	struct cursor *heap = xmalloc(s->nchunks * sizeof *heap);
	size_t n = 0;
	for (size_t c = 0; c < s->nchunks; c++) {
		struct record *v = plan->chunk[c];
		size_t a = piece_start(plan, c, d), b = piece_start(plan, c, d + 1);
		sort_records(s, v + a, b - a, plan->below_top, sorting->tmp);
		if (a < b)
			heap[n++] = (struct cursor){ v + a, v + b };
	}
	for (size_t i = n / 2; i-- > 0;)
		sift_down(s, heap, n, i);
	while (n) {
		format_record(plan, heap[0].p, sorting->tickets, NULL);
		if (++heap[0].p == heap[0].end)
			heap[0] = heap[--n];
		sift_down(s, heap, n, 0);
	}
	free(heap);
}

/* A unit's tickets, into `to`, or straight to the output when to is NULL. */
static void write_unit(const struct plan *plan, size_t unit,
		       struct sorting *sorting, struct buf *to)
{
	const struct store *s = plan->store;
	for (size_t d = plan->unit_first[unit]; d < plan->unit_first[unit + 1]; d++) {
		if (plan->bucket_size[d] > CHUNK) {
			merge_bucket(plan, d, sorting);
			continue;
		}
		size_t n = 0;
		for (size_t c = 0; c < s->nchunks; c++) {
			size_t a = piece_start(plan, c, d), b = piece_start(plan, c, d + 1);
			memcpy(sorting->gathered + n, plan->chunk[c] + a,
			       (b - a) * sizeof *sorting->gathered);
			n += b - a;
		}
		sort_records(s, sorting->gathered, n, plan->below_top, sorting->tmp);
		for (size_t i = 0; i < n; i++)
			format_record(plan, &sorting->gathered[i], sorting->tickets, to);
	}
}

static void set_flag(struct plan *plan, int *flag, int v)
{
	pthread_mutex_lock(&plan->lock);
	*flag = v;
	pthread_cond_broadcast(&plan->cond);
	pthread_mutex_unlock(&plan->lock);
}

static void wait_flag(struct plan *plan, const int *flag, int v)
{
	pthread_mutex_lock(&plan->lock);
	while (*flag != v)
		pthread_cond_wait(&plan->cond, &plan->lock);
	pthread_mutex_unlock(&plan->lock);
}

static void sorting_init(struct sorting *sorting, size_t nbuckets,
			 struct ticket_writer *tickets)
{
	sorting->gathered = xmalloc(CHUNK * sizeof *sorting->gathered);
	sorting->tmp = xmalloc(CHUNK * sizeof *sorting->tmp);
	sorting->head = xmalloc(nbuckets * sizeof *sorting->head);
	sorting->tickets = tickets;
}

static void sorting_free(struct sorting *sorting)
{
	free(sorting->gathered);
	free(sorting->tmp);
	free(sorting->head);
}

/* The buckets' sizes, and units of about UNIT_TICKETS (a bucket to merge
 * is one of its own, the main thread's). */
static void plan_units(struct plan *plan, int threaded)
{
	const struct store *s = plan->store;
	memset(plan->bucket_size, 0, plan->nbuckets * sizeof *plan->bucket_size);
	for (size_t c = 0; c < s->nchunks; c++)
		for (size_t d = 0; d < plan->nbuckets; d++)
			plan->bucket_size[d] += piece_start(plan, c, d + 1) - piece_start(plan, c, d);
	for (size_t d = 0, turn = 0; d < plan->nbuckets;) {
		size_t n = 0, from = d;
		int big = plan->bucket_size[d] > CHUNK;
		if (big)
			d++;
		while (!big && d < plan->nbuckets && plan->bucket_size[d] <= CHUNK &&
		       n < UNIT_TICKETS)
			n += plan->bucket_size[d++];
		plan->unit_first[plan->nunits] = from;
		plan->for_helper[plan->nunits++] = threaded && !big && (turn++ & 1);
	}
	plan->unit_first[plan->nunits] = plan->nbuckets;
}

static void *help(void *arg)
{
	struct plan *plan = arg;
	struct ticket_writer tickets = { .timed = plan->timed };
	struct sorting sorting;
	sorting_init(&sorting, plan->nbuckets, &tickets);
	for (size_t c = plan->helper_first; c < plan->store->nchunks; c++)
		split_chunk(plan, c, &sorting);
	set_flag(plan, &plan->split, 1);
	wait_flag(plan, &plan->planned, 1);
	for (size_t unit = 0, i = 0; unit < plan->nunits; unit++) {
		if (!plan->for_helper[unit])
			continue;
		wait_flag(plan, &plan->text_ready[i], 0);
		plan->text[i].len = 0;
		write_unit(plan, unit, &sorting, &plan->text[i]);
		set_flag(plan, &plan->text_ready[i], 1);
		i ^= 1;
	}
	sorting_free(&sorting);
	buf_free(&tickets.long_line);
	return NULL;
}

void store_write(struct store *s, struct ticket_writer *tickets, struct writer *dest)
{
	stop_supplier(s);
	if (!s->n)
		return;
	/* order = rank << due_bits | (due - min_due) */
	int due_bits = 0;
	while (due_bits < DUE_BITS && (uint64_t)(s->max_due - s->min_due) >> due_bits)
		due_bits++;
	unsigned max_rank = 0;
	for (size_t i = 0; i < s->rules->n; i++)
		if (s->priority_rank[i] > max_rank)
			max_rank = s->priority_rank[i];
	int rank_bits = 0;
	while (max_rank >> rank_bits)
		rank_bits++;
	int bits = due_bits + rank_bits;
	int top = bits < TOP_DIGIT ? bits : TOP_DIGIT;
	struct plan plan = { .store = s, .chunk = s->chunk, .out = dest,
			    .timed = tickets->timed,
			    .below_top = bits - top, .due_bits = due_bits,
			    .nbuckets = (size_t)1 << top };
	size_t nb1 = plan.nbuckets + 1;
	plan.piece_starts = xmalloc(s->nchunks * nb1 * sizeof *plan.piece_starts);
	memset(plan.piece_starts, 0, s->nchunks * nb1 * sizeof *plan.piece_starts);
	plan.bucket_size = xmalloc(plan.nbuckets * sizeof *plan.bucket_size);
	plan.unit_first = xmalloc((plan.nbuckets + 1) * sizeof *plan.unit_first);
	plan.for_helper = xmalloc(plan.nbuckets);

	int threaded = s->n >= 2 * UNIT_TICKETS && s->threads;
	plan.helper_first = threaded ? s->nchunks / 2 : s->nchunks;
	if (threaded) {
		pthread_mutex_init(&plan.lock, NULL);
		pthread_cond_init(&plan.cond, NULL);
		threaded = pthread_create(&plan.helper, NULL, help, &plan) == 0;
		if (!threaded)
			plan.helper_first = s->nchunks;
	}
	struct sorting sorting;
	sorting_init(&sorting, plan.nbuckets, tickets);
	for (size_t c = 0; c < plan.helper_first; c++)
		split_chunk(&plan, c, &sorting);
	if (threaded)
		wait_flag(&plan, &plan.split, 1);
	plan_units(&plan, threaded);
	if (threaded)
		set_flag(&plan, &plan.planned, 1);
	for (size_t unit = 0, i = 0; unit < plan.nunits; unit++) {
		if (!plan.for_helper[unit]) {
			write_unit(&plan, unit, &sorting, NULL);
			continue;
		}
		wait_flag(&plan, &plan.text_ready[i], 1);
		/* a unit of empty buckets: p may be NULL, len 0 (out.h) */
		writer_write(dest, plan.text[i].p, plan.text[i].len);
		set_flag(&plan, &plan.text_ready[i], 0);
		i ^= 1;
	}
	sorting_free(&sorting);
	if (threaded) {
		pthread_join(plan.helper, NULL);
		pthread_mutex_destroy(&plan.lock);
		pthread_cond_destroy(&plan.cond);
		buf_free(&plan.text[0]);
		buf_free(&plan.text[1]);
	}
	free(plan.piece_starts);
	free(plan.bucket_size);
	free(plan.unit_first);
	free(plan.for_helper);
}
