#!/usr/bin/env bash
# Brings up a private Docker engine and the images the container tests use. Idempotent and fast on re-run:
# every step checks whether its result already exists. Run as root. Prints the timing of each step.
#
#   bash .ci/docker-setup.sh     # engine, base images, and the project image if the example jar exists
#   PREFORK_IMAGE_FROM=source bash .ci/docker-setup.sh   # project image from source (Maven stage in Docker)
#
# Afterwards: export DOCKER_HOST=unix://$PREFORK_DOCKER_DIR/docker.sock (default /tmp/prefork-docker).
set -euo pipefail
cd "$(dirname "$0")/.."

D="${PREFORK_DOCKER_DIR:-/tmp/prefork-docker}"
export DOCKER_HOST="unix://$D/docker.sock"
# The Debian CLI (20.10) talks to the Debian engine and has BuildKit built in; a newer CLI on PATH may not
# have the buildx plugin, and then cannot use BuildKit.
DOCKER=/usr/bin/docker
DEBIAN_IMAGE="${PREFORK_DEBIAN_IMAGE:-local/debian-bookworm:1}"
JRE_IMAGE="${PREFORK_JRE_IMAGE:-local/prefork-jre:17}"
BUILD_IMAGE="${PREFORK_BUILD_IMAGE:-local/prefork-build:17}"
PROJECT_IMAGE="${PREFORK_IMAGE:-prefork-example:test}"
# jar: copy examples/target/prefork-example.jar (skipped while it does not exist yet); source: Maven build
# stage inside Docker. CI uses jar: Maven Central is reachable from here, but not trusted from inside a
# plain Debian build container (the egress presents a certificate only the host trusts).
IMAGE_FROM="${PREFORK_IMAGE_FROM:-jar}"

log() { echo "docker-setup: $*" >&2; }
# Runs a named step and prints how long it took.
step() {
  local name="$1"; shift
  local start=$SECONDS
  "$@"
  log "step '$name' took $((SECONDS - start)) s"
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

engine_up() { "$DOCKER" version >/dev/null 2>&1; }

# True when PID exists and is not a zombie: a killed engine whose parent never reaped it still answers
# kill -0, and its pid file would make dockerd believe it is still running.
running() {
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)" != Z ]
}
# True when PID is running and is the named program.
live_process() {
  running "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# Removes pid files of an engine (and its containerd) that no longer runs: dockerd refuses to start over them.
clear_stale_pidfiles() {
  local file name entry
  for entry in "$D/dockerd.pid:dockerd" "$D/exec/containerd/containerd.pid:containerd"; do
    file="${entry%%:*}"; name="${entry##*:}"
    if [ -f "$file" ] && ! live_process "$(cat "$file" 2>/dev/null)" "$name"; then
      rm -f "$file"
    fi
  done
}

start_engine() {
  if engine_up; then return 0; fi
  mkdir -p "$D"
  local deadline=$((SECONDS + 60)) pid
  if [ -f "$D/dockerd.pid" ] && live_process "$(cat "$D/dockerd.pid")" dockerd; then
    pid=$(cat "$D/dockerd.pid")
    log "dockerd $pid is running but not answering yet: waiting for it"
  else
    clear_stale_pidfiles
    rm -f "$D/docker.sock"
    # setsid: the engine must outlive this script (and the shell that ran it).
    setsid dockerd --host "$DOCKER_HOST" --data-root "$D/data" --exec-root "$D/exec" \
      --pidfile "$D/dockerd.pid" --storage-driver overlay2 --ip 127.0.0.1 \
      >>"$D/dockerd.log" 2>&1 </dev/null &
    pid=$!
  fi
  until engine_up; do
    # running, not live_process: right after the fork the child may still be named setsid.
    if ! running "$pid" || [ $SECONDS -ge $deadline ]; then
      log "dockerd (pid $pid) is not answering on $DOCKER_HOST (exited, or not within 60 s); last lines of $D/dockerd.log:"
      tail -20 "$D/dockerd.log" >&2
      return 1
    fi
    sleep 0.5
  done
}

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# The first Debian mirror apt uses here (deb822 .sources files or one-line sources.list).
apt_mirror() {
  local uri
  uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [ -z "$uri" ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

build_debian_image() {
  if image_exists "$DEBIAN_IMAGE"; then return 0; fi
  local mirror rootfs
  mirror=$(apt_mirror)
  rootfs=$(mktemp -d "$D/rootfs.XXXXXX")
  log "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$D/debootstrap.log" 2>&1 \
    || { tail -20 "$D/debootstrap.log" >&2; return 1; }
  # Keep the image small, as Debian's slim images do: no apt lists or caches, no docs, man pages or
  # translations, and dpkg told to skip them in later installs too.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    >"$rootfs"/etc/dpkg/dpkg.cfg.d/01-slim
  find "$rootfs"/usr/share/doc -type f ! -name copyright -delete
  # Files only: update-alternatives (e.g. openjdk's postinst) still links into /usr/share/man/man1.
  find "$rootfs"/usr/share/man -type f -delete
  tar -C "$rootfs" --numeric-owner -c . | "$DOCKER" import - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

build_base_image() {
  local target="$1" tag="$2"
  if image_exists "$tag"; then return 0; fi
  DOCKER_BUILDKIT=1 "$DOCKER" build -q --network host --target "$target" \
    --build-arg DEBIAN_IMAGE="$DEBIAN_IMAGE" -t "$tag" docker/base >/dev/null
}

build_project_image() {
  if [ "$IMAGE_FROM" = jar ] && [ ! -s examples/target/prefork-example.jar ]; then
    log "no examples/target/prefork-example.jar yet: the project image is built by 'mvn verify -Pcontainers'"
    return 0
  fi
  PREFORK_IMAGE="$PROJECT_IMAGE" PREFORK_IMAGE_FROM="$IMAGE_FROM" PREFORK_JRE_IMAGE="$JRE_IMAGE" \
    PREFORK_BUILD_IMAGE="$BUILD_IMAGE" PREFORK_DOCKER_CLI="$DOCKER" bash docker/build-image.sh
}

total_start=$SECONDS
step "install packages" install_packages
step "start dockerd" start_engine
step "debian base image $DEBIAN_IMAGE" build_debian_image
step "JRE image $JRE_IMAGE" build_base_image jre "$JRE_IMAGE"
if [ "$IMAGE_FROM" = source ]; then
  step "JDK+Maven image $BUILD_IMAGE" build_base_image jdk-maven "$BUILD_IMAGE"
fi
step "project image $PROJECT_IMAGE (from $IMAGE_FROM)" build_project_image
log "ready in $((SECONDS - total_start)) s: DOCKER_HOST=$DOCKER_HOST"
