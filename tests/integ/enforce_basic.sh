#!/usr/bin/env bash
# Enforcer basics on a private tmpfs: allow, deny, audit, log lines, cache
# invalidation by an in-place write, --on-error, single instance, ready.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state LOG=$T/decisions
enf_bin hello && enf_bin unknown || { nok "build test binaries"; done_testing; exit 1; }
enf_allow "$S" "$MNT/hello"

# sd_notify: a datagram socket that records what it receives.
python3 - "$T/notify.sock" "$T/notify.msg" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(30)
try:
    open(sys.argv[2], "wb").write(s.recv(4096))
except Exception:
    pass
PY
NPID=$!
ENF_PIDS+=("$NPID")
for i in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done

if NOTIFY_SOCKET=$T/notify.sock enf_start --state "$S" --mark "$MNT" --log "$LOG"; then
	ok "enforcer_prints_ready_once_marks_are_in_place"
else
	nok "enforcer_prints_ready_once_marks_are_in_place"; done_testing; exit 1
fi
wait "$NPID" 2>/dev/null	# the listener gives up after 30 s by itself
if grep -q '^READY=1' "$T/notify.msg" 2>/dev/null; then ok "enforcer_sends_sd_notify_ready"
else nok "enforcer_sends_sd_notify_ready" "got: $(cat "$T/notify.msg" 2>/dev/null)"; fi
check "enforcer_prints_policy_at_start" grep -q 'mode enforce, on-error deny' "$T/enf.err"

out=$(wd 10 "$MNT/hello" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = "hello ran" ]; then ok "allowlisted_exec_runs"
else nok "allowlisted_exec_runs" "rc=$rc out=$out"; fi

out=$(wd 10 "$MNT/unknown" "$T/ran" 2>&1); rc=$?
if [ $rc = 126 ] && grep -q 'Operation not permitted' <<< "$out" && ! [ -e "$T/ran" ]; then
	ok "unknown_exec_gets_eperm_in_enforce_mode"
else nok "unknown_exec_gets_eperm_in_enforce_mode" "rc=$rc out=$out"; fi

h=$(sha256sum < "$MNT/hello" | cut -d' ' -f1)
u=$(sha256sum < "$MNT/unknown" | cut -d' ' -f1)
check "log_line_for_allowed_exec" grep -q " allow exec pid=[0-9]* path=$MNT/hello sha256=$h reason=allowlisted source=local size=[0-9]* hash_us=[0-9]* hash_cpu_us=[0-9]*$" "$LOG"
check "log_line_for_denied_exec" grep -q " deny exec pid=[0-9]* path=$MNT/unknown sha256=$u reason=not-in-database\( size=[0-9]* hash_us=[0-9]* hash_cpu_us=[0-9]*\)\?$" "$LOG"

# --mark of a mount point that shows its whole filesystem marks the
# filesystem: a user's copy of the mount in a new mount namespace (where
# unprivileged user namespaces are allowed) is watched too.
if wd 10 setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Urm true 2>/dev/null; then
	chmod o+x "$T"
	# unshare(1) exits 126, as timeout(1) does, when its execvp() fails
	if run_denied $DENY_EXEC setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Urm "$MNT/unknown" &&
		enf_logged " deny exec pid=[0-9]* path=.*/unknown sha256=$u reason=not-in-database"; then
		ok "exec_in_a_users_new_mount_namespace_is_checked"
	else nok "exec_in_a_users_new_mount_namespace_is_checked"; fi
	check "mount_point_mark_is_a_filesystem_mark" grep -q "marked mount (its whole filesystem" "$T/enf.err"
else
	skip "exec_in_a_users_new_mount_namespace_is_checked" "no unprivileged user namespaces here"
	skip "mount_point_mark_is_a_filesystem_mark" "no unprivileged user namespaces here"
fi

# A file name with a newline (and spaces) cannot forge a line or a field.
forged=$'x\nFORGED allow exec pid=1 path=ok reason=allowlisted'
cp "$MNT/unknown" "$MNT/$forged"
if run_denied $DENY_EXEC "$MNT/$forged" &&
	enf_logged " deny exec pid=[0-9]* path=$MNT/x\\\\x0aFORGED\\\\x20allow\\\\x20exec.* sha256=$u reason=not-in-database" &&
	! grep -q '^FORGED' "$LOG"; then
	ok "newline_in_a_file_name_is_escaped_in_the_log"
else nok "newline_in_a_file_name_is_escaped_in_the_log" "$(tail -n 3 "$LOG")"; fi
rm -f "$MNT/$forged"

# Second instance on the same state directory.
out=$(wd 10 "$DG" enforce --state "$S" --mark "$MNT" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'another enforcer' <<< "$out"; then ok "second_instance_is_refused_by_the_lock"
else nok "second_instance_is_refused_by_the_lock" "rc=$rc out=$out"; fi

# In-place write to an allowed binary: the cached allow must not survive.
# The byte goes into its "hello ran" string, so the changed binary still
# runs (it prints "Xello ran") if it is let through; the log must show it
# denied by its new digest.
run_bin "$MNT/hello" || true
off=$(grep -obUa 'hello ran' "$MNT/hello" | head -n 1 | cut -d: -f1)
printf 'X' | dd of="$MNT/hello" bs=1 seek="${off:-1000}" conv=notrunc status=none
h2=$(sha256sum < "$MNT/hello" | cut -d' ' -f1)
out=$(wd 10 "$MNT/hello" 2>&1); rc=$?
if [ -n "$off" ] && [ $rc = 126 ] && ! grep -q 'ello ran' <<< "$out" &&
	grep -q " deny exec pid=[0-9]* path=$MNT/hello sha256=$h2 reason=not-in-database" "$LOG"; then
	ok "in_place_write_to_allowed_binary_denies_next_exec"
else nok "in_place_write_to_allowed_binary_denies_next_exec" "offset=$off rc=$rc out=$out" "$(tail -n 2 "$LOG")"; fi

if enf_stop; then ok "sigterm_stops_cleanly"; else nok "sigterm_stops_cleanly" "$(tail -n 3 "$T/enf.err")"; fi
check "exec_after_stop_is_unchecked" run_allowed "unknown ran" "$MNT/unknown"

# Audit mode: runs, but logged as a would-be denial.
enf_bin hello
enf_start --state "$S" --mark "$MNT" --mode audit --log "$LOG" || nok "audit start"
rm -f "$T/ran"
if run_allowed "unknown ran" "$MNT/unknown" "$T/ran" && [ -e "$T/ran" ]; then ok "unknown_exec_runs_in_audit_mode"
else nok "unknown_exec_runs_in_audit_mode"; fi
check "audit_mode_logs_the_would_be_denial" grep -q " audit-deny exec pid=[0-9]* path=$MNT/unknown sha256=$u reason=not-in-database\( size=[0-9]* hash_us=[0-9]* hash_cpu_us=[0-9]*\)\?$" "$LOG"
enf_stop

# No database at all (started anyway with --allow-empty): the --on-error
# policy decides, and says so.
mkdir -p "$T/empty"
enf_start --state "$T/empty" --mark "$MNT" --log "$LOG" --on-error deny --allow-empty ||
	nok "on-error start"
if run_denied $DENY_EXEC "$MNT/hello" &&
	enf_logged " deny exec pid=[0-9]* path=$MNT/hello .*reason=error-denied database lookup"; then
	ok "on_error_deny_denies_when_lookup_fails"
else nok "on_error_deny_denies_when_lookup_fails"; fi
enf_stop
enf_start --state "$T/empty" --mark "$MNT" --log "$LOG" --on-error allow --allow-empty ||
	nok "on-error start"
check "on_error_allow_is_printed_at_start" grep -q 'on-error allow' "$T/enf.err"
if run_allowed "hello ran" "$MNT/hello" &&
	enf_logged " allow exec pid=[0-9]* path=$MNT/hello .*reason=error-allowed database lookup"; then
	ok "on_error_allow_allows_when_lookup_fails"
else nok "on_error_allow_allows_when_lookup_fails"; fi
enf_stop

# The enforcer's own files inside the watched mount: its opens there must
# not wait on itself (ignore marks), with --libs and --scripts on.
mkdir -p "$MNT/own"
enf_allow "$MNT/own/state" "$MNT/hello"
if enf_start --state "$MNT/own/state" --mark "$MNT" --measure "$MNT/own/ima" \
	--log "$MNT/own/log" --libs --scripts &&
   run_allowed "hello ran" "$MNT/hello" && run_denied $DENY_EXEC "$MNT/unknown" &&
   enf_logged_deny exec "$MNT/unknown" &&
   wd 10 "$DG" measure verify "$MNT/own/ima" >/dev/null; then
	ok "own_state_and_logs_inside_the_marked_mount_do_not_deadlock"
else nok "own_state_and_logs_inside_the_marked_mount_do_not_deadlock" "$(tail -n 3 "$T/enf.err")"; fi
enf_stop >/dev/null 2>&1

# Those directories are left out of the watch, every file directly in them
# included: a file there that users other than root may write is as much a
# hole as the directory itself: nobody's own file there, or a root file
# nobody's group may write, would run an unlisted program unchecked; the
# enforcer refuses to start instead, naming the file.
# own_file_case NAME OWNER MODE RUN...: a file $MNT/own/user.file of OWNER
# and MODE, nobody writes the unlisted program into it; the start is refused,
# or (before the fix) nobody runs it with RUN... FILE.
own_file_case() {
	local name=$1 owner=$2 mode=$3 out rc; shift 3
	install -o "${owner%:*}" -g "${owner#*:}" -m "$mode" /dev/null "$MNT/own/user.file"
	chmod o+x "$T"	# nobody reaches the tmpfs through it
	setpriv --reuid 65534 --regid 65534 --clear-groups sh -c "cat '$MNT/unknown' > '$MNT/own/user.file'"
	if enf_start --state "$MNT/own/state" --mark "$MNT" --log "$MNT/own/log" >/dev/null 2>&1; then
		out=$(setpriv --reuid 65534 --regid 65534 --clear-groups timeout 10 "$@" "$MNT/own/user.file" 2>&1); rc=$?
		enf_stop >/dev/null 2>&1
		nok "$name" "started; nobody ran $MNT/own/user.file: rc=$rc $out"
	elif grep -qF "$MNT/own/user.file (in the directory of --log) may be written by users other than root" "$T/enf.err" &&
		! grep -qx ready "$T/enf.out"; then
		ok "$name"
	else nok "$name" "$(head -n 3 "$T/enf.err")"; fi
	rm -f "$MNT/own/user.file"
}
if command -v setpriv >/dev/null; then
	own_file_case users_file_in_our_own_directory_is_refused_at_start 65534:65534 0755
	own_file_case group_writable_file_in_our_own_directory_is_refused_at_start 0:65534 0775
else
	skip users_file_in_our_own_directory_is_refused_at_start "needs setpriv"
	skip group_writable_file_in_our_own_directory_is_refused_at_start "needs setpriv"
fi

# The time zone file on the marked mount (TZ=:FILE): libc reads it at the
# first log line, which must not make the enforcer wait on its own answer.
cp /usr/share/zoneinfo/Etc/UTC "$MNT/UTC" 2>/dev/null || printf 'TZif2' >"$MNT/UTC"
if TZ=:$MNT/UTC enf_start --state "$S" --mark "$MNT" --log "$T/tzlog" &&
   run_allowed "hello ran" "$MNT/hello" && run_denied $DENY_EXEC "$MNT/unknown" &&
   enf_logged_deny exec "$MNT/unknown" && wd 10 cat "$MNT/UTC" >/dev/null; then
	ok "time_zone_file_on_the_marked_mount_does_not_deadlock"
else nok "time_zone_file_on_the_marked_mount_does_not_deadlock" "$(tail -n 3 "$T/enf.err")"; fi
enf_stop

out=$(wd 10 "$DG" enforce --state "$S" --mark "$MNT" --mode bogus 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'audit or enforce' <<< "$out"; then ok "bad_mode_is_a_usage_error"
else nok "bad_mode_is_a_usage_error" "rc=$rc"; fi
done_testing
