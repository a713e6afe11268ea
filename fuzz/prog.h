/* Whole-program fuzzing harness. A target includes this file, then a
 * command's source with main renamed:
 *
 *	#include "prog.h"
 *	#define main prog_main
 *	#include "../cmd/nps-agg.c"
 *
 * and defines fuzz_default_args (NULL-terminated) and fuzz_aux ("" when
 * the program reads no second file). Each input runs the program once, in
 * process, with libFuzzer's coverage:
 *
 * - The input: an optional first line "#! arg arg ...": the arguments
 *   (tokens containing '/' are dropped; "@aux" becomes the path of the
 *   auxiliary file); without it, fuzz_default_args. Then, for programs
 *   with an auxiliary file (rules, events), its content up to a line
 *   "%%"; the rest is the TSV input. Both are memfd files.
 * - exit() is wrapped (-Wl,--wrap=exit): it longjmps back here. An exit
 *   code outside 0/64/65/66/74 (70 is "internal error") is a finding.
 * - malloc/calloc/realloc/aligned_alloc/free are wrapped: every block
 *   the program allocates is tracked. After a normal return, blocks still live are
 *   checked with LeakSanitizer (those no pointer reaches abort as a
 *   leak); then, as after exit(), all of them are
 *   freed and file descriptors the run opened are closed.
 * - No global state is saved or restored: a program keeps its state in
 *   a struct of its own, and the little lib keeps (prog_name, the stdout
 *   writer) is set afresh by prog_init at each run's start; getopt's
 *   optind is reset here.
 * - The program runs in a private directory under /tmp (emptied after
 *   each run; libFuzzer's own directory is back when it returns), stdout is
 *   /dev/null (kept when NPSFUZZ_STDOUT is set, to see a run's output),
 *   stderr is libFuzzer's -close_fd_mask=2. */
#ifndef NPS_FUZZ_PROG_H
#define NPS_FUZZ_PROG_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <unistd.h>

int prog_main(int argc, char **argv);
extern const char *const fuzz_default_args[];
extern const char fuzz_aux_name[];

void __real_exit(int) __attribute__((noreturn));
void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void *__real_aligned_alloc(size_t, size_t);
void __real_free(void *);
int __lsan_do_recoverable_leak_check(void);

static jmp_buf fz_jmp;
static int fz_running, fz_exit_code;

/* Live blocks, as an open-addressing set of pointers stored XORed with a
 * mask, so LeakSanitizer does not take this table for a reference. */
/* The harness itself is not instrumented for coverage. */
#define FZ_NOCOV __attribute__((no_sanitize("coverage")))
#define FZ_MASK ((uintptr_t)0x5a5a5a5a5a5a5a5aull)
static uintptr_t *fz_set;
static size_t fz_cap, fz_live;

FZ_NOCOV static size_t fz_slot(uintptr_t v)
{
	size_t i = (size_t)((v >> 4) * 0x9e3779b97f4a7c15ull) & (fz_cap - 1);
	while (fz_set[i] && fz_set[i] != v)
		i = (i + 1) & (fz_cap - 1);
	return i;
}

FZ_NOCOV static void fz_add(void *p)
{
	if (!p || !fz_running)
		return;
	if ((fz_live + 1) * 2 > fz_cap) {
		uintptr_t *old = fz_set;
		size_t oldcap = fz_cap;
		fz_cap = fz_cap ? fz_cap * 2 : 1024;
		fz_set = __real_calloc(fz_cap, sizeof *fz_set);
		for (size_t i = 0; i < oldcap; i++)
			if (old[i] && old[i] != 1)
				fz_set[fz_slot(old[i])] = old[i];
		__real_free(old);
	}
	size_t i = fz_slot((uintptr_t)p ^ FZ_MASK);
	if (!fz_set[i]) {
		fz_set[i] = (uintptr_t)p ^ FZ_MASK;
		fz_live++;
	}
}

/* Removal by backward-shift deletion keeps probing correct. */
FZ_NOCOV static void fz_del(void *p)
{
	if (!p || !fz_cap)
		return;
	size_t i = fz_slot((uintptr_t)p ^ FZ_MASK);
	if (!fz_set[i])
		return;
	fz_set[i] = 0;
	fz_live--;
	for (size_t j = (i + 1) & (fz_cap - 1); fz_set[j];
	     j = (j + 1) & (fz_cap - 1)) {
		uintptr_t v = fz_set[j];
		fz_set[j] = 0;
		fz_set[fz_slot(v)] = v;
	}
}

FZ_NOCOV void *__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);
	fz_add(p);
	return p;
}

FZ_NOCOV void *__wrap_calloc(size_t k, size_t n)
{
	void *p = __real_calloc(k, n);
	fz_add(p);
	return p;
}

FZ_NOCOV void *__wrap_aligned_alloc(size_t align, size_t n)
{
	void *p = __real_aligned_alloc(align, n);
	fz_add(p);
	return p;
}

FZ_NOCOV void *__wrap_realloc(void *q, size_t n)
{
	void *p = __real_realloc(q, n);
	if (p || n == 0)
		fz_del(q);
	fz_add(p);
	return p;
}

FZ_NOCOV void __wrap_free(void *p)
{
	fz_del(p);
	__real_free(p);
}

void __wrap_exit(int code)
{
	if (!fz_running)
		__real_exit(code);
	fz_exit_code = code;
	longjmp(fz_jmp, 1);
}

static char fz_fd_open[128]; /* fds the run opens are the lowest free ones */
static int fz_devnull = -1, fz_home = -1, fz_dir = -1;

static void fz_init(void)
{
	static char dir[] = "/tmp/npsfuzz-XXXXXX";
	fz_home = open(".", O_RDONLY | O_DIRECTORY);
	if (fz_home < 0 || !mkdtemp(dir) ||
	    (fz_dir = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	fz_devnull = open("/dev/null", O_WRONLY);
	if (fz_devnull < 0)
		abort();
	for (int fd = 0; fd < (int)sizeof fz_fd_open; fd++)
		fz_fd_open[fd] = fcntl(fd, F_GETFD) >= 0;
}

/* Back to libFuzzer's directory (it reads the corpus by relative paths),
 * emptying the run's one (files the program was told to write there). */
FZ_NOCOV static void fz_reset(void)
{
	fz_running = 0;
	if (fchdir(fz_home) != 0)
		abort();
	DIR *d = fdopendir(dup(fz_dir));
	if (!d)
		abort();
	rewinddir(d); /* the offset is shared with fz_dir */
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(fz_dir, e->d_name, 0);
	closedir(d);
	for (size_t i = 0; i < fz_cap; i++)
		if (fz_set[i]) {
			__real_free((void *)(fz_set[i] ^ FZ_MASK));
			fz_set[i] = 0;
		}
	fz_live = 0;
	for (int fd = 3; fd < (int)sizeof fz_fd_open; fd++)
		if (!fz_fd_open[fd])
			close(fd);
}

static int fz_memfd(const char *name, const uint8_t *p, size_t n, char *path)
{
	int fd = memfd_create(name, 0);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		abort();
	sprintf(path, "/proc/self/fd/%d", fd);
	return fd;
}

#define FZ_MAXARGS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fz_devnull < 0)
		fz_init();
	static char argbuf[4096], auxpath[64], inpath[64];
	const char *tok[FZ_MAXARGS];
	int ntok = 0;
	const uint8_t *end = data + size;
	if (size >= 2 && data[0] == '#' && data[1] == '!') {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : size;
		size_t k = n - 2 < sizeof argbuf ? n - 2 : sizeof argbuf - 1;
		memcpy(argbuf, data + 2, k);
		argbuf[k] = '\0';
		data += nl ? n + 1 : n;
		for (char *save, *t = strtok_r(argbuf, " ", &save); t;
		     t = strtok_r(NULL, " ", &save))
			if (!strchr(t, '/') && ntok < FZ_MAXARGS)
				tok[ntok++] = t;
	} else {
		for (int i = 0; fuzz_default_args[i]; i++)
			tok[ntok++] = fuzz_default_args[i];
	}
	const uint8_t *aux = data;
	size_t auxn = 0;
	int has_aux = 0;
	if (fuzz_aux_name[0]) {
		const uint8_t *sep = data;
		while ((sep = memmem(sep, (size_t)(end - sep), "%%\n", 3)) &&
		       sep != data && sep[-1] != '\n')
			sep++;
		if (sep) {
			has_aux = 1;
			auxn = (size_t)(sep - data);
			data = sep + 3;
		}
	}
	char *argv[FZ_MAXARGS + 4];
	int argc = 0;
	argv[argc++] = "fuzz";
	for (int i = 0; i < ntok; i++) {
		if (strcmp(tok[i], "@aux") != 0)
			argv[argc++] = (char *)tok[i];
		else if (has_aux)
			argv[argc++] = auxpath;
		else if (argc > 1) /* no auxiliary file: drop its option */
			argc--;
	}
	if (has_aux)
		fz_memfd(fuzz_aux_name, aux, auxn, auxpath);
	fz_memfd("input", data, (size_t)(end - data), inpath);
	argv[argc++] = inpath;
	argv[argc] = NULL;

	if (!getenv("NPSFUZZ_STDOUT") && dup2(fz_devnull, 1) < 0)
		abort();
	if (fchdir(fz_dir) != 0)
		abort();
	optind = 0;
	fz_exit_code = -1;
	fz_running = 1;
	if (setjmp(fz_jmp) == 0) {
		fz_exit_code = prog_main(argc, argv);
		fz_running = 0;
		if (fz_live && __lsan_do_recoverable_leak_check())
			abort();
	}
	fz_running = 0;
	switch (fz_exit_code) {
	case 0: case 64: case 65: case 66: case 74:
		break;
	default:
		fprintf(stderr, "fuzz: exit code %d\n", fz_exit_code);
		abort();
	}
	fz_reset();
	return 0;
}

#endif
