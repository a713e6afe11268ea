/* libFuzzer target: nps-import as a whole program, in process (see prog.h
 * for the input's layout and how exit and memory are handled): the CSV
 * scanner across block ends, the decoders, renames, --date and --tz, with
 * its parts (cmd/nps-import/) compiled in.
 * iconv is left out: the C library's conversion state lives outside the
 * allocator the harness tracks, so a run that exits (65) after opening it
 * would leak it; the built-in decoders (UTF-16, latin1, cp1252) are in. */
#include "prog.h"
#include <iconv.h>
static iconv_t fuzz_iconv_open(const char *to, const char *from)
{
	(void)to, (void)from;
	return (iconv_t)-1;
}
#define iconv_open fuzz_iconv_open
#define main prog_main
#include "../cmd/nps-import.c"
#undef main
#include "../cmd/nps-import/csv.c"
#include "../cmd/nps-import/decode.c"
#include "../cmd/nps-import/when.c"

const char *const fuzz_default_args[] = { NULL };
const char fuzz_aux_name[] = "";
