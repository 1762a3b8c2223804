#!/usr/bin/env bash
# An event whose fd the kernel cannot create (the worker's fd table full:
# EMFILE; ENFILE, ENOMEM alike): fanotify_read() denies that event itself
# and read() fails.  The worker must say so and go on with the next
# events; it used to exit (status 71), so the decision cache was lost, and
# the failure came back as a crash loop in which the supervisor denies
# every exec unhashed.  The fd table is filled by an LD_PRELOAD shim (the
# worker is forked, not executed: it has it too) around one read() of the
# fanotify group: the kernel's own EMFILE, not a faked return value.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state LOG=$T/decisions
cat > "$T/shim.c" <<'CEOF'
#include "fault_shim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILL_MAX 65536

static int is_fanotify(int fd)
{
	char l[64];

	return !strcmp(fd_target(fd, l, sizeof(l)), "anon_inode:[fanotify]");
}

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	static int fill[FILL_MAX];
	ssize_t r;
	int k = 0, d, e;

	if (!real)
		real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	if (!armed("emfile") || !is_fanotify(fd))
		return real(fd, buf, n);
	while (k < FILL_MAX && (d = dup(0)) >= 0)
		fill[k++] = d;
	r = real(fd, buf, n);
	e = errno;
	while (k)
		close(fill[--k]);
	if (r < 0 && e == EMFILE) {
		disarm("emfile");	/* once */
		note("emfile failed");
	}
	errno = e;
	return r;
}
CEOF
enf_shim "enforcer fd faults"

enf_bin hello && enf_bin unknown || { nok "build test binaries"; done_testing; exit 1; }
enf_allow "$S" "$MNT/hello"
for mode in enforce audit; do
	rm -f "$F"/* "$LOG"
	enf_start --state "$S" --mark "$MNT" --mode "$mode" --log "$LOG" ||
		{ nok "start ($mode)"; continue; }
	run_bin "$MNT/hello"
	: > "$F/emfile"
	# in either mode the kernel denies the event it could not give us: EPERM
	run_denied $DENY_EXEC "$MNT/hello"; rc=$?
	# The kernel denies the event inside the worker's read(), so the exec
	# can fail before the shim has noted the fault and the worker has
	# logged it: wait for both (enf_wait_grep, enf_logged: 10 s each at most).
	enf_wait_grep "^emfile failed$" "$F/calls"
	if grep -q "^emfile failed$" "$F/calls" 2>/dev/null && [ $rc = 0 ]; then
		ok "${mode}_event_without_an_fd_is_denied"
	else nok "${mode}_event_without_an_fd_is_denied" "denied: $([ $rc = 0 ] && echo yes || echo no), fault injected: $(cat "$F/calls" 2>/dev/null)"; fi
	if enf_logged " deny event reason=no-fd: Too many open files"; then
		ok "${mode}_decision_log_says_the_kernel_denied_it"
	else nok "${mode}_decision_log_says_the_kernel_denied_it" "$(tail -n 3 "$LOG")"; fi
	check "${mode}_next_allowlisted_exec_runs" run_allowed "hello ran" "$MNT/hello"
	if [ $mode = enforce ]; then
		if run_denied $DENY_EXEC "$MNT/unknown" && enf_logged_deny exec "$MNT/unknown"; then
			ok "${mode}_next_unknown_exec_is_denied"
		else nok "${mode}_next_unknown_exec_is_denied"; fi
	else
		if run_allowed "unknown ran" "$MNT/unknown" && enf_logged " audit-deny exec pid=[0-9]* path=$MNT/unknown "; then
			ok "${mode}_next_unknown_exec_runs_and_is_logged"
		else nok "${mode}_next_unknown_exec_runs_and_is_logged"; fi
	fi
	if [ "$(grep -c ' started$' "$T/enf.err")" = 1 ]; then ok "${mode}_worker_survives_an_event_without_an_fd"
	else nok "${mode}_worker_survives_an_event_without_an_fd" "$(grep -v marked "$T/enf.err" | tail -n 3)"; fi
	if enf_stop; then ok "${mode}_stops_cleanly"; else nok "${mode}_stops_cleanly"; fi
done
done_testing
