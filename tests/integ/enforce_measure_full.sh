#!/usr/bin/env bash
# The measurement log's filesystem full (ENOSPC): the exec is answered as
# the database says (the answer comes before the measurement), the log is
# left whole (a short write is cut back), the decision log says
# "error measure", and the file is measured at its next exec once there
# is room again: an entry that was not written is not measured, whatever
# the decision cache or the kernel's allow cache remember about the file.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state MD=$T/mdir
IMA=$MD/ima
mkdir -p "$MD"
wd 10 mount -t tmpfs -o size=64k,mode=0755 dgmeasure "$MD" || { nok "mount the log's tmpfs"; done_testing; exit 1; }
# enf_cleanup unmounts $MNT only.
trap 'umount -l "$MD" 2>/dev/null; enf_cleanup' EXIT

# A path near PATH_MAX: its entry (~4 KiB) cannot fit in the rest of the
# log's first page, so the write needs a new page of a full filesystem (a
# short write or ENOSPC), however short the log is.
d=$MNT
for i in $(seq 15); do d=$d/$(printf 'd%.0s' $(seq 250)); done
mkdir -p "$d"
LONG=$d/$(printf 'b%.0s' $(seq $((4000 - ${#d}))))
enf_bin hello || { nok "build test binaries"; done_testing; exit 1; }
cp "$MNT/hello" "$LONG"
enf_allow "$S" "$MNT/hello"
sleep 2.2	# timestamps older than the racy window: its digest is cached

for mode in cache log; do
	: > "$T/dlog"
	extra=()
	[ $mode = log ] && extra=(--log "$T/dlog")
	rm -f "$IMA" "$IMA.pcrs"
	enf_start --state "$S" --mark "$MNT" --measure "$IMA" "${extra[@]}" ||
		{ nok "start ($mode)"; continue; }
	# Fill the log's filesystem.
	dd if=/dev/zero of="$MD/fill" bs=4k 2>/dev/null
	size0=$(stat -c %s "$IMA")
	rm -f "$T/ran"
	if run_bin "$LONG" "$T/ran" && [ -e "$T/ran" ]; then
		ok "${mode}_allowlisted_exec_runs_while_the_log_is_full"
	else nok "${mode}_allowlisted_exec_runs_while_the_log_is_full" "$(tail -n 3 "$T/enf.err")"; fi
	if [ "$(stat -c %s "$IMA")" = "$size0" ]; then ok "${mode}_full_log_is_left_whole"
	else nok "${mode}_full_log_is_left_whole" "size $size0 -> $(stat -c %s "$IMA")"; fi
	if [ $mode = log ]; then
		if grep -q "^[^ ]* error measure path=.*: No space left on device" "$T/dlog"; then
			ok "${mode}_decision_log_says_the_measurement_failed"
		else nok "${mode}_decision_log_says_the_measurement_failed" "$(cat "$T/dlog")"; fi
	fi
	rm -f "$MD/fill"
	run_bin "$LONG"
	run_bin "$LONG"
	enf_stop
	if "$DG" measure show "$IMA" 2>/dev/null | grep -qF " $LONG"; then
		ok "${mode}_exec_after_room_is_back_is_measured"
	else nok "${mode}_exec_after_room_is_back_is_measured" "$("$DG" measure show "$IMA" 2>&1 | cut -c1-120)"; fi
	check "${mode}_log_verifies" "$DG" measure verify "$IMA" --pcr "$(sed -n 's/^PCR-10: //p' "$IMA.pcrs")"
done

# Room for a short entry in the log's last page but none for a new
# LOG.pcrs (temp + rename: a new page): the entry is written, the
# failure is named (ENOSPC, not EIO), and LOG.pcrs catches up with the log
# once there is room again (at the next measurement or at the stop), so
# that evmctl --pcrs and `measure verify --pcr` agree with the log.
enf_bin short1 && enf_bin short2 || nok "build test binaries"
rm -f "$IMA" "$IMA.pcrs"
: > "$T/dlog"
enf_start --state "$S" --mark "$MNT" --measure "$IMA" --log "$T/dlog" || nok "start (.pcrs full)"
dd if=/dev/zero of="$MD/fill" bs=4k 2>/dev/null
size0=$(stat -c %s "$IMA")
run_bin "$MNT/short1"
enf_wait_grep "error measure path=$MNT/short1" "$T/dlog"
if [ "$(stat -c %s "$IMA")" -gt "$size0" ] &&
   grep -q "error measure path=$MNT/short1: No space left on device" "$T/dlog"; then
	ok "pcrs_file_on_a_full_disk_is_named_enospc"
else nok "pcrs_file_on_a_full_disk_is_named_enospc" "size $size0 -> $(stat -c %s "$IMA")" "$(cat "$T/dlog")"; fi
rm -f "$MD/fill"
run_bin "$MNT/short1"
enf_stop
if "$DG" measure verify "$IMA" --pcr "$(sed -n 's/^PCR-10: //p' "$IMA.pcrs")" >/dev/null 2>&1 &&
   ! ls "$MD" | grep -q 'pcrs.tmp'; then
	ok "pcrs_file_catches_up_once_there_is_room"
else nok "pcrs_file_catches_up_once_there_is_room" "$("$DG" measure verify "$IMA" 2>&1 | tail -n 1)" "$(sed -n 's/^PCR-10: //p' "$IMA.pcrs")"; fi
if command -v evmctl >/dev/null; then
	# evmctl accepts a PCR that matches any prefix of the log: it must
	# match after the last entry.
	all=$("$DG" measure verify "$IMA" | sed -n 's/^.*: \([0-9]*\) entries.*/\1/p')
	out=$(wd 30 evmctl ima_measurement -v --pcrs "sha256,$IMA.pcrs" "$IMA" 2>&1); rc=$?
	if [ $rc = 0 ] && [ -n "$all" ] && grep -q "^sha256 PCR-10: succeed at entry $all\$" <<< "$out"; then
		ok "evmctl_matches_the_pcrs_file_at_the_last_entry_after_a_full_disk"
	else nok "evmctl_matches_the_pcrs_file_at_the_last_entry_after_a_full_disk" "rc=$rc entries=$all" \
		"$(grep 'PCR-10' <<< "$out")"; fi
else skip "evmctl_matches_the_pcrs_file_at_the_last_entry_after_a_full_disk" "evmctl not installed"; fi

# The decision log's filesystem full: a line that does not fit is not left
# half written for the next line to continue (a line forged from two), and
# stderr says lines are lost.
rm -f "$IMA" "$IMA.pcrs"
enf_start --state "$S" --mark "$MNT" --log "$MD/dlog" || { nok "start (--log)"; done_testing; exit 1; }
run_bin "$MNT/hello"
dd if=/dev/zero of="$MD/fill" bs=4k 2>/dev/null
run_bin "$LONG"
run_bin "$LONG"
rm -f "$MD/fill"
run_bin "$MNT/hello"
run_bin "$LONG"
enf_stop
bad=$(grep -cv '^[0-9-]*T[0-9:.]*Z [a-z-]* ' "$MD/dlog")
merged=$(grep -c 'Z .*[0-9]T[0-9:.]*Z ' "$MD/dlog")
if [ "$bad" = 0 ] && [ "$merged" = 0 ] && [ "$(tail -c 1 "$MD/dlog" | od -An -c | tr -d ' ')" = '\n' ] &&
	[ "$(grep -c "path=$LONG " "$MD/dlog")" -ge 1 ]; then
	ok "full_decision_log_has_no_half_line"
else nok "full_decision_log_has_no_half_line" "bad=$bad merged=$merged" "$(cut -c1-100 "$MD/dlog")"; fi
if grep -q "decision log: No space left on device" "$T/enf.err"; then ok "full_decision_log_is_reported_on_stderr"
else nok "full_decision_log_is_reported_on_stderr" "$(cut -c1-150 "$T/enf.err")" "$(cut -c1-100 "$MD/dlog")"; fi
done_testing
