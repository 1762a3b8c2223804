#!/usr/bin/env bash
# digestguard db: import --local from real sha256sum output, lookup/check exit
# codes, stats --json, export formats, and atomicity under kill -9.
. "$(dirname "$0")/lib.bash"

dg() { wd 60 "$DG" "$@"; }
S="$T/state"
F="$T/files"
mkdir -p "$F/sub"
for i in 1 2 3 4 5; do printf 'file %s\n' "$i" >"$F/f$i"; done
printf 'nested\n' >"$F/sub/n1"
printf 'blank name\n' >"$F/with space"
(cd "$F" && sha256sum "$F"/f1 "$F"/f2 "$F"/f3 "$F/sub/n1" "$F/with space") >"$T/sums"
hex() { sha256sum "$1" | cut -c1-64; }
gen_of() { dg db stats --state "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])'; }
count_of() { dg db stats --state "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])'; }

# --- import ---
out=$(dg db import --state "$S" --local "$T/sums" 2>&1); rc=$?
[ $rc = 0 ] && grep -q "generation 1: 5 digests" <<<"$out" && ok "import_local_sha256sum_file" || nok "import_local_sha256sum_file" "rc=$rc" "$out"
[ -L "$S/current" ] && [ -f "$S/$(readlink "$S/current")" ] && ok "current_is_symlink_to_generation_file" || nok "current_is_symlink_to_generation_file" "$(ls -l "$S")"
# db import without an input names every input kind, not --local alone
# (it said "nothing to import (--local FILE)"); an operand before any input
# option asks which kind, as one after options does.
out=$(dg db import --state "$T/none" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "digestguard db import: nothing to import: give --local FILE, --rpm FILE|DIR, --deb FILE|DIR or --apt-lists DIR (see --help)" ] &&
	[ ! -e "$T/none/current" ] && ok "import_without_input_names_every_input_kind" ||
	nok "import_without_input_names_every_input_kind" "rc=$rc" "$out"
out=$(dg db import --state "$T/none" -- "$T/sums" 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "digestguard db import: '$T/sums': which input kind? (--local FILE, --rpm FILE|DIR, --deb FILE|DIR)" ] &&
	ok "import_operand_without_kind_names_the_kinds" || nok "import_operand_without_kind_names_the_kinds" "rc=$rc" "$out"
# A chain option without the input it is for is a mistake, said before
# anything is read or committed.
unused_option() {	# NAME OPTION INPUTS ARG...
	local name=$1 opt=$2 inputs=$3; shift 3
	out=$(dg db import --state "$T/unused" "$@" 2>&1); rc=$?
	if [ $rc = 2 ] && [ "$out" = "digestguard db import: $opt is for $inputs, which this import does not have" ] &&
		[ ! -e "$T/unused/current" ]; then ok "$name"
	else nok "$name" "rc=$rc" "$out"; fi
}
unused_option import_local_refuses_keyring --keyring "--rpm, --deb or --apt-lists" --local "$T/sums" --keyring /nonexistent
unused_option import_local_refuses_strict --strict "--rpm, --deb or --apt-lists" --strict --local "$T/sums"
unused_option import_rpm_refuses_packages --packages --deb --keyring k --rpm "$T" --packages P
unused_option import_rpm_refuses_max_future_time --max-future-time "--deb or --apt-lists" --keyring k --rpm "$T" --max-future-time 5
unused_option import_apt_lists_refuses_inrelease --inrelease --deb --keyring k --apt-lists "$T" --debs "$T" --inrelease I
unused_option import_deb_refuses_debs --debs --apt-lists --keyring k --inrelease I --packages P --deb "$T" --debs "$T"

# sha256sum --tag lines ("SHA256 (PATH) = HEX", also what `rpm digests --tag`
# prints), with a backslash-escaped name as GNU sha256sum writes it
printf 'tagged\n' >"$F/back\\slash"
sha256sum --tag "$F/with space" "$F/back\\slash" >"$T/tag.sums"
out=$(dg db import --state "$T/state-tag" --local "$T/tag.sums" 2>&1); rc=$?
out2=$(dg db check --state "$T/state-tag" "$F/with space" "$F/back\\slash"); rc2=$?
[ $rc = 0 ] && grep -q "generation 1: 2 digests" <<<"$out" && grep -q '^\\SHA256 (' "$T/tag.sums" &&
	[ $rc2 = 0 ] && [ "$(grep -c ': OK local' <<<"$out2")" = 2 ] &&
	ok "import_local_sha256sum_tag_file" || nok "import_local_sha256sum_tag_file" "rc=$rc $rc2" "$out" "$out2"
rm -f "$F/back\\slash"

# --- lookup ---
out=$(dg db lookup --state "$S" "$(hex "$F/f1")" "$(hex "$F/sub/n1")"); rc=$?
[ $rc = 0 ] && grep -q ": local $F/f1\$" <<<"$out" && grep -q ": local $F/sub/n1\$" <<<"$out" \
	&& ok "lookup_all_present_exits_0_and_prints_source" || nok "lookup_all_present_exits_0_and_prints_source" "rc=$rc" "$out"
out=$(dg db lookup --state "$S" "$(hex "$F/f1")" "$(hex "$F/f4")"); rc=$?
[ $rc = 1 ] && grep -q "$(hex "$F/f4"): not found" <<<"$out" && ok "lookup_one_absent_exits_1" || nok "lookup_one_absent_exits_1" "rc=$rc" "$out"
dg db lookup --state "$S" 1234 >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "not a SHA-256 digest" "$T/err" && ok "lookup_bad_hex_exits_2" || nok "lookup_bad_hex_exits_2" "rc=$rc"
out=$(dg db lookup --state "$S" --json "$(hex "$F/f2")" "$(hex "$F/f5")"); rc=$?
[ $rc = 1 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d[0]["found"] and not d[1]["found"] and d[0]["source"]=="local"' "$out" \
	&& ok "lookup_json_is_valid" || nok "lookup_json_is_valid" "rc=$rc" "$out"

# --- check ---
out=$(dg db check --state "$S" "$F/f1" "$F/f3"); rc=$?
[ $rc = 0 ] && [ "$(grep -c ': OK local' <<<"$out")" = 2 ] && ok "check_known_files_exits_0" || nok "check_known_files_exits_0" "rc=$rc" "$out"
out=$(dg db check --state "$S" "$F/f1" "$F/f4"); rc=$?
[ $rc = 1 ] && grep -q "$F/f4: NOT FOUND sha256:$(hex "$F/f4")" <<<"$out" && ok "check_unknown_file_exits_1" || nok "check_unknown_file_exits_1" "rc=$rc" "$out"
printf 'tampered\n' >>"$F/f2"
dg db check --state "$S" "$F/f2" >/dev/null; rc=$?
[ $rc = 1 ] && ok "check_modified_file_exits_1" || nok "check_modified_file_exits_1" "rc=$rc"
dg db check --state "$S" "$F" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "is a directory (use -r)" "$T/err" && ok "check_directory_without_r_exits_2" || nok "check_directory_without_r_exits_2" "rc=$rc"
out=$(dg db check --state "$S" -r "$F"); rc=$?
[ $rc = 1 ] && [ "$(grep -c ': OK' <<<"$out")" = 4 ] && [ "$(grep -c 'NOT FOUND' <<<"$out")" = 3 ] \
	&& ok "check_recursive_hashes_every_file" || nok "check_recursive_hashes_every_file" "rc=$rc" "$out"
out=$(dg db check --state "$S" --json "$F/f1" "$F/f4"); rc=$?
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert [e["file"] for e in d] == [sys.argv[2], sys.argv[3]], d
assert d[0]["found"] and d[0]["source"] == "local" and d[0]["path"] == sys.argv[2], d[0]
assert not d[1]["found"] and d[1]["digest"] == "sha256:" + sys.argv[4] and "source" not in d[1], d[1]
' "$out" "$F/f1" "$F/f4" "$(hex "$F/f4")" && [ $rc = 1 ] \
	&& ok "check_json_lists_each_file_with_its_entry" || nok "check_json_lists_each_file_with_its_entry" "rc=$rc" "$out"
dg db check --state "$S" "$T/nonexistent" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok "check_missing_path_exits_2" || nok "check_missing_path_exits_2" "rc=$rc"

# --- malformed input leaves the current generation alone ---
{ sha256sum "$F/f4"; echo "# a comment"; echo "xyz  /not/hex"; } >"$T/bad.sums"
dg db import --state "$S" --local "$T/bad.sums" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "bad.sums:3: expected 64 hex digits" "$T/err" && ok "malformed_line_names_file_and_line" || nok "malformed_line_names_file_and_line" "rc=$rc" "$(cat "$T/err")"
[ "$(gen_of "$S")" = 1 ] && ! dg db lookup --state "$S" "$(hex "$F/f4")" >/dev/null && ok "failed_import_commits_nothing" || nok "failed_import_commits_nothing"
dg db import --state "$S" --local "$T/missing.sums" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "missing.sums: No such file" "$T/err" && ok "import_missing_file_exits_2" || nok "import_missing_file_exits_2" "rc=$rc"

# --- merge and replace ---
sha256sum "$F/f4" >"$T/more.sums"
dg db import --state "$S" --local "$T/more.sums" >/dev/null; rc=$?
[ $rc = 0 ] && [ "$(gen_of "$S")" = 2 ] && [ "$(count_of "$S")" = 6 ] \
	&& dg db lookup --state "$S" "$(hex "$F/f1")" "$(hex "$F/f4")" >/dev/null \
	&& ok "import_merges_with_current_generation" || nok "import_merges_with_current_generation" "rc=$rc"
DIGESTGUARD_STATE="$S" dg db lookup "$(hex "$F/f4")" >/dev/null; rc=$?
[ $rc = 0 ] && ok "state_dir_from_environment" || nok "state_dir_from_environment" "rc=$rc"
S2="$T/state2"
dg db import --state "$S2" --local "$T/sums" >/dev/null && dg db import --state "$S2" --replace --local "$T/more.sums" >/dev/null; rc=$?
dg db lookup --state "$S2" "$(hex "$F/f1")" >/dev/null; rc2=$?
[ $rc = 0 ] && [ $rc2 = 1 ] && [ "$(count_of "$S2")" = 1 ] && ok "import_replace_starts_fresh" || nok "import_replace_starts_fresh" "rc=$rc rc2=$rc2"

# --- stats ---
dg db stats --state "$S" --json --verify --sources >"$T/stats.json"; rc=$?
[ $rc = 0 ] && python3 -m json.tool "$T/stats.json" >/dev/null \
	&& python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["count"]==6 and d["generation"]==2 and d["algorithm"]=="sha256" and d["sources"]==1 and d["verified"] and d["file_size"]>0 and d["source_names"]==["local"]' "$T/stats.json" \
	&& ok "stats_json_is_valid_json_with_fields" || nok "stats_json_is_valid_json_with_fields" "rc=$rc" "$(cat "$T/stats.json")"
out=$(dg db stats --state "$S"); rc=$?
[ $rc = 0 ] && grep -q "^generation: *2" <<<"$out" && grep -q "^bytes/entry:" <<<"$out" && ok "stats_text" || nok "stats_text" "$out"
out=$(SOURCE_DATE_EPOCH=1700000000 dg db import --state "$T/sde" --local "$T/sums" && dg db stats --state "$T/sde" --json)
grep -q '"build_time": 1700000000' <<<"$out" && ok "build_time_honours_source_date_epoch" || nok "build_time_honours_source_date_epoch" "$out"

# --- export ---
dg db export --state "$S" --format fapolicyd -o "$T/trust" 2>"$T/err"; rc=$?
# fapolicyd.trust(5): three space-separated columns "path size sha256", '#' comments.
bad=$(grep -v '^#' "$T/trust" | grep -Evc '^/[^ ]+ [0-9]+ [0-9a-f]{64}$')
good=0
while read -r p size h; do
	p=${p//%20/ }
	[ "$size" = "$(stat -c %s "$p")" ] && [ "$h" = "$(hex "$p")" ] && good=$((good + 1))
done < <(grep -v '^#' "$T/trust")
# f2 was modified after import: exported with its recorded digest, so it differs.
[ $rc = 0 ] && [ "$bad" = 0 ] && [ "$good" = 5 ] && [ "$(grep -vc '^#' "$T/trust")" = 6 ] && grep -q "%20space" "$T/trust" \
	&& ok "export_fapolicyd_trust_lines_match_sha256sum_and_stat" || nok "export_fapolicyd_trust_lines_match_sha256sum_and_stat" "rc=$rc bad=$bad good=$good" "$(cat "$T/trust" "$T/err")"
ls "$T" | grep -q 'trust.tmp' && nok "export_leaves_no_temp_file" || ok "export_leaves_no_temp_file"
# -o naming standard output (/proc/self/fd/1, what /dev/stdout links to:
# /dev itself is not the test's to risk) while it is redirected to a file
# writes through it: what the file held already stays, and nothing is
# renamed over it.
{ echo "written before"; dg db export --state "$S" --format fapolicyd -o /proc/self/fd/1 2>"$T/err"; } >"$T/both"; rc=$?
[ $rc = 0 ] && [ "$(head -n 1 "$T/both")" = "written before" ] && grep -vq '^#' "$T/both" \
	&& diff <(tail -n +2 "$T/both") "$T/trust" >/dev/null && ! ls "$T" | grep -q 'both.tmp' \
	&& ok "export_to_stdout_redirected_to_a_file_writes_through_it" \
	|| nok "export_to_stdout_redirected_to_a_file_writes_through_it" "rc=$rc" "$(head -n 3 "$T/both" "$T/err")"
# Differential: fapolicyd's own writer (fapolicyd-cli --file add, no daemon
# needed) must produce the same lines for the same files.  The binary is
# the one `make check` unpacked from fapolicyd's package (or an installed
# one); it writes /etc/fapolicyd/trust.d/NAME, so it runs under bwrap with
# a private, empty /etc and trust.d bound to a directory of the test:
# nothing of the machine's /etc is read or written.
fapo_cli=${FAPOLICYD_CLI:-$BUILD/peers/fapolicyd/usr/sbin/fapolicyd-cli}
[ -x "$fapo_cli" ] || fapo_cli=$(command -v fapolicyd-cli || true)
# fapo_matches NAME OURS FILE...: fapolicyd-cli's trust lines for FILEs,
# sorted, equal OURS (sorted, no comments); skip without fapolicyd-cli.
fapo_matches() {
	local name=$1 ours=$2 p; shift 2
	if [ -z "$fapo_cli" ] || ! command -v bwrap >/dev/null; then
		skip "$name" "no fapolicyd-cli (make check unpacks Debian's fapolicyd package into $BUILD/peers; it was not downloadable) or no bwrap"
		return
	fi
	rm -rf "$T/trustd"; mkdir -p "$T/trustd"
	for p in "$@"; do
		wd 20 bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /etc \
			--ro-bind /etc/ld.so.cache /etc/ld.so.cache --dir /etc/fapolicyd \
			--bind "$T/trustd" /etc/fapolicyd/trust.d \
			"$fapo_cli" --file add "$p" --trust-file dg >>"$T/fapo.log" 2>&1
	done
	grep -v '^#' "$T/trustd/dg" 2>/dev/null | sort >"$T/fapo.lines"
	[ -s "$T/fapo.lines" ] && diff -u "$T/fapo.lines" "$ours" >"$T/diff" \
		&& ok "$name" || nok "$name" "$(cat "$T/diff" "$T/fapo.log" | head -n 20)"
}
grep -v '^#' "$T/trust" | grep -v "$F/f2 " | grep -v "$F/f5 " | sort >"$T/ours.lines"
fapo_matches export_fapolicyd_matches_fapolicyd_cli_file_add "$T/ours.lines" \
	"$F/f1" "$F/f3" "$F/f4" "$F/sub/n1" "$F/with space"
dg db export --state "$S" --format keylime >"$T/policy.json" 2>/dev/null; rc=$?
# keylime_digests JSON SUMS...: the policy's digests map is each path of
# the sha256sum files with its digests (each once, in file order).
keylime_digests() {
	python3 - "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
want = {}
for f in sys.argv[2:]:
    for line in open(f):
        h, p = line.rstrip("\n").split("  ", 1)
        if h not in want.setdefault(p, []):
            want[p].append(h)
assert d["meta"]["version"] == 1 and d["digests"] == want, (d["digests"], want)
EOF
}
keylime_digests "$T/policy.json" "$T/sums" "$T/more.sums" &&
python3 - "$T/policy.json" <<'EOF' && [ $rc = 0 ] && ok "export_keylime_policy_matches_sha256sum" || nok "export_keylime_policy_matches_sha256sum" "rc=$rc"
import json, sys
d = json.load(open(sys.argv[1]))
# The constraints of Keylime's RUNTIME_POLICY_SCHEMA (keylime/ima/ima.py).
import re
for k in ("meta", "release", "digests", "excludes", "keyrings", "ima", "ima-buf", "verification-keys"):
    assert k in d, k
assert isinstance(d["meta"]["version"], int) and isinstance(d["meta"]["generator"], int)
assert isinstance(d["release"], int) and d["release"] >= 0
for path, hs in d["digests"].items():
    assert isinstance(hs, list) and len(hs) >= 1, path
    assert all(re.fullmatch("[0-9a-f]{40,128}", h) for h in hs), hs
assert isinstance(d["excludes"], list) and isinstance(d["keyrings"], dict) and isinstance(d["ima-buf"], dict)
assert set(d["ima"]) >= {"ignored_keyrings", "log_hash_alg", "dm_policy"}
assert d["ima"]["log_hash_alg"] in ("sha1", "sha256", "sha384", "sha512") and d["ima"]["dm_policy"] is None
assert isinstance(d["verification-keys"], str)
EOF
# A path that is not UTF-8 cannot be a JSON key: skipped by keylime, U+FFFD in --json.
S5="$T/state5"
bad_name=$(printf 'bad\377name')
printf 'x\n' >"$F/$bad_name"
sha256sum "$F/$bad_name" "$F/f1" >"$T/utf8.sums"
dg db import --state "$S5" --local "$T/utf8.sums" >/dev/null
dg db export --state "$S5" --format keylime >"$T/p5.json" 2>"$T/err"; rc=$?
out=$(dg db lookup --state "$S5" --json "$(hex "$F/$bad_name")")
[ $rc = 0 ] && python3 -m json.tool "$T/p5.json" >/dev/null && grep -q "1 skipped: path not UTF-8" "$T/err" \
	&& python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "\ufffd" in d[0]["path"]' "$out" \
	&& ok "json_outputs_stay_valid_with_non_utf8_paths" || nok "json_outputs_stay_valid_with_non_utf8_paths" "rc=$rc" "$(cat "$T/err")" "$out"
rm -f "$F/$bad_name"

dg db export --state "$S" --format xml >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok "export_unknown_format_exits_2" || nok "export_unknown_format_exits_2" "rc=$rc"

# --- --deb and --apt-lists need their chain options: usage errors ---
out=$(dg db import --state "$S" --inrelease "$T/x" --packages "$T/x" --deb "$T/x" 2>&1); rc=$?
[ $rc = 2 ] && grep -q -- "--deb and --apt-lists need --keyring CERTS" <<<"$out" && [ "$(gen_of "$S")" = 2 ] &&
	ok "import_deb_without_keyring_is_usage_error" || nok "import_deb_without_keyring_is_usage_error" "rc=$rc $out"

# --- a corrupt current generation: clear error, exit 2, never a crash ---
S3="$T/state3"
dg db import --state "$S3" --local "$T/sums" >/dev/null
cur="$S3/$(readlink "$S3/current")"
truncate -s 100 "$cur"
dg db stats --state "$S3" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "$cur: truncated" "$T/err" && ok "truncated_database_is_clear_error" || nok "truncated_database_is_clear_error" "rc=$rc" "$(cat "$T/err")"
dg db lookup --state "$S3" "$(hex "$F/f1")" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && ok "lookup_on_corrupt_database_exits_2_not_1" || nok "lookup_on_corrupt_database_exits_2_not_1" "rc=$rc"
dg db import --state "$S3" --local "$T/more.sums" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q -- "--replace" "$T/err" && ok "merge_into_corrupt_database_refused" || nok "merge_into_corrupt_database_refused" "rc=$rc" "$(cat "$T/err")"

# --- kill -9 between writing the new generation and switching to it ---
# The test hook sleeps after the temporary file is written and fsynced.
S4="$T/state4"
dg db import --state "$S4" --local "$T/sums" >/dev/null
for i in $(seq 1 20000); do printf '%064x  /big/%d\n' "$i" "$i"; done >"$T/big.sums"
DIGESTGUARD_TEST_COMMIT_DELAY_MS=20000 "$DG" db import --state "$S4" --local "$T/big.sums" >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 200); do
	ls "$S4" | grep -q '\.tmp\.' && break
	sleep 0.05
done
saw_tmp=$(ls "$S4" | grep -c '\.tmp\.')
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
out=$(dg db stats --state "$S4" --json --verify); rc=$?
[ "$saw_tmp" -ge 1 ] && [ $rc = 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["generation"]==1 and d["count"]==5 and d["verified"]' "$out" \
	&& ok "kill_9_during_import_keeps_previous_generation" || nok "kill_9_during_import_keeps_previous_generation" "tmp=$saw_tmp rc=$rc" "$out"
case $(readlink "$S4/current") in *.tmp.*) nok "current_never_names_a_temp_file" "$(readlink "$S4/current")";; *) ok "current_never_names_a_temp_file";; esac
dg db import --state "$S4" --local "$T/more.sums" >/dev/null; rc=$?
left=$(ls "$S4" | grep -c '\.tmp\.')
[ $rc = 0 ] && [ "$left" = 0 ] && [ "$(gen_of "$S4")" = 2 ] && [ "$(count_of "$S4")" = 6 ] \
	&& ok "next_import_cleans_stale_temp_files" || nok "next_import_cleans_stale_temp_files" "rc=$rc left=$left" "$(ls -la "$S4")"

# --- concurrent writers: every import lands, readers see whole generations ---
# Six imports at once, each held between writing and renaming its
# generation (the test hook) so that they overlap: the writers' lock must
# serialise them, each merging what the one before committed.
S9="$T/state9"
dg db import --state "$S9" --local "$T/sums" >/dev/null
for w in 1 2 3 4 5 6; do
	for i in $(seq 1 300); do printf '%064x  /w%d/%d\n' $((w * 100000 + i)) "$w" "$i"; done >"$T/w$w.sums"
done
wpids=()
for w in 1 2 3 4 5 6; do
	DIGESTGUARD_TEST_COMMIT_DELAY_MS=300 wd 60 "$DG" db import --state "$S9" --local "$T/w$w.sums" \
		>/dev/null 2>"$T/w$w.err" &
	wpids+=($!)
done
bad_reads=0 reads=0
while kill -0 "${wpids[@]}" 2>/dev/null; do
	dg db stats --state "$S9" --verify >/dev/null 2>>"$T/w.readerr" || bad_reads=$((bad_reads + 1))
	reads=$((reads + 1))
done
wrc=0
for p in "${wpids[@]}"; do wait "$p" || wrc=$((wrc + 1)); done
missing=0
for w in 1 2 3 4 5 6; do
	dg db lookup --state "$S9" $(printf '%064x ' $((w * 100000 + 1)) $((w * 100000 + 300))) >/dev/null || missing=$((missing + 1))
done
[ $wrc = 0 ] && [ "$(gen_of "$S9")" = 7 ] && [ "$(count_of "$S9")" = $((5 + 6 * 300)) ] && [ $missing = 0 ] \
	&& ok "concurrent_imports_all_land" || nok "concurrent_imports_all_land" "failed=$wrc missing=$missing gen=$(gen_of "$S9") count=$(count_of "$S9")" "$(cat "$T"/w*.err)"
[ $bad_reads = 0 ] && [ $reads -gt 0 ] && [ "$(ls "$S9" | grep -c '\.tmp\.')" = 0 ] \
	&& ok "readers_during_concurrent_imports_see_whole_generations" || nok "readers_during_concurrent_imports_see_whole_generations" "bad=$bad_reads of $reads" "$(tail -3 "$T/w.readerr" 2>/dev/null)" "$(ls "$S9")"

# --- old generations are pruned to the last few ---
for i in 1 2 3 4; do dg db import --state "$S4" --local "$T/more.sums" >/dev/null; done
[ "$(ls "$S4" | grep -c '^gen-.*\.dgdb$')" = 3 ] && [ "$(gen_of "$S4")" = 6 ] && ok "old_generations_pruned" || nok "old_generations_pruned" "$(ls "$S4")"

# --- a flipped byte in the current generation's digest table ---
# The header checksum does not cover the body, so the file still opens; a
# merge import must verify it whole instead of re-sealing the damage.
S6="$T/state6"
dg db import --state "$S6" --local "$T/sums" >/dev/null
cur6="$S6/$(readlink "$S6/current")"
python3 - "$cur6" "$(hex "$F/f1")" <<'EOF2'
import sys
p, h = sys.argv[1], bytes.fromhex(sys.argv[2])
b = bytearray(open(p, "rb").read())
i = b.find(h)
assert i > 0
b[i + 7] ^= 1
open(p, "wb").write(b)
EOF2
out=$(dg db stats --state "$S6" --verify 2>&1)
sha256sum "$F/f4" | dg db import --state "$S6" --local - >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "verified: *NO (corrupt)" <<<"$out" && grep -q "refusing to merge a damaged current generation" "$T/err" \
	&& grep -q "nothing committed" "$T/err" && [ "$(readlink "$S6/current")" = "$(basename "$cur6")" ] \
	&& ok "merge_into_generation_with_flipped_digest_refused" || nok "merge_into_generation_with_flipped_digest_refused" "rc=$rc" "$out" "$(cat "$T/err")"

# --- "current" gone while generations exist: damage, not a new database ---
S7="$T/state7"
dg db import --state "$S7" --local "$T/sums" >/dev/null
rm "$S7/current"
sha256sum "$F/f4" | dg db import --state "$S7" --local - >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q '"current" is missing' "$T/err" && [ ! -e "$S7/current" ] &&
	ok "merge_with_current_missing_refused" || nok "merge_with_current_missing_refused" "rc=$rc" "$(cat "$T/err")"
sha256sum "$F/f4" | dg db import --state "$S7" --replace --local - >/dev/null 2>"$T/err" &&
	ok "replace_with_current_missing_starts_fresh" || nok "replace_with_current_missing_starts_fresh" "$(cat "$T/err")"

# --- an input without any digest commits nothing, also when merging ---
g7=$(gen_of "$S7")
dg db import --state "$S7" --local /dev/null >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ "$(gen_of "$S7")" = "$g7" ] && grep -q "holds no digest" "$T/err" &&
	ok "merge_import_of_nothing_commits_nothing" || nok "merge_import_of_nothing_commits_nothing" "rc=$rc gen $g7 -> $(gen_of "$S7")" "$(cat "$T/err")"

# --- --replace never empties the database by accident ---
: >"$T/empty.sums"
dg db import --state "$S2" --replace --local "$T/empty.sums" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "holds no digest\|would hold no digest" "$T/err" && grep -q -- "--allow-empty" "$T/err" && [ "$(count_of "$S2")" = 1 ] \
	&& ok "import_replace_with_empty_input_refused" || nok "import_replace_with_empty_input_refused" "rc=$rc" "$(cat "$T/err")"
dg db import --state "$T/state7" --replace --allow-empty --local "$T/empty.sums" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 0 ] && [ "$(count_of "$T/state7")" = 0 ] \
	&& ok "import_allow_empty_commits_empty_generation" || nok "import_allow_empty_commits_empty_generation" "rc=$rc" "$(cat "$T/err")"

# --- relative paths: Keylime and fapolicyd key by absolute path ---
(cd "$F" && sha256sum f1 sub/n1) >"$T/rel.sums"
dg db import --state "$S" --local "$T/rel.sums" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'rel.sums:1: path "f1" is not absolute' "$T/err" && [ "$(gen_of "$S")" = 2 ] \
	&& ok "import_local_relative_path_refused" || nok "import_local_relative_path_refused" "rc=$rc" "$(cat "$T/err")"

# --- names are escaped: a file name cannot forge a line of output ---
evil="$F/evil: OK local trusted
fake"
printf 'evil\n' >"$evil"
out=$(dg db check --state "$S" "$evil" "$F/f1"); rc=$?
[ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 2 ] && ! grep -q '^fake' <<<"$out" \
	&& grep -qF "$F/evil: OK local trusted\\x0afake: NOT FOUND sha256:" <<<"$out" \
	&& ok "check_escapes_control_characters_in_names" || nok "check_escapes_control_characters_in_names" "rc=$rc" "$out"
printf 'bs\n' >"$F/back\\slash"
out=$(dg db check --state "$S" "$F/back\\slash")
grep -qF "$F/back\\x5cslash: NOT FOUND" <<<"$out" && ok "check_escapes_backslash" || nok "check_escapes_backslash" "$out"
rm -f "$evil" "$F/back\\slash"

# --- lookup takes what check prints ---
out=$(dg db lookup --state "$S" "sha256:$(hex "$F/f1")"); rc=$?
[ $rc = 0 ] && grep -q ": local $F/f1\$" <<<"$out" && ok "lookup_accepts_sha256_prefix" || nok "lookup_accepts_sha256_prefix" "rc=$rc" "$out"

# --- options anywhere, --opt=value form ---
out=$(dg db lookup "$(hex "$F/f1")" --state="$S"); rc=$?
[ $rc = 0 ] && ok "lookup_options_after_operands_and_equals_form" || nok "lookup_options_after_operands_and_equals_form" "rc=$rc" "$out"
out=$(dg db check "$F/f1" --state "$S"); rc=$?
[ $rc = 0 ] && ok "check_options_after_operands" || nok "check_options_after_operands" "rc=$rc" "$out"
sha256sum "$F/f5" >"$T/f5.sums"
dg db import --local "$T/f5.sums" --state="$T/state8" >/dev/null; rc=$?
[ $rc = 0 ] && [ "$(count_of "$T/state8")" = 1 ] && ok "import_options_after_inputs" || nok "import_options_after_inputs" "rc=$rc"

# --- no database yet: say so and what to do ---
dg db stats --state "$T/never" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -qF "no database in $T/never (run 'digestguard db import --state $T/never' first)" "$T/err" \
	&& ok "stats_without_database_says_run_import" || nok "stats_without_database_says_run_import" "rc=$rc" "$(cat "$T/err")"
# `current` pointing at a generation that is gone: damaged, not "no database"
mkdir -p "$T/dangling" && ln -s gen-0000000000000007.dgdb "$T/dangling/current"
dg db stats --state "$T/dangling" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -qF "$T/dangling/current points at gen-0000000000000007.dgdb, which does not exist" "$T/err" &&
	! grep -q "no database" "$T/err" && ok "stats_with_dangling_current_names_the_missing_generation" ||
	nok "stats_with_dangling_current_names_the_missing_generation" "rc=$rc" "$(cat "$T/err")"

# -o onto something that is not a regular file (/dev/null, a FIFO) writes
# into it: renaming a temporary file over it would replace the device node.
mknod "$T/null" c 1 3 2>/dev/null || mkfifo "$T/null"
if [ -p "$T/null" ]; then (wd 20 cat "$T/null" >/dev/null &); fi
dg db export --state "$S" --format keylime -o "$T/null" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 0 ] && { [ -c "$T/null" ] || [ -p "$T/null" ]; } && ok "export_to_a_device_writes_into_it_not_over_it" ||
	nok "export_to_a_device_writes_into_it_not_over_it" "rc=$rc $(ls -l "$T/null")" "$(cat "$T/err")"
# -o through a symlink: the file it points at is replaced, the link stays.
printf 'old\n' >"$T/target.json" && ln -sf target.json "$T/link.json"
dg db export --state "$S" --format keylime -o "$T/link.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 0 ] && [ -L "$T/link.json" ] && python3 -m json.tool "$T/target.json" >/dev/null &&
	ok "export_through_a_symlink_replaces_its_target" ||
	nok "export_through_a_symlink_replaces_its_target" "rc=$rc $(ls -l "$T/link.json")" "$(cat "$T/err")"
# --local given a directory: the message names it and the reason.
dg db import --state "$S" --local "$F" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -qF "$F: Is a directory" "$T/err" && ok "import_local_directory_says_is_a_directory" ||
	nok "import_local_directory_says_is_a_directory" "rc=$rc" "$(cat "$T/err")"

# --- GNU escaped names: coreutils (9.x) writes \\ and \r after a leading \ ---
EF="$T/esc"
mkdir -p "$EF"
printf 'cr\n' >"$EF/cr$(printf '\r')x"
printf 'bs\n' >"$EF/back\\slash"
sha256sum "$EF/cr$(printf '\r')x" "$EF/back\\slash" >"$T/esc.sums"
dg db import --state "$T/state_esc" --local "$T/esc.sums" >/dev/null 2>"$T/err"; rc=$?
out=$(dg db lookup --state "$T/state_esc" --json "$(sha256sum <"$EF/cr$(printf '\r')x" | cut -c1-64)" "$(sha256sum <"$EF/back\\slash" | cut -c1-64)" 2>&1)
[ $rc = 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert [e["path"] for e in d]==[sys.argv[2]+"/cr\rx", sys.argv[2]+"/back\\slash"], d' "$out" "$EF" \
	&& ok "import_local_reads_gnu_escaped_names" || nok "import_local_reads_gnu_escaped_names" "rc=$rc" "$(cat -A "$T/esc.sums")" "$(cat "$T/err")" "$out"

# --- check -r on a symlink to a directory (/bin -> usr/bin) checks its files ---
ln -s "$F" "$T/flink"
want=$(dg db check --state "$S" -r "$F")
out=$(dg db check --state "$S" -r "$T/flink"); rc=$?
[ $rc = 1 ] && [ -n "$out" ] && [ "$out" = "$want" ] \
	&& ok "check_recursive_follows_a_symlinked_directory_operand" || nok "check_recursive_follows_a_symlinked_directory_operand" "rc=$rc" "$out"

# --- identical files: every path is kept, not only the first ---
D="$T/dup"
mkdir -p "$D/pkg1" "$D/pkg2"
printf 'same content\n' >"$D/pkg1/a"
cp "$D/pkg1/a" "$D/pkg1/b"
cp "$D/pkg1/a" "$D/pkg2/a"
printf 'other\n' >"$D/pkg1/c"
SD="$T/state-dup"
sha256sum "$D/pkg1/a" "$D/pkg1/b" "$D/pkg1/c" >"$T/dup1.sums"
sha256sum "$D/pkg2/a" "$D/pkg1/a" >"$T/dup2.sums"	# /pkg1/a again: kept once
dg db import --state "$SD" --local "$T/dup1.sums" >/dev/null && dg db import --state "$SD" --local "$T/dup2.sums" >/dev/null; rc=$?
out=$(dg db lookup --state "$SD" "$(hex "$D/pkg1/a")"); rc2=$?
# the newest import's reference first (a merge adds the old entries after the new)
[ $rc = 0 ] && [ $rc2 = 0 ] && [ "$out" = "$(hex "$D/pkg1/a"): local $D/pkg2/a
$(hex "$D/pkg1/a"): local $D/pkg1/a
$(hex "$D/pkg1/a"): local $D/pkg1/b" ] \
	&& ok "lookup_lists_every_path_of_a_digest_newest_first" || nok "lookup_lists_every_path_of_a_digest_newest_first" "rc=$rc rc2=$rc2" "$out"
out=$(dg db lookup --state "$SD" --json "$(hex "$D/pkg1/b")")
python3 -c 'import json,sys; d=json.loads(sys.argv[1])[0]; assert d["path"]==sys.argv[2] and [r["path"] for r in d["references"]]==[sys.argv[2],sys.argv[3],sys.argv[4]], d' \
	"$out" "$D/pkg2/a" "$D/pkg1/a" "$D/pkg1/b" \
	&& ok "lookup_json_lists_every_reference" || nok "lookup_json_lists_every_reference" "$out"
out=$(cd "$D/pkg2" && wd 60 "$DG" db check --state "$SD" "$D/pkg1/b" a); rc=$?
[ $rc = 0 ] && [ "$out" = "$D/pkg1/b: OK local $D/pkg1/b
a: OK local $D/pkg2/a" ] && ok "check_reports_the_entry_of_the_checked_path" || nok "check_reports_the_entry_of_the_checked_path" "rc=$rc" "$out"
# the checked path through a symlink or with ./ and // in it: still the
# reference recorded at the file it names, not the digest's first one
ln -s "$D/pkg1/b" "$T/dup-link"
out=$(dg db check --state "$SD" "$T/dup-link" "$D/pkg1/./b" "$D//pkg1/b"); rc=$?
[ $rc = 0 ] && [ "$out" = "$T/dup-link: OK local $D/pkg1/b
$D/pkg1/./b: OK local $D/pkg1/b
$D//pkg1/b: OK local $D/pkg1/b" ] && ok "check_reports_the_entry_of_a_symlinked_or_unnormalised_path" ||
	nok "check_reports_the_entry_of_a_symlinked_or_unnormalised_path" "rc=$rc" "$out"
out=$(dg db stats --state "$SD" --json --verify)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["count"]==2 and d["references"]==4 and d["format_version"]==2 and d["verified"], d' "$out" \
	&& ok "stats_counts_digests_and_references" || nok "stats_counts_digests_and_references" "$out"
dg db export --state "$SD" --format fapolicyd -o "$T/dup.trust" 2>"$T/err"; rc=$?
grep -v '^#' "$T/dup.trust" | sort >"$T/dup.ours"
# expected lines: one per path, size and digest from the files themselves
for p in "$D/pkg1/a" "$D/pkg1/b" "$D/pkg1/c" "$D/pkg2/a"; do echo "$p $(stat -c %s "$p") $(hex "$p")"; done | sort >"$T/dup.want"
[ $rc = 0 ] && diff -u "$T/dup.want" "$T/dup.ours" >"$T/diff" && grep -q '4 path entries of 2 digests' "$T/err" \
	&& ok "export_fapolicyd_has_every_path_of_identical_files" || nok "export_fapolicyd_has_every_path_of_identical_files" "rc=$rc" "$(cat "$T/diff" "$T/err")"
fapo_matches export_fapolicyd_identical_files_match_fapolicyd_cli "$T/dup.ours" \
	"$D/pkg1/a" "$D/pkg1/b" "$D/pkg1/c" "$D/pkg2/a"
dg db export --state "$SD" --format keylime >"$T/dup.json" 2>/dev/null; rc=$?
keylime_digests "$T/dup.json" "$T/dup1.sums" "$T/dup2.sums" && [ $rc = 0 ] \
	&& ok "export_keylime_has_every_path_of_identical_files" || nok "export_keylime_has_every_path_of_identical_files" "rc=$rc"

# --- many identical files (empty ones: thousands per system) ---
# check -r reports each at its own path, without a scan of every reference
# per file (that was quadratic: 30 000 empty files took about 10 s)
ME="$T/empties"
mkdir -p "$ME"
(cd "$ME" && seq -f 'e%.0f' 1 30000 | xargs touch)
find "$ME" -type f -print0 | xargs -0 sha256sum >"$T/empties.sums"
dg db import --state "$T/state-empties" --local "$T/empties.sums" >/dev/null 2>"$T/err"; rc=$?
out=$(wd 8 "$DG" db check --state "$T/state-empties" -r "$ME"); rc2=$?
[ $rc = 0 ] && [ $rc2 = 0 ] && [ "$(grep -c "^\($ME/e[0-9]*\): OK local \1\$" <<<"$out")" = 30000 ] &&
	ok "check_many_identical_files_each_at_its_own_path_in_linear_time" ||
	nok "check_many_identical_files_each_at_its_own_path_in_linear_time" "rc=$rc rc2=$rc2" "$(head -n 3 <<<"$out")" "$(cat "$T/err")"
out=$(wd 8 "$DG" db lookup --state "$T/state-empties" --json "$(sha256sum </dev/null | cut -c1-64)"); rc=$?
[ $rc = 0 ] && python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; assert len(d["references"])==30000 and len({r["path"] for r in d["references"]})==30000' <<<"$out" &&
	ok "lookup_json_lists_thousands_of_references" || nok "lookup_json_lists_thousands_of_references" "rc=$rc"

# --- usage errors say what is wrong ---
usage_says() {	# NAME WANT ARGS...: exit 2, WANT on the first stderr line
	local name=$1 want=$2; shift 2
	dg db "$@" >/dev/null 2>"$T/err"; local rc=$?
	[ $rc = 2 ] && [ "$(head -n 1 "$T/err")" = "$want" ] && grep -q '^usage: ' "$T/err" \
		&& ok "$name" || nok "$name" "rc=$rc" "$(cat "$T/err")"
}
usage_says usage_lookup_without_digest "digestguard db lookup: missing HEX (a SHA-256 digest)" lookup --state "$S"
usage_says usage_check_without_path "digestguard db check: missing PATH" check --state "$S"
usage_says usage_stats_extra_argument "digestguard db stats: unexpected argument 'extra'" stats --state "$S" extra
usage_says usage_export_without_format "digestguard db export: missing --format" export --state "$S"
usage_says usage_export_unknown_format "digestguard db export: unknown format 'bogus' (fapolicyd or keylime)" export --state "$S" --format bogus

# --- help on every command ---
for c in import lookup check stats export; do
	dg db "$c" --help >"$T/out" 2>&1; rc=$?
	[ $rc = 0 ] && grep -q "usage: digestguard db $c" "$T/out" && ok "help_db_$c" || nok "help_db_$c" "rc=$rc"
done

done_testing
