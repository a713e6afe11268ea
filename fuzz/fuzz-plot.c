/* libFuzzer target: nps-plot as a whole program, in process (see prog.h
 * for the input's layout and how exit and memory are handled). */
#include "prog.h"
#define main prog_main
#include "../cmd/nps-plot.c"
#undef main

const char *const fuzz_default_args[] = { "dots", NULL };
const char fuzz_aux_name[] = "";
