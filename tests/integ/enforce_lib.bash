# Helpers for tests/integ/enforce_*.sh (sourced after lib.bash).
#
# SAFETY: every test mounts its own private tmpfs at $T/mnt and marks only
# that; the enforcer runs under a watchdog (so a hung test releases every
# blocked exec when the watchdog kills it: closing the fanotify group allows
# what is pending); cleanup kills only the PIDs these helpers started and
# unmounts the tmpfs.
ENF_PIDS=()
MNT=$T/mnt
# A command enf_start runs the enforcer under (e.g. unshare), or empty.
ENF_WRAP=()

# enf_none_alive: every watchdog in ENF_PIDS has ended.
enf_none_alive() {
	local p
	for p in "${ENF_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && return 1; done
	return 0
}
# ENF_PIDS are watchdogs (timeout) with the enforcer as their child: TERM
# reaches the enforcer through its watchdog and it stops cleanly; what is
# left after 5 s is killed, the enforcer (the watchdog's child) before its
# watchdog, as a watchdog killed alone would leave it running.
enf_cleanup() {
	local p c
	for p in "${ENF_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait_for 5 enf_none_alive
	for p in "${ENF_PIDS[@]}"; do
		for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do kill -KILL "$c" 2>/dev/null; done
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${ENF_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	mountpoint -q "$MNT" && umount -l "$MNT"
	rm -rf "$T"
}
trap enf_cleanup EXIT
# A runner's timeout (SIGTERM), or a reader that went away (SIGPIPE), must
# still clean up: exit runs the EXIT trap.
trap 'exit 143' TERM INT HUP
trap 'exit 141' PIPE

# Skip the whole script (TAP plan with a skip) when it cannot run here.
enf_require() {
	local why=
	[ "$(id -u)" = 0 ] || why="needs root (fanotify, mount)"
	[ -z "$why" ] && ! [ -x "${DG:-}" ] && why="no digestguard binary (DG)"
	[ -z "$why" ] && ! command -v gcc >/dev/null && why="no gcc"
	[ -z "$why" ] && ! [ -e /usr/lib/x86_64-linux-gnu/libc.a ] && ! [ -e /usr/lib/libc.a ] &&
		why="no static libc (libc6-dev)"
	if [ -z "$why" ]; then
		mkdir -p "$MNT"
		wd 10 mount -t tmpfs -o size=512m,mode=0755 dgtest "$MNT" || why="cannot mount a tmpfs"
	fi
	if [ -n "$why" ]; then
		skip "enforcer tests" "$why"
		done_testing
		exit 0
	fi
}

# enf_bin NAME [TAG]: a small static binary at $MNT/NAME.  Run with an
# argument FILE it appends TAG to FILE, so a test can tell whether it ran.
# enf_shim NAME: build the LD_PRELOAD fault shim $T/shim.c (it includes
# fault_shim.h first) into $T/shim.so, or skip NAME and end the script; then
# enf_start runs the enforcer with it, and a fault KIND is armed while the
# file $F/KIND exists ($F/calls: what the shim noted).
F=$T/faults
enf_shim() {
	if ! wd 60 gcc -shared -fPIC -O2 -I "$(dirname "${BASH_SOURCE[0]}")" \
		-o "$T/shim.so" "$T/shim.c" -ldl; then
		skip "$1" "cannot build the LD_PRELOAD shim"
		done_testing
		exit 0
	fi
	# An ASan build wants its runtime first; the shim only wraps a few calls.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	mkdir -p "$F"
	ENF_WRAP=(env LD_PRELOAD="$T/shim.so" DG_TEST_FAULTS="$F")
}

enf_bin() {
	local name=$1 tag=${2:-$1}
	if ! [ -e "$T/src/$tag" ]; then
		mkdir -p "$T/src"
		cat > "$T/src/$tag.c" <<-CEOF
		#include <stdio.h>
		int main(int argc, char **argv)
		{
			if (argc > 1) {
				FILE *f = fopen(argv[1], "a");
				if (f) { fputs("$tag\n", f); fclose(f); }
			}
			puts("$tag ran");
			return 0;
		}
		CEOF
		wd 60 gcc -static -O2 -o "$T/src/$tag" "$T/src/$tag.c" || return 1
	fi
	cp "$T/src/$tag" "$MNT/$name"
}

# enf_allow STATE FILE...: import the files' digests as the only entries.
enf_allow() {
	local state=$1; shift
	sha256sum "$@" > "$T/allow.$$"
	wd 30 "$DG" db import --state "$state" --replace --local "$T/allow.$$" >/dev/null
}

# enf_start ARGS...: start the enforcer (watchdog 300 s), wait for "ready".
# Sets EPID (the watchdog's pid; signals reach the enforcer through it) and
# ENF_LOG (its --log FILE, or empty).
enf_start() {
	local a prev=
	ENF_LOG=
	for a; do
		[ "$prev" = --log ] && ENF_LOG=$a
		case $a in --log=*) ENF_LOG=${a#--log=};; esac
		prev=$a
	done
	: > "$T/enf.out"
	timeout --kill-after=5 300 "${ENF_WRAP[@]}" "$DG" enforce "$@" > "$T/enf.out" 2> "$T/enf.err" &
	EPID=$!
	ENF_PIDS+=("$EPID")
	local i
	for i in $(seq 100); do
		grep -qx ready "$T/enf.out" && return 0
		kill -0 "$EPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# enforcer did not get ready:"; sed 's/^/# /' "$T/enf.err"
	return 1
}

# enf_stop: SIGTERM, wait (watchdog 20 s); returns the enforcer's status.
enf_stop() {
	local i rc
	kill -TERM "$EPID" 2>/dev/null
	for i in $(seq 200); do kill -0 "$EPID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$EPID" 2>/dev/null; then
		kill -KILL "$EPID"
		wait "$EPID" 2>/dev/null
		return 124
	fi
	wait "$EPID"; rc=$?
	return $rc
}

# The pid of the current worker (printed by the supervisor).
enf_worker() {
	sed -n 's/^digestguard enforce: worker \([0-9]*\) started$/\1/p' "$T/enf.err" | tail -n 1
}

# enf_marked FILE: the worker's fanotify groups have an inode mark on FILE
# (an allowed exec's ignore mark, its FAN_ATTRIB watch), as
# /proc/PID/fdinfo lists them ("fanotify ino:HEX sdev:HEX ...").
enf_marked() {
	local w ino sdev
	w=$(enf_worker)
	[ -n "$w" ] && ino=$(stat -c %i "$1") && sdev=$(stat -c '%Hd %Ld' "$1") || return 1
	sdev=$(( (${sdev% *} << 20) | ${sdev#* } ))	# the kernel's dev_t: major << 20 | minor
	cat /proc/"$w"/fdinfo/* 2>/dev/null |
		grep -q "^fanotify ino:$(printf %x "$ino") sdev:$(printf %x "$sdev") "
}
# enf_wait_marked FILE: until the worker has a mark on FILE (10 s at most:
# it may put it after the kernel has its answer).
enf_wait_marked() {
	wait_for 10 enf_marked "$1" && return 0
	echo "# $1: not marked after 10 s"
	return 1
}
# enf_wait_unmarked FILE: until the worker has no mark on FILE (10 s at
# most): what it does on an event or a new generation, done by its own
# threads, with no sign of it outside but the marks.
enf_unmarked() { ! enf_marked "$1"; }
enf_wait_unmarked() {
	wait_for 10 enf_unmarked "$1" && return 0
	echo "# $1: still marked after 10 s"
	return 1
}

# run_bin PATH ARGS...: exec under a watchdog; prints nothing, returns status.
# For a wait or a count only: a case that says "allowed" or "denied" uses
# run_allowed or run_denied, as a hang, a missing file or a crash is a
# failure too.
run_bin() { wd 10 "$@" >/dev/null 2>&1; }

# The exit status of a command the enforcer refuses (FAN_DENY: EPERM, and
# the command says "Operation not permitted"), by the way it runs the file:
DENY_EXEC=126	# wd FILE: timeout(1) cannot execve() FILE (a script with #! too)
DENY_LDSO=127	# wd ld.so FILE: the loader cannot open FILE (127 with ENOENT: not found)
DENY_SH=2	# wd sh FILE (dash, also a copy under another name): cannot open FILE

# run_denied STATUS CMD...: CMD, under a watchdog, is refused: it exits with
# exactly STATUS and says "Operation not permitted".  A hang (124), a file
# not found, a crash or a payload that fails by itself is no denial.
run_denied() {
	local want=$1 rc out=$T/run.$BASHPID; shift
	enf_log_mark
	wd 10 "$@" > "$out" 2>&1; rc=$?
	if [ "$rc" = "$want" ] && grep -q 'Operation not permitted' "$out"; then
		rm -f "$out"
		return 0
	fi
	echo "# not denied: ${*##*/} exited $rc (denied: $want): $(head -c 200 "$out" | tr '\n' ' ')"
	rm -f "$out"
	return 1
}
# run_allowed OUT CMD...: CMD, under a watchdog, runs its payload: exits 0
# and prints exactly OUT (an enf_bin binary: "TAG ran").  Exit status 0
# alone is not enough: a shell that cannot read its script ran nothing.
run_allowed() {
	local want=$1 rc out=$T/run.$BASHPID; shift
	enf_log_mark
	wd 10 "$@" > "$out" 2>"$out.err"; rc=$?
	if [ "$rc" = 0 ] && [ "$(cat "$out")" = "$want" ]; then
		rm -f "$out" "$out.err"
		return 0
	fi
	echo "# not allowed: ${*##*/} exited $rc, printed '$(head -c 100 "$out" | tr '\n' ' ')'" \
		"(want '$want') $(head -c 200 "$out.err" | tr '\n' ' ')"
	rm -f "$out" "$out.err"
	return 1
}
# enf_log_mark: note how many lines the decision log (ENF_LOG) has, for
# enf_logged.  In a file: `check` runs its command in a subshell.
enf_log_mark() {
	local n=0
	[ -n "${ENF_LOG:-}" ] && [ -e "$ENF_LOG" ] && n=$(wc -l < "$ENF_LOG")
	echo "$n" > "$T/enf.log_mark"
}
# enf_logged PATTERN: the decision log got a line matching PATTERN since the
# last run_denied or run_allowed started (10 s at most: the worker may write
# it after the kernel has its answer).
enf_log_has() {	# FROM PATTERN
	tail -n +$(($1 + 1)) "$ENF_LOG" 2>/dev/null | grep -q -- "$2"
}
enf_logged() {
	local from
	from=$(cat "$T/enf.log_mark" 2>/dev/null)
	wait_for 10 enf_log_has "${from:-0}" "$1" && return 0
	echo "# not in the decision log ${ENF_LOG:-(no --log)} after its line ${from:-0} (10 s): $1"
	return 1
}
# enf_logged_deny KIND PATH: enf_logged " deny KIND pid=N path=PATH "
enf_logged_deny() { enf_logged " deny $1 pid=[0-9]* path=$2 "; }
# enf_wait_grep PATTERN FILE: until FILE has a line matching PATTERN, 10 s
# at most.  What a worker does after the kernel has its answer (a fault
# shim's note, a log line, a mark) can come after the exec has returned.
enf_wait_grep() { wait_for 10 grep -q "$1" "$2" 2>/dev/null; }
