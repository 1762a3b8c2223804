#!/usr/bin/env bash
# --tpm: each measurement also extends a TPM's PCR 10 (tested against swtpm
# through tpm2-tss; read back with tpm2-tools): the TPM, our replay and
# evmctl agree; a TPM that does not match the log is refused at start.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/enforce_lib.bash"
for c in swtpm tpm2_pcrread evmctl; do
	command -v $c >/dev/null || { skip "enforce --tpm" "$c not installed (swtpm, tpm2-tools, ima-evm-utils)"; done_testing; exit 0; }
done
enf_require
# Built without tpm2-tss?  The TPM is opened after the marks and the state
# are checked (so: our own tmpfs, an existing state directory, audit mode
# for the empty one) and before any worker or mark.
mkdir -p "$T/s"
if wd 20 "$DG" enforce --tpm x --measure "$T/s/ima" --mark "$MNT" --state "$T/s" --mode audit 2>&1 |
	grep -q 'built without tpm2-tss'; then
	skip "enforce --tpm" "digestguard built without tpm2-tss (libtss2-dev)"; done_testing; exit 0
fi

S=$T/state IMA=$T/ima
# Four loopback ports: swtpm's command and control ports, and a relay's two
# (below).  Chosen below the ephemeral range, where the kernel picks the
# local ports of outgoing connections (the TCTI's, the relay's): a port
# chosen in it was at times taken by one of those, and the relay or swtpm
# could not listen.  Taken ones (another test's listener) are skipped.
ports_free() {
	python3 -c '
import socket, sys
for p in range(int(sys.argv[1]), int(sys.argv[1]) + 4):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p))
    s.close()
' "$1" 2>/dev/null
}
read -r EPH_LO _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || EPH_LO=32768
[ "${EPH_LO:-0}" -gt 12000 ] || EPH_LO=32768
for _ in $(seq 20); do
	PORT=$((10000 + RANDOM % (EPH_LO - 10000 - 4)))
	ports_free "$PORT" && break
done
TCTI="swtpm:host=127.0.0.1,port=$PORT"
# tcti_answers PID TCTI NAME LOG: a TPM answers at TCTI, served by the
# process PID (swtpm, or the relay below), within about 5 s; when it does
# not, or PID exits, NAME's LOG says why.
tcti_answers() {
	for _ in $(seq 50); do
		wd 5 tpm2_pcrread sha256:10 -T "$2" >/dev/null 2>&1 && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	echo "# $3 at $2 did not answer:"; sed 's/^/# /' "$4"
	return 1
}
# swtpm on loopback, started and stopped by PID; a swtpm that exits (its
# ports taken after all) is reported with its own words.
tpm_start() {
	mkdir -p "$T/tpm$1"
	swtpm socket --tpm2 --tpmstate dir="$T/tpm$1" \
		--server type=tcp,port=$PORT,bindaddr=127.0.0.1 \
		--ctrl type=tcp,port=$((PORT + 1)),bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear > "$T/swtpm.log" 2>&1 &
	TPID=$!
	ENF_PIDS+=("$TPID")
	tcti_answers "$TPID" "$TCTI" swtpm "$T/swtpm.log"
}
# A process we stopped and reaped leaves ENF_PIDS: its pid may be reused.
forget_pid() { local p k=(); for p in "${ENF_PIDS[@]}"; do [ "$p" = "$1" ] || k+=("$p"); done; ENF_PIDS=("${k[@]}"); }
tpm_stop() { kill -TERM "$TPID"; wait "$TPID" 2>/dev/null; forget_pid "$TPID"; }
tpm_pcr10() { wd 10 tpm2_pcrread sha256:10 -T "$TCTI" | sed -n 's/^ *10: 0x//p' | tr 'A-F' 'a-f'; }
replay_pcr10() { "$DG" measure verify "$IMA" | sed -n 's/^PCR-10 sha256: //p'; }
log_entries() { "$DG" measure show "$IMA" | wc -l; }
# in_step: the TPM's PCR 10 was read (64 hex digits, not the reset value)
# and equals the log's replay; two failed reads are not "in step"
in_step() {
	local t r
	t=$(tpm_pcr10) r=$(replay_pcr10)
	[[ $t =~ ^[0-9a-f]{64}$ ]] && [ "$t" != "$(printf '%064d' 0)" ] && [ "$t" = "$r" ] && return 0
	echo "# tpm=${t:-?} replay=${r:-?}"
	return 1
}

tpm_start 1 || { nok "swtpm starts"; done_testing; exit 1; }
enf_bin hello && enf_bin unknown && enf_bin later || { nok "build test binaries"; done_testing; exit 1; }
enf_allow "$S" "$MNT/hello"
enf_start --state "$S" --mark "$MNT" --measure "$IMA" --tpm "$TCTI" || { nok "start --tpm"; done_testing; exit 1; }
run_bin "$MNT/hello"; run_bin "$MNT/unknown"
enf_stop

replay=$("$DG" measure verify "$IMA" | sed -n 's/^PCR-10 sha256: //p')
tpm=$(tpm_pcr10)
if [ -n "$tpm" ] && [ "$tpm" = "$replay" ]; then ok "tpm_pcr10_equals_the_log_replay"
else nok "tpm_pcr10_equals_the_log_replay" "tpm=$tpm replay=$replay"; fi
{ for i in $(seq 0 23); do
	if [ $i = 10 ]; then printf 'PCR-10: %s\n' "$tpm"; else printf 'PCR-%02d: %064d\n' $i 0; fi
  done; } > "$T/tpm.pcrs"
check "evmctl_validates_the_log_against_the_tpm_pcr" wd 30 evmctl ima_measurement --pcrs "sha256,$T/tpm.pcrs" "$IMA"

# Same TPM, same log: a restart continues both (one more entry, extended).
n0=$(log_entries)
enf_start --state "$S" --mark "$MNT" --measure "$IMA" --tpm "$TCTI" || nok "restart with the same TPM"
run_bin "$MNT/later"
enf_stop
n1=$(log_entries) tpm1=$(tpm_pcr10)
if [ "$n1" = $((n0 + 1)) ] && [ "$tpm1" != "$tpm" ] && in_step; then
	ok "restart_keeps_tpm_and_log_in_step"
else nok "restart_keeps_tpm_and_log_in_step" "entries $n0 -> $n1, TPM PCR 10 $tpm -> ${tpm1:-?}"; fi

# The log ahead of the TPM (an extend that failed, or a worker that died
# between writing an entry and extending it; here: entries measured
# without --tpm): the next start extends the missing entries.
enf_bin ahead1 && enf_bin ahead2 || nok "build test binaries"
enf_start --state "$S" --mark "$MNT" --measure "$IMA" || nok "start without --tpm"
run_bin "$MNT/ahead1"; run_bin "$MNT/ahead2"
enf_stop
# the TPM as it was (read, unchanged), the log two entries further
if [ -n "$tpm1" ] && [ "$(tpm_pcr10)" = "$tpm1" ] && [ "$(log_entries)" = $((n1 + 2)) ] &&
	[ "$(replay_pcr10)" != "$tpm1" ]; then
	ok "log_is_ahead_of_the_tpm"
else nok "log_is_ahead_of_the_tpm" "TPM PCR 10 $(tpm_pcr10) (was $tpm1), entries $(log_entries) (were $n1)"; fi
if enf_start --state "$S" --mark "$MNT" --measure "$IMA" --tpm "$TCTI"; then
	ok "tpm_behind_the_log_is_caught_up_at_start"
else nok "tpm_behind_the_log_is_caught_up_at_start" "$(cat "$T/enf.err")"; fi
enf_stop
if in_step; then
	ok "tpm_equals_the_log_after_catching_up"
else nok "tpm_equals_the_log_after_catching_up"; fi

# The TCTI module on the marked mount (found there through
# LD_LIBRARY_PATH): no worker may wait on a permission event for a file
# it opens itself, at start or after a restart.  Such a worker holds the
# exec 30 s (the start-up limit, DG_ENF_START_TIMEOUT_MS) or is killed
# after the 2 s event limit and the exec denied: each exec has 20 s (was
# 4: a busy machine's worker start with a TPM extend), still under 30.
TCTI_SO=$(ls /usr/lib/*/libtss2-tcti-swtpm.so.0 /usr/lib*/libtss2-tcti-swtpm.so.0 2>/dev/null | head -n 1)
if [ -n "$TCTI_SO" ]; then
	mkdir -p "$MNT/lib"; cp "$TCTI_SO" "$MNT/lib/"
	if LD_LIBRARY_PATH=$MNT/lib enf_start --state "$S" --mark "$MNT" --measure "$IMA" \
		--tpm "$TCTI" --event-timeout 2000; then
		# exec_completes NAME FILE: FILE runs within 20 s; else its status
		# (124: still waiting) and how long it took
		exec_completes() {
			local t0=${EPOCHREALTIME//[.,]/} rc
			wd 20 "$2" >"$T/exec.out" 2>&1; rc=$?
			if [ $rc = 0 ]; then ok "$1"
			else nok "$1" "exit $rc (124: still waiting) after $(( (${EPOCHREALTIME//[.,]/} - t0) / 1000 )) ms, at most 20000: $(head -c 200 "$T/exec.out")"; fi
		}
		exec_completes "exec_completes_with_the_tcti_module_on_the_marked_mount" "$MNT/hello"
		old=$(enf_worker)
		kill -KILL "$old"
		for i in $(seq 100); do [ "$(enf_worker)" != "$old" ] && break; sleep 0.1; done
		sleep 0.5
		cp "$MNT/hello" "$MNT/hello2"	# allowlisted, a new entry to extend
		exec_completes "exec_completes_after_a_worker_restart_with_the_tcti_module_on_the_marked_mount" \
			"$MNT/hello2"
		if ! grep -q "stuck" "$T/enf.err"; then ok "tpm_worker_start_up_never_hangs"
		else nok "tpm_worker_start_up_never_hangs" "$(cat "$T/enf.err")"; fi
		enf_stop
	else
		nok "start with the TCTI module on the marked mount" "$(cat "$T/enf.err")"
	fi
	if in_step; then
		ok "tpm_and_log_agree_after_a_worker_restart"
	else nok "tpm_and_log_agree_after_a_worker_restart"; fi
else
	for c in exec_completes_with_the_tcti_module_on_the_marked_mount \
		exec_completes_after_a_worker_restart_with_the_tcti_module_on_the_marked_mount \
		tpm_worker_start_up_never_hangs tpm_and_log_agree_after_a_worker_restart; do
		skip "$c" "libtss2-tcti-swtpm.so.0 not found"
	done
fi
# The connection to the TPM lost while the enforcer runs (here: a TCP relay
# in front of swtpm's command and control ports, killed and started again
# by PID; the TPM keeps its PCRs): entries go on into the log, the worker
# reconnects, and attaching the TPM again extends what it missed.
PPORT=$((PORT + 2))
PTCTI="swtpm:host=127.0.0.1,port=$PPORT"
relay_start() {
	python3 -c '
import socket, sys, threading
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for x in (a, b):
        try:
            x.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def listen(p):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p))
    s.listen(8)
    return s
def relay(s, tp):
    while True:
        c, _ = s.accept()
        u = socket.create_connection(("127.0.0.1", tp))
        threading.Thread(target=pipe, args=(c, u), daemon=True).start()
        threading.Thread(target=pipe, args=(u, c), daemon=True).start()
lp, tp = int(sys.argv[1]), int(sys.argv[2])
cmd, ctrl = listen(lp), listen(lp + 1)
threading.Thread(target=relay, args=(ctrl, tp + 1), daemon=True).start()
relay(cmd, tp)
' "$PPORT" "$PORT" 2> "$T/relay.log" &
	RPID=$!
	ENF_PIDS+=("$RPID")
	tcti_answers "$RPID" "$PTCTI" "the relay" "$T/relay.log"
}
relay_stop() { kill -KILL "$RPID"; wait "$RPID" 2>/dev/null; forget_pid "$RPID"; }
wait_log() { local i; for i in $(seq 100); do [ "$(grep -c "$1" "$T/tpm.log")" -ge "$2" ] && return 0; sleep 0.1; done; return 1; }
enf_bin lost1 && enf_bin lost2 && enf_bin lost3 || nok "build test binaries"
: > "$T/tpm.log"; : > "$T/enf.err"
if relay_start && enf_start --state "$S" --mark "$MNT" --measure "$IMA" --tpm "$PTCTI" --log "$T/tpm.log" &&
	wait_log " tpm attached$" 1; then
	relay_stop
	run_bin "$MNT/lost1"	# its extend fails: the worker lets the TPM go
	wait_log "error tpm: .*reconnecting" 1 && ok "lost_tpm_connection_is_reported" ||
		nok "lost_tpm_connection_is_reported" "$(cat "$T/tpm.log" "$T/enf.err")"
	run_bin "$MNT/lost2"	# measured into the log only
	# More entries than one catch-up batch (16): the rest is extended in
	# batches between events after the attach.
	for i in $(seq 20); do
		cp "$MNT/lost2" "$MNT/many$i" && printf '%s' "$i" >>"$MNT/many$i" && run_bin "$MNT/many$i"
	done
	relay_start || nok "relay starts again"
	# Retried within the back-off (1 s, then 2 s, ...), without any exec.
	if wait_log " tpm attached$" 2; then ok "worker_reconnects_to_the_tpm_by_itself"
	else nok "worker_reconnects_to_the_tpm_by_itself" "$(cat "$T/tpm.log" "$T/enf.err")"; fi
	if wait_log " tpm caught up$" 1; then ok "long_catch_up_goes_in_batches_and_ends"
	else nok "long_catch_up_goes_in_batches_and_ends" "$(cat "$T/tpm.log")"; fi
	run_bin "$MNT/lost3"
	enf_stop
	relay_stop
	if in_step; then
		ok "tpm_catches_up_with_entries_measured_while_it_was_away"
	else nok "tpm_catches_up_with_entries_measured_while_it_was_away" "$(cat "$T/tpm.log")"; fi
else
	nok "start --tpm through a relay" "$(cat "$T/enf.err" "$T/tpm.log")"
	enf_stop
fi
tpm_stop

# A fresh TPM (reset) with the old log: refused, not silently diverging.
tpm_start 2 || nok "second swtpm"
out=$(wd 20 "$DG" enforce --state "$S" --mark "$MNT" --measure "$IMA" --tpm "$TCTI" 2>&1); rc=$?
if [ $rc != 0 ] && grep -q 'TPM PCR 10 is 0\{64\} but the log replays to' <<< "$out"; then
	ok "tpm_that_does_not_match_the_log_is_refused"
else nok "tpm_that_does_not_match_the_log_is_refused" "rc=$rc $out"; fi
tpm_stop
out=$(wd 20 "$DG" enforce --state "$S" --mark "$MNT" --tpm "$TCTI" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q -- '--tpm needs --measure' <<< "$out"; then ok "tpm_without_measure_is_a_usage_error"
else nok "tpm_without_measure_is_a_usage_error" "rc=$rc"; fi
done_testing
