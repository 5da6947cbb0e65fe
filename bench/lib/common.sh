# shellcheck shell=bash disable=SC2034
# Shared helpers for the bench/ scripts: tool installs, ports, server start/stop, wrk runs.
# Sourced, not run. Every server started here is killed by PID when the sourcing script exits.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
LIB_DIR="$BENCH_DIR/lib"
JAR=${JAR:-$REPO_DIR/examples/target/prefork-example.jar}
JAVA=${JAVA:-java}
WORKERS=${WORKERS:-2}
GTHREADS=${GTHREADS:-4}
WRK_THREADS=${WRK_THREADS:-2}
PREFORK_ARGS=${PREFORK_ARGS:-}
SINGLE_JVM_OPTS=${SINGLE_JVM_OPTS:-}
# A second build of the example jar for A/B runs: servers prefork-b and single-b run from this jar (copy it aside
# first: the build overwrites examples/target).
JAR_B=${JAR_B:-}
READY_TIMEOUT=${READY_TIMEOUT:-90}

# The 1/5/15-minute load averages: other work on the machine skews every figure, so tables say how busy it was.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_AT_START=$(loadavg)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# val KEY FILE: the value on the "KEY value" line of FILE (the probes' summary files).
val() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

# ---- tools ---------------------------------------------------------------------------------

# bench_need TOOL... : install the Debian packages that provide the missing tools.
bench_need() {
  local pkgs=() t
  for t in "$@"; do
    case $t in
      wrk) command -v wrk >/dev/null || pkgs+=(wrk) ;;
      curl) command -v curl >/dev/null || pkgs+=(curl) ;;
      python3) command -v python3 >/dev/null || pkgs+=(python3) ;;
      nginx) command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || pkgs+=(nginx-light) ;;
      haproxy) command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || pkgs+=(haproxy) ;;
      gunicorn) [ -x /usr/bin/gunicorn ] || pkgs+=(gunicorn) ;;
      node) command -v node >/dev/null || pkgs+=(nodejs) ;;
      java) command -v "$JAVA" >/dev/null || pkgs+=(openjdk-17-jdk-headless) ;;
      mvn) command -v mvn >/dev/null || pkgs+=(maven) ;;
      *) die "bench_need: unknown tool '$t'" ;;
    esac
  done
  [ ${#pkgs[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing ${pkgs[*]}: install them (apt-get install ${pkgs[*]}) or run as root"
  log "installing ${pkgs[*]} from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq "${pkgs[@]}" >/dev/null || die "apt-get install ${pkgs[*]} failed"
}

# server_tools NAME: appends the tools that server needs to the array TOOLS (dies on an unknown name).
server_tools() {
  case $1 in
    prefork|prefork-rp|single) TOOLS+=(java) ;;
    prefork-b|single-b) [ -f "$JAR_B" ] || die "server $1 needs JAR_B=<a second prefork-example.jar>"; TOOLS+=(java) ;;
    nginx) TOOLS+=(nginx) ;;
    node) TOOLS+=(node) ;;
    gunicorn-sync|gunicorn-gthread) TOOLS+=(gunicorn python3) ;;
    *) die "unknown server '$1' (known: prefork prefork-rp prefork-b single single-b nginx node gunicorn-sync gunicorn-gthread)" ;;
  esac
}

# Build the example jar only if it is missing.
bench_need_jar() {
  [ -f "$JAR" ] && return 0
  bench_need mvn java
  log "building $JAR (mvn -q -DskipTests package)"
  (cd "$REPO_DIR" && mvn -B -q -DskipTests package) || die "mvn package failed; see the output above"
  [ -f "$JAR" ] || die "mvn package did not leave $JAR"
}

# Run from a copy of the jar: a rebuild during a run (mvn package rewrites the jar) must not pull it from under
# the JVMs. The copy keeps its path and mtime between runs while the jar is unchanged, so a class-data archive
# keyed by the class path stays valid.
bench_snapshot_jar() {
  bench_need_jar
  local snap="$BENCH_DIR/results/jar/prefork-example.jar"
  mkdir -p "$(dirname "$snap")"
  # Copy, then rename: a JVM still running the previous copy keeps its file (another inode).
  if ! cmp -s "$JAR" "$snap"; then
    cp -p "$JAR" "$snap.$$" && mv -f "$snap.$$" "$snap" || die "cannot copy $JAR to $snap"
  fi
  log "jar: $JAR ($(date -r "$JAR" '+%Y-%m-%d %H:%M:%S')), run from $snap"
  JAR=$snap
}

# ---- processes -----------------------------------------------------------------------------

BENCH_PIDS=()       # "pid:signal" of every server this script started
BENCH_TMP=$(mktemp -d /tmp/prefork-bench.XXXXXX)

# All descendants of a pid (children first-level, then theirs), from /proc.
descendants() {
  local c
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$c"
    descendants "$c"
  done
}

alive() { local s; s=$(cat /proc/"$1"/stat 2>/dev/null) || return 1; [[ ! $s =~ ^[0-9]+\ \(.*\)\ Z ]]; }

# stop_pid PID SIGNAL: signal the process, wait up to 10 s, then SIGKILL it and any descendant
# it left (a worker whose master died before it could take it down).
stop_pid() {
  local pid=$1 sig=$2 kids i
  alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
  kids=$(descendants "$pid")
  kill -"$sig" "$pid" 2>/dev/null
  for i in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  for i in $kids; do alive "$i" && kill -KILL "$i" 2>/dev/null; done
  wait "$pid" 2>/dev/null
  return 0
}

bench_cleanup() {
  local e
  for e in "${BENCH_PIDS[@]}"; do stop_pid "${e%%:*}" "${e##*:}"; done
  BENCH_PIDS=()
  rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {
  local e keep=()
  for e in "${BENCH_PIDS[@]}"; do [ "${e%%:*}" = "$1" ] || keep+=("$e"); done
  BENCH_PIDS=("${keep[@]}")
}

# A port on 127.0.0.1 that nothing listens on now.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
  done
}

# wait_http URL [SECONDS] [PID]: until URL answers 2xx; fails early if PID died.
wait_http() {
  local url=$1 deadline=$((SECONDS + ${2:-$READY_TIMEOUT})) pid=${3:-}
  while [ $SECONDS -lt $deadline ]; do
    curl -sf -o /dev/null -m 2 "$url" && return 0
    [ -n "$pid" ] && ! alive "$pid" && return 1
    sleep 0.1
  done
  return 1
}

# prefork_ready ADMIN_URL: the value of prefork_workers{state="ready"} (0 if unknown).
prefork_ready() {
  curl -s -m 2 "$1/metrics" | awk '/^prefork_workers\{/ && /state="ready"/ {v=$NF} END {printf "%d\n", v+0}'
}

# wait_prefork_ready ADMIN_URL N [SECONDS] [PID]: until N workers are ready.
wait_prefork_ready() {
  local admin=$1 n=$2 deadline=$((SECONDS + ${3:-$READY_TIMEOUT})) pid=${4:-}
  while [ $SECONDS -lt $deadline ]; do
    [ "$(prefork_ready "$admin")" -ge "$n" ] && return 0
    [ -n "$pid" ] && ! alive "$pid" && return 1
    sleep 0.1
  done
  return 1
}

# start_server NAME LOGDIR: starts NAME on a free 127.0.0.1 port, waits until it serves.
# Sets SERVER_PID, SERVER_URL and (prefork) ADMIN_URL.
start_server() {
  local name=$1 logdir=$2 port aport dir
  port=$(free_port)
  SERVER_URL="http://127.0.0.1:$port"
  ADMIN_URL=
  local logf="$logdir/$name.log" sig=TERM
  case $name in
    prefork|prefork-rp|prefork-b)
      aport=$(free_port)
      ADMIN_URL="http://127.0.0.1:$aport"
      local extra=() jar=$JAR
      [ "$name" = prefork-rp ] && extra+=(--reuse-port)
      [ "$name" = prefork-b ] && jar=$JAR_B
      # shellcheck disable=SC2086
      "$JAVA" ${MASTER_JVM_OPTS:-} -jar "$jar" --workers "$WORKERS" --bind "127.0.0.1:$port" --admin "127.0.0.1:$aport" \
        "${extra[@]}" $PREFORK_ARGS >"$logf" 2>&1 &
      sig=TERM ;;  # INT stays ignored in a background job of a non-interactive shell
    single|single-b)
      local jar=$JAR
      [ "$name" = single-b ] && jar=$JAR_B
      # shellcheck disable=SC2086
      "$JAVA" $SINGLE_JVM_OPTS -cp "$jar" dev.prefork.examples.SingleProcess --bind "127.0.0.1:$port" \
        >"$logf" 2>&1 & ;;
    nginx)
      dir="$BENCH_TMP/nginx-$port"
      mkdir -p "$dir"
      sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@WORKERS@|$WORKERS|g" \
        "$BENCH_DIR/peers/nginx.conf.in" >"$dir/nginx.conf"
      "$(command -v nginx || echo /usr/sbin/nginx)" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
        -g 'daemon off;' >"$logf" 2>&1 &
      sig=QUIT ;;
    node)
      node "$BENCH_DIR/peers/cluster.js" "$port" "$WORKERS" >"$logf" 2>&1 & ;;
    gunicorn-sync)
      /usr/bin/gunicorn --chdir "$BENCH_DIR/peers" -k sync -w "$WORKERS" -b "127.0.0.1:$port" \
        --log-level warning hello:app >"$logf" 2>&1 & ;;
    gunicorn-gthread)
      /usr/bin/gunicorn --chdir "$BENCH_DIR/peers" -k gthread -w "$WORKERS" --threads "$GTHREADS" \
        -b "127.0.0.1:$port" --log-level warning hello:app >"$logf" 2>&1 & ;;
    *) die "unknown server '$name'" ;;
  esac
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID:$sig")
  if ! wait_http "$SERVER_URL/" "$READY_TIMEOUT" "$SERVER_PID"; then
    tail -n 20 "$logf" >&2
    die "$name did not serve $SERVER_URL/ within ${READY_TIMEOUT}s (log: $logf)"
  fi
  if [ -n "$ADMIN_URL" ] && ! wait_prefork_ready "$ADMIN_URL" "$WORKERS" "$READY_TIMEOUT" "$SERVER_PID"; then
    tail -n 20 "$logf" >&2
    die "$name: $ADMIN_URL/metrics never showed $WORKERS ready workers (log: $logf)"
  fi
}

stop_server() {
  local e
  for e in "${BENCH_PIDS[@]}"; do
    [ "${e%%:*}" = "$1" ] && { stop_pid "$1" "${e##*:}"; forget_pid "$1"; return; }
  done
}

# ---- load ----------------------------------------------------------------------------------

# Seconds in a wrk duration such as 10s, 2m or 10.
dur_seconds() {
  case $1 in
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

# scenario_args NAME: sets the array SCEN_ARGS to the wrk arguments of a scenario (without URL and
# duration). wrk takes a header only in the form "Name: value" (with the space). --timeout 10s: wrk
# drops a response slower than its timeout (2 s by default) from the latency figures, hiding stalls.
scenario_args() {
  case $1 in
    c64) SCEN_ARGS=(--timeout 10s -t"$WRK_THREADS" -c64 -s "$LIB_DIR/wrk/report.lua") ;;
    c256) SCEN_ARGS=(--timeout 10s -t"$WRK_THREADS" -c256 -s "$LIB_DIR/wrk/report.lua") ;;
    close) SCEN_ARGS=(--timeout 10s -t"$WRK_THREADS" -c64 -H 'Connection: close' -s "$LIB_DIR/wrk/report.lua") ;;
    mixed) SCEN_ARGS=(--timeout 10s -t"$WRK_THREADS" -c64 -s "$LIB_DIR/wrk/mixed.lua") ;;
    *) die "unknown scenario '$1' (known: c64 c256 close mixed)" ;;
  esac
}

# The wrk command line of a scenario, for tables and BENCHMARKS.md.
scenario_cmd() {
  case $1 in
    c64) echo "wrk --timeout 10s -t$WRK_THREADS -c64 --latency -d DURATION -s bench/lib/wrk/report.lua URL/" ;;
    c256) echo "wrk --timeout 10s -t$WRK_THREADS -c256 --latency -d DURATION -s bench/lib/wrk/report.lua URL/" ;;
    close) echo "wrk --timeout 10s -t$WRK_THREADS -c64 --latency -d DURATION -H 'Connection: close' -s bench/lib/wrk/report.lua URL/" ;;
    mixed) echo "wrk --timeout 10s -t$WRK_THREADS -c64 --latency -d DURATION -s bench/lib/wrk/mixed.lua URL/  (every 20th request /burn?ms=50)" ;;
  esac
}

# run_load URL DURATION OUT WRK_ARGS... : wrk in the background and, during it, one timed new-connection
# probe (curl) every 0.5 s, because wrk alone can hide connections the server never accepts.
# Leaves wrk's output in OUT and the probes ("code seconds" lines) in OUT.probe.
run_load() {
  local url=${1%/} dur=$2 out=$3 cpu0=
  shift 3
  : >"$out.probe"
  [ -n "${CPU_PID:-}" ] && cpu0=$(tree_cpu_ticks "$CPU_PID")
  wrk --latency -d "$dur" "$@" "$url/" >"$out" 2>&1 &
  local wpid=$! secs end_ms
  BENCH_PIDS+=("$wpid:TERM")
  secs=$(dur_seconds "$dur")
  end_ms=$(( $(now_ms) + secs * 1000 - 300 ))
  # First probe after 1 s (a quarter of a short run), then every 0.5 s; at least one.
  sleep "$(awk -v s="$secs" 'BEGIN { print (s >= 4) ? 1 : s / 4 }')"
  while :; do
    curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}\n' "$url/" >>"$out.probe" 2>/dev/null
    sleep 0.5
    [ "$(now_ms)" -lt "$end_ms" ] && alive "$wpid" || break
  done
  wait "$wpid"
  forget_pid "$wpid"
  [ -n "$cpu0" ] && echo $(( $(tree_cpu_ticks "$CPU_PID") - cpu0 )) >"$out.cpu"
}

# Clock ticks of CPU (user + system) used so far by PID and its descendants, every thread of each counted.
tree_cpu_ticks() {
  local pid=$1 total c
  total=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
  for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do total=$(( total + $(tree_cpu_ticks "$c") )); done
  echo "${total:-0}"
}

# cpu_per_request OUT: microseconds of server CPU per request of a run_load run made with CPU_PID set (the
# server's whole process tree, JIT and GC threads included), or NA. Unlike req/s it hardly depends on how much
# CPU other work on the machine left the server, so it compares builds and servers on a busy machine.
cpu_per_request() {
  local out=$1 ticks requests
  ticks=$(cat "$out.cpu" 2>/dev/null)
  requests=$(grep '^BENCH ' "$out" | tail -n 1 | tr ' ' '\n' | awk -F= '$1 == "requests" { print $2 }')
  if [ -z "$ticks" ] || [ -z "$requests" ] || [ "$requests" = 0 ]; then
    echo NA
    return
  fi
  awk -v t="$ticks" -v r="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f\n", t * 1e6 / hz / r }'
}

# result_fields OUT: "rps p50_ms p99_ms sockerr non2xx probes probe_p50_ms probe_max_ms probe_fail"
# from a run_load output (NA when wrk printed no summary).
result_fields() {
  local out=$1
  local line
  line=$(grep '^BENCH ' "$out" | tail -n 1)
  if [ -z "$line" ]; then
    echo "NA NA NA NA NA NA NA NA NA"
    return
  fi
  awk -v line="$line" '
    BEGIN {
      n = split(line, kv, " ")
      for (i = 2; i <= n; i++) { split(kv[i], p, "="); f[p[1]] = p[2] }
    }
    { if ($1 ~ /^2/) ok[++k] = $2 * 1000; else fail++ ; if ($2 * 1000 > max) max = $2 * 1000; probes++ }
    END {
      # median of the successful probes (insertion sort, tiny arrays)
      for (i = 2; i <= k; i++) { v = ok[i]; j = i - 1; while (j > 0 && ok[j] > v) { ok[j+1] = ok[j]; j-- } ok[j+1] = v }
      med = (k == 0) ? "NA" : sprintf("%.1f", (k % 2) ? ok[(k+1)/2] : (ok[k/2] + ok[k/2+1]) / 2)
      printf "%s %s %s %d %d %d %s %s %d\n", f["rps"], f["p50_ms"], f["p99_ms"],
        f["connect"] + f["read"] + f["write"] + f["timeout"], f["status"],
        probes, med, (probes ? sprintf("%.1f", max) : "NA"), fail
    }' "$out.probe"
}
