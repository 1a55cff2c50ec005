#!/usr/bin/env bash
# CPU per durable POST /create-transaction at 64 connections: beastchain on 1, 2 and 4 I/O threads,
# nginx's fixed reply and the tutorial's node, with the load client's own CPU beside each.
# req/s on 2 shared cores says which process ran out of core first; CPU per request says what
# each reply costs, which is what projects a rate onto a machine with more cores.
#
# Usage: bench/cpu_per_request.sh [BUILD_DIR]    (RUNS=3 COUNT=100000 IO_THREADS="1 2 4" to change)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
anchors=$(cd "$here/../../shared/anchors" && pwd)
runs=${RUNS:-3} count=${COUNT:-100000} io_threads=${IO_THREADS:-1 2 4}
bench="$build/beastchain-bench"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
need_nginx
need_flask

scratch=$(mktemp -d /tmp/beastchain-cpu.XXXXXX)
pid= port=5640
cleanup() { stop_server; rm -rf "$scratch"; }
trap cleanup EXIT

measure() { # LABEL KIND [IO_THREADS]: one line of req/s and microseconds of CPU per request
    local label=$1 n=$count
    start_server "$2" --io-threads "${3:-1}"
    [[ $2 == seed ]] && n=$((count / 20)) # about 1,000/s: keep its run near the others' length
    "$bench" --progress false --target "http://127.0.0.1:$port" -c 8 -n 2000 >/dev/null # warm-up
    local before after
    before=$(server_ticks)
    /usr/bin/time -o "$scratch/client.time" -f '%U %S' \
        "$bench" --progress false --target "http://127.0.0.1:$port" -c 64 -n "$n" \
        --json "$scratch/run.json" >/dev/null
    after=$(server_ticks)
    stop_server
    /usr/bin/python3 - "$label" "$n" "$before" "$after" "$(getconf CLK_TCK)" "$scratch" <<'PY'
import json, sys
label, n, before, after, tck, d = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:6]), sys.argv[6]
r = json.load(open(d + "/run.json"))["routes"]["POST /create-transaction"]
user, sys_ = map(float, open(d + "/client.time").read().split()[-2:])
print("%-22s %8.0f req/s   server %6.1f us/req   client %5.1f us/req   p99 %6.2f ms"
      % (label, r["ok_per_second"], (after - before) * 1e6 / tck / n, (user + sys_) * 1e6 / n,
         r["latency_ms"]["p99"]))
PY
}

for i in $(seq "$runs"); do
    echo "--- run $i ($(nproc) cores, $count requests at 64 connections)"
    for t in $io_threads; do measure "beastchain io-threads $t" beastchain "$t"; done
    measure "nginx (2 workers)" nginx
    measure "seed_node.py" seed
done
