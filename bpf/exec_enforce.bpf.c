// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Exec enforcement: `deny` rules, on kernels with BPF LSM. The exec fails
 * with EPERM before the new image is set up: nothing of it runs, and the
 * process that tried goes on with its old image.
 *
 * Why bprm_check_security: it runs for the file being executed and again
 * for a script's interpreter, with bprm->file already opened (the path
 * the kernel will really run, not the name given to execve) and the new
 * credentials computed (bprm->cred: a set-user-ID file's euid). The
 * verdict uses the same selection as the process sensor
 * (lib/policy.bpf.h), with the process that execs as the new image's
 * child-to-be: its parent and ancestors are those the image will have.
 */
#include "lib/task.bpf.h"
#include "lib/core_fixes.bpf.h"
#include "lib/path.bpf.h"
#include "lib/policy.bpf.h"

#define EPERM 1

struct pg_enforce_heap {
	struct pg_exec_denied_event ev;
	char data[PG_PATH_MAX];
	struct pg_path_buf path;
	struct pg_policy_scratch pol;
};

/* one slot per CPU (max_entries set to the CPU count by the agent) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pg_enforce_heap);
} pg_enforce_heap SEC(".maps");

SEC("lsm/bprm_check_security")
int BPF_PROG(lsm_bprm_check_security, struct linux_binprm *bprm, int ret)
{
	const struct pg_runtime_config *cfg = pg_config_get();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct pg_policy_masks *m;
	struct pg_enforce_heap *h;
	struct pg_creds c = {};
	struct fs_struct *fs;
	struct file *file;
	__u32 cpu, gen = cfg->policy & 1, start, len, in_ctr;
	int k, rule;

	if (ret)
		return ret; /* another LSM said no already */
	if (!(cfg->policy & PG_POLICY_LOADED))
		return 0;
	m = pg_policy_masks(gen);
	if (!m || pg_mask_empty(&m->deny))
		return 0; /* the common case: no rule denies, nothing to look at */
	cpu = bpf_get_smp_processor_id();
	h = bpf_map_lookup_elem(&pg_enforce_heap, &cpu);
	if (!h) {
		pg_count_error(PG_ERR_SCRATCH);
		return 0;
	}
	file = bprm->file;
	fs = BPF_CORE_READ(task, fs);
	start = pg_path_resolve(&h->path, (__u64)file->f_path.dentry, (__u64)file->f_path.mnt,
				(__u64)BPF_CORE_READ(fs, root.dentry),
				(__u64)BPF_CORE_READ(fs, root.mnt));
	len = PG_PATH_MAX - start;
	if (len > PG_PATH_MAX - 1)
		len = PG_PATH_MAX - 1;
	if (bpf_probe_read_kernel(h->data, len & (PG_PATH_MAX - 1),
				  &h->path.buf[start & (2 * PG_PATH_MAX - 1)]))
		len = 0;
	h->ev.path_flags = 0;
	if (h->path.flags & PG_PATH_TRUNC)
		h->ev.path_flags |= PG_PROC_F_PATH_TRUNC;
	if (h->path.flags & PG_PATH_ERROR || !len)
		h->ev.path_flags |= PG_PROC_F_PATH_ERROR;
	if (h->path.flags & PG_PATH_DELETED)
		h->ev.path_flags |= PG_PROC_F_BIN_DELETED;
	if (h->path.flags & PG_PATH_DETACHED)
		h->ev.path_flags |= PG_PROC_F_BIN_DETACHED;

	/* the credentials the new image will run with */
	c.uid = BPF_CORE_READ(task, cred, uid.val);
	c.euid = BPF_CORE_READ(bprm, cred, euid.val);
	c.auid = bpf_core_field_exists(task->loginuid) ? BPF_CORE_READ(task, loginuid.val)
						       : (__u32)-1;
	in_ctr = pg_task_pidns_core(task) != cfg->host_pidns;
	pg_fill_task_ctx_core(task, &h->ev.task);
	pg_policy_select(&h->pol, m, gen, h->data, len, h->data, 0, &c, in_ctr,
			 h->ev.task.ppid ? pg_proc_state(h->ev.task.ppid) : NULL);
	pg_mask_and(&h->pol.sel, &m->events[PG_EVENT_PROCESS_EXEC]);
	pg_mask_and(&h->pol.sel, &m->deny);
	for (k = 0; k < PG_MASK_WORDS; k++)
		h->pol.sel.w[k] &= ~m->user.w[k];
	rule = pg_mask_first(&h->pol.sel);
	if (rule < 0)
		return 0;
	pg_rule_count(gen, rule, 0);
	pg_rule_count(gen, rule, 2);
	h->ev.hdr.type = PG_EVENT_EXEC_DENIED;
	h->ev.hdr.flags = 0;
	h->ev.hdr.ktime = bpf_ktime_get_ns();
	h->ev.verdict.rule = rule;
	h->ev.verdict.flags = PG_VERDICT_F_MATCHED | PG_VERDICT_F_DENIED;
	h->ev.verdict.gen = gen;
	h->ev.verdict.pad = 0;
	h->ev.binary_len = len;
	h->ev.pad = 0;
	pg_output(&h->ev, sizeof(h->ev) + (len & (PG_PATH_MAX - 1)));
	return -EPERM;
}
