// SPDX-License-Identifier: MIT
/* Test object the kernel's verifier refuses: packet data read without a
 * bounds check.  libbpf records it; only loading shows the refusal. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int unchecked(struct __sk_buff *skb)
{
	return *(int *)(long)skb->data;
}

char _license[] SEC("license") = "GPL";
