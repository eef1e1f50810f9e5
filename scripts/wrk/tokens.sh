#!/usr/bin/env bash
# Signs in COUNT imported members picked at random (m<ID>@import.entremise.test,
# the password `import edges` printed) and prints their bearer tokens on one
# line, separated by spaces, for the TOKENS variable of the wrk scripts.
#   scripts/wrk/tokens.sh URL PASSWORD [COUNT] [MEMBERS] [SEED]
set -euo pipefail
url="${1:?base URL, e.g. http://127.0.0.1:8095}"
password="${2:?the password printed by import edges}"
count="${3:-40}"
members="${4:-100000}"
RANDOM="${5:-42}"
tokens=()
for _ in $(seq "$count"); do
  id=$(( (RANDOM * 32768 + RANDOM) % members ))
  answer=$(curl -sf -X POST "$url/api/v1/sessions" -H 'content-type: application/json' \
    -d "{\"email\":\"m$id@import.entremise.test\",\"password\":\"$password\"}")
  tokens+=("$(printf '%s' "$answer" | sed -E 's/.*"token":"([^"]+)".*/\1/')")
done
echo "${tokens[*]}"
