# llm-tools: one Makefile, no configure step.
#   make            build every program into $(BUILD)/bin
#   make test       build and run the test suite (ends with "N passed, N failed")
#   make asan       the whole test suite under ASan+UBSan (in build-asan/)
#   make bench      benchmarks against llama.cpp (see tests/bench/)
#   make install    PREFIX=/usr/local DESTDIR=
#   make ZSTD=1     read and write .zst streams through libzstd
VERSION  = 0.1.0
BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter
CPPFLAGS_ALL = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib $(CPPFLAGS)
LDLIBS_ALL   = -lm -lpthread $(LDLIBS)
ARCH    := $(shell $(CC) -dumpmachine | cut -d- -f1)

ifeq ($(ZSTD),1)
CPPFLAGS_ALL += -DLLM_ZSTD=1
LDLIBS_ALL   += -lzstd
endif
# Objects that change with ZSTD are rebuilt when it changes (a stamp file).
ZSTAMP := $(BUILD)/.zstd-$(if $(filter 1,$(ZSTD)),1,0)

# Portable C is the reference; SIMD files sit beside it, built only for their
# architecture. x86 kernels are compiled with their ISA flags and picked at run
# time from the CPU's features, so one binary runs on any x86-64.
LIB_SRC  := $(filter-out lib/%_avx2.c lib/%_neon.c,$(wildcard lib/*.c))
ifeq ($(ARCH),x86_64)
LIB_SRC  += $(wildcard lib/*_avx2.c)
endif
ifeq ($(ARCH),aarch64)
LIB_SRC  += $(wildcard lib/*_neon.c)
endif
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBCORE  := $(BUILD)/libllmcore.a

CMD_SRC  := $(filter-out cmd/cli.c,$(wildcard cmd/llm-*.c))
PROGS    := $(CMD_SRC:cmd/%.c=$(BUILD)/bin/%)
TOOL_SRC := $(wildcard tools/*.c)
TOOLS    := $(TOOL_SRC:tools/%.c=$(BUILD)/bin/%)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MAN1     := $(wildcard man/*.1)
MAN5     := $(wildcard man/*.5)
MAN7     := $(wildcard man/*.7)

all: $(PROGS) $(TOOLS)

$(BUILD)/%.o: %.c $(wildcard lib/*.h cmd/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(WARN) $(CFLAGS) -c -o $@ $<

$(BUILD)/lib/%_avx2.o: lib/%_avx2.c $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(WARN) $(CFLAGS) -mavx2 -mfma -mf16c -c -o $@ $<

$(ZSTAMP):
	@mkdir -p $(BUILD) && rm -f $(BUILD)/.zstd-* && touch $@
$(BUILD)/lib/stream.o $(BUILD)/lib/stream_zstd.o: $(ZSTAMP)

$(LIBCORE): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/cmd/cli.o $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/cmd/cli.o $(LIBCORE) $(LDLIBS_ALL)

$(BUILD)/bin/%: $(BUILD)/tools/%.o $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBCORE) $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBCORE) $(LDLIBS_ALL)

# Fuzz harnesses (tests/fuzz/fuzz_*.c) also build with a plain driver that
# replays their seeds and saved crash inputs in every test run.
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/test_fuzz_%)
$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c $(LIBCORE)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(WARN) $(CFLAGS) $(LDFLAGS) -DFUZZ_NAME='"$*"' -o $@ $< tests/fuzz/driver.c $(LIBCORE) $(LDLIBS_ALL)

units: $(UNITS) $(FUZZ_REPLAY)

# make fuzz FUZZ_SECONDS=600: run every harness under libFuzzer (clang) for
# that long, ASan+UBSan on (FUZZ_RUNS=N instead: N inputs from seed 1, the
# same inputs every time, which is what CI runs); the corpus grows in build-fuzz/corpus/NAME,
# crashes land in build-fuzz/crash-NAME-* (save them in tests/fuzz/regress/NAME).
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
fuzz:
	$(MAKE) CC=clang BUILD=build-fuzz CFLAGS="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" build-fuzz/libllmcore.a
	@set -e; for src in $(FUZZ_SRC); do \
	  n=$$(basename $$src .c | sed 's/^fuzz_//'); \
	  clang $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o build-fuzz/fuzz_$$n $$src build-fuzz/libllmcore.a -lm -lpthread; \
	  mkdir -p build-fuzz/corpus/$$n; rm -f build-fuzz/crash-$$n-*; \
	  echo "== fuzz $$n for $(if $(FUZZ_RUNS),$(FUZZ_RUNS) runs (seed 1),$(FUZZ_SECONDS) s)"; \
	  ./build-fuzz/fuzz_$$n $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS) -seed=1,-max_total_time=$(FUZZ_SECONDS)) -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crash-$$n- build-fuzz/corpus/$$n tests/fuzz/seeds/$$n 2>&1 \
	    | grep -E '^(stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' || true; \
	  if ls build-fuzz/crash-$$n-* >/dev/null 2>&1; then echo "fuzz $$n: crash inputs in build-fuzz/"; exit 1; fi; \
	done

# The test command README.md gives. Tests find programs through BIN and unit
# test binaries through TBIN, so the same scripts run the ASan build.
test: all units
	BIN=$(CURDIR)/$(BUILD)/bin TBIN=$(CURDIR)/$(BUILD)/tests sh tests/run.sh

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" test

# The text-in, text-out pipeline on a default model (MODEL=any.gguf).
demo: all
	sh examples/demo.sh "$(MODEL)" "$(PROMPT)"

# Every tests/bench/*.sh prints its own table (tokenizer, inference, quantizer).
bench: all
	@for s in tests/bench/*.sh; do echo "== $$s"; sh $$s || exit 1; done

install: all $(LIBCORE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/llm
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5)
	$(if $(MAN7),install -m 644 $(MAN7) $(DESTDIR)$(PREFIX)/share/man/man7)
	install -m 644 $(LIBCORE) $(DESTDIR)$(PREFIX)/lib
	install -m 644 lib/*.h $(DESTDIR)$(PREFIX)/include/llm
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' llmcore.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/llmcore.pc

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all units test asan bench demo fuzz install clean
.PRECIOUS: $(BUILD)/%.o
