#!/usr/bin/env bash
# Installs what the test suite needs beyond a JDK and Maven (as root, idempotent): load and protocol tools for
# the multi-process and benchmark smoke tests, and a private Docker engine with locally built images for the
# container tests (no image registry is reachable from CI).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
for tool in wrk curl haproxy setpriv h2load nghttp nginx openssl promtool; do
  command -v "$tool" >/dev/null || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  pkgs=()
  for tool in "${need[@]}"; do
    case "$tool" in
      setpriv) pkgs+=(util-linux) ;;
      h2load | nghttp) pkgs+=(nghttp2-client) ;;
      # SegmentMetricsIT checks the scrape with promtool check metrics; the package's service is not started.
      promtool) pkgs+=(prometheus) ;;
      *) pkgs+=("$tool") ;;
    esac
  done
  apt-get update -qq
  apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
bash .ci/docker-setup.sh
