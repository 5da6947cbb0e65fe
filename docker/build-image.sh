#!/usr/bin/env bash
# Builds the project image from docker/Dockerfile against the engine in DOCKER_HOST. Used by
# .ci/docker-setup.sh and by `mvn -pl docker verify -Pcontainers` (pre-integration-test), so that the
# container tests always run the jar of the same build.
#
#   PREFORK_IMAGE_FROM=jar     (default) --target prebuilt: copies examples/target/prefork-example.jar
#   PREFORK_IMAGE_FROM=source  --target runtime: Maven build stage in Docker (needs Maven Central reachable
#                              from inside `docker build`, and a BUILD_IMAGE)
# Other settings: PREFORK_IMAGE (tag, default prefork-example:test), PREFORK_JRE_IMAGE (BASE_IMAGE),
# PREFORK_BUILD_IMAGE (BUILD_IMAGE). Unset base images fall back to the Dockerfile's public defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Debian CLI (20.10) has BuildKit built in; a newer CLI without the buildx plugin cannot use BuildKit,
# and the Dockerfile needs it (cache mount, per-Dockerfile .dockerignore, skipping unused stages).
DOCKER="${PREFORK_DOCKER_CLI:-$(command -v /usr/bin/docker || command -v docker)}"
IMAGE="${PREFORK_IMAGE:-prefork-example:test}"
FROM="${PREFORK_IMAGE_FROM:-jar}"
args=(-f docker/Dockerfile -t "$IMAGE")
[ -n "${PREFORK_JRE_IMAGE:-}" ] && args+=(--build-arg "BASE_IMAGE=$PREFORK_JRE_IMAGE")
[ -n "${PREFORK_BUILD_IMAGE:-}" ] && args+=(--build-arg "BUILD_IMAGE=$PREFORK_BUILD_IMAGE")

case "$FROM" in
  jar)
    if [ ! -s examples/target/prefork-example.jar ]; then
      echo "build-image: examples/target/prefork-example.jar is missing: run 'mvn -B -DskipTests package' first" >&2
      exit 1
    fi
    args+=(--target prebuilt) ;;
  source)
    # Host network: the Maven stage downloads from Maven Central the way the host does.
    args+=(--target runtime --network host) ;;
  *)
    echo "build-image: PREFORK_IMAGE_FROM must be 'jar' or 'source', not '$FROM'" >&2
    exit 2 ;;
esac

previous=$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
start=$SECONDS
DOCKER_BUILDKIT=1 "$DOCKER" build -q "${args[@]}" . >/dev/null
# Each new jar leaves the previous image untagged: remove it (if no container uses it) so that repeated
# builds do not fill the disk.
current=$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  "$DOCKER" rmi "$previous" >/dev/null 2>&1 || true
fi
echo "build-image: $IMAGE (from $FROM) built in $((SECONDS - start)) s," \
  "$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')" >&2
