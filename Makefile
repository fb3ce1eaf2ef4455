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

units: $(UNITS)

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
	rm -rf build build-asan

.PHONY: all units test asan bench demo install clean
.SECONDARY:
