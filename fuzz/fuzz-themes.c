/* libFuzzer target: nps-themes as a whole program, in process (see prog.h
 * for the input's layout and how exit and memory are handled): the
 * dictionary parser and automaton (the auxiliary file), folding, matching,
 * negation and every output mode. */
#include "prog.h"
#define main prog_main
#include "../cmd/nps-themes.c"
#undef main
#include "../cmd/nps-themes/match.c"
#include "../cmd/nps-themes/suggest.c"

const char *const fuzz_default_args[] = { "-c", "comment", "--spans", "--themes", "@aux", NULL };
const char fuzz_aux_name[] = "themes";
