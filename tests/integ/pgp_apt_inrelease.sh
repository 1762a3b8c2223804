#!/usr/bin/env bash
# Real data: every apt InRelease file on this machine verifies against the
# Debian archive keyring with `digestguard sopv inline-verify`, and the
# verifications and the printed text equal `sqop inline-verify`'s; the
# verdict and signing fingerprints equal gpgv's. A copy with one signed byte
# changed must be rejected by all three.
#   APT_LISTS=DIR and APT_KEYRING=FILE override the machine's locations.
. "$(dirname "$0")/lib.bash"

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
DG=${DG:-$BUILD/src/cli/digestguard}
lists=${APT_LISTS:-/var/lib/apt/lists}
keyring=${APT_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
export GNUPGHOME=$T/gnupg LC_ALL=C TZ=UTC
mkdir -m 700 "$GNUPGHOME"

files=()
for f in "$lists"/*InRelease; do [ -f "$f" ] && files+=("$f"); done
if [ ${#files[@]} = 0 ]; then
	skip apt_inrelease "no InRelease files in $lists (run apt-get update)"
	done_testing; exit
fi
if [ ! -f "$keyring" ]; then
	skip apt_inrelease "no keyring $keyring (apt-get install debian-archive-keyring)"
	done_testing; exit
fi
in_build apt_inrelease sopv version || { done_testing; exit; }

# sop_run TOOL NAME FILE: RC, then verifications without "mode:", then body hash
sop_run() {
	local out=$T/$2
	rm -f "$out.vo"
	if [ "$1" = dg ]; then
		wd 60 "$DG" sopv inline-verify --verifications-out="$out.vo" "$keyring" <"$3" >"$out.body" 2>"$out.err"
	else
		wd 60 sqop inline-verify --verifications-out="$out.vo" "$keyring" <"$3" >"$out.body" 2>"$out.err"
	fi
	echo $? >"$out.rc"
	awk 'NF >= 3 {print $1, $2, $3}' "$out.vo" 2>/dev/null | sort >"$out.ver"
}
# gpgv_run NAME FILE: the signing fingerprints gpgv accepts (GOODSIG ... VALIDSIG)
gpgv_run() {
	wd 60 gpgv --status-fd 1 --keyring "$keyring" "$2" 2>"$T/$1.err" |
		awk '$2 ~ /^(GOODSIG|EXPSIG|EXPKEYSIG|REVKEYSIG|BADSIG|ERRSIG)$/ {st = $2}
			$2 == "VALIDSIG" && st == "GOODSIG" {print $3; st = ""}' | sort >"$T/$1.fpr"
}
verdict() { [ "$(cat "$T/$1.rc")" = 0 ] && [ -s "$T/$1.ver" ] && echo good || echo bad; }

check_file() {	# LABEL FILE
	local label=$1 f=$2
	sop_run dg dg "$f"; sop_run sqop sq "$f"; gpgv_run gv "$f"
	local vd vs vg=bad
	vd=$(verdict dg) vs=$(verdict sq)
	[ -s "$T/gv.fpr" ] && vg=good
	printf '%s %s %s\n' "$vd" "$vs" "$vg"
}

for f in "${files[@]}"; do
	name=${f##*/}
	read -r vd vs vg < <(check_file "$name" "$f")
	if [ "$vd" = good ]; then
		ok "$name: verifies with digestguard ($(wc -l <"$T/dg.ver") signatures)"
	else
		nok "$name: verifies with digestguard" "rc=$(cat "$T/dg.rc")" "$(head -c 300 "$T/dg.err")"
	fi
	if [ "$vd" = "$vs" ] && cmp -s "$T/dg.ver" "$T/sq.ver" && cmp -s "$T/dg.body" "$T/sq.body"; then
		ok "$name: verifications and text identical to sqop inline-verify"
	else
		nok "$name: verifications and text identical to sqop inline-verify" \
			"digestguard $vd: $(tr '\n' ';' <"$T/dg.ver")" "sqop $vs: $(tr '\n' ';' <"$T/sq.ver")" \
			"text: $(cmp "$T/dg.body" "$T/sq.body" 2>&1 | head -n 1)"
	fi
	awk '{print $2}' "$T/dg.ver" | sort >"$T/dg.fpr"
	if [ "$vd" = "$vg" ] && cmp -s "$T/dg.fpr" "$T/gv.fpr"; then
		ok "$name: verdict and signing keys equal gpgv's"
	else
		nok "$name: verdict and signing keys equal gpgv's" \
			"digestguard $vd: $(tr '\n' ' ' <"$T/dg.fpr")" "gpgv $vg: $(tr '\n' ' ' <"$T/gv.fpr")"
	fi
done

# negative control: one byte of the signed text changed ("Origin" line)
f=${files[0]}
sed '0,/^Origin: /s//Origin: X/' "$f" >"$T/tampered-InRelease"
if cmp -s "$f" "$T/tampered-InRelease"; then
	sed '0,/^Date: /s//Date: X/' "$f" >"$T/tampered-InRelease"
fi
read -r vd vs vg < <(check_file tampered "$T/tampered-InRelease")
if [ "$vd" = bad ] && [ "$vs" = bad ] && [ "$vg" = bad ]; then
	ok "tampered ${f##*/}: rejected by digestguard, sqop and gpgv"
else
	nok "tampered ${f##*/}: rejected by digestguard, sqop and gpgv" "digestguard $vd, sqop $vs, gpgv $vg"
fi
done_testing
