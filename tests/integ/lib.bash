# Shared helpers for integration scripts: TAP output, temp dirs, watchdogs.
# Source it; it sets -u, makes $T (removed at exit) and counts cases.
set -u
n=0 fails=0
T=$(mktemp -d /tmp/dg-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

ok()   { n=$((n + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check NAME COMMAND...: passes when COMMAND succeeds
check() { local name=$1; shift; local out; if out=$("$@" 2>&1); then ok "$name"; else nok "$name" "$(printf '%s' "$out" | tail -n 5)"; fi; }
done_testing() { echo "1..$n"; [ $fails -eq 0 ]; }
# run with a watchdog: wd SECONDS COMMAND...
wd() { local s=$1; shift; timeout --kill-after=5 "$s" "$@"; }
