# Shell functions to start a Java service, time it to its first answer and read its CPU time and memory.
# Sourced by benchmarks/run-comparison.sh; meant to be sourced by any script that measures a service (e.g.
# scripts/measure-startup.sh). Needs bash, curl, taskset, and the JDK's jcmd and jstat next to $JAVA.
#
#   svc_start <log> <ready-prefix> <hello-path> <command...>
#       starts the command in the background pinned to CPU $SERVER_CPU (default 1), with PORT=0 in its
#       environment; waits until the log holds "<ready-prefix>127.0.0.1:<port>" and <hello-path> answers. Sets
#       SVC_PID, SVC_PORT, SVC_STARTUP_WALL_MS (launch to first answer) and SVC_STARTUP_CPU_MS (the JVM's CPU
#       time, all threads, until then). Fails, printing the log, when the process dies first.
#   svc_cpu_ticks          user + system CPU of the service so far, in clock ticks (/proc/<pid>/stat)
#   svc_memory             "<resident KB> <heap used after a full GC, KB> <loaded classes> <threads>"
#   svc_stop               kills the service (SIGKILL) and waits for it
#   svc_jars <root>        sets AGENT, DEMO and BENCH to the built jars under the repository <root>, and builds
#                          them (mvn -B -q -DskipTests package) when one is missing
#
# The poll loops run pinned to CPU $CLIENT_CPU (default 0), away from the service's.

SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
SVC_PID=""
SVC_PORT=""
CLK_TCK=$(getconf CLK_TCK)
_svc_jdk_bin=$(dirname "$(readlink -f "$(command -v "${JAVA:-java}")")")

svc_start() {
  local log=$1 ready=$2 hello=$3
  shift 3
  : >"$log"
  local start end
  start=$(date +%s%N)
  PORT=0 taskset -c "$SERVER_CPU" "$@" >"$log" 2>&1 &
  SVC_PID=$!
  SVC_PORT=""
  until [ -n "$SVC_PORT" ]; do
    SVC_PORT=$(sed -n "s|.*${ready}127.0.0.1:\([0-9]*\).*|\1|p" "$log" | head -n 1)
    if ! kill -0 "$SVC_PID" 2>/dev/null; then
      echo "the service died before it was ready: $*" >&2
      cat "$log" >&2
      return 1
    fi
  done
  until taskset -c "$CLIENT_CPU" curl -s -o /dev/null "http://127.0.0.1:$SVC_PORT$hello"; do
    kill -0 "$SVC_PID" 2>/dev/null || { cat "$log" >&2; return 1; }
  done
  end=$(date +%s%N)
  SVC_STARTUP_CPU_MS=$(( $(svc_cpu_ticks) * 1000 / CLK_TCK ))
  SVC_STARTUP_WALL_MS=$(( (end - start) / 1000000 ))
}

svc_cpu_ticks() {
  # fields 14 and 15 of /proc/<pid>/stat; the command name (field 2) has no spaces for a JVM ("java")
  awk '{print $14 + $15}' "/proc/$SVC_PID/stat"
}

svc_memory() {
  local rss threads classes heap
  # read before jcmd attaches: attaching adds the JVM's "Attach Listener" thread
  threads=$(ls "/proc/$SVC_PID/task" | wc -l)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$SVC_PID/status")
  classes=$("$_svc_jdk_bin/jstat" -class "$SVC_PID" | awk 'NR == 2 {print $1}')
  "$_svc_jdk_bin/jcmd" "$SVC_PID" GC.run >/dev/null
  # the heap's lines, summed: G1 "garbage-first heap   total 262144K, used 12345K [...]", Serial (what the JVM
  # picks on one CPU) "def new generation   total ..K, used ..K" and "tenured generation ..."; not Metaspace
  heap=$("$_svc_jdk_bin/jcmd" "$SVC_PID" GC.heap_info \
    | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' | awk '{n += $1} END {print n + 0}')
  echo "$rss $heap $classes $threads"
}

svc_stop() {
  if [ -n "$SVC_PID" ]; then
    kill -9 "$SVC_PID" 2>/dev/null || true
    wait "$SVC_PID" 2>/dev/null || true
    SVC_PID=""
  fi
}

svc_jars() {
  AGENT=$1/agent/target/hostguard-agent.jar
  DEMO=$1/demo-app/target/hostguard-demo.jar
  BENCH=$1/benchmarks/target/benchmarks.jar
  if [ ! -f "$AGENT" ] || [ ! -f "$DEMO" ] || [ ! -f "$BENCH" ]; then
    echo "building the agent, the demo and the benchmarks (mvn -B -q -DskipTests package)" >&2
    (cd "$1" && mvn -B -q -DskipTests package)
  fi
}
