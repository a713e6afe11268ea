# npskit: every cmd/*.c is a program linked against the objects of lib/.
# `make SAN=1 ...` builds into build-san/ with ASan and UBSan instead.
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
CC ?= cc
CFLAGS ?= -O2
CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Ilib
LDLIBS = -lm -lpthread

ifeq ($(SAN),1)
O = build-san
CFLAGS += -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
O = build
endif

PROGS = $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
BINS = $(addprefix $(O)/,$(PROGS))
LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(patsubst lib/%.c,$(O)/lib/%.o,$(LIB_SRC))
HEADERS = $(wildcard lib/*.h)
MANS = $(patsubst man/%.scd,%,$(wildcard man/*.scd))

all: $(BINS) $(O)/gen-responses

$(O)/gen-responses: examples/gen-responses.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(O)/lib/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# A program's private sources, if it has any: cmd/<program>/*.c and .h,
# linked with it alone (nps-themes' matcher).
.SECONDEXPANSION:
$(O)/%: cmd/%.c $$(wildcard cmd/$$*/*.c cmd/$$*/*.h) $(LIB_OBJ) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(wildcard cmd/$*/*.c) $(LIB_OBJ) $(LDLIBS)

man: $(addprefix build/man/,$(MANS))

build/man/%: man/%.scd
	@mkdir -p $(@D)
	scdoc < $< > $@

# Each target that needs more than a compiler first runs tests/setup, which
# installs what is missing (root or sudo) or stops with the package list
# (exit 69) before anything runs.
check:
	@tests/setup check
	@$(MAKE) --no-print-directory all man
	NPS_BIN=$(CURDIR)/$(O) bats tests

bench:
	@tests/setup bench
	@$(MAKE) --no-print-directory all
	bench/run

install:
	@tests/setup install
	@$(MAKE) --no-print-directory all man
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	for m in $(MANS); do \
		install -m 644 build/man/$$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done

# Fuzzing (clang's libFuzzer): each target runs FUZZ_SECONDS, seeded from
# tests/data and the inputs that once crashed (fuzz/regressions).
FUZZ_SECONDS ?= 30
FUZZ_CC ?= clang
FUZZ_CFLAGS = -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -DNPSKIT_NO_THREADS -DRANGE_MIN=8 -Ilib \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS = $(patsubst fuzz/%.c,build-fuzz/%,$(wildcard fuzz/fuzz-*.c))
# Whole-program targets (fuzz/prog.h): exit and the allocator are wrapped.
FUZZ_PROGS = $(patsubst cmd/nps-%.c,build-fuzz/fuzz-%,$(wildcard cmd/*.c))
$(FUZZ_PROGS): FUZZ_LDFLAGS = \
	-Wl,--wrap=exit,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=free

build-fuzz/%: fuzz/%.c fuzz/*.h $(LIB_SRC) $(HEADERS) $(wildcard cmd/*.c cmd/*/*.[ch])
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LDFLAGS) -o $@ $< $(LIB_SRC) -lm

fuzz:
	@tests/setup fuzz
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
		n=$${t##*/}; c=build-fuzz/corpus/$$n; mkdir -p $$c; \
		s=fuzz/seeds/$${n#fuzz-}; [ -d $$s ] || s=; \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-close_fd_mask=2 -print_final_stats=1 \
			-artifact_prefix=build-fuzz/$$n- $$c $$s tests/data fuzz/regressions \
			2>build-fuzz/$$n.log || { tail -n 40 build-fuzz/$$n.log; exit 1; }; \
		grep -h 'stat::number_of_executed_units' build-fuzz/$$n.log; \
	done

# Every program under valgrind (memcheck) over the test fixtures: each
# program's tests/<name>.bats and the fuzz regressions, through a wrapper
# per program; any error or leak fails (exit 1, or a non-empty log).
# Built apart, -g -O0: readable stacks, and no block reported lost only
# because the optimizer dropped its last pointer before an error exit.
# bad-input.bats (64 MB lines, 1M groups) runs under SAN=1 instead.
VG = build/vg
VALGRIND_TESTS ?= $(wildcard $(patsubst nps-%,tests/%.bats,$(PROGS))) \
	tests/fuzz-regressions.bats
valgrind:
	@tests/setup valgrind
	CFLAGS='-g -O0' $(MAKE) --no-print-directory O=$(VG) all
	@rm -rf $(VG)/valgrind && mkdir -p $(VG)/valgrind/log
	@for p in $(PROGS); do \
		printf '#!/bin/sh\nexec valgrind -q --leak-check=full --error-exitcode=1 --suppressions=%s/tests/valgrind.supp --log-file=%s/log/%%p %s "$$@"\n' \
			$(CURDIR) $(CURDIR)/$(VG)/valgrind $(CURDIR)/$(VG)/$$p >$(VG)/valgrind/$$p; \
		chmod +x $(VG)/valgrind/$$p; done
	@ln -sf $(CURDIR)/$(VG)/gen-responses $(VG)/valgrind/gen-responses # a tool of the tests, not under test
	NPS_BIN=$(CURDIR)/$(VG)/valgrind bats $(VALGRIND_TESTS)
	@if find $(VG)/valgrind/log -type f -size +0 | grep -q .; then \
		find $(VG)/valgrind/log -type f -size +0 -exec cat {} +; exit 1; fi
	@echo "valgrind: $$(ls $(VG)/valgrind/log | wc -l) runs, no errors, no leaks"

clean:
	rm -rf build build-san build-fuzz

.PHONY: all man check bench install clean fuzz valgrind
.SECONDARY:

# The README's first command: build, export the bundled sample as a survey
# tool would (examples/export-csv: CSV, BOM, CRLF, the question as the score
# column's name), import it back with nps-import (checked: the same bytes),
# run the monthly report (examples/monthly) on it into $(O)/demo/, and
# print its summary.
$(O)/demo/export.csv: examples/sample.tsv examples/export-csv
	@mkdir -p $(@D)
	@examples/export-csv examples/sample.tsv > $@.tmp && mv $@.tmp $@

$(O)/demo/imported.tsv: $(O)/demo/export.csv $(O)/nps-import
	@$(O)/nps-import -r 'How likely are you*=score' $< > $@.tmp && mv $@.tmp $@
	@cmp -s $@ examples/sample.tsv && echo "nps-import: $< read back into the sample's exact bytes"

demo:
	@tests/setup demo
	@$(MAKE) --no-print-directory all $(O)/demo/imported.tsv
	@$(MAKE) -s --no-print-directory -C examples/monthly NPS_BIN=$(CURDIR)/$(O) \
		INPUT=$(CURDIR)/$(O)/demo/imported.tsv OUT=$(CURDIR)/$(O)/demo show

.PHONY: demo

# nps-drivers' evaluation and benchmark data: responses with driver
# ratings whose true effects are known (eval/drivers/gen.c).
all: $(O)/gen-drivers
$(O)/gen-drivers: eval/drivers/gen.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lm

# nps-drivers links its analysis, kept beside it in cmd/drivers/ (a
# command's private objects, as mblaze links mshow's).
DRIVERS_OBJ = $(O)/drivers/analysis.o
$(O)/drivers/%.o: cmd/drivers/%.c cmd/drivers/drivers.h $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(O)/nps-drivers: cmd/nps-drivers.c $(DRIVERS_OBJ) $(LIB_OBJ) $(HEADERS) cmd/drivers/drivers.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(DRIVERS_OBJ) $(LIB_OBJ) $(LDLIBS)
build-fuzz/fuzz-drivers: cmd/drivers/analysis.c cmd/drivers/drivers.h
