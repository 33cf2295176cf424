#!/bin/bash
# Recommendations over HTTP, two server binaries taking turns on the same demo data, so the
# figures are ratios from the same minutes: each round starts one binary (`serve --demo`),
# logs the demo volunteer in and runs wrk with one and with four connections.
#
#   crates/api/benches/recommendations_ab.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Run it from a directory holding `config/` (a copy of the repository's); the demo data goes to
# its `data/`. For production mode, export HOURBOOK__DATABASE__URL (an empty database) and
# HOURBOOK__REDIS__URL first. Needs curl, jq and wrk.
set -euo pipefail
old=$1 new=$2 rounds=${3:-3}
base=http://127.0.0.1:8080
stop() { pkill -f -- "$old serve" || true; pkill -f -- "$new serve" || true; sleep 1; }
trap stop EXIT
for round in $(seq "$rounds"); do
  for which in old new; do
    binary=${!which}
    stop
    "$binary" serve --demo > "server-$which.log" 2>&1 &
    for _ in $(seq 100); do curl -sf -o /dev/null "$base/health" && break; sleep 0.3; done
    token=$(curl -s -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
      -d '{"email":"volunteer@demo.hourbook.cn","password":"hourbook-demo"}' | jq -r .token)
    for connections in "-t1 -c1" "-t2 -c4"; do
      # shellcheck disable=SC2086 # the thread and connection options are two words
      figures=$(wrk --latency $connections -d10s -H "authorization: Bearer $token" \
        "$base/api/v1/me/recommendations?limit=20" | grep -E ' 50%| 99%|Requests/sec' | tr -s ' ' | tr '\n' ' ')
      echo "round $round $which $connections: $figures"
    done
  done
done
