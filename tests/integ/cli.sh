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
# bpf verify of a missing file: an input error (2) naming the file.
"$DG" bpf verify --cert x y >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard bpf verify: y: No such file or directory" "$T/err" &&
	ok bpf_missing_object_is_input_error || nok bpf_missing_object_is_input_error "rc=$rc $(head -n 1 "$T/err")"

"$DG" umd frobnicate 2>"$T/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "unknown command 'frobnicate'" "$T/err" && ok "unknown_command_exit_2" || nok "unknown_command_exit_2" "rc=$rc"

for obj in $("$DG" --help | awk '/^objects:/{f=1;next} f && !NF{exit} f{print $1}'); do
	"$DG" "$obj" --help >"$T/out" 2>&1; rc=$?
	[ $rc = 0 ] && grep -q "usage: digestguard $obj" "$T/out" && ok "help_for_$obj" || nok "help_for_$obj" "rc=$rc"
done

# The top usage names both ways to ask for help; an object without its
# command says what is missing before its usage (it used to print the usage
# alone); object and command help name the man page that explains every
# option, and that page is in docs/.
"$DG" --help >"$T/out"; rc=$?
[ $rc = 0 ] && grep -q "^       digestguard help \[OBJECT \[COMMAND\]\]$" "$T/out" &&
	grep -q "^       digestguard OBJECT \[COMMAND\] --help$" "$T/out" &&
	ok top_usage_names_both_help_forms || nok top_usage_names_both_help_forms "rc=$rc" "$(head -n 3 "$T/out")"
"$DG" db >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ "$(head -n 1 "$T/err")" = "digestguard db: missing COMMAND" ] && grep -q "^usage: digestguard db COMMAND" "$T/err" &&
	ok object_without_command_says_missing_command || nok object_without_command_says_missing_command "rc=$rc $(head -n 1 "$T/err")"
for h in "db" "db import" "measure verify" "umd info" "rpm verify" "deb digests" "bpf load" "pgp dump"; do
	# shellcheck disable=SC2086
	"$DG" $h --help >"$T/out" 2>&1; rc=$?
	page=$(sed -n 's/^Every option explained: man [78] [a-z-]* (in the source tree: man -l docs\/\([a-z.0-9-]*\))$/\1/p' "$T/out")
	[ $rc = 0 ] && [ -n "$page" ] && [ -f "$SRC/docs/$page" ] && grep -qi "^\.TH ${page%.*} ${page##*.} " "$SRC/docs/$page" &&
		ok "help_names_its_man_page_${h// /_}" || nok "help_names_its_man_page_${h// /_}" "rc=$rc page=$page" "$(tail -n 1 "$T/out")"
done

# A script run by itself (bash tests/integ/cli.sh, no DG/SRC/BUILD in the
# environment) gets this checkout and its build/ from lib.bash, as run.sh
# would give them; it used to stop at "DG: unbound variable".
printf '. %q\necho "SRC=$SRC BUILD=$BUILD DG=$DG"\n' "$SRC/tests/integ/lib.bash" >"$T/alone.sh"
out=$(env -u DG -u SRC -u BUILD bash "$T/alone.sh" 2>/dev/null); rc=$?
src=$(cd "$SRC" && pwd)
[ $rc = 0 ] && [ "$out" = "SRC=$src BUILD=$src/build DG=$src/build/src/cli/digestguard" ] &&
	ok integ_script_alone_gets_default_dg || nok integ_script_alone_gets_default_dg "rc=$rc $out"

# "help" as the only argument, also for objects without commands.
for obj in demo version; do
	"$DG" "$obj" help >"$T/out" 2>&1; rc=$?
	[ $rc = 0 ] && grep -q "usage: digestguard $obj" "$T/out" && ok "help_word_for_$obj" || nok "help_word_for_$obj" "rc=$rc $(cat "$T/out")"
done
# An option where the object goes is named as an option, not an object.
"$DG" --frob >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard: unknown option '--frob'" "$T/err" && ok unknown_top_option_is_named_an_option ||
	nok unknown_top_option_is_named_an_option "rc=$rc $(head -n 1 "$T/err")"
"$DG" db --state /x lookup >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard db: expected a command, not the option '--state'" "$T/err" && ok option_before_command_is_named_an_option ||
	nok option_before_command_is_named_an_option "rc=$rc $(head -n 1 "$T/err")"
# help OBJECT [COMMAND] is OBJECT [COMMAND] --help (as git help, systemctl help).
"$DG" help db import >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "^usage: digestguard db import " "$T/out" && ok help_object_command_is_command_help ||
	nok help_object_command_is_command_help "rc=$rc $(head -n 1 "$T/out")"
"$DG" --help measure >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "^usage: digestguard measure COMMAND" "$T/out" && ok help_option_then_object_is_object_help ||
	nok help_option_then_object_is_object_help "rc=$rc $(head -n 1 "$T/out")"
"$DG" help frobnicate >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "unknown object 'frobnicate'" "$T/err" && ok help_unknown_object_exit_2 ||
	nok help_unknown_object_exit_2 "rc=$rc $(head -n 1 "$T/err")"
# Usage lines end with the text, not a blank (commands without arguments).
{ "$DG" umd --help; "$DG" umd selftest --help; "$DG" umd info --help; } >"$T/out" 2>&1
! grep -q ' $' "$T/out" && ok usage_lines_have_no_trailing_blank ||
	nok usage_lines_have_no_trailing_blank "$(grep -n ' $' "$T/out" | head -n 2)"
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

# measure: an ima-ng log (boot_aggregate and a path that is not UTF-8,
# with a quote), made here as the kernel lays it out (imalog.h).
python3 - "$T/ima" boot_aggregate "$(printf '/bin/a\377"b')" <<'EOF'
import hashlib, os, struct, sys
with open(sys.argv[1], "wb") as out:
    for p in sys.argv[2:]:
        path = os.fsencode(p) + b"\0"
        d = b"sha256:\0" + hashlib.sha256(path).digest()
        data = struct.pack("<I", len(d)) + d + struct.pack("<I", len(path)) + path
        out.write(struct.pack("<I", 10) + hashlib.sha1(data).digest() +
                  struct.pack("<I", 6) + b"ima-ng" + struct.pack("<I", len(data)) + data)
EOF
# The PCR the log gives, computed here from its bytes and not taken from
# digestguard: IMA's SHA-256 bank extends PCR 10 with the SHA-256 of each
# entry's template data, PCR = SHA-256(PCR || SHA-256(data)) from 32 zero
# bytes (the 20-byte header field is only the legacy SHA-1 of the data).
pcr=$(python3 - "$T/ima" <<'PY'
import hashlib, struct, sys
b = open(sys.argv[1], "rb").read()
pcr, i = bytes(32), 0
while i < len(b):
    n = struct.unpack_from("<I", b, i + 24)[0]
    name = b[i + 28:i + 28 + n]
    i += 28 + n
    dlen = struct.unpack_from("<I", b, i)[0]
    data = b[i + 4:i + 4 + dlen]
    i += 4 + dlen
    assert name == b"ima-ng" and len(data) == dlen
    pcr = hashlib.sha256(pcr + hashlib.sha256(data).digest()).digest()
print(pcr.hex())
PY
)
replayed=$("$DG" measure verify "$T/ima" | sed -n 's/^PCR-10 sha256: //p')
[[ $pcr =~ ^[0-9a-f]{64}$ ]] && [ "$replayed" = "$pcr" ] && ok measure_verify_replays_the_pcr_computed_here ||
	nok measure_verify_replays_the_pcr_computed_here "digestguard: ${replayed:-?}, computed here: ${pcr:-?}"
# evmctl (ima-evm-utils) as a third replayer: the log against that value.
if command -v evmctl >/dev/null; then
	{ for i in $(seq 0 23); do
		if [ $i = 10 ]; then printf 'PCR-10: %s\n' "$pcr"; else printf 'PCR-%02d: %064d\n' $i 0; fi
	  done; } >"$T/ima.pcrs"
	# at its last (2nd) entry: evmctl also accepts a PCR a prefix gives
	out=$(wd 30 evmctl ima_measurement -v --pcrs "sha256,$T/ima.pcrs" "$T/ima" 2>&1); rc=$?
	[ $rc = 0 ] && grep -q 'Matched per TPM bank' <<< "$out" &&
		grep -q '^sha256 PCR-10: succeed at entry 2$' <<< "$out" && ok evmctl_replays_the_log_to_the_pcr_computed_here ||
		nok evmctl_replays_the_log_to_the_pcr_computed_here "rc=$rc $(tail -n 2 <<< "$out")"
else
	skip evmctl_replays_the_log_to_the_pcr_computed_here "evmctl not installed (Debian package ima-evm-utils)"
fi
# Counts read as English: "2 entries", "1 entry".
"$DG" measure verify "$T/ima" >"$T/out" 2>&1 && grep -q ": 2 entries, template digests OK" "$T/out" &&
python3 - "$T/ima" "$T/ima1" <<'PY' && "$DG" measure verify "$T/ima1" >"$T/out" 2>&1 && grep -q ": 1 entry, template digests OK" "$T/out" &&
import struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack_from("<I", b, 24)[0]
end = 28 + n + 4 + struct.unpack_from("<I", b, 28 + n)[0]
open(sys.argv[2], "wb").write(b[:end])
PY
	ok measure_verify_counts_one_entry_and_two_entries ||
	nok measure_verify_counts_one_entry_and_two_entries "$(head -n 1 "$T/out")"
"$DG" measure verify "$T/ima" --pcr="$pcr" >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "PCR-10 matches" "$T/out" && ok measure_verify_takes_pcr_equals_value ||
	nok measure_verify_takes_pcr_equals_value "rc=$rc $(head -n 2 "$T/out")"
# Its last digit changed: refused (exit 1), not matched.
wrong=${pcr%?}$(printf '%x' $(( (16#${pcr: -1} + 1) % 16 )))
"$DG" measure verify "$T/ima" --pcr="$wrong" >"$T/out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "^PCR-10 MISMATCH: expected $wrong" "$T/out" && ! grep -q "PCR-10 matches" "$T/out" &&
	ok measure_verify_refuses_a_wrong_pcr || nok measure_verify_refuses_a_wrong_pcr "rc=$rc $(tail -n 2 "$T/out")"
"$DG" measure verify "$T/ima" --pcr >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "option '--pcr' needs a value" "$T/err" && ok measure_verify_pcr_without_value_says_so ||
	nok measure_verify_pcr_without_value_says_so "rc=$rc $(head -n 1 "$T/err")"
# Argument errors name what is wrong before the usage line; "--" ends the
# options (a log whose name starts with '-').
for c in show verify; do
	"$DG" measure $c >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 2 ] && grep -q "^digestguard measure $c: missing LOG" "$T/err" && ok "measure_${c}_without_log_says_so" ||
		nok "measure_${c}_without_log_says_so" "rc=$rc $(head -n 1 "$T/err")"
	"$DG" measure $c --frob "$T/ima" >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 2 ] && grep -q "^digestguard measure $c: unknown option '--frob'" "$T/err" &&
		ok "measure_${c}_unknown_option_says_so" || nok "measure_${c}_unknown_option_says_so" "rc=$rc $(head -n 1 "$T/err")"
	"$DG" measure $c "$T/ima" "$T/ima" >/dev/null 2>"$T/err"; rc=$?
	[ $rc = 2 ] && grep -q "^digestguard measure $c: unexpected argument '$T/ima'" "$T/err" &&
		ok "measure_${c}_second_log_is_refused" || nok "measure_${c}_second_log_is_refused" "rc=$rc $(head -n 1 "$T/err")"
done
cp "$T/ima" "$T/-ima"
(cd "$T" && "$DG" measure verify --pcr "$pcr" -- -ima) >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "PCR-10 matches" "$T/out" && ok measure_verify_dashdash_ends_options ||
	nok measure_verify_dashdash_ends_options "rc=$rc $(head -n 1 "$T/out")"
(cd "$T" && "$DG" measure show -- -ima) >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "boot_aggregate" "$T/out" && ok measure_show_dashdash_ends_options ||
	nok measure_show_dashdash_ends_options "rc=$rc $(head -n 1 "$T/out")"
"$DG" measure show --json "$T/ima" >"$T/out"; rc=$?
[ $rc = 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1],"rb")); assert d[1]["path"]=="/bin/a\ufffd\"b"' "$T/out" 2>"$T/err" &&
	ok measure_show_json_is_valid_for_a_non_utf8_path || nok measure_show_json_is_valid_for_a_non_utf8_path "rc=$rc $(tail -n 1 "$T/err")"

# rpm verify --json: a file name that is not UTF-8 still gives valid JSON.
CERT=${DG_CORPORA:-$SRC/../shared/corpora}/pgp/rfc9580/A.3-v6-cert.asc
if [ -f "$CERT" ]; then
	bad=$T/$(printf 'pkg\377"x.rpm')
	: >"$bad"
	"$DG" rpm verify --json --keyring "$CERT" "$bad" >"$T/out" 2>/dev/null; rc=$?
	[ $rc = 2 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1],"rb")); assert d[0]["file"].endswith("pkg\ufffd\"x.rpm")' "$T/out" 2>"$T/err" &&
		ok rpm_verify_json_is_valid_for_a_non_utf8_name || nok rpm_verify_json_is_valid_for_a_non_utf8_name "rc=$rc $(tail -n 1 "$T/err")"
else
	skip rpm_verify_json_is_valid_for_a_non_utf8_name "no certificate at $CERT"
fi
# An option of one rpm command is refused by the other, not silently
# ignored: `rpm digests --json` printing text would break a JSON consumer.
"$DG" rpm digests --json --keyring /dev/null x.rpm >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "rpm digests: option '--json' is for 'rpm verify'" "$T/err" &&
	ok rpm_digests_refuses_json || nok rpm_digests_refuses_json "rc=$rc $(head -n 1 "$T/err")"
"$DG" rpm verify --tag --keyring /dev/null x.rpm >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "rpm verify: option '--tag' is for 'rpm digests'" "$T/err" &&
	ok rpm_verify_refuses_tag || nok rpm_verify_refuses_tag "rc=$rc $(head -n 1 "$T/err")"
# --allow-weak concerns file digests, which verify does not read: it was
# taken and ignored (and -v then printed "MD5 and SHA-1 allowed").
"$DG" rpm verify --allow-weak --keyring /dev/null x.rpm >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "rpm verify: option '--allow-weak' is for 'rpm digests'" "$T/err" &&
	ok rpm_verify_refuses_allow_weak || nok rpm_verify_refuses_allow_weak "rc=$rc $(head -n 1 "$T/err")"

# Each command's --help names every option it takes, and a command
# refuses the options it has no use for instead of ignoring them.
"$DG" rpm digests --help >"$T/out" 2>&1
grep -q -- "\[-v\]" "$T/out" && ok rpm_digests_help_names_v || nok rpm_digests_help_names_v "$(head -n 1 "$T/out")"
"$DG" bpf sign --help >"$T/out" 2>&1
grep -q -- "-o|--output OUT" "$T/out" && ok bpf_sign_help_names_output || nok bpf_sign_help_names_output "$(head -n 1 "$T/out")"
"$DG" bpf load -v "$T/nosuch" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard bpf load: --verbose is not an option of this command" "$T/err" &&
	ok bpf_load_refuses_verbose || nok bpf_load_refuses_verbose "rc=$rc $(head -n 1 "$T/err")"

# enforce (usage errors only: nothing here gets as far as a mark): a short
# option is an unknown option, and the error is followed by the synopsis,
# not by all forty lines of --help.
"$DG" enforce -x >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard enforce: unknown option '-x'" "$T/err" && [ "$(wc -l <"$T/err")" -le 8 ] &&
	grep -q "^usage: digestguard enforce --state DIR" "$T/err" && ok enforce_usage_error_is_short_and_names_the_option ||
	nok enforce_usage_error_is_short_and_names_the_option "rc=$rc lines=$(wc -l <"$T/err") $(head -n 1 "$T/err")"

# pgp dump: a missing or second FILE, and a value for a flag, each say so.
"$DG" pgp dump >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard pgp dump: missing FILE" "$T/err" && ok pgp_dump_without_file_says_so ||
	nok pgp_dump_without_file_says_so "rc=$rc $(head -n 1 "$T/err")"
"$DG" pgp dump "$T/ima" "$T/list" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard pgp dump: unexpected argument '$T/list'" "$T/err" && ok pgp_dump_second_file_is_named ||
	nok pgp_dump_second_file_is_named "rc=$rc $(head -n 1 "$T/err")"
"$DG" pgp dump --json=yes "$T/ima" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "^digestguard pgp dump: option '--json' takes no value" "$T/err" && ok pgp_dump_flag_value_says_so ||
	nok pgp_dump_flag_value_says_so "rc=$rc $(head -n 1 "$T/err")"

# Every command that reads a file, given one that is not there, a
# directory, an empty file and bytes of no format: the documented exit
# code (2: input error; sopv: the SOP codes), the input named on stderr,
# no crash.  F is the file under test, in each argument list.
bad_inputs
CERT=${DG_CORPORA:-$SRC/../shared/corpora}/pgp/rfc9580/A.3-v6-cert.asc
bad_input pgp_dump "2 2 2 2" "digestguard pgp dump: " pgp dump @F
bad_input pgp_dump_json "2 2 2 2" "digestguard pgp dump: " pgp dump --json @F
"$DG" pgp dump "$T/empty" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ "$(cat "$T/err")" = "digestguard pgp dump: $T/empty: empty input" ] && ok pgp_dump_empty_file_says_so ||
	nok pgp_dump_empty_file_says_so "rc=$rc $(head -n 1 "$T/err")"
# an empty log is a log of no entry
bad_input measure_show "2 2 0 2" "digestguard measure show: " measure show @F
# verify: a log that is there but damaged is a verdict (1), not an input error
bad_input measure_verify "2 2 0 1" "digestguard measure verify: " measure verify @F
# an empty list: nothing to commit (2), said without a file name
bad_input db_import_local "2 2 2 2" "digestguard db import: " db import --state "$T/st-bad" --local @F
bad_input db_check "2 2 1 1" "digestguard db check: " db check --state "$T/st" @F
if [ -f "$CERT" ]; then
	bad_input rpm_verify "2 2 2 2" "digestguard rpm verify: " rpm verify --keyring "$CERT" @F
	bad_input rpm_digests "2 2 2 2" "digestguard rpm digests: " rpm digests --keyring "$CERT" @F
	bad_input rpm_keyring "2 2 2 2" "digestguard rpm verify: --keyring " rpm verify --keyring @F x.rpm
	bad_input db_import_rpm "2 2 1 1" "digestguard db import: " db import --state "$T/st-bad" --keyring "$CERT" --rpm @F
	bad_input sopv_signatures "61 61 41 41" "sopv: " sopv verify @F "$CERT"
	bad_input sopv_certs "61 61 41 41" "sopv: " sopv verify "$CERT" @F
else
	skip bad_input_rpm_sopv "no certificate at $CERT"
fi
[ ! -e "$T/st-bad/current" ] && ok bad_inputs_commit_nothing || nok bad_inputs_commit_nothing "$(ls "$T/st-bad")"

done_testing
