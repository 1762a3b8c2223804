#!/usr/bin/env bash
# The enforce command line, as a new user meets it: `enforce help`, --help
# and the man page describe every option, --opt=VALUE, a missing or empty
# state directory refused (not created), bad marks refused before any worker.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

if ! [ -x "${DG:-}" ]; then
	skip "enforce cli" "no digestguard binary (DG)"; done_testing; exit 0
fi

# --- no root needed: nothing here gets as far as fanotify ---

out=$(wd 10 "$DG" enforce help 2>"$T/err"); rc=$?
if [ $rc = 0 ] && grep -q '^usage: digestguard enforce --state DIR --mark' <<< "$out" &&
	! [ -s "$T/err" ]; then
	ok "enforce_help_prints_usage_and_exits_0"
else nok "enforce_help_prints_usage_and_exits_0" "rc=$rc $(head -n 2 "$T/err")"; fi

# Every option of the synopsis has its own description line in --help, and
# an entry in the OPTIONS section of digestguard-enforce(8).
help=$(wd 10 "$DG" enforce --help)
opts=$(sed -n '/^usage: digestguard enforce --state/,/^       digestguard enforce help/p' <<< "$help" |
	grep -o -- '--[a-z][a-z-]*' | sort -u)
man=$(sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$SRC/docs/digestguard-enforce.8")
missing_help= missing_man=
for o in $opts; do
	grep -q -- "^  $o\( \|$\)" <<< "$help" || missing_help+=" $o"
	grep -A1 '^\.TP' <<< "$man" | grep -qF -- "$(sed 's/-/\\-/g' <<< "$o")" || missing_man+=" $o"
done
if [ "$(wc -w <<< "$opts")" -ge 13 ] && [ -z "$missing_help" ]; then
	ok "enforce_help_describes_every_option"
else nok "enforce_help_describes_every_option" "options: $(echo $opts)" "undescribed:$missing_help"; fi
if [ -n "$man" ] && [ -z "$missing_man" ]; then ok "man_page_describes_every_option"
else nok "man_page_describes_every_option" "not in OPTIONS:$missing_man"; fi
check "help_says_what_hash_max_does" grep -q -- '--hash-max BYTES *files larger than this are not hashed' <<< "$help"
check "help_says_what_event_timeout_does" grep -q -- '--event-timeout MS *a worker busy longer' <<< "$help"

# --opt=VALUE: parsed as the option (its own errors), never "unknown option".
eq_case() {
	local name=$1 want=$2; shift 2
	out=$(wd 10 "$DG" enforce "$@" 2>&1); rc=$?
	if [ $rc = 2 ] && grep -q -- "$want" <<< "$out" && ! grep -q 'unknown option' <<< "$out"; then
		ok "$name"
	else nok "$name" "rc=$rc $(head -n 1 <<< "$out")"; fi
}
eq_case "mode_equals_value_is_parsed" "--mode must be audit or enforce, not 'bogus'" --mark=x --mode=bogus
eq_case "on_error_equals_value_is_parsed" "--on-error must be deny or allow, not 'maybe'" --on-error=maybe --mark x
eq_case "event_timeout_equals_value_is_parsed" "--event-timeout: '5' is not" --event-timeout=5 --mark x
eq_case "hash_max_equals_value_is_parsed" "--hash-max: bad size 'x'" --mark x --hash-max=x
eq_case "tpm_equals_value_is_parsed" "--tpm needs --measure" --tpm=device:/dev/null --mark=x
eq_case "flag_with_a_value_is_a_usage_error" "--libs takes no value" --libs=yes --mark x
eq_case "empty_state_value_is_a_usage_error" "--state: empty value" --state= --mark x
out=$(wd 10 "$DG" enforce --bogus=1 --mark x 2>&1); rc=$?
if [ $rc = 2 ] && grep -q "unknown option '--bogus=1'" <<< "$out"; then
	ok "unknown_equals_option_is_still_unknown"
else nok "unknown_equals_option_is_still_unknown" "rc=$rc $(head -n 1 <<< "$out")"; fi

# --- fanotify from here: root, and only our own tmpfs at $MNT ---
enf_require
S=$T/state LOG=$T/decisions
enf_bin hello && enf_bin unknown || { nok "build test binaries"; done_testing; exit 1; }
enf_allow "$S" "$MNT/hello"

# refused CASE WANT_RC WANT ARGS...: the enforcer must not start.  The
# watchdog ends it if it does (closing its group allows what is pending).
refused() {
	local name=$1 want_rc=$2 want=$3; shift 3
	out=$(wd 15 "$DG" enforce "$@" 2>&1 </dev/null); rc=$?
	if [ "$rc" = "$want_rc" ] && grep -qF -- "$want" <<< "$out" &&
		! grep -q '^ready$' <<< "$out" && ! grep -q 'worker [0-9]* started' <<< "$out" &&
		! grep -q 'marked ' <<< "$out"; then
		ok "$name"
	else nok "$name" "rc=$rc (want $want_rc)" "$(head -n 4 <<< "$out")"; fi
}

# 1. A mistyped --state: refused with the directory named, and not created.
refused "missing_state_dir_is_refused" 1 \
	"no database in $T/typo: No such file or directory (run 'digestguard db import --state $T/typo' first)" \
	--state "$T/typo" --mark "$MNT"
if ! [ -e "$T/typo" ]; then ok "missing_state_dir_is_not_created"
else nok "missing_state_dir_is_not_created"; fi
refused "missing_state_dir_is_refused_in_audit_mode_too" 1 "no database in $T/typo" \
	--mode audit --state "$T/typo" --mark "$MNT"
mkdir -p "$T/nodb"
refused "state_dir_without_a_generation_is_refused" 1 \
	"no database in $T/nodb (run 'digestguard db import --state $T/nodb' first)" --state "$T/nodb" --mark "$MNT"
if ! [ -e "$T/nodb/enforce.lock" ]; then ok "refused_start_leaves_the_state_dir_untouched"
else nok "refused_start_leaves_the_state_dir_untouched"; fi
out=$(DIGESTGUARD_STATE=$T/nodb wd 15 "$DG" enforce --mark "$MNT" 2>&1 </dev/null); rc=$?
if [ $rc = 1 ] && grep -qF "no database in $T/nodb" <<< "$out"; then
	ok "state_dir_from_the_environment_is_checked_too"
else nok "state_dir_from_the_environment_is_checked_too" "rc=$rc $(head -n 1 <<< "$out")"; fi

# Our own directories are left out of the watch: on the marked filesystem
# they must be root's alone, or anything put there would run unchecked.
mkdir -m 1777 "$MNT/pub"
out=$(wd 15 "$DG" enforce --state "$S" --mark "$MNT" --log "$MNT/pub/log" 2>&1 </dev/null); rc=$?
if [ $rc != 0 ] && grep -qF "$MNT/pub (the directory of --log) is on the filesystem of --mark $MNT, and users other than root may write it" <<< "$out" &&
	! grep -q '^ready$' <<< "$out"; then
	ok "log_in_a_directory_others_may_write_on_the_marked_filesystem_is_refused"
else nok "log_in_a_directory_others_may_write_on_the_marked_filesystem_is_refused" "rc=$rc" "$(head -n 3 <<< "$out")"; fi
rmdir "$MNT/pub" 2>/dev/null

# A --log or --measure that cannot be opened is the caller's mistake (2),
# whatever the reason: a missing directory, a directory, a symbolic link.
mkdir -p "$T/logdir"
ln -sf "$T/elsewhere" "$T/loglink"
refused "log_in_a_missing_directory_is_refused" 2 "--log $T/nosuch/log: No such file or directory" \
	--state "$S" --mark "$MNT" --log "$T/nosuch/log"
refused "log_that_is_a_directory_is_refused" 2 "--log $T/logdir: Is a directory" \
	--state "$S" --mark "$MNT" --log "$T/logdir"
refused "log_that_is_a_symbolic_link_is_refused" 2 "--log $T/loglink: is a symbolic link (not followed)" \
	--state "$S" --mark "$MNT" --log "$T/loglink"
ln -sf "$T/elsewhere" "$T/measurelink"
refused "measure_that_is_a_symbolic_link_is_refused" 2 "--measure $T/measurelink: is a symbolic link (not followed)" \
	--state "$S" --mark "$MNT" --measure "$T/measurelink"
refused "measure_that_is_a_directory_is_refused" 2 "--measure $T/logdir" \
	--state "$S" --mark "$MNT" --measure "$T/logdir"

if enf_start --state "$T/nodb" --mark "$MNT" --mode audit --log "$LOG" &&
	grep -qF "WARNING: no database in $T/nodb" "$T/enf.err"; then
	ok "audit_mode_without_a_database_starts_with_a_warning"
else nok "audit_mode_without_a_database_starts_with_a_warning" "$(head -n 3 "$T/enf.err")"; fi
if run_allowed "unknown ran" "$MNT/unknown" && enf_logged " audit-deny exec pid=[0-9]* path=$MNT/unknown "; then
	ok "audit_mode_without_a_database_allows_and_logs_the_would_be_denial"
else nok "audit_mode_without_a_database_allows_and_logs_the_would_be_denial"; fi
enf_stop

if enf_start --state "$T/nodb" --mark "$MNT" --allow-empty &&
	grep -qF "WARNING: no database in $T/nodb" "$T/enf.err" &&
	grep -q -- '--allow-empty.*denied (--on-error deny)' "$T/enf.err"; then
	ok "allow_empty_starts_with_a_warning"
else nok "allow_empty_starts_with_a_warning" "$(head -n 3 "$T/enf.err")"; fi
if run_denied $DENY_EXEC "$MNT/hello"; then ok "allow_empty_denies_until_a_database_appears"
else nok "allow_empty_denies_until_a_database_appears"; fi
enf_stop

# 2. --opt=VALUE for every value option, in any order, state last.
rm -f "$LOG"
if enf_start --log="$LOG" --mode=audit --on-error=deny --hash-max=1000000000 \
	--event-timeout=5000 --measure="$T/ima" --mark="$MNT" --libs --state="$S"; then
	ok "equals_form_options_in_any_order_start"
else nok "equals_form_options_in_any_order_start"; fi
check "equals_form_mode_audit_is_in_effect" grep -q 'mode audit' "$T/enf.err"
check "equals_form_state_is_in_effect" grep -qF "state $S," "$T/enf.err"
check "equals_form_audit_allows_unknown" run_allowed "unknown ran" "$MNT/unknown"
check "equals_form_log_gets_the_audit_line" enf_logged " audit-deny exec pid=[0-9]* path=$MNT/unknown "
check "equals_form_measure_log_is_written" test -s "$T/ima"
enf_stop

# 4. Marks are checked before a worker starts, and none is placed.
refused "missing_mark_is_refused_before_any_worker" 2 \
	"--mark $T/nonexistent: No such file or directory" --state "$S" --mark "$T/nonexistent"
refused "missing_mark_after_a_good_one_is_refused_before_any_mark" 2 \
	"--mark $T/nonexistent: No such file or directory" --state "$S" --mark "$MNT" "$T/nonexistent"
refused "missing_mark_filesystem_is_refused_before_any_worker" 2 \
	"--mark-filesystem $T/nonexistent: No such file or directory" \
	--state "$S" --mark "$MNT" --mark-filesystem "$T/nonexistent"
mkfifo "$MNT/fifo"
refused "fifo_mark_is_refused_before_any_worker" 2 \
	"--mark $MNT/fifo: not a directory, mount point or file" --state "$S" --mark "$MNT/fifo"
rm -f "$MNT/fifo"
refused "bad_mark_is_reported_before_a_missing_database" 2 \
	"--mark $T/nonexistent: No such file or directory" --state "$T/typo" --mark "$T/nonexistent"

# The good path still works after all that.
# (enf_start not under check: its $(...) would hide the pid from cleanup)
if enf_start --state "$S" --mark "$MNT"; then ok "enforcer_starts_with_a_database"
else nok "enforcer_starts_with_a_database"; fi
check "allowlisted_exec_runs" run_allowed "hello ran" "$MNT/hello"
check "unknown_exec_is_denied" run_denied $DENY_EXEC "$MNT/unknown"
enf_stop
done_testing
