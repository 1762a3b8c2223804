#!/usr/bin/env bash
# Generate OpenPGP v4 fixtures with GnuPG into OUTDIR/gpg/ and append one
# manifest line per case to OUTDIR/manifest.tsv (format: see gen-fixtures.sh).
#
#   tests/data/pgp/gen-gpg.sh OUTDIR
#
# Reproducible apart from key material and signature randomness: every time
# stamp comes from SOURCE_DATE_EPOCH through gpg --faked-system-time (frozen
# with "!"), user IDs are fixed, GNUPGHOME is a temp dir removed at exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: gen-gpg.sh OUTDIR}
mkdir -p "$out/gpg"
out=$(cd "$out" && pwd)
manifest=$out/manifest.tsv
dir=$out/gpg

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
T0=$SOURCE_DATE_EPOCH
export GNUPGHOME
GNUPGHOME=$(mktemp -d /tmp/dg-gpg-fixtures.XXXXXX)
cleanup() { gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"; }
export TZ=UTC LC_ALL=C
# gpg warns on every call about the faked time: keep its chatter in a log
# and show the end of it only if a step fails
log=$out/gpg.log
: >"$log"
exec 3>&2 2>>"$log"
trap 'rc=$?; if [ $rc != 0 ]; then echo "gen-gpg.sh: failed (rc=$rc), end of $log:" >&3; tail -n 15 "$log" >&3; fi; cleanup' EXIT

# g TIME ARGS...: gpg at a frozen fake time, no passphrases, no prompts
g() {
	local t=$1; shift
	gpg --batch --yes --no-tty --quiet --no-auto-key-locate \
		--faked-system-time "$t!" --pinentry-mode loopback --passphrase '' \
		--no-auto-check-trustdb --trust-model always "$@"
}
fpr_of() { gpg --batch --with-colons --list-keys "$1" 2>/dev/null | awk -F: '/^fpr/{print $10; exit}'; }

# add CASE KIND SIG DATA "CERTS..." INTENT [NOTE]
#   KIND detached|inline|cleartext; DATA is "-" for inline/cleartext;
#   paths relative to OUTDIR; INTENT is what the fixture was built to be
#   (good, bad, or policy when verifiers may legitimately differ).
add() { printf 'gpg/%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:--}" >>"$manifest"; }

# Data: LF line endings, trailing blanks, a dash-led line and "From " line
# (cleartext dash-escaping), non-ASCII, and no final newline on the text file
# so text-mode canonicalisation is exercised.
{
	printf 'digestguard OpenPGP fixture data\n'
	printf 'line with trailing blanks   \n'
	printf -- '- a line that starts with a dash\n'
	printf 'From the start of a line\n'
	printf 'tab\tand utf-8: \xc3\xa9\xe2\x82\xac\n'
	printf 'last line without newline'
} >"$dir/data.txt"
cp "$dir/data.txt" "$dir/data-tampered.txt"
printf 'X' | dd of="$dir/data-tampered.txt" bs=1 seek=5 conv=notrunc status=none
head -c 65536 /dev/zero | tr '\0' 'A' >"$dir/data.bin"
printf '\x00\x01\x02\xff\r\n\r\n' >>"$dir/data.bin"

# key NAME ALGO USAGE EXPIRE [TIME]: make a key, export its cert (armored
# and binary), remember its fingerprint in $fpr_NAME
key() {
	local name=$1 algo=$2 usage=$3 expire=$4 t=${5:-$T0}
	g "$t" --quick-gen-key "$name <$name@fixtures.digestguard.test>" "$algo" "$usage" "$expire"
	local f; f=$(fpr_of "<$name@fixtures.digestguard.test>")
	printf -v "fpr_$name" '%s' "$f"
	export_cert "$name"
}
export_cert() {
	local name=$1 f; f=$(fpr_of "<$name@fixtures.digestguard.test>")
	gpg --batch --armor --export "$f" >"$dir/$name.cert.asc"
	gpg --batch --export "$f" >"$dir/$name.cert.pgp"
}
uid() { printf '%s' "<$1@fixtures.digestguard.test>"; }
# pypkt CMD...: CMD with tests/data/pgp/pgppkt.py importable (packet framing)
pypkt() { PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "$@"; }

T1=$((T0 + 3600))	# signatures are made an hour after the keys

# --- one key per algorithm, every kind of signature --------------------------
for spec in rsa2048:rsa2048 rsa3072:rsa3072 rsa4096:rsa4096 \
	p256:nistp256 p384:nistp384 p521:nistp521 ed25519:ed25519; do
	name=${spec%%:*} algo=${spec#*:}
	key "$name" "$algo" sign,cert never
	u=$(uid "$name")
	g $T1 -u "$u" -o "$dir/$name.bin.sig" --detach-sign "$dir/data.bin"
	add "$name/detached-binary" detached "gpg/$name.bin.sig" gpg/data.bin "gpg/$name.cert.pgp" good
	g $T1 -u "$u" -o "$dir/$name.sig" --detach-sign "$dir/data.txt"
	add "$name/detached" detached "gpg/$name.sig" gpg/data.txt "gpg/$name.cert.asc" good
	g $T1 -u "$u" -a -o "$dir/$name.sig.asc" --detach-sign "$dir/data.txt"
	add "$name/detached-armored" detached "gpg/$name.sig.asc" gpg/data.txt "gpg/$name.cert.asc" good
	g $T1 -u "$u" --textmode -o "$dir/$name.text.sig" --detach-sign "$dir/data.txt"
	add "$name/detached-textmode" detached "gpg/$name.text.sig" gpg/data.txt "gpg/$name.cert.asc" good
	g $T1 -u "$u" -o "$dir/$name.clear.asc" --clearsign "$dir/data.txt"
	add "$name/cleartext" cleartext "gpg/$name.clear.asc" - "gpg/$name.cert.asc" good
	g $T1 -u "$u" -o "$dir/$name.inline.gpg" --sign "$dir/data.txt"
	add "$name/inline" inline "gpg/$name.inline.gpg" - "gpg/$name.cert.pgp" good
	g $T1 -u "$u" -a -o "$dir/$name.inline.asc" --sign "$dir/data.txt"
	add "$name/inline-armored" inline "gpg/$name.inline.asc" - "gpg/$name.cert.asc" good
	g $T1 -u "$u" --textmode -a -o "$dir/$name.inline-text.asc" --sign "$dir/data.txt"
	add "$name/inline-textmode" inline "gpg/$name.inline-text.asc" - "gpg/$name.cert.asc" good
done

# --- wrong key, tampered data ------------------------------------------------
add "wrong-key/detached" detached gpg/rsa2048.sig gpg/data.txt gpg/ed25519.cert.asc bad
add "wrong-key/inline" inline gpg/p256.inline.asc - gpg/rsa3072.cert.asc bad
add "wrong-key/cleartext" cleartext gpg/ed25519.clear.asc - gpg/p384.cert.asc bad
add "tampered/detached" detached gpg/p256.sig gpg/data-tampered.txt gpg/p256.cert.asc bad
add "tampered/detached-textmode" detached gpg/rsa2048.text.sig gpg/data-tampered.txt gpg/rsa2048.cert.asc bad
# a cleartext message whose signed text was altered after signing
sed 's/fixture data/fixture dada/' "$dir/ed25519.clear.asc" >"$dir/tampered.clear.asc"
add "tampered/cleartext" cleartext gpg/tampered.clear.asc - gpg/ed25519.cert.asc bad

# --- expired key: valid for one day, signature made inside that day ---------
key expkey ed25519 sign,cert 1d
g $T1 -u "$(uid expkey)" -o "$dir/expkey.sig" --detach-sign "$dir/data.txt"
add "expired-key/detached" detached gpg/expkey.sig gpg/data.txt gpg/expkey.cert.asc policy \
	"key expired after the signature was made"

# --- expired signature (signature expiration time one day) ------------------
g $T1 -u "$(uid ed25519)" --default-sig-expire 1d -o "$dir/expsig.sig" --detach-sign "$dir/data.txt"
add "expired-sig/detached" detached gpg/expsig.sig gpg/data.txt gpg/ed25519.cert.asc bad

# --- a signature dated in the future (2100-01-01): SOP's --not-after is now
# by default; Sequoia and openpgp.js refuse it as not yet valid, gpgv
# verifies it (docs/pgp-differences.md gpgv-future-signature) -------------
g 4102444800 -u "$(uid ed25519)" -o "$dir/future.sig" --detach-sign "$dir/data.txt"
add "future-sig/detached" detached gpg/future.sig gpg/data.txt gpg/ed25519.cert.asc bad \
	"signature made on 2100-01-01"

# --- notations: a critical one no reader understands makes the signature
# invalid (RFC 9580 §5.2.3.24), a non-critical one is ignored --------------
g $T1 -u "$(uid ed25519)" --sig-notation '!n@fixtures.digestguard.test=v' \
	-o "$dir/ed25519.crit-notation.sig" --detach-sign "$dir/data.txt"
add "notation/critical" detached gpg/ed25519.crit-notation.sig gpg/data.txt gpg/ed25519.cert.asc bad \
	"a critical notation"
g $T1 -u "$(uid ed25519)" --sig-notation 'n@fixtures.digestguard.test=v' \
	-o "$dir/ed25519.notation.sig" --detach-sign "$dir/data.txt"
add "notation/plain" detached gpg/ed25519.notation.sig gpg/data.txt gpg/ed25519.cert.asc good

# --- an EdDSA data signature over SHA-224, shorter than the 256 bits RFC
# 9580 §5.2.3.3 wants for Ed25519 (gpg makes it when asked) ----------------
g $T1 -u "$(uid ed25519)" --digest-algo SHA224 -o "$dir/ed25519.sha224.sig" --detach-sign "$dir/data.txt"
add "short-hash/eddsa-sha224" detached gpg/ed25519.sha224.sig gpg/data.txt gpg/ed25519.cert.asc bad \
	"EdDSA over SHA-224"

# --- revocations: hard (compromised) and soft (superseded), signatures made
# before and after the revocation's creation time ---------------------------
revoke() {	# NAME REASON TIME [GPG-OPTION...]: revoke NAME with reason code (1 compromised, 2 superseded)
	local name=$1 reason=$2 t=$3 f; f=$(fpr_of "$(uid "$name")")
	shift 3
	# --gen-revoke refuses --batch; its prompts are answered on --command-fd
	printf 'y\n%s\nfixture revocation\n\ny\n' "$reason" |
		gpg "$@" --yes --no-tty --quiet --faked-system-time "$t!" \
			--pinentry-mode loopback --passphrase '' --command-fd 0 \
			-a -o "$dir/$name.rev.asc" --gen-revoke "$f"
	gpg --batch --quiet --import "$dir/$name.rev.asc"
}
TB=$((T0 + 7200)) TR=$((T0 + 10800)) TA=$((T0 + 14400))
for spec in revhard:1 revsoft:2; do
	name=${spec%%:*} reason=${spec#*:}
	key "$name" ed25519 sign,cert never
	g $TB -u "$(uid "$name")" -o "$dir/$name.before.sig" --detach-sign "$dir/data.txt"
	g $TA -u "$(uid "$name")" -o "$dir/$name.after.sig" --detach-sign "$dir/data.txt"
	cp "$dir/$name.cert.asc" "$dir/$name.unrevoked.asc"
	revoke "$name" "$reason" $TR
	export_cert "$name"
done
add "revoked-hard/sig-before-revocation" detached gpg/revhard.before.sig gpg/data.txt gpg/revhard.cert.asc bad \
	"hard revocation (compromised) invalidates every signature"
add "revoked-hard/sig-after-revocation" detached gpg/revhard.after.sig gpg/data.txt gpg/revhard.cert.asc bad
add "revoked-soft/sig-before-revocation" detached gpg/revsoft.before.sig gpg/data.txt gpg/revsoft.cert.asc policy \
	"soft revocation (superseded): signatures made before it stay valid (RFC 9580 5.2.3.31)"
add "revoked-soft/sig-after-revocation" detached gpg/revsoft.after.sig gpg/data.txt gpg/revsoft.cert.asc bad
# The hard revocation apart from the certificate: in a file of its own (after
# or before the certificate's), in an armor block of its own, and an old copy
# of the certificate next to the revoked one.
cat "$dir/revhard.unrevoked.asc" "$dir/revhard.rev.asc" >"$dir/revhard.blocks.asc"
cat "$dir/revhard.unrevoked.asc" "$dir/revhard.cert.asc" >"$dir/revhard.dup.asc"
add "revoked-hard/revocation-in-own-file" detached gpg/revhard.before.sig gpg/data.txt \
	"gpg/revhard.unrevoked.asc gpg/revhard.rev.asc" bad
add "revoked-hard/revocation-file-first" detached gpg/revhard.before.sig gpg/data.txt \
	"gpg/revhard.rev.asc gpg/revhard.unrevoked.asc" bad
add "revoked-hard/revocation-in-own-armor-block" detached gpg/revhard.before.sig gpg/data.txt \
	gpg/revhard.blocks.asc bad
add "revoked-hard/old-copy-next-to-revoked" detached gpg/revhard.before.sig gpg/data.txt \
	gpg/revhard.dup.asc bad
# A hard revocation of an EdDSA (legacy) key over SHA-1, as gpg 2.2 makes
# it when asked: shorter than the 256-bit hash RFC 9580 §5.2.3.3 wants for
# EdDSA, but a key revocation only takes validity away, so it counts.
key revsha1 ed25519 sign,cert never
g $TB -u "$(uid revsha1)" -o "$dir/revsha1.before.sig" --detach-sign "$dir/data.txt"
revoke revsha1 1 $TR --cert-digest-algo SHA1 --digest-algo SHA1
export_cert revsha1
add "revoked-hard/sha1-revocation" detached gpg/revsha1.before.sig gpg/data.txt gpg/revsha1.cert.asc bad \
	"hard revocation made over SHA-1 by an EdDSA key"

# --- a revoked primary user ID: its older self-signature (no expiration)
# must not outlive the expiration put on the user ID that is left.  The late
# signature is made first, at a time after that expiration. ------------------
key uidrev ed25519 sign,cert never
g $((T0 + 10)) --quick-add-uid "$fpr_uidrev" "uidrev2 $(uid uidrev2)"
g $((T0 + 20)) --quick-set-primary-uid "$fpr_uidrev" "uidrev $(uid uidrev)"
g $((T0 + 200000)) -u "$fpr_uidrev" -o "$dir/uidrev.late.sig" --detach-sign "$dir/data.txt"
g $((T0 + 30)) --quick-revoke-uid "$fpr_uidrev" "uidrev $(uid uidrev)"
g $((T0 + 40)) --quick-set-expire "$fpr_uidrev" 1d
g $((T0 + 100)) -u "$fpr_uidrev" -o "$dir/uidrev.early.sig" --detach-sign "$dir/data.txt"
export_cert uidrev
add "uid-revoked/sig-after-expiration" detached gpg/uidrev.late.sig gpg/data.txt gpg/uidrev.cert.asc bad \
	"made after the expiration set on the user ID left; the revoked primary user ID had none"
add "uid-revoked/sig-before-expiration" detached gpg/uidrev.early.sig gpg/data.txt gpg/uidrev.cert.asc good

# --- signing subkey, primary certify-only ------------------------------------
key subkey rsa3072 cert never
g $T0 --quick-add-key "$fpr_subkey" ed25519 sign never
export_cert subkey
g $T1 -u "$(uid subkey)" -o "$dir/subkey.sig" --detach-sign "$dir/data.txt"
add "subkey/detached" detached gpg/subkey.sig gpg/data.txt gpg/subkey.cert.asc good
g $T1 -u "$(uid subkey)" -o "$dir/subkey.clear.asc" --clearsign "$dir/data.txt"
add "subkey/cleartext" cleartext gpg/subkey.clear.asc - gpg/subkey.cert.asc good
g $T1 -u "$(uid subkey)" -o "$dir/subkey.inline.gpg" --sign "$dir/data.txt"
add "subkey/inline" inline gpg/subkey.inline.gpg - gpg/subkey.cert.asc good

# --- a hard-revoked signing subkey whose packet comes twice in one
# certificate: the revoked export with the unrevoked subkey section (subkey,
# binding) pasted after it, and the unrevoked export with the revoked section
# (subkey, revocation, binding) appended, as an update to it would be. The
# sections are cut at the subkey packet's offset as gpg --list-packets gives it.
key subdup ed25519 cert never
g $T0 --quick-add-key "$fpr_subdup" ed25519 sign never
g $T1 -u "$(uid subdup)" -o "$dir/subdup.sig" --detach-sign "$dir/data.txt"
gpg --batch --export "$fpr_subdup" >"$dir/subdup.unrevoked.pgp"
# --edit-key: select subkey 1, revkey, reason 1 (key has been compromised)
printf 'key 1\nrevkey\ny\n1\nfixture revocation\n\ny\nsave\n' |
	gpg --yes --no-tty --quiet --faked-system-time "$TR!" --pinentry-mode loopback \
		--passphrase '' --command-fd 0 --edit-key "$fpr_subdup"
gpg --batch --export "$fpr_subdup" >"$dir/subdup.revoked.pgp"
subkey_section() {	# FILE: its bytes from the (first) subkey packet on
	local off
	off=$(gpg -v --list-packets "$1" 2>/dev/null | awk '/^# off=/ && / tag=14 / {sub(/^# off=/, ""); print $1; exit}')
	[ -n "$off" ] || { echo "no subkey packet in $1" >&2; return 1; }
	tail -c +$((off + 1)) "$1"
}
{ cat "$dir/subdup.revoked.pgp"; subkey_section "$dir/subdup.unrevoked.pgp"; } >"$dir/subdup.revoked-then-copy.pgp"
{ cat "$dir/subdup.unrevoked.pgp"; subkey_section "$dir/subdup.revoked.pgp"; } >"$dir/subdup.copy-then-revoked.pgp"
add "subkey-dup/unrevoked" detached gpg/subdup.sig gpg/data.txt gpg/subdup.unrevoked.pgp good
add "subkey-dup/revoked" detached gpg/subdup.sig gpg/data.txt gpg/subdup.revoked.pgp bad \
	"signing subkey revoked: key compromised"
add "subkey-dup/revoked-then-copy" detached gpg/subdup.sig gpg/data.txt \
	gpg/subdup.revoked-then-copy.pgp bad "the same subkey again, bound but without its revocation"
add "subkey-dup/copy-then-revoked" detached gpg/subdup.sig gpg/data.txt \
	gpg/subdup.copy-then-revoked.pgp bad "the subkey's revocation appended as subkey, revocation, binding"

# A revocation out of its place (RFC 9580 §10.1 puts it after the component
# it revokes): the subkey's before its subkey (after the user ID's
# self-signature, after the primary key) or after another subkey (as when a
# revocation signature is appended to a certificate), and the revoked user
# ID's revocation right after the primary key.  It still revokes.
pypkt python3 - "$dir" <<'PY'
import sys
from pgppkt import packets
d = sys.argv[1]
p = packets(open(d + "/subdup.revoked.pgp", "rb").read())
w = [x for t, x, b in p]
rev = [i for i, (t, x, b) in enumerate(p) if t == 2 and b[1] == 0x28]
sub = [i for i, (t, x, b) in enumerate(p) if t == 14]
assert len(rev) == 1 and len(sub) == 1 and sub[0] < rev[0], [t for t, x, b in p]
r, rest = w[rev[0]], w[:rev[0]] + w[rev[0] + 1:]
other = [x for t, x, b in packets(open(d + "/subkey.cert.pgp", "rb").read()) if t == 14][0]
ed = open(d + "/ed25519.cert.pgp", "rb").read()
for name, out in (("after-user-id", rest[:sub[0]] + [r] + rest[sub[0]:]),
                  ("after-primary-key", rest[:1] + [r] + rest[1:]),
                  ("after-another-subkey", rest + [other, r]),
                  ("before-its-certificate", [r] + rest),
                  ("in-another-certificate", rest + [ed, r])):
    open("%s/subdup.rev-%s.pgp" % (d, name), "wb").write(b"".join(out))
p = packets(open(d + "/uidrev.cert.pgp", "rb").read())
w = [x for t, x, b in p]
rev = [i for i, (t, x, b) in enumerate(p) if t == 2 and b[1] == 0x30]
assert len(rev) == 1, [t for t, x, b in p]
rest = w[:rev[0]] + w[rev[0] + 1:]
open(d + "/uidrev.rev-first.pgp", "wb").write(b"".join(rest[:1] + [w[rev[0]]] + rest[1:]))
p = packets(open(d + "/ed25519.cert.pgp", "rb").read())
assert [t for t, x, b in p] == [6, 13, 2], [t for t, x, b in p]
open(d + "/ed25519.selfsig-first.pgp", "wb").write(p[0][1] + p[2][1] + p[1][1])
open(d + "/ed25519.bare.pgp", "wb").write(p[0][1])
open(d + "/ed25519.lone-copy-first.pgp", "wb").write(p[0][1] + b"".join(x for t, x, b in p))
open(d + "/ed25519.uid-first.pgp", "wb").write(p[1][1] + p[0][1] + p[1][1] + p[2][1])
PY
add "binding-placement/self-signature-before-user-id" detached gpg/ed25519.sig gpg/data.txt \
	gpg/ed25519.selfsig-first.pgp bad "the only self-signature before the user ID it certifies"
add "certs/user-id-before-key" detached gpg/ed25519.sig gpg/data.txt gpg/ed25519.uid-first.pgp good \
	"a stray copy of the user ID packet before the certificate"
add "certs/lone-key-copy-first" detached gpg/ed25519.sig gpg/data.txt gpg/ed25519.lone-copy-first.pgp good \
	"a copy of the primary key packet alone before the whole certificate"
add "certs/bare-primary-key" detached gpg/ed25519.sig gpg/data.txt gpg/ed25519.bare.pgp bad \
	"the certificate's primary key packet alone, without user ID or self-signature"
for where in after-user-id after-primary-key after-another-subkey before-its-certificate \
		in-another-certificate; do
	add "revocation-placement/subkey-$where" detached gpg/subdup.sig gpg/data.txt \
		"gpg/subdup.rev-$where.pgp" bad "the signing subkey's revocation $where"
done
add "revocation-placement/user-id-after-primary-key" detached gpg/uidrev.late.sig gpg/data.txt \
	gpg/uidrev.rev-first.pgp bad "uid-revoked/sig-after-expiration with the user ID's revocation first"

# --- several signatures, some invalid ----------------------------------------
g $T1 -u "$(uid p384)" -o "$dir/p384.tampered.sig" --detach-sign "$dir/data-tampered.txt"
cat "$dir/rsa2048.sig" "$dir/p384.tampered.sig" "$dir/ed25519.sig" >"$dir/multi.sig"
add "multi/two-of-three-valid" detached gpg/multi.sig gpg/data.txt \
	"gpg/rsa2048.cert.asc gpg/p384.cert.asc gpg/ed25519.cert.asc" good
add "multi/one-cert-known" detached gpg/multi.sig gpg/data.txt gpg/ed25519.cert.pgp good
add "multi/only-invalid-one-known" detached gpg/multi.sig gpg/data.txt gpg/p384.cert.asc bad
g $T1 -u "$(uid rsa3072)" -u "$(uid p521)" -o "$dir/multi.inline.asc" -a --sign "$dir/data.txt"
add "multi/inline-two-signers" inline gpg/multi.inline.asc - "gpg/rsa3072.cert.asc gpg/p521.cert.asc" good
add "multi/inline-one-signer-known" inline gpg/multi.inline.asc - gpg/p521.cert.asc good
# One-pass signature packets that do not parse (RFC 9580 §5.2.5: the
# signature they announce does not count; the other signer's still does):
# gpg's uncompressed two-signer message with the first one-pass signature
# cut short (no nested flag), or of an unknown version 5.
g $T1 -u "$(uid rsa3072)" -u "$(uid p521)" -z 0 -o "$dir/multi-plain.gpg" --sign "$dir/data.txt"
pypkt python3 - "$dir/multi-plain.gpg" "$dir" <<'PY'
import sys
from pgppkt import packet, packets
pk = packets(open(sys.argv[1], "rb").read())
assert [t for t, _, _ in pk] == [4, 4, 11, 2, 2], [t for t, _, _ in pk]
rest = b"".join(w for _, w, _ in pk[1:])
ops = pk[0][2]
open(sys.argv[2] + "/ops-truncated.gpg", "wb").write(packet(4, ops[:-1]) + rest)
open(sys.argv[2] + "/ops-version5.gpg", "wb").write(packet(4, b"\5" + ops[1:]) + rest)
PY
add "malformed/inline-ops-truncated" inline gpg/ops-truncated.gpg - "gpg/rsa3072.cert.asc gpg/p521.cert.asc" \
	good "two signers, the first one-pass signature cut short: the other signature verifies"
add "malformed/inline-ops-version5" inline gpg/ops-version5.gpg - "gpg/rsa3072.cert.asc gpg/p521.cert.asc" \
	good "two signers, the first one-pass signature of version 5: the other signature verifies"
g $T1 -u "$(uid ed25519)" -u "$(uid p256)" -o "$dir/multi.clear.asc" --clearsign "$dir/data.txt"
add "multi/cleartext-two-signers" cleartext gpg/multi.clear.asc - "gpg/ed25519.cert.asc gpg/p256.cert.asc" good
cat "$dir/rsa2048.cert.pgp" "$dir/ed25519.cert.pgp" "$dir/p256.cert.pgp" >"$dir/keyring.pgp"
add "multi/keyring-file" detached gpg/multi.sig gpg/data.txt gpg/keyring.pgp good
# A transferable secret key given as CERTS (SOP: its public part counts)
g $T1 --export-secret-keys "$fpr_ed25519" >"$dir/ed25519.tsk.pgp"
add "certs/secret-key-as-certs" detached gpg/ed25519.sig gpg/data.txt gpg/ed25519.tsk.pgp good
# The same key with its unprotected secret part's checksum (the packet's
# last two octets) wrong: the public part is intact.
pypkt python3 - "$dir/ed25519.tsk.pgp" "$dir/ed25519.tsk-checksum.pgp" <<'PY'
import sys
from pgppkt import packet, packets
out = b""
for tag, whole, body in packets(open(sys.argv[1], "rb").read()):
    if tag == 5:
        # EdDSALegacy public part: 6 + OID 1+9 + MPI 2+33 octets, then
        # the S2K usage octet, 0 when unprotected
        assert body[16:18] == b"\x01\x07" and body[51] == 0, "not an unprotected Ed25519 key"
        whole = packet(5, body[:-1] + bytes([body[-1] ^ 1]))
    out += whole
open(sys.argv[2], "wb").write(out)
PY
add "certs/secret-key-checksum-wrong" detached gpg/ed25519.sig gpg/data.txt gpg/ed25519.tsk-checksum.pgp good \
	"the secret key's secret part has a wrong checksum; its public part is intact"

# --- message encodings: compression algorithms, partial body lengths
# (gpg streams stdin with partial lengths), CRLF armor, armor comments ------
for algo in none zip zlib bzip2; do
	g $T1 -u "$(uid p256)" --compress-algo $algo -o "$dir/compress-$algo.gpg" --sign "$dir/data.bin"
	add "encoding/inline-compress-$algo" inline "gpg/compress-$algo.gpg" - gpg/p256.cert.asc good
done
g $T1 -u "$(uid ed25519)" --compress-algo none --sign <"$dir/data.bin" >"$dir/partial.gpg"
add "encoding/inline-partial-lengths" inline gpg/partial.gpg - gpg/ed25519.cert.asc good
g $T1 -u "$(uid ed25519)" --compress-algo zlib --sign <"$dir/data.bin" >"$dir/partial-zlib.gpg"
add "encoding/inline-partial-lengths-zlib" inline gpg/partial-zlib.gpg - gpg/ed25519.cert.asc good
# gpg's ZLIB packet (a file argument: one definite length) re-framed with
# bytes after the end of the compressed stream, and without the stream's
# Adler-32 trailer
pypkt python3 - "$dir/compress-zlib.gpg" "$dir" <<'PY'
import sys
from pgppkt import packet, packets
(tag, _, body), = packets(open(sys.argv[1], "rb").read())
assert tag == 8 and body[0] == 2, "not a ZLIB packet"
open(sys.argv[2] + "/zlib-trailing.gpg", "wb").write(packet(8, body + b"trailing bytes"))
open(sys.argv[2] + "/zlib-no-adler.gpg", "wb").write(packet(8, body[:-4]))
PY
add "encoding/inline-zlib-trailing-bytes" inline gpg/zlib-trailing.gpg - gpg/p256.cert.asc bad \
	"bytes after the end of the compressed stream (every peer reads it: docs/pgp-differences.md, compressed-trailing-bytes)"
add "encoding/inline-zlib-no-adler32" inline gpg/zlib-no-adler.gpg - gpg/p256.cert.asc policy \
	"a ZLIB stream without its Adler-32 trailer"
# gpg's uncompressed signed message (one-pass signature, literal data,
# signature; definite lengths) with its literal packet re-framed in partial
# chunks: the first one of 512 bytes, the least RFC 9580 §4.2.1.4 allows,
# and of 256 bytes, which it does not
pypkt python3 - "$dir/compress-none.gpg" "$dir" <<'PY'
import sys
from pgppkt import packets
pk = packets(open(sys.argv[1], "rb").read())
assert [t for t, _, _ in pk] == [4, 11, 2], [t for t, _, _ in pk]
lit = pk[1][2]
def partial(first):	# chunks: first, then 4096 while they fit, then a final length
    out, pos, c = bytes([0xC0 | 11]), 0, first
    while len(lit) - pos > c:
        out += bytes([0xE0 | (c.bit_length() - 1)]) + lit[pos:pos + c]
        pos, c = pos + c, 4096
    rest = lit[pos:]
    return out + bytes([0xFF]) + len(rest).to_bytes(4, "big") + rest
for first in (512, 256):
    open("%s/partial-first-%d.gpg" % (sys.argv[2], first), "wb").write(pk[0][1] + partial(first) + pk[2][1])
PY
add "encoding/inline-partial-first-512" inline gpg/partial-first-512.gpg - gpg/p256.cert.asc good \
	"literal data in partial chunks, the first of 512 bytes"
add "encoding/inline-partial-first-256" inline gpg/partial-first-256.gpg - gpg/p256.cert.asc bad \
	"literal data in partial chunks, the first of 256 bytes (RFC 9580 4.2.1.4: at least 512)"
sed 's/$/\r/' "$dir/rsa3072.sig.asc" >"$dir/crlf.sig.asc"
add "encoding/detached-armor-crlf" detached gpg/crlf.sig.asc gpg/data.txt gpg/rsa3072.cert.asc good
sed 's/$/\r/' "$dir/p384.clear.asc" >"$dir/crlf.clear.asc"
add "encoding/cleartext-crlf" cleartext gpg/crlf.clear.asc - gpg/p384.cert.asc policy \
	"CRLF line endings throughout a cleartext message"
g $T1 -u "$(uid rsa2048)" -a --comment "fixture comment" --emit-version -o "$dir/comment.sig.asc" \
	--detach-sign "$dir/data.txt"
add "encoding/detached-armor-headers" detached gpg/comment.sig.asc gpg/data.txt gpg/rsa2048.cert.asc good
g $T1 -u "$(uid ed25519)" --digest-algo SHA384 -o "$dir/sha384.clear.asc" --clearsign "$dir/data.txt"
add "encoding/cleartext-sha384" cleartext gpg/sha384.clear.asc - gpg/ed25519.cert.asc good

# --- framing abuse around a valid signature: text outside a cleartext
# block, two blocks in one file, a Hash: header that lies, a wrong armor
# checksum, blanks after armor lines. Peers decide the verdict; the
# inline-verify body shows whether outside text leaks into the output.
c=$dir/ed25519.clear.asc
{ printf 'Text before the signed block\n\n'; cat "$c"; } >"$dir/abuse-prefix.clear.asc"
add "abuse/cleartext-text-before" cleartext gpg/abuse-prefix.clear.asc - gpg/ed25519.cert.asc policy
{ cat "$c"; printf 'Text after the signature block\n'; } >"$dir/abuse-suffix.clear.asc"
add "abuse/cleartext-text-after" cleartext gpg/abuse-suffix.clear.asc - gpg/ed25519.cert.asc policy
cat "$c" "$dir/p256.clear.asc" >"$dir/abuse-two.clear.asc"
add "abuse/cleartext-two-blocks" cleartext gpg/abuse-two.clear.asc - \
	"gpg/ed25519.cert.asc gpg/p256.cert.asc" policy
sed 's/^Hash: SHA512$/Hash: SHA256/; s/^Hash: SHA256$/Hash: SHA512/' "$dir/rsa2048.clear.asc" >"$dir/abuse-hash.clear.asc"
add "abuse/cleartext-hash-header-lies" cleartext gpg/abuse-hash.clear.asc - gpg/rsa2048.cert.asc policy
sed 's/^Hash: SHA256$/Hash: sha256/' "$c" >"$dir/abuse-hash-lower.clear.asc"
grep -q '^Hash: sha256$' "$dir/abuse-hash-lower.clear.asc"
add "abuse/cleartext-hash-header-lowercase" cleartext gpg/abuse-hash-lower.clear.asc - gpg/ed25519.cert.asc \
	policy "the Hash: header names the right hash in lower case"
awk '/^=/ && length($0) == 5 { $0 = "=AAAA" } { print }' "$dir/p521.sig.asc" >"$dir/abuse-crc.sig.asc"
add "abuse/detached-armor-bad-checksum" detached gpg/abuse-crc.sig.asc gpg/data.txt gpg/p521.cert.asc policy
sed 's/$/  /' "$dir/ed25519.sig.asc" >"$dir/abuse-blanks.sig.asc"
add "abuse/detached-armor-trailing-blanks" detached gpg/abuse-blanks.sig.asc gpg/data.txt gpg/ed25519.cert.asc policy
# a cleartext message whose signature is a binary one (0x00, gpg
# --detach-sign) over the signed text as RFC 9580 §7.2 makes it (CR LF line
# ends, no trailing blanks, no last line end): "as with binary signatures on
# text documents" (docs/pgp-differences.md sqop-cleartext-binary-signature)
printf 'Binary signature,\r\nclear text' >"$dir/ct-binary.txt"
g $T1 -u "$(uid ed25519)" --digest-algo SHA256 -a -o "$dir/ct-binary.sig.asc" --detach-sign "$dir/ct-binary.txt"
{ printf -- '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nBinary signature,\nclear text\n'
  cat "$dir/ct-binary.sig.asc"; } >"$dir/ct-binary.clear.asc"
add "cleartext/binary-signature" cleartext gpg/ct-binary.clear.asc - gpg/ed25519.cert.asc good \
	"a binary (0x00) signature over the cleartext's signed text"
# a dash-escaped line of blanks: any line may be dash-escaped (RFC 9580
# §7.2), and the escape comes off before the line's trailing blanks do
# (docs/pgp-differences.md opjs-escaped-blank-line)
printf 'Blanks below\n \t \nand above\n' >"$dir/ct-blanks.txt"
g $T1 -u "$(uid ed25519)" -o "$dir/ct-blanks.clear.asc" --clearsign "$dir/ct-blanks.txt"
sed 's/^ \t $/- &/' "$dir/ct-blanks.clear.asc" >"$dir/ct-escaped-blanks.clear.asc"
grep -q '^-  	 $' "$dir/ct-escaped-blanks.clear.asc"
add "cleartext/escaped-blank-line" cleartext gpg/ct-escaped-blanks.clear.asc - gpg/ed25519.cert.asc good \
	"a line of blanks, dash-escaped"
# lines of dashes only ("-", "--") left unescaped: RFC 9580 §7.2 escapes
# every line that starts with '-', gpg wrote "- -" and "- --", and the
# signature covers the unescaped text; malformed, so built to be bad, as no
# peer rejects it (docs/pgp-differences.md lenient-armor)
printf 'Dashes below\n-\n--\nand above\n' >"$dir/ct-dashes.txt"
g $T1 -u "$(uid ed25519)" -o "$dir/ct-dashes.clear.asc" --clearsign "$dir/ct-dashes.txt"
sed 's/^- \(--*\)$/\1/' "$dir/ct-dashes.clear.asc" >"$dir/abuse-dashes.clear.asc"
grep -qx -- '-' "$dir/abuse-dashes.clear.asc" && grep -qx -- '--' "$dir/abuse-dashes.clear.asc"
add "abuse/cleartext-dash-lines-unescaped" cleartext gpg/abuse-dashes.clear.asc - gpg/ed25519.cert.asc \
	bad "lines of one and two dashes in the signed text, not dash-escaped"
# ... and lines that start with a dash and go on with text ("-foo bar",
# "--x"): every peer reads them as text too
printf 'Dashed text below\n-foo bar\n--x\nand above\n' >"$dir/ct-dash-text.txt"
g $T1 -u "$(uid ed25519)" -o "$dir/ct-dash-text.clear.asc" --clearsign "$dir/ct-dash-text.txt"
sed 's/^- \(-.*\)$/\1/' "$dir/ct-dash-text.clear.asc" >"$dir/abuse-dash-text.clear.asc"
grep -qx -- '-foo bar' "$dir/abuse-dash-text.clear.asc" && grep -qx -- '--x' "$dir/abuse-dash-text.clear.asc"
add "abuse/cleartext-dash-text-unescaped" cleartext gpg/abuse-dash-text.clear.asc - gpg/ed25519.cert.asc \
	bad "lines starting with a dash and text, not dash-escaped"
# a cleartext message whose text is not UTF-8 (RFC 9580 §7 signs octets)
printf 'Latin-1: caf\xe9\n\xff\xfe\n' >"$dir/ct-latin1.txt"
g $T1 -u "$(uid ed25519)" -o "$dir/ct-latin1.clear.asc" --clearsign "$dir/ct-latin1.txt"
add "cleartext/not-utf8" cleartext gpg/ct-latin1.clear.asc - gpg/ed25519.cert.asc good \
	"cleartext whose text is Latin-1, not UTF-8"
# the cleartext headers are "Hash" headers only (RFC 9580 §7.1); another
# armor header there (docs/pgp-differences.md cleartext-other-header), and
# a Hash: header with a blank after its value
sed 's/^Hash: SHA256$/&\nComment: fixture/' "$c" >"$dir/abuse-comment.clear.asc"
grep -q '^Comment: fixture$' "$dir/abuse-comment.clear.asc"
add "abuse/cleartext-comment-header" cleartext gpg/abuse-comment.clear.asc - gpg/ed25519.cert.asc policy \
	"a Comment: header among the cleartext headers"
sed 's/^Hash: SHA256$/& /' "$c" >"$dir/abuse-hash-blank.clear.asc"
grep -q '^Hash: SHA256 $' "$dir/abuse-hash-blank.clear.asc"
add "abuse/cleartext-hash-header-blank" cleartext gpg/abuse-hash-blank.clear.asc - gpg/ed25519.cert.asc policy \
	"a blank after the Hash: header's value"
# a v4 cleartext message without its Hash: header (RFC 9580 §7: v4 needs one;
# RFC 4880 reads no header as MD5), and an armor header with an empty value
# ("Comment: ", key, colon and space, RFC 9580 §6.2.2)
sed '/^Hash: /d' "$dir/p256.clear.asc" >"$dir/abuse-nohash.clear.asc"
add "abuse/cleartext-no-hash-header" cleartext gpg/abuse-nohash.clear.asc - gpg/p256.cert.asc bad \
	"v4 signature, no Hash: header"
sed '1a Comment: ' "$dir/ed25519.sig.asc" >"$dir/empty-header.sig.asc"
add "encoding/detached-armor-empty-header-value" detached gpg/empty-header.sig.asc gpg/data.txt \
	gpg/ed25519.cert.asc good
# Whitespace in the armor body, which base64 decoding must ignore (RFC 9580
# §6): blanks and a tab before the lines, blanks inside them, a blank before
# the checksum line, a blank between every character of one line, and a
# signature block of a cleartext message indented the same way. The BEGIN
# and END lines stay at the start of their line (RFC 9580 §6.2).
s=$dir/rsa4096.sig.asc
awk '!/^-----/ && NF { $0 = "  " $0 } { print }' "$s" >"$dir/ws-indent.sig.asc"
add "encoding/detached-armor-indented-body" detached gpg/ws-indent.sig.asc gpg/data.txt \
	gpg/rsa4096.cert.asc good
awk '!/^-----/ && !/^=/ && length($0) > 40 { $0 = "\t" substr($0, 1, 20) " " substr($0, 21, 20) "\t " substr($0, 41) } { print }' \
	"$s" >"$dir/ws-inside.sig.asc"
add "encoding/detached-armor-blanks-inside-lines" detached gpg/ws-inside.sig.asc gpg/data.txt \
	gpg/rsa4096.cert.asc good
awk 'BEGIN { n = 0 } !/^-----/ && length($0) > 40 && n++ == 1 { gsub(/./, "& ") } { print }' \
	"$s" >"$dir/ws-spread.sig.asc"
add "encoding/detached-armor-spread-line" detached gpg/ws-spread.sig.asc gpg/data.txt \
	gpg/rsa4096.cert.asc good
awk 'sig && !/^-----/ && NF { $0 = " " $0 } /^-----BEGIN PGP SIGNATURE-----/ { sig = 1 } { print }' \
	"$dir/ed25519.clear.asc" >"$dir/ws-indent.clear.asc"
add "encoding/cleartext-indented-signature-body" cleartext gpg/ws-indent.clear.asc - \
	gpg/ed25519.cert.asc good
# The checksum line (RFC 9580 §6.1: a missing, malformed or wrong checksum
# MUST NOT reject the object): on the line of the last data, after padding
# ("...Cg===JqL8") and after a full quad, in a signature file and in a
# cleartext message; with text after it; and with the END line glued to it,
# which then does not start its line (§6.2).
glue_crc() { awk '/^=/ && length($0) == 5 && held { print h $0; held = 0; next }
	{ if (held) print h; h = $0; held = 1 } END { if (held) print h }' "$1"; }
# armored_sig NAME pad|full OUT: an armored detached signature by NAME whose
# last data line ends in padding (pad) or in a full quad (full); made again,
# a second later each time, until it does (the length decides).
armored_sig() {
	local i
	for i in $(seq 0 40); do
		g $((T1 + i)) -u "$(uid "$1")" -a -o "$3" --detach-sign "$dir/data.txt"
		awk -v want="$2" '/^=/ && length($0) == 5 { exit !((last ~ /=$/) == (want == "pad")) }
			{ last = $0 }' "$3" && return 0
	done
	echo "gen-gpg.sh: no $2 armored signature by $1 in 41 tries" >&2
	exit 1
}
armored_sig ed25519 pad "$dir/crc-src-pad.sig.asc"
glue_crc "$dir/crc-src-pad.sig.asc" >"$dir/crc-glued-pad.sig.asc"
add "encoding/detached-armor-checksum-after-padding" detached gpg/crc-glued-pad.sig.asc gpg/data.txt \
	gpg/ed25519.cert.asc good "the checksum on the last data line, after its padding"
# The same signature with the padding of its last quad left off (RFC 9580
# §6 takes base64 from RFC 4648, whose §3.2 requires it).
awk '{ if (held) { if ($0 ~ /^=/ && length($0) == 5) sub(/=+$/, "", h); print h } h = $0; held = 1 }
	END { if (held) print h }' "$dir/crc-src-pad.sig.asc" >"$dir/no-pad.sig.asc"
! cmp -s "$dir/crc-src-pad.sig.asc" "$dir/no-pad.sig.asc"
add "encoding/detached-armor-no-padding" detached gpg/no-pad.sig.asc gpg/data.txt \
	gpg/ed25519.cert.asc policy "the base64 padding of the last quad left off"
armored_sig p384 full "$dir/crc-src-full.sig.asc"
glue_crc "$dir/crc-src-full.sig.asc" >"$dir/crc-glued.sig.asc"
add "encoding/detached-armor-checksum-after-full-quad" detached gpg/crc-glued.sig.asc gpg/data.txt \
	gpg/p384.cert.asc good "the checksum on the last data line, which needs no padding"
glue_crc "$dir/ed25519.clear.asc" >"$dir/crc-glued.clear.asc"
add "encoding/cleartext-checksum-on-data-line" cleartext gpg/crc-glued.clear.asc - gpg/ed25519.cert.asc good
awk '/^=/ && length($0) == 5 { $0 = $0 "-" } { print }' "$dir/ed25519.sig.asc" >"$dir/crc-text-after.sig.asc"
add "abuse/detached-armor-checksum-text-after" detached gpg/crc-text-after.sig.asc gpg/data.txt \
	gpg/ed25519.cert.asc good "a '-' after the checksum: a malformed footer"
sed 's|^-----BEGIN PGP SIGNATURE-----$|-----BEGIN PGP SIGNATURE---/-|' "$dir/ed25519.clear.asc" \
	>"$dir/begin-mangled.clear.asc"
add "abuse/cleartext-signature-begin-mangled" cleartext gpg/begin-mangled.clear.asc - \
	gpg/ed25519.cert.asc policy "the signature block's BEGIN line ends in '---/-'"
awk '/^=/ && length($0) == 5 { getline e; print $0 e; next } { print }' "$dir/ed25519.sig.asc" \
	>"$dir/crc-end-glued.sig.asc"
add "abuse/detached-armor-end-after-checksum" detached gpg/crc-end-glued.sig.asc gpg/data.txt \
	gpg/ed25519.cert.asc policy "the END line glued to the checksum: no END line of its own"

# --- carriage returns in text-mode data: RFC 9580 §5.2.1.2 converts "line
# endings" to CRLF and does not say whether a lone CR is one. digestguard
# hashes a lone CR as data, as gpg and openpgp.js do; Sequoia makes it a line
# ending; gpg drops the CRs that end a line (docs/pgp-differences.md,
# text-lone-cr and gpgv-strips-line-end-cr). --------------------------------
printf 'one\rtwo\r\nthree\n' >"$dir/cr-inside.txt"
printf 'one\r\r\ntwo\n' >"$dir/cr-before-lf.txt"
printf 'one\ntwo\r' >"$dir/cr-at-end.txt"
for f in cr-inside cr-before-lf cr-at-end; do
	g $T1 -u "$(uid ed25519)" --textmode -o "$dir/$f.text.sig" --detach-sign "$dir/$f.txt"
	add "text-cr/$f-detached" detached "gpg/$f.text.sig" "gpg/$f.txt" gpg/ed25519.cert.asc policy \
		"text-mode signature over data with carriage returns"
done
g $T1 -u "$(uid ed25519)" -o "$dir/cr-inside.clear.asc" --clearsign "$dir/cr-inside.txt"
add "text-cr/cr-inside-cleartext" cleartext gpg/cr-inside.clear.asc - gpg/ed25519.cert.asc policy \
	"cleartext message with a CR inside a line"
# gpg's cleartext messages of a line that ends in CR CR LF, and of one that
# ends in CR, a blank and LF: gpg strips CRs with the trailing blanks;
# digestguard strips blanks and tabs only (RFC 9580 §7.2) and keeps a CR
# that ends no line as data (docs/pgp-differences.md cleartext-line-end-cr)
printf 'one\r \ntwo\n' >"$dir/cr-blank-end.txt"
for f in cr-before-lf cr-blank-end; do
	g $T1 -u "$(uid ed25519)" -o "$dir/$f.clear.asc" --clearsign "$dir/$f.txt"
	add "text-cr/$f-cleartext" cleartext "gpg/$f.clear.asc" - gpg/ed25519.cert.asc bad \
		"gpg signed the line without its CR, which RFC 9580 §7.2 keeps (only blanks and tabs go)"
done

# --- a certificate whose primary key is on a curve digestguard does not take
# (brainpoolP384r1), signing with an Ed25519 subkey: the subkey cannot be
# bound without the primary key, so the certificate is skipped ---------------
key bpool brainpoolP384r1 sign,cert never
g $T0 --quick-add-key "$fpr_bpool" ed25519 sign never
export_cert bpool
bpsub=$(gpg --batch --with-colons --list-keys "$fpr_bpool" | awk -F: '/^sub/ {s = 1} s && /^fpr/ {print $10; exit}')
g $T1 -u "$bpsub!" -o "$dir/bpool.sig" --detach-sign "$dir/data.txt"
add "unsupported-curve/brainpool-primary" detached gpg/bpool.sig gpg/data.txt gpg/bpool.cert.asc policy \
	"signing subkey of a certificate whose primary key is on brainpoolP384r1"

# --- the unhashed subpacket area, which anyone can change without breaking
# the signature: a zero-length subpacket (malformed), an unknown critical
# subpacket, a foreign issuer key ID before the real one, and a creation time
# of 1970 there (only the hashed one counts: the verifications must show it)
pypkt python3 - "$dir/ed25519.sig" "$dir" <<'PY'
import struct, sys
from pgppkt import packet, packets
(tag, _, body), = packets(open(sys.argv[1], "rb").read())
assert tag == 2 and body[0] == 4, "not a v4 signature"
o = 6 + int.from_bytes(body[4:6], "big")
ul = int.from_bytes(body[o:o + 2], "big")
pre, un, rest = body[:o], body[o + 2:o + 2 + ul], body[o + 2 + ul:]
for name, new in (("zero-length", un + b"\0"),
                  ("unknown-critical", un + bytes([2, 0x80 | 99, 0])),
                  ("foreign-issuer-first", bytes([9, 16]) + bytes(8) + un),
                  ("creation-time", un + bytes([5, 2]) + struct.pack(">I", 1000)),
                  ("short-notation", un + bytes([9, 20, 0x80, 0, 0, 0, 0, 5, 0, 5]))):
    nb = pre + len(new).to_bytes(2, "big") + new + rest
    open("%s/unhashed-%s.sig" % (sys.argv[2], name), "wb").write(packet(2, nb))
PY
add "unhashed/zero-length-subpacket" detached gpg/unhashed-zero-length.sig gpg/data.txt gpg/ed25519.cert.asc policy \
	"a subpacket of length 0 (no type octet) in the unhashed area"
add "unhashed/unknown-critical-subpacket" detached gpg/unhashed-unknown-critical.sig gpg/data.txt \
	gpg/ed25519.cert.asc policy "a critical subpacket of unknown type 99 in the unhashed area"
add "unhashed/foreign-issuer-first" detached gpg/unhashed-foreign-issuer-first.sig gpg/data.txt \
	gpg/ed25519.cert.asc good "an issuer key ID of zeros before the real one, unhashed"
add "unhashed/short-notation" detached gpg/unhashed-short-notation.sig gpg/data.txt gpg/ed25519.cert.asc policy \
	"a notation in the unhashed area whose name and value lengths (5, 5) run past its 8 octets"
add "unhashed/creation-time" detached gpg/unhashed-creation-time.sig gpg/data.txt gpg/ed25519.cert.asc good \
	"a second creation time (1970) in the unhashed area: the hashed one counts"

# --- malformed signature packets (RFC 9580 §5.2.5: ignored, and they
# "MUST NOT halt processing on the packet stream or reject other
# signatures"): an unhashed area longer than the packet, signature MPIs cut
# short, an MPI of 65535 bits (past the packet, not over a size limit), a
# zero-length subpacket; each alone, before and after a good
# signature, and a hard revocation made malformed next to the certificate
# it no longer revokes.  Bytes after a signature's MPIs are not material
# (Sequoia and GnuPG ignore them): a signature and a hard revocation with
# two of them. ---------------------------------------------------------------
gpg --batch --dearmor <"$dir/revhard.unrevoked.asc" >"$dir/revhard.unrevoked.pgp"
gpg --batch --dearmor <"$dir/revhard.rev.asc" >"$dir/revhard.rev.pgp"
# A key revocation certificate that landed inside another certificate's
# packets (after its self-signature), after or before the certificate it
# revokes: it still revokes.
cat "$dir/ed25519.cert.pgp" "$dir/revhard.rev.pgp" >"$dir/revhard.rev-in-other.pgp"
cat "$dir/revhard.unrevoked.pgp" "$dir/revhard.rev-in-other.pgp" >"$dir/revhard.rev-in-other-after.pgp"
cat "$dir/revhard.rev-in-other.pgp" "$dir/revhard.unrevoked.pgp" >"$dir/revhard.rev-in-other-before.pgp"
for where in after before; do
	add "revocation-placement/key-revocation-in-another-certificate-$where" detached \
		gpg/revhard.before.sig gpg/data.txt "gpg/revhard.rev-in-other-$where.pgp" bad \
		"the hard revocation inside the next certificate's packets, $where the one it revokes"
done
pypkt python3 - "$dir" <<'PY'
import sys
from pgppkt import packet, packets
d = sys.argv[1]

def sig_of(path):
    (tag, whole, body), = [p for p in packets(open(path, "rb").read()) if p[0] == 2]
    assert body[0] == 4, "not a v4 signature"
    return whole, body

def edit(body, how):
    uo = 6 + int.from_bytes(body[4:6], "big")
    ul = int.from_bytes(body[uo:uo + 2], "big")
    if how == "unhashed-overrun":
        return body[:uo] + (0xfff0).to_bytes(2, "big") + body[uo + 2:]
    if how == "zero-length-subpacket":
        return (body[:uo] + (ul + 1).to_bytes(2, "big") + body[uo + 2:uo + 2 + ul] + b"\0" +
                body[uo + 2 + ul:])
    if how == "mpi-truncated":
        return body[:-3]
    if how == "mpi-huge":
        mo = uo + 2 + ul + 2
        return body[:mo] + b"\xff\xff" + body[mo + 2:]
    assert how == "trailing-bytes"
    return body + b"\0\1"

good, body = sig_of(d + "/ed25519.sig")
for how in ("unhashed-overrun", "mpi-truncated", "mpi-huge", "zero-length-subpacket"):
    bad = packet(2, edit(body, how))
    for where, data in (("only", bad), ("first", bad + good), ("last", good + bad)):
        open("%s/malformed-%s.%s.sig" % (d, how, where), "wb").write(data)
open(d + "/trailing-bytes.sig", "wb").write(packet(2, edit(body, "trailing-bytes")))

def flip_left16(body):
    lo = 6 + int.from_bytes(body[4:6], "big")
    lo += 2 + int.from_bytes(body[lo:lo + 2], "big")
    return body[:lo] + bytes([body[lo] ^ 1]) + body[lo + 1:]

open(d + "/left16.sig", "wb").write(packet(2, flip_left16(body)))

def issuer_fpr_version(body, v):
    """The hashed issuer fingerprint subpacket's version octet set to v."""
    i = body.index(bytes([0x16, 0x21, 0x04]), 6)
    assert i < 6 + int.from_bytes(body[4:6], "big"), "not in the hashed area"
    return body[:i + 2] + bytes([v]) + body[i + 3:]

open(d + "/issuer-fpr-v6.sig", "wb").write(packet(2, issuer_fpr_version(body, 6)))
out = b""
for tag, whole, b in packets(open(d + "/ed25519.cert.pgp", "rb").read()):
    out += packet(2, issuer_fpr_version(b, 6)) if tag == 2 and 0x10 <= b[1] <= 0x13 else whole
open(d + "/ed25519.selfsig-fpr-v6.pgp", "wb").write(out)

out = b""
for tag, whole, b in packets(open(d + "/subkey.cert.pgp", "rb").read()):
    out += packet(2, flip_left16(b)) if tag == 2 and b[1] == 0x18 else whole
open(d + "/subkey.left16.pgp", "wb").write(out)
cert = open(d + "/revhard.unrevoked.pgp", "rb").read()
_, rev = sig_of(d + "/revhard.rev.pgp")
for how in ("unhashed-overrun", "trailing-bytes"):
    open("%s/revhard.rev-%s.pgp" % (d, how), "wb").write(cert + packet(2, edit(rev, how)))
PY
for how in unhashed-overrun mpi-truncated mpi-huge zero-length-subpacket; do
	add "malformed/$how-only" detached "gpg/malformed-$how.only.sig" gpg/data.txt gpg/ed25519.cert.asc bad \
		"the one signature is malformed ($how)"
	add "malformed/$how-first" detached "gpg/malformed-$how.first.sig" gpg/data.txt gpg/ed25519.cert.asc good \
		"a malformed signature ($how), then a good one"
	add "malformed/$how-last" detached "gpg/malformed-$how.last.sig" gpg/data.txt gpg/ed25519.cert.asc good \
		"a good signature, then a malformed one ($how)"
done
add "malformed/hard-revocation" detached gpg/revhard.before.sig gpg/data.txt \
	gpg/revhard.rev-unhashed-overrun.pgp good "the hard revocation is malformed: it revokes nothing"
# --- malformed key packets: a subkey that does not parse is one key not
# used, as RFC 9580 §5.2.5 rules for signatures (anyone can append a packet
# to a certificate: junk must not make a keyring stop verifying); a primary
# key that does not parse breaks the input, as for every peer.  The subkey
# is a copy of subkey.cert.pgp's, cut in its header or in its material;
# the signing subkey itself cut; a hard revocation after a malformed
# subkey, which still revokes. -------------------------------------------------
pypkt python3 - "$dir" <<'PY'
import sys
from pgppkt import packet, packets
d = sys.argv[1]
rd = lambda f: open("%s/%s" % (d, f), "rb").read()
ed, sk = rd("ed25519.cert.pgp"), rd("subkey.cert.pgp")
sub = [b for t, w, b in packets(sk) if t == 14][0]
assert sub[0] == 4 and len(sub) > 12
open(d + "/malkey.sub-header.pgp", "wb").write(ed + packet(14, sub[:3]))
open(d + "/malkey.sub-material.pgp", "wb").write(ed + packet(14, sub[:-3]))
open(d + "/malkey.signing-sub.pgp", "wb").write(
    b"".join(packet(14, b[:-3]) if t == 14 else w for t, w, b in packets(sk)))
open(d + "/malkey.sub-then-revocation.pgp", "wb").write(
    rd("revhard.unrevoked.pgp") + packet(14, sub[:-3]) + rd("revhard.rev.pgp"))
p256 = b"".join(packet(6, b[:-3]) if t == 6 else w for t, w, b in packets(rd("p256.cert.pgp")))
open(d + "/malkey.primary-first.pgp", "wb").write(p256 + ed)
(t, w, b), = packets(rd("ed25519.bin.sig"))
open(d + "/indeterminate.sig", "wb").write(bytes([0x80 | t << 2 | 3]) + b)
PY
# RFC 9580 §4.2.2 lets an old-format header say "to the end of the file";
# gpg refuses that on any packet but data packets, and so does digestguard.
add "abuse/indeterminate-length-signature" detached gpg/indeterminate.sig gpg/data.bin \
	gpg/ed25519.cert.asc policy "the signature packet in old format with an indeterminate length"
add "malformed-key/subkey-header-truncated" detached gpg/ed25519.bin.sig gpg/data.bin \
	gpg/malkey.sub-header.pgp good "a subkey packet cut after 3 octets appended to the certificate"
add "malformed-key/subkey-material-truncated" detached gpg/ed25519.bin.sig gpg/data.bin \
	gpg/malkey.sub-material.pgp good "a subkey packet whose MPI runs past it appended to the certificate"
add "malformed-key/signing-subkey-truncated" detached gpg/subkey.sig gpg/data.txt \
	gpg/malkey.signing-sub.pgp bad "the signing subkey's packet cut short: nothing it signed verifies"
add "malformed-key/revocation-after-malformed-subkey" detached gpg/revhard.before.sig gpg/data.txt \
	gpg/malkey.sub-then-revocation.pgp bad "a hard revocation after a malformed subkey still revokes"
add "malformed-key/primary-truncated-first" detached gpg/ed25519.bin.sig gpg/data.bin \
	gpg/malkey.primary-first.pgp bad "a keyring whose first certificate's primary key is cut short"
add "hashed-altered/issuer-fingerprint-version" detached gpg/issuer-fpr-v6.sig gpg/data.txt \
	gpg/ed25519.cert.asc bad "the hashed issuer fingerprint's version octet changed from 4 to 6"
add "hashed-altered/self-signature-issuer-fingerprint-version" detached gpg/ed25519.sig gpg/data.txt \
	gpg/ed25519.selfsig-fpr-v6.pgp bad "the same in the certificate's only self-signature"
add "left16/data-signature" detached gpg/left16.sig gpg/data.txt gpg/ed25519.cert.asc policy \
	"the two octets of the hash's left 16 bits do not match the hash"
add "left16/subkey-binding" detached gpg/subkey.sig gpg/data.txt gpg/subkey.left16.pgp policy \
	"the signing subkey's binding signature has left 16 bits that do not match its hash"
# A v4 signature whose first MPI with the top bit of its first octet set
# claims one bit less: the same octets, a bit count below the top bit.  The
# signature is made again (a second later each time: Ed25519's depends on
# it, ECDSA's is random) until one of its MPIs has that bit set.
for name in ed25519 p384; do
	rm -f "$dir/mpi-short-$name.sig"
	for i in $(seq 0 40); do
		g $((T1 + i)) -u "$(uid "$name")" -o "$dir/mpi-src-$name.sig" --detach-sign "$dir/data.txt"
		pypkt python3 - "$dir/mpi-src-$name.sig" "$dir/mpi-short-$name.sig" <<'PY' && break
import sys
from pgppkt import packet, packets
(tag, whole, body), = packets(open(sys.argv[1], "rb").read())
at = 6 + int.from_bytes(body[4:6], "big")
at += 2 + int.from_bytes(body[at:at + 2], "big") + 2
while at + 2 <= len(body):
    bits = int.from_bytes(body[at:at + 2], "big")
    if bits % 8 == 0 and body[at + 2] & 0x80:
        new = body[:at] + (bits - 1).to_bytes(2, "big") + body[at + 2:]
        open(sys.argv[2], "wb").write(packet(2, new))
        sys.exit(0)
    at += 2 + (bits + 7) // 8
sys.exit(1)
PY
	done
	[ -f "$dir/mpi-short-$name.sig" ] ||
		{ echo "gen-gpg.sh: no $name signature with an MPI's top bit set in 41 tries" >&2; exit 1; }
	add "mpi/v4-bit-count-short-$name" detached "gpg/mpi-short-$name.sig" gpg/data.txt "gpg/$name.cert.asc" \
		policy "a v4 signature MPI whose bit count is one below its top bit (same octets)"
done
add "trailing-bytes/detached" detached gpg/trailing-bytes.sig gpg/data.txt gpg/ed25519.cert.asc good \
	"two bytes after the signature's MPIs"
add "trailing-bytes/hard-revocation" detached gpg/revhard.before.sig gpg/data.txt \
	gpg/revhard.rev-trailing-bytes.pgp bad "two bytes after the hard revocation's MPIs: it still revokes"

# --- certificates whose self-signatures are made over SHA-1 (gpg's
# --cert-digest-algo SHA1), signing data over SHA-256: an RSA key (SHA-1
# self-signatures are accepted, docs/pgp-verify.md) and an EdDSA key (whose
# signatures need a hash of at least 256 bits, RFC 9580 §5.2.3.3) ----------
for spec in rsa3072:rsa3072 ed25519:ed25519; do
	name=sha1self-${spec%%:*}
	g $T0 --cert-digest-algo SHA1 --quick-gen-key "$name <$name@fixtures.digestguard.test>" "${spec#*:}" sign never
	export_cert "$name"
	g $T1 -u "$(uid "$name")" --digest-algo SHA256 -o "$dir/$name.sig" --detach-sign "$dir/data.txt"
done
add "sha1-self-signature/rsa" detached gpg/sha1self-rsa3072.sig gpg/data.txt gpg/sha1self-rsa3072.cert.asc good \
	"RSA certificate whose only self-signature is over SHA-1"
add "sha1-self-signature/eddsa" detached gpg/sha1self-ed25519.sig gpg/data.txt gpg/sha1self-ed25519.cert.asc bad \
	"EdDSA certificate whose only self-signature is over SHA-1 (shorter than the 256 bits EdDSA needs)"

# --- an RSA-1024 key (policy: at least 2048 bits) ----------------------------
key rsa1024 rsa1024 sign,cert never
g $T1 -u "$(uid rsa1024)" -o "$dir/rsa1024.sig" --detach-sign "$dir/data.txt"
add "weak-key/rsa1024" detached gpg/rsa1024.sig gpg/data.txt gpg/rsa1024.cert.asc bad \
	"RSA key of 1024 bits (policy: at least 2048)"

# --- SHA-1 data signature (weak hash: rejected by default policy) ------------
g $T1 -u "$(uid rsa2048)" --digest-algo SHA1 -o "$dir/sha1.sig" --detach-sign "$dir/data.txt"
add "sha1/detached" detached gpg/sha1.sig gpg/data.txt gpg/rsa2048.cert.asc bad \
	"SHA-1 data signatures are rejected by default"
g $T1 -u "$(uid rsa2048)" --digest-algo SHA512 -o "$dir/sha512.sig" --detach-sign "$dir/data.txt"
add "sha512/detached" detached gpg/sha512.sig gpg/data.txt gpg/rsa2048.cert.asc good

# --- the signature block of a cleartext message holds signatures (RFC 9580
# §7), as a detached signature file does (§10.4): gpg's cleartext message
# with another packet put into its signature block, after the signature
# (before it for the user ID): a literal data packet, a user ID, a packet
# of unknown critical type 30 (§4.3: rejects the input) and one of the
# non-critical type 60 (skipped).  digestguard took any packets there until
# this review (docs/pgp-differences.md sqop-cleartext-signature-block).
sed -n '/^-----BEGIN PGP SIGNATURE-----$/,$p' "$dir/ed25519.clear.asc" |
	gpg --batch --dearmor >"$dir/ct-shape.sig.pgp"
pypkt python3 - "$dir" <<'PY'
import base64, sys
from pgppkt import crc24, packet, packets
d = sys.argv[1]
text = open(d + "/ed25519.clear.asc").read()
head = text[:text.index("-----BEGIN PGP SIGNATURE-----\n")]
sig = open(d + "/ct-shape.sig.pgp", "rb").read()
assert [p[0] for p in packets(sig)] == [2], "not one signature packet"

def armored(b):
    s = base64.b64encode(b).decode()
    return ("-----BEGIN PGP SIGNATURE-----\n\n" +
            "".join(s[i:i + 64] + "\n" for i in range(0, len(s), 64)) +
            "=" + base64.b64encode(crc24(b).to_bytes(3, "big")).decode() +
            "\n-----END PGP SIGNATURE-----\n")

for name, data in (("literal-after-signature", sig + packet(11, b"b\0\0\0\0\0not signed\n")),
                   ("user-id-before-signature", packet(13, b"Stray <stray@fixtures.digestguard.test>") + sig),
                   ("critical-after-signature", sig + packet(30, b"abc")),
                   ("noncritical-after-signature", sig + packet(60, b"abc"))):
    open("%s/ct-shape-%s.clear.asc" % (d, name), "w").write(head + armored(data))
PY
for spec in literal-after-signature:bad user-id-before-signature:bad critical-after-signature:bad \
	noncritical-after-signature:good; do
	add "cleartext-shape/${spec%:*}" cleartext "gpg/ct-shape-${spec%:*}.clear.asc" - gpg/ed25519.cert.asc \
		"${spec#*:}" "gpg's cleartext message, its signature block holding one more packet"
done
