#!/usr/bin/env bash
# The home feed with groups, same build, two copies of the same network
# side by side: MEMBERS persons with AVG contacts each and 10 posts each;
# the second copy also has GROUP_COUNT open groups, each person a member of
# PER_MEMBER of them, each group with POSTS_PER_GROUP posts. wrk asks the
# feeds of 40 random members (`GET /api/v1/feed`, 20 posts), alternating
# between the two copies, ROUNDS times; prints requests/s, median and p99.
#
#   BIN=target/release/entremise scripts/bench/groups-feed.sh
#
# With BASELINE_BIN (the build before a change), a third server runs that
# build on a third copy of the network with groups, and takes its turn.
#
# Settings: MEMBERS (20000), AVG (300), GROUP_COUNT (1000; not GROUPS, which
# bash keeps for the user's groups), PER_MEMBER (20),
# POSTS_PER_GROUP (100), ROUNDS (5), SECONDS_EACH (15), CONNS (16),
# WORK (a scratch directory, removed first). Release builds only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${BIN:?a release build of entremise}"
work="${WORK:-/tmp/entremise-groups-feed}"; rm -rf "$work"; mkdir -p "$work"
members=${MEMBERS:-20000}; avg=${AVG:-300}; groups=${GROUP_COUNT:-1000}
per_member=${PER_MEMBER:-20}; posts_per_group=${POSTS_PER_GROUP:-100}
rounds=${ROUNDS:-5}; seconds=${SECONDS_EACH:-15}; conns=${CONNS:-16}
"$BIN" graph gen --members "$members" --avg-degree "$avg" --seed 42 >"$work/edges.el"
"$BIN" import edges "$work/edges.el" --data-dir "$work/plain" 2>"$work/import.log"
password="$(sed -nE 's/.*has the password ([0-9a-f]+).*/\1/p' "$work/import.log")"
"$BIN" import posts --per-member 10 --data-dir "$work/plain" 2>>"$work/import.log"
cp -a "$work/plain" "$work/groups"
"$BIN" import groups --count "$groups" --per-member "$per_member" \
  --posts-per-group "$posts_per_group" --data-dir "$work/groups" 2>>"$work/import.log"
tail -1 "$work/import.log"
servers=("plain:8097:$BIN" "groups:8098:$BIN")
if [ -n "${BASELINE_BIN:-}" ]; then
  cp -a "$work/groups" "$work/baseline"
  servers+=("baseline:8099:$BASELINE_BIN")
fi
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for server in "${servers[@]}"; do
  IFS=: read -r name port bin <<<"$server"
  ENTREMISE_RATE_LIMIT_SCALE=1000000 "$bin" serve --data-dir "$work/$name" \
    --listen "127.0.0.1:$port" >"$work/server-$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  "$root/scripts/wrk/tokens.sh" "http://127.0.0.1:$port" "$password" 40 "$members" >"$work/tokens-$name"
done
summary() { # wrk output file
  awk '/Requests\/sec/ {r=$2} $1=="50%" {m=$2} $1=="99%" {p=$2} /Non-2xx/ {n=$NF}
       END {printf "%s req/s, median %s, p99 %s, non-2xx %s\n", r, m, p, (n == "" ? 0 : n)}' "$1"
}
# One feed with groups, checked before measuring: it holds group posts.
token=$(cut -d' ' -f1 "$work/tokens-groups")
curl -sf -H "Authorization: Bearer $token" http://127.0.0.1:8098/api/v1/feed \
  | grep -o '"audience":"group:[^"]*"' | sort | uniq -c | head -5
for round in $(seq 1 "$rounds"); do
  for server in "${servers[@]}"; do
    IFS=: read -r name port _ <<<"$server"
    TOKENS="$(cat "$work/tokens-$name")" wrk -t1 -c"$conns" -d"${seconds}s" --latency \
      -s "$root/scripts/wrk/feed.lua" "http://127.0.0.1:$port" >"$work/wrk-$name-$round.txt" 2>&1 || true
    echo "round $round, $name: $(summary "$work/wrk-$name-$round.txt")"
  done
done
