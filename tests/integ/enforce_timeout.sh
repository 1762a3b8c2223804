#!/usr/bin/env bash
# --event-timeout bounds the time the worker spends on one event, not on a
# batch: a batch of several slow but progressing decisions (each well under
# the limit, together over it) must not get the worker killed and the rest
# of the batch denied.  Each decision is made slow by an LD_PRELOAD shim
# that sleeps in the worker's mmap() of a file named slow* (the hash maps
# the file); the batch forms while the worker sleeps on the first exec.
# Timing: each decision takes 600 ms, the limit is 1200 ms (600 ms of
# room per event on a busy machine) and the batch of three takes 1800 ms
# (600 ms over the limit, more when the machine is busy): a limit per
# batch kills the worker, one per event does not.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state LOG=$T/decisions
cat > "$T/shim.c" <<'CEOF'
#include "fault_shim.h"
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* The decision of a file named slow* takes SLOW_MS longer. */
#define SLOW_MS 600

static int is_slow(int fd)
{
	char l[4096];
	const char *b = strrchr(fd_target(fd, l, sizeof(l)), '/');

	return b && !strncmp(b + 1, "slow", 4);
}

/* The program is built with 64-bit file offsets: its mmap() is mmap64. */
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	struct timespec ts = { 0, SLOW_MS * 1000000L };

	if (!real)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap64");
	if (fd >= 0 && armed("slow") && is_slow(fd)) {
		note("slow mmap");
		nanosleep(&ts, NULL);
	}
	return real(addr, len, prot, flags, fd, off);
}
CEOF
enf_shim "enforcer event timeout"

enf_bin hello || { nok "build test binaries"; done_testing; exit 1; }
# Four allowlisted binaries, each with its own digest (each is hashed).
for i in 1 2 3 4; do
	cp "$MNT/hello" "$MNT/slow$i"
	printf '%s' "$i" >> "$MNT/slow$i"
done
enf_allow "$S" "$MNT/hello" "$MNT"/slow[1-4]
enf_start --state "$S" --mark "$MNT" --log "$LOG" --event-timeout 1200 ||
	{ nok "start"; done_testing; exit 1; }
: > "$F/slow"
# slow1 keeps the worker busy 600 ms; meanwhile slow2..4 queue up and come
# as one batch of 1800 ms: over the 1200 ms limit as a batch, not per
# event.  They are started once the worker is in slow1's decision (its
# slowed mmap), not after a fixed pause.
# (copies of hello: each prints "hello ran")
t0=$(date +%s%N)
run_allowed "hello ran" "$MNT/slow1" & p1=$!
enf_wait_grep '^slow mmap$' "$F/calls"
run_allowed "hello ran" "$MNT/slow2" & p2=$!
run_allowed "hello ran" "$MNT/slow3" & p3=$!
run_allowed "hello ran" "$MNT/slow4" & p4=$!
ENF_PIDS+=("$p1" "$p2" "$p3" "$p4")
failed=
for p in $p1 $p2 $p3 $p4; do wait "$p" || failed="$failed $p"; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rm -f "$F/slow"
slowed=$(grep -c '^slow mmap$' "$F/calls" 2>/dev/null)
if [ "${slowed:-0}" -ge 4 ]; then ok "each_of_the_four_decisions_was_slowed ($slowed)"
else nok "each_of_the_four_decisions_was_slowed" "${slowed:-0} slowed mmaps"; fi
if [ -z "$failed" ]; then ok "a_batch_of_slow_but_progressing_decisions_is_allowed (four in ${ms} ms)"
else nok "a_batch_of_slow_but_progressing_decisions_is_allowed" "failed:$failed; the four took ${ms} ms; $(tail -n 4 "$LOG")"; fi
if ! grep -q 'stuck for over' "$T/enf.err"; then ok "worker_making_progress_is_not_killed"
else nok "worker_making_progress_is_not_killed" "$(grep 'stuck' "$T/enf.err")"; fi
if [ "$(grep -c ' started$' "$T/enf.err")" = 1 ]; then ok "one_worker_throughout"
else nok "one_worker_throughout" "$(grep -c ' started$' "$T/enf.err") worker starts"; fi

# One event over the limit still gets the worker killed and is denied: a
# 600 ms decision under a 100 ms limit.
: > "$F/slow"
if ! enf_stop; then nok "stops_cleanly"; fi
enf_start --state "$S" --mark "$MNT" --log "$LOG" --event-timeout 100 ||
	{ nok "start"; done_testing; exit 1; }
# the supervisor denies what the killed worker left unanswered
if run_denied $DENY_EXEC "$MNT/slow1" && grep -q 'stuck for over 100 ms' "$T/enf.err" &&
	enf_logged " deny event fd=[0-9]* reason=worker-died"; then
	ok "one_event_over_the_limit_is_killed_and_denied"
else nok "one_event_over_the_limit_is_killed_and_denied" "$(tail -n 3 "$T/enf.err")"; fi
rm -f "$F/slow"
# Under the 100 ms limit a loaded machine may hold even hello's decision
# past it (that worker is killed, the exec denied, a new one started):
# working means an exec of hello is allowed within 10 s.
check "enforcer_keeps_working_after_the_timeout" wait_for 10 run_allowed "hello ran" "$MNT/hello"
if enf_stop; then ok "stops_cleanly"; else nok "stops_cleanly"; fi
done_testing
