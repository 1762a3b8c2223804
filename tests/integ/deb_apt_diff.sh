#!/usr/bin/env bash
# Differential test against apt itself: every case of the generated
# repository's cases.txt (tests/data/deb/gen.sh) is put into a private
# file: repository and given to the real apt-get (update, then download of
# the .deb), in a private apt root with none of this machine's apt
# configuration.  For each case
#   apt's verdict        == the reference verdict of cases.txt (ref_verdict,
#                           gen.sh's re-implementation of apt's rules), and
#   digestguard's verdict == apt's (the Package, Version and Architecture of
#                           an OK too, as apt-cache shows them).
# Verdicts: ok, not-listed (the .deb), bad-signature, expired,
# not-valid-yet, packages-not-listed, packages-malformed, release-malformed
# (the chain); apt's messages map to them in apt_update_class and
# apt_verdict below (apt's refusal of a Release with only MD5Sum and SHA1,
# "provides only weak security information", is packages-not-listed: no
# strong entry to be listed in).
# Where apt is known to differ (apt_differs below, and docs/deb.md
# "Differences with apt"), apt's verdict must be the one listed there and
# digestguard's the reference's.
# apt fetches exactly the case's Packages file (only its compression
# allowed; the worker debug output must name that file).  apt and the
# fixtures read the same clock: the dates the cases test are 2023
# (expired), 2053 (valid) and 2100 (not valid yet).
. "$(dirname "$0")/lib.bash"

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
DG=${DG:-$BUILD/src/cli/digestguard}
export LC_ALL=C TZ=UTC
unset APT_CONFIG

for t in apt-get apt-cache dpkg-deb; do
	command -v $t >/dev/null || { skip "deb_apt_diff" "$t not installed (Debian package apt)"; done_testing; exit; }
done
in_build deb_apt_diff deb --help || { done_testing; exit; }
deb_fixtures deb_apt_diff_fixtures || { done_testing; exit; }

# signed_text FILE: the text of a Release or of a cleartext-signed
# InRelease, without the armor (only to read where it lists things; apt
# and digestguard check the signature)
signed_text() {
	awk '/^-----BEGIN PGP SIGNED MESSAGE-----$/ { hdr = 1; next }
		hdr && /^$/ { hdr = 0; next } hdr { next }
		/^-----BEGIN PGP SIGNATURE-----$/ { exit } { sub(/^- /, ""); print }' "$1"
}

# apt_setup DIR KEYRING: a private apt root in DIR/root, a repository in
# DIR/repo, DIR/apt.conf for APT_CONFIG (read before /etc/apt: its
# Dir::Etc::parts and main keep the machine's configuration out).
apt_setup() {
	local d=$1 kr=$2 root=$1/root
	mkdir -p "$root/etc/apt.conf.d" "$root/etc/preferences.d" "$root/state/lists/partial" \
		"$root/cache/archives/partial" "$root/log" "$d/repo" "$d/dl"
	: >"$root/status"
	cat >"$d/apt.conf" <<-EOF
	Dir "$root/";
	Dir::Etc "$root/etc/";
	Dir::Etc::main "/dev/null";
	Dir::Etc::parts "$root/etc/apt.conf.d/";
	Dir::Etc::preferences "/dev/null";
	Dir::Etc::preferencesparts "$root/etc/preferences.d/";
	Dir::Etc::sourcelist "$root/sources.list";
	Dir::Etc::sourceparts "-";
	Dir::Etc::trusted "-";
	Dir::Etc::trustedparts "-";
	Dir::State "$root/state/";
	Dir::State::status "$root/status";
	Dir::Cache "$root/cache/";
	Dir::Log "$root/log/";
	Debug::NoLocking "1";
	APT::Sandbox::User "root";
	APT::Architecture "amd64";
	APT::Architectures { "amd64"; };
	Acquire::Languages "none";
	Acquire::Retries "0";
	Acquire::Check-Date "true";
	Acquire::Check-Valid-Until "true";
	Acquire::Max-FutureTime "10";
	EOF
}
# apt D ARG...: apt-get (or apt-cache: A=apt-cache) with D's configuration
apt() { local d=$1; shift; APT_CONFIG=$d/apt.conf wd 120 "${A:-apt-get}" "$@"; }

# apt_update_class LOG RC: the verdict of apt-get update's messages
# ("chain-ok" when it fetched everything and said nothing)
apt_update_class() {
	local log=$1 urc=$2
	if grep -q -e "is not signed" -e "NO_PUBKEY" -e "BADSIG" -e "signatures were invalid" \
		-e "signatures couldn't be verified" -e "Clearsigned file isn't valid" "$log"; then echo bad-signature
	elif grep -q "is expired" "$log"; then echo expired
	elif grep -q "is not valid yet" "$log"; then echo not-valid-yet
	elif grep -q -e "Hash Sum mismatch" -e "File has unexpected size" -e "No Hash entry in Release file" "$log"; then
		echo packages-not-listed
	elif [ "$urc" = 0 ] && ! grep '^[WE]:' "$log" | grep -qv "^W: Invalid 'Date' entry in Release file "; then echo chain-ok
	else echo "unclassified(update exit $urc)"
	fi
}

url_decode() {	# the %XX escapes of apt's worker debug lines, on stdin
	local l
	while IFS= read -r l; do
		l=${l//\\/%5c}
		printf '%b\n' "${l//%/\\x}"
	done
}

ext_of() {	# PACKAGES-FILE: apt's compression type and the name's suffix
	case $1 in
	*.gz) echo "gz .gz" ;; *.xz) echo "xz .xz" ;; *.bz2) echo "bz2 .bz2" ;;
	*.lz4) echo "lz4 .lz4" ;; *.zst) echo "zst .zst" ;; *) echo "uncompressed -" ;;
	esac
}

# apt_verdict NAME KEYRING FORM INRELEASE PACKAGES DEB: apt's verdict in
# $av, its messages in $amsg, an OK's "PACKAGE VERSION ARCH" in $adetail;
# $askip set when the case cannot be given to apt.
apt_verdict() {
	local name=$1 kr=$2 form=$3 inr=$4 pk=$5 deb=$6 d=$T/apt/c$ncases
	local suite mpath comp type sfx pkg ver uri dest dlrc got
	av='' amsg='' adetail='' askip=''
	apt_setup "$d" "$kr"
	suite=$(signed_text "$inr" | sed -n '0,/^$/s/^Codename: //p')
	# where the signed text lists the amd64 Packages (any hash field:
	# the one with only MD5Sum and SHA1 lists it too)
	mpath=$(signed_text "$inr" | awk '/^ / && NF == 3 && $3 ~ /^[^\/]+\/binary-amd64\/Packages$/ { print $3; exit }')
	if [ -z "$suite" ] || [ -z "$mpath" ]; then
		askip="its Release names no Codename or lists no */binary-amd64/Packages: no place for apt to fetch from"; return
	fi
	comp=${mpath%%/*}
	read -r type sfx < <(ext_of "$pk")
	[ "$sfx" = - ] && sfx=''
	mkdir -p "$d/repo/dists/$suite/${mpath%/*}"
	case $form in
	--release) cp "$inr" "$d/repo/dists/$suite/Release"; cp "$inr.gpg" "$d/repo/dists/$suite/Release.gpg" ;;
	*) cp "$inr" "$d/repo/dists/$suite/InRelease" ;;
	esac
	cp "$pk" "$d/repo/dists/$suite/$mpath$sfx"
	echo "deb [signed-by=$kr] file:$d/repo $suite $comp" >"$d/root/sources.list"
	# Only the case's compression: apt tries the listed types in turn, and
	# its file method offers an uncompressed file beside a compressed name
	# that apt then checks against the compressed entry.  The worker debug
	# output shows which file apt read.
	apt "$d" update -o "Acquire::IndexTargets::deb::Packages::CompressionTypes=$type" \
		-o Debug::pkgAcquire::Worker=1 </dev/null >"$d/update.log" 2>&1; urc=$?
	grep -v -e '^ [-<]' -e '^ ->' "$d/update.log" | grep -v '^Version:' >"$d/update.msg"
	amsg=$(grep -e '^[WE]:' -e '^Err:' "$d/update.msg" | tr '\n' ' ')
	av=$(apt_update_class "$d/update.msg" $urc)
	# apt read the case's file: the file method's "201 URI Done" of the
	# Packages names it, and nothing else (no Alt-Filename).  A chain that
	# failed before the Packages was fetched names none.
	got=$(grep '^ <- file:201%20URI%20Done' "$d/update.log" | sed 's/^ <- file://' | url_decode |
		awk -v dir="$d/repo/dists/$suite/${mpath%/*}/" '/^(Alt-)?Filename: / && index($2, dir) == 1 { print $1, $2 }' | sort -u)
	if { [ "$av" = chain-ok ] || [ -n "$got" ]; } && [ "$got" != "Filename: $d/repo/dists/$suite/$mpath$sfx" ]; then
		av="apt read '$got', not the case's $mpath$sfx"; return
	fi
	[ "$av" = chain-ok ] || return 0
	pkg=$(dpkg-deb -f "$deb" Package) ver=$(dpkg-deb -f "$deb" Version)
	# Where apt fetches PKG=VERSION from: its Filename in the Packages text.
	if ! apt "$d" download --print-uris "$pkg=$ver" </dev/null >"$d/uris" 2>"$d/uris.err"; then
		if grep -q -e "Unable to locate package" -e "Version '.*' for '.*' was not found" "$d/uris.err"; then
			av=not-listed amsg=$(tr '\n' ' ' <"$d/uris.err")
		else
			av="unclassified(print-uris)" amsg=$(tr '\n' ' ' <"$d/uris.err")
		fi
		return
	fi
	uri=$(sed -n "s/^'\(file:[^']*\)' .*/\1/p" "$d/uris")
	dest=$(printf '%s\n' "${uri#file:}" | url_decode)
	case $dest in
	"$d/repo/"*) ;;
	*) av="unclassified(uri '$uri')"; return ;;
	esac
	mkdir -p "$(dirname "$dest")"
	cp "$deb" "$dest"
	(cd "$d/dl" && APT_CONFIG=$d/apt.conf wd 120 apt-get download "$pkg=$ver" </dev/null >"$d/dl.log" 2>&1); dlrc=$?
	amsg=$(grep -e '^[WE]:' -e '^Err:' "$d/dl.log" | tr '\n' ' ')
	if [ $dlrc = 0 ] && [ -z "$amsg" ] && [ "$(find "$d/dl" -type f | wc -l)" = 1 ] &&
		cmp -s "$deb" "$(find "$d/dl" -type f)"; then
		av=ok
		adetail=$(A=apt-cache apt "$d" show "$pkg=$ver" </dev/null 2>/dev/null |
			awk -F': ' '$1 == "Package" { p = $2 } $1 == "Version" { v = $2 } $1 == "Architecture" { a = $2 }
				/^$/ { exit } END { print p, v, a }')
	elif grep -q -e "Hash Sum mismatch" -e "File has unexpected size" "$d/dl.log"; then
		av=not-listed
	else
		av="unclassified(download exit $dlrc)" amsg="$amsg $(tail -n 3 "$d/dl.log" | tr '\n' ' ')"
	fi
}

# dg_verdict FORM INRELEASE PACKAGES DEB KEYRING: digestguard's verdict in
# $dv (as deb_cli.sh reads its output), an OK's detail in $ddetail
dg_verdict() {
	local form=$1 inr=$2 pk=$3 deb=$4 kr=$5 out
	wd 60 "$DG" deb verify --keyring "$kr" "$form" "$inr" --packages "$pk" "$deb" </dev/null >"$T/out" 2>"$T/err"; rc=$?
	out=$(cat "$T/out") dv='' ddetail=''
	if [ $rc = 0 ] && [[ $out == "$deb: OK ("*")" ]]; then
		dv=ok ddetail=${out#"$deb: OK ("}; ddetail=${ddetail%)}
	elif [ $rc = 1 ] && [ "$out" = "$deb: NOT OK (not listed in $pk)" ]; then
		dv=not-listed
	elif [ $rc = 1 ] && [ -z "$out" ] && [ "$(grep -c . "$T/err")" = 1 ]; then
		if grep -qF "$inr: no valid signature" "$T/err"; then dv=bad-signature
		elif grep -F "$inr" "$T/err" | grep -q "expired"; then dv=expired
		elif grep -F "$inr" "$T/err" | grep -q "not valid yet"; then dv=not-valid-yet
		elif grep -F "$pk" "$T/err" | grep -q "not listed in" || grep -F "$inr" "$T/err" | grep -q "no SHA256 field"; then
			dv=packages-not-listed
		elif grep -F "$pk" "$T/err" | grep -q "deb: Packages line"; then
			dv=packages-malformed
		elif grep -F "$inr" "$T/err" | grep -q "deb: Release line"; then
			dv=release-malformed
		fi
	fi
	[ -n "$dv" ] || dv="unclassified(exit $rc)"
}

# NAME -> "APT-VERDICT|WHY": the cases where apt decides otherwise than
# its chain as the reference (and digestguard) model it.
declare -A apt_differs=(
	[deb_of_a_second_paragraph_of_the_same_version_is_listed]="not-listed|apt keeps one paragraph per package, version and architecture, the first, and downloads by its SHA256 only (Hash Sum mismatch for the second's .deb); digestguard takes a .deb whose SHA-256 and size any paragraph of the signed text lists, as the archive signed both"
	[deb_with_a_wrong_md5sum_beside_its_sha256_is_listed]="not-listed|apt checks every hash field of the paragraph it knows, MD5sum too (Hash Sum mismatch); digestguard the SHA256 alone, the one strong hash Debian's Packages files carry"
	[deb_listed_by_a_sha256_in_capitals_is_listed]="not-listed|apt compares the hexadecimal digits as written, in lower case (Hash Sum mismatch); digestguard compares the digest they spell"
	[packages_with_a_wrong_sha512_beside_its_sha256_is_listed]="packages-not-listed|apt checks every hash field of the Release, SHA512 too (Hash Sum mismatch); digestguard the SHA256 alone"
	[packages_listed_by_a_sha256_in_capitals_is_listed]="packages-not-listed|apt compares the hexadecimal digits as written, in lower case (Hash Sum mismatch); digestguard compares the digest they spell"
	[inrelease_with_a_date_in_another_zone_is_refused]="ok|apt warns of an \"Invalid 'Date' entry\" and goes on as if there were none; digestguard takes the one form Debian's archive tools write (zone UTC, GMT or +0000) and refuses the Release (a Valid-Until in another form apt refuses too)"
	[packages_with_crlf_line_ends_is_refused]="ok|apt ends a line at \"\\r\\n\" too, so the chain holds and the .deb is ok; digestguard reads deb822 as Debian's tools write it, a '\\r' part of its line, and refuses the file (the Size field holds no number)"
	[packages_xz_compressed_again_is_listed_by_its_text]="packages-not-listed|apt checks the compressed file's own SHA256 entry (Hash Sum mismatch); digestguard checks the decompressed text against the Packages entry, which the archive signed, as it must for the copies apt keeps in its lists directory (decompressed or lz4, listed nowhere)"
)
# same_verdict V1 DETAIL1 V2 DETAIL2: the same verdict (and for an ok, the
# same Package, Version and Architecture)
same_verdict() { [ "$1" = "$3" ] && { [ "$1" != ok ] || [ "$2" = "$4" ]; }; }

declare -A compared=()
ncases=0
while read -r name kr inr pk deb verdict detail; do
	ncases=$((ncases + 1))
	case $inr in
	release:*) inr=${inr#release:}; form=--release ;;
	*) form=--inrelease ;;
	esac
	apt_verdict "$name" "$fx/$kr" "$form" "$fx/$inr" "$fx/$pk" "$fx/$deb"
	if [ -n "$askip" ]; then
		skip "${name}_apt_agrees_with_reference" "$askip"
		skip "${name}_digestguard_agrees_with_apt" "$askip"
		continue
	fi
	if [ -n "${apt_differs[$name]:-}" ]; then
		differs=${apt_differs[$name]}
		if [ "$av" = "${differs%%|*}" ]; then
			ok "${name}_apt_differs_as_documented ($av, reference $verdict)"
			echo "# ${differs#*|}"
		else
			nok "${name}_apt_differs_as_documented" "apt: $av, documented: ${differs%%|*}" "apt said: ${amsg:-nothing}"
		fi
		dg_verdict "$form" "$fx/$inr" "$fx/$pk" "$fx/$deb" "$fx/$kr"
		if same_verdict "$dv" "$ddetail" "$verdict" "$detail"; then
			ok "${name}_digestguard_agrees_with_reference ($dv)"
		else
			nok "${name}_digestguard_agrees_with_reference" "digestguard: $dv${ddetail:+ ($ddetail)}, reference: $verdict${detail:+ ($detail)}" \
				"stdout: $(head -c 300 "$T/out")" "stderr: $(head -c 300 "$T/err")"
		fi
		continue
	fi
	if same_verdict "$av" "$adetail" "$verdict" "$detail"; then
		ok "${name}_apt_agrees_with_reference ($av)"
		[ -z "$amsg" ] || echo "# apt said: ${amsg//$T\//}"
	else
		nok "${name}_apt_agrees_with_reference" "apt: $av${adetail:+ ($adetail)}, reference: $verdict${detail:+ ($detail)}" \
			"apt said: ${amsg:-nothing}"
	fi
	dg_verdict "$form" "$fx/$inr" "$fx/$pk" "$fx/$deb" "$fx/$kr"
	if same_verdict "$dv" "$ddetail" "$av" "$adetail"; then
		ok "${name}_digestguard_agrees_with_apt ($dv)"
		[ "$av" = "$verdict" ] && compared[$av]=$(( ${compared[$av]:-0} + 1 ))
	else
		nok "${name}_digestguard_agrees_with_apt" "digestguard: $dv${ddetail:+ ($ddetail)}, apt: $av${adetail:+ ($adetail)}" \
			"apt said: ${amsg:-nothing}" "stdout: $(head -c 300 "$T/out")" "stderr: $(head -c 300 "$T/err")"
	fi
done <"$fx/cases.txt"

summary=''
missing=''
for c in ok not-listed bad-signature expired not-valid-yet packages-not-listed; do
	summary="$summary $c=${compared[$c]:-0}"
	[ "${compared[$c]:-0}" -ge 1 ] || missing="$missing $c"
done
[ $ncases -ge 29 ] && [ -z "$missing" ] && ok "every_verdict_class_compared_with_apt ($ncases cases:$summary)" ||
	nok "every_verdict_class_compared_with_apt" "$ncases cases in $fx/cases.txt; compared:$summary; none for:${missing:- (all present)}"
done_testing
