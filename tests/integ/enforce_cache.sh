#!/usr/bin/env bash
# The decision cache on a filesystem with coarse (1 s) timestamps: a
# same-size rewrite within the same second leaves size, mtime and ctime as
# they were, so a cached "allow" must not be reused for it (racy entries,
# src/enforcer/cache.h).  ext4 with 128-byte inodes on a loop device the
# test creates, mounted inside the test's own tmpfs; only that is marked.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require
EXT=$MNT/ext4
ext_cleanup() {
	mountpoint -q "$EXT" && umount "$EXT"
	enf_cleanup
}
trap ext_cleanup EXIT

why=
command -v mkfs.ext4 >/dev/null || why="no mkfs.ext4"
if [ -z "$why" ]; then
	truncate -s 32M "$T/img" && wd 30 mkfs.ext4 -q -F -I 128 "$T/img" >/dev/null 2>&1 ||
		why="mkfs.ext4 -I 128 failed"
fi
if [ -z "$why" ]; then
	mkdir -p "$EXT"
	wd 10 mount -o loop "$T/img" "$EXT" 2>/dev/null || why="cannot mount a loop device"
fi
if [ -n "$why" ]; then
	skip "enforce cache on coarse timestamps" "$why"
	done_testing
	exit 0
fi

S=$T/state LOG=$T/decisions
# Same length tags: same-size static binaries, one allowlisted.
enf_bin good goodx && enf_bin evil evilx || { nok "build test binaries"; done_testing; exit 1; }
if [ "$(stat -c %s "$MNT/good")" != "$(stat -c %s "$MNT/evil")" ]; then
	skip "same_size_rewrite_within_one_second_is_hashed_again" "test binaries differ in size"
	done_testing
	exit 0
fi
enf_allow "$S" "$MNT/good"
enf_start --state "$S" --mark "$EXT" --log "$LOG" || { nok "start"; done_testing; exit 1; }

# Right after a second boundary, so the rewrite falls in the same second.
same_second_attempt() {
	rm -f "$EXT/x" "$T/ran"
	while [ $((10#$(date +%N) / 1000000)) -gt 100 ]; do sleep 0.01; done
	cp "$MNT/good" "$EXT/x"
	run_allowed "goodx ran" "$EXT/x" "$T/ran" || return 2
	local before after
	before=$(stat -c '%s %Y %Z' "$EXT/x")
	dd if="$MNT/evil" of="$EXT/x" conv=notrunc status=none
	after=$(stat -c '%s %Y %Z' "$EXT/x")
	[ "$before" = "$after" ] && coarse=$((coarse + 1))
	run_denied $DENY_EXEC "$EXT/x" "$T/ran" && enf_logged_deny exec "$EXT/x" && ! grep -q evilx "$T/ran"
}
coarse=0 ran_evil=0 allowed_first=1
for i in 1 2 3; do
	same_second_attempt; rc=$?
	[ $rc = 2 ] && allowed_first=0
	[ $rc != 0 ] && ran_evil=$((ran_evil + 1))
done
if [ $allowed_first = 1 ]; then ok "allowlisted_file_on_coarse_fs_runs"
else nok "allowlisted_file_on_coarse_fs_runs"; fi
if [ $coarse = 0 ]; then
	skip "same_size_rewrite_within_one_second_is_hashed_again" \
		"timestamps changed: this filesystem is not coarse here"
elif [ $ran_evil = 0 ]; then ok "same_size_rewrite_within_one_second_is_hashed_again"
else nok "same_size_rewrite_within_one_second_is_hashed_again" "$ran_evil of 3 attempts ran the rewrite"; fi
# Once its timestamps are older than the racy window the entry is reused.
cp "$MNT/good" "$EXT/y"; sleep 3
run_bin "$EXT/y"; run_bin "$EXT/y"
hashes=$(grep -c "allow exec pid=[0-9]* path=$EXT/y .*hash_us=" "$LOG")
if [ "$hashes" = 1 ]; then ok "settled_file_is_hashed_once"
else nok "settled_file_is_hashed_once" "hashed $hashes times"; fi
enf_stop
done_testing
