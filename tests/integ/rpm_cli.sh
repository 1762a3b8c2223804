#!/usr/bin/env bash
# digestguard rpm / db import --rpm: usage, exit codes and messages, on the
# generated fixtures (tests/data/rpm/gen.sh, cached in $BUILD/rpm-fixtures).
. "$(dirname "$0")/lib.bash"

"$DG" rpm --help >"$T/out"; rc=$?
[ $rc = 0 ] && grep -q "verify" "$T/out" && grep -q "digests" "$T/out" && ok "rpm_help_lists_commands" || nok "rpm_help_lists_commands" "rc=$rc"
"$DG" rpm digests --help >"$T/out"; rc=$?
[ $rc = 0 ] && grep -q "usage: digestguard rpm digests" "$T/out" && ok "rpm_digests_help" || nok "rpm_digests_help" "rc=$rc"
"$DG" rpm verify x.rpm >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q -- "--keyring CERTS is required" "$T/err" && ok "verify_without_keyring_is_usage_error" || nok "verify_without_keyring_is_usage_error" "rc=$rc $(cat "$T/err")"
"$DG" rpm verify --keyring /dev/null >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "no package given" "$T/err" && ok "verify_without_package_is_usage_error" || nok "verify_without_package_is_usage_error" "rc=$rc"
"$DG" rpm verify --frobnicate >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "unknown option" "$T/err" && ok "verify_unknown_option_is_usage_error" || nok "verify_unknown_option_is_usage_error" "rc=$rc"
"$DG" rpm verify x.rpm --keyring >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "option '--keyring' needs a value" "$T/err" &&
	ok "verify_option_without_value_says_so" || nok "verify_option_without_value_says_so" "rc=$rc $(cat "$T/err")"

fx=$BUILD/rpm-fixtures
wd 120 bash "$SRC/tests/data/rpm/gen.sh" "$fx" >"$T/gen.log" 2>&1; rc=$?
if [ $rc = 77 ]; then
	skip "rpm_cli_fixtures" "$(tail -n 1 "$T/gen.log")"; done_testing; exit
elif [ $rc != 0 ]; then
	mapfile -t why < <(tail -n 5 "$T/gen.log")
	nok "rpm_cli_fixtures_generated" "gen.sh exit $rc" "${why[@]}"; done_testing; exit
fi
"$DG" rpm verify --keyring "$fx/keys/rsa.asc" "$fx/unsigned.rpm" >/dev/null 2>"$T/probe"
if grep -q "not in this build" "$T/probe"; then
	skip "rpm_cli_signatures" "$(cat "$T/probe")"; done_testing; exit
fi
key=$fx/keys/rsa.asc

printf 'not an rpm\n' >"$T/junk.rpm"
"$DG" rpm verify --keyring "$key" "$T/junk.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "junk.rpm: NOT OK" "$T/out" && grep -q "^digestguard rpm verify: .*junk.rpm: not an RPM package" "$T/err" &&
	ok "verify_non_package_names_file_and_reason" || nok "verify_non_package_names_file_and_reason" "rc=$rc $(cat "$T/err")"
"$DG" rpm verify --keyring "$key" "$T/missing.rpm" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "missing.rpm: open failed" "$T/err" && ok "verify_missing_file_exit_2" || nok "verify_missing_file_exit_2" "rc=$rc"
"$DG" rpm digests --keyring "$key" "$T/junk.rpm" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard rpm digests: .*junk.rpm: not an RPM package" "$T/err" \
	&& ok "digests_error_names_the_command" || nok "digests_error_names_the_command" "rc=$rc $(cat "$T/err")"
head -c 3000 "$fx/rsa.rpm" >"$T/trunc.rpm"
"$DG" rpm verify --keyring "$key" "$T/trunc.rpm" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "trunc.rpm: truncated" "$T/err" && ok "verify_truncated_package_exit_2" || nok "verify_truncated_package_exit_2" "rc=$rc $(cat "$T/err")"
"$DG" rpm verify --keyring "$key" "$fx/rsa.rpm" "$fx/wrongkey.rpm" >"$T/out"; rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$T/out")" = 2 ] && ok "verify_exit_1_when_any_package_fails" || nok "verify_exit_1_when_any_package_fails" "rc=$rc"
"$DG" rpm verify --keyring "$key" --keyring "$fx/keys/eddsa.asc" "$fx/rsa.rpm" "$fx/eddsa.rpm" >/dev/null; rc=$?
[ $rc = 0 ] && ok "verify_with_two_keyrings" || nok "verify_with_two_keyrings" "rc=$rc"
"$DG" rpm verify -v -v --keyring "$key" "$fx/wrongkey.rpm" >"$T/out" 2>&1
grep -q "reason: .*" "$T/out" && ok "verify_vv_prints_reason" || nok "verify_vv_prints_reason" "$(cat "$T/out")"
[ "$(grep -c "no certificate in the keyring has the signing key" "$T/out")" = 1 ] &&
	ok "verify_vv_prints_the_reason_once" || nok "verify_vv_prints_the_reason_once" "$(cat "$T/out")"
"$DG" rpm verify --json --keyring "$key" "$fx/rsa.rpm" "$fx/wrongkey.rpm" >"$T/out"; rc=$?
[ $rc = 1 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [p["ok"] for p in d] == [True, False] and d[1]["signatures"] == "bad" and d[0]["nevra"] == "rsa-1.0-1.noarch"' "$T/out" &&
	ok "verify_json_is_valid_and_matches_verdicts" || nok "verify_json_is_valid_and_matches_verdicts" "rc=$rc $(head -c 300 "$T/out")"
"$DG" rpm digests --tag --keyring "$key" "$fx/rsa.rpm" >"$T/out"; rc=$?
[ $rc = 0 ] && grep -q '^SHA256 (/usr/share/dgtest/hello.txt) = [0-9a-f]\{64\}$' "$T/out" && ok "digests_tag_is_bsd_style" || nok "digests_tag_is_bsd_style" "rc=$rc"
# Both output forms import as an operator's --local list, to the same digests
"$DG" rpm digests --keyring "$key" "$fx/rsa.rpm" >"$T/plain.sums"
"$DG" db import --state "$T/st-tag" --local "$T/out" >/dev/null 2>"$T/err"; rc=$?
"$DG" db import --state "$T/st-plain" --local "$T/plain.sums" >/dev/null 2>>"$T/err"; rc2=$?
nsums=$(cut -c1-64 "$T/plain.sums" | sort -u | wc -l)	# hard links share a digest
[ $rc = 0 ] && [ $rc2 = 0 ] && [ "$nsums" -gt 0 ] &&
	"$DG" db lookup --state "$T/st-tag" $(cut -c1-64 "$T/plain.sums") >/dev/null &&
	"$DG" db stats --state "$T/st-tag" --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["count"] == int(sys.argv[1])' "$nsums" &&
	ok "digests_tag_output_imports_as_local_list" || nok "digests_tag_output_imports_as_local_list" "rc=$rc $rc2" "$(cat "$T/err")"
"$DG" rpm digests --keyring "$key" "$fx/rsa.rpm" >"$T/out"
! grep -q "ghost\|symlink\|/usr/share/dgtest$" "$T/out" && grep -q "link-b" "$T/out" &&
	ok "digests_skip_ghost_symlink_directory_keep_hardlinks" || nok "digests_skip_ghost_symlink_directory_keep_hardlinks" "$(cat "$T/out")"
# Header data out of index order (rpm's hdrblobVerifyInfo refuses it): no
# digests, though the signature over the main header would verify.
"$DG" rpm digests --keyring "$key" "$fx/mut/sig-disorder.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc != 0 ] && [ ! -s "$T/out" ] && grep -q "before the end .* of the previous entry's data" "$T/err" &&
	ok "digests_refuse_header_data_out_of_index_order" ||
	nok "digests_refuse_header_data_out_of_index_order" "rc=$rc $(cat "$T/out" "$T/err")"
# A release rpm takes but that is over our package-name limit: refused by
# name and reason, not reported as missing; verification itself is not held up.
"$DG" rpm digests --keyring "$key" "$fx/longrelease.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ ! -s "$T/out" ] && grep -q "longrelease.rpm: .*too long for a package name" "$T/err" &&
	ok "digests_refuse_overlong_release_by_name_and_reason" ||
	nok "digests_refuse_overlong_release_by_name_and_reason" "rc=$rc $(cat "$T/err")"
"$DG" rpm verify --keyring "$key" "$fx/longrelease.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "longrelease.rpm: digests signatures OK" "$T/out" &&
	ok "verify_accepts_overlong_release" || nok "verify_accepts_overlong_release" "rc=$rc $(cat "$T/out" "$T/err")"

# rpm verify runs one worker per CPU: output, stderr and exit code must be
# those of one worker (taskset -c 0), for every mode, on a mix of good, bad
# and unreadable packages longer than the workers' look-ahead.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	mix=()
	for i in 1 2 3 4 5 6; do
		mix+=("$fx"/*.rpm "$T/junk.rpm" "$T/missing.rpm" "$T/trunc.rpm")
	done
	same=1
	for mode in "" "-v" "-v -v" "--json" "--payload"; do
		"$DG" rpm verify $mode --keyring "$key" "${mix[@]}" >"$T/par.out" 2>"$T/par.err"; prc=$?
		taskset -c 0 "$DG" rpm verify $mode --keyring "$key" "${mix[@]}" >"$T/ser.out" 2>"$T/ser.err"; src=$?
		if [ $prc != $src ] || ! cmp -s "$T/par.out" "$T/ser.out" || ! cmp -s "$T/par.err" "$T/ser.err"; then
			same=0; why="mode '$mode': rc $prc vs $src; $(diff "$T/ser.out" "$T/par.out" | head -3)"
		fi
	done
	[ $same = 1 ] && [ "$(grep -c . "$T/ser.out")" -gt 50 ] &&
		ok "verify_workers_output_same_as_one_worker" || nok "verify_workers_output_same_as_one_worker" "$why"
else
	skip "verify_workers_output_same_as_one_worker" "needs 2 CPUs and taskset"
fi

# rpm-6 style: a v6 Ed25519 signature (openpgp.js) in the OPENPGP tag.
wd 240 bash "$SRC/tests/data/rpm/gen-v6.sh" "$fx" >"$T/v6.log" 2>&1; rc=$?
if [ $rc = 0 ]; then
	v6=$fx/v6/v6sig.rpm
	"$DG" rpm verify -v --keyring "$fx/v6/v6.asc" "$v6" >"$T/out" 2>/dev/null; rc=$?
	[ $rc = 0 ] && grep -q "Header V6 Ed25519/SHA512 Signature, key ID [0-9a-f]\{8\}: OK" "$T/out" &&
		ok "v6_openpgp_tag_signature_verifies" || nok "v6_openpgp_tag_signature_verifies" "rc=$rc $(cat "$T/out")"
	"$DG" rpm verify --keyring "$key" "$v6" >"$T/out" 2>/dev/null; rc=$?
	[ $rc = 1 ] && grep -q ": digests SIGNATURES NOT OK" "$T/out" &&
		ok "v6_openpgp_tag_with_wrong_key_fails" || nok "v6_openpgp_tag_with_wrong_key_fails" "rc=$rc $(cat "$T/out")"
	"$DG" rpm digests --keyring "$fx/v6/v6.asc" "$v6" >"$T/dg"; rc=$?
	rpm -qp --qf '[%{FILEMODES:perms}\t%{FILEFLAGS:fflags}\t%{FILEDIGESTS}  %{FILENAMES}\n]' "$v6" 2>/dev/null |
		awk -F'\t' '$1 ~ /^-/ && $2 !~ /g/ { print $3 }' >"$T/peer"
	[ $rc = 0 ] && [ -s "$T/peer" ] && cmp -s "$T/dg" "$T/peer" &&
		ok "v6_digests_equal_rpm_query" || nok "v6_digests_equal_rpm_query" "rc=$rc"
elif [ $rc = 77 ]; then
	skip "v6_openpgp_tag" "$(tail -n 1 "$T/v6.log")"
else
	nok "v6_fixture_generated" "$(tail -n 5 "$T/v6.log")"
fi

# db import --rpm
st=$T/state
mkdir -p "$T/pkgs/sub" && cp "$fx"/*.rpm "$T/pkgs/sub/"
wd 60 "$DG" db import --state "$st" --keyring "$key" --keyring "$fx/keys/eddsa.asc" --rpm "$T/pkgs" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "21 digests from 3 packages, 9 packages skipped" "$T/out" &&
	grep -q "unsigned.rpm: no header signature" "$T/err" && grep -q "sha512.rpm: file digests are SHA512" "$T/err" &&
	grep -q "longrelease.rpm: .*too long for a package name" "$T/err" &&
	ok "db_import_directory_skips_bad_packages" || nok "db_import_directory_skips_bad_packages" "rc=$rc" "$(cat "$T/out" "$T/err")"
h=$("$DG" rpm digests --keyring "$key" "$fx/rsa.rpm" | awk '/hello.txt/ {print $1}')
"$DG" db lookup --state "$st" "$h" >"$T/out"; rc=$?
[ $rc = 0 ] && grep -q "rsa-1.0-1.noarch /usr/share/dgtest/hello.txt" "$T/out" && ok "db_lookup_finds_imported_rpm_digest" || nok "db_lookup_finds_imported_rpm_digest" "rc=$rc $(cat "$T/out")"
h2=$("$DG" rpm digests --keyring "$key" "$fx/wrongkey.rpm" 2>/dev/null | awk '/hello.txt/ {print $1}')
h2=$(rpm -qp --qf '[%{FILEDIGESTS} %{FILENAMES}\n]' "$fx/wrongkey.rpm" 2>/dev/null | awk '/hello.txt/ {print $1}')
"$DG" db lookup --state "$st" "$h2" >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && ok "db_lookup_misses_digest_of_unverified_package" || nok "db_lookup_misses_digest_of_unverified_package" "rc=$rc"
gen=$("$DG" db stats --state "$st" | awk '/^generation:/ {print $2}')
wd 60 "$DG" db import --state "$st" --strict --keyring "$key" --rpm "$T/pkgs" >/dev/null 2>"$T/err"; rc=$?
gen2=$("$DG" db stats --state "$st" | awk '/^generation:/ {print $2}')
[ $rc = 1 ] && [ "$gen" = "$gen2" ] && grep -q "nothing committed" "$T/err" && ok "db_import_strict_commits_nothing" || nok "db_import_strict_commits_nothing" "rc=$rc gen $gen -> $gen2"
"$DG" db import --state "$st" --rpm "$fx/rsa.rpm" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "needs --keyring" "$T/err" && ok "db_import_rpm_needs_keyring" || nok "db_import_rpm_needs_keyring" "rc=$rc"

# An import that imports no package commits nothing, even with --replace
# (which would otherwise empty the live database): a missing or unreadable
# --rpm is exit 2, no package verified (wrong keyring, not an RPM) exit 1.
gen_st() { "$DG" db stats --state "$st" | awk '/^generation:/ {print $2}'; }
gen=$(gen_st)
wd 60 "$DG" db import --state "$st" --replace --keyring "$key" --rpm "$T/missing.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ "$(gen_st)" = "$gen" ] && grep -q -- "--rpm $T/missing.rpm: No such file or directory" "$T/err" &&
	grep -q "nothing committed" "$T/err" && ok "db_import_missing_rpm_path_exits_2_commits_nothing" ||
	nok "db_import_missing_rpm_path_exits_2_commits_nothing" "rc=$rc gen $gen -> $(gen_st)" "$(cat "$T/out" "$T/err")"
mkdir -p "$T/noread" && cp "$fx/rsa.rpm" "$T/noread/" && chmod 000 "$T/noread"
if ! ls "$T/noread" >/dev/null 2>&1; then
	wd 60 "$DG" db import --state "$st" --replace --keyring "$key" --rpm "$T/noread" >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 2 ] && [ "$(gen_st)" = "$gen" ] && grep -q "Permission denied" "$T/err" &&
		ok "db_import_unreadable_rpm_dir_exits_2" || nok "db_import_unreadable_rpm_dir_exits_2" "rc=$rc" "$(cat "$T/err")"
elif command -v setpriv >/dev/null && chmod 711 "$T" && mkdir -m 777 "$T/nb" &&
	cp "$key" "$T/nb/key" && chmod 644 "$T/nb/key" &&
	setpriv --reuid 65534 --regid 65534 --clear-groups -- "$DG" version >/dev/null 2>&1; then
	# Root reads mode 000 anyway: run the import as nobody, on a state dir of its own.
	wd 60 setpriv --reuid 65534 --regid 65534 --clear-groups -- "$DG" db import --state "$T/nb/st" \
		--keyring "$T/nb/key" --rpm "$T/noread" >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 2 ] && grep -q "Permission denied" "$T/err" && ! "$DG" db stats --state "$T/nb/st" >/dev/null 2>&1 &&
		ok "db_import_unreadable_rpm_dir_exits_2" || nok "db_import_unreadable_rpm_dir_exits_2" "rc=$rc" "$(cat "$T/err")"
else
	skip "db_import_unreadable_rpm_dir_exits_2" "running as root and cannot run digestguard as nobody (setpriv, or $DG not reachable)"
fi
chmod 700 "$T"
chmod 755 "$T/noread"
wd 60 "$DG" db import --state "$st" --replace --keyring "$fx/keys/other.asc" --rpm "$fx/rsa.rpm" "$fx/eddsa.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && [ "$(gen_st)" = "$gen" ] && grep -q "no package imported: all 2 failed" "$T/err" && grep -q "nothing committed" "$T/err" &&
	ok "db_import_wrong_keyring_commits_nothing" || nok "db_import_wrong_keyring_commits_nothing" "rc=$rc gen $gen -> $(gen_st)" "$(cat "$T/out" "$T/err")"
wd 60 "$DG" db import --state "$st" --replace --keyring "$key" --rpm "$T/junk.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && [ "$(gen_st)" = "$gen" ] && grep -q "junk.rpm: not an RPM package" "$T/err" && grep -q "nothing committed" "$T/err" &&
	ok "db_import_non_rpm_commits_nothing" || nok "db_import_non_rpm_commits_nothing" "rc=$rc gen $gen -> $(gen_st)" "$(cat "$T/out" "$T/err")"
mkdir -p "$T/norpms"
wd 60 "$DG" db import --state "$st" --replace --keyring "$key" --rpm "$T/norpms" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ "$(gen_st)" = "$gen" ] && grep -q "no \*.rpm package found" "$T/err" &&
	ok "db_import_directory_without_packages_commits_nothing" || nok "db_import_directory_without_packages_commits_nothing" "rc=$rc" "$(cat "$T/err")"
# ...while one good package among bad ones still imports (skip, not fail).
wd 60 "$DG" db import --state "$T/st-one" --keyring "$key" --rpm "$fx/rsa.rpm" "$fx/wrongkey.rpm" "$T/junk.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "wrongkey.rpm: 0 digests from 0 packages, 1 packages skipped" "$T/out" &&
	ok "db_import_one_good_package_among_bad_commits" || nok "db_import_one_good_package_among_bad_commits" "rc=$rc" "$(cat "$T/out" "$T/err")"
# A directory the walk skips (nested deeper than 32 levels) counts as
# skipped in the summary, like a bad package; alone, nothing is imported.
deep=$T/deep/$(printf 'd/%.0s' $(seq 33))
mkdir -p "$deep" && cp "$fx/rsa.rpm" "$T/deep/" && cp "$fx/eddsa.rpm" "$deep/"
wd 60 "$DG" db import --state "$T/st-deep" --keyring "$key" --keyring "$fx/keys/eddsa.asc" \
	--rpm "$T/deep" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "deep: [0-9]* digests from 1 packages, 1 packages skipped" "$T/out" &&
	grep -q "nested deeper than the limit" "$T/err" &&
	ok "db_import_counts_a_skipped_directory" || nok "db_import_counts_a_skipped_directory" "rc=$rc" "$(cat "$T/out" "$T/err")"
rm "$T/deep/rsa.rpm"
wd 60 "$DG" db import --state "$T/st-deep2" --keyring "$key" --keyring "$fx/keys/eddsa.asc" \
	--rpm "$T/deep" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "no package imported: all 1 failed" "$T/err" && ! grep -q "no \*.rpm package found" "$T/err" &&
	ok "db_import_only_a_skipped_directory_imports_nothing" ||
	nok "db_import_only_a_skipped_directory_imports_nothing" "rc=$rc" "$(cat "$T/out" "$T/err")"

# --keyring inputs that give no usable certificate are errors naming the
# file and the reason, not an empty keyring (every package NOKEY).
rpm -qp --qf '%{RSAHEADER}' "$fx/rsa.rpm" 2>/dev/null | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' >"$T/hdr.sig"
[ -s "$T/hdr.sig" ] || printf '\xcd\x01x' >"$T/hdr.sig"	# a lone User ID packet
printf 'garbage\n' >"$T/garbage.key"
kr_ok=1 kr_why=
for kr in "$T/hdr.sig:no usable OpenPGP certificate in it" "$T/garbage.key:cannot load: " "$fx/keys:is a directory" "$T/nokey.asc:No such file or directory"; do
	f=${kr%%:*} want=${kr#*:}
	"$DG" rpm verify --keyring "$f" "$fx/rsa.rpm" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc != 2 ] || [ -s "$T/out" ] || ! grep -qF -- "--keyring $f: $want" "$T/err"; then
		kr_ok=0 kr_why="rpm verify $f: rc=$rc $(cat "$T/err")"
	fi
	wd 60 "$DG" db import --state "$st" --keyring "$f" --rpm "$fx/rsa.rpm" >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc != 2 ] || [ "$(gen_st)" != "$gen" ] || ! grep -qF -- "--keyring $f: $want" "$T/err"; then
		kr_ok=0 kr_why="db import $f: rc=$rc $(cat "$T/err")"
	fi
done
[ $kr_ok = 1 ] && ok "keyring_without_usable_certificate_is_an_error" || nok "keyring_without_usable_certificate_is_an_error" "$kr_why"

# A file of revocations alone gives no certificate: with nothing else it is
# an error (it used to pass as a keyring, and every package was NOT OK);
# next to a file with a certificate it is fine (sqv takes revocations in
# separate files too).
export GNUPGHOME=$T/gnupg-rev
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --faked-system-time "1700000000!" --pinentry-mode loopback --passphrase '' \
	--quick-gen-key "rev <rev@fixtures.digestguard.test>" ed25519 sign never 2>/dev/null
revfpr=$(gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
printf 'y\n1\nfixture revocation\n\ny\n' |
	gpg --yes --no-tty --quiet --faked-system-time "1700003600!" --pinentry-mode loopback \
		--passphrase '' --command-fd 0 -a -o "$T/rev-only.asc" --gen-revoke "$revfpr" 2>/dev/null
gpgconf --kill all >/dev/null 2>&1
unset GNUPGHOME
if [ ! -s "$T/rev-only.asc" ]; then
	nok "keyring_of_revocations_alone_is_an_error" "gpg made no revocation"
else
	"$DG" rpm verify --keyring "$T/rev-only.asc" "$fx/rsa.rpm" >"$T/out" 2>"$T/err"; rc=$?
	wd 60 "$DG" db import --state "$st" --keyring "$T/rev-only.asc" --rpm "$fx/rsa.rpm" >"$T/out2" 2>"$T/err2"; rc2=$?
	[ $rc = 2 ] && [ ! -s "$T/out" ] && grep -qF "rpm verify: --keyring $T/rev-only.asc: no usable OpenPGP certificate in it" "$T/err" &&
		[ $rc2 = 2 ] && [ "$(gen_st)" = "$gen" ] && grep -qF "db import: --keyring $T/rev-only.asc: no usable OpenPGP certificate in it" "$T/err2" &&
		ok "keyring_of_revocations_alone_is_an_error" ||
		nok "keyring_of_revocations_alone_is_an_error" "verify rc=$rc import rc=$rc2" "$(cat "$T/out" "$T/err" "$T/err2")"
	"$DG" rpm verify --keyring "$key" --keyring "$T/rev-only.asc" "$fx/rsa.rpm" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc = 0 ] && grep -q "rsa.rpm: digests signatures OK" "$T/out" &&
		ok "revocations_next_to_a_certificate_are_accepted" ||
		nok "revocations_next_to_a_certificate_are_accepted" "rc=$rc" "$(cat "$T/out" "$T/err")"
fi

# Options anywhere before "--", and --opt=value.
"$DG" rpm verify "$fx/rsa.rpm" --keyring "$key" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "rsa.rpm: digests signatures OK" "$T/out" && ok "verify_accepts_options_after_files" || nok "verify_accepts_options_after_files" "rc=$rc $(cat "$T/err")"
"$DG" rpm verify --keyring="$key" -- "$fx/rsa.rpm" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && ok "verify_accepts_equals_form_and_double_dash" || nok "verify_accepts_equals_form_and_double_dash" "rc=$rc $(cat "$T/err")"
"$DG" rpm digests "$fx/rsa.rpm" --keyring "$key" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "hello.txt" "$T/out" && ok "digests_accepts_options_after_files" || nok "digests_accepts_options_after_files" "rc=$rc $(cat "$T/err")"
wd 60 "$DG" db import --rpm "$fx/rsa.rpm" "$fx/eddsa.rpm" --local "$T/nosuch.sums" --state "$T/st-order" --keyring "$key" >"$T/out" 2>"$T/err"; rc=$?
# eddsa.rpm goes with --rpm (skipped: other key), not with --local.
[ $rc = 2 ] && grep -q "eddsa.rpm: 0 digests from 0 packages, 1 packages skipped" "$T/out" && grep -q "nosuch.sums: No such file" "$T/err" &&
	ok "db_import_operands_stay_with_their_option" || nok "db_import_operands_stay_with_their_option" "rc=$rc" "$(cat "$T/out" "$T/err")"

# rpmkeys --checksig semantics: an unsigned package with a good digest is
# "digests OK", exit 0; a signature is required only to import or list.
"$DG" rpm verify --keyring "$key" "$fx/unsigned.rpm" >"$T/out"; rc=$?
[ $rc = 0 ] && grep -q "unsigned.rpm: digests OK$" "$T/out" && ok "verify_unsigned_package_is_digests_ok_like_rpmkeys" || nok "verify_unsigned_package_is_digests_ok_like_rpmkeys" "rc=$rc $(cat "$T/out")"

# Names RPM allows but the database cannot store (gen-names.sh: a newline in
# a file name or in NAME, a full path of 4100 bytes): only that package is
# skipped, its message names it and escapes the name; --strict fails.
wd 120 bash "$SRC/tests/data/rpm/gen-names.sh" "$fx" >"$T/names.log" 2>&1; rc=$?
if [ $rc = 0 ]; then
	nx=$fx/names
	mkdir -p "$T/npkgs" && cp "$fx/rsa.rpm" "$fx/eddsa.rpm" "$nx"/*.rpm "$T/npkgs/"
	nkeys=(--keyring "$key" --keyring "$fx/keys/eddsa.asc" --keyring "$nx/names.asc")
	wd 60 "$DG" db import --state "$T/nst" "${nkeys[@]}" --rpm "$T/npkgs" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc = 0 ] && grep -q "21 digests from 3 packages, 3 packages skipped" "$T/out" &&
		[ "$(grep -c . "$T/err")" = 3 ] &&
		grep -qF 'newline-file.rpm: file name holds a newline, which the digest database cannot store: "/usr/share/dgtest/name with\nspace.txt"' "$T/err" &&
		grep -qF 'newline-name.rpm: package name holds a newline, which the digest database cannot store: "unsi\nned-1.0-1.noarch"' "$T/err" &&
		grep -q "long-path.rpm: file path of 4100 bytes exceeds the digest database's limit of 4096: \"/usr/share/dgtest/d*\.\.\.\"$" "$T/err" &&
		ok "db_import_skips_package_with_unstorable_name" ||
		nok "db_import_skips_package_with_unstorable_name" "rc=$rc" "$(cat "$T/out" "$T/err")"
	h=$("$DG" rpm digests --keyring "$nx/names.asc" "$nx/good.rpm" | awk '/hello.txt/ {print $1}')
	"$DG" db lookup --state "$T/nst" "$h" >"$T/out"; rc=$?
	[ $rc = 0 ] && grep -q "unsigned-1.0-1.noarch /usr/share/dgtest/hello.txt" "$T/out" &&
		ok "db_import_keeps_good_packages_beside_unstorable_names" ||
		nok "db_import_keeps_good_packages_beside_unstorable_names" "rc=$rc $(cat "$T/out")"
	gen=$("$DG" db stats --state "$T/nst" | awk '/^generation:/ {print $2}')
	rm "$T/npkgs/rsa.rpm" "$T/npkgs/eddsa.rpm" "$T/npkgs/long-path.rpm" "$T/npkgs/newline-name.rpm"
	wd 60 "$DG" db import --state "$T/nst" --strict "${nkeys[@]}" --rpm "$T/npkgs" >/dev/null 2>"$T/err"; rc=$?
	gen2=$("$DG" db stats --state "$T/nst" | awk '/^generation:/ {print $2}')
	# Exit 2 like any input the import cannot take (db.c map_exit()), 1
	# is kept for signatures.
	[ $rc = 2 ] && [ -n "$gen" ] && [ "$gen" = "$gen2" ] && grep -q "newline-file.rpm: file name holds a newline" "$T/err" &&
		grep -q "nothing committed" "$T/err" && ok "db_import_strict_fails_on_unstorable_name" ||
		nok "db_import_strict_fails_on_unstorable_name" "rc=$rc gen $gen -> $gen2" "$(cat "$T/err")"
elif [ $rc = 77 ]; then
	skip "db_import_unstorable_names" "$(tail -n 1 "$T/names.log")"
else
	nok "db_import_unstorable_names_fixtures_generated" "$(tail -n 5 "$T/names.log")"
fi

# On a terminal (script(1) gives it one) the import shows a progress line;
# redirected, as above, it does not.
if command -v script >/dev/null; then
	wd 60 script -qec "'$DG' db import --state '$T/st-tty' --keyring '$key' --keyring '$fx/keys/eddsa.asc' --rpm '$T/pkgs'" /dev/null >"$T/tty" 2>&1
	# the same import with stdout and stderr redirected to files
	wd 60 "$DG" db import --state "$T/st-notty" --keyring "$key" --keyring "$fx/keys/eddsa.asc" --rpm "$T/pkgs" \
		>"$T/notty.out" 2>"$T/notty.err"; rc=$?
	grep -aq "packages imported, .* skipped, .* digests" "$T/tty" && [ $rc = 0 ] && [ -s "$T/notty.err" ] &&
		! grep -aq "packages imported" "$T/notty.out" "$T/notty.err" \
		&& ok "db_import_rpm_progress_line_on_a_terminal_only" \
		|| nok "db_import_rpm_progress_line_on_a_terminal_only" "terminal: $(tr '\r' '\n' < "$T/tty" | tail -n 3)" \
			"redirected (rc=$rc): $(tr '\r' '\n' < "$T/notty.err" | grep "packages imported" | tail -n 1)"
else
	skip "db_import_rpm_progress_line_on_a_terminal_only" "script(1) not installed"
fi
done_testing
