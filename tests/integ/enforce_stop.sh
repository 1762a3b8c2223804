#!/usr/bin/env bash
# SIGTERM while execs are pending: the enforcer removes its marks, lets the
# worker decide every queued event, exits 0, and leaves no process blocked.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state LOG=$T/decisions N=10
enf_bin hello && enf_bin unknown || { nok "build test binaries"; done_testing; exit 1; }
# Distinct 24 MiB unknown binaries: each is hashed (~15 ms), so a burst of
# execs queues up behind the worker.
for i in $(seq $N); do
	cp "$MNT/unknown" "$MNT/big$i"
	head -c $((24 << 20)) /dev/zero >> "$MNT/big$i"
	printf '%d' "$i" >> "$MNT/big$i"
done
enf_allow "$S" "$MNT/hello"
# burst: start the N unknown execs ($T/ran if one runs, $T/rcI its status);
# burst_wait: wait for them; how many hit their watchdog ($hung), ran and
# exited 0 ($n_ran), were refused ($n_denied: run_denied's status and
# message), or none of these ($n_other: a crash, another error).
burst() {
	local i
	pids=()
	for i in $(seq $N); do
		( wd 20 "$MNT/big$i" "$T/ran" >"$T/out$i" 2>&1; echo $? > "$T/rc$i" ) &
		pids+=($!)
	done
	ENF_PIDS+=("${pids[@]}")
	sleep 0.05
}
burst_wait() {
	local p i rc
	for p in "${pids[@]}"; do wait "$p"; done
	hung=0 n_ran=0 n_denied=0 n_other=0
	for i in $(seq $N); do
		rc=$(cat "$T/rc$i" 2>/dev/null)
		if [ "$rc" = 124 ]; then hung=$((hung + 1))
		elif [ "$rc" = 0 ]; then n_ran=$((n_ran + 1))
		elif [ "$rc" = $DENY_EXEC ] && grep -q 'Operation not permitted' "$T/out$i"; then
			n_denied=$((n_denied + 1))
		else n_other=$((n_other + 1)); echo "# big$i exited ${rc:-?}: $(head -c 200 "$T/out$i")"
		fi
	done
}
enf_start --state "$S" --mark "$MNT" --log "$LOG" || { nok "start"; done_testing; exit 1; }

burst
t0=$(date +%s%N)
enf_stop; rc=$?
t1=$(date +%s%N)
if [ $rc = 0 ]; then ok "sigterm_with_pending_execs_exits_0 ($(( (t1 - t0) / 1000000 )) ms)"
else nok "sigterm_with_pending_execs_exits_0" "rc=$rc" "$(tail -n 3 "$T/enf.err")"; fi
burst_wait
if [ $hung = 0 ]; then ok "no_exec_left_blocked"; else nok "no_exec_left_blocked" "$hung hit the watchdog"; fi
denied=$(grep -c ' deny exec ' "$LOG")
ran=$(cat "$T/ran" 2>/dev/null | wc -l)
# Each exec was either decided (denied, logged) or came after the marks
# were gone (ran unchecked): none was lost or allowed by the shutdown.
if [ $((denied + ran)) = $N ] && [ $n_denied = $denied ] && [ $n_ran = $ran ]; then
	ok "every_exec_was_decided_or_after_unmark (denied $denied, after stop $ran)"
else nok "every_exec_was_decided_or_after_unmark" "logged denied=$denied ran=$ran of $N;" \
	"exit statuses: $n_denied refused, $n_ran ran, $n_other other, $hung hung"; fi
check "stop_prints_a_summary" grep -q 'stopped: [0-9]* events' "$T/enf.err"
if ! [ -e "$S/enforce.lock" ] || flock -n "$S/enforce.lock" true; then ok "lock_is_released_after_stop"
else nok "lock_is_released_after_stop"; fi

# SIGHUP (a lost terminal) during a burst, to the supervisor and to the
# worker: enforcement goes on, with the same worker; every exec is decided.
: > "$LOG"; rm -f "$T/ran"
enf_start --state "$S" --mark "$MNT" --log "$LOG" || { nok "start"; done_testing; exit 1; }
sup=$(ps -o pid= --ppid "$EPID" | tr -d ' ')
w=$(enf_worker)
burst
[ -n "$sup" ] && kill -HUP "$sup"
[ -n "$w" ] && kill -HUP "$w"
burst_wait
if [ -n "$sup" ] && [ -n "$w" ] && kill -0 "$sup" && kill -0 "$w" && [ "$(enf_worker)" = "$w" ]; then
	ok "sighup_during_a_burst_stops_neither_supervisor_nor_worker"
else nok "sighup_during_a_burst_stops_neither_supervisor_nor_worker" "$(tail -n 3 "$T/enf.err")"; fi
if [ $hung = 0 ] && [ $n_denied = $N ] && ! [ -e "$T/ran" ] && [ "$(grep -c ' deny exec ' "$LOG")" = $N ]; then
	ok "sighup_during_a_burst_every_exec_denied_none_blocked"
else nok "sighup_during_a_burst_every_exec_denied_none_blocked" "hung=$hung refused=$n_denied ran=$n_ran other=$n_other" \
	"logged denied=$(grep -c ' deny exec ' "$LOG")"; fi
check "allowlisted_exec_after_sighup" run_allowed "hello ran" "$MNT/hello"
if enf_stop; then ok "stops_cleanly_after_sighup"; else nok "stops_cleanly_after_sighup"; fi
done_testing
