#!/usr/bin/env bash
# Supply-chain checks (cargo-deny): licences, bans (duplicate versions,
# wildcards), sources (crates.io only) and security advisories, as set in
# deny.toml, on the main workspace.
#
#   scripts/reliability/deny.sh short     what CI runs (all four checks)
#   scripts/reliability/deny.sh long      the same (the checks are quick)
#   scripts/reliability/deny.sh refresh SRC
#                                         re-vendor the advisory database
#
# Advisories come from the RustSec database vendored in
# supply-chain/advisory-db, not from GitHub (unreachable from CI): the
# advisories of the crates in Cargo.lock, the list of crate names they were
# looked up for (COVERED) and where they come from (SNAPSHOT). The check
# fails when
#   - Cargo.lock names a crate that the vendored database was not built
#     for (a new dependency): refresh it;
#   - the snapshot is older than deny.toml's maximum-db-staleness;
#   - cargo-deny cannot load the database (never a silent pass).
#
# Refreshing (on a machine that reaches GitHub):
#   git clone --depth 1 https://github.com/rustsec/advisory-db /tmp/advisory-db
#   scripts/reliability/deny.sh refresh /tmp/advisory-db
#   git add supply-chain/advisory-db && git commit
# SRC may be a checkout or a bare git directory of the database. Refresh
# after any change to Cargo.lock that adds a crate, and at least quarterly.
#
# cargo-deny is installed into /root/.cache/entremise/bin when missing
# (pinned below). `cargo fetch` (crates.io) runs first: cargo-deny reads
# the dependency graph offline.
set -euo pipefail

CARGO_DENY_VERSION=0.20.2
CACHE_ROOT=${ENTREMISE_CACHE:-/root/.cache/entremise}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENDORED=$ROOT/supply-chain/advisory-db
# The directory cargo-deny opens for db-urls = ["https://github.com/rustsec/advisory-db"]:
# the URL's last segment and the XXH64 (seed 0xca80de71) of the lowercased
# URL. It changes only with that URL.
DB_DIR_NAME=advisory-db-3157b0e258782691

say() { printf '==> %s\n' "$*"; }
die() { printf 'deny.sh: %s\n' "$*" >&2; exit 1; }

# Crate names of a Cargo.lock, one a line, sorted.
lock_names() {
    sed -n 's/^name = "\(.*\)"$/\1/p' "$1" | sort -u
}

refresh() {
    local src=${1:-}
    [ -n "$src" ] || die "usage: deny.sh refresh PATH-TO-ADVISORY-DB (a checkout or a bare git directory)"
    local tmp
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    local commit date
    if [ -d "$src/crates" ]; then
        cp -a "$src/crates" "$tmp/crates"
        cp "$src/LICENSE.txt" "$tmp/"
        cp -a "$src/LICENSES" "$tmp/"
        commit=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)
        date=$(git -C "$src" show -s --format=%cI HEAD 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
    elif git --git-dir="$src" rev-parse --verify HEAD >/dev/null 2>&1; then
        git --git-dir="$src" archive HEAD crates LICENSE.txt LICENSES | tar -x -C "$tmp"
        commit=$(git --git-dir="$src" rev-parse HEAD)
        date=$(git --git-dir="$src" show -s --format=%cI HEAD)
    else
        die "$src is neither a checkout of the advisory database (no crates/) nor a git directory"
    fi
    local names
    names=$(lock_names "$ROOT/Cargo.lock")
    rm -rf "$VENDORED"
    mkdir -p "$VENDORED/crates"
    local kept=0 name
    for name in $names; do
        if [ -d "$tmp/crates/$name" ]; then
            cp -a "$tmp/crates/$name" "$VENDORED/crates/"
            kept=$((kept + 1))
        fi
    done
    cp "$tmp/LICENSE.txt" "$VENDORED/"
    cp -a "$tmp/LICENSES" "$VENDORED/"
    printf '%s\n' "$names" >"$VENDORED/COVERED"
    cat >"$VENDORED/SNAPSHOT" <<EOF
source: https://github.com/rustsec/advisory-db
commit: $commit
date: $date
vendored: $(date -u +%Y-%m-%dT%H:%M:%SZ)
scope: the crates named in COVERED (those of Cargo.lock); $kept of them have advisories
EOF
    say "vendored $(find "$VENDORED/crates" -name '*.md' | wc -l) advisories for $kept crates of $(wc -l <"$VENDORED/COVERED") (snapshot $commit of $date) into $VENDORED ($(du -sh "$VENDORED" | cut -f1))"
}

install_cargo_deny() {
    local bin=$CACHE_ROOT/bin/cargo-deny
    if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
        return
    fi
    say "installing cargo-deny $CARGO_DENY_VERSION into $CACHE_ROOT/bin"
    cargo install --locked --root "$CACHE_ROOT" --version "$CARGO_DENY_VERSION" cargo-deny
}

check() {
    [ -f "$VENDORED/SNAPSHOT" ] && [ -f "$VENDORED/COVERED" ] && [ -d "$VENDORED/crates" ] ||
        die "the vendored advisory database is missing from $VENDORED: see 'refresh' in $0"
    local missing
    missing=$(comm -23 <(lock_names "$ROOT/Cargo.lock") "$VENDORED/COVERED")
    if [ -n "$missing" ]; then
        die "Cargo.lock names crates the vendored advisory database was not built for: $(echo "$missing" | tr '\n' ' ')— refresh it (see 'refresh' in $0)"
    fi
    install_cargo_deny
    say "fetching the dependency graph's crates (crates.io)"
    (cd "$ROOT" && cargo fetch --locked --quiet)

    local dbs
    dbs=$(mktemp -d)
    # Expanded now: the variable is gone when the trap runs.
    trap "rm -rf '$dbs'" EXIT
    local db=$dbs/$DB_DIR_NAME
    mkdir -p "$db"
    cp -a "$VENDORED/crates" "$db/"
    # cargo-deny opens the database as a git repository and takes its age
    # from HEAD: one commit dated as the upstream snapshot, so that
    # maximum-db-staleness judges the snapshot, not this copy.
    local date
    date=$(sed -n 's/^date: //p' "$VENDORED/SNAPSHOT")
    [ -n "$date" ] || die "no date in $VENDORED/SNAPSHOT"
    git -C "$db" init --quiet
    git -C "$db" add crates
    GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
        git -C "$db" -c user.name=entremise -c user.email=ci@entremise.invalid \
        commit --quiet -m "advisory-db snapshot"
    touch -d "$date" "$db/.git/HEAD"
    local age_days=$((($(date +%s) - $(date -d "$date" +%s)) / 86400))
    say "advisory database: $(find "$db/crates" -name '*.md' | wc -l) advisories, snapshot of $date ($age_days days old)"

    say "cargo deny check (licences, bans, sources, advisories)"
    (cd "$ROOT" && ENTREMISE_ADVISORY_DBS=$dbs "$CACHE_ROOT/bin/cargo-deny" \
        --offline --locked check --show-stats advisories bans licenses sources)
    say "cargo deny: all checks passed"
}

case "${1:-}" in
short | long) check ;;
refresh) refresh "${2:-}" ;;
*) die "usage: deny.sh short|long|refresh PATH" ;;
esac
