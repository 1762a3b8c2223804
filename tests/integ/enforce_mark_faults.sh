#!/usr/bin/env bash
# The kernel's allow cache when the worker must stop making ignore marks
# (src/enforcer/worker.c): the marks already in place go too.  Otherwise no
# new generation flushes them (sync_ignore_marks does nothing once marks
# are off) and, after a worker restart, no FAN_ATTRIB watch is left on them:
# a revoked file kept running without an event.  The failures are injected
# with an LD_PRELOAD shim (the worker is forked, not executed: it has it too).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state
events() { sed -n 's/^digestguard enforce: stopped: \([0-9]*\) events.*/\1/p' "$T/enf.err" | tail -n 1; }
# fail_next KIND: from now on the shim fails that call
#   attrib_group: fanotify_init of the FAN_REPORT_FID group (EMFILE)
#   ignore_mark:  fanotify_mark adding an ignore mask (ENOMEM)
# The shim appends a line to $F/calls for each such call: "KIND failed" when
# it failed it, "ignore_mark made" when an ignore mark went in.  A case
# holds only if its fault was injected (else a plain new generation flushes
# the marks and the revoked file is denied anyway) and marks were in place.
fail_next() { : > "$F/$1"; }
calls() { local n; n=$(grep -c "^$1\$" "$F/calls" 2>/dev/null); echo "${n:-0}"; }
cat > "$T/shim.c" <<'CEOF'
#include "fault_shim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/fanotify.h>
#include <unistd.h>

int fanotify_init(unsigned flags, unsigned event_f_flags)
{
	int (*real)(unsigned, unsigned) = (int (*)(unsigned, unsigned))dlsym(RTLD_NEXT, "fanotify_init");

	if ((flags & FAN_REPORT_FID) && armed("attrib_group")) {
		note("attrib_group failed");
		errno = EMFILE;
		return -1;
	}
	return real(flags, event_f_flags);
}

int fanotify_mark(int fd, unsigned flags, uint64_t mask, int dfd, const char *path)
{
	int (*real)(int, unsigned, uint64_t, int, const char *) =
		(int (*)(int, unsigned, uint64_t, int, const char *))dlsym(RTLD_NEXT, "fanotify_mark");

	int r;

	if ((flags & FAN_MARK_ADD) && (flags & FAN_MARK_IGNORED_MASK) && armed("ignore_mark")) {
		note("ignore_mark failed");
		errno = ENOMEM;
		return -1;
	}
	r = real(fd, flags, mask, dfd, path);
	if (r == 0 && (flags & FAN_MARK_ADD) && (flags & FAN_MARK_IGNORED_MASK) && path == NULL)
		note("ignore_mark made");
	return r;
}
CEOF
enf_shim "enforcer mark faults"

for b in cached other probe; do enf_bin $b || { nok "build $b"; done_testing; exit 1; }; done
enf_allow "$S" "$MNT/cached" "$MNT/other" "$MNT/probe"
sha256sum "$MNT/probe" > "$T/gen2"
sleep 2.2	# past the racy window (src/enforcer/cache.h)

# revoked FILE: import gen2 (probe only), wait until the worker answers
# under it, then FILE's exec must be denied.
revoked() {
	local i switched=0
	wd 30 "$DG" db import --state "$S" --replace --local "$T/gen2" >/dev/null
	wait_for 10 run_bin "$MNT/probe" && switched=1
	rm -f "$T/ran"
	[ $switched = 1 ] && run_denied $DENY_EXEC "$1" "$T/ran" && ! [ -e "$T/ran" ]
}
# cached_now: exec cached a few times (marked after the first)
cached_now() {
	local i
	for i in 1 2 3 4 5; do run_bin "$MNT/cached" || return 1; done
}

# --- an ignore mark that cannot be made: the others go too ------------------
rm -f "$F"/*
enf_start --state "$S" --mark "$MNT" || { nok start; done_testing; exit 1; }
cached_now; ran=$?
made=$(calls "ignore_mark made")
fail_next ignore_mark
run_bin "$MNT/other"	# its mark fails: marks are off from now on
enf_wait_grep "^ignore_mark failed$" "$F/calls"	# the mark follows the answer
name=marks_in_place_go_when_an_ignore_mark_fails
if [ $ran = 0 ] && [ "$made" -ge 1 ] && [ "$(calls "ignore_mark failed")" -ge 1 ] && revoked "$MNT/cached"; then ok "$name"
else nok "$name" "cached ran: $([ $ran = 0 ] && echo yes || echo no), ignore marks made before the fault: $made," \
	"ignore marks failed by the shim: $(calls "ignore_mark failed") (0: the fault was never injected)," \
	"revoked cached file denied: $(revoked "$MNT/cached" && echo yes || echo no)"; fi
enf_stop >/dev/null 2>&1

# --- a worker without a FAN_ATTRIB group: its predecessor's marks go ---------
rm -f "$F"/*
enf_allow "$S" "$MNT/cached" "$MNT/other" "$MNT/probe"
enf_start --state "$S" --mark "$MNT" || { nok start; done_testing; exit 1; }
cached_now; ran=$?
made=$(calls "ignore_mark made")
fail_next attrib_group
old=$(enf_worker)
kill -KILL "$old"
for i in $(seq 100); do
	w=$(enf_worker); [ -n "$w" ] && [ "$w" != "$old" ] && break; sleep 0.05
done
enf_wait_grep "^attrib_group failed$" "$F/calls"
name=restarted_worker_without_attrib_watch_drops_earlier_marks
if [ $ran = 0 ] && [ "$made" -ge 1 ] && [ -n "$w" ] && [ "$w" != "$old" ] &&
	[ "$(calls "attrib_group failed")" -ge 1 ] && grep -q "no FAN_ATTRIB watch" "$T/enf.err" &&
	revoked "$MNT/cached"; then ok "$name"
else nok "$name" "old=$old new=${w:-?} cached ran: $ran, ignore marks made: $made" "$(tail -n 3 "$T/enf.err")"; fi
enf_stop >/dev/null 2>&1
done_testing
