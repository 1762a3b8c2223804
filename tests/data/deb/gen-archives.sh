#!/usr/bin/env bash
# Build small real .deb files for the DEB_REQ_ARCHIVE parser:
#   tests/data/deb/gen-archives.sh OUTDIR
# Writes OUTDIR/archive-{xz,gzip,zstd,none}.deb with dpkg-deb, one per
# data.tar compression it writes (zstd only when this dpkg-deb has
# -Zzstd); when ar and xz are installed, OUTDIR/archive-{pax,ustar}.deb,
# whose data.tar.xz GNU tar writes in the pax and ustar formats (as .deb
# builders other than dpkg-deb do), put together with ar; and
# OUTDIR/archive-*.list, what `tar -tv` says of each data.tar: the
# reference for the paths and sizes the parser reports.  The package holds
# a directory tree, a file with a 120-character path (an 'L' header from
# dpkg-deb, a pax path record, a ustar prefix), a symlink and a hard link.
# Reproducible (SOURCE_DATE_EPOCH, --root-owner-group, ar -D).  Exit 77
# (skip) when a tool is missing.
set -euo pipefail
out=${1:?usage: gen-archives.sh OUTDIR}
for t in dpkg-deb tar; do
	command -v $t >/dev/null || { echo "gen-archives.sh: $t not installed" >&2; exit 77; }
done
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C.UTF-8 TZ=UTC
umask 022
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/dg-deb-arc.XXXXXX)
trap 'rm -rf "$work"' EXIT

root=$work/root
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/doc/dg-archive"
cat >"$root/DEBIAN/control" <<EOF
Package: dg-archive
Version: 1.0-1
Architecture: all
Maintainer: digestguard tests <tests@deb.test>
Description: DEB_REQ_ARCHIVE fixture
 A long path, a symlink and a hard link.
EOF
printf '#!/bin/sh\necho hello\n' >"$root/usr/bin/dg-hello"
chmod 755 "$root/usr/bin/dg-hello"
ln -s dg-hello "$root/usr/bin/dg-hi"
ln "$root/usr/bin/dg-hello" "$root/usr/bin/dg-hello-again"
printf 'Copyright: none\n' >"$root/usr/share/doc/dg-archive/copyright"
# "./" + dir + "/" + name = 120 characters: over the 100 of a tar name.
dir=usr/share/dg-archive/a-directory-name-that-is-long
name=$(printf 'f%.0s' $(seq 1 $((120 - 2 - ${#dir} - 1))))
mkdir -p "$root/$dir"
printf 'long path\n' >"$root/$dir/$name"
[ ${#dir} -gt 0 ] && [ $((2 + ${#dir} + 1 + ${#name})) -eq 120 ] || { echo "gen-archives.sh: bad long path" >&2; exit 1; }
find "$root" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +

comps="xz gzip none"
# Not `dpkg-deb --help | grep -q`: grep's early exit fails the pipe (pipefail).
case $(dpkg-deb --help 2>/dev/null) in *zstd*) comps="xz gzip zstd none" ;; esac
for z in $comps; do
	dpkg-deb --root-owner-group -Z"$z" --build "$root" "$out/archive-$z.deb" >/dev/null
	dpkg-deb --fsys-tarfile "$out/archive-$z.deb" | tar -tv --numeric-owner >"$out/archive-$z.list"
done

# The same tree in GNU tar's pax and ustar formats, members as dpkg-deb
# orders them; GNU ar writes the names in its "name/" form.
if command -v ar >/dev/null && command -v xz >/dev/null; then
	printf '2.0\n' >"$work/debian-binary"
	tar -C "$root/DEBIAN" --sort=name --owner=0 --group=0 --numeric-owner \
		--mtime=@$SOURCE_DATE_EPOCH --format=gnu -cf - . | xz -c >"$work/control.tar.xz"
	for fmt in pax ustar; do
		opt=()
		[ $fmt = pax ] && opt=(--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
		tar -C "$root" --exclude=./DEBIAN --sort=name --owner=0 --group=0 --numeric-owner \
			--mtime=@$SOURCE_DATE_EPOCH "${opt[@]}" --format=$fmt -cf "$work/data.tar" .
		tar -tv --numeric-owner -f "$work/data.tar" >"$out/archive-$fmt.list"
		xz -c "$work/data.tar" >"$work/data.tar.xz"
		rm -f "$out/archive-$fmt.deb"
		(cd "$work" && ar rcD "$out/archive-$fmt.deb" debian-binary control.tar.xz data.tar.xz)
	done
fi
