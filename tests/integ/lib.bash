# Shared helpers for integration scripts: TAP output, temp dirs, watchdogs.
# Source it; it sets -u, makes $T (removed at exit) and counts cases.
set -u
n=0 fails=0
# tests/run.sh sets SRC, BUILD and DG; a script run by itself
# (bash tests/integ/cli.sh) gets the same defaults as bpf.sh or deb_cli.sh
# spell out: this checkout and its build/.
SRC=${SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$SRC/build}
DG=${DG:-$BUILD/src/cli/digestguard}
[ -x "$DG" ] || echo "# DG=$DG is not an executable: build first (make build) or set DG" >&2
# Third-party corpora, found as tests/run.sh finds them.
if [ -z "${DG_CORPORA:-}" ]; then
	for c in "$SRC/../shared/corpora" /work/shared/corpora; do
		[ -d "$c" ] && { DG_CORPORA=$(cd "$c" && pwd); break; }
	done
fi
export SRC BUILD DG DG_CORPORA=${DG_CORPORA:-}
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
# wait_for SECONDS COMMAND...: run COMMAND every 20 ms until it succeeds
# (0), or until SECONDS of wall time have passed (1).  For a condition
# that comes in its own time: a bound in time, not in tries, so that it
# does not shrink when the machine is busy; generous, as it only costs
# time when the condition never comes (a failing case).
wait_for() {
	local end=$(( ${EPOCHREALTIME//[.,]/} + $1 * 1000000 )); shift
	until "$@"; do
		[ "${EPOCHREALTIME//[.,]/}" -lt "$end" ] || return 1
		sleep 0.02
	done
}
# in_build NAME OBJECT [COMMAND] ARG...: run `$DG OBJECT [COMMAND] ARG...`
# (e.g. --help); 0 when it works.  A build without OBJECT (or COMMAND)
# says so, as main.c does ("unknown object", "unknown command"): a skip
# named NAME; any other failure (a crash, a hang, no binary) is a failure.
# Either way the script should then stop (1).
in_build() {
	local name=$1 obj=$2 rc first; shift 2
	wd 10 "$DG" "$obj" "$@" >"$T/in_build.out" 2>&1; rc=$?
	[ $rc = 0 ] && return 0
	first=$(head -n 1 "$T/in_build.out")
	if [ $rc = 2 ] && [ "$first" = "digestguard: unknown object '$obj'" ]; then
		skip "$name" "digestguard $obj is not in this build: $first"
	elif [ $rc = 2 ] && [ "$first" = "digestguard $obj: unknown command '${1:-}'" ]; then
		skip "$name" "digestguard $obj $1 is not in this build: $first"
	else
		mapfile -t why < <(head -n 5 "$T/in_build.out")
		nok "${name}_runs" "digestguard $obj $* exit $rc" "${why[@]}"
	fi
	return 1
}
# deb_fixtures NAME: generate tests/data/deb/gen.sh's repository into
# $BUILD/deb-fixtures (cached there), path in $fx; 0 when it is there.  A
# missing tool (exit 77) is a skip named NAME, any other failure a failure.
deb_fixtures() {
	local rc
	fx=$BUILD/deb-fixtures
	wd 120 bash "$SRC/tests/data/deb/gen.sh" "$fx" >"$T/gen.log" 2>&1; rc=$?
	[ $rc = 0 ] && return 0
	if [ $rc = 77 ]; then
		skip "$1" "fixtures not generated: $(tail -n 1 "$T/gen.log")"
	else
		mapfile -t why < <(tail -n 5 "$T/gen.log")
		nok "${1}_generated" "gen.sh exit $rc" "${why[@]}"
	fi
	return 1
}
# bad_inputs: $T/nosuch (not there), $T/adir (a directory), $T/empty and
# $T/garbage (bytes of no format), for bad_input.
bad_inputs() {
	mkdir -p "$T/adir"; : >"$T/empty"
	python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 131 + 7) % 251 for i in range(3000)))' >"$T/garbage"
}
# bad_input NAME "RC-NOSUCH RC-DIR RC-EMPTY RC-GARBAGE" PREFIX ARG...: run
# with @F as each of the four inputs; a line of stderr must hold PREFIX and
# the input's name, or a line of stdout begin with it (a verdict, or
# "F: 0 digests" before the refusal to commit nothing).
bad_input() {
	local name=$1 prefix=$3 f kind rc a i=0 w want
	read -r -a want <<< "$2"
	shift 3
	for kind in nosuch adir empty garbage; do
		f=$T/$kind w=${want[$i]}; i=$((i + 1))
		local args=()
		for a in "$@"; do args+=("${a//@F/$f}"); done
		wd 30 "$DG" "${args[@]}" </dev/null >"$T/out" 2>"$T/err"; rc=$?
		if [ "$rc" = "$w" ] && { grep -F -- "$f" "$T/err" | grep -qF -- "$prefix" ||
			grep -qF -- "$f: " "$T/out" || { [ "$w" = 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]; }; }; then
			ok "${name}_${kind}_exit_${w}_names_it"
		else
			nok "${name}_${kind}_exit_${w}_names_it" "rc=$rc $(head -n 2 "$T/err")"
		fi
	done
}
