#!/usr/bin/env bash
# The follow-up inbox at scale, two builds side by side: a page run by a
# team of TEAM members with ITEMS open items (one member's comment each,
# written through the API), then
#   - the first page of its inbox (`GET /api/v1/inbox?as=…&limit=20`, the
#     team's tokens), beside `/api/v1/health`, on the new build;
#   - answering (a team member's reply in a thread, as the page on the new
#     build, where it closes an item; as himself on the build before, which
#     has no inbox), on both builds, alternating.
#
#   BASE_BIN=old/entremise NEW_BIN=new/entremise scripts/bench/inbox.sh
#
# Settings: MEMBERS (20000), ITEMS (100000), TEAM (50), ROUNDS (3),
# SECONDS_EACH (10), CONNS (16), WORK (a scratch directory, removed
# first). Prints one line per run: requests/s, median, p99, non-2xx.
# Release builds only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
driver=(env PYTHONDONTWRITEBYTECODE=1 python3 "$root/scripts/reliability/load_driver.py")
: "${BASE_BIN:?the build before the change}" "${NEW_BIN:?the build with it}"
work="${WORK:-/tmp/entremise-inbox-bench}"; rm -rf "$work"; mkdir -p "$work"
members=${MEMBERS:-20000}; items=${ITEMS:-100000}; team=${TEAM:-50}
rounds=${ROUNDS:-3}; seconds=${SECONDS_EACH:-10}; conns=${CONNS:-16}
"$BASE_BIN" graph gen --members "$members" --avg-degree 20 --seed 42 >"$work/edges.el"
"$BASE_BIN" import edges "$work/edges.el" --data-dir "$work/data" 2>"$work/import.log"
password="$(sed -nE 's/.*has the password ([0-9a-f]+).*/\1/p' "$work/import.log")"
awk '!/^#/ && NF >= 2 { print "m" $1; print "m" $2 }' "$work/edges.el" | sort -u >"$work/handles"
cp -a "$work/data" "$work/data-base"; cp -a "$work/data" "$work/data-new"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
summary() { # wrk output file
  awk '/Requests\/sec/ {r=$2} $1=="50%" {m=$2} $1=="99%" {p=$2} /Non-2xx/ {n=$NF}
       END {printf "%s req/s, median %s, p99 %s, non-2xx %s\n", r, m, p, (n == "" ? 0 : n)}' "$1"
}
run() { # name port target [env...]
  local name=$1 port=$2 target=$3; shift 3
  env TARGET="$target" "$@" wrk -t1 -c"$conns" -d"${seconds}s" --latency \
    -s "$root/scripts/wrk/load.lua" "http://127.0.0.1:$port" >"$work/wrk-$name.txt" 2>&1 || true
  echo "$name: $(summary "$work/wrk-$name.txt")"
}
start() { # name bin port
  ENTREMISE_RATE_LIMIT_SCALE=1000000 \
    "$2" serve --data-dir "$work/data-$1" --listen "127.0.0.1:$3" >"$work/server-$1.log" 2>&1 &
  pids+=($!)
  "${driver[@]}" wait "http://127.0.0.1:$3" --pid "$!" --timeout 600
  mkdir -p "$work/$1"
  "${driver[@]}" prepare "http://127.0.0.1:$3" --password "$password" --handles "$work/handles" --tokens 400 --dir "$work/$1"
  "${driver[@]}" inbox-seed "http://127.0.0.1:$3" --password "$password" --handles "$work/handles" --team "$team" --dir "$work/$1"
  # The items: ITEMS - 1 more comments, each a thread of its own.
  local started=$SECONDS
  TARGET=comment TOKENS_FILE="$work/$1/tokens" POST_ID="$(cat "$work/$1/post")" COUNT=$((items - 1)) \
    wrk -t1 -c"$conns" -d"$(( items / 500 + 30 ))s" -s "$root/scripts/wrk/load.lua" \
    "http://127.0.0.1:$3" >"$work/seed-$1.txt" 2>&1 || true
  echo "$1: $(awk '$1=="status" && $2==201 {print $3}' "$work/seed-$1.txt") comments written in $((SECONDS - started)) s"
}
start base "$BASE_BIN" 8095
start new "$NEW_BIN" 8096
new_url=http://127.0.0.1:8096
token=$(head -1 "$work/new/team-tokens")
curl -sf -H "Authorization: Bearer $token" "$new_url/api/v1/inbox/counts" | sed 's/^/new: inbox counts /'; echo
for r in $(seq 1 "$rounds"); do
  run "inbox-$r" 8096 inbox TOKENS_FILE="$work/new/team-tokens" AS=benchco
  run "health-$r" 8096 health
done
sent_base=0; sent_new=0
for r in $(seq 1 "$rounds"); do
  for v in base new; do
    port=8095; as=""; [ "$v" = new ] && { port=8096; as=benchco; }
    first=$(( $(cat "$work/$v/first") + $([ "$v" = new ] && echo "$sent_new" || echo "$sent_base") ))
    run "answer-$v-$r" "$port" answer TOKENS_FILE="$work/$v/team-tokens" \
      POST_ID="$(cat "$work/$v/post")" FIRST_ID="$first" AS="$as"
    done_now=$(awk '/requests in/ {print $1}' "$work/wrk-answer-$v-$r.txt")
    if [ "$v" = new ]; then sent_new=$((sent_new + done_now)); else sent_base=$((sent_base + done_now)); fi
  done
done
curl -sf -H "Authorization: Bearer $token" "$new_url/api/v1/inbox/counts" | sed 's/^/new: inbox counts after the answers /'; echo
grep -h "inbox: rebuilt\|inbox is late" "$work/server-new.log" || true
