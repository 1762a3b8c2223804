// SPDX-License-Identifier: MIT
/* Test object: a program that reads the kernel's version (a __kconfig
 * extern libbpf fills in while it records the loading).  The sandbox has
 * no kernel version to give, so bpf sign must refuse it, saying why. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
__u64 seen_version = 0;
SEC("socket")
int read_version(struct __sk_buff *skb)
{
	seen_version = LINUX_KERNEL_VERSION;
	return 0;
}
char _license[] SEC("license") = "GPL";
