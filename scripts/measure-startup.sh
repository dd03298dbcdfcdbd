#!/usr/bin/env bash
# Start-up to first answer of the demo service, without the agent and with it (audit mode), as the median of
# N interleaved runs, plus the JVM's CPU time until that answer. Run after `mvn -B -q -DskipTests package`.
#   scripts/measure-startup.sh [runs]        (default 7; JAVA=/path/to/java picks the JVM)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
JAVA=${JAVA:-java}
AGENT=agent/target/hostguard-agent.jar
DEMO=demo-app/target/hostguard-demo.jar
TMP=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
CLK_TCK=$(getconf CLK_TCK)

# Prints "<wall ms> <cpu ms>" for one start of the demo with the given extra JVM options.
one_run() {
  local log="$TMP/log" start port=""
  : >"$log"
  start=$(date +%s%N)
  API_KEY=k OPS_USER=u OPS_PASSWORD=p PORT=0 "$JAVA" "$@" -jar "$DEMO" >"$log" 2>&1 &
  PID=$!
  until [ -n "$port" ]; do
    port=$(sed -n 's/.*hostguard-demo listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
    kill -0 "$PID" 2>/dev/null || { cat "$log" >&2; exit 1; }
  done
  until curl -fs "http://127.0.0.1:$port/health" >/dev/null; do :; done
  local end; end=$(date +%s%N)
  local cpu; cpu=$(awk -v t="$CLK_TCK" '{print int(($14 + $15) * 1000 / t)}' "/proc/$PID/stat")
  kill -9 "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  echo "$(( (end - start) / 1000000 )) $cpu"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

: >"$TMP/none"; : >"$TMP/agent"
for _ in $(seq "$RUNS"); do
  one_run >>"$TMP/none"
  one_run "-javaagent:$AGENT=mode=audit,events=$TMP/events.jsonl" >>"$TMP/agent"
done
"$JAVA" -version 2>&1 | sed -n 1p
printf '%-10s %18s %18s\n' "" "wall ms (median)" "cpu ms (median)"
for v in none agent; do
  printf '%-10s %18s %18s\n' "$v" "$(cut -d' ' -f1 "$TMP/$v" | median)" "$(cut -d' ' -f2 "$TMP/$v" | median)"
done
