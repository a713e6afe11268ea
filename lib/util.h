/* util: the program name, sysexits codes, dying with a message, and
 * allocation that never returns NULL. The only global state is prog_name
 * (set by prog_init); everything allocated here belongs to the caller. */
#ifndef NPS_UTIL_H
#define NPS_UTIL_H

#include <stdarg.h>
#include <stddef.h>

enum {
	EX_OK_ = 0,
	EX_USAGE_ = 64,    /* bad options, unknown column */
	EX_DATA_ = 65,     /* bad input data */
	EX_NOINPUT_ = 66,  /* cannot open an input file */
	EX_SOFTWARE_ = 70, /* internal error */
	EX_IOERR_ = 74,    /* a write failed */
};

extern const char *prog_name;

/* Starts a run: sets prog_name, empties the stdout writer (out_init),
 * and makes a closed downstream pipe end the program silently (SIGPIPE
 * default), whatever the parent left it at. Before any
 * file is opened it makes descriptors 0-2 valid: a closed one gets
 * /dev/null, opened so that using it still fails (reading a closed stdin
 * is 66, writing a closed stdout 74), and so that a rejects file can
 * never take the number of standard output or standard error. */
void prog_init(const char *argv0);

/* Every message goes through say(): "prog: message" on stderr, with any
 * control byte in it (from a file, a header name, an argument) shown
 * escaped (\x1b, \t), never sent raw to the terminal. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vsay(const char *fmt, va_list ap);
/* "Try 'prog --help' for more information." */
void say_hint(void);

/* Prints "prog: message" (as say) on stderr and exits with code. */
_Noreturn void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The default case of the option loop: names the option that is unknown
 * or lacks its value (prog_init keeps getopt itself quiet), exit 64.
 * shortopts is the string given to getopt_long. */
_Noreturn void die_option(char **argv, const char *shortopts);

/* After --help or --version: exit 0, or 74 if standard output did not
 * take the text. */
_Noreturn void exit_printed(void);

/* A usage error: the message, a hint to --help, exit 64. */
_Noreturn void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* How many threads a program may use: NPSKIT_THREADS (0 and 1 both mean
 * one; more than the cores is allowed, for testing), else the online
 * cores, at most THREADS_MAX; always 1 in the fuzz targets, which leave
 * the program by longjmp. A value that is not a number 0..THREADS_MAX is
 * a usage error (64). */
enum { THREADS_MAX = 256 };
unsigned threads_count(void);
/* threads_count() > 1: whether a second thread may read ahead. */
int threads_wanted(void);

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);

/* A thread's own state (tsv_ranges' states, a buffer each thread writes
 * row by row) must not share a cache line with another thread's: every
 * write would move the line between the cores (false sharing; it halved
 * nps-classify's speed-up). xmalloc_lines gives whole lines, aligned to
 * one (free() frees them); OWN_LINES, on a struct's first member, makes
 * its size whole lines, so that an array of them is one line apart. */
enum { CACHE_LINE = 64 };
#define OWN_LINES _Alignas(CACHE_LINE)
void *xmalloc_lines(size_t n);
char *xstrndup(const char *s, size_t n);

#endif
