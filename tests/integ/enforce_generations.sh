#!/usr/bin/env bash
# New database generations are picked up without a restart, and swapping
# generations during many execs gives no wrong decision and no hang.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state LOG=$T/decisions
for b in always gen1only gen2only never; do enf_bin $b || { nok "build $b"; done_testing; exit 1; }; done
sha256sum "$MNT/always" "$MNT/gen1only" > "$T/allow1"
sha256sum "$MNT/always" "$MNT/gen2only" > "$T/allow2"
wd 30 "$DG" db import --state "$S" --replace --local "$T/allow1" >/dev/null
enf_start --state "$S" --mark "$MNT" --log "$LOG" || { nok "start"; done_testing; exit 1; }

check "gen1_allows_gen1only" run_allowed "gen1only ran" "$MNT/gen1only"
if run_denied $DENY_EXEC "$MNT/gen2only" && enf_logged_deny exec "$MNT/gen2only"; then ok "gen1_denies_gen2only"
else nok "gen1_denies_gen2only"; fi

wd 30 "$DG" db import --state "$S" --replace --local "$T/allow2" >/dev/null
switched=0
wait_for 10 run_bin "$MNT/gen2only" && switched=1
if [ $switched = 1 ]; then ok "new_generation_is_picked_up_without_restart"
else nok "new_generation_is_picked_up_without_restart" "gen2only still not run after 10 s"; fi
if run_denied $DENY_EXEC "$MNT/gen1only" && enf_logged_deny exec "$MNT/gen1only"; then ok "new_generation_drops_old_entries"
else nok "new_generation_drops_old_entries"; fi

# Swap generations continuously while execs run.
(
	for i in $(seq 40); do
		sleep 0.05
		wd 30 "$DG" db import --state "$S" --replace --local "$T/allow$((i % 2 + 1))" >/dev/null ||
			echo "import $i failed" >> "$T/swap.err"
	done
	touch "$T/swap.done"
) &
ENF_PIDS+=($!)
# Each exec is answered, one way or the other: exit 0 (ran) or denied.
wrong=0 never_ok=0 undecided=0 runs=0
while ! [ -e "$T/swap.done" ] && [ $runs -lt 3000 ]; do
	run_allowed "always ran" "$MNT/always" || { wrong=$((wrong + 1)); echo "# always denied at run $runs"; }
	run_denied $DENY_EXEC "$MNT/never" "$T/ran" || never_ok=$((never_ok + 1))
	for b in gen1only gen2only; do
		run_bin "$MNT/$b"; rc=$?
		[ $rc = 0 ] || [ $rc = $DENY_EXEC ] || { undecided=$((undecided + 1)); echo "# $b exited $rc at run $runs"; }
	done
	runs=$((runs + 1))
done
gens=$(wd 10 "$DG" db stats --state "$S" 2>/dev/null | sed -n 's/^generation:* *\([0-9]*\).*/\1/p' | head -n 1)
if [ -e "$T/swap.done" ] && ! [ -e "$T/swap.err" ]; then ok "40_generations_committed_during_execs (rounds $runs, last generation ${gens:-?})"
else nok "40_generations_committed_during_execs" "$(cat "$T/swap.err" 2>/dev/null)"; fi
if [ $wrong = 0 ]; then ok "allowlisted_in_every_generation_never_denied"
else nok "allowlisted_in_every_generation_never_denied" "$wrong wrong denials"; fi
if ! [ -e "$T/ran" ] && [ $never_ok = 0 ]; then ok "never_allowlisted_never_runs"
else nok "never_allowlisted_never_runs" "$never_ok of $runs execs not denied"; fi
if [ $undecided = 0 ]; then ok "each_exec_during_swaps_runs_or_is_denied"
else nok "each_exec_during_swaps_runs_or_is_denied" "$undecided execs neither ran nor were denied"; fi
# The last import was allow1 (i = 40): gen1only allowed, gen2only denied.
settled=0
wait_for 10 run_bin "$MNT/gen1only" && settled=1
if [ $settled = 1 ] && run_denied $DENY_EXEC "$MNT/gen2only" && enf_logged_deny exec "$MNT/gen2only"; then
	ok "final_generation_decides_after_swaps"
else nok "final_generation_decides_after_swaps" "gen1only run within 10 s: $([ $settled = 1 ] && echo yes || echo no)"; fi
# Allowlisted files carry a per-file ignore mark for FAN_OPEN_PERM (half
# the events of an exec); a new generation must drop it, or "ld.so FILE"
# of a revoked file would go unchecked.
LDSO=$(readlink -f /lib64/ld-linux-x86-64.so.2 2>/dev/null || true)
if [ -x "$LDSO" ]; then
	wd 30 "$DG" db import --state "$S" --replace --local "$T/allow2" >/dev/null
	wait_for 10 run_bin "$MNT/gen2only"
	run_allowed "gen2only ran" "$MNT/gen2only"; ok_before=$?
	run_allowed "gen2only ran" "$LDSO" "$MNT/gen2only"; ldso_before=$?
	wd 30 "$DG" db import --state "$S" --replace --local "$T/allow1" >/dev/null
	wait_for 10 run_bin "$MNT/gen1only"
	rm -f "$T/ran"
	if [ $ok_before = 0 ] && [ $ldso_before = 0 ] && run_denied $DENY_LDSO "$LDSO" "$MNT/gen2only" "$T/ran" &&
		! [ -e "$T/ran" ] && enf_logged_deny ld.so "$MNT/gen2only"; then
		ok "revoked_file_is_checked_again_for_ldso_after_a_generation_change"
	else nok "revoked_file_is_checked_again_for_ldso_after_a_generation_change" "before: exec $ok_before ld.so $ldso_before"; fi
else
	skip "revoked_file_is_checked_again_for_ldso_after_a_generation_change" "no /lib64/ld-linux-x86-64.so.2"
fi
# A damaged new generation is not used: the enforcer says so (once) and
# goes on deciding with the generation it has; a good one is taken again.
wd 30 "$DG" db import --state "$S" --replace --local "$T/allow1" >/dev/null
wait_for 10 run_bin "$MNT/gen1only"
head -c 4096 /dev/urandom > "$S/gen-9999999999999999.dgdb"
ln -s gen-9999999999999999.dgdb "$S/current.bad" && mv -T "$S/current.bad" "$S/current"
said=0
for i in $(seq 100); do grep -q "new database generation not used" "$T/enf.err" && { said=1; break; }; sleep 0.05; done
if [ $said = 1 ] && grep "new database generation not used" "$T/enf.err" | grep -q "gen-9999999999999999.dgdb" &&
	run_allowed "gen1only ran" "$MNT/gen1only" && run_denied $DENY_EXEC "$MNT/gen2only" &&
	enf_logged_deny exec "$MNT/gen2only"; then
	ok "damaged_generation_is_reported_and_the_previous_one_kept"
else nok "damaged_generation_is_reported_and_the_previous_one_kept" "$(grep -i generation "$T/enf.err")"; fi
sleep 1	# several reload polls: still one report
if [ "$(grep -c "new database generation not used" "$T/enf.err")" = 1 ]; then ok "damaged_generation_reported_once"
else nok "damaged_generation_reported_once" "$(grep -c "new database generation not used" "$T/enf.err") reports"; fi
rm -f "$S/gen-9999999999999999.dgdb"
wd 30 "$DG" db import --state "$S" --replace --local "$T/allow2" >/dev/null
switched=0
wait_for 10 run_bin "$MNT/gen2only" && switched=1
if [ $switched = 1 ] && grep -q "new database generation in use" "$T/enf.err"; then ok "good_generation_after_a_damaged_one_is_used"
else nok "good_generation_after_a_damaged_one_is_used" "$(grep -i generation "$T/enf.err")"; fi
check "enforcer_still_running_after_swaps" kill -0 "$EPID"
if [ "$(grep -c ' started$' "$T/enf.err")" = 1 ]; then ok "no_worker_restart_during_swaps"
else nok "no_worker_restart_during_swaps" "$(cat "$T/enf.err")"; fi
if enf_stop; then ok "stops_cleanly"; else nok "stops_cleanly"; fi
done_testing
