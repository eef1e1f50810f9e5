#!/usr/bin/env bash
# A real SMTP server on loopback for the SMTP adapter's test
# (crates/entremise-mail/tests/smtp_relay.rs): aiosmtpd (pinned, in a venv)
# with its Maildir handler, so every message it accepts is a file.
#
#   eval "$(scripts/smtp-test-server.sh start)"   # starts it, prints the exports
#   cargo nextest run -p entremise-mail
#   scripts/smtp-test-server.sh stop
#
# `start` prints, on standard output and nothing else:
#   export ENTREMISE_TEST_SMTP=127.0.0.1:PORT
#   export ENTREMISE_TEST_SMTP_MAILDIR=DIR
# and fails unless the server answers within 15 s. `stop` ends the server
# it started (by the pid it recorded) and removes its directory.
# Environment: ENTREMISE_CACHE (where the venv lives, default
# /root/.cache/entremise), ENTREMISE_SMTP_TEST_DIR (the server's directory,
# default /tmp/entremise-smtp-test).
set -euo pipefail

AIOSMTPD_VERSION=1.4.6
CACHE_ROOT=${ENTREMISE_CACHE:-$HOME/.cache/entremise}
VENV=$CACHE_ROOT/aiosmtpd-venv
STATE=${ENTREMISE_SMTP_TEST_DIR:-/tmp/entremise-smtp-test}

say() { printf 'smtp-test-server: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

install() {
    if "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('aiosmtpd') != '$AIOSMTPD_VERSION')" 2>/dev/null; then
        return
    fi
    say "installing aiosmtpd $AIOSMTPD_VERSION into $VENV"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "aiosmtpd==$AIOSMTPD_VERSION" >&2
}

stop() {
    if [ -f "$STATE/pid" ]; then
        local pid
        pid=$(cat "$STATE/pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$STATE"
}

start() {
    install
    stop
    # A Maildir: its three folders (aiosmtpd makes them only for a new path).
    mkdir -p "$STATE/maildir/tmp" "$STATE/maildir/new" "$STATE/maildir/cur"
    local port
    port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # setsid: the server outlives this script, in its own process group.
    setsid "$VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$port" \
        -c aiosmtpd.handlers.Mailbox "$STATE/maildir" \
        </dev/null >"$STATE/server.log" 2>&1 &
    echo $! >"$STATE/pid"
    for _ in $(seq 150); do
        if "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null; then
            say "listening on 127.0.0.1:$port, writing to $STATE/maildir (log: $STATE/server.log)"
            echo "export ENTREMISE_TEST_SMTP=127.0.0.1:$port"
            echo "export ENTREMISE_TEST_SMTP_MAILDIR=$STATE/maildir"
            return
        fi
        kill -0 "$(cat "$STATE/pid")" 2>/dev/null || break
        sleep 0.1
    done
    cat "$STATE/server.log" >&2 || true
    stop
    die "aiosmtpd did not start on 127.0.0.1:$port"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop" ;;
esac
