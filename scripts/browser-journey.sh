#!/usr/bin/env bash
# Runs the browser journeys against a fresh demo server on loopback.
# Usage: scripts/browser-journey.sh [path/to/entremise binary]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/debug/entremise}"
port="${JOURNEY_PORT:-18080}"
data="$(mktemp -d)"
log="$data/server.log"
"$bin" serve --demo --data-dir "$data" --listen "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
# The demo is seeded before the server listens (images included): allow time.
for _ in $(seq 1 480); do
  if curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "server died:"; cat "$log"; exit 1; fi
  sleep 0.5
done
status=0
BASE_URL="http://127.0.0.1:$port" DEMO_ACCOUNTS="$data/demo-accounts.txt" node e2e/journey.mjs || status=1
BASE_URL="http://127.0.0.1:$port" node e2e/journey-introductions.mjs || status=1
BASE_URL="http://127.0.0.1:$port" DEMO_ACCOUNTS="$data/demo-accounts.txt" node e2e/journey-search.mjs || status=1
BASE_URL="http://127.0.0.1:$port" DEMO_ACCOUNTS="$data/demo-accounts.txt" node e2e/journey-posts.mjs || status=1
BASE_URL="http://127.0.0.1:$port" node e2e/journey-lens.mjs || status=1
BASE_URL="http://127.0.0.1:$port" DEMO_ACCOUNTS="$data/demo-accounts.txt" node e2e/journey-header.mjs || status=1
BASE_URL="http://127.0.0.1:$port" node e2e/journey-live.mjs || status=1
BASE_URL="http://127.0.0.1:$port" node e2e/journey-inbox.mjs || status=1
BASE_URL="http://127.0.0.1:$port" node e2e/journey-groups.mjs || status=1
BASE_URL="http://127.0.0.1:$port" DEMO_ACCOUNTS="$data/demo-accounts.txt" node e2e/journey-moderation.mjs || status=1
# Last: it spends the anonymous profile reads of this address.
BASE_URL="http://127.0.0.1:$port" node e2e/journey-limits.mjs || status=1
echo "screenshots: e2e/artifacts/"
exit "$status"
