#!/usr/bin/env bash
# `meson install` into a temp DESTDIR: the command, the dg-sopv alias that
# other SOP test suites call, and every man page, each of which must format
# without a groff warning.
. "$(dirname "$0")/lib.bash"

if ! command -v meson >/dev/null || ! [ -f "${BUILD:-}/build.ninja" ]; then
	skip install "meson or the build dir (\$BUILD=${BUILD:-unset}) is missing"
	done_testing
	exit 0
fi
dest=$T/dest
if ! wd 120 meson install -C "$BUILD" --destdir "$dest" --no-rebuild >"$T/log" 2>&1; then
	nok meson_install_succeeds "$(tail -n 5 "$T/log")"
	done_testing
	exit 1
fi
ok meson_install_succeeds
prefix=$(meson introspect --buildoptions "$BUILD" |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
bin=$dest$prefix/bin
man=$dest$prefix/share/man

[ -x "$bin/digestguard" ] && ok installs_digestguard || nok installs_digestguard "no $bin/digestguard"
[ -L "$bin/dg-sopv" ] && [ "$(readlink "$bin/dg-sopv")" = digestguard ] && ok dg_sopv_is_a_link_to_digestguard ||
	nok dg_sopv_is_a_link_to_digestguard "$(ls -l "$bin" 2>&1)"
out=$(wd 10 "$bin/dg-sopv" version --sopv 2>&1)
[ "$out" = "1.0" ] && ok installed_dg_sopv_speaks_sopv_1_0 || nok installed_dg_sopv_speaks_sopv_1_0 "$out"

# Every page in docs/ is installed, in the section its name says.
for page in "$SRC"/docs/*.[1-8]; do
	name=${page##*/}
	sec=${name##*.}
	if [ -f "$man/man$sec/$name" ]; then ok "installs_man_$name"; else nok "installs_man_$name" "not in $man/man$sec"; continue; fi
	warn=$(groff -man -ww -z "$man/man$sec/$name" 2>&1)
	[ -z "$warn" ] && ok "man_${name}_formats_without_warnings" ||
		nok "man_${name}_formats_without_warnings" "$(printf '%s' "$warn" | head -n 5)"
done
done_testing
