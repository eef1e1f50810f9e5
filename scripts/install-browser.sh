#!/usr/bin/env bash
# Installs what the browser journeys need: Debian's Chromium and the
# playwright-core package (which downloads no browser of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium from Debian…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
