#!/usr/bin/env bash
# HostGuard against no agent, side by side: HTTP load (wrk on loopback), start-up to first answer, memory after
# load, and a short JMH run; writes benchmarks/RESULTS.md. See benchmarks/README.md ("The comparison").
#
#   benchmarks/run-comparison.sh                 full run, about 15 minutes on 2 cores
#   PROFILE=quick benchmarks/run-comparison.sh   quick run, about 3-4 minutes (figures marked as such)
#
# Env (each overrides the profile's value):
#   ROUNDS       interleaved rounds; each starts every service once per configuration   quick 2,  full 5
#   WARMUP       seconds of load before each measured run                                quick 1,  full 2
#   DURATION     seconds of each measured run                                            quick 2,  full 5
#   CONNECTIONS  wrk connections (1 thread)                                              4
#   JMH_ARGS     JMH options; JMH=0 skips JMH                     quick "-wi 2 -w 500ms -i 1 -r 1s", full "-wi 2 -i 3"
#   JMH_PATTERNS the benchmarks (regexps)       quick: the hooks, java.io opens, process starts, the hand-over hook;
#                full: every class, HandOver's submissions and wraps (not its round trip)
#   JMH_JAVA_OPTS JVM options of the JMH runner, e.g. -Djmh.ignoreLock=true when another JMH run holds /tmp/jmh.lock
#                (the figures of two concurrent runs disturb each other: only for trying the script out)
#   JAVA         the JVM (default: java on the PATH)
#   RESULTS      the report (default benchmarks/RESULTS.md)
#   SERVER_CPU, CLIENT_CPU   the cores for the service and for wrk and curl (default 1 and 0)
# Needs: a JDK (jcmd, jstat), curl, taskset, python3, wrk (installed with apt-get when missing), Maven when the
# jars are not built yet.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PROFILE=${PROFILE:-full}
case "$PROFILE" in
  quick) d_rounds=2 d_warmup=1 d_duration=2 d_jmh="-wi 2 -w 500ms -i 1 -r 1s"
    d_patterns="HookBenchmark FileOpenBenchmark.javaIo ProcessStartBenchmark HandOverBenchmark.(wrapOutside|baseline)" ;;
  full) d_rounds=5 d_warmup=2 d_duration=5 d_jmh="-wi 2 -i 3"
    d_patterns="HookBenchmark FileOpenBenchmark DirectoryListBenchmark ProcessStartBenchmark HandOverBenchmark.(wrap|baseline|tpeExecute|fjpExecute)" ;;
  *) echo "PROFILE must be quick or full, not '$PROFILE'" >&2; exit 2 ;;
esac
ROUNDS=${ROUNDS:-$d_rounds}
WARMUP=${WARMUP:-$d_warmup}
DURATION=${DURATION:-$d_duration}
CONNECTIONS=${CONNECTIONS:-4}
JMH=${JMH:-1}
JMH_ARGS=${JMH_ARGS:-$d_jmh}
JMH_PATTERNS=${JMH_PATTERNS:-$d_patterns}
JMH_JAVA_OPTS=${JMH_JAVA_OPTS:-}
JAVA=${JAVA:-java}
RESULTS=${RESULTS:-$ROOT/benchmarks/RESULTS.md}
export JAVA

# shellcheck source=service.sh
. "$ROOT/benchmarks/service.sh"
svc_jars "$ROOT"
if ! command -v wrk >/dev/null; then
  echo "installing wrk from Debian's packages" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q wrk >/dev/null || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q wrk >/dev/null; }
fi

# the raw figures stay for the report to be written again: python3 benchmarks/comparison_report.py <dir>
WORK=$ROOT/benchmarks/target/comparison
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'svc_stop' EXIT
echo "raw figures in $WORK" >&2

# shellcheck source=scenarios.sh
. "$ROOT/benchmarks/scenarios.sh"

: >"$WORK/load.tsv"; : >"$WORK/startup.tsv"; : >"$WORK/memory.tsv"

# wrk's latency ("812.00us", "1.20ms", "1.01s") in µs
to_us() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) print v + 0; else if (v ~ /ms$/) print v * 1000; else if (v ~ /s$/) print v * 1000000
    else print "NaN" }'
}

load_endpoint() {
  local app=$1 config=$2 round=$3 spec=$4 name path header statuses
  IFS='|' read -r name path header statuses <<<"$spec"
  check_endpoint "$app" "$config" "$spec"
  local url="http://127.0.0.1:$SVC_PORT$path"
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" ${header:+-H "$header"} "$url" >/dev/null
  local before after
  before=$(svc_cpu_ticks)
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency ${header:+-H "$header"} "$url" \
    >"$WORK/wrk.txt"
  after=$(svc_cpu_ticks)
  local requests rps p50 p99 errors
  requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
  p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")")
  p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")")
  errors=$(awk '/Socket errors/ {n = 0; for (i = 4; i <= NF; i += 2) n += $i; print n}' "$WORK/wrk.txt")
  local cpu_us
  cpu_us=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$app" "$name" "$config" "$round" "$rps" "$p50" "$p99" \
    "$cpu_us" "$requests" "${errors:-0}" >>"$WORK/load.tsv"
  echo "  $app $name $config: $rps req/s, p50 ${p50} µs, p99 ${p99} µs, ${cpu_us} µs CPU/request" >&2
}

run_service() {
  local app=$1 config=$2 round=$3
  app_start "$app" "$config"
  printf '%s\t%s\t%s\t%s\t%s\n' "$app" "$config" "$round" "$SVC_STARTUP_WALL_MS" "$SVC_STARTUP_CPU_MS" \
    >>"$WORK/startup.tsv"
  echo "  $app $config: first answer after $SVC_STARTUP_WALL_MS ms, $SVC_STARTUP_CPU_MS ms CPU" >&2
  local -a endpoints=("${APP_ENDPOINTS[@]}")
  # the demo's file read with an API key: allowed (judged, then let through) and of /proc/self/environ (refused)
  [ "$app" = demo ] && endpoints+=("$KEY_FILE_READ" "$KEY_PROC_READ")
  for spec in "${endpoints[@]}"; do
    load_endpoint "$app" "$config" "$round" "$spec"
  done
  printf '%s\t%s\t%s\t%s\n' "$app" "$config" "$round" "$(svc_memory | tr ' ' '\t')" >>"$WORK/memory.tsv"
  svc_stop
}

started=$(date +%s)
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS" >&2
  # interleaved: each round starts every configuration afresh, in a rotated order
  configs=$(echo $CONFIGS | awk -v r="$round" '{for (i = 0; i < NF; i++) printf "%s ", $((i + r - 1) % NF + 1)}')
  for config in $configs; do
    for app in tiny demo; do
      run_service "$app" "$config" "$round"
    done
  done
done
# the blocked endpoint was judged: each agent mode wrote its events (block: refusals; audit: what it let run)
for config in audit block; do
  if [ ! -s "$WORK/events-$config.jsonl" ]; then
    echo "$config mode wrote no event: the blocked endpoint was not judged" >&2
    exit 1
  fi
  echo "$config mode: $(wc -l <"$WORK/events-$config.jsonl") events" >&2
done

if [ "$JMH" != 0 ]; then
  echo "JMH: $JMH_ARGS $JMH_PATTERNS" >&2
  # shellcheck disable=SC2086
  "$JAVA" $JMH_JAVA_OPTS -jar "$BENCH" -prof gc -foe true -rf json -rff "$WORK/jmh.json" $JMH_ARGS $JMH_PATTERNS \
    >"$WORK/jmh.txt" 2>&1 || { tail -50 "$WORK/jmh.txt" >&2; exit 1; }
fi
elapsed=$(( $(date +%s) - started ))

{
  echo "profile=$PROFILE"
  echo "settings=$ROUNDS interleaved rounds; per endpoint ${WARMUP} s warm-up + ${DURATION} s measured; wrk 1 thread, $CONNECTIONS connections"
  echo "jmh=$([ "$JMH" != 0 ] && echo "-prof gc $JMH_ARGS $JMH_PATTERNS" || echo skipped)"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "elapsed=${elapsed}s"
  echo "cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "cores=$(nproc)"
  echo "kernel=$(uname -sr)"
  echo "jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vm.name|java.runtime.version/ {printf "%s ", $2}')"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "pinning=service on CPU $SERVER_CPU, wrk and curl on CPU $CLIENT_CPU (taskset): the service's JVM sees one CPU and picks the Serial GC"
} >"$WORK/meta.txt"

python3 "$ROOT/benchmarks/comparison_report.py" "$WORK" >"$WORK/RESULTS.md"
cp "$WORK/RESULTS.md" "$RESULTS"
echo "wrote $RESULTS" >&2
