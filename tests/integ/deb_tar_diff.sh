#!/usr/bin/env bash
# Differential test of `deb digests` against dpkg-deb -x (GNU tar) on
# data.tar streams no archiver writes: the "tar" suite of the generated
# repository (tests/data/deb/gen.sh, streams made by gen-tars.py).  For
# every package, digestguard must list what dpkg-deb -x extracts (each
# regular file's path and SHA-256, as find -type f and sha256sum see it),
# or refuse it where dpkg-deb -x fails too.  Where digestguard is known to
# differ (tar_differs below, and docs/deb.md "Differences with dpkg-deb
# -x"), the difference must be the one listed: "refused" (digestguard
# fails the package, dpkg-deb -x extracts it).
. "$(dirname "$0")/lib.bash"

in_build deb_tar_diff deb digests --help || { done_testing; exit; }
for t in dpkg-deb sha256sum; do
	command -v $t >/dev/null || { skip "deb_tar_diff" "$t not installed"; done_testing; exit; }
done
deb_fixtures deb_tar_diff_fixtures || { done_testing; exit; }
chain=(--keyring "$fx/keys/rsa.gpg" --inrelease "$fx/dists/tar/InRelease"
	--packages "$fx/dists/tar/main/binary-amd64/Packages")

# CASE -> "KIND|WHY"
declare -A tar_differs=(
	[hardlink-with-size]="refused|tar and dpkg read no data for a hard link whatever its size field says: the bytes it claims are the next entries to them (an /usr/hidden no walk that skips the size sees); a size that is not 0 is refused"
	[symlink-with-size]="refused|the same for a symbolic link"
	[directory-with-size]="refused|the same for a directory"
	[fifo-with-size]="refused|the same for a FIFO"
	[file-slash-with-size]="refused|a regular file named with a trailing '/' is a directory to tar, which reads no data for it, and a file to dpkg"
	[file-named-with-slash]="refused|a regular file named with a trailing '/' is a directory to tar and a file to dpkg (which then fails on the file below it)"
	[oldfile-named-with-slash]="refused|the same for an old-style (type NUL) regular file"
	[contiguous-named-with-slash]="refused|the same for a contiguous (type 7) file"
	[global-pax-path]="refused|a pax global header's path applies to every later entry in tar; digestguard reads no path from a 'g' header"
	[pax-sparse-name]="refused|GNU.sparse.* records rename or expand the entry in tar; sparse files are not supported"
	[gnu-sparse-type]="refused|an 'S' entry is a GNU sparse file, whose bytes tar expands; sparse files are not supported"
	[unknown-type]="refused|tar extracts an unknown type as a regular file, dpkg refuses it; only the types dpkg installs are taken"
	[two-pax-headers]="refused|two 'x' headers before one entry: tar takes the last, other readers merge them; ambiguous"
	[pax-global-pax-entry]="refused|a 'g' header between an 'x' header and its entry: ambiguous between readers"
	[gnu-magic-with-prefix]="refused|GNU headers keep times where ustar has its prefix: bytes there are read by some readers as a prefix"
	[name-with-newline]="refused|a path with a control character is not listed in any spelling"
	[hardlink-to-symlink]="refused|a hard link must resolve to a regular file (docs/deb.md)"
	[second-data-member]="refused|dpkg-deb -x extracts the first data member and ignores a second one; digestguard refuses a .deb with two"
	[file-through-symlinked-directory]="refused|tar writes the file through the symbolic link to a directory of the same archive, elsewhere than its name says (or fails, when the link's target is absolute or has \"..\"); an entry below anything but a directory is refused"
)

# ref_digests DEB DIR: "HEX  /path" of what dpkg-deb -x extracts, sorted
ref_digests() {
	rm -rf "$2"; mkdir -p "$2"
	wd 60 dpkg-deb -x "$1" "$2" 2>"$T/ref.err" || return 1
	(cd "$2" && find . -type f -print0 | xargs -0 -r sha256sum --zero) | tr '\0' '\n' |
		sed 's|^\([0-9a-f]\{64\}\)  \./|\1  /|' | LC_ALL=C sort
}

ncase=0
for deb in "$fx"/pool-tar/*.deb; do
	c=${deb##*/dgtest-tar-}; c=${c%%_*}
	ncase=$((ncase + 1))
	ref_digests "$deb" "$T/x" >"$T/want"; rrc=$?
	wd 60 "$DG" deb digests "${chain[@]}" "$deb" >"$T/got.raw" 2>"$T/err"; rc=$?
	LC_ALL=C sort "$T/got.raw" >"$T/got"
	kind=${tar_differs[$c]:-}
	why=${kind#*|} kind=${kind%%|*}
	case $kind in
	refused)
		if [ $rrc = 0 ] && [ $rc = 1 ] && [ ! -s "$T/got" ] &&
			grep -qF "$deb" "$T/err"; then
			ok "${c}_refused_where_dpkg_deb_extracts_as_documented"
			echo "# ${why}; digestguard: $(head -c 200 "$T/err")"
		else
			nok "${c}_refused_where_dpkg_deb_extracts_as_documented" "dpkg-deb rc=$rrc, digestguard rc=$rc" \
				"$(head -n 2 "$T/err")" "$(diff "$T/want" "$T/got" | head -n 6)"
		fi ;;
	*)
		if [ $rrc = 0 ] && [ $rc = 0 ] && cmp -s "$T/want" "$T/got"; then
			ok "${c}_lists_what_dpkg_deb_extracts ($(wc -l <"$T/got") files)"
		elif [ $rrc != 0 ] && [ $rc = 1 ] && [ ! -s "$T/got" ] && grep -qF "$deb" "$T/err"; then
			ok "${c}_refused_as_dpkg_deb_fails"
			echo "# dpkg-deb: $(tail -n 1 "$T/ref.err"); digestguard: $(head -c 200 "$T/err")"
		else
			nok "${c}_lists_what_dpkg_deb_extracts" "dpkg-deb rc=$rrc, digestguard rc=$rc" \
				"digestguard: $(head -n 2 "$T/err")" "dpkg-deb: $(tail -n 1 "$T/ref.err")" \
				"$(diff "$T/want" "$T/got" | head -n 6)"
		fi ;;
	esac
	grep -q ": deb: deb:" "$T/err" && doubled=${doubled:-$c}
done
# The handler's messages come prefixed once with its name (by libumd).
[ -z "${doubled:-}" ] && ok "refusals_name_the_handler_once" ||
	nok "refusals_name_the_handler_once" "first in case $doubled"
[ $ncase -ge 34 ] && ok "every_tar_case_was_compared ($ncase)" || nok "every_tar_case_was_compared" "only $ncase packages"
done_testing
