// SPDX-License-Identifier: MIT
/* Test object: a perf event array without max_entries, which libbpf sizes
 * by the CPUs of the machine that records the loading
 * (/sys/devices/system/cpu/possible).  The sandbox has no files: bpf sign
 * must refuse it with libbpf's reason, not die on the file's open(). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} events SEC(".maps");
SEC("socket")
int emit(struct __sk_buff *skb)
{
	int v = 1;

	bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));
	return 0;
}
char _license[] SEC("license") = "GPL";
