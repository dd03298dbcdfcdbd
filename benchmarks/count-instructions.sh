#!/usr/bin/env bash
# Server CPU per request as instructions, with and without HostGuard: each service runs under valgrind's callgrind,
# counting nothing while it starts and warms up; then the instructions its process executes (all threads) while
# serving exactly N requests are counted. Instruction counts do not depend on what else runs on the machine, so
# they resolve the few per cent that CPU time under load cannot resolve on a shared machine (RESULTS.md). Writes
# benchmarks/INSTRUCTIONS.md. See benchmarks/README.md ("Instructions per request"). Not run by `mvn verify`.
#
#   benchmarks/count-instructions.sh                 full: 3 interleaved rounds, about 25 minutes on 2 cores
#   PROFILE=quick benchmarks/count-instructions.sh   quick: 2 rounds, fewer requests, about 15 minutes (marked QUICK)
#
# Env (each overrides the profile's value):
#   ROUNDS           interleaved rounds; each starts every service once per configuration      quick 2, full 3
#   MIN_CYCLES, MAX_CYCLES   warm-up before counting: cycles of CHUNK requests shared among the service's
#                    endpoints, until the JIT compiler threads used at most COMPILER_QUIET % of the service's CPU in
#                    each of the last two cycles, at least MIN_CYCLES, at most MAX_CYCLES  quick 4-25, full 6-45
#   CHUNK            3000                      (process starts: a tenth of their share of CHUNK and of REQUESTS)
#   COMPILER_QUIET   2 (per cent)
#   REQUESTS         requests counted, per endpoint                                           quick 1000, full 2000
#   APPS             the services, among tiny and demo                                        tiny demo
#   CONFIGS          the configurations, among none, audit and block                          none audit block
#   JAVA             the JVM (default: java on the PATH)
#   OUT              the report (default benchmarks/INSTRUCTIONS.md)
#   SERVER_CPU, CLIENT_CPU   the cores for the service and for curl (default 1 and 0)
# Needs: valgrind (callgrind, callgrind_control), a JDK, curl, taskset, python3; Maven when the jars are not built.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PROFILE=${PROFILE:-full}
case "$PROFILE" in
  quick) d_rounds=2 d_min=4 d_max=25 d_requests=500 ;;
  full) d_rounds=3 d_min=6 d_max=45 d_requests=1000 ;;
  *) echo "PROFILE must be quick or full, not '$PROFILE'" >&2; exit 2 ;;
esac
ROUNDS=${ROUNDS:-$d_rounds}
MIN_CYCLES=${MIN_CYCLES:-$d_min}
MAX_CYCLES=${MAX_CYCLES:-$d_max}
CHUNK=${CHUNK:-3000}
COMPILER_QUIET=${COMPILER_QUIET:-2}
REQUESTS=${REQUESTS:-$d_requests}
APPS=${APPS:-tiny demo}
JAVA=${JAVA:-java}
OUT=${OUT:-$ROOT/benchmarks/INSTRUCTIONS.md}
export JAVA

for tool in valgrind callgrind_control curl taskset python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (Debian: apt-get install valgrind curl)" >&2; exit 1; }
done
# shellcheck source=service.sh
. "$ROOT/benchmarks/service.sh"
svc_jars "$ROOT"

WORK=$ROOT/benchmarks/target/instructions
rm -rf "$WORK"
mkdir -p "$WORK/windows"
# shellcheck source=scenarios.sh
. "$ROOT/benchmarks/scenarios.sh"
trap 'svc_stop' EXIT
echo "raw figures in $WORK" >&2

# The JVM runs unchanged (its default JIT; no -Xint, which would measure the interpreter): valgrind translates
# the code HotSpot generates, and --smc-check=all-non-file makes it notice code written and rewritten at run
# time (JIT output, patched call sites), which the default check (stack only) misses. HotSpot's compiled code
# lets a null dereference fault and its SIGSEGV handler resumes at the method's null-check continuation with the
# registers of the faulting instruction: --vex-iropt-register-updates=allregs-at-mem-access keeps every register
# exact at each memory access (the default keeps only the stack and instruction pointers; Jetty's compiled
# HttpParser then crashed). Both change how valgrind runs the code, not which instructions it runs. Counting starts off and
# is switched on for each window; --separate-threads=yes keeps one count per thread so the report can tell the
# JIT compiler threads' share. nice: other measurements may share the machine.
VALGRIND=(nice -n 10 valgrind --tool=callgrind --smc-check=all-non-file
  --vex-iropt-register-updates=allregs-at-mem-access --instr-atstart=no --separate-threads=yes
  --dump-instr=no --compress-strings=no --callgrind-out-file="$WORK/callgrind.out.%p")

# one "url + output" pair per request: curl sends them in order on one kept-alive connection
requests_config() {
  local url=$1 n=$2
  awk -v url="$url" -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "url = \"%s\"\noutput = /dev/null\n", url }'
}

# sends n requests and fails unless each got the expected status
send() {
  local url=$1 header=$2 n=$3 want=$4 got
  requests_config "$url" "$n" >"$WORK/requests.cfg"
  got=$(taskset -c "$CLIENT_CPU" curl -s -K "$WORK/requests.cfg" ${header:+-H "$header"} -w '%{http_code}\n' \
    | awk -v want="$want" '$1 == want {n++} END {print n + 0}')
  [ "$got" = "$n" ] || { echo "$url: $got of $n requests answered $want" >&2; exit 1; }
}

callgrind() {
  local answer
  answer=$(callgrind_control "$@" "$SVC_PID" 2>&1)
  case $answer in
    *OK*) ;;
    *) echo "callgrind_control $* $SVC_PID: $answer" >&2; exit 1 ;;
  esac
}

# CPU ticks of the JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre") so far
compiler_ticks() {
  local task n=0
  for task in /proc/"$SVC_PID"/task/*; do
    case $(cat "$task/comm" 2>/dev/null) in
      C1\ Compiler* | C2\ Compiler*) n=$((n + $(awk '{print $14 + $15}' "$task/stat"))) ;;
    esac
  done
  echo "$n"
}

# A process start takes ~10 times longer than the other requests (fork, exec, wait), the more so under valgrind:
# it gets a tenth of their requests.
requests_of() {
  local spec=$1 n=$2
  case $spec in process-start*) echo $((n / 10)) ;; *) echo "$n" ;; esac
}

send_spec() {
  local spec=$1 n=$2 name path header statuses config=$3
  IFS='|' read -r name path header statuses <<<"$spec"
  send "http://127.0.0.1:$SVC_PORT$path" "$header" "$(requests_of "$spec" "$n")" "$(endpoint_status "$spec" "$config")"
}

# Warms the service up in cycles of CHUNK requests shared among its endpoints, until the JIT compilers used at
# most COMPILER_QUIET per cent of the service's CPU over each of the last two cycles (the compiled code no longer
# changes: what is counted next is the steady state); at least MIN_CYCLES and at most MAX_CYCLES cycles. The
# endpoints share most of their code (the server's request path), so warming them together costs less than one by
# one. Under valgrind the compilers keep busy for a long time: the demo needs 20-30 cycles (about 2 minutes),
# and counts taken after 8 were 10-20 % higher and varied from run to run. Sets CYCLES and JIT_SHARE (the last
# cycle's, in %).
warm_up() {
  local config=$1 spec c0 p0 quiet=0
  shift
  CYCLES=0
  while :; do
    c0=$(compiler_ticks) p0=$(svc_cpu_ticks)
    for spec in "$@"; do
      send_spec "$spec" $((CHUNK / $#)) "$config"
    done
    CYCLES=$((CYCLES + 1))
    JIT_SHARE=$(awk -v c=$(($(compiler_ticks) - c0)) -v p=$(($(svc_cpu_ticks) - p0)) \
      'BEGIN {printf "%.1f", p ? 100 * c / p : 0}')
    if awk -v j="$JIT_SHARE" -v q="$COMPILER_QUIET" 'BEGIN {exit !(j <= q)}'; then
      quiet=$((quiet + 1))
    else
      quiet=0
    fi
    [ "$CYCLES" -ge "$MIN_CYCLES" ] || continue
    [ "$CYCLES" -ge "$MAX_CYCLES" ] && break
    [ "$quiet" -ge 2 ] && break
  done
}

count_endpoint() {
  local app=$1 config=$2 round=$3 spec=$4 name path header statuses want n t1
  IFS='|' read -r name path header statuses <<<"$spec"
  check_endpoint "$app" "$config" "$spec"
  want=$(endpoint_status "$spec" "$config")
  n=$(requests_of "$spec" "$REQUESTS")
  local url="http://127.0.0.1:$SVC_PORT$path"
  t1=$(date +%s)
  # counted in two halves, each dumped (a dump also zeroes the counts): a second half that costs what the first
  # did shows the warm-up was long enough (JIT compilation finished, the code no longer changing)
  local dir="$WORK/windows/$app.$name.$config.$round" half
  mkdir -p "$dir"
  callgrind --zero
  callgrind --instr=on
  for half in 1 2; do
    send "$url" "$header" $((n / 2)) "$want"
    callgrind --dump="$app $name $config round $round half $half"
    # the dump's files, callgrind.out.<pid>.<dump>-<thread>, one a thread
    mkdir "$dir/$half"
    mv "$WORK/callgrind.out.$SVC_PID".*-* "$dir/$half/"
  done
  callgrind --instr=off
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$app" "$name" "$config" "$round" $((n / 2)) "$dir" "$CYCLES" \
    "$JIT_SHARE" >>"$WORK/windows.tsv"
  echo "  $app $name $config: counted $n in $(($(date +%s) - t1)) s" >&2
}

run_service() {
  local app=$1 config=$2 round=$3 spec
  app_start "$app" "$config" "${VALGRIND[@]}"
  echo "  $app $config: under callgrind, first answer after $SVC_STARTUP_WALL_MS ms" >&2
  local -a endpoints=("${APP_ENDPOINTS[@]}")
  # the blocked request is no overhead target (refusing costs less than running); an allowed read in an API-key
  # request is: there HostGuard judges the operation, not only the request; a refused /proc read is measured
  # against the same read without the agent
  [ "$app" = demo ] && endpoints=("${endpoints[@]:0:2}" "$KEY_FILE_READ" "$KEY_PROC_READ" "${endpoints[2]}")
  local t0=$SECONDS
  warm_up "$config" "${endpoints[@]}"
  echo "  $app $config: warmed up in $((SECONDS - t0)) s, $CYCLES cycles (JIT compilers $JIT_SHARE % of the CPU" \
    "in the last)" >&2
  for spec in "${endpoints[@]}"; do
    count_endpoint "$app" "$config" "$round" "$spec"
  done
  svc_stop
}

: >"$WORK/windows.tsv"
started=$(date +%s)
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS" >&2
  # interleaved: each round starts every configuration afresh, in a rotated order
  configs=$(echo $CONFIGS | awk -v r="$round" '{for (i = 0; i < NF; i++) printf "%s ", $((i + r - 1) % NF + 1)}')
  for config in $configs; do
    for app in $APPS; do
      run_service "$app" "$config" "$round"
    done
  done
done
# the /proc/self/environ reads are the only findings: every event names that rule, none an allowed request's
for config in audit block; do
  if [ -s "$WORK/events-$config.jsonl" ] && grep -v '"rule":"proc-environ"' "$WORK/events-$config.jsonl" | grep -q .; then
    echo "$config mode wrote events for allowed requests: $(grep -v '"rule":"proc-environ"' \
      "$WORK/events-$config.jsonl" | head -c 500)" >&2
    exit 1
  fi
done
elapsed=$(( $(date +%s) - started ))

{
  echo "profile=$PROFILE"
  echo "settings=$ROUNDS interleaved rounds; per service a warm-up of $MIN_CYCLES to $MAX_CYCLES cycles of $CHUNK requests shared among its endpoints, until the JIT compilers used at most $COMPILER_QUIET % of the service's CPU in each of the last two cycles; then per endpoint $REQUESTS requests counted (process starts: a tenth of each); curl, one kept-alive connection"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "elapsed=${elapsed}s"
  echo "cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "cores=$(nproc)"
  echo "kernel=$(uname -sr)"
  echo "jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vm.name|java.runtime.version/ {printf "%s ", $2}')"
  echo "valgrind=$(valgrind --version)"
  options="${VALGRIND[*]:3}"
  echo "command=${options//$ROOT\//}"  # the work folder relative to the repository, not this machine's path
  echo "agent=$(git -C "$ROOT" log -1 --format=%h -- agent 2>/dev/null || echo unknown)"
} >"$WORK/meta.txt"

python3 "$ROOT/benchmarks/instructions_report.py" "$WORK" >"$WORK/INSTRUCTIONS.md"
cp "$WORK/INSTRUCTIONS.md" "$OUT"
echo "wrote $OUT" >&2
