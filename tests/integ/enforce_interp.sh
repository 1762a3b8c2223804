#!/usr/bin/env bash
# Execution without execve() of the file: "ld.so ./bin", "sh ./script"
# (--scripts) and an untrusted shared library (--libs).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
enf_require

S=$T/state LOG=$T/decisions

# refused NAME STATUS KIND COMMAND... FILE: COMMAND FILE (given "$T/ran" as
# its last argument, the file it would write if it ran) is refused with
# STATUS (run_denied), never ran, and the log says "deny KIND" of FILE.
refused() {
	local name=$1 status=$2 kind=$3; shift 3
	rm -f "$T/ran"
	if run_denied "$status" "$@" "$T/ran" && ! [ -e "$T/ran" ] && enf_logged_deny "$kind" "${!#}"; then
		ok "$name"
	else nok "$name"; fi
}
LDSO=$(readlink -f /lib64/ld-linux-x86-64.so.2 2>/dev/null || true)
enf_bin hello && enf_bin unknown || { nok "build test binaries"; done_testing; exit 1; }
printf '#!/bin/sh\necho script ran\n' > "$MNT/good.sh"
printf '#!/bin/sh\necho "$1" > /dev/null; echo evil >> "$1"\n' > "$MNT/evil.sh"
chmod +x "$MNT/good.sh" "$MNT/evil.sh"
# A dynamically linked program and its own library, both on the tmpfs.
printf 'int dg_lib_answer(void) { return 42; }\n' > "$T/lib.c"
printf '#include <stdio.h>\nint dg_lib_answer(void);\nint main(void) { printf("lib %%d\\n", dg_lib_answer()); return 0; }\n' > "$T/prog.c"
wd 60 gcc -shared -fPIC -o "$MNT/libdgtest.so" "$T/lib.c" &&
	wd 60 gcc -o "$MNT/prog" "$T/prog.c" -L"$MNT" -ldgtest -Wl,-rpath,"$MNT" ||
	{ nok "build the dynamic test program"; done_testing; exit 1; }
enf_allow "$S" "$MNT/hello" "$MNT/good.sh" "$MNT/prog"
# Hashed now: with --libs, reading an unknown ELF file is itself denied.
sha256sum "$MNT/hello" "$MNT/prog" "$MNT/libdgtest.so" > "$T/allow-lib"

enf_start --state "$S" --mark "$MNT" --log "$LOG" || { nok "start"; done_testing; exit 1; }
if [ -x "$LDSO" ]; then
	check "ldso_runs_an_allowlisted_binary" run_allowed "hello ran" "$LDSO" "$MNT/hello"
	refused "ldso_refuses_an_unknown_binary_without_execve" $DENY_LDSO ld.so "$LDSO" "$MNT/unknown"
	check "ldso_denial_is_logged" grep -q " deny ld.so pid=[0-9]* path=$MNT/unknown .*reason=not-in-database" "$LOG"
else
	skip "ldso_runs_an_allowlisted_binary" "no /lib64/ld-linux-x86-64.so.2"
	skip "ldso_refuses_an_unknown_binary_without_execve" "no /lib64/ld-linux-x86-64.so.2"
	skip "ldso_denial_is_logged" "no /lib64/ld-linux-x86-64.so.2"
fi
# Without --scripts an interpreter reading a script is not checked.
if run_bin sh "$MNT/evil.sh" "$T/ran" && [ -e "$T/ran" ]; then
	ok "without_scripts_sh_script_is_not_checked"
else nok "without_scripts_sh_script_is_not_checked"; fi
# Without --libs the untrusted library loads.
check "without_libs_untrusted_library_loads" run_allowed "lib 42" "$MNT/prog"
enf_stop

enf_start --state "$S" --mark "$MNT" --log "$LOG" --scripts || nok "start --scripts"
check "scripts_sh_runs_an_allowlisted_script" run_allowed "script ran" sh "$MNT/good.sh"
refused "scripts_sh_refuses_an_unknown_script" $DENY_SH script sh "$MNT/evil.sh"
refused "unknown_script_exec_is_denied" $DENY_EXEC exec "$MNT/evil.sh"
check "script_denial_is_logged" grep -q " deny script pid=[0-9]* path=$MNT/evil.sh .*reason=not-in-database" "$LOG"
# An interpreter opening an unknown ELF file is denied too (without --libs).
# (In $T: if it were allowed, sh would run the binary's bytes as commands.)
# The open itself must fail (EPERM), not only be logged as denied.
if (cd "$T" && run_denied $DENY_SH sh "$MNT/unknown" "$T/ran") &&
	enf_logged " deny script pid=[0-9]* path=$MNT/unknown .*reason=not-in-database"; then
	ok "scripts_interpreter_opening_an_unknown_elf_file_is_denied"
else nok "scripts_interpreter_opening_an_unknown_elf_file_is_denied"; fi
enf_stop

enf_start --state "$S" --mark "$MNT" --log "$LOG" --libs || nok "start --libs"
# ld.so goes on searching after the EPERM: its last word is ENOENT
out=$(wd 10 "$MNT/prog" 2>&1); rc=$?
if [ $rc = 127 ] && grep -q 'libdgtest.so: cannot open shared object file' <<< "$out" &&
	! grep -q '^lib 42' <<< "$out"; then ok "libs_refuses_an_untrusted_shared_library"
else nok "libs_refuses_an_untrusted_shared_library" "rc=$rc out=$out"; fi
check "library_denial_is_logged" grep -q " deny lib pid=[0-9]* path=$MNT/libdgtest.so .*reason=not-in-database" "$LOG"
wd 30 "$DG" db import --state "$S" --replace --local "$T/allow-lib" >/dev/null
ok_lib=0
wait_for 10 run_bin "$MNT/prog" && ok_lib=1
if [ $ok_lib = 1 ] && run_allowed "lib 42" "$MNT/prog"; then ok "libs_allows_an_allowlisted_shared_library"
else nok "libs_allows_an_allowlisted_shared_library"; fi
# (sha256sum exits 1 on a file it cannot open)
if run_denied 1 sha256sum "$MNT/unknown" && enf_logged_deny lib "$MNT/unknown"; then ok "libs_denies_any_open_of_an_unknown_elf_file"
else nok "libs_denies_any_open_of_an_unknown_elf_file"; fi
enf_stop

# Loaders and interpreters are recognised by content, not name: a
# byte-identical copy under another name is checked like the original.
SH=$(readlink -f /bin/dash 2>/dev/null || readlink -f /bin/sh)
printf 'echo "$1" > /dev/null; echo evil >> "$1"\n' > "$MNT/evil"	# no #! line
printf 'echo fine\n' > "$MNT/fine"
cp "$SH" "$MNT/x"; cp "$SH" "$MNT/$(basename "$SH")"
if [ -x "$LDSO" ]; then
	cp "$LDSO" "$MNT/myloader"; cp "$LDSO" "$MNT/$(basename "$LDSO")"
	# Dynamically linked: ld.so re-executes a static program with execve().
	wd 60 gcc -O2 -o "$MNT/unknown-dyn" "$T/src/unknown.c" &&
		wd 60 gcc -O2 -o "$MNT/hello-dyn" "$T/src/hello.c" || nok "build dynamic test binaries"
	# The loader's digest recorded under a name that says nothing: only
	# its content (ET_DYN without PT_INTERP) makes it a loader.
	sha256sum "$MNT/myloader" "$MNT/hello-dyn" > "$T/allow-copies"
	sha256sum "$SH" "$MNT/fine" >> "$T/allow-copies"
else
	sha256sum "$SH" "$MNT/hello" "$MNT/fine" > "$T/allow-copies"
fi
wd 30 "$DG" db import --state "$S" --replace --local "$T/allow-copies" >/dev/null
enf_start --state "$S" --mark "$MNT" --log "$LOG" --scripts || nok "start (copies)"
if [ -x "$LDSO" ]; then
	refused "renamed_loader_copy_refuses_an_unknown_binary" $DENY_LDSO ld.so "$MNT/myloader" "$MNT/unknown-dyn"
	check "renamed_loader_denial_is_logged" grep -q " deny ld.so pid=[0-9]* path=$MNT/unknown-dyn " "$LOG"
	check "renamed_loader_copy_runs_an_allowlisted_binary" run_allowed "hello ran" "$MNT/myloader" "$MNT/hello-dyn"
	check "loader_copy_under_its_own_name_runs_an_allowlisted_binary" \
		run_allowed "hello ran" "$MNT/$(basename "$LDSO")" "$MNT/hello-dyn"
	refused "loader_copy_under_its_own_name_refuses_an_unknown_binary" $DENY_LDSO ld.so \
		"$MNT/$(basename "$LDSO")" "$MNT/unknown-dyn"
else
	for c in renamed_loader_copy_refuses_an_unknown_binary renamed_loader_denial_is_logged \
		renamed_loader_copy_runs_an_allowlisted_binary \
		loader_copy_under_its_own_name_runs_an_allowlisted_binary \
		loader_copy_under_its_own_name_refuses_an_unknown_binary; do
		skip "$c" "no /lib64/ld-linux-x86-64.so.2"
	done
fi
# The shell's digest is recorded under its package path (/usr/bin/dash).
refused "renamed_shell_copy_refuses_an_unknown_script" $DENY_SH script "$MNT/x" "$MNT/evil"
check "renamed_shell_denial_is_logged" grep -q " deny script pid=[0-9]* path=$MNT/evil " "$LOG"
check "renamed_shell_copy_runs_an_allowlisted_script" run_allowed fine "$MNT/x" "$MNT/fine"
refused "shell_copy_under_its_own_name_refuses_an_unknown_script" $DENY_SH script "$MNT/$(basename "$SH")" "$MNT/evil"
# A renamed shell that was already running when its worker died: the new
# worker still knows what it is (the role table outlives workers).
rm -f "$T/ran"
mkfifo "$T/go"
wd 60 "$MNT/x" -c "read l < '$T/go'; set -- '$T/ran'; . '$MNT/evil'" >"$T/sh.out" 2>&1 &
SHPID=$!
ENF_PIDS+=("$SHPID")
# Until the shell runs (a process under $SHPID, the subshell that runs its
# watchdog, is $MNT/x): the old worker has then recorded what it is (before
# its answer), and the shell waits on the FIFO.  A fixed pause bet on that;
# a kill before it denied the shell.
runs_under() {	# PID EXE: PID or a process under it runs EXE
	local c
	[ "$(readlink /proc/"$1"/exe 2>/dev/null)" = "$2" ] && return 0
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		runs_under "$c" "$2" && return 0
	done
	return 1
}
shell_runs() { runs_under "$SHPID" "$MNT/x"; }
wait_for 10 shell_runs; shell_ran=$?
old=$(enf_worker)
kill -KILL "$old"
for i in $(seq 100); do [ "$(enf_worker)" != "$old" ] && break; sleep 0.1; done
sleep 0.3
denials() { grep -c " deny script pid=[0-9]* path=$MNT/evil " "$LOG"; }
before=$(denials)
wd 10 sh -c "echo go > '$T/go'"; fifo=$?	# a FIFO: would block if the shell died early
wait "$SHPID"; shrc=$?
# the shell got the go and its open of evil was decided (and denied) by the
# new worker: not merely a shell that never got as far as the script
if [ $fifo = 0 ] && [ $shrc = $DENY_SH ] && grep -q 'Operation not permitted' "$T/sh.out" && ! [ -e "$T/ran" ] &&
	[ "$(enf_worker)" != "$old" ] && [ "$(denials)" = $((before + 1)) ]; then
	ok "renamed_shell_started_before_a_worker_restart_is_still_checked"
else nok "renamed_shell_started_before_a_worker_restart_is_still_checked" \
	"shell running before the kill: $([ $shell_ran = 0 ] && echo yes || echo "no, after 10 s"), go written: $fifo, ran: $([ -e "$T/ran" ] && echo yes || echo no), denials of evil $before -> $(denials)," \
	"shell exited $shrc: $(head -c 200 "$T/sh.out")"; fi
enf_stop

# The same content recorded under several paths: every path's name counts.
# The copy "x" listed first (its reference is the one lookups give), the
# shell's package path second: still a shell.
sha256sum "$MNT/x" "$SH" "$MNT/fine" > "$T/allow-two-names"
wd 30 "$DG" db import --state "$T/state-two" --local "$T/allow-two-names" >/dev/null
enf_start --state "$T/state-two" --mark "$MNT" --log "$LOG" --scripts || nok "start (two names)"
refused "shell_recorded_first_under_another_name_refuses_an_unknown_script" $DENY_SH script "$MNT/x" "$MNT/evil"
check "shell_recorded_first_under_another_name_runs_an_allowlisted_script" run_allowed fine "$MNT/x" "$MNT/fine"
enf_stop

# An enforcer in a PID namespace of its own sees processes outside it as
# pid 0: what they run cannot be known, so their opens are checked as a
# loader's (ld.so of the host, on no marked filesystem, used to run an
# unknown binary unchecked).
if [ -x "$LDSO" ] && wd 10 unshare --pid --fork --mount-proc true 2>/dev/null; then
	ENF_WRAP=(unshare --pid --fork --mount-proc --kill-child=SIGTERM)
	enf_start --state "$S" --mark-filesystem "$MNT" --log "$LOG" || nok "start in a PID namespace"
	ENF_WRAP=()
	refused "loader_outside_the_enforcers_pid_namespace_refuses_an_unknown_binary" $DENY_LDSO ld.so \
		"$LDSO" "$MNT/unknown-dyn"
	check "loader_outside_the_enforcers_pid_namespace_runs_an_allowlisted_binary" \
		run_allowed "hello ran" "$LDSO" "$MNT/hello-dyn"
	check "enforcer_in_a_pid_namespace_warns" grep -q "WARNING: not in the initial PID namespace" "$T/enf.err"
	enf_stop
else
	for c in loader_outside_the_enforcers_pid_namespace_refuses_an_unknown_binary \
		loader_outside_the_enforcers_pid_namespace_runs_an_allowlisted_binary \
		enforcer_in_a_pid_namespace_warns; do
		skip "$c" "no ld.so or no PID namespaces"
	done
fi
done_testing
