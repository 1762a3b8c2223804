#!/usr/bin/env bash
# Measurement log (IMA binary format, ima-ng, sha256, PCR 10): what the
# enforcer writes, `measure show/verify`, and evmctl (ima-evm-utils) as the
# independent replayer: it must match the PCR 10 value we report.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state IMA=$T/ima
enf_bin hello && enf_bin unknown && enf_bin later || { nok "build test binaries"; done_testing; exit 1; }
enf_allow "$S" "$MNT/hello"
enf_start --state "$S" --mark "$MNT" --measure "$IMA" || { nok "start"; done_testing; exit 1; }
run_bin "$MNT/hello"; run_bin "$MNT/unknown"; run_bin "$MNT/hello"
enf_stop

h=$(sha256sum < "$MNT/hello" | cut -d' ' -f1)
u=$(sha256sum < "$MNT/unknown" | cut -d' ' -f1)
"$DG" measure show "$IMA" > "$T/show" 2>&1
if [ "$(wc -l < "$T/show")" = 3 ] &&
   grep -q "^10 [0-9a-f]\{40\} ima-ng sha256:0\{64\} boot_aggregate$" "$T/show" &&
   grep -q "^10 [0-9a-f]\{40\} ima-ng sha256:$h $MNT/hello$" "$T/show" &&
   grep -q "^10 [0-9a-f]\{40\} ima-ng sha256:$u $MNT/unknown$" "$T/show"; then
	ok "log_has_boot_aggregate_then_each_file_once_with_its_sha256"
else nok "log_has_boot_aggregate_then_each_file_once_with_its_sha256" "$(cat "$T/show")"; fi

pcr=$("$DG" measure verify "$IMA" | sed -n 's/^PCR-10 sha256: //p')
file_pcr=$(sed -n 's/^PCR-10: //p' "$IMA.pcrs")
if [ -n "$pcr" ] && [ "$pcr" = "$file_pcr" ]; then ok "replayed_pcr_equals_the_reported_pcr"
else nok "replayed_pcr_equals_the_reported_pcr" "replay=$pcr reported=$file_pcr"; fi
check "verify_with_matching_pcr_exits_0" "$DG" measure verify "$IMA" --pcr "$file_pcr"
"$DG" measure verify "$IMA" --pcr "$(printf '%064d' 0)" >/dev/null 2>&1; rc=$?
if [ $rc = 1 ]; then ok "verify_with_wrong_pcr_exits_1"; else nok "verify_with_wrong_pcr_exits_1" "rc=$rc"; fi

# evmctl ima_measurement LOG PCRS: evmctl matches PCRS's PCR 10 after the
# log's LAST entry.  Its exit 0 alone is not enough: it accepts a PCR that
# any prefix of the log gives (a LOG.pcrs behind the log passes).
evm_matches_whole_log() {
	local all out rc
	all=$("$DG" measure verify "$1" | sed -n 's/^.*: \([0-9]*\) entr.*/\1/p')
	out=$(wd 30 evmctl ima_measurement -v --pcrs "sha256,$2" "$1" 2>&1); rc=$?
	[ $rc = 0 ] && [ -n "$all" ] && grep -q 'Matched per TPM bank' <<< "$out" &&
		grep -q "^sha256 PCR-10: succeed at entry $all\$" <<< "$out" && return 0
	echo "# rc=$rc entries=$all $(grep 'PCR-10' <<< "$out" | tr '\n' ' ')"
	return 1
}
if command -v evmctl >/dev/null; then
	if evm_matches_whole_log "$IMA" "$IMA.pcrs"; then
		ok "evmctl_replays_our_log_to_our_pcr"
	else nok "evmctl_replays_our_log_to_our_pcr"; fi
	wd 30 evmctl ima_measurement -v --pcrs "sha256,$IMA.pcrs" "$IMA" 2>&1 | grep "^10 " > "$T/evm.show"
	if cmp -s "$T/evm.show" "$T/show"; then ok "measure_show_prints_what_evmctl_prints"
	else nok "measure_show_prints_what_evmctl_prints" "$(diff "$T/evm.show" "$T/show" | head -n 4)"; fi
	sed 's/^PCR-10: .*/PCR-10: '"$(printf '%064d' 1)"'/' "$IMA.pcrs" > "$T/wrong.pcrs"
	# rejected: evmctl's exit 1 and its reason, not any failure (124: a hang)
	out=$(wd 30 evmctl ima_measurement --pcrs "sha256,$T/wrong.pcrs" "$IMA" 2>&1); rc=$?
	if [ $rc = 1 ] && grep -q 'Failed to match per TPM bank' <<< "$out"; then
		ok "evmctl_rejects_a_wrong_pcr"
	else nok "evmctl_rejects_a_wrong_pcr" "rc=$rc" "$(tail -n 2 <<< "$out")"; fi
else
	for c in evmctl_replays_our_log_to_our_pcr measure_show_prints_what_evmctl_prints evmctl_rejects_a_wrong_pcr; do
		skip "$c" "evmctl not installed (Debian package ima-evm-utils)"
	done
fi

# A restarted enforcer continues the same log and PCR.
enf_start --state "$S" --mark "$MNT" --measure "$IMA" || nok "restart"
run_bin "$MNT/later"; run_bin "$MNT/hello"
enf_stop
n_entries=$("$DG" measure show "$IMA" | wc -l)
pcr2=$("$DG" measure verify "$IMA" | sed -n 's/^PCR-10 sha256: //p')
if [ "$n_entries" = 4 ] && [ "$pcr2" = "$(sed -n 's/^PCR-10: //p' "$IMA.pcrs")" ] && [ "$pcr2" != "$pcr" ]; then
	ok "restart_appends_to_the_log_and_continues_the_pcr"
else nok "restart_appends_to_the_log_and_continues_the_pcr" "entries=$n_entries"; fi
if command -v evmctl >/dev/null; then
	check "evmctl_matches_after_restart" evm_matches_whole_log "$IMA" "$IMA.pcrs"
else skip "evmctl_matches_after_restart" "evmctl not installed"; fi

# A torn last entry (writer killed mid-write) is cut at the next start.
cp "$IMA" "$T/ima.good"
head -c 30 "$T/ima.good" >> "$IMA"
"$DG" measure verify "$IMA" >/dev/null 2>&1; rc=$?
if [ $rc = 1 ]; then ok "verify_reports_a_torn_tail"; else nok "verify_reports_a_torn_tail" "rc=$rc"; fi
enf_start --state "$S" --mark "$MNT" --measure "$IMA" || nok "start after torn tail"
enf_stop
if cmp -s "$IMA" "$T/ima.good"; then ok "enforcer_cuts_a_torn_tail_at_start"
else nok "enforcer_cuts_a_torn_tail_at_start"; fi

# Tampering: a changed path no longer matches its template digest.
cp "$T/ima.good" "$T/ima.bad"
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); i=b.rfind(b"/hello"); b[i+1]^=0x20; open(p,"wb").write(b)' "$T/ima.bad"
out=$("$DG" measure verify "$T/ima.bad" 2>&1); rc=$?
if [ $rc = 1 ] && grep -q 'template digest does not match' <<< "$out"; then ok "verify_rejects_a_tampered_entry"
else nok "verify_rejects_a_tampered_entry" "rc=$rc $out"; fi
if command -v evmctl >/dev/null; then
	out=$(wd 30 evmctl ima_measurement --pcrs "sha256,$IMA.pcrs" "$T/ima.bad" 2>&1); rc=$?
	if [ $rc = 1 ] && grep -q 'Failed to verify template data digest' <<< "$out"; then
		ok "evmctl_rejects_the_tampered_entry_too"
	else nok "evmctl_rejects_the_tampered_entry_too" "rc=$rc" "$(tail -n 2 <<< "$out")"; fi
else skip "evmctl_rejects_the_tampered_entry_too" "evmctl not installed"; fi
# Someone else truncates the log under a running enforcer: it writes nothing
# more to it (a chain without boot_aggregate, out of step with LOG.pcrs),
# says why, and keeps running.
enf_bin cut1 || nok "build test binaries"
cp "$T/ima.good" "$IMA"
enf_start --state "$S" --mark "$MNT" --measure "$IMA" || nok "start before truncation"
w=$(enf_worker)
: > "$IMA"
run_bin "$MNT/cut1"
size=$(stat -c %s "$IMA")
if [ "$size" = 0 ] && grep -q "measurement log $IMA changed size" "$T/enf.err" &&
   [ "$(enf_worker)" = "$w" ]; then
	ok "enforcer_stops_writing_to_a_log_truncated_by_someone_else"
else nok "enforcer_stops_writing_to_a_log_truncated_by_someone_else" "size=$size" "$(tail -n 3 "$T/enf.err")"; fi
enf_stop
"$DG" measure show "$T/nonexistent" >/dev/null 2>&1; rc=$?
if [ $rc = 2 ]; then ok "show_of_a_missing_file_is_an_input_error"; else nok "show_of_a_missing_file_is_an_input_error" "rc=$rc"; fi
# A --pcr that differs: is it the log's state after fewer entries (a TPM
# behind the log), all zeros, or none of the log's states?
I2=$T/ima2
enf_start --state "$S" --mark "$MNT" --measure "$I2" || nok "start (prefix)"
run_bin "$MNT/hello"
enf_stop
pre=$("$DG" measure verify "$I2" | sed -n 's/^.*: \([0-9]*\) entries.*/\1/p')
p_k=$(sed -n 's/^PCR-10: //p' "$I2.pcrs")
enf_start --state "$S" --mark "$MNT" --measure "$I2" || nok "restart (prefix)"
run_bin "$MNT/unknown"
enf_stop
all=$("$DG" measure verify "$I2" | sed -n 's/^.*: \([0-9]*\) entries.*/\1/p')
out=$("$DG" measure verify "$I2" --pcr "$p_k"); rc=$?
if [ $rc = 1 ] && [ -n "$pre" ] && [ -n "$all" ] && [ "$all" -gt "$pre" ] &&
	grep -qF "the log gives it after its first $pre of $all entries: the PCR is $((all - pre)) behind the log" <<< "$out"; then
	ok "verify_names_the_prefix_a_lagging_pcr_matches"
else nok "verify_names_the_prefix_a_lagging_pcr_matches" "rc=$rc pre=$pre all=$all" "$out"; fi
out=$("$DG" measure verify "$I2" --pcr "$(printf '%064d' 0)")
grep -q "all zeros: nothing was extended" <<< "$out" && ok "verify_says_when_the_pcr_is_all_zeros" ||
	nok "verify_says_when_the_pcr_is_all_zeros" "$out"
out=$("$DG" measure verify "$I2" --pcr "$(printf 'ab%.0s' $(seq 32))")
grep -q "no prefix of the log gives it" <<< "$out" && ok "verify_says_when_no_prefix_matches" ||
	nok "verify_says_when_no_prefix_matches" "$out"
j=$("$DG" measure verify --json "$I2" --pcr "$p_k")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["match"] is False and d["matches_after_entries"] == int(sys.argv[2])' "$j" "$pre" &&
	ok "verify_json_gives_the_matching_prefix" || nok "verify_json_gives_the_matching_prefix" "$j"
done_testing
