/* libFuzzer target: nps-drivers as a whole program, in process (see prog.h
 * for the input's layout and how exit and memory are handled). The
 * auxiliary file is --levels'; --merge inputs come from the seeds. */
#include "prog.h"
#define main prog_main
#include "../cmd/nps-drivers.c"
#undef main
#include "../cmd/drivers/analysis.c"

const char *const fuzz_default_args[] = { "-g", "store", "-d", "a,b,c", "--bootstrap", "20",
					  "--buckets", "4", "--levels", "@aux", NULL };
const char fuzz_aux_name[] = "levels";
