// SPDX-License-Identifier: MIT
/* Test object: a BPF LSM program on bprm_check_security (exec), whose
 * attach target the loader finds in the kernel's BTF at load time. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct linux_binprm;

__u64 execs = 0;

SEC("lsm/bprm_check_security")
int BPF_PROG(count_exec, struct linux_binprm *bprm, int ret)
{
	__sync_fetch_and_add(&execs, 1);
	return ret;
}

char _license[] SEC("license") = "GPL";
