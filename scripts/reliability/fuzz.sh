#!/usr/bin/env bash
# Fuzzes entremise's input handling with cargo-fuzz (libFuzzer):
#
#   image_intake   an uploaded file through the media crate's `process`
#   parse_values   handles, e-mail addresses, list cursors, short texts
#   web_forms      urlencoded forms and multipart bodies through the router
#
#   scripts/reliability/fuzz.sh short [TARGET…]   what CI runs: each target
#       over its corpus, then FUZZ_SECONDS (default 15) of fuzzing
#   scripts/reliability/fuzz.sh long [TARGET…]    each target for
#       FUZZ_SECONDS (default 300) of fuzzing
#
# The seed corpora are fuzz/corpus/<target>/ (kept in the repository;
# `cd fuzz && cargo run --example seeds` rewrites the generated `seed-*`
# files). What a run discovers goes to a working corpus under the target
# directory (FUZZ_WORK_CORPUS, default $CARGO_TARGET_DIR/fuzz-corpus),
# which later runs start from, so the repository stays small.
#
# A crash, a timeout (FUZZ_TIMEOUT seconds for one input, default 60) or
# memory past FUZZ_RSS_MB (default 3072) fails the run: the input is saved
# in fuzz/artifacts/<target>/ and its path printed. Reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz TARGET fuzz/artifacts/TARGET/crash-…
# then fix the cause with a regression test in the crate at fault, and copy
# the input into fuzz/corpus/TARGET/ (named after what it found).
#
# cargo-fuzz needs nightly features of rustc: RUSTC_BOOTSTRAP=1 unlocks
# them on the stable toolchain. cargo-fuzz is installed into
# /root/.cache/entremise/bin when missing (pinned below). The targets are
# built with AddressSanitizer and debug assertions (overflow checks).
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.2
CACHE_ROOT=${ENTREMISE_CACHE:-/root/.cache/entremise}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGETS_ALL=(image_intake parse_values web_forms)

say() { printf '==> %s\n' "$*"; }
die() { printf 'fuzz.sh: %s\n' "$*" >&2; exit 1; }

form=${1:-}
case "$form" in
short) seconds=${FUZZ_SECONDS:-15} ;;
long) seconds=${FUZZ_SECONDS:-300} ;;
*) die "usage: fuzz.sh short|long [TARGET…]" ;;
esac
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${TARGETS_ALL[@]}")
for t in "${targets[@]}"; do
    [[ " ${TARGETS_ALL[*]} " == *" $t "* ]] || die "unknown target $t (known: ${TARGETS_ALL[*]})"
done

export PATH="$CACHE_ROOT/bin:$PATH"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
work_corpus=${FUZZ_WORK_CORPUS:-$CARGO_TARGET_DIR/fuzz-corpus}
timeout=${FUZZ_TIMEOUT:-60}
rss_mb=${FUZZ_RSS_MB:-3072}

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION into $CACHE_ROOT/bin"
    cargo install --locked --root "$CACHE_ROOT" --version "$CARGO_FUZZ_VERSION" cargo-fuzz
fi

cd "$ROOT"
say "building the fuzz targets (release, AddressSanitizer, debug assertions) in $CARGO_TARGET_DIR"
cargo fuzz build --fuzz-dir fuzz --debug-assertions ||
    die "the fuzz targets do not build (RUSTC_BOOTSTRAP=1 cargo fuzz build --fuzz-dir fuzz)"

max_len() {
    case "$1" in
    image_intake) echo 65536 ;;
    web_forms) echo 16384 ;;
    *) echo 4096 ;;
    esac
}

summary=()
failed=0
for t in "${targets[@]}"; do
    seeds=fuzz/corpus/$t
    [ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ] || die "no seed corpus in $seeds"
    mkdir -p "$work_corpus/$t" "fuzz/artifacts/$t"
    log=$(mktemp)
    say "$t: $(ls "$seeds" | wc -l) seeds, $(ls "$work_corpus/$t" | wc -l) inputs in the working corpus; fuzzing for ${seconds}s"
    set +e
    cargo fuzz run --fuzz-dir fuzz --debug-assertions "$t" "$work_corpus/$t" "$seeds" -- \
        -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
        -max_len="$(max_len "$t")" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ]; then
        failed=1
        grep -E "ERROR|panicked|Test unit written|SUMMARY|Artifact" "$log" | head -n 20 >&2 || true
        echo "--- last lines of the $t log ($log) ---" >&2
        tail -n 30 "$log" >&2
        summary+=("$t: FAILED (exit $rc) after ${runs:-?} runs; see $log")
    else
        rm -f "$log"
        summary+=("$t: ok, ${runs:-?} runs, ${rate:-?} exec/s, peak RSS ${peak:-?} MB, working corpus $(ls "$work_corpus/$t" | wc -l) inputs")
    fi
done

say "summary ($form form, ${seconds}s a target)"
printf '    %s\n' "${summary[@]}"
[ "$failed" -eq 0 ] || die "a fuzz target failed"
