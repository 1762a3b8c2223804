#!/usr/bin/env bash
# `digestguard umd selftest` and `demo` on the built binary.
. "$(dirname "$0")/lib.bash"

# selftest_passed OUTPUT: the closing "N passed, 0 failed" counts every
# self-test listed, N is at least 1, and none is listed as FAIL; prints N
selftest_passed() {
	local last npass nfail
	last=$(tail -n1 <<< "$1")
	npass=$(grep -c '^  PASS  ' <<< "$1")
	nfail=$(grep -c '^  FAIL  ' <<< "$1")
	[[ $last =~ ^([0-9]+)\ passed,\ 0\ failed$ ]] && [ "${BASH_REMATCH[1]}" -ge 1 ] &&
		[ "${BASH_REMATCH[1]}" = "$npass" ] && [ "$nfail" = 0 ] && echo "$npass"
}

out=$(wd 120 "$DG" umd selftest 2>&1); rc=$?
if [ $rc = 0 ] && nself=$(selftest_passed "$out"); then
	ok "umd_selftest_all_pass ($nself self-tests)"
else
	nself=
	nok "umd_selftest_all_pass" "$out"
fi

out=$(wd 60 "$DG" demo 2>&1); rc=$?
[ $rc = 0 ] && grep -q "demo finished" <<< "$out" && grep -q -- "-ECHILD" <<< "$out" && grep -q -- "-ETIMEDOUT" <<< "$out" \
	&& ok "demo_runs_end_to_end" || nok "demo_runs_end_to_end" "$out"

# The demo's numbers say what they count: the sandbox step's counters name
# starts, restarts and answered calls out of the four it made (it used to
# print "starts 2, restarts 1, calls 2" after four calls), the two databases
# it makes are said to be new ones, and it ends by naming the commands.
if grep -q "handler starts 2 (restarts 1); calls answered 2 of 4 (the crash and the hang got errors)" <<< "$out" &&
   { grep -q "rpmbuild/rpmsign/gpg were not available" <<< "$out" ||
     grep -q "generation 1 of a new database (in a temporary directory)" <<< "$out"; } &&
   ! grep -q "^    generation [0-9]*: " <<< "$out" &&
   grep -q "Each step has a command: pgp dump" <<< "$out" &&
   ! grep -q "(no$" <<< "$out"; then
	ok "demo_output_says_what_it_counts"
else
	nok "demo_output_says_what_it_counts" "$out"
fi

# The RPM steps: the signed package verifies, the tampered one does not, and
# only the signed files' digests are allowed afterwards.
if grep -q "rpmbuild/rpmsign/gpg were not available" <<< "$out"; then
	skip "demo_rpm_steps" "rpmbuild/rpmsign/gpg were not available at build time"
elif grep -q "dg-demo-1.0-1.noarch.rpm: digests signatures OK" <<< "$out" &&
     grep -q "dg-demo-tampered.rpm: DIGESTS SIGNATURES NOT OK" <<< "$out" &&
     grep -q "/usr/bin/dg-demo-hello  *allowed: signed by dg-demo-1.0-1.noarch" <<< "$out" &&
     grep -q "a patched dg-demo-hello  *NOT in the database" <<< "$out"; then
	ok "demo_rpm_steps"
else
	nok "demo_rpm_steps" "$out"
fi

if grep -q "skipped: clang/openssl were not available at build time" <<< "$out"; then
	skip "demo_bpf_step" "clang/openssl were not available at build time"
elif grep -q "demo.signed: OK (signature and chain)" <<< "$out" &&
     grep -q "changed.signed (one metadata byte): refused" <<< "$out" &&
     { [ "$(id -u)" != 0 ] || grep -q "program count_packets, id [0-9]" <<< "$out"; }; then
	ok "demo_bpf_step"
else
	nok "demo_bpf_step" "$out"
fi

out=$(wd 30 "$DG" umd info 2>&1); rc=$?
# measured from /proc/PID/ns: the handler must be in seven namespaces of its own
[ $rc = 0 ] && grep -qx "namespaces:  user, pid, net, ipc, uts, mnt, cgroup" <<< "$out" &&
	ok "umd_info_handler_in_own_namespaces" || nok "umd_info_handler_in_own_namespaces" "$out"
# started away from the manager's CPU, the handler must get every CPU back
[ $rc = 0 ] && grep -q "^cpus: .*(same as the manager)$" <<< "$out" &&
	ok "umd_info_handler_keeps_the_manager_cpu_set" ||
	nok "umd_info_handler_keeps_the_manager_cpu_set" "$out"

# The fallback without namespaces (DG_UMD_NO_NAMESPACES, or no user
# namespaces on the host) must work for an unprivileged user: without
# CAP_SETPCAP the bounding set cannot be dropped, and need not be.  The
# self-test's no_namespaces_fallback case also checks that a root
# manager's handler runs as nobody.
as_nobody=(setpriv --reuid 65534 --regid 65534 --clear-groups)
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	skip "umd_selftest_as_nobody" "needs root and setpriv to become nobody"
	skip "pgp_dump_no_namespaces_as_nobody" "needs root and setpriv to become nobody"
elif ! "${as_nobody[@]}" test -x "$DG"; then
	skip "umd_selftest_as_nobody" "nobody cannot reach $DG"
	skip "pgp_dump_no_namespaces_as_nobody" "nobody cannot reach $DG"
else
	# the same binary: as many self-tests as run as root above
	out=$(wd 120 "${as_nobody[@]}" "$DG" umd selftest 2>&1); rc=$?
	[ $rc = 0 ] && nnobody=$(selftest_passed "$out") && [ -n "$nself" ] && [ "$nnobody" = "$nself" ] &&
		grep -q "PASS  no_namespaces_fallback" <<< "$out" &&
		ok "umd_selftest_as_nobody" || nok "umd_selftest_as_nobody" "as root: ${nself:-failed}" "$out"
	# One literal data packet (RFC 9580 §5.9), readable by nobody.
	chmod o+x "$T"
	printf '\xcb\x10\x62\x00\x00\x00\x00\x00hello, umd' > "$T/literal.pgp"
	chmod 644 "$T/literal.pgp"
	out=$(wd 30 "${as_nobody[@]}" "$DG" pgp dump --no-namespaces "$T/literal.pgp" 2>&1); rc=$?
	[ $rc = 0 ] && grep -q "literal data packet" <<< "$out" &&
		ok "pgp_dump_no_namespaces_as_nobody" || nok "pgp_dump_no_namespaces_as_nobody" "$out"
fi

# umd bench exits 1 exactly when a ratio misses its target (on a loaded
# machine that happens for the load alone), as its help and
# digestguard-umd(7) say; both used to say nothing of the exit status.
bench=$(wd 120 "$DG" umd bench --quick 2>&1); rc=$?
help=$("$DG" umd bench --help)
if grep -q "MISSED" <<< "$bench"; then want=1; else want=0; fi
[ $rc = $want ] && grep -qE "^  (rtt|throughput|cold) " <<< "$bench" &&
	grep -q "exit 1 if a target is missed" <<< "$help" &&
	grep -q 'exits 1 when one' "$SRC/docs/digestguard-umd.7" &&
	ok "umd_bench_exit_status_is_documented_and_kept" ||
	nok "umd_bench_exit_status_is_documented_and_kept" "rc=$rc want=$want" "$help" "$bench"

done_testing
