#!/usr/bin/env bash
# digestguard deb digests and db import --deb / --apt-lists, on the
# generated fixtures (tests/data/deb/gen.sh): the file digests must equal
# what dpkg-deb extracts and sha256sum hashes, for every data.tar
# compression dpkg-deb writes and for pax and ustar data.tar, and a database built from them must know
# every extracted regular file.
. "$(dirname "$0")/lib.bash"

in_build deb_digests deb digests --help || { done_testing; exit; }
for t in dpkg-deb tar sha256sum; do
	command -v $t >/dev/null || { skip "deb_digests" "$t not installed"; done_testing; exit; }
done
deb_fixtures deb_digests_fixtures || { done_testing; exit; }
K=$fx/keys/rsa.gpg
IR=$fx/dists/tree/InRelease
P=$fx/dists/tree/main/binary-amd64/Packages
chain=(--keyring "$K" --inrelease "$IR" --packages "$P")

# ref_digests DEB DIR: "HEX  /path" per regular file (hard links
# included: each name is a regular file) that dpkg-deb extracts into DIR,
# hashed by sha256sum; sorted.
ref_digests() {
	local deb=$1 dir=$2
	rm -rf "$dir"; mkdir -p "$dir"
	wd 60 dpkg-deb -x "$deb" "$dir" || return 1
	# --zero: names as they are (no escaping of a backslash), ended by NUL
	(cd "$dir" && find . -type f -print0 | xargs -0 -r sha256sum --zero) | tr '\0' '\n' |
		sed 's|^\([0-9a-f]\{64\}\)  \./|\1  /|' | LC_ALL=C sort
}

ncomp=0
for deb in "$fx"/pool-tree/*.deb; do
	z=${deb##*/dgtest-tree-}; z=${z%%_*}
	ref_digests "$deb" "$T/x-$z" >"$T/want-$z" || { nok "reference_for_$z" "dpkg-deb -x failed"; continue; }
	wd 60 "$DG" deb digests "${chain[@]}" "$deb" >"$T/got" 2>"$T/err"; rc=$?
	LC_ALL=C sort "$T/got" >"$T/got-$z"
	if [ $rc = 0 ] && [ -s "$T/want-$z" ] && cmp -s "$T/want-$z" "$T/got-$z"; then
		ok "digests_of_${z}_data_tar_equal_dpkg_deb_and_sha256sum ($(wc -l <"$T/got-$z") files)"
	else
		nok "digests_of_${z}_data_tar_equal_dpkg_deb_and_sha256sum" "rc=$rc $(head -n 3 "$T/err")" \
			"$(diff "$T/want-$z" "$T/got-$z" | head -n 8)"
	fi
	ncomp=$((ncomp + 1))
done
[ $ncomp = 7 ] && ok "every_compression_was_compared" || nok "every_compression_was_compared" "only $ncomp packages"
# The tree holds what must and must not be listed.
grep -q "/usr/share/dgtest-tree/with space.txt$" "$T/got-xz" && grep -q "/caf.*\.txt$" "$T/got-xz" &&
	grep -q "/dddd*/ffff*$" "$T/got-xz" && grep -q "/bbbb*/x.txt$" "$T/got-xz" &&
	ok "long_prefixed_spaced_and_utf8_names_are_listed" ||
	nok "long_prefixed_spaced_and_utf8_names_are_listed" "$(cat "$T/got-xz")"
! grep -q "/link$\|/$" "$T/got-xz" && grep -q "/big-hardlink.txt$" "$T/got-xz" && grep -q "/big.txt$" "$T/got-xz" &&
	[ "$(grep -c "^$(sha256sum <"$T/x-xz/usr/share/dgtest-tree/big.txt" | cut -c1-64)  " "$T/got-xz")" = 2 ] &&
	grep -q "/zz-long-hardlink$" "$T/got-xz" && grep -q "/zz-long-hardlink$" "$T/got-pax" &&
	ok "hard_links_are_listed_with_their_targets_digest_symlinks_and_directories_are_not" ||
	nok "hard_links_are_listed_with_their_targets_digest_symlinks_and_directories_are_not" "$(cat "$T/got-xz")"

# --tag: BSD style, the same digests.
wd 60 "$DG" deb digests --tag "${chain[@]}" "$fx/pool-tree/dgtest-tree-gzip_1.0-1_all.deb" >"$T/tag"; rc=$?
sed -E 's/^SHA256 \((.*)\) = ([0-9a-f]{64})$/\2  \1/' "$T/tag" | LC_ALL=C sort >"$T/tag-as-sum"
[ $rc = 0 ] && cmp -s "$T/tag-as-sum" "$T/want-gzip" && grep -q '^SHA256 (/' "$T/tag" &&
	ok "tag_lines_carry_the_same_digests" || nok "tag_lines_carry_the_same_digests" "rc=$rc $(head -n 2 "$T/tag")"

# The first suite's packages through their own chain.
wd 60 "$DG" deb digests --keyring "$K" --inrelease "$fx/dists/test/InRelease" \
	--packages "$fx/dists/test/main/binary-amd64/Packages.xz" \
	"$fx/pool/main/d/dgtest-tool/dgtest-tool_2.0-1_amd64.deb" >"$T/got" 2>"$T/err"; rc=$?
ref_digests "$fx/pool/main/d/dgtest-tool/dgtest-tool_2.0-1_amd64.deb" "$T/x-tool" >"$T/want"
LC_ALL=C sort "$T/got" | cmp -s - "$T/want" && [ $rc = 0 ] &&
	ok "digests_through_a_compressed_packages_file" ||
	nok "digests_through_a_compressed_packages_file" "rc=$rc $(cat "$T/err")" "$(LC_ALL=C sort "$T/got" | diff "$T/want" - | head -n 5)"

# Not listed: nothing parsed, nothing printed, exit 1 with the reason.
wd 60 "$DG" deb digests "${chain[@]}" "$fx/bad/dgtest-stray_1.0-1_all.deb" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && [ ! -s "$T/out" ] && grep -q "dgtest-stray_1.0-1_all.deb: not listed in" "$T/err" &&
	ok "unlisted_deb_prints_no_digest" || nok "unlisted_deb_prints_no_digest" "rc=$rc $(cat "$T/out" "$T/err")"
wd 60 "$DG" deb digests --tag "${chain[@]}" --bogus x.deb >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "unknown option" "$T/err" && ok "digests_unknown_option_is_usage_error" ||
	nok "digests_unknown_option_is_usage_error" "rc=$rc $(cat "$T/err")"
wd 60 "$DG" deb verify --tag "${chain[@]}" x.deb >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "'--tag' is for 'deb digests'" "$T/err" && ok "tag_is_only_for_digests" ||
	nok "tag_is_only_for_digests" "rc=$rc $(cat "$T/err")"

# db import --deb: every extracted regular file is then known by content.
S=$T/state
wd 120 "$DG" db import --state "$S" "${chain[@]}" --deb "$fx/pool-tree" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "pool-tree: [0-9]* digests from 7 packages, 0 packages skipped" "$T/out" &&
	ok "db_import_deb_directory" || nok "db_import_deb_directory" "rc=$rc $(cat "$T/out" "$T/err")"
find "$T/x-xz" -type f >"$T/files"
all=1
while IFS= read -r f; do
	wd 10 "$DG" db check --state "$S" "$f" >/dev/null 2>&1 || { all=0; echo "# not found: $f"; }
done <"$T/files"
[ $all = 1 ] && [ -s "$T/files" ] && ok "db_check_finds_every_extracted_file" || nok "db_check_finds_every_extracted_file"
wd 10 "$DG" db lookup --state "$S" "$(sha256sum <"$T/x-xz/usr/bin/dgtest-tree" | cut -c1-64)" >"$T/out"; rc=$?
[ $rc = 0 ] && grep -q "dgtest-tree-.*_1.0-1_all /usr/bin/dgtest-tree" "$T/out" &&
	ok "db_lookup_names_package_version_arch_and_path" ||
	nok "db_lookup_names_package_version_arch_and_path" "rc=$rc $(cat "$T/out")"

# A package not listed is reported and skipped; --strict fails the import.
mkdir -p "$T/mixed"; cp "$fx/pool-tree/dgtest-tree-xz_1.0-1_all.deb" "$fx/bad/dgtest-stray_1.0-1_all.deb" "$T/mixed/"
wd 120 "$DG" db import --state "$T/s2" "${chain[@]}" --deb "$T/mixed" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "1 packages, 1 packages skipped" "$T/out" && grep -q "dgtest-stray.*not listed" "$T/err" &&
	ok "db_import_skips_an_unlisted_deb" || nok "db_import_skips_an_unlisted_deb" "rc=$rc $(cat "$T/out" "$T/err")"
wd 120 "$DG" db import --state "$T/s3" --strict "${chain[@]}" --deb "$T/mixed" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && [ ! -e "$T/s3/current" ] && ok "db_import_strict_fails_on_an_unlisted_deb" ||
	nok "db_import_strict_fails_on_an_unlisted_deb" "rc=$rc $(cat "$T/err")"
# A chain that does not hold: nothing imported, exit 1.
wd 120 "$DG" db import --state "$T/s4" --keyring "$fx/keys/other.gpg" --inrelease "$IR" --packages "$P" \
	--deb "$fx/pool-tree" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "no valid signature" "$T/err" && ok "db_import_deb_with_a_foreign_keyring_fails" ||
	nok "db_import_deb_with_a_foreign_keyring_fails" "rc=$rc $(cat "$T/err")"

# --release: a Release with its Release.gpg instead of an InRelease.
hello=$fx/pool/main/d/dgtest-hello/dgtest-hello_1.0-1_all.deb
wd 120 "$DG" db import --state "$T/s8" --keyring "$K" --release "$fx/dists/test/Release" \
	--packages "$fx/dists/test/main/binary-amd64/Packages.xz" --deb "$hello" >"$T/out" 2>"$T/err"; rc=$?
want=$(dpkg-deb --fsys-tarfile "$hello" | tar -xO ./usr/share/doc/dgtest-hello/hello.txt | sha256sum | cut -c1-64)
wd 10 "$DG" db lookup --state "$T/s8" "$want" >"$T/look" 2>&1; lrc=$?
[ $rc = 0 ] && grep -q "from 1 packages, 0 packages skipped" "$T/out" && [ $lrc = 0 ] &&
	grep -q "/usr/share/doc/dgtest-hello/hello.txt" "$T/look" &&
	ok "db_import_deb_with_a_release_and_its_gpg" ||
	nok "db_import_deb_with_a_release_and_its_gpg" "rc=$rc lookup rc=$lrc $(cat "$T/out" "$T/err" "$T/look")"

# --apt-lists: a lists directory named as apt names its files.
L=$T/lists; mkdir -p "$L"
cp "$IR" "$L/example.org_debian_dists_tree_InRelease"
xz -c "$P" >"$L/example.org_debian_dists_tree_main_binary-amd64_Packages.xz"
cp "$fx/inrelease/InRelease-otherkey" "$L/example.org_debian_dists_other_InRelease"
# The Release form as apt keeps it (_Release and _Release.gpg) for the
# "test" suite; a _Release beside an _InRelease is not read (apt uses the
# InRelease: this one is garbage), one without its .gpg is reported.
cp "$fx/dists/test/Release" "$L/example.org_debian_dists_test_Release"
cp "$fx/dists/test/Release.gpg" "$L/example.org_debian_dists_test_Release.gpg"
cp "$fx/dists/test/main/binary-amd64/Packages" "$L/example.org_debian_dists_test_main_binary-amd64_Packages"
printf 'garbage\n' >"$L/example.org_debian_dists_tree_Release"
cp "$fx/dists/test/Release" "$L/example.org_debian_dists_nosig_Release"
mkdir -p "$T/debs"; cp "$fx"/pool-tree/*.deb "$fx/pool/main/d/dgtest-hello/dgtest-hello_1.0-1_all.deb" "$T/debs/"
wd 120 "$DG" db import --state "$T/s5" --keyring "$K" --apt-lists "$L" --debs "$T/debs" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "2 signed Release files (InRelease, or Release with Release.gpg) and 2 Packages files verified" "$T/out" &&
	grep -q "from 8 packages, 0 packages skipped" "$T/out" && grep -q "dists_other_InRelease: no valid signature" "$T/err" &&
	grep -q "dists_nosig_Release.gpg: No such file" "$T/err" && ! grep -q "dists_tree_Release" "$T/err" &&
	ok "db_import_apt_lists_takes_both_release_forms_skips_bad_ones_and_imports_the_rest" ||
	nok "db_import_apt_lists_takes_both_release_forms_skips_bad_ones_and_imports_the_rest" "rc=$rc $(cat "$T/out" "$T/err")"
wd 60 "$DG" db import --state "$T/s6" --keyring "$K" --apt-lists "$L" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "needs --debs DIR" "$T/err" && ok "apt_lists_without_debs_is_usage_error" ||
	nok "apt_lists_without_debs_is_usage_error" "rc=$rc $(cat "$T/err")"
# --apt-lists that names no directory, or one without lists, is an input
# error (2, as --rpm DIR without a package); lists that are there but none
# of which verifies is the chain saying no (1).
wd 60 "$DG" db import --state "$T/s9" --keyring "$K" --apt-lists "$T/nosuch-lists" --debs "$T/debs" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard db import: --apt-lists $T/nosuch-lists: No such file or directory" "$T/err" &&
	ok "apt_lists_missing_directory_is_input_error" || nok "apt_lists_missing_directory_is_input_error" "rc=$rc $(cat "$T/err")"
wd 60 "$DG" db import --state "$T/s9" --keyring "$K" --apt-lists "$L" --debs "$T/nosuch-debs" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard db import: --debs $T/nosuch-debs: No such file or directory" "$T/err" &&
	ok "debs_missing_directory_is_input_error" || nok "debs_missing_directory_is_input_error" "rc=$rc $(cat "$T/err")"
mkdir -p "$T/nolists"
wd 60 "$DG" db import --state "$T/s9" --keyring "$K" --apt-lists "$T/nolists" --debs "$T/debs" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard db import: --apt-lists $T/nolists: no \*_InRelease" "$T/err" &&
	ok "apt_lists_directory_without_lists_is_input_error" || nok "apt_lists_directory_without_lists_is_input_error" "rc=$rc $(cat "$T/err")"
wd 60 "$DG" db import --state "$T/s9" --keyring "$fx/keys/eddsa.gpg" --apt-lists "$L" --debs "$T/debs" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "^digestguard db import: --apt-lists $L: no \*_InRelease" "$T/err" && [ ! -e "$T/s9/current" ] &&
	ok "apt_lists_none_verifying_fails_the_import" || nok "apt_lists_none_verifying_fails_the_import" "rc=$rc $(cat "$T/err")"
wd 60 "$DG" db import --state "$T/s7" --keyring "$K" --deb "$fx/pool-tree" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q -- "--deb needs --inrelease FILE (or --release FILE) and --packages FILE" "$T/err" &&
	ok "deb_without_its_chain_is_usage_error" || nok "deb_without_its_chain_is_usage_error" "rc=$rc $(cat "$T/err")"
done_testing
