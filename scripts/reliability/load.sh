#!/usr/bin/env bash
# Load: the server holds at saturation and under bursts.
#
#   scripts/reliability/load.sh short|long
#
# On a generated network (short: 2,000 members, debug build; long: 100,000
# members, release build), started on a free loopback port:
#  1. wrk at saturation on a profile, the home feed, search and posting a
#     message, each spread over many members: every answer must be 2xx, no
#     socket error, no timeout; requests/s, median and p99 are printed.
#  2. 500 sign-ins at once, each from its own address, with the right
#     password: 201, or 503 (password hashing full) or 429 (a limit), with
#     Retry-After; nothing else.
#  3. 50 uploads at once of a 10 MiB PNG (long: 6000x6000 pixels, near
#     the 40 Mpixel limit; short: 3000x3000, to keep decoding in a debug
#     build short): 201, or 503, 413, 422, 429; nothing else.
# During 2 and 3 another client asks for the health check and a profile
# every 50 ms: each must answer 200 within LOAD_PROBE_MAX_MS; the server's
# resident memory is sampled (and its peak read from VmHWM) and must not
# grow by more than LOAD_SIGNIN_MAX_GROWTH_MIB / LOAD_UPLOAD_MAX_GROWTH_MIB.
#
# The members signed in are many (short 200, long 1,000) so that writing a
# message is measured, not one member's limit of 120 messages a minute.
#
# Bounds, and why: sign-ins +256 MiB (argon2 takes 19 MiB a password, two
# passwords a core at once, plus 500 connections); uploads +2,048 MiB (one
# 36 Mpixel upload takes 300-350 MiB while it is decoded and scaled, a
# few at once are expected, plus the 10 MiB bodies; unbounded, 50 would
# take some 15 GiB). Past twice its bound and 512 MiB more, the server is
# killed, so that a runaway cannot take the machine down.
#
# Settings (environment): ENTREMISE_BIN (a built binary; else this builds
# one), LOAD_SECONDS (each wrk run), LOAD_CONNECTIONS, LOAD_MEMBERS,
# LOAD_TOKENS, LOAD_SIGNINS, LOAD_UPLOADS, LOAD_IMAGE_SIDE, the bounds
# above, LOAD_KEEP=1 to keep the working directory. Figures from a debug build are no performance
# figures: they show that the checks hold, not how fast the server is.
set -euo pipefail

form="${1:-}"
case "$form" in
short)
  members="${LOAD_MEMBERS:-2000}" degree=20 posts=5 seconds="${LOAD_SECONDS:-5}"
  tokens="${LOAD_TOKENS:-200}" profile=debug image_side="${LOAD_IMAGE_SIDE:-3000}"
  probe_max_ms="${LOAD_PROBE_MAX_MS:-3000}"
  ;;
long)
  members="${LOAD_MEMBERS:-100000}" degree=50 posts=10 seconds="${LOAD_SECONDS:-30}"
  tokens="${LOAD_TOKENS:-1000}" profile=release image_side="${LOAD_IMAGE_SIDE:-6000}"
  probe_max_ms="${LOAD_PROBE_MAX_MS:-1000}"
  ;;
*)
  echo "usage: $0 short|long" >&2
  exit 2
  ;;
esac
connections="${LOAD_CONNECTIONS:-16}"
signins="${LOAD_SIGNINS:-500}"
uploads="${LOAD_UPLOADS:-50}"
signin_growth="${LOAD_SIGNIN_MAX_GROWTH_MIB:-256}"
upload_growth="${LOAD_UPLOAD_MAX_GROWTH_MIB:-2048}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
driver=(env PYTHONDONTWRITEBYTECODE=1 python3 "$root/scripts/reliability/load_driver.py")
say() { printf '\n== %s\n' "$*"; }

if ! command -v wrk >/dev/null; then
  say "installing wrk"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y wrk >/dev/null ||
    { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y wrk >/dev/null; }
fi
command -v wrk >/dev/null || { echo "FAIL: wrk is not installed and could not be" >&2; exit 1; }

if [ -n "${ENTREMISE_BIN:-}" ]; then
  bin="$ENTREMISE_BIN"
else
  say "building the server ($profile)"
  target="${CARGO_TARGET_DIR:-$root/target}"
  if [ "$profile" = release ]; then
    (cd "$root" && cargo build --release --locked -p entremise)
  else
    (cd "$root" && cargo build --locked -p entremise)
  fi
  bin="$target/$profile/entremise"
fi
[ -x "$bin" ] || { echo "FAIL: no server binary at $bin" >&2; exit 1; }
case "$bin" in
*/debug/*) echo "NOTE: $bin is a debug build: its figures are no performance figures" ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/entremise-load.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${LOAD_KEEP:-0}" = 1 ]; then
    echo "working directory kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

say "preparing a network of $members members (average degree $degree, $posts posts each)"
started=$SECONDS
"$bin" graph gen --members "$members" --avg-degree "$degree" --seed 42 >"$work/edges.el"
"$bin" import edges "$work/edges.el" --data-dir "$work/data" 2>"$work/import.log" ||
  { cat "$work/import.log" >&2; exit 1; }
password="$(sed -nE 's/.*has the password ([0-9a-f]+).*/\1/p' "$work/import.log")"
[ -n "$password" ] || { cat "$work/import.log" >&2; echo "FAIL: import edges printed no password" >&2; exit 1; }
"$bin" import posts --per-member "$posts" --data-dir "$work/data" 2>"$work/posts.log" >&2 ||
  { cat "$work/posts.log" >&2; exit 1; }
# Every member of the edge list exists; ids without a contact do not.
awk '!/^#/ && NF >= 2 { print "m" $1; print "m" $2 }' "$work/edges.el" | sort -u >"$work/handles"
echo "$(wc -l <"$work/handles") members imported in $((SECONDS - started)) s"

say "starting the server"
port="$("${driver[@]}" free-port)"
url="http://127.0.0.1:$port"
# Limits scaled up so that the load is not cut short by them; the proxy
# trusted on loopback lets the sign-in burst come from many addresses.
ENTREMISE_RATE_LIMIT_SCALE=1000 ENTREMISE_TRUSTED_PROXIES=127.0.0.1/32 \
  "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
started=$SECONDS
"${driver[@]}" wait "$url" --pid "$server_pid" --timeout 600 || { tail -20 "$work/server.log" >&2; exit 1; }
echo "$url answers (pid $server_pid, ready in $((SECONDS - started)) s)"

say "signing in $tokens members, opening conversations, choosing search queries"
"${driver[@]}" prepare "$url" --password "$password" --handles "$work/handles" --tokens "$tokens" --dir "$work"

results="$work/results.jsonl"
failed=0
report() {
  "${driver[@]}" report "$results" --title "$form form, $(basename "$(dirname "$bin")") build, $members members, wrk -t1 -c$connections -d${seconds}s"
}
# After each step: a server that died fails the run at once, with what was
# measured until then.
server_alive() {
  kill -0 "$server_pid" 2>/dev/null && return 0
  echo "FAIL: the server exited; the end of its log:" >&2
  grep -v ' 503 ' "$work/server.log" | tail -20 >&2
  report || true
  return 1
}
for what in profile feed search message; do
  say "wrk at saturation: $what (-t1 -c$connections -d${seconds}s)"
  TARGET="$what" TOKENS_FILE="$work/tokens" HANDLES_FILE="$work/handles" \
    QUERIES_FILE="$work/queries" CONVERSATIONS_FILE="$work/conversations" \
    wrk -t1 -c"$connections" -d"${seconds}s" --latency -s "$root/scripts/wrk/load.lua" "$url" \
    >"$work/wrk-$what.txt" 2>&1 || true
  cat "$work/wrk-$what.txt"
  "${driver[@]}" wrk-result "$what" "$work/wrk-$what.txt" --results "$results" || failed=1
  server_alive || exit 1
done

probe_handle="$(head -1 "$work/handles")"
say "$signins sign-ins at once (memory growth bound +$signin_growth MiB, other requests within $probe_max_ms ms)"
"${driver[@]}" signin-burst "$url" --pid "$server_pid" --tokens "$work/tokens" \
  --probe-handle "$probe_handle" --count "$signins" --results "$results" \
  --max-probe-ms "$probe_max_ms" --max-growth-mib "$signin_growth" \
  --password "$password" --handles "$work/handles" || failed=1
server_alive || exit 1

say "$uploads uploads of a 10 MiB image at once (memory growth bound +$upload_growth MiB)"
"${driver[@]}" png "$work/large.png" --side "$image_side"
"${driver[@]}" upload-burst "$url" --pid "$server_pid" --tokens "$work/tokens" \
  --probe-handle "$probe_handle" --count "$uploads" --results "$results" \
  --max-probe-ms "$probe_max_ms" --max-growth-mib "$upload_growth" \
  --image "$work/large.png" || failed=1
server_alive || exit 1

if grep -q 'panicked' "$work/server.log"; then
  echo "FAIL: the server's log reports panics:" >&2
  grep 'panicked' "$work/server.log" | head -5 >&2
  failed=1
fi

report || failed=1
exit "$failed"
