#!/usr/bin/env bash
# While no worker runs (a worker that keeps dying backs off), the supervisor
# answers the queued events itself, and to tell a library or script from a
# plain open it reads the file's first bytes.  On a hung network or FUSE
# mount that read does not return: the supervisor must not stall with it,
# and with it every other marked exec.  An LD_PRELOAD shim makes the
# worker die at its start (a crash loop) and the read of a file named
# hang* take 15 s; an exec of another file meanwhile must be answered at
# once (denied: no worker), not after the read: within 5 s, and before the
# read is over (the shim notes its end, so a slow machine cannot make the
# case pass by measuring after the hang).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state LOG=$T/decisions
cat > "$T/shim.c" <<'CEOF'
#include "fault_shim.h"
#include <string.h>
#include <sys/fanotify.h>
#include <time.h>

/* The worker's start: its FAN_ATTRIB group is FAN_REPORT_FID. */
int fanotify_init(unsigned flags, unsigned event_f_flags)
{
	static int (*real)(unsigned, unsigned);

	if (!real)
		real = (int (*)(unsigned, unsigned))dlsym(RTLD_NEXT, "fanotify_init");
	if ((flags & FAN_REPORT_FID) && armed("workercrash"))
		_exit(70);
	return real(flags, event_f_flags);
}

/* A read of a file named hang* on a "hung" filesystem. */
ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	static ssize_t (*real)(int, void *, size_t, off_t);
	struct timespec ts = { 15, 0 };
	char l[4096];
	const char *b;

	if (!real)
		real = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread64");
	b = strrchr(fd_target(fd, l, sizeof(l)), '/');
	if (b && !strncmp(b + 1, "hang", 4) && armed("hang")) {
		note("hung read");
		nanosleep(&ts, NULL);
		note("hung read over");
	}
	return real(fd, buf, n, off);
}
CEOF
enf_shim "enforcer supervisor probe"

enf_bin hello || { nok "build test binaries"; done_testing; exit 1; }
printf 'data\n' > "$MNT/hang1"
enf_allow "$S" "$MNT/hello"
enf_start --state "$S" --mark "$MNT" --log "$LOG" ||
	{ nok "start"; done_testing; exit 1; }
check "worker_allows_an_allowlisted_exec" run_allowed "hello ran" "$MNT/hello"

# A crash loop: every new worker dies at its start; the supervisor backs off
# 0, 0 or 200, 400, 800, 1600 ms... (src/enforcer/supervisor.c).  Wait, not
# a fixed time, until the sixth worker has died: the supervisor is then in
# a backoff of at least 1600 ms, with no worker.
: > "$F/workercrash"
kill -KILL "$(enf_worker)"
starts=0 w=
sixth_crash_seen() {
	starts=$(grep -c ' started$' "$T/enf.err")
	w=$(enf_worker)
	[ "$starts" -ge 6 ] && grep -q "worker $w exited with 70;" "$T/enf.err"
}
wait_for 15 sixth_crash_seen
if [ "$starts" -ge 6 ] && grep -q "worker $w exited with 70;" "$T/enf.err"; then
	ok "the_crashing_workers_are_restarted_with_a_backoff ($starts starts)"
else nok "the_crashing_workers_are_restarted_with_a_backoff" \
	"$starts worker starts after 15 s, the last ($w) $(grep -c "worker $w exited" "$T/enf.err") times dead"; fi
: > "$F/hang"
wd 20 cat "$MNT/hang1" >"$T/cat.out" 2>&1 & cpid=$!
ENF_PIDS+=("$cpid")
wait_for 5 grep -q '^hung read$' "$F/calls" 2>/dev/null
t0=$(date +%s%N)
run_denied $DENY_EXEC "$MNT/hello"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
over=$(grep -c '^hung read over$' "$F/calls" 2>/dev/null)
if grep -q '^hung read$' "$F/calls" 2>/dev/null; then ok "the_supervisor_read_the_hung_file"
else nok "the_supervisor_read_the_hung_file" "no read of hang1 was seen"; fi
if [ $rc = 0 ] && [ $ms -lt 5000 ] && [ "${over:-0}" = 0 ] &&
	enf_logged " deny exec pid=[0-9]* reason=no-worker"; then
	ok "an_exec_during_a_hung_read_is_answered_at_once (denied in ${ms} ms)"
else nok "an_exec_during_a_hung_read_is_answered_at_once" \
	"denied: $([ $rc = 0 ] && echo yes || echo no), after ${ms} ms (at most 5000)," \
	"the 15 s read $([ "${over:-0}" = 0 ] && echo "still hung" || echo "already over") then;" \
	"$(grep -c ' started$' "$T/enf.err") worker starts (6 before)"; fi
wait "$cpid"; crc=$?
# answered, not read in time: denied (cat exits 1 on a file it cannot open)
if [ $crc = 1 ] && grep -q 'Operation not permitted' "$T/cat.out"; then ok "the_open_of_the_hung_file_is_answered"
else nok "the_open_of_the_hung_file_is_answered" "cat exited $crc (124: timed out): $(head -c 200 "$T/cat.out")"; fi
if grep -q "deny open pid=[0-9]* reason=no-worker (file not read in time)" "$LOG"; then
	ok "the_log_says_the_file_was_not_read_in_time"
else nok "the_log_says_the_file_was_not_read_in_time" "$(tail -n 3 "$LOG")"; fi
rm -f "$F/hang" "$F/workercrash"
wait_for 20 run_bin "$MNT/hello"	# after a backoff of up to 2 s
check "a_worker_that_starts_again_allows_the_allowlisted_exec" run_allowed "hello ran" "$MNT/hello"
if enf_stop; then ok "stops_cleanly"; else nok "stops_cleanly" "$(tail -n 3 "$T/enf.err")"; fi
done_testing
