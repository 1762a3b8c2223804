#!/usr/bin/env bash
# Enforcer benchmark against fapolicyd (Debian 1.1.7), everything pinned to
# one CPU, ratios printed last:
#   - 20,000 execs of a small static binary on a marked tmpfs: overhead over
#     the unwatched baseline, ours vs fapolicyd's (target: ours <= 1/3);
#     then ours again with --log, which decides (and logs) every exec instead
#     of leaving repeated execs of the unchanged file to the kernel's allow
#     cache (docs/enforcer.md): our cost per event, for information;
#   - first exec of a 50 MiB binary: hashing rate (target: >= 1.5 GB/s);
#   - RSS with a 1 M-entry database vs fapolicyd with the same entries in its
#     trust file (target: <= 1/2), and start-up time to "listening".
#
# SAFETY: the bench mounts its own tmpfs and marks only that.  fapolicyd
# marks every mount of the types in its watch_fs, so it runs inside a
# private mount namespace (unshare -m) where that tmpfs is the only tmpfs
# (the namespace's copies of the others are unmounted, which affects no
# process outside it), with its config, database and run directories on
# ramfs in that namespace, allow_filesystem_mark=0 (a filesystem mark would
# reach other namespaces), permissive = 1, and is stopped by its PID.
# fapolicyd is not installed by `make deps`: its package enables a
# system-wide service.  The bench takes an installed one, else the copy
# `make check` unpacks from Debian's package into BUILD/peers/fapolicyd
# (never installed, never started as a service); FAPOLICYD=PATH names
# another.
#
#   bench/exec.sh [BUILD_DIR]   (root; N=20000 ENTRIES=1000000 ROUNDS=9 BENCH_CPU=0 FAPO_WAIT=900)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
DG=${DG:-$PWD/$BUILD/src/cli/digestguard}
N=${N:-20000}
ENTRIES=${ENTRIES:-1000000}
CPU=${BENCH_CPU:-0}
[ "$(id -u)" = 0 ] || { echo "bench/exec.sh: needs root (fanotify, mount)" >&2; exit 2; }
[ -x "$DG" ] || { echo "bench/exec.sh: build first: make build" >&2; exit 2; }

T=$(mktemp -d /tmp/dg-bench-exec.XXXXXX)
MNT=$T/mnt
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	mountpoint -q "$MNT" && umount -l "$MNT"
	mountpoint -q "$T/base" && umount -l "$T/base"
	rm -rf "$T"
}
trap cleanup EXIT
wd() { local s=$1; shift; timeout --kill-after=5 "$s" "$@"; }
pin() { taskset -c "$CPU" "$@"; }

mkdir -p "$MNT" "$T/base"
mount -t tmpfs -o size=1g dgbench "$MNT"
# Baseline: the same binary on an unwatched ramfs (neither enforcer watches
# ramfs), measured in alternation with the watched one, so that load from
# other processes hits both the same way.
mount -t ramfs dgbase "$T/base"
# The exec target: a static binary that does nothing.
printf 'int main(void) { return 0; }\n' > "$T/nop.c"
gcc -static -O2 -o "$MNT/nop" "$T/nop.c"
cp "$MNT/nop" "$T/base/nop"
# The driver: vfork+execve N times; prints wall seconds per exec, failures,
# and CPU seconds per exec (its own and its children's, user + system).
cat > "$T/execloop.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int n = atoi(argv[1]), i, bad = 0;
	char *args[] = { argv[2], NULL }, *env[] = { NULL };
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		int st;
		pid_t p = vfork();

		if (p == 0) {
			execve(argv[2], args, env);
			_exit(127);
		}
		if (p < 0 || waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	{
		struct rusage s, c;
		double cpu;

		getrusage(RUSAGE_SELF, &s);
		getrusage(RUSAGE_CHILDREN, &c);
		cpu = s.ru_utime.tv_sec + s.ru_stime.tv_sec + c.ru_utime.tv_sec + c.ru_stime.tv_sec +
		      (s.ru_utime.tv_usec + s.ru_stime.tv_usec + c.ru_utime.tv_usec +
		       c.ru_stime.tv_usec) / 1e6;
		printf("%.9f %d %.9f\n", ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9) / n,
		       bad, cpu / n);
	}
	return 0;
}
EOF
gcc -O2 -o "$T/execloop" "$T/execloop.c"
# "WALL CPU" in us per exec of $2, N=$1 (failures must be 0)
per_exec() {
	local w bad c
	read -r w bad c < <(pin timeout 600 "$T/execloop" "$1" "$2")
	[ "$bad" = 0 ] || { echo "bench/exec.sh: $bad of $1 execs of $2 failed" >&2; exit 1; }
	awk -v w="$w" -v c="$c" 'BEGIN { printf "%.2f %.2f\n", w * 1e6, c * 1e6 }'
}
HZ=$(getconf CLK_TCK)
# CPU time (user + system ticks) of the daemon processes given.
daemon_ticks() {
	local t=0 p
	for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
	echo "$t"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# Proportional set size: pages a forked worker shares with its supervisor
# count once, not twice.
pss_kb() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
priv_kb() { awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
ms_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }

echo "digestguard exec bench (pinned to CPU $CPU, $N execs), $(date -u +%FT%TZ)"
ROUNDS=${ROUNDS:-9}
# Medians of ROUNDS alternating runs, us/exec: "BASE_WALL WATCHED_WALL
# BASE_CPU WATCHED_CPU DAEMON_CPU OVERHEAD_CPU", the watched CPU including
# the daemon's (DPIDS).  CPU time is what the comparison rests on: on a
# loaded machine wall time mostly measures the scheduler.  OVERHEAD_CPU is
# the median of each round's watched minus its own baseline: this VM's exec
# cost drifts by tens of microseconds over seconds, and a pair run back to
# back drifts least.
median() { sort -g | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
# paired A... -- B...: A[i] - B[i], one a line
paired() { awk -v n="$ROUNDS" 'BEGIN { for (i = 1; i <= n; i++) print ARGV[i] - ARGV[i + n + 1] }' "$@"; }
alternate() {
	local r w c t0 t1 n=$((N / ROUNDS)) bw=() ww=() bc=() wc=() dc=()
	for r in $(seq "$ROUNDS"); do
		read -r w c < <(per_exec $n "$T/base/nop"); bw+=("$w"); bc+=("$c")
		t0=$(daemon_ticks "${DPIDS[@]}")
		read -r w c < <(per_exec $n "$MNT/nop")
		t1=$(daemon_ticks "${DPIDS[@]}")
		ww+=("$w")
		wc+=("$(awk -v c="$c" -v d=$((t1 - t0)) -v hz="$HZ" -v n=$n 'BEGIN { printf "%.2f", c + d / hz / n * 1e6 }')")
		dc+=("$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v n=$n 'BEGIN { printf "%.2f", d / hz / n * 1e6 }')")
	done
	echo "$(printf '%s\n' "${bw[@]}" | median) $(printf '%s\n' "${ww[@]}" | median)" \
	     "$(printf '%s\n' "${bc[@]}" | median) $(printf '%s\n' "${wc[@]}" | median)" \
	     "$(printf '%s\n' "${dc[@]}" | median) $(paired "${wc[@]}" -- "${bc[@]}" | median)"
}
NOP_SHA=$(sha256sum < "$MNT/nop" | cut -d' ' -f1)
NOP_SIZE=$(stat -c %s "$MNT/nop")

# Database / trust file with ENTRIES entries plus the exec target.
python3 - "$T" "$ENTRIES" "$MNT/nop" "$NOP_SIZE" "$NOP_SHA" <<'EOF'
import hashlib, sys
t, n, nop, size, sha = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
with open(t + "/big.sha256sum", "w") as a, open(t + "/big.trust", "w") as b:
    for i in range(n):
        h = hashlib.sha256(b"%d" % i).hexdigest()
        a.write("%s  /opt/bench/f%07d\n" % (h, i))
        b.write("/opt/bench/f%07d %d %s\n" % (i, 4096 + i, h))
    a.write("%s  %s\n" % (sha, nop))
    b.write("%s %s %s\n" % (nop, size, sha))
with open(t + "/small.sha256sum", "w") as a, open(t + "/small.trust", "w") as b:
    a.write("%s  %s\n" % (sha, nop))
    b.write("%s %s %s\n" % (nop, size, sha))
EOF
cp "$MNT/nop" "$T/nop50"
head -c $((50 << 20)) /dev/urandom >> "$T/nop50"
echo "$(sha256sum < "$T/nop50" | cut -d' ' -f1)  /nop50" >> "$T/small.sha256sum"
"$DG" db import --state "$T/state-small" --local "$T/small.sha256sum" >/dev/null
"$DG" db import --state "$T/state-big" --local "$T/big.sha256sum" >/dev/null

# Start our enforcer on the tmpfs; sets EPID, START_MS.
enf_start() {
	local t0
	: > "$T/enf.out"
	t0=$(date +%s%N)
	local st=$1; shift
	# taskset execs timeout, which execs digestguard: $! is timeout's pid,
	# and timeout passes SIGTERM on (a shell function here would not).
	taskset -c "${ENF_CPUS:-$CPU}" timeout --kill-after=5 900 "$DG" enforce --state "$st" --mark "$MNT" "$@" \
		> "$T/enf.out" 2> "$T/enf.err" &
	EPID=$!
	PIDS+=("$EPID")
	for _ in $(seq 600); do grep -qx ready "$T/enf.out" && break; sleep 0.01; done
	grep -qx ready "$T/enf.out" || { cat "$T/enf.err" >&2; exit 1; }
	START_MS=$(ms_since "$t0")
}
enf_stop() { kill -TERM "$EPID"; wait "$EPID" || true; PIDS=("${PIDS[@]/$EPID}"); }
enf_rss() {
	local w kb
	w=$(sed -n 's/^digestguard enforce: worker \([0-9]*\) started$/\1/p' "$T/enf.err" | tail -n 1)
	# timeout -> supervisor -> worker
	local sup
	sup=$(ps -o pid= --ppid "$EPID" | head -n 1 | tr -d ' ')
	kb=$(( $(rss_kb "$sup") + $(rss_kb "$w") ))
	# Resident pages counted once: the worker's, plus those only the
	# supervisor has (it forked the worker, so the rest are the same pages).
	# PSS would also divide pages shared with unrelated processes.
	echo "$kb $(( $(pss_kb "$sup") + $(pss_kb "$w") )) $(( $(rss_kb "$w") + $(priv_kb "$sup") ))"
}

per_exec 2000 "$T/base/nop" >/dev/null	# warm up
enf_start "$T/state-small"
per_exec 1000 "$MNT/nop" >/dev/null
SUP=$(ps -o pid= --ppid "$EPID" | head -n 1 | tr -d ' ')
DPIDS=("$SUP" $(ps -o pid= --ppid "$SUP"))	# supervisor, worker
read -r BASE OURS BASE_CPU OURS_CPU OURS_DAEMON OURS_OVER < <(alternate)
echo "baseline (unwatched):      $BASE us/exec wall, $BASE_CPU us CPU"
echo "digestguard enforce:       $OURS us/exec wall, $OURS_CPU us CPU incl. enforcer (medians of $ROUNDS alternating rounds)"
enf_stop
# The same with --log: no kernel allow cache, every exec decided and logged
# (docs/enforcer.md), so this is what one event costs us.
enf_start "$T/state-small" --log "$T/every.log"
per_exec 1000 "$MNT/nop" >/dev/null
SUP=$(ps -o pid= --ppid "$EPID" | head -n 1 | tr -d ' ')
DPIDS=("$SUP" $(ps -o pid= --ppid "$SUP"))
read -r LBASE LOURS LBASE_CPU LOURS_CPU LOURS_DAEMON LOURS_OVER < <(alternate)
echo "digestguard enforce --log: $LOURS us/exec wall, $LOURS_CPU us CPU incl. enforcer (every exec decided and logged; baseline $LBASE_CPU us CPU)"
enf_stop
# First exec of a 50 MiB binary: the enforcer logs each miss's hashing time.
# Not pinned here: its prefault helper thread is meant to use another CPU.
ENF_CPUS=0-$(( $(nproc) - 1 )) enf_start "$T/state-small" --log "$T/hash.log"
for i in 1 2 3 4 5; do
	cp "$T/nop50" "$MNT/h$i"
	pin timeout 60 "$MNT/h$i" || { echo "bench/exec.sh: 50 MiB exec $i failed" >&2; exit 1; }
done
enf_stop
# Wall time, and the worker's CPU time (what other load does not skew).
HASH_WALL=$(sed -n 's/.* size=\([0-9]*\) hash_us=\([0-9]*\) hash_cpu_us=\([0-9]*\)$/\1 \2/p' "$T/hash.log" |
	awk '$2 > 0 { print $1 / $2 / 1000 }' | sort -g | sed -n 3p)
HASH=$(sed -n 's/.* size=\([0-9]*\) hash_us=\([0-9]*\) hash_cpu_us=\([0-9]*\)$/\1 \3/p' "$T/hash.log" |
	awk '$2 > 0 { print $1 / $2 / 1000 }' | sort -g | sed -n 3p)
RAW=$(python3 -c 'import hashlib, time
b = bytes(50 << 20); t = time.perf_counter(); hashlib.sha256(b).digest(); print("%.2f" % (len(b) / (time.perf_counter() - t) / 1e9))')
echo "first exec of 50 MiB:      hashing at ${HASH:-0} GB/s per CPU second, ${HASH_WALL:-0} GB/s wall (median of 5; python hashlib on this CPU now: $RAW GB/s wall)"
rm -f "$MNT"/h*

enf_start "$T/state-big"
OURS_START=$START_MS
per_exec 1000 "$MNT/nop" >/dev/null
read -r OURS_RSS OURS_PSS OURS_UNION < <(enf_rss)
echo "digestguard, $ENTRIES entries: start-up $OURS_START ms, resident $OURS_UNION KiB (worker + supervisor-only pages; RSS sum $OURS_RSS, PSS $OURS_PSS)"
enf_stop

FAPO=""
FAPOLICYD=${FAPOLICYD:-$(command -v fapolicyd || echo "$PWD/$BUILD/peers/fapolicyd/usr/sbin/fapolicyd")}
if [ ! -x "$FAPOLICYD" ]; then
	echo "fapolicyd:                 not installed and not unpacked ($BUILD/peers/fapolicyd: make check unpacks it): no comparison"
elif pgrep -x fapolicyd >/dev/null; then
	echo "fapolicyd:                 a system fapolicyd is running; not starting a second one: no comparison"
else
	# fapolicyd run: $1 = trust file; prints "us/exec rss_kb start_ms" (us/exec only with $2=exec)
	fapo_run() {
		FAPO_WAIT=${FAPO_WAIT:-900} \
		unshare -m --propagation private -- bash -s "$1" "$2" "$T" "$MNT" "$CPU" "$N" "$ROUNDS" "$FAPOLICYD" <<'EOF'
set -euo pipefail
trust=$1 mode=$2 T=$3 MNT=$4 CPU=$5 N=$6 ROUNDS=$7 FAPOLICYD=$8
# Only the bench tmpfs may be a tmpfs in here: drop this namespace's copies
# of every other tmpfs mount (deepest first).
awk -v m="$MNT" '$3 == "tmpfs" && $2 != m { print $2 }' /proc/self/mounts | sort -r |
	while read -r p; do umount -l "$p" 2>/dev/null || true; done
for d in /etc/fapolicyd /var/lib/fapolicyd /run; do mkdir -p "$d"; mount -t ramfs fapobench "$d"; done
mkdir -p /etc/fapolicyd/trust.d /etc/fapolicyd/rules.d /run/fapolicyd
cat > /etc/fapolicyd/fapolicyd.conf <<CONF
permissive = 1
nice_val = 0
q_size = 640
uid = root
gid = root
do_stat_report = 0
detailed_report = 0
db_max_size = 1024
subj_cache_size = 1549
obj_cache_size = 8191
watch_fs = tmpfs
trust = file
integrity = none
syslog_format = rule,dec,perm,auid,pid,exe,:,path,ftype,trust
rpm_sha256_only = 0
allow_filesystem_mark = 0
CONF
printf 'allow perm=execute all : trust=1\ndeny_audit perm=execute all : all\nallow perm=open all : all\n' > /etc/fapolicyd/fapolicyd.rules
cp "$trust" /etc/fapolicyd/fapolicyd.trust
[ "$(awk '$3 == "tmpfs"' /proc/self/mounts | wc -l)" = 1 ] || { echo "fapolicyd: other tmpfs mounts remain" >&2; exit 1; }
t0=$(date +%s%N)
taskset -c "$CPU" "$FAPOLICYD" --debug-deny --permissive 2> "$T/fapo.err" &
F=$!
trap 'kill -KILL $F 2>/dev/null || true' EXIT
# Loading a big trust file takes fapolicyd minutes: wait up to FAPO_WAIT s
# (default 900), then report its memory so far as a lower bound.
end=$(( $(date +%s) + ${FAPO_WAIT:-900} ))
while [ "$(date +%s)" -lt $end ]; do grep -q 'Starting to listen for events' "$T/fapo.err" && break
	kill -0 $F 2>/dev/null || break; sleep 0.01; done
if ! grep -q 'Starting to listen for events' "$T/fapo.err"; then
	# Still loading: its memory so far is a lower bound.
	if kill -0 $F 2>/dev/null; then
		rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$F/status)
		pss=$(awk '/^Pss:/ { print $2 }' /proc/$F/smaps_rollup)
		kill -KILL $F; wait $F 2>/dev/null || true
		echo "- $rss timeout - $pss"
		exit 0
	fi
	tail "$T/fapo.err" >&2; exit 1
fi
start=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.0f", (b - a) / 1e6 }')
us=- base=- bcpu=- ucpu=- dcpu=- over=-
taskset -c "$CPU" "$T/execloop" 1000 "$MNT/nop" > /dev/null
if [ "$mode" = exec ]; then
	n=$((N / ROUNDS)) hz=$(getconf CLK_TCK)
	one() { local w bad c; read -r w bad c < <(taskset -c "$CPU" timeout 600 "$T/execloop" $n "$1")
		awk -v w="$w" -v c="$c" 'BEGIN { printf "%.2f %.2f\n", w * 1e6, c * 1e6 }'; }
	ticks() { awk '{ print $14 + $15 }' /proc/$F/stat; }
	med() { sort -g | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
	paired() { awk -v n="$ROUNDS" 'BEGIN { for (i = 1; i <= n; i++) print ARGV[i] - ARGV[i + n + 1] }' "$@"; }
	bw=() ww=() bc=() wc=() dc=()
	for r in $(seq "$ROUNDS"); do
		read -r w c < <(one "$T/base/nop"); bw+=("$w"); bc+=("$c")
		t0=$(ticks); read -r w c < <(one "$MNT/nop"); t1=$(ticks)
		ww+=("$w"); wc+=("$(awk -v c="$c" -v d=$((t1 - t0)) -v hz="$hz" -v n=$n 'BEGIN { printf "%.2f", c + d / hz / n * 1e6 }')")
		dc+=("$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n=$n 'BEGIN { printf "%.2f", d / hz / n * 1e6 }')")
	done
	base=$(printf '%s\n' "${bw[@]}" | med); us=$(printf '%s\n' "${ww[@]}" | med)
	bcpu=$(printf '%s\n' "${bc[@]}" | med); ucpu=$(printf '%s\n' "${wc[@]}" | med)
	dcpu=$(printf '%s\n' "${dc[@]}" | med)
	over=$(paired "${wc[@]}" -- "${bc[@]}" | med)
fi
rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$F/status)
pss=$(awk '/^Pss:/ { print $2 }' /proc/$F/smaps_rollup)
kill -TERM $F; for _ in $(seq 100); do kill -0 $F 2>/dev/null || break; sleep 0.1; done
kill -KILL $F 2>/dev/null || true; wait $F 2>/dev/null || true
echo "$us $rss $start $base $pss $bcpu $ucpu $dcpu $over"
EOF
	}
	read -r FAPO _ _ FBASE _ FBASE_CPU FAPO_CPU FAPO_DAEMON FAPO_OVER < <(fapo_run "$T/small.trust" exec) || true
	echo "fapolicyd (permissive):    $FAPO us/exec wall, $FAPO_CPU us CPU incl. fapolicyd (its baseline in the same run: $FBASE us wall, $FBASE_CPU us CPU)"
	read -r _ FAPO_RSS FAPO_START _ FAPO_PSS _ < <(fapo_run "$T/big.trust" rss) || true
	if [ "${FAPO_START:-}" = timeout ]; then
		echo "fapolicyd, $ENTRIES entries:   still loading after ${FAPO_WAIT:-900} s; RSS by then $FAPO_RSS KiB, PSS $FAPO_PSS KiB (lower bounds)"
		FAPO_START=$(( ${FAPO_WAIT:-900} * 1000 )) FAPO_LOWER=1
	else
		echo "fapolicyd, $ENTRIES entries:   start-up $FAPO_START ms, RSS $FAPO_RSS KiB, PSS $FAPO_PSS KiB"
	fi
fi

echo "ratios (target):"
awk -v b="$BASE" -v o="$OURS" -v f="${FAPO:-}" -v fb="${FBASE:-}" \
    -v bc="$BASE_CPU" -v oc="$OURS_CPU" -v fc="${FAPO_CPU:-}" -v fbc="${FBASE_CPU:-}" -v h="$HASH" -v orss="$OURS_RSS" \
    -v frss="${FAPO_RSS:-}" -v ost="$OURS_START" -v fst="${FAPO_START:-}" \
    -v opss="$OURS_PSS" -v fpss="${FAPO_PSS:-}" -v lower="${FAPO_LOWER:-}" -v ou="$OURS_UNION" \
    -v od="$OURS_DAEMON" -v fd="${FAPO_DAEMON:-}" \
    -v lov="$LOURS_OVER" -v lod="$LOURS_DAEMON" -v ov="$OURS_OVER" -v fo="${FAPO_OVER:-}" 'BEGIN {
	ok = 1
	printf "  our exec overhead            %.2f us CPU (%.1f%%; median of the rounds'"'"' watched - baseline), %.2f us wall\n", ov, ov / bc * 100, o - b
	if (f != "" && fc != "" && fo != "" && fo != "-") {
		printf "  fapolicyd exec overhead      %.2f us CPU (%.1f%%), %.2f us wall\n", fo, fo / fbc * 100, f - fb
		r = ov / fo
		printf "  overhead ours/fapolicyd      %.2f  (<= 0.33, CPU time per exec) %s%s\n", r, (r <= 1/3 ? "met" : "MISSED"),
		       (ov <= 0 ? " (ours below the exec loop'"'"'s noise)" : "")
		if (r > 1/3) ok = 0
		if (f - fb > 0)
			printf "  wall-time overhead ratio     %.2f  (noisy on a loaded machine)\n", (o - b) / (f - fb)
		# Each daemon own CPU per exec: the part the exec noise does not touch.
		if (fd != "" && fd != "-" && fd > 0) {
			printf "  daemon CPU per exec          ours %.2f us, fapolicyd %.2f us, ratio %.2f (information)\n", od, fd, od / fd
			printf "  with --log (every exec decided): overhead %.2f us CPU, ratio %.2f; daemon %.2f us, ratio %.2f (information)\n", lov, lov / fo, lod, lod / fd
		}
	}
	printf "  hashing GB/s (per CPU s)     %.2f  (>= 1.50) %s\n", h, (h >= 1.5 ? "met" : "MISSED")
	if (h < 1.5) ok = 0
	if (frss != "") {
		r = ou / frss
		printf "  resident ours/fapolicyd RSS  %s%.2f  (<= 0.50) %s\n", (lower ? "<= " : ""), r, (r <= 0.5 ? "met" : "MISSED")
		if (r > 0.5) ok = 0
		printf "  RSS sum ours/fapolicyd       %s%.2f  (counts pages worker and supervisor share twice)\n", (lower ? "<= " : ""), orss / frss
		printf "  PSS ours/fapolicyd           %s%.2f\n", (lower ? "<= " : ""), opss / fpss
		printf "  start-up ours/fapolicyd      %s%.4f (%d ms vs %s%d ms)\n", (lower ? "< " : ""), ost / fst, ost, (lower ? "> " : ""), fst
	}
	exit (ok ? 0 : 1)
}'
