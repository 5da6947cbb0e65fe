#!/usr/bin/env bash
# Worker spawn-to-ready in the container with the baked AppCDS archive vs PREFORK_WORKER_CDS=off, alternating
# A B A B. Each round starts one container per mode with one worker, then kills that worker KILLS times (the
# master respawns it; one boot at a time, nothing else running) and reads the master's "worker N pid P ready in
# X ms" lines, the value prefork_worker_boot_seconds records. Prints the medians of first boots and respawns,
# and each mode's worker PSS. Needs the image (docker/build-image.sh) and DOCKER_HOST (.ci/docker-setup.sh).
#   ROUNDS=3 KILLS=8 bash docker/measure-worker-cds.sh
set -euo pipefail
DOCKER="${PREFORK_DOCKER_CLI:-$(command -v /usr/bin/docker || command -v docker)}"
IMAGE="${PREFORK_IMAGE:-prefork-example:test}"
ROUNDS="${ROUNDS:-3}"
KILLS="${KILLS:-8}"
out=$(mktemp -d)
current=""
# Whatever happens, remove the container this script started (by name) and the scratch files.
trap '[ -n "$current" ] && "$DOCKER" rm -f "$current" >/dev/null 2>&1; rm -rf "$out"' EXIT

worker_pid() { "$DOCKER" exec "$1" sh -c 'for p in /proc/[0-9]*; do grep -qa WorkerMain "$p/cmdline" 2>/dev/null && ! grep -qa "^sh" "$p/cmdline" && echo "${p#/proc/}"; done; true' | head -1; }
ready_lines() { "$DOCKER" logs "$1" 2>&1 | grep -c 'WorkerEventHandler - worker .* ready in' || true; }
wait_ready() { # container, expected number of ready lines
  for _ in $(seq 1 200); do [ "$(ready_lines "$1")" -ge "$2" ] && return 0; sleep 0.1; done
  echo "measure-worker-cds: $1 did not reach $2 ready workers" >&2; return 1
}

run_mode() { # mode, round
  local mode="$1" name="prefork-cds-measure-$1-$2" env=() pid
  [ "$mode" = off ] && env=(-e PREFORK_WORKER_CDS=off)
  current="$name"
  "$DOCKER" run -d --rm --name "$name" --read-only --tmpfs /tmp:exec -e PREFORK_WORKERS=1 "${env[@]}" "$IMAGE" >/dev/null
  wait_ready "$name" 1
  for k in $(seq 1 "$KILLS"); do
    pid=$(worker_pid "$name")
    "$DOCKER" exec "$name" sh -c "kill -9 $pid"
    wait_ready "$name" $((k + 1))
  done
  sleep 1
  pid=$(worker_pid "$name")
  "$DOCKER" exec "$name" sh -c "grep ^Pss: /proc/$pid/smaps_rollup" | awk '{print $2}' >> "$out/$mode.pss"
  "$DOCKER" logs "$name" 2>&1 | grep 'WorkerEventHandler - worker .* ready in' | sed 's/.* ready in \([0-9]*\) ms.*/\1/' > "$out/lines"
  head -1 "$out/lines" >> "$out/$mode.first"
  tail -n +2 "$out/lines" >> "$out/$mode.respawn"
  "$DOCKER" rm -f "$name" >/dev/null
  current=""
}

median() { sort -n "$1" | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

for r in $(seq 1 "$ROUNDS"); do
  run_mode auto "$r"
  run_mode off "$r"
done
printf '%-28s %10s %10s %8s %12s\n' "image $IMAGE" "first boot" "respawn" "samples" "worker PSS"
for mode in auto off; do
  printf '%-28s %7s ms %7s ms %8s %8s KiB\n' "PREFORK_WORKER_CDS=$mode" "$(median "$out/$mode.first")" \
    "$(median "$out/$mode.respawn")" "$(wc -l < "$out/$mode.respawn")" "$(median "$out/$mode.pss")"
done
echo "image size: $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.1f MB", $1 / 1e6}')"
