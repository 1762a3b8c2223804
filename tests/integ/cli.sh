#!/usr/bin/env bash
# The CLI contract (DESIGN.md §9): help on every level, exit codes.
. "$(dirname "$0")/lib.bash"

out=$("$DG" version); rc=$?
[ $rc = 0 ] && [[ $out == "digestguard "* ]] && ok "version_prints_name_and_version" || nok "version_prints_name_and_version" "$out"

"$DG" --help >/dev/null; [ $? = 0 ] && ok "top_help_exits_0" || nok "top_help_exits_0"

"$DG" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q usage "$T/err" && ok "no_object_is_usage_error" || nok "no_object_is_usage_error" "rc=$rc"

"$DG" frobnicate 2>"$T/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "unknown object 'frobnicate'" "$T/err" && ok "unknown_object_exit_2" || nok "unknown_object_exit_2" "rc=$rc"

"$DG" umd frobnicate 2>"$T/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "unknown command 'frobnicate'" "$T/err" && ok "unknown_command_exit_2" || nok "unknown_command_exit_2" "rc=$rc"

for obj in $("$DG" --help | awk '/^objects:/{f=1;next} f && !NF{exit} f{print $1}'); do
	"$DG" "$obj" --help >"$T/out" 2>&1; rc=$?
	[ $rc = 0 ] && grep -q "usage: digestguard $obj" "$T/out" && ok "help_for_$obj" || nok "help_for_$obj" "rc=$rc"
done

# "help" as the only argument, also for objects without commands.
for obj in demo version; do
	"$DG" "$obj" help >"$T/out" 2>&1; rc=$?
	[ $rc = 0 ] && grep -q "usage: digestguard $obj" "$T/out" && ok "help_word_for_$obj" || nok "help_word_for_$obj" "rc=$rc $(cat "$T/out")"
done
"$DG" umd selftest --help >"$T/out"; rc=$?
[ $rc = 0 ] && grep -q "usage: digestguard umd selftest" "$T/out" && ok "command_level_help" || nok "command_level_help"

# Commands without arguments refuse one instead of ignoring it, and help
# is only ever the first argument (never a file name further on).
for c in "version" "umd info" "umd selftest"; do
	# shellcheck disable=SC2086
	"$DG" $c --bogus >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 2 ] && grep -q "unexpected argument '--bogus'" "$T/err" &&
		ok "unexpected_argument_refused_${c// /_}" || nok "unexpected_argument_refused_${c// /_}" "rc=$rc $(cat "$T/err")"
done
h=$(printf x | sha256sum | cut -d' ' -f1)
echo "$h  /x" >"$T/list"
"$DG" db import --state "$T/st" --local "$T/list" >/dev/null 2>&1
"$DG" db lookup --state "$T/st" "$h" --help >"$T/out" 2>&1; rc=$?
[ $rc != 0 ] && ! grep -q "^usage:" "$T/out" && ok help_after_an_operand_is_not_help ||
	nok help_after_an_operand_is_not_help "rc=$rc $(head -n 2 "$T/out")"
"$DG" db lookup --state "$T/st" "$h" >/dev/null 2>&1 && ok lookup_without_help_finds_it || nok lookup_without_help_finds_it

"$DG" db import --bogus >/dev/null 2>"$T/err"
grep -q "^digestguard db import: unrecognized option '--bogus'" "$T/err" && ok option_errors_name_the_whole_command ||
	nok option_errors_name_the_whole_command "$(head -n 1 "$T/err")"

done_testing
