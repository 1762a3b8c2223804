#!/usr/bin/env bash
# digestguard deb verify: usage and exit codes, then the apt chain
# InRelease -> Packages -> .deb on the generated repository
# (tests/data/deb/gen.sh, cached in $BUILD/deb-fixtures): every case of its
# cases.txt, whose verdicts gpgv, sha256sum, stat, awk and the decompressors
# decided, must be digestguard's.
. "$(dirname "$0")/lib.bash"

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
DG=${DG:-$BUILD/src/cli/digestguard}
export LC_ALL=C TZ=UTC

in_build deb_cli deb --help || { done_testing; exit; }
cp "$T/in_build.out" "$T/out"
grep -q "verify" "$T/out" && ok "deb_help_lists_verify" || nok "deb_help_lists_verify" "$(cat "$T/out")"
wd 10 "$DG" deb verify --help >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -qi "usage" "$T/out" && grep -q -- "--keyring" "$T/out" && grep -q -- "--inrelease" "$T/out" &&
	grep -q -- "--packages" "$T/out" && ok "deb_verify_help_prints_usage" || nok "deb_verify_help_prints_usage" "rc=$rc $(cat "$T/out")"

# dg ARG...: digestguard deb verify, stdout in $T/out, stderr in $T/err, exit code in $rc
dg() { wd 60 "$DG" deb verify "$@" </dev/null >"$T/out" 2>"$T/err"; rc=$?; }
# usage NAME WANT-IN-STDERR ARG...: exit 2, nothing on stdout, WANT named on stderr
usage() {
	local name=$1 want=$2; shift 2
	dg "$@"
	if [ $rc = 2 ] && [ ! -s "$T/out" ] && grep -qF -- "$want" "$T/err"; then ok "$name"
	else nok "$name" "rc=$rc, want 2 and '$want' on stderr" "$(cat "$T/out" "$T/err" | head -n 5)"; fi
}
usage verify_without_keyring_is_usage_error --keyring --inrelease "$T/InRelease" --packages "$T/Packages" "$T/a.deb"
usage verify_without_inrelease_is_usage_error --inrelease --keyring "$T/k.gpg" --packages "$T/Packages" "$T/a.deb"
usage verify_without_packages_is_usage_error --packages --keyring "$T/k.gpg" --inrelease "$T/InRelease" "$T/a.deb"
usage verify_unknown_option_is_usage_error --frobnicate --frobnicate --keyring "$T/k.gpg" "$T/a.deb"
wd 10 "$DG" deb frobnicate >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ ! -s "$T/out" ] && ok "deb_unknown_subcommand_is_usage_error" ||
	nok "deb_unknown_subcommand_is_usage_error" "rc=$rc $(cat "$T/err")"

deb_fixtures deb_cli_fixtures || { done_testing; exit; }
P=$fx/dists/test/main/binary-amd64/Packages
IR=$fx/dists/test/InRelease
RSA=$fx/keys/rsa.gpg
pool=$fx/pool/main/d
hello=$pool/dgtest-hello/dgtest-hello_1.0-1_all.deb
goods=("$hello" "$pool/dgtest-tool/dgtest-tool_2.0-1_amd64.deb" "$pool/dgtest-data/dgtest-data_1.0-1_all.deb"
	"$pool/dgtest-epoch/dgtest-epoch_3.0-1_amd64.deb")
stray=$fx/bad/dgtest-stray_1.0-1_all.deb

dg --keyring "$RSA" --inrelease "$IR" --packages "$P"
[ $rc = 2 ] && [ ! -s "$T/out" ] && [ -s "$T/err" ] && ok "verify_without_deb_is_usage_error" ||
	nok "verify_without_deb_is_usage_error" "rc=$rc $(cat "$T/out" "$T/err")"
usage missing_inrelease_is_usage_error "$T/nosuch-InRelease" --keyring "$RSA" --inrelease "$T/nosuch-InRelease" --packages "$P" "$hello"
usage missing_packages_is_usage_error "$T/nosuch-Packages" --keyring "$RSA" --inrelease "$IR" --packages "$T/nosuch-Packages" "$hello"
usage missing_keyring_is_usage_error "$T/nosuch.gpg" --keyring "$T/nosuch.gpg" --inrelease "$IR" --packages "$P" "$hello"
printf 'garbage\n' >"$T/garbage.gpg"
usage keyring_without_certificate_is_usage_error "$T/garbage.gpg" --keyring "$T/garbage.gpg" --inrelease "$IR" --packages "$P" "$hello"
# ... and names the file once, as rpm verify does (it used to read
# "--keyring F: cannot load: F: deb: ...").
[ "$(grep -o -F -- "$T/garbage.gpg" "$T/err" | wc -l)" = 1 ] &&
	grep -q "^digestguard deb verify: --keyring $T/garbage.gpg: cannot load: [^/]" "$T/err" &&
	ok keyring_without_certificate_names_the_file_once ||
	nok keyring_without_certificate_names_the_file_once "$(head -n 2 "$T/err")"
# Inputs not there, directories, empty, garbage: named, with the exit
# code of deb(8): 2 when unreadable, 1 when the chain or the package says no.
bad_inputs
bad_input deb_verify_deb "2 2 1 1" "digestguard deb verify: " deb verify --keyring "$RSA" --inrelease "$IR" --packages "$P" @F
bad_input deb_digests_deb "2 2 1 1" "digestguard deb digests: " deb digests --keyring "$RSA" --inrelease "$IR" --packages "$P" @F
bad_input deb_verify_inrelease "2 2 1 1" "digestguard deb verify: " deb verify --keyring "$RSA" --inrelease @F --packages "$P" "$hello"
# (--release F reads F.gpg too: $T/garbage.gpg is the garbage keyring above,
# a signature that does not verify: 1)
bad_input deb_verify_release "2 2 2 1" "digestguard deb verify: " deb verify --keyring "$RSA" --release @F --packages "$P" "$hello"
bad_input deb_verify_packages "2 2 1 1" "digestguard deb verify: " deb verify --keyring "$RSA" --inrelease "$IR" --packages @F "$hello"
bad_input deb_verify_keyring "2 2 2 2" "digestguard deb verify: " deb verify --keyring @F --inrelease "$IR" --packages "$P" "$hello"
bad_input db_import_deb "2 2 1 1" "digestguard db import: " db import --state "$T/st-bad" --keyring "$RSA" --inrelease "$IR" --packages "$P" --deb @F
[ ! -e "$T/st-bad/current" ] && ok bad_deb_inputs_commit_nothing || nok bad_deb_inputs_commit_nothing "$(ls "$T/st-bad")"

# Every case, as the real tools decided it (cases.txt: NAME KEYRING
# INRELEASE PACKAGES DEB VERDICT [PACKAGE VERSION ARCH]).
expect() {	# NAME INRELEASE PACKAGES DEB VERDICT DETAIL: after dg, compare
	local name=$1 inr=$2 pk=$3 deb=$4 verdict=$5 detail=$6 want why=
	case $verdict in
	ok) want="$deb: OK ($detail)"
		[ $rc = 0 ] || why="exit $rc, want 0"
		[ "$(cat "$T/out")" = "$want" ] || why="$why; stdout is not '$want'" ;;
	not-listed) want="$deb: NOT OK (not listed in $pk)"
		[ $rc = 1 ] || why="exit $rc, want 1"
		[ "$(cat "$T/out")" = "$want" ] || why="$why; stdout is not '$want'" ;;
	bad-signature|expired|not-valid-yet|packages-not-listed|packages-malformed|release-malformed)
		[ $rc = 1 ] || why="exit $rc, want 1"
		[ -s "$T/out" ] && why="$why; per-.deb lines after a chain failure"
		[ "$(grep -c . "$T/err")" = 1 ] || why="$why; not one line on stderr"
		case $verdict in
		bad-signature) grep -qF "$inr: no valid signature" "$T/err" || why="$why; stderr lacks '$inr: no valid signature'" ;;
		expired) grep -F "$inr" "$T/err" | grep -q "expired" || why="$why; stderr does not name $inr as expired" ;;
		not-valid-yet) grep -F "$inr" "$T/err" | grep -q "not valid yet" ||
			why="$why; stderr does not name $inr as not valid yet" ;;
		release-malformed) grep -F "$inr" "$T/err" | grep -q "deb: Release line" ||
			why="$why; stderr does not name a line of $inr" ;;
		packages-malformed) grep -F "$pk" "$T/err" | grep -q "deb: Packages line" ||
			why="$why; stderr does not name a line of $pk" ;;
		# Not listed, or nothing to be listed in: an InRelease without a
		# SHA256 field (MD5Sum and SHA1 only) is refused as such.
		*) grep -F "$pk" "$T/err" | grep -q "not listed in" ||
			grep -F "$inr" "$T/err" | grep -q "no SHA256 field" ||
			why="$why; stderr names neither $pk as not listed nor $inr as without SHA256" ;;
		esac ;;
	*) why="unknown verdict '$verdict' in cases.txt" ;;
	esac
	if [ -z "$why" ]; then ok "$name"
	else nok "$name" "${why#; }" "reference: $verdict $detail" "stdout: $(head -c 300 "$T/out")" "stderr: $(head -c 300 "$T/err")"; fi
}
ncases=0
nrel=0
while read -r name kr inr pk deb verdict detail; do
	case $inr in
	release:*) inr=${inr#release:}; form=--release; nrel=$((nrel + 1)) ;;
	*) form=--inrelease ;;
	esac
	dg --keyring "$fx/$kr" $form "$fx/$inr" --packages "$fx/$pk" "$fx/$deb"
	expect "$name" "$fx/$inr" "$fx/$pk" "$fx/$deb" "$verdict" "$detail"
	ncases=$((ncases + 1))
done <"$fx/cases.txt"
[ $ncases -ge 29 ] && [ $nrel -ge 9 ] && ok "every_reference_case_was_run" || nok "every_reference_case_was_run" "only $ncases cases ($nrel of the Release form) in $fx/cases.txt"

# The reference verdict of a .deb under the good chain, for the calls below.
ref_line() {	# DEB PACKAGES: the line digestguard must print
	local d=${1#"$fx/"} line
	line=$(awk -v d="$d" '$5 == d && $3 == "dists/test/InRelease" && $6 == "ok" { $1 = $2 = $3 = $4 = $5 = $6 = ""; print; exit }' "$fx/cases.txt")
	line=$(echo $line)
	if [ -n "$line" ]; then echo "$1: OK ($line)"; else echo "$1: NOT OK (not listed in $2)"; fi
}

# The Release form: the signature is FILE.gpg; without it, an input error
# naming that file.  InRelease and Release forms mix in one call.
cp "$fx/dists/test/Release" "$T/Release"
usage release_without_its_gpg_is_usage_error "$T/Release.gpg" --keyring "$RSA" --release "$T/Release" --packages "$P" "$hello"
dg --keyring "$RSA" --keyring "$fx/keys/eddsa.gpg" --inrelease "$fx/inrelease/InRelease-eddsa" \
	--release "$fx/dists/test/Release" --packages "$P" "$hello"
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(ref_line "$hello" "$P")" ] && ok "inrelease_and_release_forms_mix" ||
	nok "inrelease_and_release_forms_mix" "rc=$rc $(cat "$T/out" "$T/err")"
usage release_or_inrelease_is_required "--inrelease FILE (or --release FILE)" --keyring "$RSA" --packages "$P" "$hello"

# --max-future-time: apt's Acquire::Max-FutureTime (default 10 s).  With
# more than the Date is ahead (it is 2100-01-01), the chain holds; a bad
# value is a usage error.
ahead=$(( 4102444800 - $(date +%s) + 86400 ))
for form in "--inrelease $fx/inrelease/InRelease-future" "--release $fx/release/Release-future"; do
	dg --keyring "$RSA" $form --packages "$P" --max-future-time "$ahead" "$hello"
	kind=${form%% *}; kind=${kind#--}
	[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(ref_line "$hello" "$P")" ] &&
		ok "max_future_time_admits_a_${kind}_dated_ahead" ||
		nok "max_future_time_admits_a_${kind}_dated_ahead" "rc=$rc $(cat "$T/out" "$T/err")"
done
dg --keyring "$RSA" --inrelease "$fx/inrelease/InRelease-future" --packages "$P" --max-future-time 60 "$hello"
[ $rc = 1 ] && grep -q "not valid yet.*more than the 60 s allowed" "$T/err" &&
	ok "max_future_time_smaller_than_the_lead_refuses" ||
	nok "max_future_time_smaller_than_the_lead_refuses" "rc=$rc $(cat "$T/err")"
usage max_future_time_negative_is_usage_error "--max-future-time '-1'" --keyring "$RSA" --inrelease "$IR" \
	--packages "$P" --max-future-time -1 "$hello"
usage max_future_time_not_a_number_is_usage_error "--max-future-time '10s'" --keyring "$RSA" --inrelease "$IR" \
	--packages "$P" --max-future-time 10s "$hello"

# Several .debs in one call: a line each, in order; exit 1 when any is not OK.
dg --keyring "$RSA" --inrelease "$IR" --packages "$P" "$hello" "$stray"
printf '%s\n' "$(ref_line "$hello" "$P")" "$(ref_line "$stray" "$P")" >"$T/want"
[ $rc = 1 ] && cmp -s "$T/out" "$T/want" && ok "several_debs_one_not_listed_exit_1_and_both_lines" ||
	nok "several_debs_one_not_listed_exit_1_and_both_lines" "rc=$rc" "$(diff "$T/want" "$T/out")"
dg --keyring "$RSA" --inrelease "$IR" --packages "$P" "${goods[@]}"
for d in "${goods[@]}"; do ref_line "$d" "$P"; done >"$T/want"
[ $rc = 0 ] && cmp -s "$T/out" "$T/want" && ! grep -q "NOT OK" "$T/want" && ok "all_listed_debs_in_one_call_are_ok" ||
	nok "all_listed_debs_in_one_call_are_ok" "rc=$rc" "$(diff "$T/want" "$T/out")"

# Every compressed copy of Packages: the same lines (but for the Packages
# path named in NOT OK) and the same exit code as the plain file.
dg --keyring "$RSA" --inrelease "$IR" --packages "$P" "${goods[@]}" "$stray"
rc0=$rc; sed "s|$P)\$|PACKAGES)|" "$T/out" >"$T/plain"
same=1 why='' nv=0
for v in "$P".*; do
	nv=$((nv + 1))
	dg --keyring "$RSA" --inrelease "$IR" --packages "$v" "${goods[@]}" "$stray"
	sed "s|$v)\$|PACKAGES)|" "$T/out" >"$T/var"
	if [ $rc != $rc0 ] || ! cmp -s "$T/plain" "$T/var"; then
		same=0 why="$why ${v##*/}: rc $rc vs $rc0, $(diff "$T/plain" "$T/var" | head -n 3 | tr '\n' ' ');"
	fi
done
[ $same = 1 ] && [ $rc0 = 1 ] && [ $nv -ge 3 ] && [ "$(grep -c ': OK (' "$T/plain")" = 4 ] &&
	ok "packages_compression_variants_give_the_same_result ($nv variants)" ||
	nok "packages_compression_variants_give_the_same_result" "plain rc=$rc0, $nv variants:$why" "$(cat "$T/plain")"

# Keyrings: armored certificates like gpg --export --armor; two keyrings,
# either key type signs.
dg --keyring "$fx/keys/rsa.asc" --inrelease "$IR" --packages "$P" "$hello"
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(ref_line "$hello" "$P")" ] && ok "armored_keyring_is_accepted" ||
	nok "armored_keyring_is_accepted" "rc=$rc $(cat "$T/out" "$T/err")"
two_ok=1 two_why=''
for inr in "$IR" "$fx/inrelease/InRelease-eddsa"; do
	dg --keyring "$RSA" --keyring "$fx/keys/eddsa.asc" --inrelease "$inr" --packages "$P" "$hello"
	[ $rc = 0 ] || { two_ok=0 two_why="$two_why ${inr##*/}: rc=$rc $(head -n 1 "$T/err");"; }
done
[ $two_ok = 1 ] && ok "two_keyrings_accept_both_key_types" || nok "two_keyrings_accept_both_key_types" "$two_why"
dg --keyring "$fx/keys/other.gpg" --keyring "$fx/keys/eddsa.gpg" --inrelease "$IR" --packages "$P" "$hello"
[ $rc = 1 ] && [ ! -s "$T/out" ] && grep -qF "$IR: no valid signature" "$T/err" &&
	ok "keyrings_without_the_signing_key_fail_the_chain" ||
	nok "keyrings_without_the_signing_key_fail_the_chain" "rc=$rc $(cat "$T/out" "$T/err")"

# -v: the same verdicts, and on stderr the signer and the Release entry.
dg --keyring "$RSA" --inrelease "$IR" --packages "$P" "$hello" "$stray"
cp "$T/out" "$T/quiet"; rcq=$rc
dg -v --keyring "$RSA" --inrelease "$IR" --packages "$P" "$hello" "$stray"
[ $rc = $rcq ] && cmp -s "$T/out" "$T/quiet" && ok "verbose_keeps_stdout_and_exit_code" ||
	nok "verbose_keeps_stdout_and_exit_code" "rc=$rc vs $rcq" "$(diff "$T/quiet" "$T/out")"
grep -qiF "$(cat "$fx/keys/rsa.fpr")" "$T/err" && ok "verbose_names_the_signer_fingerprint" ||
	nok "verbose_names_the_signer_fingerprint" "want $(cat "$fx/keys/rsa.fpr")" "$(head -n 5 "$T/err")"
grep -q "main/binary-amd64/Packages" "$T/err" && ok "verbose_names_the_matching_release_entry" ||
	nok "verbose_names_the_matching_release_entry" "$(head -n 5 "$T/err")"

# A .deb that cannot be read is an input error (exit 2, as `rpm verify`),
# named on stderr with the reason; the others are still verified.
printf 'not a deb\n' >"$T/junk.deb"
dg --keyring "$RSA" --inrelease "$IR" --packages "$P" "$T/missing.deb" "$hello"
[ $rc = 2 ] && [ "$(cat "$T/out")" = "$(ref_line "$hello" "$P")" ] &&
	grep -qF "$T/missing.deb: No such file or directory" "$T/err" &&
	ok "missing_deb_is_an_input_error_with_reason" ||
	nok "missing_deb_is_an_input_error_with_reason" "rc=$rc $(cat "$T/out" "$T/err")"
dg --keyring "$RSA" --inrelease "$IR" --packages "$P" "$T/junk.deb"
[ $rc = 1 ] && grep -q "^$T/junk.deb: NOT OK (.\+)$" "$T/out" && ok "non_deb_file_is_not_ok" ||
	nok "non_deb_file_is_not_ok" "rc=$rc $(cat "$T/out" "$T/err")"

# --json: one object per .deb, the digest the one sha256sum computes.
dg --json --keyring "$RSA" --inrelease "$IR" --packages "$P" "$hello" "$stray"
want=$(sha256sum <"$hello" | cut -c1-64)
if [ $rc = 1 ] && python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert [x["ok"] for x in a] == [True, False], a
assert a[0]["sha256"] == sys.argv[2] and a[0]["package"] == "dgtest-hello", a[0]
assert a[0]["size"] == int(sys.argv[3]) and "not listed in" in a[1]["error"], a
' "$T/out" "$want" "$(stat -c %s "$hello")" 2>"$T/py"; then ok "json_lists_each_deb_with_its_sha256"
else nok "json_lists_each_deb_with_its_sha256" "rc=$rc $(tail -n 2 "$T/py")" "$(head -c 400 "$T/out")"; fi

# A compressed Packages cut short verifies nothing (fail closed; the exact
# code is not in the contract).
head -c 300 "$P.xz" >"$T/Packages.xz"
dg --keyring "$RSA" --inrelease "$IR" --packages "$T/Packages.xz" "$hello"
[ $rc != 0 ] && ! grep -q ": OK (" "$T/out" && ok "truncated_compressed_packages_verifies_nothing" ||
	nok "truncated_compressed_packages_verifies_nothing" "rc=$rc $(cat "$T/out" "$T/err")"
done_testing
