#!/usr/bin/env bash
# kill -9 of the worker while execs of an unknown binary are pending: the
# supervisor denies what the dead worker left unanswered (journal) and
# starts a new worker; none of the unknown execs runs, none hangs.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state LOG=$T/decisions
enf_bin hello && enf_bin unknown || { nok "build test binaries"; done_testing; exit 1; }
# A 48 MiB unknown binary, changed before each exec so that each exec is
# hashed again (~30 ms): the worker is busy most of the time.
cp "$MNT/unknown" "$MNT/big"
head -c $((48 << 20)) /dev/zero >> "$MNT/big"
enf_allow "$S" "$MNT/hello"
enf_start --state "$S" --mark "$MNT" --log "$LOG" || { nok "start"; done_testing; exit 1; }

(
	for i in $(seq 400); do
		printf x >> "$MNT/big" 2>/dev/null  # denied too if pending when a worker dies
		wd 10 "$MNT/big" "$T/ran" >/dev/null 2>&1; rc=$?
		[ $rc = $DENY_EXEC ] || echo "$rc" >> "$T/loop.rc"	# each one denied, none hung
		[ -e "$T/loop.stop" ] && break
	done
	touch "$T/loop.done"
) &
LPID=$!
ENF_PIDS+=("$LPID")

kills=0 journaled=0
for k in $(seq 40); do	# until one kill lands while an event is pending (usually the first few)
	sleep 0.3
	w=$(enf_worker)
	[ -n "$w" ] && kill -KILL "$w" 2>/dev/null && kills=$((kills + 1))
	for i in $(seq 50); do [ "$(enf_worker)" != "$w" ] && break; sleep 0.05; done
	grep -q 'reason=worker-died' "$LOG" && { journaled=1; break; }
done
touch "$T/loop.stop"
for i in $(seq 200); do [ -e "$T/loop.done" ] && break; sleep 0.1; done

if [ -e "$T/loop.done" ]; then ok "exec_loop_finishes_no_exec_hangs"
else nok "exec_loop_finishes_no_exec_hangs"; fi
if [ $kills -gt 0 ]; then ok "worker_was_killed ($kills times)"
else nok "worker_was_killed" "no worker pid found"; fi
if [ $journaled = 1 ]; then ok "supervisor_denies_events_the_dead_worker_left_pending"
else nok "supervisor_denies_events_the_dead_worker_left_pending" "$(tail -n 5 "$T/enf.err")"; fi
if ! [ -e "$T/ran" ] && ! [ -e "$T/loop.rc" ]; then ok "no_unknown_exec_ran_across_worker_deaths"
else nok "no_unknown_exec_ran_across_worker_deaths" "$(cat "$T/ran" 2>/dev/null | wc -l) ran," \
	"exit statuses other than $DENY_EXEC: $(sort "$T/loop.rc" 2>/dev/null | uniq -c | tr '\n' ' ')"; fi
check "restarted_worker_allows_allowlisted_exec" run_allowed "hello ran" "$MNT/hello"
if run_denied $DENY_EXEC "$MNT/unknown" && enf_logged_deny exec "$MNT/unknown"; then ok "restarted_worker_denies_unknown_exec"
else nok "restarted_worker_denies_unknown_exec"; fi
starts=$(grep -c ' started$' "$T/enf.err")
if [ "$starts" -gt "$kills" ]; then ok "supervisor_restarted_the_worker"
else nok "supervisor_restarted_the_worker" "$starts starts for $kills kills"; fi
if enf_stop; then ok "stops_cleanly_after_worker_deaths"; else nok "stops_cleanly_after_worker_deaths"; fi

# A worker stuck on one event longer than --event-timeout is killed and the
# event denied: a 400 MiB allowlisted binary takes longer than 100 ms to hash.
rm -f "$MNT/big"
cp "$MNT/hello" "$MNT/huge"
head -c $((400 << 20)) /dev/zero >> "$MNT/huge"
enf_allow "$S" "$MNT/hello" "$MNT/huge"
enf_start --state "$S" --mark "$MNT" --log "$LOG" --event-timeout 100 || nok "start --event-timeout"
if run_denied $DENY_EXEC "$MNT/huge" && grep -q 'stuck for over 100 ms' "$T/enf.err" &&
	enf_logged " deny event fd=[0-9]* reason=worker-died"; then
	ok "worker_stuck_past_event_timeout_is_killed_and_the_event_denied"
else nok "worker_stuck_past_event_timeout_is_killed_and_the_event_denied" "$(tail -n 3 "$T/enf.err")"; fi
# Under the 100 ms limit a loaded machine may hold even hello's decision
# past it (that worker is killed, the exec denied, a new one started):
# working means an exec of hello is allowed within 10 s.
check "enforcer_keeps_working_after_a_timeout" wait_for 10 run_allowed "hello ran" "$MNT/hello"
enf_stop
done_testing
