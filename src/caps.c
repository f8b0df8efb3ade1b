// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>

#include "caps.h"
#include "json.h"
#include "util.h"

/* From include/uapi/linux/capability.h; the numbers are ABI. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
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

void pg_caps_json(struct pg_json *w, uint64_t caps)
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
