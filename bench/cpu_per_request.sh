#!/usr/bin/env bash
# CPU per durable POST /create-transaction at 64 connections: beastchain on 1, 2 and 4 I/O threads,
# nginx's fixed reply and the tutorial's node, with the load client's own CPU beside each.
# req/s on 2 shared cores says which process ran out of core first; CPU per request says what
# each reply costs, which is what projects a rate onto a machine with more cores.
# SCENARIO=chain measures GET /chain instead (1,000 blocks of 10 transactions, 8 connections):
# beastchain against nginx serving the same bytes from a file (the tutorial's node is left out:
# it rebuilds the chain per request and would take minutes).
#
# Usage: bench/cpu_per_request.sh [BUILD_DIR]    (RUNS=3 COUNT=100000 IO_THREADS="1 2 4" to change)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
anchors=$(cd "$here/../../shared/anchors" && pwd)
scenario=${SCENARIO:-post}
[[ $scenario == post || $scenario == chain ]] || { echo "SCENARIO is post or chain" >&2; exit 2; }
default_count=100000 conns=64 route="POST /create-transaction" bench_scenario=transactions
[[ $scenario == chain ]] && default_count=3000 conns=8 route="GET /chain" bench_scenario=chain
runs=${RUNS:-3} count=${COUNT:-$default_count} io_threads=${IO_THREADS:-1 2 4}
bench="$build/beastchain-bench"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
need_nginx
need_flask

scratch=$(mktemp -d /tmp/beastchain-cpu.XXXXXX)
pid= port=5640
cleanup() { stop_server; rm -rf "$scratch"; }
trap cleanup EXIT

node_args=()
if [[ $scenario == chain ]]; then
    chmod 755 "$scratch" # nginx's workers (an unprivileged user) read chain.json from here
    "$build/beastchain-gen-chain" --data-dir "$scratch/chain" --blocks 1000 --transactions-per-block 10 \
        --difficulty 8 >/dev/null
    # Stored blocks were mined at difficulty 8; the node keeps them valid and mines nothing here.
    node_args=(--difficulty 22 --min-difficulty 8)
    cp -r "$scratch/chain" "$scratch/data"
    start_server beastchain "${node_args[@]}"
    curl -fs "http://127.0.0.1:$port/chain" -o "$scratch/chain.json" # nginx serves the node's bytes
    chmod 644 "$scratch/chain.json"
    stop_server
    export NGINX_CHAIN_FILE=$scratch/chain.json
fi

measure() { # LABEL KIND [IO_THREADS]: one line of req/s and microseconds of CPU per request
    local label=$1 n=$count
    [[ $scenario == chain && $2 == beastchain ]] && cp -r "$scratch/chain" "$scratch/data"
    start_server "$2" --io-threads "${3:-1}" "${node_args[@]}"
    [[ $2 == seed ]] && n=$((count / 20)) # about 1,000/s: keep its run near the others' length
    "$bench" --progress false --target "http://127.0.0.1:$port" --scenario "$bench_scenario" -c 8 \
        -n $((count / 50)) >/dev/null # warm-up (and, for /chain, the node's cached text)
    local before after
    before=$(server_ticks)
    /usr/bin/time -o "$scratch/client.time" -f '%U %S' \
        "$bench" --progress false --target "http://127.0.0.1:$port" --scenario "$bench_scenario" \
        -c "$conns" -n "$n" --json "$scratch/run.json" >/dev/null
    after=$(server_ticks)
    stop_server
    /usr/bin/python3 - "$label" "$n" "$before" "$after" "$(getconf CLK_TCK)" "$scratch" "$route" <<'PY'
import json, sys
label, n, before, after, tck, d, route = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:6]), *sys.argv[6:8]
r = json.load(open(d + "/run.json"))["routes"][route]
user, sys_ = map(float, open(d + "/client.time").read().split()[-2:])
print("%-22s %8.0f req/s   server %6.1f us/req   client %5.1f us/req   p99 %6.2f ms"
      % (label, r["ok_per_second"], (after - before) * 1e6 / tck / n, (user + sys_) * 1e6 / n,
         r["latency_ms"]["p99"]))
PY
}

for i in $(seq "$runs"); do
    echo "--- run $i ($(nproc) cores, $count requests of $route at $conns connections)"
    for t in $io_threads; do measure "beastchain io-threads $t" beastchain "$t"; done
    measure "nginx (2 workers)" nginx
    if [[ $scenario == post ]]; then measure "seed_node.py" seed; fi
done
