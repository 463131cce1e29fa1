#!/usr/bin/env bash
# `npm run test:clock [-- --only unit|e2e] [MOMENT ...]`: the suite with the
# clock moved to the moments where date arithmetic breaks. Each MOMENT is
# "ISO-UTC-time[@Time/Zone]"; the zone is the servers' TZ and the browser's.
#
# The clock is moved by libfaketime (Debian's `faketime`), which every process
# started here inherits: vitest's workers, the embedded PGlite inside them, the
# e2e servers and Chromium. The shared PostgreSQL server keeps the real time,
# so these runs use PGlite only (TEST_DATABASE_URL is cleared): a test that
# compared the faked clock with the real server's now() would prove nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."

only=all
moments=()
stories=() # after --: which browser stories (Playwright file filters); all of them when empty
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --) shift; stories=("$@"); break ;;
    *) moments+=("$1"); shift ;;
  esac
done
if [ ${#moments[@]} -eq 0 ]; then
  moments=(
    "2026-12-01T00:00:05Z"                  # the first minute of a month
    "2027-04-01T00:00:05Z"                  # the first minute of a quarter (and a month)
    "2026-12-31T23:59:00Z"                  # the year turns during the run; 2026 has an ISO week 53
    "2027-03-14T06:58:00Z@America/New_York" # clocks spring forward two minutes in
  )
fi

if ! command -v faketime >/dev/null; then
  echo "test:clock needs libfaketime: apt-get install -y faketime" >&2
  exit 2
fi

unset TEST_DATABASE_URL
# Built once with the real clock: only the servers, the tests and the browser run on the moved one.
# CLOCK_REUSE_BUILD=1: the build in ./build is this tree's already (CI's browser tests made it just before).
[ "$only" = unit ] || [ "${CLOCK_REUSE_BUILD:-}" = 1 ] || npm run build
failed=()
for moment in "${moments[@]}"; do
  at="${moment%%@*}"
  zone=UTC
  [ "$moment" != "$at" ] && zone="${moment#*@}"
  # faketime reads its start time in the local zone of the process it wraps.
  local_time=$(TZ="$zone" date -d "$at" '+%Y-%m-%d %H:%M:%S') || { echo "not a time: $at" >&2; exit 2; }
  run() { TZ="$zone" E2E_TIMEZONE="$zone" faketime -f "@$local_time" "$@"; }
  echo "test:clock: $at in $zone (local $local_time)"
  if [ "$only" != e2e ]; then
    run npx vitest run || failed+=("vitest at $moment")
  fi
  if [ "$only" != unit ]; then
    run npx playwright test "${stories[@]}" || failed+=("e2e at $moment")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'test:clock: failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "test:clock: every moment passed"
