// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for the host sensor's decoding (src/sensors/host.c): call
 * names, the privilege_escalation flag, which namespaces changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "policy.h"
#include "sensors/host.h"
#include "syscall_names.h"

#define CAP_NET_RAW (1ULL << 13)
#define CAP_SYS_ADMIN (1ULL << 21)

static void test_host_op_name_known_and_unknown(void **state)
{
	(void)state;
	assert_string_equal(pg_host_op_name(PG_HOST_OP_SETRESUID), "setresuid");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_CAPSET), "capset");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_CLONE), "clone");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_EXECVEAT), "execveat");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_MOVE_MOUNT), "move_mount");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_MOUNT_SETATTR), "mount_setattr");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_UNWATCHED), "none");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_COMMITTED), "none");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_NONE), "unknown");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_MAX), "unknown");
	assert_string_equal(pg_host_op_name(60000), "unknown");
}

/* The names responders read next to a change's system call number (x86-64 builds). */
static void test_host_syscall_names(void **state)
{
	(void)state;
#if defined(__x86_64__)
	assert_string_equal(pg_syscall_name(16, false), "ioctl");
	assert_string_equal(pg_syscall_name(117, false), "setresuid");
	assert_string_equal(pg_syscall_name(208, true), "setresuid32");
	assert_string_equal(pg_syscall_name(54, true), "ioctl");
#endif
	assert_null(pg_syscall_name(-1, false));
	assert_null(pg_syscall_name(100000, false));
	assert_null(pg_syscall_name(100000, true));
}

static void test_host_escalation_uid_zero(void **state)
{
	struct pg_creds b = { .uid = 1000, .euid = 1000, .suid = 0 }, a = b;

	(void)state;
	assert_false(pg_host_escalation(&b, &a));
	a.euid = 0;
	assert_true(pg_host_escalation(&b, &a));
	a = b;
	a.uid = 0;
	assert_true(pg_host_escalation(&b, &a));
	/* dropping root is not an escalation */
	b.uid = b.euid = 0;
	a.uid = a.euid = 1000;
	assert_false(pg_host_escalation(&b, &a));
	/* a saved uid of 0 alone gives nothing yet */
	b.uid = b.euid = a.uid = a.euid = 1000;
	b.suid = 1000;
	a.suid = 0;
	assert_false(pg_host_escalation(&b, &a));
}

static void test_host_escalation_caps(void **state)
{
	struct pg_creds b = { .uid = 1000, .euid = 1000, .cap_permitted = CAP_NET_RAW }, a = b;

	(void)state;
	/* raising a permitted capability into the effective set: held already */
	a.cap_effective = CAP_NET_RAW;
	assert_false(pg_host_escalation(&b, &a));
	/* a capability it had nowhere */
	a.cap_permitted |= CAP_SYS_ADMIN;
	assert_true(pg_host_escalation(&b, &a));
	/* dropping one */
	a = b;
	a.cap_permitted = 0;
	assert_false(pg_host_escalation(&b, &a));
	/* the inheritable set alone gives no privilege */
	a = b;
	a.cap_inheritable = CAP_SYS_ADMIN;
	assert_false(pg_host_escalation(&b, &a));
}

static void test_host_exec_grants(void **state)
{
	struct pg_creds b = { .uid = 65534,
			      .euid = 65534,
			      .suid = 65534,
			      .gid = 65534,
			      .egid = 65534 },
			a = b;
	struct pg_file_info f = { .uid = 0, .gid = 0, .mode = 0100755 };
	bool esc = true;

	(void)state;
	/* a plain file grants nothing, and nothing changed */
	assert_int_equal(pg_host_exec_grants(&b, &a, &f, &esc), 0);
	assert_false(esc);
	/* a set-user-ID root file: euid 0 and root's capabilities, explained */
	f.mode |= S_ISUID;
	a.euid = a.suid = a.fsuid = 0;
	a.cap_permitted = a.cap_effective = CAP_SYS_ADMIN | CAP_NET_RAW;
	assert_int_equal(pg_host_exec_grants(&b, &a, &f, &esc), PG_HOST_GRANT_SETUID);
	assert_false(esc);
	/* euid 0 from a file that is not set-user-ID: an escalation */
	f.mode &= ~S_ISUID;
	assert_int_equal(pg_host_exec_grants(&b, &a, &f, &esc), 0);
	assert_true(esc);
	/* a set-user-ID file of another owner does not explain euid 0 */
	f.mode |= S_ISUID;
	f.uid = 1000;
	pg_host_exec_grants(&b, &a, &f, &esc);
	assert_true(esc);
	/* nor does any file explain a real uid of 0 */
	f.uid = 0;
	a.uid = 0;
	pg_host_exec_grants(&b, &a, &f, &esc);
	assert_true(esc);
	/* capabilities a non-root process gained: the file's own */
	a = b;
	f.mode = 0100755;
	a.cap_permitted = CAP_NET_RAW;
	assert_int_equal(pg_host_exec_grants(&b, &a, &f, &esc), PG_HOST_GRANT_CAPS);
	assert_false(esc);
	/* set-group-ID: only with group execute (else it is mandatory locking) */
	a = b;
	a.egid = 50;
	f.gid = 50;
	f.mode = 0102755;
	assert_int_equal(pg_host_exec_grants(&b, &a, &f, &esc), PG_HOST_GRANT_SETGID);
	f.mode = 0102745;
	assert_int_equal(pg_host_exec_grants(&b, &a, &f, &esc), 0);
	assert_false(esc);
}

static void test_host_ns_changed_lists_in_order(void **state)
{
	struct pg_namespaces b = { .mnt = 1, .pid = 2, .net = 3, .user = 4, .uts = 5 }, a = b;
	const char *names[10];

	(void)state;
	assert_int_equal(pg_host_ns_changed(&b, &a, names, 10), 0);
	a.user = 40;
	a.uts = 50;
	a.mnt = 10;
	assert_int_equal(pg_host_ns_changed(&b, &a, names, 10), 3);
	assert_string_equal(names[0], "uts");
	assert_string_equal(names[1], "mnt");
	assert_string_equal(names[2], "user");
	/* bounded by the caller's room */
	assert_int_equal(pg_host_ns_changed(&b, &a, names, 1), 1);
	assert_string_equal(names[0], "uts");
}

/* /proc/sys paths as sysctl(8) names them, and a dot in a component kept apart. */
static void test_host_sysctl_name(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(pg_host_sysctl_name("kernel/domainname", 256, out, sizeof(out)), 17);
	assert_string_equal(out, "kernel.domainname");
	pg_host_sysctl_name("net/ipv4/conf/eth0.100/forwarding", 256, out, sizeof(out));
	assert_string_equal(out, "net.ipv4.conf.eth0/100.forwarding");
	/* bounded by the record's field and by the output, always terminated */
	assert_int_equal(pg_host_sysctl_name("vm/swappiness", 2, out, sizeof(out)), 2);
	assert_string_equal(out, "vm");
	assert_int_equal(pg_host_sysctl_name("kernel/domainname", 256, out, 7), 6);
	assert_string_equal(out, "kernel");
}

static void test_host_kind_names_round_trip(void **state)
{
	char buf[32];
	unsigned k;

	(void)state;
	for (k = 1; k < PG_HOST_KINDS; k++)
		assert_int_equal(pg_policy_host_kind(pg_policy_host_kind_name(k)), k);
	assert_string_equal(pg_policy_host_kind_name(PG_HOST_KIND_PROCESS_VM_WRITE),
			    "process_vm_write");
	assert_string_equal(pg_policy_host_kind_name(PG_HOST_KINDS), "unknown");
	assert_int_equal(pg_policy_host_kind("unknown"), -ENOENT);
	assert_int_equal(pg_policy_host_kind(""), -ENOENT);
	assert_string_equal(pg_host_prog_type_name(1, buf), "socket_filter");
	assert_string_equal(pg_host_prog_type_name(29, buf), "lsm");
	assert_string_equal(pg_host_prog_type_name(1000, buf), "type_1000");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_UMOUNT), "umount2");
	assert_string_equal(pg_host_op_name(PG_HOST_OP_PROCESS_VM_WRITEV), "process_vm_writev");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_op_name_known_and_unknown),
		cmocka_unit_test(test_host_syscall_names),
		cmocka_unit_test(test_host_escalation_uid_zero),
		cmocka_unit_test(test_host_escalation_caps),
		cmocka_unit_test(test_host_exec_grants),
		cmocka_unit_test(test_host_ns_changed_lists_in_order),
		cmocka_unit_test(test_host_kind_names_round_trip),
		cmocka_unit_test(test_host_sysctl_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
