#!/usr/bin/env bash
# src/handlers/rpm/rpm_tagtypes.h, the rpm handler's table of rpm's tag
# types, is generated from rpm (gen-tagtypes.py, `rpm -v --querytags`):
# regenerated with the installed rpm, it must be the committed file.  The
# table is rpm 4.18's (Debian 12, the differential peer); another rpm
# version is a skip with the reason, not a failure.
. "$(dirname "$0")/lib.bash"

gen=$SRC/src/handlers/rpm/gen-tagtypes.py
table=$SRC/src/handlers/rpm/rpm_tagtypes.h
if ! command -v rpm >/dev/null || ! command -v python3 >/dev/null; then
	skip "rpm_tagtypes_match_installed_rpm" "rpm or python3 not installed (Debian packages rpm, python3)"
	done_testing; exit
fi
want=$(sed -n 's/^#define RPM_TAGTYPES_FROM "\(.*\)"$/\1/p' "$table")
have=$(LC_ALL=C rpm --version)
if [ "$have" != "$want" ]; then
	skip "rpm_tagtypes_match_installed_rpm" "table is from \"$want\", installed is \"$have\""
	done_testing; exit
fi
if python3 "$gen" "$T/tagtypes.h" 2>"$T/err" && cmp -s "$T/tagtypes.h" "$table"; then
	ok "rpm_tagtypes_match_installed_rpm"
else
	nok "rpm_tagtypes_match_installed_rpm" "$(cat "$T/err")" \
		"$(diff "$table" "$T/tagtypes.h" 2>&1 | head -20)" \
		"regenerate: python3 src/handlers/rpm/gen-tagtypes.py src/handlers/rpm/rpm_tagtypes.h"
fi
done_testing
