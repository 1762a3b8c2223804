#!/usr/bin/env bash
# digestguard bpf sign | verify | load: signed BPF programs with a trusted
# hash chain, on objects clang compiles and keys openssl makes
# (tests/data/bpf/gen.sh).  Peers: `openssl cms -verify` decides every
# signature verdict digestguard must give, and bpftool loads each object
# the ordinary way (libbpf) and reads back what digestguard pinned.
. "$(dirname "$0")/lib.bash"

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
DG=${DG:-$BUILD/src/cli/digestguard}
export LC_ALL=C

fx=$T/fx
if ! command -v clang >/dev/null || ! command -v openssl >/dev/null; then
	skip bpf "clang and openssl make the fixtures (make deps)"
	done_testing; exit
fi
wd 120 bash "$SRC/tests/data/bpf/gen.sh" "$fx" >"$T/gen.log" 2>&1 ||
	{ nok bpf_fixtures "$(tail -n 5 "$T/gen.log")"; done_testing; exit; }

# dg CMD ARG...: stdout in $T/out, stderr in $T/err, exit code in $rc
dg() { wd 60 "$DG" bpf "$@" </dev/null >"$T/out" 2>"$T/err"; rc=$?; }
# expect NAME RC WANT-IN-OUTPUT CMD ARG...
expect() {
	local name=$1 want_rc=$2 want=$3; shift 3
	dg "$@"
	if [ "$rc" = "$want_rc" ] && grep -qF -- "$want" "$T/out" "$T/err"; then ok "$name"
	else nok "$name" "rc=$rc, want $want_rc and '$want'" "$(cat "$T/out" "$T/err" | head -n 5)"; fi
}
# part FILE insns|data|sig > OUT: one part of a signed object (bpf_proto.h)
part() {
	python3 - "$1" "$2" <<'E'
import struct, sys
d = open(sys.argv[1], 'rb').read()
il, dl, sl = struct.unpack_from('<3I', d, 24)
parts = {'insns': d[40:40 + il], 'data': d[40 + il:40 + il + dl], 'sig': d[40 + il + dl:]}
sys.stdout.buffer.write(parts[sys.argv[2]])
E
}
# flip FILE OFFSET OUT: a copy of FILE with the byte at OFFSET (negative: from
# the end, python style) changed
flip() {
	python3 - "$1" "$2" "$3" <<'E'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[int(sys.argv[2])] ^= 0x01
open(sys.argv[3], 'wb').write(d)
E
}
# openssl's verdict on the signature of a signed object: "good" or "bad"
openssl_verdict() {
	part "$1" insns >"$T/o.insns"; part "$1" sig >"$T/o.sig"
	if openssl cms -verify -binary -inform DER -in "$T/o.sig" -content "$T/o.insns" \
		-certfile "$2" -CAfile "$2" -purpose any -out /dev/null 2>/dev/null; then echo good; else echo bad; fi
}

# --- inputs that are not there, directories, empty, garbage ---------------
# Each named with exit 2; a failed sign leaves no OUT and no temporary file.
bad_inputs
dg sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/counter.bpf.o" -o "$T/good.signed"
bad_input bpf_sign_object "2 2 2 2" "digestguard bpf sign: " bpf sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" @F -o "$T/out.d/bad.signed"
bad_input bpf_sign_key "2 2 2 2" "digestguard bpf sign: " bpf sign --key @F --cert "$fx/rsa.crt" "$fx/counter.bpf.o" -o "$T/out.d/bad.signed"
bad_input bpf_sign_cert "2 2 2 2" "digestguard bpf sign: " bpf sign --key "$fx/rsa.key" --cert @F "$fx/counter.bpf.o" -o "$T/out.d/bad.signed"
bad_input bpf_verify_object "2 2 2 2" "digestguard bpf verify: " bpf verify --cert "$fx/rsa.crt" @F
bad_input bpf_verify_cert "2 2 2 2" "digestguard bpf verify: " bpf verify --cert @F "$T/good.signed"
bad_input bpf_load_object "2 2 2 2" "digestguard bpf load: " bpf load --userspace-verified --cert "$fx/rsa.crt" @F
mkdir -p "$T/out.d"
bad_input bpf_sign_object_to_a_dir "2 2 2 2" "digestguard bpf sign: " bpf sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" @F -o "$T/out.d/bad.signed"
[ -z "$(ls -A "$T/out.d")" ] && ok failed_sign_leaves_no_output_nor_temporary ||
	nok failed_sign_leaves_no_output_nor_temporary "$(ls -A "$T/out.d")"
dg sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/counter.bpf.o" -o "$T/adir"
[ $rc = 2 ] && grep -q "^digestguard bpf sign: $T/adir: Is a directory" "$T/err" && [ -z "$(ls -A "$T/adir")" ] &&
	[ -z "$(ls "$T" | grep '\.tmp\.')" ] && ok sign_to_a_directory_is_refused_and_leaves_nothing ||
	nok sign_to_a_directory_is_refused_and_leaves_nothing "rc=$rc $(head -n 1 "$T/err")"

# --- sign ---------------------------------------------------------------
for o in counter multi lsm bad; do
	dg sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/$o.bpf.o" -o "$T/$o.signed"
	[ $rc = 0 ] && [ -s "$T/$o.signed" ] && grep -q "signed" "$T/out" && ok "sign_$o" ||
		nok "sign_$o" "rc=$rc" "$(cat "$T/err")"
done
# The handler's loader and metadata are libbpf's own: bpftool's light
# skeleton of the same object (gen_loader of the same libbpf, the object
# named "object" as the handler names it) has the same bytes, after the
# hash check the core puts in front.
libbpf_v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null | sed 's/^[0-9]*://; s/^\([0-9]*\.[0-9]*\).*/\1/')
if command -v bpftool >/dev/null && [ -n "$libbpf_v" ] && bpftool version 2>/dev/null | grep -q "libbpf v$libbpf_v"; then
	for o in counter multi lsm bad; do
		wd 60 bpftool gen skeleton -L "$fx/$o.bpf.o" name object >"$T/$o.skel.h" 2>"$T/err" &&
		python3 - "$T/$o.skel.h" "$T/$o.signed" <<'E2' 2>>"$T/err" && ok "sign_${o}_is_bpftool_light_skeleton" || nok "sign_${o}_is_bpftool_light_skeleton" "$(tail -n 3 "$T/err")"
import ast, re, struct, sys
t = open(sys.argv[1]).read()
def lit(name):
    m = re.search(r'opts\.%s = \(void \*\)"\\\n(.*?)";' % name, t, re.S)
    return ast.literal_eval('b"' + m.group(1).replace('\\\n', '') + '"')
d = open(sys.argv[2], 'rb').read()
il, dl = struct.unpack_from('<2I', d, 24)
assert lit('insns') == d[40 + 34 * 8:40 + il], 'loader differs'
assert lit('data') == d[40 + il:40 + il + dl], 'metadata differs'
E2
	done
else
	skip sign_is_bpftool_light_skeleton "bpftool with the libbpf of libbpf-dev ($libbpf_v) needed"
fi
grep -q "signed 2 programs and 2 maps" <(wd 60 "$DG" bpf sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/multi.bpf.o" -o "$T/m2.signed") &&
	ok sign_counts_programs_and_maps || nok sign_counts_programs_and_maps
cmp -s "$T/multi.signed" "$T/m2.signed" && ok sign_is_reproducible || nok sign_is_reproducible
dg sign -v --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/multi.bpf.o" -o "$T/m3.signed"
grep -q "program keep_short" "$T/out" && grep -q "program drop_all" "$T/out" && grep -q "map lengths" "$T/out" &&
	ok sign_verbose_lists_names || nok sign_verbose_lists_names "$(cat "$T/out")"
dg sign --key "$fx/ec.key" --cert "$fx/ec.crt" "$fx/counter.bpf.o" -o "$T/ec.signed"
[ $rc = 0 ] && ok sign_with_ecdsa || nok sign_with_ecdsa "$(cat "$T/err")"

expect sign_key_of_another_cert_is_refused 1 "not the private key of" \
	sign --key "$fx/other.key" --cert "$fx/rsa.crt" "$fx/counter.bpf.o" -o "$T/x.signed"
expect sign_weak_rsa_is_refused 1 "below the minimum of 2048" \
	sign --key "$fx/weak.key" --cert "$fx/weak.crt" "$fx/counter.bpf.o" -o "$T/x.signed"
expect sign_weak_ec_curve_is_refused 2 "curve secp112r1 is not supported" \
	sign --key "$fx/weakec.key" --cert "$fx/weakec.crt" "$fx/counter.bpf.o" -o "$T/x.signed"
expect sign_cert_without_ski_is_refused 2 "no subject key identifier" \
	sign --key "$fx/noski.key" --cert "$fx/noski.crt" "$fx/counter.bpf.o" -o "$T/x.signed"
expect sign_non_bpf_elf_names_libbpf_reason 2 "$fx/rsa.crt: " \
	sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/rsa.crt" -o "$T/x.signed"
expect sign_host_elf_is_refused 2 "/bin/true: " \
	sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" /bin/true -o "$T/x.signed"
# libbpf's reason, not its closing "failed to load object": the sandbox
# has no kernel version for LINUX_KERNEL_VERSION.
expect sign_kernel_version_extern_names_libbpf_reason 2 "'LINUX_KERNEL_VERSION': failed to get kernel version" \
	sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/kver.bpf.o" -o "$T/x.signed"
# Objects for which libbpf reads a file of the machine it runs on (the
# kernel's configuration, the number of CPUs): the sandbox has none, and
# libbpf is told so (ENOENT) instead of being killed by seccomp on open().
expect sign_kconfig_extern_names_libbpf_reason 2 "failed to open system Kconfig" \
	sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/kconfig.bpf.o" -o "$T/x.signed"
grep -q "handler died" "$T/err" && nok sign_kconfig_extern_handler_lives "$(cat "$T/err")" ||
	ok sign_kconfig_extern_handler_lives
expect sign_cpu_sized_map_names_the_file 2 "/sys/devices/system/cpu/possible" \
	sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/percpu_events.bpf.o" -o "$T/x.signed"
grep -q "handler died" "$T/err" && nok sign_cpu_sized_map_handler_lives "$(cat "$T/err")" ||
	ok sign_cpu_sized_map_handler_lives
# ELF objects that make Debian's libbpf 1.1 crash (found by the bpf_gen
# fuzz target): each crash stays in the handler, the signer reports it.
for c in "$SRC"/fuzz/crashes/bpf_gen/*; do
	expect "sign_libbpf_crash_stays_in_the_handler_${c##*/}" 2 "handler died (killed by signal" \
		sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$c" -o "$T/x.signed"
done
[ ! -e "$T/x.signed" ] && ok sign_failure_writes_nothing || nok sign_failure_writes_nothing
expect sign_without_output_is_usage_error 2 "are required" \
	sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/counter.bpf.o"
expect sign_two_objects_is_usage_error 2 "expected one file" \
	sign --key "$fx/rsa.key" --cert "$fx/rsa.crt" "$fx/counter.bpf.o" "$fx/multi.bpf.o" -o "$T/x.signed"

# --- verify: every verdict is openssl's ---------------------------------
s=$T/counter.signed
flip "$s" $((40 + 34 * 8 + 12)) "$T/insn.signed"	# libbpf's loader, after the hash check
flip "$s" 16 "$T/counts.signed"			# the header's number of maps (2 -> 3)
flip "$s" $((40 + $(part "$s" insns | wc -c) + 7)) "$T/data.signed"	# the metadata
flip "$s" -3 "$T/sig.signed"			# the signature value
for c in counter.signed:rsa multi.signed:rsa ec.signed:ec insn.signed:rsa sig.signed:rsa counter.signed:other; do
	f=${c%%:*} k=${c##*:}
	want=$(openssl_verdict "$T/$f" "$fx/$k.crt")
	dg verify --cert "$fx/$k.crt" "$T/$f"
	if [ "$want" = good ] && [ $rc = 0 ] && grep -q ": OK" "$T/out"; then ok "verify_${f%.signed}_$k"
	elif [ "$want" = bad ] && [ $rc = 1 ] && grep -q ": BAD" "$T/out"; then ok "verify_${f%.signed}_${k}_refused"
	else nok "verify_${f%.signed}_$k" "openssl: $want; digestguard rc=$rc" "$(cat "$T/out" "$T/err")"; fi
done
# The metadata is not under the CMS signature: openssl says good, the chain
# (the hash check in the signed loader) says no.
[ "$(openssl_verdict "$T/data.signed" "$fx/rsa.crt")" = good ] && dg verify --cert "$fx/rsa.crt" "$T/data.signed" &&
	[ $rc = 1 ] && grep -q "does not begin with the hash check of this metadata" "$T/err" &&
	ok verify_changed_metadata_breaks_the_chain || nok verify_changed_metadata_breaks_the_chain "rc=$rc $(cat "$T/err")"
expect verify_other_signer_names_key_ids 1 "signed by key id" verify --cert "$fx/other.crt" "$s"
# Signed by openssl with a key on secp112r1: a good signature, but of a key
# no policy should trust (56-bit security) and the kernel cannot check.
part "$s" insns >"$T/w.insns"
openssl cms -sign -binary -noattr -nocerts -keyid -md sha256 -outform DER -signer "$fx/weakec.crt" \
	-inkey "$fx/weakec.key" -in "$T/w.insns" -out "$T/w.sig" 2>/dev/null
python3 - "$s" "$T/w.sig" "$T/weakec.signed" <<'E2'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read()); sig = open(sys.argv[2], 'rb').read()
il, dl, sl = struct.unpack_from('<3I', d, 24)
d = d[:40 + il + dl] + sig; struct.pack_into('<I', d, 32, len(sig))
open(sys.argv[3], 'wb').write(d)
E2
[ "$(openssl_verdict "$T/weakec.signed" "$fx/weakec.crt")" = good ] &&
	expect verify_weak_ec_curve_is_refused 2 "curve secp112r1 is not supported" verify --cert "$fx/weakec.crt" "$T/weakec.signed" ||
	nok verify_weak_ec_curve_is_refused "openssl does not verify the secp112r1 signature"
expect verify_der_certificate 0 ": OK" verify --cert "$fx/rsa.der" "$s"
dg verify --json --cert "$fx/rsa.crt" "$s"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["programs"]==1 and d["maps"]==2 and d["digest"]=="sha256" and len(d["signer_key_id"])==40' "$T/out" 2>/dev/null &&
	ok verify_json || nok verify_json "$(cat "$T/out")"
ski=$(openssl x509 -in "$fx/rsa.crt" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :' | tr A-F a-f)
dg verify -v --cert "$fx/rsa.crt" "$s"
grep -q "key id $ski" "$T/out" && ok verify_reports_openssl_key_id || nok verify_reports_openssl_key_id "want $ski" "$(cat "$T/out")"
sha_insns=$(part "$s" insns | sha256sum | cut -d' ' -f1)
sha_data=$(part "$s" data | sha256sum | cut -d' ' -f1)
grep -q "loader: .* sha256 $sha_insns" "$T/out" && grep -q "metadata: .* sha256 $sha_data" "$T/out" &&
	ok verify_reports_sha256sum_of_parts || nok verify_reports_sha256sum_of_parts "$(cat "$T/out")"
# Malformed objects are input errors (2), not verdicts.
head -c 100 "$s" >"$T/short.signed"
expect verify_truncated_is_input_error 2 "short.signed" verify --cert "$fx/rsa.crt" "$T/short.signed"
flip "$s" 0 "$T/magic.signed"
expect verify_bad_magic_is_input_error 2 "magic.signed" verify --cert "$fx/rsa.crt" "$T/magic.signed"
cp "$s" "$T/tail.signed"; printf 'x' >>"$T/tail.signed"
expect verify_trailing_byte_is_input_error 2 "tail.signed" verify --cert "$fx/rsa.crt" "$T/tail.signed"
expect verify_elf_object_is_input_error 2 "counter.bpf.o" verify --cert "$fx/rsa.crt" "$fx/counter.bpf.o"

# --- load ----------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	skip bpf_load "loading BPF programs needs root"
	done_testing; exit
fi
# The kernel's own check: where it cannot (no CONFIG_SYSTEM_DATA_VERIFICATION,
# as on this machine's kernel) digestguard says so and exits 2; where it can,
# the good object loads and the one with a changed signature does not.
dg load --cert "$fx/rsa.crt" "$s"
if [ $rc = 2 ] && grep -q "cannot verify BPF program signatures (EOPNOTSUPP" "$T/err"; then
	ok load_kernel_verification_unavailable_says_so
	expect load_kernel_mode_default_keyring_says_so 2 "EOPNOTSUPP" load "$s"
elif [ $rc = 0 ] && grep -q "signature verified by the kernel" "$T/out"; then
	ok load_kernel_verifies
	expect load_kernel_rejects_changed_signature 1 "the kernel rejected the signature" load --cert "$fx/rsa.crt" "$T/sig.signed"
else
	nok load_kernel_mode "rc=$rc" "$(cat "$T/out" "$T/err")"
fi
expect load_userspace_verified_counter 0 "loaded 1 program and 2 maps; signature verified in user space" \
	load --userspace-verified --cert "$fx/rsa.crt" "$s"
grep -q "program count_packets id [0-9]* type socket_filter" "$T/out" && grep -q "map counts id" "$T/out" &&
	ok load_reports_kernel_names || nok load_reports_kernel_names "$(cat "$T/out")"
expect load_userspace_refuses_other_signer 1 "signed by key id" load --userspace-verified --cert "$fx/other.crt" "$s"
# The key policy of verify holds for the kernel's check too: a --cert the
# kernel would take into its keyring must pass it first.
expect load_kernel_mode_refuses_weak_cert 1 "below the minimum of 2048" load --cert "$fx/weak.crt" "$s"
expect load_kernel_mode_refuses_weak_ec_curve 2 "curve secp112r1 is not supported" load --cert "$fx/weakec.crt" "$s"
expect load_userspace_refuses_changed_loader 1 "BAD signature" load --userspace-verified --cert "$fx/rsa.crt" "$T/insn.signed"
expect load_userspace_refuses_changed_metadata 1 "hash check" load --userspace-verified --cert "$fx/rsa.crt" "$T/data.signed"
expect load_refuses_counts_the_loader_was_not_signed_for 1 "3 maps and 1 programs are not the numbers the signed loader was made for" \
	load --userspace-verified --cert "$fx/rsa.crt" "$T/counts.signed"
expect load_userspace_needs_cert 2 "needs --cert" load --userspace-verified "$s"
# --key is sign's: not taken by load for being part of "keyring"
expect load_refuses_sign_option 2 "--key is not an option of this command" load --key "$fx/rsa.key" "$s"
expect load_keyring_with_cert_is_usage_error 2 "not with --cert" load --keyring builtin --cert "$fx/rsa.crt" "$s"
# A key serial no key has: said so (the kernel only answers EINVAL), exit 2.
expect load_unknown_keyring_is_named 2 "keyring 2147483647: no such key" load --keyring 2147483647 "$s"

# Pinned into a bpffs of the test's own, then read back with bpftool; each
# object loads with digestguard exactly when it loads with bpftool (libbpf).
bfs=$T/bpffs; mkdir -p "$bfs"
if ! mount -t bpf bpf "$bfs" 2>"$T/err"; then
	skip bpf_pin "cannot mount a bpf filesystem: $(cat "$T/err")"
	done_testing; exit
fi
trap 'umount "$bfs" 2>/dev/null; rm -rf "$T"' EXIT
dg load --userspace-verified --cert "$fx/rsa.crt" --pin "$bfs" "$T/multi.signed"
[ $rc = 0 ] && ok load_pin_multi || nok load_pin_multi "$(cat "$T/err")"
id=$(sed -n 's/.*program keep_short id \([0-9]*\) .*/\1/p' "$T/out")
bpftool -j prog show pinned "$bfs/keep_short" >"$T/bt" 2>&1 &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["name"]=="keep_short" and d["type"]=="socket_filter" and str(d["id"])==sys.argv[2]' "$T/bt" "$id" &&
	ok bpftool_sees_pinned_program || nok bpftool_sees_pinned_program "$(cat "$T/bt")"
bpftool -j map show pinned "$bfs/maps/object_rodata" >"$T/bt" 2>&1 &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["name"]=="object.rodata" and d.get("frozen")' "$T/bt" &&
	ok bpftool_sees_frozen_rodata_map || nok bpftool_sees_frozen_rodata_map "$(cat "$T/bt")"
bpftool map dump pinned "$bfs/maps/object_rodata" >"$T/bt" 2>&1 && grep -q "1500\|0xdc 0x05\|dc 05 00 00" "$T/bt" &&
	ok rodata_holds_the_objects_constant || nok rodata_holds_the_objects_constant "$(cat "$T/bt")"
expect load_pin_twice_is_refused 2 "already exists" load --userspace-verified --cert "$fx/rsa.crt" --pin "$bfs" "$T/multi.signed"
ls "$bfs/maps" >"$T/ls"; [ "$(wc -l <"$T/ls")" = 2 ] && ok load_pin_failure_leaves_earlier_pins_alone || nok load_pin_failure_leaves_earlier_pins_alone "$(cat "$T/ls")"
expect load_pin_outside_bpffs_is_refused 2 "not a directory on a BPF filesystem" \
	load --userspace-verified --cert "$fx/rsa.crt" --pin "$T" "$s"
rm -f "$bfs"/keep_short "$bfs"/drop_all "$bfs"/maps/*
# A --pin directory too long for DIR/maps/NAME to be spelled out: refused,
# nothing pinned (pins were made under cut names the output did not give).
long=$bfs/l; while [ ${#long} -lt 480 ]; do long=$long/$(printf '%0100d' 0); done
long=$long/$(printf '%0*d' $((590 - ${#long} - 1)) 0); mkdir -p "$long"
expect load_pin_dir_too_long_is_refused 2 "too long" load --userspace-verified --cert "$fx/rsa.crt" --pin "$long" "$T/multi.signed"
[ -z "$(find "$bfs/l" -type f)" ] && ok load_pin_dir_too_long_pins_nothing ||
	nok load_pin_dir_too_long_pins_nothing "$(find "$bfs/l" -type f | sed 's|.*/||')"
rm -rf "$bfs/l"

for o in counter multi lsm bad; do
	mkdir -p "$bfs/peer_$o"
	if wd 60 bpftool prog loadall "$fx/$o.bpf.o" "$bfs/peer_$o" >"$T/peer" 2>&1; then peer=loads; else peer=refused; fi
	rm -rf "$bfs/peer_$o"
	dg load --userspace-verified --cert "$fx/rsa.crt" "$T/$o.signed"
	if [ $peer = loads ] && [ $rc = 0 ]; then ok "load_${o}_as_bpftool"
	elif [ $peer = refused ] && [ $rc != 0 ] && grep -q "could not create the object's maps and programs" "$T/err"; then ok "load_${o}_refused_as_bpftool"
	else nok "load_${o}_as_bpftool" "bpftool: $peer; digestguard rc=$rc" "$(cat "$T/err")" "$(tail -n 3 "$T/peer")"; fi
done
expect load_bad_reports_verifier_reason 2 "invalid bpf_context access" \
	load --userspace-verified --cert "$fx/rsa.crt" "$T/bad.signed"
done_testing
