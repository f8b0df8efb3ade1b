/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Counting and submitting: every record written or lost and every helper
 * failure ends up in the per-CPU stats map, so no loss is silent.
 */
#ifndef PENGUARD_LIB_SUBMIT_BPF_H
#define PENGUARD_LIB_SUBMIT_BPF_H

#include "maps.bpf.h"

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

/* Only if the agent's config map cannot be read (never expected: counted). */
const volatile struct pg_runtime_config pg_config_default = {
	.wakeup_bytes = 64 << 10,
	.max_args = PG_ARGS_DEFAULT,
	.cgroup_subsys = PG_CGROUP_DFL,
};

/* The agent fills the entry before attaching; defaults only if that failed. */
static __always_inline const struct pg_runtime_config *pg_config_get(void)
{
	__u32 zero = 0;
	const struct pg_runtime_config *c = bpf_map_lookup_elem(&pg_config, &zero);

	if (c)
		return c;
	pg_count_error(PG_ERR_CONFIG);
	return (const struct pg_runtime_config *)&pg_config_default;
}

/*
 * Waking the consumer costs 1.2-5.8 us per wakeup on the reference host,
 * against ~0.1 us for the write itself, so records are submitted without a
 * wakeup. The consumer is woken only when the unread data crosses the
 * watermark; below it, the agent's flush timer bounds the latency.
 */
static __always_inline __u64 pg_wakeup_flags(void *ring, __u32 size)
{
	__u64 mark = pg_config_get()->wakeup_bytes, avail;

	if (!mark)
		return 0;
	/* Wake once, when this record makes the backlog cross the mark. */
	avail = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
	if (avail < mark && avail + size >= mark)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * Copy a record built in scratch memory into @ring. Variable-sized events
 * (paths, argv) are built elsewhere and copied once, rather than reserving
 * the worst case in the ring for every event.
 */
static __always_inline int pg_output_to(void *ring, void *rec, __u32 size)
{
	struct pg_event_header *hdr = rec;
	long err;

	hdr->size = size;
	err = bpf_ringbuf_output(ring, rec, size, pg_wakeup_flags(ring, size));
	pg_count(hdr->type, err == 0);
	return err;
}

/* Every sensor's events but the process lifecycle go through pg_events. */
static __always_inline int pg_output(void *rec, __u32 size)
{
	return pg_output_to(&pg_events, rec, size);
}

#endif /* PENGUARD_LIB_SUBMIT_BPF_H */
