/* libFuzzer target: nps-baseline as a whole program, in process (see prog.h
 * for the input's layout and how exit and memory are handled). */
#include "prog.h"
#define main prog_main
#include "../cmd/nps-baseline.c"
#undef main

const char *const fuzz_default_args[] = { "-g", "store", "--min-history", "2", "--events", "@aux", NULL };
const char fuzz_aux_name[] = "events";
