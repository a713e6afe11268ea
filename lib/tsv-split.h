/* tsv-split: private to lib, how tsv.c splits a line into fields. A
 * splitter (one per instruction set, the machine's best chosen at
 * tsv_open) takes the line at r->next_row, before r->rows_end, into
 * r->row, r->fields and r->nfields, and moves r->next_row past it; its
 * body is tsv-advance.h. tsv_pick's, for each set too, is tsv-pick.h. */
#ifndef NPS_TSV_SPLIT_H
#define NPS_TSV_SPLIT_H

#include "tsv.h"

typedef void tsv_split_fn(struct tsv_reader *r);

/* Sets r->advance and r->pick (tsv-pick.h) to the best this machine
 * has; NPSKIT_SPLIT=c, sse2, avx2 or avx512 (for the tests) asks for one
 * instruction set: it, if the machine has it, else the best below it. */
void tsv_splitter(struct tsv_reader *r);

/* Room for n fields in r->field_buf (a splitter needs TSV_FIELDS_MIN at
 * the least, which tsv_open makes). */
enum { TSV_FIELDS_MIN = 256 };
struct slice *tsv_grow_fields(struct tsv_reader *r, size_t n);

#endif
