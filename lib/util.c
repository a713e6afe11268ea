#include "out.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lib's plumbing, acceptable as state: set by prog_init at the start of
 * each run, read by every message. */
const char *prog_name = "npskit";

/* Puts /dev/null on fd if it is closed, open the way that makes any use
 * of it fail as the closed descriptor would (reading stdin, writing
 * stdout: EBADF) while no file the program opens can take its number. */
static void fill_fd(int fd, int flags)
{
	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return;
	int got = open("/dev/null", flags);
	if (got < 0)
		die(EX_SOFTWARE_, "cannot open /dev/null: %s", strerror(errno));
	if (got != fd) {
		dup2(got, fd);
		close(got);
	}
}

void prog_init(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	prog_name = slash ? slash + 1 : argv0 ? argv0 : prog_name;
	/* In this order: open() takes the lowest free number. Standard input
	 * is opened write-only and standard output read-only, so that
	 * reading or writing them fails (66, 74) as it did closed; a closed
	 * standard error just loses the messages. */
	fill_fd(0, O_WRONLY);
	fill_fd(1, O_RDONLY);
	fill_fd(2, O_WRONLY);
	signal(SIGPIPE, SIG_DFL);
	opterr = 0;
	out_init();
}

/* Messages are put together in a block of their own, not in a buf: they
 * must work when memory has run out. */
struct sink {
	char b[4096];
	size_t n;
};

static void sink_put(struct sink *k, const char *p, size_t n)
{
	while (n > 0) {
		if (k->n == sizeof k->b) {
			fwrite(k->b, 1, k->n, stderr);
			k->n = 0;
		}
		size_t m = sizeof k->b - k->n < n ? sizeof k->b - k->n : n;
		memcpy(k->b + k->n, p, m);
		k->n += m, p += m, n -= m;
	}
}

/* The bytes of s with every control byte shown escaped (\x1b, \t; the
 * C1 controls in UTF-8 too), so that nothing a message quotes from a
 * file, a name or an argument can drive the terminal. */
static void sink_escaped(struct sink *k, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int c1 = c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9f;
		if (c >= 0x20 && c != 0x7f && !c1) {
			sink_put(k, s + i, 1);
			continue;
		}
		for (int j = 0; j <= c1; j++) {
			unsigned char x = (unsigned char)s[i + (size_t)j];
			char e[4] = { '\\', 'x', hex[x >> 4], hex[x & 15] };
			if (x == '\t' || x == '\n' || x == '\r') {
				e[1] = x == '\t' ? 't' : x == '\n' ? 'n' : 'r';
				sink_put(k, e, 2);
			} else {
				sink_put(k, e, 4);
			}
		}
		i += (size_t)c1;
	}
}

void vsay(const char *fmt, va_list ap)
{
	char small[1024], *text = small;
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof small) {
		text = malloc((size_t)n + 1);
		if (text)
			vsnprintf(text, (size_t)n + 1, fmt, ap2);
		else
			text = small, n = (int)sizeof small - 1;
	}
	va_end(ap2);
	struct sink k;
	k.n = 0;
	sink_escaped(&k, prog_name, strlen(prog_name));
	sink_put(&k, ": ", 2);
	sink_escaped(&k, text, (size_t)n);
	sink_put(&k, "\n", 1);
	fwrite(k.b, 1, k.n, stderr);
	fflush(stderr);
	if (text != small)
		free(text);
}

void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
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
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(code);
}

_Noreturn void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	say_hint();
	exit(EX_USAGE_);
}

void say_hint(void)
{
	struct sink k;
	k.n = 0;
	sink_put(&k, "Try '", 5);
	sink_escaped(&k, prog_name, strlen(prog_name));
	sink_put(&k, " --help' for more information.\n", 31);
	fwrite(k.b, 1, k.n, stderr);
	fflush(stderr);
}

unsigned threads_count(void)
{
#ifdef NPSKIT_NO_THREADS
	return 1;
#else
	const char *env = getenv("NPSKIT_THREADS");
	if (env && *env) {
		char *end;
		errno = 0;
		unsigned long n = strtoul(env, &end, 10);
		if (*end || errno || env[0] == '-' || n > THREADS_MAX)
			die_usage("NPSKIT_THREADS must be a whole number 0..%d (\"%s\")",
				  THREADS_MAX, env);
		return n ? (unsigned)n : 1;
	}
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores < 1 ? 1 : cores > THREADS_MAX ? THREADS_MAX : (unsigned)cores;
#endif
}

int threads_wanted(void)
{
	return threads_count() > 1;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(EX_SOFTWARE_, "out of memory (%zu bytes)", n);
	return p;
}

void *xmalloc_lines(size_t n)
{
	size_t lines = (n + CACHE_LINE - 1) / CACHE_LINE;
	void *p = aligned_alloc(CACHE_LINE, (lines ? lines : 1) * CACHE_LINE);
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
