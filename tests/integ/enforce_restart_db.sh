#!/usr/bin/env bash
# A worker that starts while `current` is damaged (a bad import, a disk
# error) must go on deciding with the last good generation, as the running
# worker does: it must not start with no database, where every checked exec
# gets the --on-error answer (--on-error allow: every unknown exec runs;
# deny: every allowlisted exec is refused).  The worker is restarted with
# kill -9, as after a crash or an --event-timeout.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state
enf_bin hello && enf_bin unknown && enf_bin gen2only ||
	{ nok "build test binaries"; done_testing; exit 1; }
enf_allow "$S" "$MNT/hello"

# damage_current: `current` now names a file that is not a database.
damage_current() {
	head -c 4096 /dev/urandom > "$S/gen-9999999999999999.dgdb"
	ln -sfn gen-9999999999999999.dgdb "$S/current.bad" && mv -T "$S/current.bad" "$S/current"
}
# restart_worker: kill -9 the worker, wait for the next one.
restart_worker() {
	local w i
	w=$(enf_worker)
	kill -KILL "$w"
	for i in $(seq 100); do
		[ -n "$(enf_worker)" ] && [ "$(enf_worker)" != "$w" ] && break
		sleep 0.05
	done
	sleep 0.3	# its start-up (database, reload thread); the cases wait for what they check
}

for policy in allow deny; do
	rm -f "$S/gen-9999999999999999.dgdb"
	enf_allow "$S" "$MNT/hello"
	enf_start --state "$S" --mark "$MNT" --on-error "$policy" --log "$T/log.$policy" ||
		{ nok "start --on-error $policy"; continue; }
	run_bin "$MNT/hello"
	damage_current
	for i in $(seq 100); do grep -q "new database generation not used" "$T/enf.err" && break; sleep 0.05; done
	restart_worker
	if run_allowed "hello ran" "$MNT/hello"; then
		ok "on_error_${policy}_restarted_worker_keeps_allowing_allowlisted_exec"
	else nok "on_error_${policy}_restarted_worker_keeps_allowing_allowlisted_exec" \
		"$(tail -n 3 "$T/log.$policy")"; fi
	if wait_for 10 grep -q "error database: .*deciding with the previous generation" "$T/log.$policy"; then
		ok "on_error_${policy}_restart_with_a_damaged_generation_is_logged"
	else nok "on_error_${policy}_restart_with_a_damaged_generation_is_logged" "not in its log after 10 s"; fi
	rm -f "$T/ran"
	if run_denied $DENY_EXEC "$MNT/unknown" "$T/ran" && ! [ -e "$T/ran" ] &&
		enf_logged " deny exec pid=[0-9]* path=$MNT/unknown .*reason=not-in-database"; then
		ok "on_error_${policy}_restarted_worker_keeps_denying_unknown_exec"
	else nok "on_error_${policy}_restarted_worker_keeps_denying_unknown_exec" \
		"$(tail -n 3 "$T/log.$policy")"; fi
	# A good generation after that is taken by the new worker.
	rm -f "$S/gen-9999999999999999.dgdb"
	enf_allow "$S" "$MNT/hello" "$MNT/gen2only"
	switched=0
	wait_for 10 run_bin "$MNT/gen2only" && switched=1
	if [ $switched = 1 ]; then ok "on_error_${policy}_restarted_worker_takes_a_good_generation"
	else nok "on_error_${policy}_restarted_worker_takes_a_good_generation" "gen2only still not run after 10 s"; fi
	if enf_stop; then ok "on_error_${policy}_stops_cleanly"; else nok "on_error_${policy}_stops_cleanly"; fi
done
done_testing
