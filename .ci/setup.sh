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
# The boot tests run the master on Java 17 (the build's) and on Temurin 25 (WorkerCdsIT, ThreadsIT). Temurin 25
# comes with this project's machine image (and so CI's), at the path below; Adoptium's apt repository is not
# reachable from here and Debian 12 packages no Java 25, so nothing can install it: fail early and say so.
JAVA_25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
if ! "$JAVA_25" -version 2>&1 | grep -q 'version "25'; then
  echo "setup: no Temurin 25 at $JAVA_25: the Java 25 boot tests would fail; use the java-maven machine image, which has it" >&2
  exit 1
fi
bash .ci/docker-setup.sh
