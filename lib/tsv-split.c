/* tsv-split: the row splitter, once per instruction set (tsv-split.h). */
#include "tsv-split.h"
#include "buf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The row splitter (tsv-advance.h), once per instruction set: plain C,
 * for any machine; on x86-64 also SSE2, which every one has, AVX2, and
 * AVX-512 with VBMI2 (64 bytes are one compare per character, and the
 * fields of up to 8 TABs are made at once from their positions,
 * compressed out of the TABs' bits). tsv_splitter picks one. */
struct slice *tsv_grow_fields(struct tsv_reader *r, size_t n)
{
	r->field_buf = array_grow(r->field_buf, &r->field_cap, n, sizeof *r->field_buf);
	return r->field_buf;
}

/* FIELDS a TAB at a time: the bits from the lowest. */
static inline __attribute__((always_inline)) struct slice *
fields_by_bit(struct slice *o, const char *c, uint64_t tabs, const char **field)
{
	const char *start = *field;
	while (tabs) {
		const char *t = c + (unsigned)__builtin_ctzll(tabs);
		o->p = start, o->n = (size_t)(t - start);
		o++;
		start = t + 1;
		tabs &= tabs - 1;
	}
	*field = start;
	return o;
}

/* Plain C, a byte at a time: any machine (and a model for the tests). */
static inline void separators_c(const char *p, uint64_t *tabs, uint64_t *nl)
{
	uint64_t t = 0, n = 0;
	for (int i = 0; i < 64; i++) {
		t |= (uint64_t)(p[i] == '\t') << i;
		n |= (uint64_t)(p[i] == '\n') << i;
	}
	*tabs = t, *nl = n;
}

/* Trailing zeros, 64 for none (tzcnt where the machine has it). */
static inline __attribute__((always_inline)) unsigned tz_any(uint64_t m)
{
	return m ? (unsigned)__builtin_ctzll(m) : 64;
}

/* The k-th set bit of m (64: none), clearing the ones below it: any
 * machine. */
static inline unsigned kth_loop(uint64_t m, size_t k)
{
	while (k-- && m)
		m &= m - 1;
	return tz_any(m);
}

#define ADVANCE advance_c
#define PICK pick_c
#define PICK_N pick_n_c
#define PICK_ROW pick_row_c
#define TARGET
#define SEPARATORS separators_c
#define FIELDS fields_by_bit
#define KTH kth_loop
#define TZ tz_any
#include "tsv-advance.h"
#include "tsv-pick.h"
#undef ADVANCE
#undef PICK
#undef PICK_N
#undef PICK_ROW
#undef TARGET
#undef SEPARATORS
#undef FIELDS
#undef KTH
#undef TZ

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

static inline void separators_sse2(const char *p, uint64_t *tabs, uint64_t *nl)
{
	const __m128i tab = _mm_set1_epi8('\t'), newline = _mm_set1_epi8('\n');
	const __m128i *v = (const __m128i *)(const void *)p;
	__m128i a = _mm_loadu_si128(v), b = _mm_loadu_si128(v + 1),
		c = _mm_loadu_si128(v + 2), d = _mm_loadu_si128(v + 3);
#define BITS(x, k) ((uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, k)))
	*tabs = BITS(a, tab) | BITS(b, tab) << 16 | BITS(c, tab) << 32 | BITS(d, tab) << 48;
	*nl = BITS(a, newline) | BITS(b, newline) << 16 | BITS(c, newline) << 32 |
	      BITS(d, newline) << 48;
#undef BITS
}

#define AVX2 __attribute__((target("avx2,bmi,bmi2")))
AVX2 static inline void separators_avx2(const char *p, uint64_t *tabs, uint64_t *nl)
{
	const __m256i tab = _mm256_set1_epi8('\t'), newline = _mm256_set1_epi8('\n');
	const __m256i *v = (const __m256i *)(const void *)p;
	__m256i a = _mm256_loadu_si256(v), b = _mm256_loadu_si256(v + 1);
#define BITS(x, k) ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, k)))
	*tabs = BITS(a, tab) | BITS(b, tab) << 32;
	*nl = BITS(a, newline) | BITS(b, newline) << 32;
#undef BITS
}

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,bmi2,popcnt,lzcnt")))
AVX512 static inline void separators_avx512(const char *p, uint64_t *tabs, uint64_t *nl)
{
	__m512i v = _mm512_loadu_si512((const void *)p);
	*tabs = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\t'));
	*nl = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
}

/* FIELDS eight at a time: the TABs' offsets in c (vpcompressb of 0..63
 * by the bits), widened to pointers, are the fields' ends; each start is
 * the end before it + 1 (the first: field); the lengths their
 * differences; (start, length) pairs interleaved into slices. */
AVX512 static inline struct slice *
fields_avx512(struct slice *o, const char *c, uint64_t tabs, const char **field)
{
	static const unsigned char offsets[64] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
		32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
		48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
	};
	const __m512i base = _mm512_set1_epi64((long long)(uintptr_t)c);
	const __m512i one = _mm512_set1_epi64(1), last = _mm512_set1_epi64(7);
	const __m512i first4 = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
	const __m512i next4 = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
	__m512i at = _mm512_maskz_compress_epi8(tabs, _mm512_loadu_si512(offsets));
	__m512i start = _mm512_set1_epi64((long long)(uintptr_t)*field);
	size_t k = (size_t)__builtin_popcountll(tabs);
	for (size_t j = 0; j < k; j += 8) {
		__m512i ends = _mm512_add_epi64(
			_mm512_cvtepu8_epi64(_mm512_castsi512_si128(at)), base);
		__m512i after = _mm512_add_epi64(ends, one);
		__m512i starts = _mm512_alignr_epi64(after, start, 7);
		__m512i lens = _mm512_sub_epi64(ends, starts);
		/* a store per slice: the row loop then loads a field's
		 * pointer and length each from half of one store, which the
		 * store forwards (from one 64-byte store it did not, or
		 * slowly: 8% slower in all) */
		__m512i s0 = _mm512_permutex2var_epi64(starts, first4, lens);
		__m512i s1 = _mm512_permutex2var_epi64(starts, next4, lens);
		_mm_storeu_si128((void *)(o + j), _mm512_castsi512_si128(s0));
		_mm_storeu_si128((void *)(o + j + 1), _mm512_extracti32x4_epi32(s0, 1));
		_mm_storeu_si128((void *)(o + j + 2), _mm512_extracti32x4_epi32(s0, 2));
		_mm_storeu_si128((void *)(o + j + 3), _mm512_extracti32x4_epi32(s0, 3));
		_mm_storeu_si128((void *)(o + j + 4), _mm512_castsi512_si128(s1));
		_mm_storeu_si128((void *)(o + j + 5), _mm512_extracti32x4_epi32(s1, 1));
		_mm_storeu_si128((void *)(o + j + 6), _mm512_extracti32x4_epi32(s1, 2));
		_mm_storeu_si128((void *)(o + j + 7), _mm512_extracti32x4_epi32(s1, 3));
		start = _mm512_permutexvar_epi64(last, after);
		at = _mm512_alignr_epi64(_mm512_setzero_si512(), at, 1);
	}
	*field = c + (64 - (unsigned)__builtin_clzll(tabs));
	return o + k;
}

/* The k-th set bit of m: the bit 1 << k deposited into m's set bits
 * (none: 64, tzcnt of 0). */
AVX2 static inline unsigned kth_pdep(uint64_t m, size_t k)
{
	return (unsigned)_tzcnt_u64(_pdep_u64((uint64_t)1 << k, m));
}

AVX2 static inline unsigned tz_bmi(uint64_t m)
{
	return (unsigned)_tzcnt_u64(m);
}

#define ADVANCE advance_sse2
#define PICK pick_sse2
#define PICK_N pick_n_sse2
#define PICK_ROW pick_row_sse2
#define TARGET
#define SEPARATORS separators_sse2
#define FIELDS fields_by_bit
#define KTH kth_loop
#define TZ tz_any
#include "tsv-advance.h"
#include "tsv-pick.h"
#undef ADVANCE
#undef PICK
#undef PICK_N
#undef PICK_ROW
#undef TARGET
#undef SEPARATORS
#undef FIELDS
#undef KTH
#undef TZ

#define ADVANCE advance_avx2
#define PICK pick_avx2
#define PICK_N pick_n_avx2
#define PICK_ROW pick_row_avx2
#define TARGET AVX2
#define SEPARATORS separators_avx2
#define FIELDS fields_by_bit
#define KTH kth_pdep
#define TZ tz_bmi
#include "tsv-advance.h"
#include "tsv-pick.h"
#undef ADVANCE
#undef PICK
#undef PICK_N
#undef PICK_ROW
#undef TARGET
#undef SEPARATORS
#undef FIELDS
#undef KTH
#undef TZ

#define ADVANCE advance_avx512
#define PICK pick_avx512
#define PICK_N pick_n_avx512
#define PICK_ROW pick_row_avx512
#define TARGET AVX512
#define SEPARATORS separators_avx512
#define FIELDS fields_avx512
#define KTH kth_pdep
#define TZ tz_bmi
#include "tsv-advance.h"
#include "tsv-pick.h"
#undef ADVANCE
#undef PICK
#undef PICK_N
#undef PICK_ROW
#undef TARGET
#undef SEPARATORS
#undef FIELDS
#undef KTH
#undef TZ

#endif

void tsv_splitter(struct tsv_reader *r)
{
	const char *want = getenv("NPSKIT_SPLIT");
	int rank = !want ? 3 : !strcmp(want, "avx512") ? 3 : !strcmp(want, "avx2") ? 2
		 : !strcmp(want, "sse2") ? 1 : 0;
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (rank >= 3 && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vbmi2")) {
		r->advance = advance_avx512, r->pick = pick_avx512;
		return;
	}
	if (rank >= 2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2")) {
		r->advance = advance_avx2, r->pick = pick_avx2;
		return;
	}
	if (rank >= 1) {
		r->advance = advance_sse2, r->pick = pick_sse2;
		return;
	}
#endif
	r->advance = advance_c, r->pick = pick_c;
}
