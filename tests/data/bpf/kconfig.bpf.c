// SPDX-License-Identifier: MIT
/* Test object: a program that reads a kernel configuration value (a weak
 * __kconfig extern), which libbpf takes from /boot/config-* or
 * /proc/config.gz while it records the loading.  The sandbox has no files:
 * bpf sign must refuse it with libbpf's reason, not die on gzopen(). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int CONFIG_HZ __kconfig __weak;
__u64 seen_hz = 0;
SEC("socket")
int read_hz(struct __sk_buff *skb)
{
	seen_hz = CONFIG_HZ;
	return 0;
}
char _license[] SEC("license") = "GPL";
