#!/bin/bash
# Recommendations over HTTP, two server binaries taking turns, so the figures are ratios from
# the same minutes: each round starts one binary (`serve --demo`), logs the demo volunteer in
# and runs wrk with one and with four connections.
#
#   crates/api/benches/recommendations_ab.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Run it from a directory holding `config/` (a copy of the repository's). Each binary keeps its
# own data in `old/` and `new/` (a newer binary's migrations would stop an older one). For
# production mode export OLD_DATABASE_URL and NEW_DATABASE_URL (two empty PostgreSQL
# databases) and HOURBOOK__REDIS__URL first. Needs curl, jq and wrk.
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2") rounds=${3:-3}
base=http://127.0.0.1:8080
server=
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi; }
trap stop EXIT
for which in old new; do
  rm -rf "$which" && mkdir "$which" && cp -r config "$which/"
done
for round in $(seq "$rounds"); do
  for which in old new; do
    url_var=${which^^}_DATABASE_URL
    (
      cd "$which"
      if [ -n "${!url_var:-}" ]; then export HOURBOOK__DATABASE__URL=${!url_var}; fi
      exec "${!which}" serve --demo > server.log 2>&1
    ) &
    server=$!
    up=
    for _ in $(seq 200); do curl -sf -o /dev/null "$base/readyz" && up=1 && break; sleep 0.3; done
    [ -n "$up" ] || { echo "the $which server did not start: see $which/server.log" >&2; exit 1; }
    token=$(curl -s -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
      -d '{"email":"volunteer@demo.hourbook.cn","password":"hourbook-demo"}' | jq -r .token)
    for connections in "-t1 -c1" "-t2 -c4"; do
      # shellcheck disable=SC2086 # the thread and connection options are two words
      figures=$(wrk --latency $connections -d10s -H "authorization: Bearer $token" \
        "$base/api/v1/me/recommendations?limit=20" | grep -E ' 50%| 99%|Requests/sec' | tr -s ' ' | tr '\n' ' ')
      echo "round $round $which $connections: $figures"
    done
    stop
  done
done
