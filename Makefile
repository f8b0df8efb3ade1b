# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
#   make run     install what is missing, build, run the agent (live events)
#   make test    install what is missing, build, run every test:
#                unit, end-to-end on this kernel, and the kernel matrix (VMs)
#   make bench   the benchmarks, written to docs/BENCHMARKS.md

BUILD    ?= build
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= cc
Q        := $(if $(V),,@)

ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes
CFLAGS   ?= -O2 -g
PG_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD) $(CFLAGS)
LDLIBS   := -lbpf -lelf -lz

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS    := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(LIB_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRCS))

.PHONY: all deps run test test-unit test-e2e test-kernels bench check clean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/penguard

deps:
	$(Q)sh scripts/deps.sh build

# vmlinux.h comes from the build host's BTF; CO-RE relocates at load time,
# so one build runs on every kernel with BTF (5.10 … 6.18 are tested).
$(BUILD)/vmlinux.h:
	$(Q)mkdir -p $(@D)
	$(Q)test -r /sys/kernel/btf/vmlinux || { echo "penguard: the build needs /sys/kernel/btf/vmlinux (a kernel with CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/penguard/events.h $(BUILD)/vmlinux.h
	@echo "  BPF     $@"
	$(Q)$(CLANG) -g -O2 -target bpf -Wall -Werror -Wno-gnu-variable-sized-type-not-at-end -D__TARGET_ARCH_$(ARCH) \
		-Iinclude -I$(BUILD) -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(BUILD)/src/%.o: src/%.c $(wildcard src/*.h) include/penguard/events.h $(SKELS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(PG_CFLAGS) -c $< -o $@

$(BUILD)/penguard: $(BUILD)/src/main.o $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# Unit tests link the agent's modules, not the binary.
$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PG_CFLAGS) $^ $(LDLIBS) -lcmocka -o $@

# Test workloads are static, so the VM initramfs needs no libc for them.
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static $< -o $@

run: deps $(BUILD)/penguard
	$(Q)test "$$(id -u)" = 0 || { echo "penguard: run as root (it loads BPF programs)" >&2; exit 1; }
	$(BUILD)/penguard run $(ARGS)

test:
	$(Q)sh scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory check all tests
	$(Q)BUILD=$(BUILD) KERNELS="$(KERNELS)" sh tests/run-all.sh

tests: $(UNIT_BINS) $(HELPER_BINS)

test-unit: $(UNIT_BINS)
	$(Q)sh tests/unit/run.sh $(UNIT_BINS)

test-e2e: $(BUILD)/penguard $(HELPER_BINS)
	$(Q)PENGUARD=$(BUILD)/penguard PG_HELPERS=$(BUILD)/tests/helpers sh tests/e2e/run.sh

# One kernel alone: make test-kernels KERNELS=6.1
test-kernels: $(BUILD)/penguard $(HELPER_BINS)
	$(Q)bash tests/vm/run.sh $(KERNELS)

bench: $(BUILD)/penguard
	$(Q)sh scripts/deps.sh bench
	$(Q)bash bench/run.sh

check:
	$(Q)clang-format --dry-run -Werror src/*.c src/*.h bpf/*.c bpf/*.h include/penguard/*.h \
		$(wildcard tests/unit/*.c) tests/helpers/*.c bench/*.c

clean:
	rm -rf $(BUILD)
