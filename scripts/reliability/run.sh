#!/usr/bin/env bash
# The reliability suite: contract fuzzing, crash safety, fuzz targets, load
# and supply-chain checks, each bounded in time and run on loopback.
#
#   scripts/reliability/run.sh short   # what CI runs (a few minutes)
#   scripts/reliability/run.sh long    # the full form (an hour or more)
#
# Each part is a script of this directory taking the same argument; one that
# fails fails the suite, after the others have run. Set ENTREMISE_BIN to a
# built binary to skip building one.
set -uo pipefail
cd "$(dirname "$0")/../.."

form="${1:-short}"
case "$form" in
short | long) ;;
*)
    echo "usage: $0 short|long" >&2
    exit 2
    ;;
esac

parts=(deny contract crash fuzz load)
failed=()
for part in "${parts[@]}"; do
    printf '\n=== reliability: %s (%s)\n' "$part" "$form"
    started=$SECONDS
    if "scripts/reliability/$part.sh" "$form"; then
        printf '=== reliability: %s passed in %d s\n' "$part" $((SECONDS - started))
    else
        printf '=== reliability: %s FAILED after %d s\n' "$part" $((SECONDS - started))
        failed+=("$part")
    fi
done

if ((${#failed[@]})); then
    printf '\nreliability suite (%s): failed: %s\n' "$form" "${failed[*]}" >&2
    exit 1
fi
printf '\nreliability suite (%s): every part passed\n' "$form"
