/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every sensor object shares: the one ring buffer all events go
 * through (so they stay ordered), the per-CPU counters that make every
 * loss visible, and the submit path with its wakeup policy.
 *
 * Each sensor family is its own BPF object; the agent creates these maps
 * once and hands the same file descriptors to every object
 * (bpf_map__reuse_fd), so "one ring buffer" holds across objects.
 */
#ifndef PENGUARD_COMMON_BPF_H
#define PENGUARD_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <penguard/events.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Sized by the agent before load (--ringbuf-size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} pg_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_stats);
} pg_stats SEC(".maps");

/*
 * Waking the consumer costs 1.2-5.8 us per wakeup on the reference host,
 * against ~0.1 us for the write itself, so records are submitted without a
 * wakeup. The consumer is woken only when the unread data crosses this
 * watermark; below it, the agent's flush timer bounds the latency.
 * Set by the agent; 0 means "wake on every record" (debugging only).
 */
const volatile __u64 pg_wakeup_bytes = 256 << 10;

static __always_inline struct pg_stats *pg_stats_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pg_stats, &zero);
}

static __always_inline void pg_count_error(enum pg_error err)
{
	struct pg_stats *s = pg_stats_get();

	if (s && err < PG_ERR_MAX)
		__sync_fetch_and_add(&s->errors[err], 1);
}

static __always_inline void pg_count(__u16 type, int ok)
{
	struct pg_stats *s = pg_stats_get();

	if (!s || type >= PG_EVENT_MAX)
		return;
	if (ok)
		__sync_fetch_and_add(&s->emitted[type], 1);
	else
		__sync_fetch_and_add(&s->lost[type], 1);
}

static __always_inline __u64 pg_wakeup_flags(__u32 size)
{
	__u64 avail;

	if (!pg_wakeup_bytes)
		return 0;
	/* Wake once, when this record makes the backlog cross the mark. */
	avail = bpf_ringbuf_query(&pg_events, BPF_RB_AVAIL_DATA);
	if (avail < pg_wakeup_bytes && avail + size >= pg_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * Copy a record built in scratch memory into the ring buffer. Variable
 * sized events (paths, argv) are built elsewhere and copied once, rather
 * than reserving the worst case in the ring for every event.
 */
static __always_inline int pg_output(void *rec, __u32 size)
{
	struct pg_event_header *hdr = rec;
	long err;

	hdr->size = size;
	err = bpf_ringbuf_output(&pg_events, rec, size, pg_wakeup_flags(size));
	pg_count(hdr->type, err == 0);
	return err;
}

#endif /* PENGUARD_COMMON_BPF_H */
