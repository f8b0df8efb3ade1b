# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
#   make run     install what is missing, build, run the agent (live events)
#   make test    install what is missing, build, run every test:
#                unit, end-to-end on this kernel, and the kernel matrix (VMs)
#   make bench   the benchmarks, written to docs/BENCHMARKS.md
#   make test-fresh  the README's set-up on a new minimal Debian 12 (chroot)

BUILD    ?= build
CLANG    ?= clang
CC       ?= cc
Q        := $(if $(V),,@)
# bpftool lives in /usr/sbin, which a plain user PATH (/usr/bin:/bin) lacks
BPFTOOL  ?= $(or $(shell PATH="$$PATH:/usr/sbin:/sbin" command -v bpftool),bpftool)

ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
# vmlinux.h is committed per architecture (bpf/vmlinux/<arch>/vmlinux.h),
# generated once with `make vmlinux`: the build does not depend on the
# build host's kernel, and CO-RE relocates at load time.
VMLINUX  := bpf/vmlinux/$(ARCH)/vmlinux.h
WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes
CFLAGS   ?= -O2 -g
# a root daemon that parses hostile input
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDEN := -pie -Wl,-z,relro,-z,now
PG_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD) $(HARDEN) $(CFLAGS) -MMD -MP
LDLIBS   := -lbpf -lelf -lz -lyaml

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS    := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c src/sensors/*.c))
POLICIES := $(sort $(wildcard policies/*.yaml))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/src/%.o,$(LIB_SRCS)) $(BUILD)/src/builtin_policies.o \
	$(BUILD)/src/syscall_names.o

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRCS))

.PHONY: all deps run test tests test-unit test-e2e test-kernels test-fresh bench check clean vmlinux fuzz FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/penguard

deps:
	$(Q)sh scripts/deps.sh build

# Regenerate the committed vmlinux.h from this host's BTF (rarely: when a
# sensor needs a type the committed one lacks).
vmlinux:
	$(Q)mkdir -p $(dir $(VMLINUX))
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX)

# Build output goes to stderr: `make run | jq` must see events only.
$(BUILD)/%.bpf.o: bpf/%.bpf.c $(VMLINUX)
	@mkdir -p $(@D)
	@echo "  BPF     $@" >&2
	$(Q)$(CLANG) -g -O2 -target bpf -Wall -Werror -Wno-gnu-variable-sized-type-not-at-end -D__TARGET_ARCH_$(ARCH) \
		-Iinclude -I$(dir $(VMLINUX)) -MMD -MP -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	@echo "  SKEL    $@" >&2
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(BUILD)/src/%.o: src/%.c $(SKELS)
	@mkdir -p $(@D)
	@echo "  CC      $@" >&2
	$(Q)$(CC) $(PG_CFLAGS) -c $< -o $@

# The built-in policies, embedded (make run loads them; --no-default-policies drops them).
# The list itself is a prerequisite: a deleted policy must leave the agent too.
$(BUILD)/policies.list: FORCE
	@mkdir -p $(@D)
	@echo '$(POLICIES)' | cmp -s - $@ || echo '$(POLICIES)' > $@

$(BUILD)/src/builtin_policies.c: $(POLICIES) $(BUILD)/policies.list scripts/embed-policies.sh
	@mkdir -p $(@D)
	$(Q)sh scripts/embed-policies.sh $(POLICIES) > $@

$(BUILD)/src/builtin_policies.o: $(BUILD)/src/builtin_policies.c
	$(Q)$(CC) $(PG_CFLAGS) -Wno-missing-prototypes -c $< -o $@

# System call names by number, from this machine's UAPI headers.
$(BUILD)/src/syscall_names.c: scripts/syscall-names.sh
	@mkdir -p $(@D)
	$(Q)sh scripts/syscall-names.sh $(ARCH) "$(CC)" > $@

$(BUILD)/src/syscall_names.o: $(BUILD)/src/syscall_names.c
	$(Q)$(CC) $(PG_CFLAGS) -c $< -o $@

$(BUILD)/penguard: $(BUILD)/src/main.o $(LIB_OBJS)
	@echo "  LD      $@" >&2
	$(Q)$(CC) $(CFLAGS) $(LDHARDEN) $^ $(LDLIBS) -o $@

# Unit tests link the agent's modules, not the binary.
$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PG_CFLAGS) $(LDHARDEN) $^ $(LDLIBS) -lcmocka -o $@

# Test workloads are static, so the VM initramfs needs no libc for them.
$(BUILD)/tests/helpers/%: tests/helpers/%.c $(wildcard tests/helpers/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static $< -o $@

# Only events reach stdout: `make run | jq .` works.
run: deps
	@$(MAKE) --no-print-directory all >&2
	@test "$$(id -u)" = 0 || { echo "penguard: run as root (it loads BPF programs)" >&2; exit 1; }
	@exec $(BUILD)/penguard run $(ARGS)

test:
	$(Q)sh scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory check all tests
	$(Q)BUILD=$(BUILD) KERNELS="$(KERNELS)" sh tests/run-all.sh

tests: $(UNIT_BINS) $(HELPER_BINS) $(BUILD)/fuzz/fuzz_records $(BUILD)/fuzz/fuzz_policy

test-unit: $(UNIT_BINS)
	$(Q)sh tests/unit/run.sh $(UNIT_BINS)

test-e2e: $(BUILD)/penguard $(HELPER_BINS)
	$(Q)PENGUARD=$(BUILD)/penguard PG_HELPERS=$(BUILD)/tests/helpers sh tests/e2e/run.sh

# One kernel alone: make test-kernels KERNELS=6.1
test-kernels: $(BUILD)/penguard $(HELPER_BINS)
	$(Q)bash tests/vm/run.sh $(KERNELS)

# The user-space pipeline alone, replaying recorded records (bench/run.sh).
$(BUILD)/bench/pipeline: bench/pipeline.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PG_CFLAGS) $(LDHARDEN) $^ $(LDLIBS) -o $@

# The JSON writer alone (bench/json_bench.c).
$(BUILD)/bench/json_bench: bench/json_bench.c $(BUILD)/src/json.o $(BUILD)/src/util.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(PG_CFLAGS) $(LDHARDEN) $^ -o $@

# libFuzzer target over every decoder and renderer: the sources rebuilt
# with clang's coverage and sanitizers (tests/fuzz/run.sh runs it, bounded).
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(BUILD)/fuzz/fuzz_records: tests/fuzz/fuzz_records.c $(LIB_SRCS) $(SKELS) $(BUILD)/src/builtin_policies.c \
		$(BUILD)/src/syscall_names.c
	@mkdir -p $(@D)
	@echo "  FUZZ    $@" >&2
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/fuzz_records.c $(LIB_SRCS) $(BUILD)/src/builtin_policies.c \
		$(BUILD)/src/syscall_names.c $(LDLIBS) -o $@

$(BUILD)/fuzz/fuzz_policy: tests/fuzz/fuzz_policy.c src/policy.c src/policy.h src/policy_compile.c src/policy_files.c
	@mkdir -p $(@D)
	@echo "  FUZZ    $@" >&2
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/fuzz_policy.c src/policy.c src/policy_compile.c src/policy_files.c -lyaml -o $@

fuzz: $(BUILD)/fuzz/fuzz_records $(BUILD)/fuzz/fuzz_policy

bench: $(BUILD)/penguard $(BUILD)/bench/pipeline
	$(Q)sh scripts/deps.sh bench
	$(Q)bash bench/run.sh

# The README's set-up on a new minimal Debian 12 (debootstrap minbase + git,
# in a chroot): its prerequisite line, make run (live events), unit tests.
# Tests the committed HEAD. Needs root and the Debian archive; CI runs it.
test-fresh:
	$(Q)bash scripts/test-fresh.sh "$(CURDIR)"

check:
	$(Q)clang-format --dry-run -Werror src/*.c src/*.h src/sensors/*.c bpf/*.c bpf/lib/*.h include/penguard/*.h \
		$(wildcard tests/unit/*.c) tests/helpers/*.c $(wildcard tests/helpers/*.h) tests/fuzz/*.c bench/*.c bench/*.h

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/*.d $(BUILD)/src/*.d $(BUILD)/src/sensors/*.d $(BUILD)/tests/unit/*.d)

FORCE:
