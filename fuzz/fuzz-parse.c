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
	long long micro;
	struct when w;
	enum period_kind kind;
	long key;
	nps_u128 big;

	num_double(s, &v);
	num_count(s, &u);
	int score = nps_score(s);
	if (score < -1 || score > 10)
		abort();
	nps_segment_parse(s);
	if (nps_weight(s, &micro) && micro < 0)
		abort();
	date_parse(s, &w);
	if (period_parse(s, &kind, &key)) {
		char text[48];
		period_format(kind, key, text);
		if (strlen(text) != size || memcmp(text, data, size) != 0)
			abort();
	}
	if (nps_parse_fixed128(s, 6, &big)) {
		struct writer wr = { -1, "fuzz", malloc(256), 0, 256 };
		nps_write_fixed128(&wr, big, 6);
		struct slice back = { wr.buf, wr.len };
		nps_u128 again;
		if (!nps_parse_fixed128(back, 6, &again) || again != big)
			abort();
		free(wr.buf);
	}
	return 0;
}
