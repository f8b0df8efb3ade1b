/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The maps every sensor object shares. The agent creates each of them once
 * (src/bpf_shared.c holds the one list of names, types and sizes) and every
 * object reuses the same file descriptors, whichever loads first: so "one
 * process map" and "one stats map" hold across objects, and no sensor owns
 * what the others depend on.
 *
 * Two ring buffers: process lifecycle records (exec, exit, fork) have their
 * own, so that a burst of file or network events can never crowd out the
 * records the agent's process cache depends on; the agent drains that ring
 * first, so every other event finds its process already cached.
 */
#ifndef PENGUARD_LIB_MAPS_BPF_H
#define PENGUARD_LIB_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <penguard/events.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Sizes here are placeholders: the agent creates the real maps. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} pg_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} pg_proc_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_stats);
} pg_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_runtime_config);
} pg_config SEC(".maps");

/*
 * tgid -> CLOCK_MONOTONIC time of the process's last exec (or fork): the
 * second half of its key; a process absent from the map is keyed by its
 * group leader's fork time, which every event computes the same way.
 * Every process has an entry: inserted at fork and by the seeding
 * iterator, updated in place at exec, deleted at exit, where the delete
 * that succeeds claims the one process_exit. A plain preallocated hash,
 * not LRU: an LRU update costs several times more, and entries must not
 * vanish under us. If it ever fills (counted: procs_map), those processes
 * fall back to the fork-time key and their exits to signal->live, and the
 * agent drops the rare duplicate exit that allows.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct pg_proc_state);
} pg_procs SEC(".maps");

#endif /* PENGUARD_LIB_MAPS_BPF_H */
