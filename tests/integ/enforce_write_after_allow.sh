#!/usr/bin/env bash
# A file allowed (and cached: in the kernel's allow cache without --log, in
# the worker's decision cache with it) and then changed in place by any
# write path the kernel has: its next exec is decided again and denied.
# enforce_exec_cache.sh covers write(2) and appends; here the other ways a
# file's bytes change without a new inode: a hole punched, a truncate and
# regrow, copy_file_range, sendfile, splice and pwritev.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state
PY=$(command -v python3 || true)
kinds="punch trunc_regrow"
[ -n "$PY" ] && kinds+=" copy_file_range sendfile splice pwritev"
enf_bin cached && enf_bin evil || { nok "build test binaries"; done_testing; exit 1; }
# on the marked tmpfs: copy_file_range copies within one filesystem
head -c 4096 /dev/urandom > "$MNT/junk"
# One copy per way and per run (the first exec caches it), all made now:
# a file changed in the last 2 s is never cached (racy, cache.h), and a test
# of such a file could not fail.
allowed=()
for run in kernel log; do
	for k in $kinds; do cp "$MNT/cached" "$MNT/$run.$k"; allowed+=("$MNT/$run.$k"); done
done
enf_allow "$S" "${allowed[@]}"
sleep 2.2

# change KIND FILE: change FILE's bytes in place (same inode), by KIND
change() {
	case $1 in
	punch) fallocate -p -o 4096 -l 8192 "$2";;
	trunc_regrow) local s; s=$(stat -c %s "$2"); truncate -s 4096 "$2" && truncate -s "$s" "$2";;
	copy_file_range) "$PY" -c 'import os, sys
src = os.open(sys.argv[1], os.O_RDONLY); dst = os.open(sys.argv[2], os.O_WRONLY)
os.copy_file_range(src, dst, 4096, 0, 8192)' "$MNT/junk" "$2";;
	sendfile) "$PY" -c 'import os, sys
src = os.open(sys.argv[1], os.O_RDONLY); dst = os.open(sys.argv[2], os.O_WRONLY)
os.lseek(dst, 8192, 0); os.sendfile(dst, src, 0, 4096)' "$MNT/junk" "$2";;
	splice) "$PY" -c 'import os, sys
r, w = os.pipe(); os.write(w, b"\xcc" * 4096)
dst = os.open(sys.argv[1], os.O_WRONLY); os.splice(r, dst, 4096, offset_dst=8192)' "$2";;
	pwritev) "$PY" -c 'import os, sys
dst = os.open(sys.argv[1], os.O_WRONLY); os.pwritev(dst, [b"\xdd" * 64, b"\xee" * 64], 12345)' "$2";;
	esac
}

for run in kernel log; do
	opts=(--state "$S" --mark "$MNT")
	[ $run = log ] && opts+=(--log "$T/log")
	enf_start "${opts[@]}" || { nok "start ($run)"; continue; }
	for k in $kinds; do
		f=$MNT/$run.$k name=write_after_allow_by_${k}_is_denied
		[ $run = log ] && name+=_with_log
		ran=0
		for i in 1 2 3; do run_bin "$f" && ran=$((ran + 1)); done
		change "$k" "$f"
		if [ $ran != 3 ] || cmp -s "$MNT/cached" "$f"; then
			nok "$name" "before the change ran $ran of 3; changed: $(cmp -s "$MNT/cached" "$f" && echo no || echo yes)"
			continue
		fi
		rm -f "$T/ran"
		if run_denied $DENY_EXEC "$f" "$T/ran" && ! [ -e "$T/ran" ]; then ok "$name"
		else nok "$name" "$(cat "$T/ran" 2>/dev/null)"; fi
	done
	if enf_stop; then ok "stops_cleanly ($run)"; else nok "stops_cleanly ($run)" "$(tail -n 3 "$T/enf.err")"; fi
done
[ -z "$PY" ] && skip "write_after_allow_by_copy_file_range_sendfile_splice_pwritev" "no python3"
done_testing
