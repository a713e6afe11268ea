/* Force-included (-include) into every file of the fuzz build: the
 * writable globals of lib/ and cmd/ go into two sections of their own, so
 * the whole-program harness (prog.h) can put them back to their initial
 * values after each run, as a fresh process would have them. */
#pragma clang section bss = "npsfz_bss" data = "npsfz_data"
