#!/usr/bin/env bash
# The enforcer's start-up checks when the system fails under them: the
# listing of an own directory (the directory of --log, left out of the
# watch) that breaks off must refuse the start, as a check of part of the
# directory could miss a file others may write.  The failure is injected
# with an LD_PRELOAD shim.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state
cat > "$T/shim.c" <<'CEOF'
#include "fault_shim.h"
#include <dirent.h>

/* readdir64 (what a build with 64-bit file offsets calls for readdir):
 * EIO after the first entry of each listing while armed */
struct dirent64 *readdir64(DIR *d)
{
	struct dirent64 *(*real)(DIR *) =
		(struct dirent64 *(*)(DIR *))dlsym(RTLD_NEXT, "readdir64");
	static DIR *last;
	int e = errno;	/* armed() may set it; readdir leaves it alone at the end */

	if (armed("readdir") && d == last) {
		note("readdir failed");
		errno = EIO;
		return NULL;
	}
	last = d;
	errno = e;
	return real(d);
}
CEOF
enf_shim "enforcer start-up faults"

enf_bin hello || { nok "build hello"; done_testing; exit 1; }
enf_allow "$S" "$MNT/hello"
mkdir -m 0755 "$MNT/own"
: > "$MNT/own/root-file"

: > "$F/readdir"
# In the background, its PID with the others enf_cleanup stops: should the
# enforcer start after all, the test's end must not leave it running.
wd 15 "${ENF_WRAP[@]}" "$DG" enforce --state "$S" --mark "$MNT" --log "$MNT/own/log" \
	>"$T/start.out" 2>&1 </dev/null &
ENF_PIDS+=("$!")
wait "$!"; rc=$?
out=$(cat "$T/start.out")
name=own_directory_that_cannot_be_listed_refuses_the_start
if [ $rc = 1 ] && grep -qF "digestguard enforce: $MNT/own (the directory of --log): Input/output error" <<< "$out" &&
	! grep -q '^ready$' <<< "$out" && grep -q '^readdir failed$' "$F/calls"; then ok "$name"
else nok "$name" "rc=$rc, shim: $(grep -c . "$F/calls" 2>/dev/null) calls" "$(head -n 4 <<< "$out")"; fi
rm -f "$F/readdir"
# the same start without the fault
if enf_start --state "$S" --mark "$MNT" --log "$MNT/own/log"; then ok own_directory_listed_starts
else nok own_directory_listed_starts "$(head -n 3 "$T/enf.err")"; fi
enf_stop >/dev/null 2>&1
done_testing
