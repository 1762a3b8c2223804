#!/usr/bin/env bash
# RPM benchmark, measured in one run against rpm's own tools:
#  1. `digestguard rpm verify` of 200 signed packages vs `rpmkeys -K` on the
#     same files (whole process each; header-only and with the payload);
#     target ratio digestguard/rpmkeys <= 1.0.
#  2. `digestguard db import --rpm DIR` of 500 signed packages holding
#     100,000 files; target >= 100,000 digests/s end to end.
# The packages are built once with rpmbuild + rpmsign (temp GNUPGHOME,
# SOURCE_DATE_EPOCH) and cached in BUILD/rpm-bench keyed by this script.
#   bench/rpm.sh [BUILD_DIR] [PACKAGES] [FILES_PER_PACKAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
npkg=${2:-500}
nfiles=${3:-200}
dg=$PWD/$build/src/cli/digestguard
[ -x "$dg" ] || { echo "bench/rpm.sh: build first (no $dg)" >&2; exit 2; }
for t in rpmbuild rpmsign rpmkeys gpg; do
	command -v $t >/dev/null || { echo "bench/rpm.sh: $t not installed (apt-get install rpm gnupg)" >&2; exit 2; }
done
cache=$PWD/$build/rpm-bench
stamp="$(sha256sum "$0" | cut -c1-16)-$npkg-$nfiles"
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C.UTF-8 TZ=UTC

if [ "$(cat "$cache/.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "building $npkg packages of $nfiles files (once; cached in $cache)..."
	rm -rf "$cache"; mkdir -p "$cache/rpms"
	work=$(mktemp -d /tmp/dg-rpm-bench.XXXXXX)
	export GNUPGHOME=$work/gnupg
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
		--quick-gen-key "DG RPM bench <bench@rpm.test>" rsa3072 sign never
	fpr=$(gpg --with-colons --list-keys bench@rpm.test | awk -F: '/^fpr:/{print $10; exit}')
	gpg --armor --export bench@rpm.test >"$cache/key.asc"
	mkdir -p "$work/top/SPECS"
	cat >"$work/top/SPECS/bench.spec" <<'SPEC'
Name: %{pkgname}
Version: 1.0
Release: 1
Summary: digestguard benchmark package
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
Benchmark package.
%install
mkdir -p %{buildroot}/usr/share/%{pkgname}
for i in $(seq %{nfiles}); do echo "%{pkgname} $i" > %{buildroot}/usr/share/%{pkgname}/f$i; done
%files
/usr/share/%{pkgname}
SPEC
	build_one() {
		local top=$work/top-$1
		mkdir -p "$top/SPECS" && cp "$work/top/SPECS/bench.spec" "$top/SPECS/"
		rpmbuild -bb --quiet --define "_topdir $top" --define "pkgname $1" \
			--define "nfiles $nfiles" --define "debug_package %{nil}" \
			--define "_build_id_links none" --define "__os_install_post %{nil}" \
			--define "_buildhost dg.test" --define "_binary_payload w1.gzdio" \
			"$top/SPECS/bench.spec" >/dev/null 2>&1
		mv "$top/RPMS/noarch/$1-1.0-1.noarch.rpm" "$cache/rpms/"
		rm -rf "$top"
	}
	export -f build_one; export work nfiles cache
	# rpmbuild mostly waits (about 1 s per package here, little CPU): overlap.
	seq -f "bench%04g" 1 "$npkg" | xargs -P 8 -I{} bash -c 'build_one {}'
	find "$cache/rpms" -name '*.rpm' -print0 | xargs -0 -n 50 \
		rpmsign --define "__gpg /usr/bin/gpg" --define "_gpg_name $fpr" --addsign >/dev/null 2>&1
	gpgconf --homedir "$GNUPGHOME" --kill all 2>/dev/null || true
	rm -rf "$work"
	echo "$stamp" >"$cache/.stamp"
fi

tmp=$(mktemp -d /tmp/dg-bench-rpm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
rpmkeys --dbpath "$tmp/rpmdb" --import "$cache/key.asc"
mapfile -t all < <(find "$cache/rpms" -name '*.rpm' | sort)
verify=("${all[@]:0:200}")

now() { date +%s.%N; }
cpu() {	# runs COMMAND 5 times, prints the least CPU time (user + sys, children included)
	local b= t i TIMEFORMAT='%U %S'
	for i in 1 2 3 4 5; do
		t=$( { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{print $1 + $2}')
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
best() {	# runs COMMAND 5 times, prints the best wall time in seconds
	local b= t0 t1 t i
	for i in 1 2 3 4 5; do
		t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)
		t=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
# Sanity: both must say OK on every package.
"$dg" rpm verify --keyring "$cache/key.asc" "${verify[@]}" | grep -vc ' OK$' >"$tmp/bad" || true
[ "$(cat "$tmp/bad")" = 0 ] || { echo "bench/rpm.sh: digestguard failed some packages" >&2; exit 1; }

echo "digestguard rpm bench, $(date -u +%FT%TZ), $(nproc) CPUs, ${#verify[@]} packages of $nfiles files"
dgh=$(best "$dg" rpm verify --keyring "$cache/key.asc" "${verify[@]}")
rkh=$(best rpmkeys --dbpath "$tmp/rpmdb" -D '_pkgverify_flags 0x2' -K "${verify[@]}")
dgp=$(best "$dg" rpm verify --payload --keyring "$cache/key.asc" "${verify[@]}")
rkp=$(best rpmkeys --dbpath "$tmp/rpmdb" -K "${verify[@]}")
ok=1
ratio() { echo "scale=2; $1 / $2" | bc -l; }
r1=$(ratio "$dgh" "$rkh"); r2=$(ratio "$dgp" "$rkp")
printf 'verify, header only:  digestguard %.3f s, rpmkeys %.3f s, ratio %s (<= 1.00) %s\n' \
	"$dgh" "$rkh" "$r1" "$([ "$(echo "$r1 <= 1.0" | bc)" = 1 ] && echo met || { ok=0; echo MISSED; })"
printf 'verify, with payload: digestguard %.3f s, rpmkeys %.3f s, ratio %s (<= 1.00) %s\n' \
	"$dgp" "$rkp" "$r2" "$([ "$(echo "$r2 <= 1.0" | bc)" = 1 ] && echo met || { ok=0; echo MISSED; })"
# CPU time beside the wall time (information, no target): digestguard
# verifies on one thread per CPU, rpmkeys on one.
dgc=$(cpu "$dg" rpm verify --keyring "$cache/key.asc" "${verify[@]}")
rkc=$(cpu rpmkeys --dbpath "$tmp/rpmdb" -D '_pkgverify_flags 0x2' -K "${verify[@]}")
printf 'verify, header only, CPU time (user+sys): digestguard %.3f s, rpmkeys %.3f s, ratio %s\n' \
	"$dgc" "$rkc" "$(ratio "$dgc" "$rkc")"

t0=$(now)
"$dg" db import --state "$tmp/state" --keyring "$cache/key.asc" --rpm "$cache/rpms" >"$tmp/import.out" 2>&1
t1=$(now)
files=$(awk '/digests from/ {print $2; exit}' "$tmp/import.out")
rate=$(echo "$files / ($t1 - $t0)" | bc -l)
printf 'db import --rpm:      %d digests from %d packages in %.3f s = %.0f digests/s (>= 100000) %s\n' \
	"$files" "${#all[@]}" "$(echo "$t1 - $t0" | bc -l)" "$rate" \
	"$([ "$(echo "$rate >= 100000" | bc)" = 1 ] && echo met || { ok=0; echo MISSED; })"
[ $ok = 1 ]
