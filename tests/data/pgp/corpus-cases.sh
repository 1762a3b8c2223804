#!/usr/bin/env bash
# Print manifest lines (format: gen-fixtures.sh; absolute paths) for the
# third-party OpenPGP samples in CORPORA/pgp, used in place, never copied:
#   rfc9580/        RFC 9580 Appendix A: A.2 detached (A.1 key), A.6
#                   cleartext and A.7 inline (A.3 v6 cert)
#   rpgp-rfc9580/   one directory per key: csf.asc (cleartext) with cert.asc,
#                   or with tsk.asc where the directory ships no cert
#   gnupg/          samplemsgs/ and signed-messages/: each message is paired
#                   with the key files holding a key whose key ID matches one
#                   of its issuers, as `gpg --list-packets` and
#                   `gpg --show-keys` report them; detached signatures sign
#                   the directory's signed-data-*.txt
#
#   tests/data/pgp/corpus-cases.sh CORPORA_DIR
# Prints nothing for a part that is absent.
set -euo pipefail
pgp=${1:?usage: corpus-cases.sh CORPORA_DIR}/pgp
[ -d "$pgp" ] || exit 0
pgp=$(cd "$pgp" && pwd)
line() { printf '%s\t%s\t%s\t%s\t%s\t-\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:--}"; }

kind_of() {	# FILE: detached|inline|cleartext, from the armor line or first packet
	local head; head=$(head -c 40 "$1" | tr -d '\0')
	case $head in
	*"BEGIN PGP SIGNED MESSAGE"*) echo cleartext;;
	*"BEGIN PGP SIGNATURE"*) echo detached;;
	*"BEGIN PGP MESSAGE"*) echo inline;;
	*) if gpg --batch --list-packets "$1" 2>/dev/null | head -n 1 | grep -q 'tag=2 '; then
		echo detached; else echo inline; fi;;
	esac
}

r=$pgp/rfc9580
if [ -d "$r" ]; then
	line corpus/rfc9580/A.2-v4-ed25519legacy detached "$r/A.2-v4-ed25519legacy-sig.asc" \
		"$r/A.2-signed-data.txt" "$r/A.1-v4-ed25519legacy-key.asc"
	line corpus/rfc9580/A.6-v6-cleartext cleartext "$r/A.6-cleartext-signed-message.asc" - "$r/A.3-v6-cert.asc"
	line corpus/rfc9580/A.7-v6-inline inline "$r/A.7-inline-signed-message.asc" - "$r/A.3-v6-cert.asc"
	line corpus/rfc9580/A.6-wrong-cert cleartext "$r/A.6-cleartext-signed-message.asc" - \
		"$r/A.1-v4-ed25519legacy-key.asc"
fi

r=$pgp/rpgp-rfc9580
if [ -d "$r" ]; then
	for d in "$r"/*/; do
		d=${d%/}
		[ -f "$d/csf.asc" ] || continue
		cert=$d/cert.asc
		[ -f "$cert" ] || cert=$d/tsk.asc
		line "corpus/rpgp/${d##*/}/cleartext" cleartext "$d/csf.asc" - "$cert"
	done
fi

r=$pgp/gnupg
if [ -d "$r" ] && command -v gpg >/dev/null; then
	tmp=$(mktemp /tmp/dg-corpus-cases.XXXXXX)
	trap 'rm -f "$tmp"' EXIT
	# key ID -> key files
	declare -A files_of
	for k in "$r"/keys/*; do
		for id in $(gpg --batch --show-keys --with-colons "$k" 2>/dev/null |
			awk -F: '/^fpr/{print substr($10, length($10) - 15)}'); do
			files_of[$id]="${files_of[$id]:-} $k"
		done
	done
	for m in "$r"/samplemsgs/* "$r"/signed-messages/*; do
		case $m in *.txt) continue;; esac
		kind=$(kind_of "$m")
		data=-
		if [ "$kind" = detached ]; then
			data=$(ls "$(dirname "$m")"/signed-data-*.txt 2>/dev/null | head -n 1)
			[ -n "$data" ] || continue
		fi
		# gpg lists a cleartext message's signatures only from its block
		if [ "$kind" = cleartext ]; then
			sed -n '/^-----BEGIN PGP SIGNATURE-----/,/^-----END PGP SIGNATURE-----/p' "$m"
		else
			cat "$m"
		fi >"$tmp"
		ids=$(gpg --batch --list-packets "$tmp" 2>/dev/null |
			sed -n 's/.*keyid \([0-9A-F]\{16\}\).*/\1/p' | sort -u)
		certs=
		for id in $ids; do
			for k in ${files_of[$id]:-}; do
				case " $certs " in *" $k "*) ;; *) certs="${certs:+$certs }$k";; esac
			done
		done
		[ -n "$certs" ] || certs=$r/keys/pubdemo.asc
		rel=${m#"$r"/}
		# a single issuer whose key ID several key files claim (the forged
		# keyring): each file alone as well as all together
		set -- $certs
		if [ $# -gt 1 ] && [ "$(echo "$ids" | wc -w)" = 1 ]; then
			for k in "$@"; do line "corpus/gnupg/$rel@${k##*/}" "$kind" "$m" "$data" "$k"; done
		fi
		line "corpus/gnupg/$rel" "$kind" "$m" "$data" "$certs"
	done
	# a compressed message whose literal packet is about 4 GiB: sqop and
	# gpgv spend 12-16 s of CPU each decompressing it, so by default only
	# digestguard runs (note "huge"; PGP_DIFF_HUGE=1 runs sqop too). Its
	# signer (key ID E149B3889E4DA08C) is in none of the corpus's key files,
	# so no verifier can find a valid signature: intent "bad".
	[ -f "$r/4gb-packet.asc" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' corpus/gnupg/4gb-packet inline \
		"$r/4gb-packet.asc" - "$r/keys/rsa-rsa-sample-1.asc" bad "huge: 4 GiB literal packet after decompression"
fi
exit 0
