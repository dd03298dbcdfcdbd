#!/usr/bin/env bash
# HostGuard in two minutes: build, then attack the demo service twice with a leaked API key,
# once with the agent in audit mode and once in block mode, and show what happened: a shell
# command, and a privileged container with the host's root mounted, asked of a Docker stand-in
# (a small Docker Engine API on a Unix socket that records every request it receives).
#
# Needs: java 17+, mvn, curl (python3 optional, for pretty events).
# Optional: SKIP_BUILD=1 reuses the jars already built; JAVA=/path/to/java picks the JVM.
set -euo pipefail

cd "$(dirname "$0")"

JAVA="${JAVA:-java}"
AGENT_JAR=agent/target/hostguard-agent.jar
DEMO_JAR=demo-app/target/hostguard-demo.jar
READY_TIMEOUT_SECONDS=30

TMP="$(mktemp -d "${TMPDIR:-/tmp}/hostguard-demo.XXXXXX")"
SOCKET="$TMP/docker.sock" # named like Docker's: HostGuard's runtime-socket rule goes by the file name
SERVER_PID=""
STANDIN_PID=""
FAILED=0

# Ends one process we started (TERM, then KILL after 10 s) and waits for it.
stop_pid() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}

stop_standin() {
  stop_pid "$STANDIN_PID"
  STANDIN_PID=""
}

cleanup() {
  stop_server
  stop_standin
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say()    { printf '%s\n' "$*"; }
indent() { sed 's/^/        /'; }

require() {
  command -v "$1" >/dev/null 2>&1 || { say "demo.sh: '$1' is needed but not installed" >&2; exit 1; }
}
require "$JAVA"
require curl

random_hex() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# Waits until the log of the process with the given pid has a line matching the regex; exits the demo
# with that log if the process ends first or stays silent for READY_TIMEOUT_SECONDS.
await_line() {
  local pid=$1 log=$2 regex=$3 what=$4
  local deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  until grep -q "$regex" "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$what exited before it was ready. Its output:"
      indent <"$log"
      exit 1
    elif [ "$SECONDS" -ge "$deadline" ]; then
      say "$what printed no readiness line within ${READY_TIMEOUT_SECONDS} s. Its output:"
      indent <"$log"
      exit 1
    fi
    sleep 0.2
  done
}

# Starts the Docker stand-in on $SOCKET, recording into standin-<mode>.jsonl; sets STANDIN_PID.
start_standin() {
  local mode=$1 log="$TMP/standin-$1.log"
  : >"$log"
  "$JAVA" -cp "$DEMO_JAR" dev.hostguard.demo.dockerstandin.DockerStandIn "$SOCKET" "$TMP/standin-$mode.jsonl" \
    >"$log" 2>&1 &
  STANDIN_PID=$!
  await_line "$STANDIN_PID" "$log" '^docker stand-in listening on unix:' "The Docker stand-in"
  say "    A Docker stand-in listens on $SOCKET and records every request it receives."
}

# Starts the demo with the agent in the given mode, events in events-<run>.jsonl (run: the mode unless given),
# and any further agent options; sets SERVER_PID and PORT.
start_demo() {
  local mode=$1 run=${2:-$1} more=${3:-}
  local log="$TMP/demo-$run.log"
  : >"$log" # exists before the background JVM opens it, so polling can start at once
  API_KEY="$API_KEY" OPS_USER=ops OPS_PASSWORD="$OPS_PASSWORD" PORT=0 BIND=127.0.0.1 DOCKER_HOST="unix://$SOCKET" \
    BACKUP_SOURCE="$TMP/data" BACKUP_TARGET="$TMP/backups" \
    "$JAVA" "-javaagent:$AGENT_JAR=mode=$mode,events=$TMP/events-$run.jsonl$more" -jar "$DEMO_JAR" \
    >"$log" 2>&1 &
  SERVER_PID=$!
  await_line "$SERVER_PID" "$log" '^hostguard-demo listening on http://' "The demo"
  PORT="$(sed -n 's#^hostguard-demo listening on http://[^ ]*:\([0-9][0-9]*\)$#\1#p;T;q' "$log")"
  say "    The demo service is up on http://127.0.0.1:$PORT, HostGuard attached in $mode mode${more:+ with the policy}."
}

# GETs a path with the leaked key; prints what the attacker sees; sets STATUS.
attack() {
  local path=$1 note=${2:-} body="$TMP/body"
  : >"$body"
  STATUS="$(curl -s -o "$body" -w '%{http_code}' -H "X-API-Key: $API_KEY" "http://127.0.0.1:$PORT$path" || true)"
  say "    Attacker -> GET $path${note:+   ($note)}"
  say "      <- HTTP $STATUS"
  awk 'NR <= 8 { print "        " $0 }' "$body" # awk also ends a body that lacks a final newline
}

# POSTs /admin/backup with the key (the route runs one fixed tar), or with ?compress=<given> (the route then runs
# sh -c "tar ... | <given> > ...": an injection); prints the answer; sets STATUS.
backup() {
  local compress=${1:-} body="$TMP/body"
  : >"$body"
  STATUS="$(curl -s -o "$body" -w '%{http_code}' -X POST -G -H "X-API-Key: $API_KEY" \
    ${compress:+--data-urlencode "compress=$compress"} "http://127.0.0.1:$PORT/admin/backup" || true)"
  say "    Caller -> POST /admin/backup${compress:+?compress=$compress}"
  say "      <- HTTP $STATUS"
  awk 'NR <= 2 { print "        " $0 }' "$body"
}

# The same operation by a person logged in with BASIC auth: allowed, no event.
as_user() {
  local marker=$1 body="$TMP/body"
  STATUS="$(curl -s -o "$body" -w '%{http_code}' -u "ops:$OPS_PASSWORD" \
    "http://127.0.0.1:$PORT/ops/exec?cmd=touch%20${marker// /%20}" || true)"
  say "    Logged-in user -> GET /ops/exec?cmd=touch%20$marker"
  say "      <- HTTP $STATUS"
}

show_events() {
  local file=$1
  if [ ! -s "$file" ]; then
    say "    HostGuard recorded no events."
    return
  fi
  say "    HostGuard recorded $(wc -l <"$file" | tr -d ' ') event(s) in $(basename "$file") (one JSON object per line):"
  while IFS= read -r line; do
    if command -v python3 >/dev/null 2>&1; then
      printf '%s\n' "$line" | python3 -c '
import json, sys
e = json.load(sys.stdin)
h = e["hostguard"]
what = " ".join(e["process"]["args"]) if "process" in e else e.get("file", {}).get("path", "?")
print("      %s %s %s on %s %s (auth %s, key %s, rule %s)" % (h["decision"].upper(), e["event"]["action"],
      what, e["http"]["request"]["method"], e["url"]["path"], h["auth"],
      e.get("api_key", {}).get("fingerprint", "-"), h["rule"]))' || true
    fi
    printf '%s\n' "$line" | indent
  done <"$file"
}

# Counts the lines of a file that contain all the given fixed strings (0 if the file is missing).
count_lines() {
  local file=$1
  shift
  [ -f "$file" ] || { echo 0; return; }
  local filtered
  filtered="$(cat "$file")"
  for needle in "$@"; do
    filtered="$(printf '%s\n' "$filtered" | grep -F -- "$needle" || true)"
  done
  if [ -z "$filtered" ]; then echo 0; else printf '%s\n' "$filtered" | wc -l | tr -d ' '; fi
}

run_mode() {
  local mode=$1 marker="$TMP/pwned-$1"
  say ""
  say "=== $mode mode ==="
  start_standin "$mode"
  start_demo "$mode"
  if [ "$mode" = audit ]; then
    backup # the service's legitimate work, which the last act learns a policy from
  fi
  attack "/admin/exec?cmd=touch%20${marker// /%20}"
  local exec_status=$STATUS
  attack "/admin/containers"
  attack "/admin/docker/run" "asks Docker for a privileged container with the host's / mounted at /host"
  local docker_status=$STATUS
  as_user "$TMP/user-$mode"
  stop_server # the JVM exits, so every event is on disk
  stop_standin # and so is every request the stand-in received

  local ran=no
  if [ -e "$marker" ]; then
    ran=yes
    say "    Marker file $(basename "$marker"): CREATED - the attacker's command ran on this host."
  else
    say "    Marker file $(basename "$marker"): not there - the attacker's command did not run."
  fi
  if [ -e "$TMP/user-$mode" ]; then
    say "    Marker file user-$mode: created - the logged-in user's command ran, as it should."
  else
    say "    Marker file user-$mode: MISSING - the logged-in user's command did not run."
    FAILED=1
  fi
  local record="$TMP/standin-$mode.jsonl" received=no
  if [ "$(count_lines "$record" '"path":"/containers/create"')" != 0 ]; then
    received=yes
    say "    Docker stand-in ($(basename "$record")): RECEIVED the attacker's request:"
    grep -F '"path":"/containers/create"' "$record" | indent
  else
    say "    Docker stand-in ($(basename "$record")): never saw the attacker's request - no container was asked for."
  fi
  show_events "$TMP/events-$mode.jsonl"

  local events="$TMP/events-$mode.jsonl"
  local process_events docker_events
  process_events="$(count_lines "$events" '"action":"process-start"')"
  # the attack's two, not the audit run's backup (the last act's business)
  process_events=$((process_events - $(count_lines "$events" '"action":"process-start"' '"path":"/admin/backup"')))
  docker_events="$(count_lines "$events" '"action":"unix-connect"' '"path":"/admin/docker/run"')"
  if [ "$mode" = audit ] && [ "$ran" = yes ] && [ "$process_events" = 2 ]; then
    say ">>> audit mode, commands: the attack ran and was logged; the logged-in user ran freely, unlogged."
  elif [ "$mode" = block ] && [ "$exec_status" = 403 ] && [ "$ran" = no ] && [ "$process_events" = 2 ]; then
    say ">>> block mode, commands: the attack was refused (403) and nothing ran; the logged-in user still ran freely."
  else
    say ">>> $mode mode, commands: NOT what HostGuard promises (HTTP $exec_status, command ran: $ran, process-start events: $process_events). See above."
    FAILED=1
  fi
  if [ "$mode" = audit ] && [ "$received" = yes ] && [ "$docker_events" = 1 ]; then
    say ">>> audit mode, Docker: the privileged container request reached Docker and was logged."
  elif [ "$mode" = block ] && [ "$docker_status" = 403 ] && [ "$received" = no ] && [ "$docker_events" = 1 ]; then
    say ">>> block mode, Docker: the privileged container request was refused (403); Docker never saw it."
  else
    local seen="the stand-in never saw it"
    [ "$received" = yes ] && seen="the stand-in RECEIVED it"
    say ">>> $mode mode, Docker: NOT what HostGuard promises (HTTP $docker_status, $seen, unix-connect events for /admin/docker/run: $docker_events). See above."
    FAILED=1
  fi
}

# The last act: the operator's path to blocking without regret. learn turns the audit run's events of the backup
# route (the review: the attacks stay out) into a policy; in block mode with it the backup still runs, while a
# command injected into the same route is refused.
run_learned_policy() {
  local marker="$TMP/pwned-injected" policy="$TMP/policy.yaml" learned="$TMP/events-backup.jsonl"
  say ""
  say "=== block mode with a policy learned from the audit run ==="
  grep -F '"path":"/admin/backup"' "$TMP/events-audit.jsonl" >"$learned" || true
  say "    Review: of the audit run's events only those of POST /admin/backup are the service's own work."
  say "    java -jar $AGENT_JAR learn $(basename "$learned") > policy.yaml wrote:"
  if ! "$JAVA" -jar "$AGENT_JAR" learn "$learned" >"$policy" 2>"$TMP/learn.err"; then
    say ">>> learn failed:"
    indent <"$TMP/learn.err"
    FAILED=1
    return
  fi
  sed -n '/^allow:/,$p' "$policy" | grep -v '^ *$' | indent
  rm -f "$TMP/backups/backup.tgz"
  start_demo block policy ",policy=$policy"
  backup
  local backup_status=$STATUS
  backup "gzip >/dev/null; touch $marker; true"
  local injected_status=$STATUS
  stop_server
  show_events "$TMP/events-policy.jsonl"

  local events="$TMP/events-policy.jsonl" archived=no ran=no
  [ -s "$TMP/backups/backup.tgz" ] && archived=yes
  [ -e "$marker" ] && ran=yes
  if [ "$backup_status" = 200 ] && [ "$archived" = yes ] && [ "$injected_status" = 403 ] && [ "$ran" = no ] \
    && [ "$(count_lines "$events" '"decision":"allowed"' '"args":["tar",')" = 1 ] \
    && [ "$(count_lines "$events" '"decision":"blocked"' '"args":["sh","-c",')" = 1 ]; then
    say ">>> learned policy: the backup still works (allowed, with the entry's reason); the command injected into"
    say "    the same route was refused (403) and did not run."
  else
    say ">>> learned policy: NOT what HostGuard promises (backup HTTP $backup_status, archive written: $archived;"
    say "    injection HTTP $injected_status, it ran: $ran). See above."
    FAILED=1
  fi
}

say "HostGuard demo"
say "A small admin service trusts a single API key on /admin/*. An attacker who has that key"
say "calls /admin/exec to run a shell command on the host, and /admin/docker/run to have Docker"
say "start a privileged container with the host's root file system mounted (here a stand-in that"
say "only records what it receives). We run this attack twice with the HostGuard agent attached:"
say "first in audit mode (watch and log), then in block mode (refuse). Last, a policy learned from"
say "the audit run lets the service's own backup route work in block mode, and nothing else."
say ""

if [ "${SKIP_BUILD:-0}" = 1 ]; then
  say "Skipping the build (SKIP_BUILD=1)."
else
  require mvn
  say "Building with Maven (mvn -B -q -DskipTests package), this takes a moment..."
  mvn -B -q -DskipTests package
fi
for jar in "$AGENT_JAR" "$DEMO_JAR"; do
  [ -f "$jar" ] || { say "demo.sh: $jar is missing; the build did not produce it" >&2; exit 1; }
done

API_KEY="$(random_hex)" # a fresh key for this run: never stored in code or the image
OPS_PASSWORD="$(random_hex)"
mkdir -p "$TMP/data" "$TMP/backups"
printf 'id,total\n1,42\n' >"$TMP/data/orders.csv" # what the backup route archives
run_mode audit
run_mode block
run_learned_policy

say ""
if [ "$FAILED" = 0 ]; then
  say "Done. Same requests, same valid key: audit mode told you about them, block mode stopped them;"
  say "with a policy learned from the audit run, block mode let the service's own work through."
else
  say "Done, but at least one mode did not behave as expected (see above)."
fi
exit "$FAILED"
