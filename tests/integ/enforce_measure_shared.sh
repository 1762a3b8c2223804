#!/usr/bin/env bash
# Two enforcers pointed at the same measurement log: the second is refused
# at start (the log is locked by the worker that writes it), as two writers
# would each keep a PCR 10 without the other's entries and one of them
# would stop measuring at its first entry (the log changed size under it).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

IMA=$T/ima
enf_bin hello && enf_bin other || { nok "build test binaries"; done_testing; exit 1; }
enf_allow "$T/s1" "$MNT/hello" "$MNT/other"
enf_allow "$T/s2" "$MNT/hello" "$MNT/other"
enf_start --state "$T/s1" --mark "$MNT" --measure "$IMA" || { nok "start"; done_testing; exit 1; }
run_bin "$MNT/hello"

# The second one (exit 2, as another instance on the same state), by hand (enf_start keeps one enforcer's output): under its
# own watchdog, its pid kept for cleanup.
timeout --kill-after=5 60 "$DG" enforce --state "$T/s2" --mark "$MNT" --measure "$IMA" \
	> "$T/enf2.out" 2> "$T/enf2.err" &
E2=$!
ENF_PIDS+=("$E2")
ready_or_gone() { grep -qx ready "$T/enf2.out" || ! kill -0 "$E2" 2>/dev/null; }
wait_for 10 ready_or_gone
if grep -qx ready "$T/enf2.out"; then
	run_bin "$MNT/other"
	kill -TERM "$E2"
fi
wait "$E2"; rc=$?
if [ $rc = 2 ] && ! grep -qx ready "$T/enf2.out" &&
   grep -q "$IMA: in use by another process" "$T/enf2.err"; then
	ok "second_enforcer_on_the_same_log_is_refused_at_start"
else nok "second_enforcer_on_the_same_log_is_refused_at_start" "rc=$rc" "$(tail -n 3 "$T/enf2.err")"; fi

# The first one goes on measuring, and its LOG.pcrs matches the log.
run_bin "$MNT/other"
enf_stop
pcr=$("$DG" measure verify "$IMA" | sed -n 's/^PCR-10 sha256: //p')
if [ -n "$pcr" ] && [ "$pcr" = "$(sed -n 's/^PCR-10: //p' "$IMA.pcrs")" ] &&
   [ "$("$DG" measure show "$IMA" | grep -c " $MNT/other$")" = 1 ] &&
   ! grep -q "changed size" "$T/enf.err"; then
	ok "first_enforcer_keeps_measuring_to_its_log"
else nok "first_enforcer_keeps_measuring_to_its_log" "pcr=$pcr" "$("$DG" measure show "$IMA" | cut -c 1-40,110-)" "$(tail -n 2 "$T/enf.err")"; fi

# Once the first has stopped, the log is free again.
enf_start --state "$T/s2" --mark "$MNT" --measure "$IMA" && ok "log_is_free_after_the_first_enforcer_stops" ||
	nok "log_is_free_after_the_first_enforcer_stops" "$(tail -n 2 "$T/enf.err")"
enf_stop
done_testing
