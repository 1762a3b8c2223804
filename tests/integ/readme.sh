#!/usr/bin/env bash
# README.md's "First steps", run as a newcomer types them: the block is
# taken from the README itself, so a step that stops working (an option
# renamed, a message changed, a mount left behind) fails here.  Only the
# path of the binary is this build's ($DG), and it runs in a private mount
# namespace, so even a step that fails cannot leave its tmpfs mounted.
. "$(dirname "$0")/lib.bash"

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	skip readme_first_steps "needs root (mount, fanotify) and unshare"
	done_testing
	exit 0
fi
awk '/^## First steps/{f=1; next} /^## /{f=0} f' "$SRC/README.md" |
	awk '/^```/{i=!i; next} i' >"$T/steps.sh"
if ! grep -q '^dg=\$PWD/build/src/cli/digestguard$' "$T/steps.sh"; then
	nok readme_first_steps_found "no 'dg=\$PWD/build/src/cli/digestguard' line in README.md's First steps block"
	done_testing
	exit 1
fi
ok readme_first_steps_found
sed -i "s|^dg=\$PWD/build/src/cli/digestguard\$|dg='$DG'|" "$T/steps.sh"
echo 'echo "left mounted: $(grep -c " $PWD/mnt " /proc/self/mounts | sed s/^0$/none/)"' >>"$T/steps.sh"
# mktemp -d in the steps makes its scratch directory under $T.
TMPDIR=$T wd 60 unshare -m --propagation private bash "$T/steps.sh" >"$T/out" 2>&1; rc=$?
out=$(cat "$T/out")
mapfile -t lines <<< "$out"
[ $rc = 0 ] &&
	grep -q '^/usr/bin/true: OK local /usr/bin/true$' <<< "$out" &&
	grep -q '^/usr/bin/cat: NOT FOUND sha256:' <<< "$out" &&
	grep -q '^allowed$' <<< "$out" &&
	grep -q '^denied, exit 126$' <<< "$out" &&
	grep -q ' allow exec pid=[0-9]* path=.*/mnt/true .*reason=allowlisted' <<< "$out" &&
	grep -q ' deny exec pid=[0-9]* path=.*/mnt/cat .*reason=not-in-database' <<< "$out" &&
	grep -q 'digestguard enforce: stopped: ' <<< "$out" &&
	ok readme_first_steps_work_as_written || nok readme_first_steps_work_as_written "rc=$rc" "${lines[@]}"
# The steps unmount what they mounted: asked inside the namespace, at their
# end (outside it the namespace would hide a leftover).
grep -q '^left mounted: none$' <<< "$out" && ok readme_first_steps_leave_no_mount ||
	nok readme_first_steps_leave_no_mount "$(grep '^left mounted' <<< "$out")"

done_testing
