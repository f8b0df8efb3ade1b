// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * execstorm.c - the exec-storm workload for `make bench`.
 *
 * L loops, each N times: vfork + execve of a tiny static binary, then
 * waitpid. The result line (storm.c) counts execs= and, as failed, the
 * children that did not exit 0 (exec failure or otherwise).
 */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storm.h"

/*
 * vfork lives in its own function with no state the child could clobber: the
 * child borrows this frame only to call execve or _exit, and never returns.
 * vfork rather than fork keeps the parent's side of the storm as cheap as
 * possible, so the exec path (where monitors hook in) dominates the cost.
 */
static __attribute__((noinline)) pid_t spawn_one(const char *bin)
{
	char *const argv[] = { (char *)bin, NULL };
	char *const envp[] = { NULL };
	pid_t pid;

	pid = vfork();
	if (pid == 0) {
		execve(bin, argv, envp);
		_exit(127);
	}
	return pid;
}

/* One loop process. Returns the number of failed children. Never paced. */
static unsigned long run_loop(const char *bin, unsigned long n, unsigned long rate)
{
	(void)rate;
	unsigned long i, failed = 0;

	for (i = 0; i < n; i++) {
		int status;
		pid_t pid;

		pid = spawn_one(bin);
		if (pid < 0) {
			failed++;
			continue;
		}
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				status = -1;
				break;
			}
		}
		if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	return failed;
}

static const struct storm execstorm = {
	.name = "execstorm",
	.unit = "execs",
	.what = "exec",
	.usage = "[-l LOOPS] [-n EXECS_PER_LOOP] [-s SETTLE_MS] BINARY\n"
		 "  runs LOOPS parallel loops of EXECS_PER_LOOP vfork+execve of BINARY\n",
	.max_per_loop = 10000000UL,
	.target_access = X_OK,
	.paced = false,
	.run_loop = run_loop,
};

int main(int argc, char **argv)
{
	return storm_main(&execstorm, argc, argv);
}
