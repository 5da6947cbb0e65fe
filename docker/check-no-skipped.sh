#!/usr/bin/env bash
# Fails when the container tests did not all run: a skipped container test (no Docker, an assumption, an
# @Disabled) would otherwise leave a green build that proves nothing. Argument: failsafe-summary.xml.
set -euo pipefail
summary="$1"
if [ ! -f "$summary" ]; then
  echo "check-no-skipped: $summary is missing: failsafe did not run the container tests" >&2
  exit 1
fi
value() { sed -n "s:.*<$1>\([0-9]*\)</$1>.*:\1:p" "$summary" | head -1; }
completed=$(value completed)
skipped=$(value skipped)
if [ "${completed:-0}" -eq 0 ] || [ "${skipped:-0}" -ne 0 ]; then
  echo "check-no-skipped: container tests completed=${completed:-0} skipped=${skipped:-0}: every container test" \
    "must run (is Docker up? DOCKER_HOST, .ci/docker-setup.sh)" >&2
  exit 1
fi
echo "check-no-skipped: $completed container tests ran, none skipped" >&2
