#!/bin/sh
# Generate the OpenPGP inputs of tests/unit/test_pgp_verify.c with gpg, into
# OUT: keys (ed25519, RSA-2048, RSA-1024, ECDSA P-256, a certify-only primary
# with a signing subkey, one to revoke), detached/text/armored/cleartext/
# inline signatures, SHA-1 and expiring signatures, and hard and soft
# revocations with signatures before and after them.  Times are fixed
# (--faked-system-time), so every run makes the same kinds of objects.
#   gen-verify.sh OUT
# Exit 77 (the tests skip) when gpg is not installed; any other failure
# ends with the tail of gpg.log on stderr.
set -eu
out=$1
command -v gpg >/dev/null || { echo "gen-verify.sh: gpg not installed" >&2; exit 77; }
mkdir -p "$out"
cd "$out"
export GNUPGHOME="$out/gnupg" SOURCE_DATE_EPOCH=1700000000
rm -rf "$GNUPGHOME"
mkdir -m 700 "$GNUPGHOME"
# Stop the agent this GNUPGHOME starts (only ours), also on failure.
trap 'rc=$?
gpgconf --kill gpg-agent 2>/dev/null || true
if [ $rc != 0 ]; then
	echo "gen-verify.sh: failed (exit $rc); gpg.log ends:" >&2
	tail -n 5 gpg.log >&2 2>/dev/null || true
fi' EXIT
T=$SOURCE_DATE_EPOCH
S=$((T + 100))

g() {	# TIME gpg-args...
	t=$1
	shift
	gpg --batch --quiet --no-tty --faked-system-time "$t!" "$@" 2>>gpg.log
}

key() {	# NAME key-parameter-lines...
	name=$1
	shift
	{
		echo "%no-protection"
		printf '%s\n' "$@"
		echo "Name-Real: $name"
		echo "Name-Email: $name@example.org"
		echo "Expire-Date: 0"
	} | g "$T" --gen-key
	# primary fingerprint first, then the subkeys'
	gpg --with-colons --fingerprint --fingerprint "$name@example.org" 2>/dev/null |
		awk -F: '/^fpr/ {print $10}' >"$name.fprs"
	gpg --export "$name@example.org" >"$name.pub"
}

revoke() {	# NAME MENU-REASON TIME OUT
	fpr=$(head -n 1 "$1.fprs")
	printf 'y\n%s\nrevoked for a test\n\ny\n' "$2" |
		gpg --no-tty --faked-system-time "$3!" --command-fd 0 -a -o "$4.asc" \
			--gen-revoke "$fpr" >/dev/null 2>>gpg.log
	gpg --dearmor <"$4.asc" >"$4"
}

printf 'line one\nline two\n' >data.txt
printf 'line one\r\nline two\r\n' >data.crlf

key ed "Key-Type: eddsa" "Key-Curve: ed25519" "Key-Usage: sign,cert"
key rsa "Key-Type: RSA" "Key-Length: 2048" "Key-Usage: sign,cert"
key rsa1k "Key-Type: RSA" "Key-Length: 1024" "Key-Usage: sign,cert"
key p256 "Key-Type: ECDSA" "Key-Curve: nistp256" "Key-Usage: sign,cert"
key sub "Key-Type: eddsa" "Key-Curve: ed25519" "Key-Usage: cert" \
	"Subkey-Type: eddsa" "Subkey-Curve: ed25519" "Subkey-Usage: sign"
key rv "Key-Type: eddsa" "Key-Curve: ed25519" "Key-Usage: sign,cert"

for k in ed rsa rsa1k p256 sub; do
	g "$S" -u "$k@example.org" --detach-sign -o "$k.bin.sig" data.txt
done
g "$S" -u ed@example.org --textmode --detach-sign -o ed.txt.sig data.txt
g "$S" -u ed@example.org --armor --detach-sign -o ed.asc.sig data.txt
g "$S" -u ed@example.org --clearsign -o ed.clear.asc data.txt
g "$S" -u ed@example.org --sign -o ed.inline.gpg data.txt
g "$S" -u ed@example.org --armor --sign -o ed.inline.asc data.txt
g "$S" -u ed@example.org --compress-algo none --sign -o ed.plain.gpg data.txt
g "$S" -u rsa@example.org --digest-algo SHA1 --detach-sign -o rsa.sha1.sig data.txt
g "$S" -u ed@example.org --default-sig-expire 1d --detach-sign -o ed.sigexp.sig data.txt
# Several MiB, for streaming from a pipe and from a mapped file.
yes 'digestguard streams this line through the hash' | head -c 3145728 >big.bin
g "$S" -u ed@example.org --detach-sign -o big.sig big.bin
# The same data under a SHA-512 and a text-mode signature, and two copies
# changed in one byte (near the start, at the end): dg_pgp_prehash_fd().
g "$S" -u ed@example.org --digest-algo SHA512 --detach-sign -o big.sha512.sig big.bin
g "$S" -u ed@example.org --textmode --detach-sign -o big.txt.sig big.bin
{ printf 'X'; tail -c +2 big.bin; } >big.badhead
{ head -c 3145727 big.bin; printf 'X'; } >big.badtail
# Signed from a pipe: gpg writes the literal data with partial body lengths.
head -c 3000000 big.bin >big.head
g "$S" -u ed@example.org --compress-algo none --sign <big.head >ed.partial.gpg
# Two signatures in one file: one by a key the test keyring lacks.
cat ed.bin.sig rsa.bin.sig >two.sig
# Made before the key existed (gpg needs to be told to allow the time warp).
g $((T - 1000)) --ignore-time-conflict -u ed@example.org --detach-sign -o ed.early.sig data.txt

# Revocations: menu 1 = compromised (hard), 2 = superseded (soft).
g "$S" -u rv@example.org --detach-sign -o rv.before.sig data.txt
g $((T + 300)) -u rv@example.org --detach-sign -o rv.after.sig data.txt
revoke rv 2 $((T + 200)) rv.soft.rev
revoke rv 1 $((T + 200)) rv.hard.rev
cat rv.pub rv.soft.rev >rv.soft.pub
cat rv.pub rv.hard.rev >rv.hard.pub
# The hard revocation apart from the certificate: its own armor block after
# the key's (gpg --gen-revoke writes one), and an old copy of the
# certificate next to the revoked one.  (rv.pub and rv.hard.rev as separate
# files, in either order, come from the test.)
gpg --armor --export rv@example.org >rv.pub.asc 2>>gpg.log
cat rv.pub.asc rv.hard.rev.asc >rv.hard.blocks.asc
cat rv.pub rv.hard.pub >rv.dup.gpg

# A revoked primary user ID: its older self-signature (no expiration) must
# not outlive the expiration that a later self-signature puts on the user ID
# that is left.  ur.late.sig is made first, at a time after that
# expiration; ur.early.sig before it.
key ur "Key-Type: eddsa" "Key-Curve: ed25519" "Key-Usage: sign,cert"
urf=$(head -n 1 ur.fprs)
g $((T + 10)) --quick-add-uid "$urf" "ur2 <ur2@example.org>"
g $((T + 20)) --quick-set-primary-uid "$urf" "ur <ur@example.org>"
g $((T + 200000)) -u "$urf" --detach-sign -o ur.late.sig data.txt
g $((T + 30)) --quick-revoke-uid "$urf" "ur <ur@example.org>"
g $((T + 40)) --quick-set-expire "$urf" 1d
g $((T + 100)) -u "$urf" --detach-sign -o ur.early.sig data.txt
gpg --export "$urf" >ur.pub 2>>gpg.log

# Keyrings with several certificates, binary and armored.
cat ed.pub rsa.pub p256.pub sub.pub >ring.gpg
for k in ed rsa p256 sub; do gpg --armor --export "$k@example.org"; done >ring.asc 2>/dev/null
echo done >ok
