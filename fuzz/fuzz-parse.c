/* libFuzzer target: numbers, scores, weights, dates and periods. Parsers
 * must accept or refuse any bytes without crashing, and what they accept
 * must survive a round trip through the writer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "nps.h"
#include "num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slice s = { (const char *)data, size };
	double v;
	unsigned long long u;
	struct decimal weight;
	struct when w;
	enum period_kind kind;
	long key;

	num_double(s, &v);
	num_count(s, &u);
	int score = nps_score(s);
	if (score < -1 || score > 10)
		abort();
	nps_segment_parse(s);
	if (nps_weight(s, &weight) && weight.m && (weight.e < -420 || weight.e > 308))
		abort();
	date_parse(s, &w);
	if (period_parse(s, &kind, &key)) {
		char text[48];
		period_format(kind, key, text);
		if (strlen(text) != size || memcmp(text, data, size) != 0)
			abort();
	}
	/* An exact sum read back is the same sum, written the same. */
	struct dsum sum = { 0 }, again = { 0 };
	if (dsum_parse(s.p, s.n, &sum)) {
		struct buf scratch = { 0 };
		size_t cap = 4 * size + 128; /* two writes of the sum, never flushed */
		struct writer wr = { -1, "fuzz", malloc(cap), 0, cap };
		dsum_write(&wr, &sum, 6, &scratch);
		size_t first = wr.len;
		if (!dsum_parse(wr.buf, first, &again))
			abort();
		dsum_write(&wr, &again, 6, &scratch);
		if (wr.len != 2 * first || memcmp(wr.buf, wr.buf + first, first) != 0)
			abort();
		free(wr.buf);
		buf_free(&scratch);
		dsum_free(&sum);
		dsum_free(&again);
	}
	return 0;
}
