// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>

#include "caps.h"
#include "json.h"
#include "util.h"

/* From include/uapi/linux/capability.h; the numbers are ABI. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"DAC_OVERRIDE", /* sic: Tetragon prints bit 1 without the prefix; jq filters expect it */
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *pg_cap_name(unsigned bit)
{
	return bit < PG_ARRAY_SIZE(cap_names) ? cap_names[bit] : NULL;
}

/*
 * Nearly every process holds one of a handful of sets (none, all, a
 * service's few), so the rendered array is kept for the last few sets:
 * 40 names, twice per process, were the agent's largest per-event cost.
 */
#define PG_CAPS_MEMO 8

static struct {
	uint64_t caps;
	char *json;
	size_t len;
} memo[PG_CAPS_MEMO];
static unsigned memo_next;

static void caps_render(struct pg_json *w, uint64_t caps)
{
	unsigned bit;

	pg_json__begin_array(w);
	for (bit = 0; bit < 64; bit++) {
		const char *name;
		char tmp[16];

		if (!(caps & (1ULL << bit)))
			continue;
		name = pg_cap_name(bit);
		if (!name) {
			snprintf(tmp, sizeof(tmp), "CAP_%u", bit);
			name = tmp;
		}
		pg_json__string(w, name);
	}
	pg_json__end_array(w);
}

void pg_caps_json(struct pg_json *w, uint64_t caps)
{
	struct pg_buf b;
	struct pg_json *tmp;
	unsigned i;

	for (i = 0; i < PG_CAPS_MEMO; i++) {
		if (memo[i].json && memo[i].caps == caps) {
			pg_json__raw(w, memo[i].json, memo[i].len);
			return;
		}
	}
	pg_buf_init(&b);
	tmp = pg_json__new(&b);
	if (tmp)
		caps_render(tmp, caps);
	pg_json__free(tmp);
	if (!tmp || b.failed || !b.len) {
		pg_buf_free(&b);
		caps_render(w, caps); /* no memory for the memo: render in place */
		return;
	}
	i = memo_next++ % PG_CAPS_MEMO;
	free(memo[i].json);
	memo[i].caps = caps;
	memo[i].json = b.data; /* the memo owns it now */
	memo[i].len = b.len;
	pg_json__raw(w, memo[i].json, memo[i].len);
}
