/* libFuzzer target: nps-signif as a whole program, in process (see prog.h
 * for the input's layout and how exit and memory are handled). */
#include "prog.h"
#define main prog_main
#include "../cmd/nps-signif.c"
#undef main
#include "../cmd/nps-signif/letters.c"

const char *const fuzz_default_args[] = { NULL };
const char fuzz_aux_name[] = "";
