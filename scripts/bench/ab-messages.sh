#!/usr/bin/env bash
# Message posting, two builds side by side: the same generated network
# (imported by BASE_BIN) copied for each, both servers running on two
# loopback ports, wrk runs alternating between them, so that a noisy machine
# weighs on both alike.
#
#   BASE_BIN=old/entremise NEW_BIN=new/entremise scripts/bench/ab-messages.sh
#
# Settings: MEMBERS (20000), ROUNDS (4), SECONDS_EACH (15), CONNS (16),
# WORK (a scratch directory, removed first). Prints one line per run:
# requests/s, median, p99 and non-2xx answers. Release builds only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
driver=(env PYTHONDONTWRITEBYTECODE=1 python3 "$root/scripts/reliability/load_driver.py")
: "${BASE_BIN:?the build before the change}" "${NEW_BIN:?the build with it}"
work="${WORK:-/tmp/entremise-ab}"; rm -rf "$work"; mkdir -p "$work"
members=${MEMBERS:-20000}; rounds=${ROUNDS:-4}; seconds=${SECONDS_EACH:-15}; conns=${CONNS:-16}
"$BASE_BIN" graph gen --members "$members" --avg-degree 20 --seed 42 >"$work/edges.el"
"$BASE_BIN" import edges "$work/edges.el" --data-dir "$work/data" 2>"$work/import.log"
password="$(sed -nE 's/.*has the password ([0-9a-f]+).*/\1/p' "$work/import.log")"
"$BASE_BIN" import posts --per-member 5 --data-dir "$work/data" 2>"$work/posts.log" >&2
awk '!/^#/ && NF >= 2 { print "m" $1; print "m" $2 }' "$work/edges.el" | sort -u >"$work/handles"
cp -a "$work/data" "$work/data-base"; cp -a "$work/data" "$work/data-new"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
start() { # name bin port
  ENTREMISE_RATE_LIMIT_SCALE=1000000 \
    "$2" serve --data-dir "$work/data-$1" --listen "127.0.0.1:$3" >"$work/server-$1.log" 2>&1 &
  pids+=($!)
  "${driver[@]}" wait "http://127.0.0.1:$3" --pid "$!" --timeout 600
  mkdir -p "$work/$1"
  "${driver[@]}" prepare "http://127.0.0.1:$3" --password "$password" --handles "$work/handles" --tokens 400 --dir "$work/$1"
}
start base "$BASE_BIN" 8095
start new "$NEW_BIN" 8096
for r in $(seq 1 "$rounds"); do
  for v in base new; do
    port=8095; [ "$v" = new ] && port=8096
    TARGET=message TOKENS_FILE="$work/$v/tokens" HANDLES_FILE="$work/handles" \
      QUERIES_FILE="$work/$v/queries" CONVERSATIONS_FILE="$work/$v/conversations" \
      wrk -t1 -c"$conns" -d"${seconds}s" --latency -s "$root/scripts/wrk/load.lua" "http://127.0.0.1:$port" >"$work/wrk-$v-$r.txt" 2>&1 || true
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-$v-$r.txt")
    p50=$(awk '$1=="50%" {print $2}' "$work/wrk-$v-$r.txt")
    p99=$(awk '$1=="99%" {print $2}' "$work/wrk-$v-$r.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk-$v-$r.txt")
    echo "round $r $v: ${rps} req/s, median ${p50}, p99 ${p99}, non-2xx ${non2xx:-0}"
  done
done
