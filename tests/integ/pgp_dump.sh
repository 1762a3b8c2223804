#!/usr/bin/env bash
# `digestguard pgp dump` through the real sandboxed handler, compared with
# `gpg --list-packets` (offsets, tags, header and body lengths) and gpg's
# fingerprints, on inputs gpg generates here (tests/data/pgp/seed-fuzz.sh).
. "$(dirname "$0")/lib.bash"
: "${DG:?DG must point to digestguard}" "${SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"

if ! command -v gpg >/dev/null; then
	skip "pgp dump differential tests" "gpg not installed"
	done_testing; exit
fi
wd 60 bash "$SRC/tests/data/pgp/seed-fuzz.sh" "$T/fx" >/dev/null 2>"$T/gen.log"; rc=$?
if [ $rc = 77 ]; then
	skip "pgp dump differential tests" "$(tail -n 1 "$T/gen.log")"
	done_testing; exit
elif [ $rc != 0 ]; then
	mapfile -t why < <(tail -n 5 "$T/gen.log")
	nok "pgp_dump_fixtures_generated" "seed-fuzz.sh exit $rc" "${why[@]}"
	done_testing; exit
fi
mkdir -m 700 "$T/gh"
gpgl() { gpg --homedir "$T/gh" --batch --list-packets "$1" 2>/dev/null |
	sed -n 's/^# off=\([0-9]*\) ctb=[0-9a-f]* tag=\([0-9]*\) hlen=\([0-9]*\) plen=\([0-9]*\).*/\1 \2 \3 \4/p'; }
ourl() { wd 30 "$DG" pgp dump "$1" |
	sed -n 's/^ *# off=\([0-9]*\) hlen=\([0-9]*\) plen=\([0-9]*\) tag=\([0-9]*\).*/\1 \4 \2 \3/p'; }

for f in key-ed25519.gpg key-rsa.gpg secret-ed25519.gpg sig-ed25519.gpg; do
	a=$(gpgl "$T/fx/$f"); b=$(ourl "$T/fx/$f")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "dump_matches_gpg_list_packets_$f"
	else nok "dump_matches_gpg_list_packets_$f" "gpg: $a" "ours: $b"; fi
done

# Compressed: gpg counts inner offsets differently; compare tag/hlen/plen.
for f in inline-zlib.gpg inline-zip.gpg inline-bzip2.gpg; do
	a=$(gpgl "$T/fx/$f" | tail -n +2 | cut -d' ' -f2-); b=$(ourl "$T/fx/$f" | tail -n +2 | cut -d' ' -f2-)
	if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "dump_descends_into_compressed_$f"
	else nok "dump_descends_into_compressed_$f" "gpg: $a" "ours: $b"; fi
done

want=$(gpg --homedir "$T/gh" --batch --with-colons --import-options show-only --import \
	"$T/fx/keyring-two.asc" 2>/dev/null | awk -F: '/^fpr/{print $10}')
got=$(wd 30 "$DG" pgp dump "$T/fx/keyring-two.asc" | sed -n 's/^\tfingerprint \([0-9A-F]*\) .*/\1/p')
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "dump_fingerprints_match_gpg"
else nok "dump_fingerprints_match_gpg" "gpg: $want" "ours: $got"; fi

check "dump_json_is_valid_json" bash -c "wd() { timeout 30 \"\$@\"; }; wd '$DG' pgp dump --json '$T/fx/inline-zlib.gpg' | python3 -m json.tool >/dev/null"
check "dump_cleartext_shows_hash_and_signature" bash -c \
	"timeout 30 '$DG' pgp dump '$T/fx/clearsigned.asc' | grep -q 'Hash: SHA256' &&
	 timeout 30 '$DG' pgp dump '$T/fx/clearsigned.asc' | grep -q ':signature packet:'"

printf 'not openpgp at all\n' >"$T/garbage.txt"
out=$(wd 30 "$DG" pgp dump "$T/garbage.txt" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q "garbage.txt" <<<"$out" && grep -qF "neither OpenPGP packets (no packet tag at its start) nor ASCII armor" <<<"$out"; then
	ok "dump_garbage_exits_2_naming_file_and_reason"
else nok "dump_garbage_exits_2_naming_file_and_reason" "rc=$rc" "$out"; fi

head -c 100 "$T/fx/key-rsa.gpg" >"$T/trunc.gpg"
out=$(wd 30 "$DG" pgp dump "$T/trunc.gpg" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q "only .* left" <<<"$out"; then ok "dump_truncated_exits_2"
else nok "dump_truncated_exits_2" "rc=$rc" "$out"; fi

# User IDs are untrusted bytes: no raw control characters reach the terminal.
printf '\xcd\x09ab\x1b[31mcd' >"$T/esc.gpg"
out=$(wd 30 "$DG" pgp dump "$T/esc.gpg" 2>&1); rc=$?
if [ $rc = 0 ] && ! grep -q $'\x1b' <<<"$out" && grep -q 'ab\\x1b\[31mcd' <<<"$out"; then
	ok "dump_escapes_control_bytes_in_user_ids"
else nok "dump_escapes_control_bytes_in_user_ids" "rc=$rc" "$out"; fi

check "pgp_dump_help_exits_0" wd 10 "$DG" pgp dump --help
out=$(wd 10 "$DG" pgp dump 2>&1); rc=$?
[ $rc = 2 ] && ok "pgp_dump_without_file_exits_2" || nok "pgp_dump_without_file_exits_2" "rc=$rc"
# The issuer a signature claims, shown like the key's fingerprint (no
# version octet in front), so the two can be compared by eye.
key_fpr=$(gpg --homedir "$T/gh" --batch --with-colons --import-options show-only --import \
	"$T/fx/key-ed25519.gpg" 2>/dev/null | awk -F: '/^fpr/{print $10; exit}')
if wd 30 "$DG" pgp dump "$T/fx/sig-ed25519.gpg" | grep -q "^	issuer v4 $key_fpr "; then
	ok dump_issuer_is_the_fingerprint_without_version_octet
else nok dump_issuer_is_the_fingerprint_without_version_octet "want issuer v4 $key_fpr"; fi
a=$(wd 30 "$DG" pgp dump "$T/fx/sig-ed25519.gpg"); b=$(wd 30 "$DG" pgp dump - <"$T/fx/sig-ed25519.gpg")
[ -n "$a" ] && [ "$a" = "$b" ] && ok dump_reads_stdin_as_dash || nok dump_reads_stdin_as_dash
check dump_option_after_file bash -c "timeout 30 '$DG' pgp dump '$T/fx/sig-ed25519.gpg' --json | python3 -m json.tool >/dev/null"
out=$(wd 30 "$DG" pgp dump "$T" 2>&1); rc=$?
[ $rc != 0 ] && grep -q "is a directory" <<<"$out" && ok dump_directory_says_so || nok dump_directory_says_so "rc=$rc $out"
out=$(echo garbage | wd 30 "$DG" pgp dump --json - 2>/dev/null); rc=$?
[ $rc != 0 ] && python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1])["complete"] is not False)' "$out" &&
	ok dump_json_failure_says_incomplete || nok dump_json_failure_says_incomplete "rc=$rc $out"
python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1])["complete"] is not True)' \
	"$(wd 30 "$DG" pgp dump --json "$T/fx/sig-ed25519.gpg")" &&
	ok dump_json_success_says_complete || nok dump_json_success_says_complete

# A malformed signature packet (its unhashed area runs past the packet)
# before gpg's good one: gpg still lists both packets at the same offsets,
# the dump says which one is malformed and goes on to the next.
PYTHONPATH=$SRC/tests/data/pgp python3 - "$T/fx/sig-ed25519.gpg" "$T/malformed.sig" <<'PY'
import sys
from pgppkt import packet, packets
(tag, whole, body), = packets(open(sys.argv[1], "rb").read())
uo = 6 + int.from_bytes(body[4:6], "big")
bad = packet(2, body[:uo] + b"\xff\xf0" + body[uo + 2:])
open(sys.argv[2], "wb").write(bad + whole)
PY
a=$(gpgl "$T/malformed.sig"); b=$(ourl "$T/malformed.sig")
out=$(wd 30 "$DG" pgp dump "$T/malformed.sig")
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$(grep -c MALFORMED <<<"$out")" = 1 ] &&
	grep -q "^	version 4: MALFORMED signature packet" <<<"$out"; then
	ok dump_marks_the_malformed_signature_and_goes_on
else
	nok dump_marks_the_malformed_signature_and_goes_on "gpg: $a" "ours: $b" "$out"
fi
python3 -c 'import json,sys; p = json.loads(sys.argv[1])["packets"]
sys.exit(not (p[0]["malformed"] and not p[1]["malformed"] and p[1]["fields"]))' \
	"$(wd 30 "$DG" pgp dump --json "$T/malformed.sig")" &&
	ok dump_json_marks_the_malformed_signature || nok dump_json_marks_the_malformed_signature

# A key packet cut in its material, appended to gpg's certificate as a
# subkey: gpg lists it at the same offset, the dump marks it malformed
# (no made-up time or fingerprint: gpg's fingerprints of the certificate
# are all the dump shows) and the certificate's packets as usual.
PYTHONPATH=$SRC/tests/data/pgp python3 - "$T/fx/key-ed25519.gpg" "$T/malformed-key.gpg" <<'PY'
import sys
from pgppkt import packet, packets
d = open(sys.argv[1], "rb").read()
pri = [b for t, w, b in packets(d) if t == 6][0]
open(sys.argv[2], "wb").write(d + packet(14, pri[:-3]))
PY
a=$(gpgl "$T/malformed-key.gpg"); b=$(ourl "$T/malformed-key.gpg")
out=$(wd 30 "$DG" pgp dump "$T/malformed-key.gpg")
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$(grep -c MALFORMED <<<"$out")" = 1 ] &&
	[ "$(grep -c '^	fingerprint' <<<"$out")" = "$(gpg --homedir "$T/gh" --batch --with-colons \
		--show-keys "$T/fx/key-ed25519.gpg" 2>/dev/null | grep -c '^fpr')" ] &&
	grep -q "^	version 4: MALFORMED key packet" <<<"$out"; then
	ok dump_marks_the_malformed_subkey
else
	nok dump_marks_the_malformed_subkey "gpg: $a" "ours: $b" "$out"
fi
python3 -c 'import json,sys; k = [p for p in json.loads(sys.argv[1])["packets"] if p.get("tag") in (6, 14)]
sys.exit(not (len(k) >= 2 and [p["malformed"] for p in k].count(True) == 1 and k[-1]["malformed"]))' \
	"$(wd 30 "$DG" pgp dump --json "$T/malformed-key.gpg")" &&
	ok dump_json_marks_the_malformed_subkey || nok dump_json_marks_the_malformed_subkey

v5=${DG_CORPORA:-$SRC/../shared/corpora}/pgp/gnupg/keys/v5-sample-1-pub.asc
if [ -f "$v5" ]; then
	out=$(wd 30 "$DG" pgp dump "$v5")
	grep -q "version 5: UNSUPPORTED key version" <<<"$out" && ! grep -q "created 0 " <<<"$out" &&
		ok dump_v5_key_says_unsupported_without_made_up_fields ||
		nok dump_v5_key_says_unsupported_without_made_up_fields "$(head -n 8 <<<"$out")"
else
	skip dump_v5_key_says_unsupported_without_made_up_fields "no corpus file $v5"
fi

done_testing
