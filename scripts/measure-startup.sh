#!/usr/bin/env bash
# Start-up and footprint of a service without the agent and with it (audit mode), for the tiny JDK HttpServer
# app (benchmarks/.../startup/TinyHttpServerApp.java, compiled here with javac) and the demo (Jetty). Runs are
# interleaved (none, agent, none, agent, ...) and every figure is the median over the runs:
#   wall ms    from the JVM's launch to the first answer (HTTP 200)
#   cpu ms     the JVM's user + system CPU time at that moment (/proc/<pid>/stat; less noisy than wall)
#   rss MB     resident memory after LOAD more requests (/proc/<pid>/status VmRSS)
#   threads    the JVM's threads at that moment (/proc/<pid>/status)
#   classes    classes loaded at that moment (jstat -class, which reads the JVM's perf data without attaching)
#   rss/threads after STEADY more requests (default 1000, each on a connection of its own): the footprint once the
#              service has run its own first young collections, which the agent's start-up allocation brings
#              forward (G1 starts its second worker thread at the first one); STEADY=0 leaves these columns out
# Run after `mvn -B -q -DskipTests package -pl agent,demo-app`.
#   scripts/measure-startup.sh [runs] [tiny|demo ...]   (default: 7 runs, both apps)
# JAVA=/path/to/java picks the JVM (jstat is taken from the same bin directory); AGENT=<jar> another agent jar;
# BEFORE=<jar> adds a third variant, "before", interleaved with the others (an older agent jar, to compare);
# OTEL=<jar> adds two variants, "otel" (the OpenTelemetry Java agent alone, with OTEL_PROPS, by default traces to its
# logging exporter, metrics and logs off) and "both" (this agent, then OpenTelemetry's);
# LOAD=n requests (default 50);
# AGENT_OPTS=... extra agent options (e.g. debug.startup=true to see the agent's own phases on its stderr).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
shift || true
APPS=("$@")
[ ${#APPS[@]} -gt 0 ] || APPS=(tiny demo)
JAVA=${JAVA:-$(command -v java)}
JAVA=$(readlink -f "$JAVA")
JSTAT="$(dirname "$JAVA")/jstat"
LOAD=${LOAD:-50}
STEADY=${STEADY:-1000}
AGENT=${AGENT:-agent/target/hostguard-agent.jar}
DEMO=demo-app/target/hostguard-demo.jar
TINY_SOURCE=benchmarks/src/main/java/dev/hostguard/benchmarks/startup/TinyHttpServerApp.java
TMP=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
CLK_TCK=$(getconf CLK_TCK)
# pause() sleeps 2 ms without forking: a read that times out on a pipe nobody writes to
exec {PAUSE_FD}<> <(:)
pause() { read -r -t 0.002 -u "$PAUSE_FD" _ || :; }

for f in "$AGENT" "$JSTAT"; do [ -e "$f" ] || { echo "missing $f" >&2; exit 1; }; done
"$(dirname "$JAVA")/javac" -d "$TMP/tiny" "$TINY_SOURCE"

# The command line of an app: its class path or jar and its first-answer URL path.
app_command() {
  case "$1" in
    tiny) echo "-cp $TMP/tiny dev.hostguard.benchmarks.startup.TinyHttpServerApp" ;;
    demo) [ -e "$DEMO" ] || { echo "missing $DEMO" >&2; exit 1; }; echo "-jar $DEMO" ;;
  esac
}
app_path() { case "$1" in tiny) echo /hello ;; demo) echo /health ;; esac; }

# send N URL [curl options]: N requests to URL, in one curl
send() {
  local n=$1 url=$2 urls=()
  shift 2
  for _ in $(seq "$n"); do urls+=("$url"); done
  curl -fs "$@" "${urls[@]}" >/dev/null
}
rss_mb() { awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$PID/status"; }
thread_count() { awk '/^Threads:/ {print $2}' "/proc/$PID/status"; }

# Prints "<wall ms> <cpu ms> <rss MB> <threads> <classes> <rss MB> <threads>" (the last two after STEADY more
# requests) for one start of app $1 with JVM options $2.
one_run() {
  local app=$1 opts=$2 out="$TMP/out" err="$TMP/err" start port="" line end cpu url
  : >"$out"; : >"$err"
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  API_KEY=k OPS_USER=u OPS_PASSWORD=p PORT=0 "$JAVA" $opts $(app_command "$app") >"$out" 2>"$err" &
  PID=$!
  # read, test and pause are builtins: polling forks nothing that would compete with the JVM for the cores
  while [ -z "$port" ]; do
    pause
    while IFS= read -r line; do
      [[ $line =~ listening\ on\ http://127\.0\.0\.1:([0-9]+) ]] && port=${BASH_REMATCH[1]}
    done <"$out"
    kill -0 "$PID" 2>/dev/null || { cat "$out" "$err" >&2; exit 1; }
  done
  url="http://127.0.0.1:$port$(app_path "$app")"
  until curl -fs -o /dev/null "$url"; do pause; done
  end=$(date +%s%N)
  cpu=$(awk -v t="$CLK_TCK" '{print int(($14 + $15) * 1000 / t)}' "/proc/$PID/stat")
  send "$LOAD" "$url"
  local rss threads classes
  rss=$(rss_mb)
  threads=$(thread_count)
  classes=$("$JSTAT" -class "$PID" | awk 'NR == 2 {print $1}')
  local steady_rss=0 steady_threads=0
  if [ "$STEADY" -gt 0 ]; then
    # a connection per request: kept alive, the JDK 17 HttpServer answers one every ~44 ms (Nagle, delayed ACK)
    send "$STEADY" "$url" -H 'Connection: close'
    steady_rss=$(rss_mb)
    steady_threads=$(thread_count)
  fi
  kill -9 "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  if grep -q 'WARN\|ERROR\|not installed' "$err"; then cat "$err" >&2; fi
  echo "$(( (end - start) / 1000000 )) $cpu $rss $threads $classes $steady_rss $steady_threads"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

"$JAVA" -version 2>&1 | sed -n 1p
echo "$(nproc) cores, $RUNS interleaved runs per variant, $LOAD requests before the footprint, $STEADY more before the steady one, load average $(cut -d' ' -f1-3 /proc/loadavg)"
VARIANTS=(none agent)
[ -n "${BEFORE:-}" ] && VARIANTS+=(before)
[ -n "${OTEL:-}" ] && VARIANTS+=(otel both)
OTEL_PROPS=${OTEL_PROPS:--Dotel.traces.exporter=logging -Dotel.metrics.exporter=none -Dotel.logs.exporter=none}
for app in "${APPS[@]}"; do
  for v in "${VARIANTS[@]}"; do : >"$TMP/$app-$v"; done
done
agent_opts() { echo "-javaagent:$1=mode=audit,events=$TMP/events.jsonl${AGENT_OPTS:+,$AGENT_OPTS}"; }
for _ in $(seq "$RUNS"); do
  for app in "${APPS[@]}"; do
    one_run "$app" "" >>"$TMP/$app-none"
    one_run "$app" "$(agent_opts "$AGENT")" >>"$TMP/$app-agent"
    [ -z "${BEFORE:-}" ] || one_run "$app" "$(agent_opts "$BEFORE")" >>"$TMP/$app-before"
    if [ -n "${OTEL:-}" ]; then
      one_run "$app" "-javaagent:$OTEL $OTEL_PROPS" >>"$TMP/$app-otel"
      one_run "$app" "$(agent_opts "$AGENT") -javaagent:$OTEL $OTEL_PROPS" >>"$TMP/$app-both"
    fi
  done
done
printf '%-13s %8s %8s %8s %8s %8s %8s %8s\n' "" "wall ms" "cpu ms" "rss MB" "threads" "classes" "steadyMB" "steadyTh"
for app in "${APPS[@]}"; do
  declare -A m=()
  for v in "${VARIANTS[@]}"; do
    for i in 1 2 3 4 5 6 7; do m[$v$i]=$(cut -d' ' -f$i "$TMP/$app-$v" | median); done
    printf '%-13s %8s %8s %8s %8s %8s %8s %8s\n' "$app $v" "${m[${v}1]}" "${m[${v}2]}" "${m[${v}3]}" "${m[${v}4]}" \
      "${m[${v}5]}" "${m[${v}6]}" "${m[${v}7]}"
  done
  for v in "${VARIANTS[@]:1}"; do
    printf '%-13s %+8d %+8d %+8d %+8d %+8d %+8d %+8d\n' "$app +$v" $((m[${v}1] - m[none1])) $((m[${v}2] - m[none2])) \
      $((m[${v}3] - m[none3])) $((m[${v}4] - m[none4])) $((m[${v}5] - m[none5])) $((m[${v}6] - m[none6])) \
      $((m[${v}7] - m[none7]))
  done
  unset m
done
