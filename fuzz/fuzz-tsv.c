/* libFuzzer target: the TSV reader. Any bytes must give rows whose fields,
 * joined by TABs, are the row again, without crash or leak. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-tsv", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	char *files[] = { path };
	struct tsv_reader r;
	tsv_open(&r, 1, files);
	tsv_rejects_open(&r, "/dev/null");
	while (tsv_next(&r)) {
		size_t len = r.nfields - 1;
		for (size_t i = 0; i < r.nfields; i++)
			len += r.fields[i].n;
		if (len != r.row.n || r.fields[0].p != r.row.p)
			abort();
		tsv_check_width(&r);
		struct buf out = { 0 };
		tsv_unescape(r.fields[0], &out);
		buf_free(&out);
	}
	tsv_close(&r);
	close(fd);
	return 0;
}
