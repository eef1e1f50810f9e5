#!/usr/bin/env bash
# Crash safety of the real binary: writers at full speed while the server is
# `kill -9`ed at random moments (every acknowledged write must survive, the
# served network and feeds must equal the store, the database must pass
# PRAGMA integrity_check), the same on a full disk (a small tmpfs; needs
# root), and a backup taken while writing, restored and served.
#
# Usage: scripts/reliability/crash.sh short|long
#   short: 3 kills (what CI runs, about a minute once built)
#   long:  25 kills, and the disk-full run three times
# ENTREMISE_CRASH_SEED replays a run (each run prints its seed).
set -euo pipefail
cd "$(dirname "$0")/../.."

case "${1:-}" in
  short) kills=3 disk_runs=1 ;;
  long) kills=25 disk_runs=3 ;;
  *) echo "usage: $0 short|long" >&2; exit 2 ;;
esac

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "== installing cargo-nextest into /root/.cache/entremise"
  cargo install --locked --root /root/.cache/entremise cargo-nextest
  export PATH="/root/.cache/entremise/bin:$PATH"
fi
if [ "$(id -u)" != 0 ]; then
  echo "the disk-full run mounts a tmpfs and needs root" >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
run() {
  # The tests start the binary themselves (random loopback ports,
  # temporary data directories) and stop it when they end.
  ENTREMISE_CRASH_KILLS="$kills" ENTREMISE_DISK_FULL_REQUIRED=1 \
    cargo nextest run -p entremise --no-capture --no-fail-fast -E "$1" 2>&1 | tee -a "$log"
}

echo "== $1 form: $kills kills, $disk_runs disk-full run(s), a backup and restore"
run 'test(=crash::kill_nine_loses_no_acknowledged_write) | test(=backup::a_backup_taken_while_writing_restores_everything)'
for i in $(seq 1 "$disk_runs"); do
  echo "== disk-full run $i/$disk_runs"
  run 'test(=disk_full::a_full_disk_refuses_writes_clearly_and_recovers)'
done

echo "== summary"
grep -E "^(crash run done|disk-full run done|kill [0-9]+/)" "$log" | tail -n 40 || true
if grep -q "SKIPPED" "$log"; then
  echo "a test reported itself skipped" >&2
  exit 1
fi
