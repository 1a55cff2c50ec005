#!/bin/bash
# A/B of two builds on GET /chain: node CPU per request and /chain p99 while mining, alternating.
#
# Usage: bench/chain_ab.sh OLD_BUILD_DIR NEW_BUILD_DIR   (RUNS=3 BLOCKS=1000 TXS=10 to change)
# OLD_ARGS and NEW_ARGS add node flags to one side, so one build can be compared with itself:
#   OLD_ARGS="--io-threads 1" NEW_ARGS="--io-threads 2" bench/chain_ab.sh build build
# CPU per request is read from /proc/PID/stat around a fixed number of requests, so it holds
# still on a busy machine where req/s does not. Both builds serve copies of one generated chain.
set -euo pipefail
old=${1:?old build dir} new=${2:?new build dir}
runs=${RUNS:-3} blocks=${BLOCKS:-1000} txs=${TXS:-10} port=${PORT:-5730}
bench="$new/beastchain-bench"
scratch=$(mktemp -d /tmp/beastchain-chain-ab.XXXXXX)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT

"$new/beastchain-gen-chain" --data-dir "$scratch/chain" --blocks "$blocks" --transactions-per-block "$txs" \
    --difficulty 8 >/dev/null
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
start() { # BUILD_DIR ARGS: a node on a fresh copy of the chain; difficulty 22 keeps the miners busy
    rm -rf "$scratch/run" && cp -r "$scratch/chain" "$scratch/run"
    # shellcheck disable=SC2086 # ARGS is a list of flags
    "$1/beastchain-node" -p "$port" --data-dir "$scratch/run" --difficulty 22 --min-difficulty 8 \
        --log-level warning --access-log false $2 >"$scratch/node.log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/health" && return 0; sleep 0.05; done
    echo "node from $1 did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
field() { # JSON ROUTE EXPR
    python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['routes'][sys.argv[2]]; print($3)" "$@"
}

for i in $(seq "$runs"); do
    for side in old new; do
        dir=${!side} args_var=${side^^}_ARGS
        args=${!args_var:-}
        start "$dir" "$args"
        curl -fs -o /dev/null "http://127.0.0.1:$port/chain" # fill the cache before measuring
        before=$(cpu_ticks "$pid")
        "$bench" --progress false --target "http://127.0.0.1:$port" --scenario chain -c 8 -n 1000 >/dev/null
        after=$(cpu_ticks "$pid")
        tck=$(getconf CLK_TCK)
        stop
        start "$dir" "$args"
        "$bench" --progress false --target "http://127.0.0.1:$port" --scenario chain-while-mining -c 2 \
            --duration 5 --warmup 1 --json "$scratch/m.json" >/dev/null
        stop
        printf '%s run %d: node CPU per /chain %.3f ms; while mining /chain p99 %s ms, %s reads\n' \
            "$side" "$i" "$(python3 -c "print(($after - $before) * 1000 / $tck / 1000)")" \
            "$(field "$scratch/m.json" 'GET /chain' "r['latency_ms']['p99']")" \
            "$(field "$scratch/m.json" 'GET /chain' "r['ok']")"
    done
done
