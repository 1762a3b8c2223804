// SPDX-License-Identifier: MIT
/* Test object: a socket filter that counts packets in an array map and a
 * global variable (.data): two maps, one program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");
volatile __u64 seen = 7;
SEC("socket")
int count_packets(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	seen++;
	return 0;
}
char _license[] SEC("license") = "GPL";
