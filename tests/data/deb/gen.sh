#!/usr/bin/env bash
# Generate the Debian repository fixtures with the real tools (dpkg-deb,
# dpkg-scanpackages, apt-ftparchive, gpg):
#   tests/data/deb/gen.sh OUTDIR
# Writes a tiny apt repository: OUTDIR/pool/**/*.deb, OUTDIR/dists/test/
# {Release,Release.gpg,InRelease,main/binary-amd64/Packages{,.gz,.xz,.lz4,.bz2}},
# the signed variants in OUTDIR/inrelease/ (InRelease form) and
# OUTDIR/release/ (Release with a detached NAME.gpg), the tampered files in OUTDIR/bad/,
# a Packages.xz compressed again (OUTDIR/other/), the certificates in OUTDIR/keys/ (NAME.gpg binary, NAME.asc armored,
# NAME.fpr fingerprint) and OUTDIR/cases.txt, one line per case:
#   NAME KEYRING INRELEASE PACKAGES DEB VERDICT [PACKAGE VERSION ARCH]
# paths relative to OUTDIR (an INRELEASE of the form release:PATH is a
# Release whose signature is PATH.gpg); VERDICT is what apt's chain, run with gpgv,
# date, sha256sum, stat, awk and the decompressors (ref_verdict below),
# decides: ok (then the Packages paragraph's Package, Version,
# Architecture), not-listed (the .deb), bad-signature, expired,
# not-valid-yet (a Date more than apt's Max-FutureTime, 10 s, ahead),
# packages-not-listed, packages-malformed or release-malformed (the chain).  Generation fails when that verdict is not
# the one the case was made for.  Reproducible inputs (SOURCE_DATE_EPOCH,
# fixed names); keys and signatures are fresh each run.  Cached: when
# OUTDIR/.stamp holds the SHA-256 of this script and gen-tars.py, nothing is done.
# Exit 77 (skip) when a tool is missing; without lz4 there is no
# Packages.lz4 (and no case for it).
set -euo pipefail
out=${1:?usage: gen.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
# One generator at a time per OUTDIR (deb_cli.sh may run beside another
# test calling it); the lock file sits beside OUTDIR, which is made again.
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
stamp=$(cat "$here/gen.sh" "$here/gen-tars.py" | sha256sum | cut -d" " -f1)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
	exit 0
fi
for t in gpg gpgv gpgconf dpkg-deb dpkg-scanpackages apt-ftparchive gzip xz bzip2 sha256sum awk tar ar python3; do
	command -v $t >/dev/null || { echo "gen.sh: $t not installed" >&2; exit 77; }
done
have_lz4=0
command -v lz4 >/dev/null && have_lz4=1
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C.UTF-8 TZ=UTC
umask 022
rm -rf "$out"
mkdir -p "$out/keys" "$out/inrelease" "$out/release" "$out/bad"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/dg-deb-gen.XXXXXX)
trap 'gpgconf --homedir "$work/gnupg" --kill all 2>/dev/null || true; rm -rf "$work"' EXIT
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
echo "allow-loopback-pinentry" >"$GNUPGHOME/gpg-agent.conf"
g() { gpg --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }
die() { echo "gen.sh: $*" >&2; exit 1; }

fpr_of() { g --with-colons --list-keys "$1" | awk -F: '/^fpr:/{print $10; exit}'; }
newkey() {	# name algo
	g --quick-gen-key "DG DEB $1 <$1@deb.test>" "$2" sign never
	fpr_of "$1@deb.test"
}
rsa=$(newkey rsa rsa3072)
eddsa=$(newkey eddsa ed25519)
other=$(newkey other rsa3072)
for k in rsa eddsa other; do
	g --export "$k@deb.test" >"$out/keys/$k.gpg"
	g --armor --export "$k@deb.test" >"$out/keys/$k.asc"
done
echo "$rsa" >"$out/keys/rsa.fpr"
echo "$eddsa" >"$out/keys/eddsa.fpr"
echo "$other" >"$out/keys/other.fpr"

mkdeb() {	# NAME VERSION ARCH COMPRESSION DEST-DIR [TEXT]
	local name=$1 ver=$2 arch=$3 z=$4 dest=$5 text=${6:-hello from $1}
	local root=$work/root-$name
	rm -rf "$root"
	mkdir -p "$root/DEBIAN" "$root/usr/share/doc/$name"
	cat >"$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $ver
Architecture: $arch
Maintainer: digestguard tests <deb@deb.test>
Section: misc
Priority: optional
Description: digestguard apt chain test package
 A tiny package for the deb verify fixtures.
CONTROL
	printf '%s\n' "$text" >"$root/usr/share/doc/$name/hello.txt"
	if [ "$arch" != all ]; then
		mkdir -p "$root/usr/bin"
		printf '#!/bin/sh\necho %s\n' "$name" >"$root/usr/bin/$name"
		chmod 755 "$root/usr/bin/$name"
	fi
	mkdir -p "$dest"
	dpkg-deb --root-owner-group -Z"$z" --build "$root" "$dest/${name}_${ver#*:}_$arch.deb" \
		>/dev/null 2>"$work/deb.log" || { cat "$work/deb.log" >&2; exit 1; }
}
mkdeb dgtest-hello 1.0-1 all xz "$out/pool/main/d/dgtest-hello"
mkdeb dgtest-tool 2.0-1 amd64 gzip "$out/pool/main/d/dgtest-tool"
mkdeb dgtest-data 1.0-1 all none "$out/pool/main/d/dgtest-data"
mkdeb dgtest-epoch 1:3.0-1 amd64 xz "$out/pool/main/d/dgtest-epoch"
# Not in the repository: a package never scanned, and dgtest-hello built
# again with other content after the Packages file was made (same name,
# version and file name; the substitution apt's chain exists to catch).
mkdeb dgtest-stray 1.0-1 all xz "$out/bad"
mkdeb dgtest-hello 1.0-1 all xz "$out/bad" "hello from someone else"
cmp -s "$out/bad/dgtest-hello_1.0-1_all.deb" "$out/pool/main/d/dgtest-hello/dgtest-hello_1.0-1_all.deb" &&
	die "the rebuilt dgtest-hello is identical to the original"

bin=dists/test/main/binary-amd64
mkdir -p "$out/$bin"
(cd "$out" && dpkg-scanpackages --multiversion pool) >"$out/$bin/Packages" 2>"$work/scan.log" ||
	{ cat "$work/scan.log" >&2; exit 1; }
[ "$(grep -c '^Package: ' "$out/$bin/Packages")" = 4 ] || die "dpkg-scanpackages did not list the 4 packages"
gzip -9nc "$out/$bin/Packages" >"$out/$bin/Packages.gz"
xz -c "$out/$bin/Packages" >"$out/$bin/Packages.xz"
bzip2 -c "$out/$bin/Packages" >"$out/$bin/Packages.bz2"
[ $have_lz4 = 1 ] && lz4 -q -c "$out/$bin/Packages" >"$out/$bin/Packages.lz4"
# The same text compressed again with other settings after the Release was
# made: other bytes than the Release's Packages.xz entry, the signed text
# once decompressed (apt checks the compressed file, digestguard the text).
mkdir -p "$out/other"
xz -0 -e -c "$out/$bin/Packages" >"$out/other/Packages.xz"
cmp -s "$out/other/Packages.xz" "$out/$bin/Packages.xz" && die "xz -0 -e wrote the same bytes as xz"
# The Packages an attacker would publish with the rebuilt dgtest-hello:
# scanned by dpkg-scanpackages from a pool holding it.
mkdir -p "$work/evil"
cp -r "$out/pool" "$work/evil/pool"
cp "$out/bad/dgtest-hello_1.0-1_all.deb" "$work/evil/pool/main/d/dgtest-hello/"
(cd "$work/evil" && dpkg-scanpackages --multiversion pool) >"$out/bad/Packages-altered" 2>"$work/scan.log" ||
	{ cat "$work/scan.log" >&2; exit 1; }
cmp -s "$out/bad/Packages-altered" "$out/$bin/Packages" && die "the altered Packages is identical to the original"

rfc1123() {	# EPOCH [ZONE-FORMAT]: the Release date format
	date -u -d "@$1" "+%a, %d %b %Y %H:%M:%S ${2:-UTC}"
}
release() {	# DEST [apt-ftparchive option...]: Release of dists/test
	local dest=$1; shift
	(cd "$out" && apt-ftparchive -o APT::FTPArchive::Release::Origin=digestguard \
		-o APT::FTPArchive::Release::Label=digestguard -o APT::FTPArchive::Release::Suite=test \
		-o APT::FTPArchive::Release::Codename=test -o APT::FTPArchive::Release::Architectures="amd64 all" \
		-o APT::FTPArchive::Release::Components=main \
		-o "APT::FTPArchive::Release::Date=$(rfc1123 $SOURCE_DATE_EPOCH)" "$@" \
		release dists/test) >"$work/release.tmp" 2>"$work/release.log" || { cat "$work/release.log" >&2; exit 1; }
	mv "$work/release.tmp" "$dest"
}
far=$((SOURCE_DATE_EPOCH + 30 * 366 * 86400))
past=$((SOURCE_DATE_EPOCH + 86400))
valid_until() {	# EPOCH [ZONE-FORMAT]: apt-ftparchive options giving that Valid-Until
	# (ValidTime makes it write the field, which the second option sets)
	printf '%s\n' -o APT::FTPArchive::Release::ValidTime=1 \
		-o "APT::FTPArchive::Release::Valid-Until=$(rfc1123 "$@")"
}
mapfile -t o_far < <(valid_until $far)
release "$work/Release" "${o_far[@]}"
grep -q "^ [0-9a-f]\{64\} \+[0-9]\+ main/binary-amd64/Packages$" "$work/Release" ||
	die "apt-ftparchive did not list the uncompressed Packages"
mapfile -t o < <(valid_until $past); release "$work/Release-expired" "${o[@]}"
mapfile -t o < <(valid_until $far %z); release "$work/Release-numtz" "${o[@]}"
mapfile -t o < <(valid_until $past %z); release "$work/Release-numtz-expired" "${o[@]}"
release "$work/Release-novalid"
# Dated in another zone than UTC: a form apt warns about and digestguard refuses.
release "$work/Release-datezone" "${o_far[@]}" -o "APT::FTPArchive::Release::Date=$(rfc1123 $SOURCE_DATE_EPOCH +0100)"
grep -q '^Date: .* +0100$' "$work/Release-datezone" || die "apt-ftparchive did not take the Date in +0100"
# Dated in 2100: "not valid yet" whenever the tests run.
future=4102444800
release "$work/Release-future" -o "APT::FTPArchive::Release::Date=$(rfc1123 $future)"
grep -q "^Date: $(rfc1123 $future)\$" "$work/Release-future" || die "apt-ftparchive did not take the future Date"
# Only the weak MD5Sum and SHA1 fields, which apt does not trust either.
release "$work/Release-weak" "${o_far[@]}" -o APT::FTPArchive::Release::SHA256=false \
	-o APT::FTPArchive::Release::SHA512=false
grep -q "^SHA256:" "$work/Release-weak" && die "apt-ftparchive wrote a SHA256 field though told not to"
grep -q " Release$" "$work"/Release* && die "a Release lists a Release file"
cp "$work/Release" "$out/dists/test/Release"

clearsign() {	# FPR IN OUT
	g -u "$1!" --clearsign -o "$3" "$2"
}
clearsign "$rsa" "$work/Release" "$out/dists/test/InRelease"
g -u "$rsa!" --armor --detach-sign -o "$out/dists/test/Release.gpg" "$work/Release"
clearsign "$eddsa" "$work/Release" "$out/inrelease/InRelease-eddsa"
clearsign "$other" "$work/Release" "$out/inrelease/InRelease-otherkey"
clearsign "$rsa" "$work/Release-expired" "$out/inrelease/InRelease-expired"
clearsign "$rsa" "$work/Release-numtz" "$out/inrelease/InRelease-numtz"
clearsign "$rsa" "$work/Release-numtz-expired" "$out/inrelease/InRelease-numtz-expired"
clearsign "$rsa" "$work/Release-novalid" "$out/inrelease/InRelease-novalid"
clearsign "$rsa" "$work/Release-datezone" "$out/inrelease/InRelease-datezone"
clearsign "$rsa" "$work/Release-weak" "$out/inrelease/InRelease-weak"
clearsign "$rsa" "$work/Release-future" "$out/inrelease/InRelease-future"
# The Release form (a detached signature beside the file, as NAME.gpg):
# armored like the archive's Release.gpg, and binary.
detach() {	# FPR IN NAME [--armor]
	cp "$2" "$out/release/$3"
	g -u "$1!" ${4:-} --detach-sign -o "$out/release/$3.gpg" "$2"
}
detach "$eddsa" "$work/Release" Release-eddsa --armor
detach "$rsa" "$work/Release" Release-binary-sig
detach "$rsa" "$work/Release" Release-text-around --armor
{ printf 'Signed by the archive.\n'; cat "$out/release/Release-text-around.gpg"; } >"$work/sig" &&
	mv "$work/sig" "$out/release/Release-text-around.gpg"
detach "$rsa" "$work/Release" Release-blank-lines --armor
{ printf '\n\n'; cat "$out/release/Release-blank-lines.gpg"; printf '\n'; } >"$work/sig" &&
	mv "$work/sig" "$out/release/Release-blank-lines.gpg"
detach "$other" "$work/Release" Release-otherkey --armor
detach "$rsa" "$work/Release-expired" Release-expired --armor
detach "$rsa" "$work/Release-future" Release-future --armor
# The signed InRelease edited afterwards to list the attacker's Packages.
oh=$(sha256sum <"$out/$bin/Packages" | cut -c1-64)
os=$(stat -c %s "$out/$bin/Packages")
nh=$(sha256sum <"$out/bad/Packages-altered" | cut -c1-64)
ns=$(stat -c %s "$out/bad/Packages-altered")
sed "s/^ $oh \( *\)$os main\/binary-amd64\/Packages\$/ $nh \1$ns main\/binary-amd64\/Packages/" \
	"$out/dists/test/InRelease" >"$out/inrelease/InRelease-altered"
grep -q "^ $nh .* main/binary-amd64/Packages$" "$out/inrelease/InRelease-altered" ||
	die "the altered InRelease does not list the altered Packages"
gpgv --keyring "$out/keys/rsa.gpg" "$out/dists/test/Release.gpg" "$out/dists/test/Release" 2>/dev/null ||
	die "gpgv does not accept Release.gpg"
# The signed Release edited afterwards to list the attacker's Packages,
# its signature kept.
sed "s/^ $oh \( *\)$os main\/binary-amd64\/Packages\$/ $nh \1$ns main\/binary-amd64\/Packages/" \
	"$out/dists/test/Release" >"$out/release/Release-altered"
cp "$out/dists/test/Release.gpg" "$out/release/Release-altered.gpg"
grep -q "^ $nh .* main/binary-amd64/Packages$" "$out/release/Release-altered" ||
	die "the altered Release does not list the altered Packages"

# ref_verdict KEYRING INRELEASE PACKAGES DEB: apt's chain with the real
# tools: a good signature from the keyring (gpgv), not expired (Valid-Until
# against now), the decompressed Packages' SHA-256 and size in the signed
# text's SHA256 field, the .deb's SHA-256 and size in one Packages paragraph.
# armored_only FILE: FILE is PGP SIGNATURE armor blocks, not a line (even
# an empty one) outside them.
armored_only() {
	awk '{ sub(/\r$/, "") }
		open { if ($0 == "-----END PGP SIGNATURE-----") open = 0; next }
		$0 == "-----BEGIN PGP SIGNATURE-----" { open = 1; blocks++; next }
		{ bad = 1 }
		END { exit !(blocks > 0 && !bad && !open) }' "$1"
}
ref_verdict() {
	local kr=$1 inr=$2 pk=$3 deb=$4 txt=$work/ref.txt vu dt dc h s
	rm -f "$txt"
	case $inr in
	release:*)	# apt: gpgv --keyring K Release.gpg Release, once it found
		# Release.gpg to hold armored signature blocks only (apt 1.8 and
		# later: a binary one "is in unsupported binary format", any
		# other line, even an empty one, "contains lines not belonging
		# to a signature")
		inr=${inr#release:}
		armored_only "$inr.gpg" &&
			gpgv --status-fd 1 --keyring "$kr" "$inr.gpg" "$inr" >"$work/ref.status" 2>/dev/null &&
			cp "$inr" "$txt" ;;
	*) gpgv --status-fd 1 --keyring "$kr" --output "$txt" "$inr" >"$work/ref.status" 2>/dev/null ;;
	esac
	if [ ! -f "$txt" ] || ! grep -q '^\[GNUPG:\] GOODSIG ' "$work/ref.status" ||
		! grep -q '^\[GNUPG:\] VALIDSIG ' "$work/ref.status"; then
		echo bad-signature; return
	fi
	# the one date form Debian's archive tools write (deb_proto.h): apt
	# takes a Date in another zone with a warning, digestguard refuses it
	if sed -n '0,/^$/p' "$txt" | grep -E '^(Date|Valid-Until):' | grep -qvE \
		'^[A-Za-z-]+: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} (UTC|GMT|\+0000)$'; then
		echo release-malformed; return
	fi
	vu=$(sed -n 's/^Valid-Until: //p' "$txt")
	if [ -n "$vu" ] && [ "$(date -d "$vu" +%s)" -le "$(date +%s)" ]; then
		echo expired; return
	fi
	# apt.conf(5), Acquire::Max-FutureTime: a Date up to 10 s ahead is fine
	dt=$(sed -n '0,/^$/s/^Date: //p' "$txt")
	if [ -n "$dt" ] && [ "$(date -d "$dt" +%s)" -gt "$(( $(date +%s) + 10 ))" ]; then
		echo not-valid-yet; return
	fi
	case $pk in
	*.gz) dc="gzip -dc" ;; *.xz) dc="xz -dc" ;; *.bz2) dc="bzip2 -dc" ;;
	*.lz4) dc="lz4 -dc" ;; *) dc="cat" ;;
	esac
	$dc "$pk" >"$work/ref.pk" || die "$pk: cannot decompress"
	# deb822 as Debian's tools write it: '\n' ends a line, a '\r' is part
	# of it, and the Size before it is then no number (apt ends lines at
	# "\r\n" too)
	if grep -q $'\r' "$work/ref.pk"; then
		echo packages-malformed; return
	fi
	h=$(sha256sum <"$work/ref.pk" | cut -c1-64)
	s=$(stat -c %s "$work/ref.pk")
	if ! awk -v h="$h" -v s="$s" '/^[^ ]/ { in256 = ($0 == "SHA256:") }
		in256 && /^ / && tolower($1) == h && $2 == s { found = 1 } END { exit !found }' "$txt"; then
		echo packages-not-listed; return
	fi
	h=$(sha256sum <"$deb" | cut -c1-64)
	s=$(stat -c %s "$deb")
	awk -v RS= -F'\n' -v h="$h" -v s="$s" '{
		sha = size = 0; p = v = a = ""
		for (i = 1; i <= NF; i++) {
			if (tolower($i) == "sha256: " h) sha = 1
			else if ($i == "Size: " s) size = 1
			else if ($i ~ /^Package: /) p = substr($i, 10)
			else if ($i ~ /^Version: /) v = substr($i, 10)
			else if ($i ~ /^Architecture: /) a = substr($i, 15)
		}
		if (sha && size) { print "ok", p, v, a; found = 1; exit }
	} END { if (!found) print "not-listed" }' "$work/ref.pk"
}

# A second suite, "tree", for `deb digests` and `db import --deb`: the same
# tree of files in a package per data.tar compression dpkg-deb writes, with
# what tar encodes in more than one way: a path over 100 bytes (a GNU long
# name), one that needs ustar's prefix field, a symbolic link, a hard link
# (listed with its target's contents), one to the long path (a GNU 'K'
# long link name, or a pax linkpath record; not in the plain ustar
# package, which cannot hold a link name over 100 bytes), an empty file,
# an executable, and names with a space and with UTF-8.
mktree() {	# ROOT [no-long-link]
	local r=$1 long=usr/share/dgtest-tree/$(printf 'd%.0s' $(seq 60))/$(printf 'f%.0s' $(seq 60))
	mkdir -p "$r/usr/bin" "$r/usr/share/dgtest-tree" "$(dirname "$r/$long")" \
		"$r/usr/share/dgtest-tree/deep/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	printf 'long\n' >"$r/$long"
	printf 'deep\n' >"$r/usr/share/dgtest-tree/deep/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/x.txt"
	printf '#!/bin/sh\necho tree\n' >"$r/usr/bin/dgtest-tree"
	chmod 755 "$r/usr/bin/dgtest-tree"
	: >"$r/usr/share/dgtest-tree/empty"
	printf 'spaced\n' >"$r/usr/share/dgtest-tree/with space.txt"
	printf 'utf8\n' >"$r/usr/share/dgtest-tree/caf\xc3\xa9.txt"
	head -c 70000 /dev/zero | tr '\0' 'z' >"$r/usr/share/dgtest-tree/big.txt"
	ln -s ../bin/dgtest-tree "$r/usr/share/dgtest-tree/link"
	ln "$r/usr/share/dgtest-tree/big.txt" "$r/usr/share/dgtest-tree/big-hardlink.txt"
	[ "${2:-}" = no-long-link ] || ln "$r/$long" "$r/usr/share/dgtest-tree/zz-long-hardlink"
}
for z in xz zstd gzip none; do
	root=$work/tree-$z
	mkdir -p "$root/DEBIAN"
	cat >"$root/DEBIAN/control" <<CONTROL
Package: dgtest-tree-$z
Version: 1.0-1
Architecture: all
Maintainer: digestguard tests <deb@deb.test>
Description: digestguard file digest test package
 Files tar encodes in several ways.
CONTROL
	mktree "$root"
	mkdir -p "$out/pool-tree"
	dpkg-deb --root-owner-group -Z"$z" --build "$root" "$out/pool-tree/dgtest-tree-${z}_1.0-1_all.deb" \
		>/dev/null 2>"$work/deb.log" || { cat "$work/deb.log" >&2; exit 1; }
done
# The same tree as other .deb builders write it: data.tar.xz in GNU tar's
# pax format (long names as pax path records) and in plain ustar (long
# names split into prefix and name), put together with ar in dpkg-deb's
# member order.
printf '2.0\n' >"$work/debian-binary"
for fmt in pax ustar; do
	root=$work/tree-$fmt
	mkdir -p "$root"
	sed "s/^Package: .*/Package: dgtest-tree-$fmt/" "$work/tree-xz/DEBIAN/control" >"$work/control"
	[ $fmt = ustar ] && mktree "$root" no-long-link || mktree "$root"
	find "$root" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +
	tar -C "$work" --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH \
		--format=gnu -cf - ./control | xz -c >"$work/control.tar.xz"
	opt=()
	[ $fmt = pax ] && opt=(--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
	tar -C "$root" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH \
		"${opt[@]}" --format=$fmt -cf - . | xz -c >"$work/data.tar.xz"
	rm -f "$out/pool-tree/dgtest-tree-${fmt}_1.0-1_all.deb"
	(cd "$work" && ar rcD "$out/pool-tree/dgtest-tree-${fmt}_1.0-1_all.deb" debian-binary \
		control.tar.xz data.tar.xz)
done
# A data.tar as `tar --append` leaves it, which dpkg extracts as well: a
# path that comes three times, with other contents each time, and a hard
# link to it made in between (GNU tar writes it in the same run as the
# path's second entry). Extraction leaves the last contents at the path
# and the second at the link: what must be listed.
root=$work/tree-dup d=usr/share/dgtest-tree
rm -rf "$root"; mkdir -p "$root/$d"
sed "s/^Package: .*/Package: dgtest-tree-dup/" "$work/tree-xz/DEBIAN/control" >"$work/control"
tar -C "$work" --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH \
	--format=gnu -cf - ./control | xz -c >"$work/control.tar.xz"
topt=(-C "$root" --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH --format=gnu --no-recursion)
printf 'one\n' >"$root/$d/dup"
tar "${topt[@]}" -cf "$work/data.tar" ./usr ./usr/share ./$d ./$d/dup
rm "$root/$d/dup"; printf 'two\n' >"$root/$d/dup"; ln "$root/$d/dup" "$root/$d/dup-link"
tar "${topt[@]}" -rf "$work/data.tar" ./$d/dup ./$d/dup-link
rm "$root/$d/dup"; printf 'three\n' >"$root/$d/dup"
tar "${topt[@]}" -rf "$work/data.tar" ./$d/dup
xz -c "$work/data.tar" >"$work/data.tar.xz"
rm -f "$out/pool-tree/dgtest-tree-dup_1.0-1_all.deb"
(cd "$work" && ar rcD "$out/pool-tree/dgtest-tree-dup_1.0-1_all.deb" debian-binary \
	control.tar.xz data.tar.xz)
tbin=dists/tree/main/binary-amd64
mkdir -p "$out/$tbin"
(cd "$out" && dpkg-scanpackages --multiversion pool-tree) >"$out/$tbin/Packages" 2>"$work/scan.log" ||
	{ cat "$work/scan.log" >&2; exit 1; }
(cd "$out" && apt-ftparchive -o APT::FTPArchive::Release::Codename=tree \
	-o "APT::FTPArchive::Release::Date=$(rfc1123 $SOURCE_DATE_EPOCH)" "${o_far[@]}" \
	release dists/tree) >"$work/Release-tree" 2>"$work/release.log" || { cat "$work/release.log" >&2; exit 1; }
clearsign "$rsa" "$work/Release-tree" "$out/dists/tree/InRelease"

# A third suite, "tar": data.tar streams no archiver writes, made byte by
# byte by gen-tars.py (see there), each in a .deb of its own for
# tests/integ/deb_tar_diff.sh to ask dpkg-deb -x what it extracts.
python3 "$here/gen-tars.py" "$work/tars"
mkdir -p "$out/pool-tar"
for t in "$work"/tars/*.tar; do
	c=${t##*/}; c=${c%.tar}
	sed "s/^Package: .*/Package: dgtest-tar-$c/" "$work/tree-xz/DEBIAN/control" >"$work/control"
	tar -C "$work" --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH \
		--format=gnu -cf - ./control | xz -c >"$work/control.tar.xz"
	cp "$t" "$work/data.tar"
	(cd "$work" && ar rcD "$out/pool-tar/dgtest-tar-${c}_1.0-1_all.deb" debian-binary \
		control.tar.xz data.tar)
done
# and one .deb with a second data member after the first (ar q appends it)
sed "s/^Package: .*/Package: dgtest-tar-second-data-member/" "$work/tree-xz/DEBIAN/control" >"$work/control"
tar -C "$work" --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH \
	--format=gnu -cf - ./control | xz -c >"$work/control.tar.xz"
x=$out/pool-tar/dgtest-tar-second-data-member_1.0-1_all.deb
cp "$work/tars/contiguous-file.tar" "$work/data.tar"
(cd "$work" && ar rcD "$x" debian-binary control.tar.xz data.tar)
cp "$work/tars/absolute-name.tar" "$work/data.tar"
(cd "$work" && ar qD "$x" data.tar)
xbin=dists/tar/main/binary-amd64
mkdir -p "$out/$xbin"
(cd "$out" && dpkg-scanpackages --multiversion pool-tar) >"$out/$xbin/Packages" 2>"$work/scan.log" ||
	{ cat "$work/scan.log" >&2; exit 1; }
[ "$(grep -c '^Package: ' "$out/$xbin/Packages")" = "$(( $(ls "$work"/tars/*.tar | wc -l) + 1 ))" ] ||
	die "dpkg-scanpackages did not list every tar case"
(cd "$out" && apt-ftparchive -o APT::FTPArchive::Release::Codename=tar \
	-o "APT::FTPArchive::Release::Date=$(rfc1123 $SOURCE_DATE_EPOCH)" "${o_far[@]}" \
	release dists/tar) >"$work/Release-tar" 2>"$work/release.log" || { cat "$work/release.log" >&2; exit 1; }
clearsign "$rsa" "$work/Release-tar" "$out/dists/tar/InRelease"

# suite NAME PACKAGES [SED]: dists/NAME, PACKAGES as its
# main/binary-amd64/Packages, its Release (edited by the sed script SED
# when there is one) signed as dists/NAME/InRelease.
suite() {
	local name=$1 pk=$2 ed=${3:-}
	mkdir -p "$out/dists/$name/main/binary-amd64"
	cp "$pk" "$out/dists/$name/main/binary-amd64/Packages"
	(cd "$out" && apt-ftparchive -o APT::FTPArchive::Release::Codename="$name" \
		-o APT::FTPArchive::Release::Architectures="amd64 all" -o APT::FTPArchive::Release::Components=main \
		-o "APT::FTPArchive::Release::Date=$(rfc1123 $SOURCE_DATE_EPOCH)" "${o_far[@]}" \
		release "dists/$name") >"$work/Release-$name" 2>"$work/release.log" ||
		{ cat "$work/release.log" >&2; exit 1; }
	if [ -n "$ed" ]; then
		cp "$work/Release-$name" "$work/Release-$name.orig"
		sed -i "$ed" "$work/Release-$name"
		cmp -s "$work/Release-$name" "$work/Release-$name.orig" && die "suite $name: '$ed' changed nothing"
	fi
	clearsign "$rsa" "$work/Release-$name" "$out/dists/$name/InRelease"
}
# Suites whose signed texts apt reads otherwise than digestguard
# (deb_apt_diff.sh's apt_differs): "dup", the Packages of dists/test with a
# second paragraph of dgtest-hello 1.0-1 all, the rebuilt one's (as
# dpkg-scanpackages scanned it), after the first (apt uses the first
# paragraph of a version only); "md5", dgtest-hello's MD5sum wrong beside
# its right SHA256; "upper", its SHA256 in capitals; "sha512", the Release
# with a wrong SHA512 entry beside the right SHA256 one; "relupper", the
# Release's SHA256 entries in capitals.  apt checks every hash field it
# knows, as written (lower case); digestguard the SHA-256 alone.  "crlf":
# the Packages with "\r\n" line ends, which apt reads and digestguard
# refuses.
{ cat "$out/$bin/Packages"; awk -v RS= -v ORS='\n\n' '/(^|\n)Package: dgtest-hello\n/' \
	"$out/bad/Packages-altered"; } | sed '$d' >"$work/Packages-dup"
[ "$(grep -c '^Package: dgtest-hello$' "$work/Packages-dup")" = 2 ] ||
	die "the dup Packages does not hold dgtest-hello twice"
suite dup "$work/Packages-dup"
sed '/^Package: dgtest-hello$/,/^$/s/^MD5sum: .*/MD5sum: 00000000000000000000000000000000/' \
	"$out/$bin/Packages" >"$work/Packages-md5"
cmp -s "$work/Packages-md5" "$out/$bin/Packages" && die "the md5 Packages is the original"
suite md5 "$work/Packages-md5"
sed '/^Package: dgtest-hello$/,/^$/s/^SHA256: \(.*\)/SHA256: \U\1/' "$out/$bin/Packages" >"$work/Packages-upper"
cmp -s "$work/Packages-upper" "$out/$bin/Packages" && die "the upper Packages is the original"
suite upper "$work/Packages-upper"
suite sha512 "$out/$bin/Packages" '/^SHA512:/,$s/^ \([0-9a-f]\)\([0-9a-f]\)/ \2\1/'
sed 's/$/\r/' "$out/$bin/Packages" >"$work/Packages-crlf"
suite crlf "$work/Packages-crlf"
suite relupper "$out/$bin/Packages" '/^SHA256:/,/^SHA512:/s/^ \([0-9a-f]*\) / \U\1 /'

P=$bin/Packages
IR=dists/test/InRelease
hello=pool/main/d/dgtest-hello/dgtest-hello_1.0-1_all.deb
pbin=main/binary-amd64/Packages
# NAME INTENDED-VERDICT KEYRING INRELEASE PACKAGES DEB
cases="
deb_xz_listed_in_packages_is_ok ok keys/rsa.gpg $IR $P $hello
deb_gzip_amd64_listed_in_packages_is_ok ok keys/rsa.gpg $IR $P pool/main/d/dgtest-tool/dgtest-tool_2.0-1_amd64.deb
deb_uncompressed_listed_in_packages_is_ok ok keys/rsa.gpg $IR $P pool/main/d/dgtest-data/dgtest-data_1.0-1_all.deb
deb_with_epoch_version_is_ok ok keys/rsa.gpg $IR $P pool/main/d/dgtest-epoch/dgtest-epoch_3.0-1_amd64.deb
packages_gz_listed_by_decompressed_hash_is_ok ok keys/rsa.gpg $IR $P.gz $hello
packages_xz_listed_by_decompressed_hash_is_ok ok keys/rsa.gpg $IR $P.xz $hello
packages_xz_compressed_again_is_listed_by_its_text ok keys/rsa.gpg $IR other/Packages.xz $hello
packages_bz2_listed_by_decompressed_hash_is_ok ok keys/rsa.gpg $IR $P.bz2 $hello
inrelease_ed25519_signature_is_ok ok keys/eddsa.gpg inrelease/InRelease-eddsa $P $hello
inrelease_without_valid_until_does_not_expire ok keys/rsa.gpg inrelease/InRelease-novalid $P $hello
inrelease_valid_until_numeric_timezone_is_ok ok keys/rsa.gpg inrelease/InRelease-numtz $P $hello
deb_rebuilt_after_scanning_is_not_listed not-listed keys/rsa.gpg $IR $P bad/dgtest-hello_1.0-1_all.deb
deb_not_in_repository_is_not_listed not-listed keys/rsa.gpg $IR $P bad/dgtest-stray_1.0-1_all.deb
unsigned_release_given_as_inrelease_fails_the_chain bad-signature keys/rsa.gpg dists/test/Release $P $hello
inrelease_signed_by_unknown_key_fails_the_chain bad-signature keys/rsa.gpg inrelease/InRelease-otherkey $P $hello
inrelease_ed25519_not_in_keyring_fails_the_chain bad-signature keys/rsa.gpg inrelease/InRelease-eddsa $P $hello
inrelease_altered_after_signing_fails_the_chain bad-signature keys/rsa.gpg inrelease/InRelease-altered bad/Packages-altered bad/dgtest-hello_1.0-1_all.deb
inrelease_expired_fails_the_chain expired keys/rsa.gpg inrelease/InRelease-expired $P $hello
inrelease_expired_numeric_timezone_fails_the_chain expired keys/rsa.gpg inrelease/InRelease-numtz-expired $P $hello
inrelease_with_only_md5_and_sha1_fails_the_chain packages-not-listed keys/rsa.gpg inrelease/InRelease-weak $P $hello
packages_altered_after_release_fails_the_chain packages-not-listed keys/rsa.gpg $IR bad/Packages-altered bad/dgtest-hello_1.0-1_all.deb
inrelease_dated_in_the_future_is_not_valid_yet not-valid-yet keys/rsa.gpg inrelease/InRelease-future $P $hello
release_with_detached_signature_is_ok ok keys/rsa.gpg release:dists/test/Release $P $hello
release_with_detached_signature_lists_every_deb ok keys/rsa.gpg release:dists/test/Release $P.xz pool/main/d/dgtest-tool/dgtest-tool_2.0-1_amd64.deb
release_with_ed25519_detached_signature_is_ok ok keys/eddsa.gpg release:release/Release-eddsa $P $hello
release_with_binary_detached_signature_is_refused_as_apt_does bad-signature keys/rsa.gpg release:release/Release-binary-sig $P $hello
release_with_text_around_its_armored_signature_is_refused bad-signature keys/rsa.gpg release:release/Release-text-around $P $hello
release_with_blank_lines_around_its_armored_signature_is_refused bad-signature keys/rsa.gpg release:release/Release-blank-lines $P $hello
release_not_listing_a_deb_gives_not_listed not-listed keys/rsa.gpg release:dists/test/Release $P bad/dgtest-stray_1.0-1_all.deb
release_signed_by_unknown_key_fails_the_chain bad-signature keys/rsa.gpg release:release/Release-otherkey $P $hello
release_altered_after_signing_fails_the_chain bad-signature keys/rsa.gpg release:release/Release-altered bad/Packages-altered bad/dgtest-hello_1.0-1_all.deb
release_expired_fails_the_chain expired keys/rsa.gpg release:release/Release-expired $P $hello
release_dated_in_the_future_is_not_valid_yet not-valid-yet keys/rsa.gpg release:release/Release-future $P $hello
deb_of_a_second_paragraph_of_the_same_version_is_listed ok keys/rsa.gpg dists/dup/InRelease dists/dup/$pbin bad/dgtest-hello_1.0-1_all.deb
deb_with_a_wrong_md5sum_beside_its_sha256_is_listed ok keys/rsa.gpg dists/md5/InRelease dists/md5/$pbin $hello
deb_listed_by_a_sha256_in_capitals_is_listed ok keys/rsa.gpg dists/upper/InRelease dists/upper/$pbin $hello
packages_with_a_wrong_sha512_beside_its_sha256_is_listed ok keys/rsa.gpg dists/sha512/InRelease dists/sha512/$pbin $hello
packages_listed_by_a_sha256_in_capitals_is_listed ok keys/rsa.gpg dists/relupper/InRelease dists/relupper/$pbin $hello
inrelease_with_a_date_in_another_zone_is_refused release-malformed keys/rsa.gpg inrelease/InRelease-datezone $P $hello
packages_with_crlf_line_ends_is_refused packages-malformed keys/rsa.gpg dists/crlf/InRelease dists/crlf/$pbin $hello
"
[ $have_lz4 = 1 ] && cases+="packages_lz4_listed_by_decompressed_hash_is_ok ok keys/rsa.gpg $IR $P.lz4 $hello
"
: >"$work/cases.txt"
while read -r name want kr inr pk deb; do
	[ -n "$name" ] || continue
	got=$(cd "$out" && ref_verdict "$out/$kr" "$inr" "$pk" "$deb")
	[ "${got%% *}" = "$want" ] || die "case $name: the reference verdict is '$got', not '$want'"
	echo "$name $kr $inr $pk $deb $got" >>"$work/cases.txt"
done <<<"$cases"
mv "$work/cases.txt" "$out/cases.txt"
echo "$stamp" >"$out/.stamp"
