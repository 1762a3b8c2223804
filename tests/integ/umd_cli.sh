#!/usr/bin/env bash
# `digestguard umd selftest` and `demo` on the built binary.
. "$(dirname "$0")/lib.bash"

out=$(wd 120 "$DG" umd selftest 2>&1); rc=$?
last=$(tail -n1 <<< "$out")
[ $rc = 0 ] && [[ $last =~ ^[0-9]+\ passed,\ 0\ failed$ ]] && ok "umd_selftest_all_pass" || nok "umd_selftest_all_pass" "$out"

out=$(wd 60 "$DG" demo 2>&1); rc=$?
[ $rc = 0 ] && grep -q "demo finished" <<< "$out" && grep -q -- "-ECHILD" <<< "$out" && grep -q -- "-ETIMEDOUT" <<< "$out" \
	&& ok "demo_runs_end_to_end" || nok "demo_runs_end_to_end" "$out"

out=$(wd 30 "$DG" umd info 2>&1); rc=$?
[ $rc = 0 ] && grep -q "namespaces:  user" <<< "$out" && ok "umd_info_shows_namespaces" || nok "umd_info_shows_namespaces" "$out"

done_testing
