#!/usr/bin/env bash
# HostGuard in two minutes: build, then attack the demo service twice with a leaked API key,
# once with the agent in audit mode and once in block mode, and show what happened.
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
SERVER_PID=""
FAILED=0

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  stop_server
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

# Starts the demo with the agent in the given mode; sets SERVER_PID and PORT.
start_demo() {
  local mode=$1 log="$TMP/demo-$1.log"
  : >"$log" # exists before the background JVM opens it, so polling can start at once
  API_KEY="$API_KEY" OPS_USER=ops OPS_PASSWORD="$OPS_PASSWORD" PORT=0 BIND=127.0.0.1 \
    "$JAVA" "-javaagent:$AGENT_JAR=mode=$mode,events=$TMP/events-$mode.jsonl" -jar "$DEMO_JAR" \
    >"$log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  local deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  while [ -z "$PORT" ]; do
    PORT="$(sed -n 's#^hostguard-demo listening on http://[^ ]*:\([0-9][0-9]*\)$#\1#p' "$log" | head -n 1)"
    if [ -z "$PORT" ]; then
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        say "The demo exited before it was ready. Its output:"
        indent <"$log"
        exit 1
      elif [ "$SECONDS" -ge "$deadline" ]; then
        say "The demo printed no readiness line within ${READY_TIMEOUT_SECONDS} s. Its output:"
        indent <"$log"
        exit 1
      fi
      sleep 0.2
    fi
  done
  say "    The demo service is up on http://127.0.0.1:$PORT, HostGuard attached in $mode mode."
}

# GETs a path with the leaked key; prints what the attacker sees; sets STATUS.
attack() {
  local path=$1 body="$TMP/body"
  : >"$body"
  STATUS="$(curl -s -o "$body" -w '%{http_code}' -H "X-API-Key: $API_KEY" "http://127.0.0.1:$PORT$path" || true)"
  say "    Attacker -> GET $path"
  say "      <- HTTP $STATUS"
  awk 'NR <= 8 { print "        " $0 }' "$body" # awk also ends a body that lacks a final newline
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
print("      %s %s %s on %s %s (auth %s, key %s, rule %s)" % (h["decision"].upper(), e["event"]["action"],
      " ".join(e["process"]["args"]), e["http"]["request"]["method"], e["url"]["path"], h["auth"],
      e.get("api_key", {}).get("fingerprint", "-"), h["rule"]))' || true
    fi
    printf '%s\n' "$line" | indent
  done <"$file"
}

run_mode() {
  local mode=$1 marker="$TMP/pwned-$1"
  say ""
  say "=== $mode mode ==="
  start_demo "$mode"
  attack "/admin/exec?cmd=touch%20${marker// /%20}"
  local exec_status=$STATUS
  attack "/admin/containers"
  as_user "$TMP/user-$mode"
  stop_server # the JVM exits, so every event is on disk

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
  show_events "$TMP/events-$mode.jsonl"

  local events=0
  [ -f "$TMP/events-$mode.jsonl" ] && events="$(wc -l <"$TMP/events-$mode.jsonl" | tr -d ' ')"
  if [ "$mode" = audit ] && [ "$ran" = yes ] && [ "$events" = 2 ]; then
    say ">>> audit mode: the attack ran and was logged; the logged-in user ran freely, unlogged."
  elif [ "$mode" = block ] && [ "$exec_status" = 403 ] && [ "$ran" = no ] && [ "$events" = 2 ]; then
    say ">>> block mode: the attack was refused (403) and nothing ran; the logged-in user still ran freely."
  else
    say ">>> $mode mode: NOT what HostGuard promises (HTTP $exec_status, command ran: $ran, events: $events). See above."
    FAILED=1
  fi
}

say "HostGuard demo"
say "A small admin service trusts a single API key on /admin/*. An attacker who has that key"
say "calls /admin/exec to run a shell command on the host. We run this attack twice with the"
say "HostGuard agent attached: first in audit mode (watch and log), then in block mode (refuse)."
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
run_mode audit
run_mode block

say ""
if [ "$FAILED" = 0 ]; then
  say "Done. Same request, same valid key: audit mode told you about it, block mode stopped it."
else
  say "Done, but at least one mode did not behave as expected (see above)."
fi
exit "$FAILED"
