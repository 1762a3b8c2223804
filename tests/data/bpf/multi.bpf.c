// SPDX-License-Identifier: MIT
/* Test object: two socket filters sharing a hash map, and read-only data
 * (.rodata): a loader with more than one program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} lengths SEC(".maps");

const volatile __u32 limit = 1500;

SEC("socket")
int keep_short(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	__u64 one = 1;

	bpf_map_update_elem(&lengths, &len, &one, BPF_ANY);
	return skb->len <= limit ? -1 : 0;
}

SEC("socket")
int drop_all(struct __sk_buff *skb)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
