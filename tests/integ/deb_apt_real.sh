#!/usr/bin/env bash
# Real data: the apt lists and package cache of this machine.  For every
# InRelease in the lists, each Packages file apt keeps beside it, and up to
# 20 cached .debs (spread over the suites), `digestguard deb verify` must
# reach the verdicts that gpgv, date, the decompressors, sha256sum, stat and
# awk reach by apt's chain: a good signature from the Debian archive
# keyring, Valid-Until not past, the decompressed Packages' SHA-256 and size
# in the InRelease's SHA256 field, the .deb's SHA-256 and size in one
# Packages paragraph.  One call per Packages file verifies all the .debs.
#   APT_LISTS=DIR, APT_ARCHIVES=DIR and APT_KEYRING=FILE override the
#   machine's locations.
. "$(dirname "$0")/lib.bash"

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
DG=${DG:-$BUILD/src/cli/digestguard}
lists=${APT_LISTS:-/var/lib/apt/lists}
archives=${APT_ARCHIVES:-/var/cache/apt/archives}
keyring=${APT_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
max_debs=20
max_deb_size=$((20 << 20))	# keeps the hashing (reference and digestguard) short
export GNUPGHOME=$T/gnupg LC_ALL=C TZ=UTC
mkdir -m 700 "$GNUPGHOME"

wd 10 "$DG" deb --help >"$T/out" 2>&1; rc=$?
if [ $rc != 0 ] || grep -q "not available" "$T/out"; then
	skip "deb_apt_real" "digestguard deb is not in this build: $(head -n 1 "$T/out")"
	done_testing; exit
fi
inrs=()
for f in "$lists"/*_InRelease; do [ -f "$f" ] && inrs+=("$f"); done
if [ ${#inrs[@]} = 0 ]; then
	skip "deb_apt_real" "no InRelease files in $lists (run apt-get update)"
	done_testing; exit
fi
if [ ! -f "$keyring" ]; then
	skip "deb_apt_real" "no keyring $keyring (apt-get install debian-archive-keyring)"
	done_testing; exit
fi
for t in gpgv sha256sum awk; do
	command -v $t >/dev/null || { skip "deb_apt_real" "$t not installed"; done_testing; exit; }
done

# decompress FILE: to stdout, by the name's suffix as apt does
decompress() {
	case $1 in
	*.gz) wd 60 gzip -dc "$1" ;; *.xz) wd 60 xz -dc "$1" ;; *.bz2) wd 60 bzip2 -dc "$1" ;;
	*.lz4) wd 60 lz4 -dc "$1" ;; *.zst) wd 60 zstd -dc "$1" ;; *) cat "$1" ;;
	esac
}
# ref_signature INRELEASE TAG: "good" when gpgv reports a good signature
# from the keyring and no bad one (apt's rule in methods/gpgv.cc); the
# signed text in $T/TAG.txt, the accepted signing key and primary key
# fingerprints in $T/TAG.fpr.
ref_signature() {
	local inr=$1 tag=$2
	rm -f "$T/$tag.txt"
	wd 60 gpgv --status-fd 1 --keyring "$keyring" --output "$T/$tag.txt" "$inr" >"$T/$tag.status" 2>/dev/null
	awk '$2 == "VALIDSIG" { print $3; print $12 }' "$T/$tag.status" | sort -u >"$T/$tag.fpr"
	if grep -q '^\[GNUPG:\] GOODSIG ' "$T/$tag.status" && ! grep -q '^\[GNUPG:\] BADSIG ' "$T/$tag.status" &&
		[ -s "$T/$tag.txt" ]; then
		echo good
	else
		echo bad
	fi
}
# ref_chain TAG PACKAGES-TAG: ok | expired | packages-not-listed, after a
# good signature; $T/PACKAGES-TAG.pk holds the decompressed Packages.
ref_chain() {
	local txt=$T/$1.txt pk=$T/$2.pk vu h s
	vu=$(sed -n 's/^Valid-Until: //p' "$txt")
	if [ -n "$vu" ] && [ "$(date -d "$vu" +%s)" -le "$(date +%s)" ]; then
		echo expired; return
	fi
	h=$(sha256sum <"$pk" | cut -c1-64)
	s=$(stat -c %s "$pk")
	if awk -v h="$h" -v s="$s" '/^[^ ]/ { in256 = ($0 == "SHA256:") }
		in256 && /^ / && $1 == h && $2 == s { found = 1 } END { exit !found }' "$txt"; then
		echo ok
	else
		echo packages-not-listed
	fi
}
# ref_listed PACKAGES-TAG: for each .deb of $T/debs.sums ("SHA256 SIZE PATH")
# in a paragraph of the Packages with both: "PATH PACKAGE VERSION ARCH".
ref_listed() {
	awk -F'\n' -v list="$T/debs.sums" 'BEGIN {
		while ((getline line < list) > 0) {
			split(line, a, " ")
			want[a[1] " " a[2]] = substr(line, length(a[1]) + length(a[2]) + 3)
		}
		RS = ""
	} {
		h = s = p = v = ar = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^SHA256: /) h = substr($i, 9)
			else if ($i ~ /^Size: /) s = substr($i, 7)
			else if ($i ~ /^Package: /) p = substr($i, 10)
			else if ($i ~ /^Version: /) v = substr($i, 10)
			else if ($i ~ /^Architecture: /) ar = substr($i, 15)
		}
		k = h " " s
		if ((k in want) && !(k in done)) { done[k] = 1; print want[k], p, v, ar }
	}' "$T/$1.pk"
}

# The Packages files apt keeps for each InRelease (same name prefix), and
# their reference chain verdicts.
np=0
pk_files=() pk_inr=() pk_chain=()
for i in "${!inrs[@]}"; do
	inr=${inrs[$i]}
	sig=$(ref_signature "$inr" "inr$i")
	for pk in "${inr%InRelease}"*_Packages "${inr%InRelease}"*_Packages.{gz,xz,bz2,lz4,zst}; do
		[ -f "$pk" ] || continue
		if ! decompress "$pk" >"$T/p$np.pk"; then
			nok "${pk##*/}: decompressed by the reference tools" "$(decompress "$pk" 2>&1 >/dev/null | tail -n 1)"
			continue
		fi
		pk_files[$np]=$pk pk_inr[$np]=$i
		if [ "$sig" = good ]; then pk_chain[$np]=$(ref_chain "inr$i" "p$np"); else pk_chain[$np]=bad-signature; fi
		np=$((np + 1))
	done
done
if [ $np = 0 ]; then
	skip "deb_apt_real" "no Packages files beside the InRelease files in $lists"
	done_testing; exit
fi

# Up to $max_debs cached .debs, taken in turn from each suite's packages (by
# the cache's file name, NAME_VERSION_ARCH.deb with the epoch's ':' as
# %3a), in a fixed shuffled order; the verdicts come from the hashes.
: >"$T/cands"
for p in "${!pk_files[@]}"; do
	awk -F'\n' -v RS= '{
		p = v = a = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^Package: /) p = substr($i, 10)
			else if ($i ~ /^Version: /) v = substr($i, 10)
			else if ($i ~ /^Architecture: /) a = substr($i, 15)
		}
		sub(/:/, "%3a", v); print p "_" v "_" a ".deb"
	}' "$T/p$p.pk" | sort -u >"$T/names.$p"
	find "$archives" -maxdepth 1 -name '*.deb' -type f -size -$((max_deb_size / 1024))k -printf '%f\n' 2>/dev/null |
		sort | comm -12 - "$T/names.$p" | shuf --random-source=<(yes) >"$T/cand.$p"
done
paste -d'\n' "$T"/cand.* | awk 'NF && !seen[$0]++' | head -n $max_debs | sed "s|^|$archives/|" >"$T/debs"
if [ ! -s "$T/debs" ]; then
	find "$archives" -maxdepth 1 -name '*.deb' -type f -size -$((max_deb_size / 1024))k | sort | head -n $max_debs >"$T/debs"
fi
if [ ! -s "$T/debs" ]; then
	skip "deb_apt_real_debs" "no .deb files in $archives"
	done_testing; exit
fi
mapfile -t debs <"$T/debs"
: >"$T/debs.sums"
for d in "${debs[@]}"; do
	h=$(wd 60 sha256sum <"$d" | cut -c1-64)
	echo "$h $(stat -c %s "$d") $d" >>"$T/debs.sums"
done

# expect_chain_failure LABEL VERDICT INRELEASE PACKAGES: after dg
expect_chain_failure() {
	local label=$1 verdict=$2 inr=$3 pk=$4 why=
	[ $rc = 1 ] || why="exit $rc, want 1"
	[ -s "$T/out" ] && why="$why; per-.deb lines after a chain failure"
	case $verdict in
	bad-signature) grep -qF "$inr: no valid signature" "$T/err" || why="$why; stderr lacks '$inr: no valid signature'" ;;
	expired) grep -F "$inr" "$T/err" | grep -q "expired" || why="$why; stderr does not name $inr as expired" ;;
	packages-not-listed) grep -F "$pk" "$T/err" | grep -q "not listed in" || why="$why; stderr does not name $pk as not listed in" ;;
	esac
	if [ -z "$why" ]; then ok "$label"
	else nok "$label" "${why#; }" "stderr: $(head -c 400 "$T/err")"; fi
}
dg() { wd 60 "$DG" deb verify "$@" </dev/null >"$T/out" 2>"$T/err"; rc=$?; }

listed_anywhere=() listed_pairs=() not_listed_pair=
for p in "${!pk_files[@]}"; do
	pk=${pk_files[$p]} inr=${inrs[${pk_inr[$p]}]} chain=${pk_chain[$p]}
	suite=${pk##*/}
	dg -v --keyring "$keyring" --inrelease "$inr" --packages "$pk" "${debs[@]}"
	if [ "$chain" != ok ]; then
		expect_chain_failure "$suite: chain fails as the reference says ($chain)" "$chain" "$inr" "$pk"
		continue
	fi
	ref_listed "p$p" >"$T/listed.$p"
	nl=0 nn=0
	for d in "${debs[@]}"; do
		line=$(awk -v d="$d" '$1 == d { $1 = ""; print substr($0, 2); exit }' "$T/listed.$p")
		if [ -n "$line" ]; then
			echo "$d: OK ($line)"; nl=$((nl + 1))
		else
			echo "$d: NOT OK (not listed in $pk)"; nn=$((nn + 1))
		fi
	done >"$T/want.$p"
	want_rc=0; [ $nn -gt 0 ] && want_rc=1
	[ $rc = $want_rc ] && cmp -s "$T/out" "$T/want.$p" &&
		ok "$suite: ${#debs[@]} cached .debs, $nl listed and $nn not, as the reference says" ||
		nok "$suite: ${#debs[@]} cached .debs, $nl listed and $nn not, as the reference says" \
			"rc=$rc, want $want_rc" "$(diff "$T/want.$p" "$T/out" | head -n 6)" "stderr: $(head -c 300 "$T/err")"
	# -v names a signer gpgv accepts, and no other
	grep -F "$inr:" "$T/err" | grep -o '[0-9A-Fa-f]\{40,64\}' | tr a-f A-F | sort -u >"$T/signers"
	[ -s "$T/signers" ] && [ -z "$(comm -23 "$T/signers" "$T/inr${pk_inr[$p]}.fpr")" ] &&
		ok "$suite: -v names a signing key that gpgv accepts" ||
		nok "$suite: -v names a signing key that gpgv accepts" "named: $(tr '\n' ' ' <"$T/signers")" \
			"gpgv: $(tr '\n' ' ' <"$T/inr${pk_inr[$p]}.fpr")"
	# the .debs this suite lists, alone: all OK, exit 0
	if [ $nl -gt 0 ]; then
		mapfile -t mine < <(awk '{ print $1 }' "$T/listed.$p")
		listed_anywhere+=("${mine[@]}")
		for d in "${mine[@]}"; do listed_pairs+=("$p $d"); done
		dg --keyring "$keyring" --inrelease "$inr" --packages "$pk" "${mine[@]}"
		[ $rc = 0 ] && [ "$(grep -c ': OK (' "$T/out")" = $nl ] && [ "$(grep -c . "$T/out")" = $nl ] &&
			ok "$suite: the $nl .debs it lists verify OK in one call" ||
			nok "$suite: the $nl .debs it lists verify OK in one call" "rc=$rc" "$(grep -v ': OK (' "$T/out" | head -n 3)"
	fi
	[ $nn -gt 0 ] && [ -z "$not_listed_pair" ] && not_listed_pair=$p
done
nany=$(printf '%s\n' "${listed_anywhere[@]}" | sort -u | grep -c .)
echo "# $nany of ${#debs[@]} cached .debs are listed by a Packages file here"

# One .deb listed by one suite, against a Packages that does not list it.
if [ -n "$not_listed_pair" ]; then
	p=$not_listed_pair pk=${pk_files[$not_listed_pair]}
	d=$(grep ': NOT OK (' "$T/want.$p" | head -n 1 | sed 's/: NOT OK (.*//')
	where="listed by no Packages here"
	for q in "${!pk_files[@]}"; do
		[ "${pk_chain[$q]}" = ok ] && grep -qF "$d " "$T/listed.$q" 2>/dev/null &&
			{ where="listed in ${pk_files[$q]##*/}"; break; }
	done
	dg --keyring "$keyring" --inrelease "${inrs[${pk_inr[$p]}]}" --packages "$pk" "$d"
	[ $rc = 1 ] && [ "$(cat "$T/out")" = "$d: NOT OK (not listed in $pk)" ] &&
		ok "${d##*/} ($where): NOT OK against ${pk##*/}" ||
		nok "${d##*/}: NOT OK against ${pk##*/}, which does not list it" "rc=$rc $(cat "$T/out" "$T/err")"
else
	skip "deb_not_listed_by_a_suite_is_not_ok" "every chosen .deb is listed by every Packages file"
fi

# A Packages file given with another suite's InRelease: not listed in it.
if [ $np -ge 2 ] && [ ${#inrs[@]} -ge 2 ]; then
	a=0 b=
	for q in "${!pk_files[@]}"; do [ "${pk_inr[$q]}" != "${pk_inr[$a]}" ] && { b=$q; break; }; done
	inr=${inrs[${pk_inr[$b]}]} pk=${pk_files[$a]}
	if [ "$(ref_signature "$inr" other)" = good ] && cp "$T/p$a.pk" "$T/other.pk" &&
		[ "$(ref_chain other other)" = packages-not-listed ]; then
		dg --keyring "$keyring" --inrelease "$inr" --packages "$pk" "${debs[0]}"
		expect_chain_failure "${pk##*/} with ${inr##*/}: not listed in it" packages-not-listed "$inr" "$pk"
	else
		skip "packages_with_another_inrelease" "the reference does not find ${pk##*/} unlisted in ${inr##*/}"
	fi
else
	skip "packages_with_another_inrelease" "needs two InRelease files with Packages"
fi

# File digests of real packages: `deb digests` against what dpkg-deb
# extracts and sha256sum hashes (every regular file extracted, hard links
# included).
ndig=0
for pair in "${listed_pairs[@]}"; do
	[ $ndig -lt 3 ] || break
	p=${pair%% *} d=${pair#* }
	x=$T/x$ndig; mkdir -p "$x"
	wd 60 dpkg-deb -x "$d" "$x" || continue
	(cd "$x" && find . -type f -print0 | xargs -0 -r sha256sum --zero) | tr '\0' '\n' |
		sed 's|^\([0-9a-f]\{64\}\)  \./|\1  /|' | LC_ALL=C sort >"$T/want.dig"
	wd 60 "$DG" deb digests --keyring "$keyring" --inrelease "${inrs[${pk_inr[$p]}]}" \
		--packages "${pk_files[$p]}" "$d" 2>"$T/err" | LC_ALL=C sort >"$T/got.dig"
	[ -s "$T/want.dig" ] && cmp -s "$T/want.dig" "$T/got.dig" &&
		ok "${d##*/}: file digests equal dpkg-deb -x and sha256sum ($(grep -c . "$T/got.dig") files)" ||
		nok "${d##*/}: file digests equal dpkg-deb -x and sha256sum" "$(head -c 300 "$T/err")" \
			"$(diff "$T/want.dig" "$T/got.dig" | head -n 6)"
	rm -rf "$x"
	ndig=$((ndig + 1))
done
[ $ndig -gt 0 ] || skip "real_deb_file_digests" "no listed .deb here"

# A real package with hard links (perl-base: /usr/bin/perl and perl5.x are
# one file; mesa's DRI drivers): each linked name listed with the file's
# digest, as dpkg-deb -x and sha256sum see them, the chain of every list.
hl=
for d in $(ls -S "$archives"/perl-base_*.deb "$archives"/libgl1-mesa-dri_*.deb "$archives"/perl_*.deb 2>/dev/null | tac); do
	if wd 60 dpkg-deb --fsys-tarfile "$d" 2>/dev/null | wd 60 tar -tv 2>/dev/null | grep -q '^h'; then
		hl=$d; break
	fi
done
chain=()
for f in "${inrs[@]}"; do chain+=(--inrelease "$f"); done
for q in "${!pk_files[@]}"; do [ "${pk_chain[$q]}" = ok ] && chain+=(--packages "${pk_files[$q]}"); done
if [ -n "$hl" ] && wd 120 "$DG" deb verify --keyring "$keyring" "${chain[@]}" "$hl" >/dev/null 2>&1; then
	x=$T/xhl; mkdir -p "$x"
	wd 60 dpkg-deb -x "$hl" "$x"
	(cd "$x" && find . -type f -print0 | xargs -0 -r sha256sum --zero) | tr '\0' '\n' |
		sed 's|^\([0-9a-f]\{64\}\)  \./|\1  /|' | LC_ALL=C sort >"$T/want.hl"
	wd 120 "$DG" deb digests --keyring "$keyring" "${chain[@]}" "$hl" 2>"$T/err" | LC_ALL=C sort >"$T/got.hl"
	nlinks=$(wd 60 dpkg-deb --fsys-tarfile "$hl" | wd 60 tar -tv | grep -c '^h')
	[ -s "$T/want.hl" ] && cmp -s "$T/want.hl" "$T/got.hl" &&
		ok "${hl##*/}: its $nlinks hard links listed, file digests equal dpkg-deb -x and sha256sum ($(grep -c . "$T/got.hl") files)" ||
		nok "${hl##*/}: hard links listed, file digests equal dpkg-deb -x and sha256sum" "$(head -c 300 "$T/err")" \
			"$(diff "$T/want.hl" "$T/got.hl" | head -n 6)"
	rm -rf "$x"
else
	skip "real_deb_with_hard_links" "no listed perl-base, perl or libgl1-mesa-dri .deb with hard links in $archives"
fi

# The smallest InRelease with one signed byte changed: no valid signature.
small=$(ls -S "${inrs[@]}" | tail -n 1)
sed '0,/^Origin: /s//Origin: X/' "$small" >"$T/tampered_InRelease"
cmp -s "$small" "$T/tampered_InRelease" && sed '0,/^Date: /s//Date: X/' "$small" >"$T/tampered_InRelease"
for q in "${!pk_files[@]}"; do [ "${inrs[${pk_inr[$q]}]}" = "$small" ] && break; done
if [ "$(ref_signature "$T/tampered_InRelease" tampered)" = bad ]; then
	dg --keyring "$keyring" --inrelease "$T/tampered_InRelease" --packages "${pk_files[$q]}" "${debs[0]}"
	expect_chain_failure "tampered ${small##*/}: no valid signature" bad-signature "$T/tampered_InRelease" "${pk_files[$q]}"
else
	nok "tampered ${small##*/}: gpgv rejects it" "the reference still accepts the altered copy"
fi
done_testing
