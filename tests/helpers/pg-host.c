// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pg-host: the host sensor's workloads in the end-to-end tests, one static
 * binary with no dependency beyond libc (the test VMs have only busybox).
 * Raw syscalls throughout: libc's set*id wrappers broadcast to every
 * thread, which a single-threaded helper does not need, and capset has
 * no wrapper without libcap.
 *
 *   creds UID
 *       from root: setresgid(UID, UID, UID), setresuid(UID, UID, 0) (keeps
 *       root as saved uid), setresuid(0, 0, 0) (back to root: a privilege
 *       escalation), capset dropping CAP_NET_RAW, setgroups(UID, UID + 1),
 *       setfsuid(UID). Prints "pid=P" first
 *       and "ok" at the end; exits non-zero at the first failure.
 *   newuts
 *       clone(CLONE_NEWUTS) a child that exits at once; prints "pid=P child=C".
 *   mount DIR
 *       in a new mount namespace (private): mount a tmpfs "pgtmp" on DIR
 *       (size=1m), then umount2 it. Prints "pid=P".
 *   calls
 *       host changes that fail or change nothing, harmless on any host:
 *       clock_settime(CLOCK_MONOTONIC) (EINVAL), adjtimex reading only
 *       (modes 0: not a change), swapoff("/nonexistent-pg") (ENOENT),
 *       reboot with no magic (EINVAL), chroot("/") (0),
 *       pivot_root("/nonexistent-pg", "/nonexistent-pg") (ENOENT).
 *       Prints "pid=P".
 *   bpfload
 *       bpf(BPF_PROG_LOAD) of a socket filter "pg_host_test" returning 0;
 *       prints "pid=P ret=R" (the fd, or -errno).
 *   trace PID
 *       PTRACE_ATTACH to PID, wait for its stop, detach. Prints "pid=P".
 *   vmwrite PID ADDR
 *       process_vm_writev of 1 byte at ADDR (hex) in PID (a failure, EFAULT
 *       when ADDR is not mapped, is still the call). Prints "pid=P ret=R".
 *   target
 *       prints "pid=P addr=A" (a writable byte), then sleeps until killed.
 *   modcalls
 *       the module calls, each refused and harmless: init_module of 16
 *       zero bytes (not an ELF: ENOEXEC), finit_module of /dev/null
 *       (EINVAL or ENOEXEC) with arguments "pg_arg=1", delete_module of
 *       "pg_no_such_mod" (ENOENT); then a socket of IP protocol 253, which
 *       no module provides, so the kernel requests one (request_module
 *       "net-pf-2-proto-253-type-2"; EPROTONOSUPPORT). Prints "pid=P".
 *   kexec
 *       the kexec calls, each refused before it reads or changes anything
 *       (a loaded crash kernel stays loaded): kexec_load with
 *       KEXEC_ON_CRASH and 17 segments, one more than the kernel takes
 *       (EINVAL), kexec_file_load(-1, -1) with command line "pg_arg=1"
 *       and an undefined flag (EINVAL). Prints "pid=P".
 *   fileless memfd|deleted
 *       runs a copy of /bin/true that has no name on any file system: from
 *       a memfd, or from a file unlinked after it was opened (fexecve).
 *       Prints "pid=P" first: the exec keeps the pid.
 *   newmount DIR
 *       in a new mount namespace (private), the new mount API: fsopen
 *       "tmpfs", fsconfig "size"="1m" and FSCONFIG_CMD_CREATE, fsmount with
 *       MOUNT_ATTR_NODEV, move_mount onto DIR, open_tree(DIR,
 *       OPEN_TREE_CLONE), mount_setattr(DIR) setting MOUNT_ATTR_RDONLY
 *       (ENOSYS before 5.12: skipped), umount2(DIR). Prints "pid=P".
 *   modload FILE NAME
 *       finit_module of FILE, a real module, then delete_module(NAME).
 *       Prints "pid=P".
 *   filecap FILE
 *       gives FILE the file capability CAP_NET_RAW, permitted and
 *       effective (the xattr setcap writes: no libcap here). Exits 3 when
 *       the file system keeps no security xattrs.
 *   setid UID
 *       setgroups([UID]), then setresuid(UID, UID, UID), in this process.
 *       Prints "pid=P", then "setgroups=R/E setresuid=R/E uid=U": each
 *       call's return and errno, and the real uid after.
 *   compat UID fork|exec|exit|drop
 *       in a child: setresuid(UID, UID, 0) (a watched call), then back to
 *       root through the 32-bit compat entry (int $0x80, setresuid32),
 *       which the syscall tracepoints do not see, then a fork (a child
 *       that exits at once) or an exec of itself, where the host sensor
 *       compares, or an exit (only commit_creds() sees the change).
 *       "drop": setresuid32(UID, UID, 0) by int $0x80 alone, then exit.
 *       Prints "pid=P" of that child, then "compat=R" (the call's
 *       return); "compat=none" and exit 3 when int $0x80 faults (no IA32
 *       emulation); "killed" and exit 4 when the child was killed
 *       (SIGKILL) before it printed.
 *   compat-exec UID FILE
 *       in a child: setresgid and setresuid to UID (watched calls), then
 *       FILE exit 0 through the 32-bit execve (int $0x80), whose names
 *       and argument vector must lie below 4 GiB. Prints "pid=P" of that
 *       child; "compat=none" and exit 3 when int $0x80 faults (no IA32
 *       emulation); otherwise the child's status (FILE's: 0).
 *   sysctl VALUE [wait]
 *       in a new UTS namespace (only its own domain name changes), writes
 *       VALUE to /proc/sys/kernel/domainname. Prints "pid=P old=O" first,
 *       then "write=0" or "write=-ERRNO", and "now=N", the value read
 *       back; with "wait", then sleeps up to 10 s (for a kill to land).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <time.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>

static int fail(const char *what)
{
	fprintf(stderr, "pg-host: %s: %s\n", what, strerror(errno));
	return 1;
}

static int creds(unsigned uid)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	gid_t groups[2] = { uid, uid + 1 };

	printf("pid=%d\n", getpid());
	fflush(stdout);
	if (syscall(SYS_setresgid, uid, uid, uid))
		return fail("setresgid");
	if (syscall(SYS_setresuid, uid, uid, 0))
		return fail("setresuid(uid, uid, 0)");
	if (syscall(SYS_setresuid, 0, 0, 0))
		return fail("setresuid(0, 0, 0)");
	if (syscall(SYS_capget, &hdr, data))
		return fail("capget");
	data[CAP_NET_RAW / 32].effective &= ~(1U << (CAP_NET_RAW % 32));
	data[CAP_NET_RAW / 32].permitted &= ~(1U << (CAP_NET_RAW % 32));
	if (syscall(SYS_capset, &hdr, data))
		return fail("capset");
	if (syscall(SYS_setgroups, 2, groups))
		return fail("setgroups");
	/* setfsuid returns the previous fsuid, never an error */
	syscall(SYS_setfsuid, uid);
	printf("ok\n");
	return 0;
}

static int trace(pid_t pid)
{
	int status;

	printf("pid=%d\n", getpid());
	fflush(stdout);
	if (ptrace(PTRACE_ATTACH, pid, 0, 0))
		return fail("PTRACE_ATTACH");
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	if (ptrace(PTRACE_DETACH, pid, 0, 0))
		return fail("PTRACE_DETACH");
	return 0;
}

static int vmwrite(pid_t pid, unsigned long addr)
{
	char byte = 'x';
	struct iovec local = { &byte, 1 }, remote = { (void *)addr, 1 };
	long ret = syscall(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0);

	printf("pid=%d ret=%ld\n", getpid(), ret < 0 ? -errno : ret);
	return 0;
}

static int newuts(void)
{
	long child = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);

	if (child < 0)
		return fail("clone(CLONE_NEWUTS)");
	if (child == 0)
		_exit(0);
	printf("pid=%d child=%ld\n", getpid(), child);
	return waitpid(child, NULL, 0) < 0 ? fail("waitpid") : 0;
}

/* Prints "pid=P", then enters a mount namespace of its own, private: 0 or fail()'s. */
static int private_mount_ns(void)
{
	printf("pid=%d\n", getpid());
	fflush(stdout);
	if (unshare(CLONE_NEWNS))
		return fail("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return fail("mount(MS_PRIVATE)");
	return 0;
}

static int do_mount(const char *dir)
{
	if (private_mount_ns())
		return 1;
	if (mount("pgtmp", dir, "tmpfs", 0, "size=1m"))
		return fail("mount(tmpfs)");
	if (umount2(dir, 0))
		return fail("umount2");
	return 0;
}

static int calls(void)
{
	struct timespec ts = { 0 };
	struct timex tx = { .modes = 0 };

	printf("pid=%d\n", getpid());
	fflush(stdout);
	syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts);
	syscall(SYS_adjtimex, &tx);
	syscall(SYS_swapoff, "/nonexistent-pg");
	syscall(SYS_reboot, 0, 0, 0, 0);
	if (syscall(SYS_chroot, "/"))
		return fail("chroot");
	syscall(SYS_pivot_root, "/nonexistent-pg", "/nonexistent-pg");
	return 0;
}

static int bpfload(void)
{
	/* r0 = 0; exit */
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	long ret;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t) "GPL";
	strcpy(attr.prog_name, "pg_host_test");
	ret = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	printf("pid=%d ret=%ld\n", getpid(), ret < 0 ? -errno : ret);
	return 0;
}

static int modcalls(void)
{
	static const char image[16];
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	printf("pid=%d\n", getpid());
	fflush(stdout);
	syscall(SYS_init_module, image, sizeof(image), "pg_arg=1");
	if (fd >= 0)
		syscall(SYS_finit_module, fd, "pg_arg=1", 0);
	syscall(SYS_delete_module, "pg_no_such_mod", O_NONBLOCK);
	/* no module provides IP protocol 253 (RFC 3692, experiments): the kernel asks for one */
	fd = socket(AF_INET, SOCK_DGRAM, 253);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int kexec(void)
{
	static const char cmdline[] = "pg_arg=1";

	printf("pid=%d\n", getpid());
	fflush(stdout);
	syscall(SYS_kexec_load, 0UL, 17UL, NULL, 1UL /* KEXEC_ON_CRASH */);
	syscall(SYS_kexec_file_load, -1, -1, sizeof(cmdline), cmdline, 0x80000000UL);
	return 0;
}

/* Copy /bin/true into @fd (busybox's, in the VMs: argv[0] picks the applet). */
static int copy_true(int fd)
{
	char buf[65536];
	ssize_t n;
	int in = open("/bin/true", O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return fail("/bin/true");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			return fail("write");
	close(in);
	return n < 0 ? fail("read /bin/true") : 0;
}

static int fileless(const char *how)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };
	char path[] = "/tmp/pg-fileless-XXXXXX";
	int fd;

	if (!strcmp(how, "memfd")) {
		fd = memfd_create("pg-fileless", MFD_CLOEXEC);
		if (fd < 0 || copy_true(fd))
			return fail("memfd_create");
	} else {
		/* written, closed (no writer: ETXTBSY), reopened, then unlinked */
		fd = mkstemp(path);
		if (fd < 0 || copy_true(fd) || fchmod(fd, 0700))
			return fail("mkstemp");
		close(fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || unlink(path))
			return fail(path);
	}
	printf("pid=%d\n", getpid());
	fflush(stdout);
	fexecve(fd, argv, envp);
	return fail("fexecve");
}

#ifndef FSCONFIG_CMD_CREATE
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif

/* Raw syscalls: bookworm's glibc has wrappers, the static test builds need none. */
static int newmount(const char *dir)
{
	struct {
		uint64_t attr_set, attr_clr, propagation, userns_fd;
	} attr = { MOUNT_ATTR_RDONLY, 0, 0, 0 };
	long fs, mnt, tree;

	if (private_mount_ns())
		return 1;
	fs = syscall(__NR_fsopen, "tmpfs", 0);
	if (fs < 0)
		return fail("fsopen");
	if (syscall(__NR_fsconfig, fs, FSCONFIG_SET_STRING, "size", "1m", 0))
		return fail("fsconfig size");
	if (syscall(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return fail("fsconfig");
	mnt = syscall(__NR_fsmount, fs, 0, MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return fail("fsmount");
	if (syscall(__NR_move_mount, mnt, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH))
		return fail("move_mount");
	tree = syscall(__NR_open_tree, AT_FDCWD, dir, OPEN_TREE_CLONE);
	if (tree < 0)
		return fail("open_tree");
	if (syscall(__NR_mount_setattr, AT_FDCWD, dir, 0, &attr, sizeof(attr)) && errno != ENOSYS)
		return fail("mount_setattr");
	close(tree);
	close(mnt);
	close(fs);
	if (umount2(dir, 0))
		return fail("umount2");
	return 0;
}

static int modload(const char *file, const char *name)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	printf("pid=%d\n", getpid());
	fflush(stdout);
	if (fd < 0)
		return fail("open");
	if (syscall(__NR_finit_module, fd, "", 0))
		return fail("finit_module");
	close(fd);
	if (syscall(__NR_delete_module, name, O_NONBLOCK))
		return fail("delete_module");
	return 0;
}

static int filecap(const char *file)
{
	struct vfs_cap_data cap = { 0 };

	cap.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE;
	cap.data[0].permitted = 1U << CAP_NET_RAW;
	if (setxattr(file, "security.capability", &cap, XATTR_CAPS_SZ_2, 0)) {
		fprintf(stderr, "setxattr security.capability: %s\n", strerror(errno));
		return errno == ENOTSUP || errno == EOPNOTSUPP ? 3 : 1;
	}
	return 0;
}

/* A 32-bit system call from 64-bit code: the compat entry, its own numbers. */
static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "r8", "r9", "r10", "r11", "memory", "cc");
	return ret;
}

#define IA32_SETRESUID32 208

static int compat(unsigned uid, const char *then)
{
	int status;
	pid_t pid = fork(), c;
	long ret;

	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		printf("pid=%d\n", getpid());
		fflush(stdout);
		if (!strcmp(then, "drop")) {
			/* away from root by the compat call alone: nothing watched before it */
			ret = int80(IA32_SETRESUID32, uid, uid, 0);
			printf("compat=%ld uid=%d\n", ret, (int)getuid());
			fflush(stdout);
			_exit(ret || getuid() != uid);
		}
		if (syscall(SYS_setresuid, uid, uid, 0))
			_exit(fail("setresuid"));
		ret = int80(IA32_SETRESUID32, 0, 0, 0);
		printf("compat=%ld uid=%d\n", ret, (int)getuid());
		fflush(stdout);
		if (ret || getuid())
			_exit(1);
		if (!strcmp(then, "exit"))
			_exit(0);
		if (!strcmp(then, "exec")) {
			/* any program: the exec's entry is where the change is seen */
			execl("/proc/self/exe", "pg-host", (char *)NULL);
			_exit(fail("execl"));
		}
		c = fork();
		if (c == 0)
			_exit(0);
		waitpid(c, NULL, 0);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		printf("killed\n");
		return 4;
	}
	if (WIFSIGNALED(status)) {
		printf("compat=none\n");
		return 3;
	}
	/* the exec'd image prints its usage and exits 2 */
	return WEXITSTATUS(status) == 2 && !strcmp(then, "exec") ? 0 : WEXITSTATUS(status);
}

#define IA32_EXECVE 11

static int compat_exec(unsigned uid, const char *file)
{
	const char *args[] = { file, "exit", "0" };
	uint32_t *vec;
	char *low, *at;
	int status, i;
	pid_t pid;

	/* argv: three 32-bit pointers and a NULL; envp: a NULL; the strings */
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1,
		   0);
	if (low == MAP_FAILED)
		return fail("mmap(MAP_32BIT)");
	vec = (uint32_t *)low;
	at = low + 64;
	for (i = 0; i < 3; i++) {
		size_t n = strlen(args[i]) + 1;

		if (at + n > low + 4096)
			return fail("compat-exec: file name too long");
		memcpy(at, args[i], n);
		vec[i] = (uint32_t)(uintptr_t)at;
		at += n;
	}
	vec[3] = vec[4] = 0;
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		printf("pid=%d\n", getpid());
		fflush(stdout);
		if (syscall(SYS_setresgid, uid, uid, uid) || syscall(SYS_setresuid, uid, uid, uid))
			_exit(fail("setresuid"));
		int80(IA32_EXECVE, (long)vec[0], (long)(uintptr_t)vec, (long)(uintptr_t)&vec[4]);
		_exit(fail("int $0x80 execve"));
	}
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	if (WIFSIGNALED(status)) {
		printf("compat=none\n");
		return 3;
	}
	return WEXITSTATUS(status);
}

/* The first line of @path into @buf, without its newline. */
static void read_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static int do_sysctl(const char *value, int wait)
{
	static const char path[] = "/proc/sys/kernel/domainname";
	char old[128], now[128];
	ssize_t n = -1;
	int fd;

	if (unshare(CLONE_NEWUTS))
		return fail("unshare(CLONE_NEWUTS)");
	read_line(path, old, sizeof(old));
	printf("pid=%d old=%s\n", getpid(), old);
	fflush(stdout);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return fail(path);
	n = write(fd, value, strlen(value));
	printf("write=%d\n", n < 0 ? -errno : 0);
	close(fd);
	read_line(path, now, sizeof(now));
	printf("now=%s\n", now);
	fflush(stdout);
	if (wait)
		sleep(10);
	return 0;
}

static char target_byte = 'a';

/* The two credentials calls a deny rule refuses, each result with its errno. */
static int setid(unsigned uid)
{
	gid_t g = uid;
	long gr, ur;
	int ge, ue;

	gr = syscall(SYS_setgroups, 1, &g);
	ge = gr ? errno : 0;
	ur = syscall(SYS_setresuid, uid, uid, uid);
	ue = ur ? errno : 0;
	printf("pid=%d\nsetgroups=%ld/%d setresuid=%ld/%d uid=%d\n", getpid(), gr, ge, ur, ue,
	       (int)getuid());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "setid"))
		return setid(strtoul(argv[2], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "creds"))
		return creds(strtoul(argv[2], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "mount"))
		return do_mount(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "calls"))
		return calls();
	if (argc == 2 && !strcmp(argv[1], "bpfload"))
		return bpfload();
	if (argc == 2 && !strcmp(argv[1], "newuts"))
		return newuts();
	if (argc == 3 && !strcmp(argv[1], "trace"))
		return trace(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "vmwrite"))
		return vmwrite(atoi(argv[2]), strtoul(argv[3], NULL, 16));
	if (argc == 2 && !strcmp(argv[1], "modcalls"))
		return modcalls();
	if (argc == 2 && !strcmp(argv[1], "kexec"))
		return kexec();
	if (argc == 3 && !strcmp(argv[1], "fileless"))
		return fileless(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "newmount"))
		return newmount(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "modload"))
		return modload(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "filecap"))
		return filecap(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "compat"))
		return compat(strtoul(argv[2], NULL, 10), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "compat-exec"))
		return compat_exec(strtoul(argv[2], NULL, 10), argv[3]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "sysctl"))
		return do_sysctl(argv[2], argc == 4 && !strcmp(argv[3], "wait"));
	if (argc == 2 && !strcmp(argv[1], "target")) {
		printf("pid=%d addr=%lx\n", getpid(), (unsigned long)&target_byte);
		fflush(stdout);
		for (;;)
			pause();
	}
	fprintf(stderr,
		"usage: pg-host creds UID | mount DIR | calls | bpfload | newuts | trace "
		"PID | vmwrite PID ADDR | target | modcalls | kexec | fileless memfd|deleted | "
		"newmount DIR | modload FILE NAME | filecap FILE | setid UID | compat UID "
		"fork|exec|exit|drop | "
		"compat-exec UID FILE | "
		"sysctl VALUE [wait]\n");
	return 2;
}
