# The services, agent configurations and endpoints the overhead measurements load, so that every measuring script
# loads the same ones. Sourced by benchmarks/run-comparison.sh and benchmarks/count-instructions.sh, after
# benchmarks/service.sh and with ROOT, WORK, JAVA, AGENT, DEMO and BENCH set.
#
#   CONFIGS                             no agent, HostGuard audit, HostGuard block (env CONFIGS: a subset)
#   agent_opts <config>                 the -javaagent option of a configuration (none: nothing)
#   DEMO_ENDPOINTS, TINY_ENDPOINTS      "name|path|header|status in none audit block" of each service's endpoints
#   KEY_FILE_READ                       an allowed file read inside an API-key request (judged, then let through)
#   KEY_PROC_READ                       a read of /proc/self/environ inside an API-key request (refused in block mode)
#   app_start <app> <config> [launcher...]
#                                       svc_start of the service (tiny or demo) in a configuration, its java command
#                                       run by the launcher when one is given (e.g. valgrind); sets APP_ENDPOINTS
#   endpoint_status <spec> <config>     the status the endpoint must answer in that configuration
#   check_endpoint <app> <config> <spec>
#                                       one request, checked: a figure of the wrong behaviour is worse than none

API_KEY=hostguard-comparison-key-0123456789
OPS_USER=ops
OPS_PASSWORD=ops-password
BASIC=$(printf '%s:%s' "$OPS_USER" "$OPS_PASSWORD" | base64)
READ_FILE=$WORK/allowed-read.txt
printf 'a small file a logged-in user may read\n' >"$READ_FILE"

CONFIGS=${CONFIGS:-none audit block}
agent_opts() {
  case $1 in
    none) ;;
    *) echo "-javaagent:$AGENT=mode=$1,events=$WORK/events-$1.jsonl" ;;
  esac
}

DEMO_ENDPOINTS=(
  "hello|/health||200 200 200"
  "file-read|/ops/file?path=$READ_FILE|Authorization: Basic $BASIC|200 200 200"
  "process-start|/ops/exec?cmd=/bin/true|Authorization: Basic $BASIC|200 200 200"
  "blocked|/admin/exec?cmd=/bin/true|X-API-Key: $API_KEY|200 200 403"
)
TINY_ENDPOINTS=("hello|/hello||200 200 200")
# the default rules guard no temp file: HostGuard classifies the request, resolves the path, matches it against the
# rules and lets it run, writing no event (the logged-in user's read above is classified only)
KEY_FILE_READ="file-read-api-key|/admin/file?path=$READ_FILE|X-API-Key: $API_KEY|200 200 200"
# the same request reading /proc/self/environ: read without the agent, read and logged in audit mode, refused (403)
# in block mode before a byte is read; what a refusal costs against the operation it refuses
KEY_PROC_READ="proc-read-api-key|/admin/file?path=/proc/self/environ|X-API-Key: $API_KEY|200 200 403"

app_start() {
  local app=$1 config=$2
  shift 2
  # shellcheck disable=SC2046
  case $app in
    demo)
      APP_ENDPOINTS=("${DEMO_ENDPOINTS[@]}")
      svc_start "$WORK/$app.log" "hostguard-demo listening on http://" /health \
        env API_KEY="$API_KEY" OPS_USER="$OPS_USER" OPS_PASSWORD="$OPS_PASSWORD" "$@" "$JAVA" $(agent_opts "$config") \
        -jar "$DEMO" ;;
    tiny)
      # the start-up budget's tiny app (scripts/measure-startup.sh measures it too). nodelay: without it the JDK
      # server writes headers and body in two segments and the client's delayed ACK holds the second for 40 ms,
      # ~25 requests/s a connection, a figure of TCP rather than of the service; the same in every configuration
      APP_ENDPOINTS=("${TINY_ENDPOINTS[@]}")
      svc_start "$WORK/$app.log" "tiny-app listening on http://" /hello \
        "$@" "$JAVA" -Dsun.net.httpserver.nodelay=true $(agent_opts "$config") -cp "$BENCH" \
        dev.hostguard.benchmarks.startup.TinyHttpServerApp ;;
    *) echo "no such service: $app" >&2; return 2 ;;
  esac
}

endpoint_status() {
  local spec=$1 config=$2 statuses c i=0
  statuses=${spec##*|}
  for c in none audit block; do # the statuses' order, whichever CONFIGS run
    i=$((i + 1))
    [ "$c" = "$config" ] && { echo "$statuses" | cut -d' ' -f"$i"; return; }
  done
}

check_endpoint() {
  local app=$1 config=$2 spec=$3 name path header statuses want got
  IFS='|' read -r name path header statuses <<<"$spec"
  want=$(endpoint_status "$spec" "$config")
  got=$(taskset -c "$CLIENT_CPU" curl -s -o "$WORK/answer" -w '%{http_code}' ${header:+-H "$header"} \
    "http://127.0.0.1:$SVC_PORT$path")
  if [ "$got" != "$want" ]; then
    echo "$app $config $name: expected HTTP $want, got $got: $(head -c 300 "$WORK/answer")" >&2
    exit 1
  fi
  case $name in
    file-read*)
      grep -q "a logged-in user may read" "$WORK/answer" \
        || { echo "$app $config $name: the answer is not the file: $(head -c 300 "$WORK/answer")" >&2; exit 1; } ;;
  esac
}
