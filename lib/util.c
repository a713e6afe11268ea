#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *prog_name = "npskit";

void prog_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	prog_name = slash ? slash + 1 : argv0;
	signal(SIGPIPE, SIG_DFL);
	opterr = 0;
}

_Noreturn void die_option(char **argv, const char *shortopts)
{
	const char *arg = argv[optind - 1];
	if (arg[0] == '-' && arg[1] == '-') {
		if (optopt)
			die_usage("option %s needs a value", arg);
		die_usage("unknown option %s", arg);
	}
	if (optopt && strchr(shortopts, optopt))
		die_usage("option -%c needs a value", optopt);
	die_usage("unknown option -%c", optopt);
}

_Noreturn void exit_printed(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR_, "write error on standard output: %s", strerror(errno));
	exit(0);
}

_Noreturn void die(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

_Noreturn void die_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog_name);
	exit(EX_USAGE_);
}

int threads_wanted(void)
{
#ifdef NPSKIT_NO_THREADS
	return 0;
#else
	const char *env = getenv("NPSKIT_THREADS");
	if (env && (strcmp(env, "0") == 0 || strcmp(env, "1") == 0))
		return 0;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
#endif
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(EX_SOFTWARE_, "out of memory (%zu bytes)", n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(EX_SOFTWARE_, "out of memory (%zu bytes)", n);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
