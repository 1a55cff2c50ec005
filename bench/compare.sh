#!/usr/bin/env bash
# One run, one machine: beastchain against the tutorial's node (../shared/anchors/seed_node.py on
# Debian's python3-flask) and nginx answering a fixed body (Debian's nginx-light), all driven by
# the same tool (beastchain-bench). Prints a table with ratios; docs/performance.md keeps the latest.
#
# Usage: bench/compare.sh [BUILD_DIR]      (DURATION=10 WARMUP=2 to change the run lengths)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
anchors=$(cd "$here/../../shared/anchors" && pwd)
duration=${DURATION:-10}
warmup=${WARMUP:-2}
bench="$build/beastchain-bench"
node="$build/beastchain-node"
python=/usr/bin/python3
for tool in "$bench" "$node" "$build/beastchain-gen-chain"; do
    [[ -x $tool ]] || { echo "missing $tool: build first" >&2; exit 2; }
done
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
need_nginx
need_flask

scratch=$(mktemp -d /tmp/beastchain-compare.XXXXXX)
chmod 755 "$scratch" # nginx's workers (an unprivileged user) read chain.json from here
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -f $scratch/nginx/nginx.pid ]] && kill -QUIT "$(cat "$scratch/nginx/nginx.pid")" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT

start_node() { # PORT ARGS...
    local port=$1; shift
    "$node" -p "$port" --log-level warning --access-log false "$@" >"$scratch/node-$port.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$port/health"
}
start_seed() { # PORT
    $python "$anchors/seed_node.py" -p "$1" >"$scratch/seed-$1.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$1/chain"
}
# run NAME ARGS...: one beastchain-bench run, JSON kept as $scratch/NAME.json
run() {
    local name=$1; shift
    echo "--- $name" >&2
    "$bench" --progress false --json "$scratch/$name.json" "$@" >"$scratch/$name.txt" || {
        local rc=$?; cat "$scratch/$name.txt" >&2; [[ $rc -eq 3 ]] || exit $rc; }
}

# --- the three servers -------------------------------------------------------------------
bc=http://127.0.0.1:5600 seed=http://127.0.0.1:5601 ngx=http://127.0.0.1:5608
# Durable (the default). A large pending pool: at 64 connections the default 100,000 fills in
# seconds, and what is measured here is acceptance, not the pool limit's 503s.
start_node 5600 --data-dir "$scratch/bc" --max-pending 5000000
start_seed 5601
nginx_conf 5608 "$scratch/nginx" "$scratch/chain.json"

# --- 1,000 blocks of 10 transactions on each, for GET /chain ------------------------------
"$build/beastchain-gen-chain" --data-dir "$scratch/bc-chain" --blocks 1000 --transactions-per-block 10 \
    --difficulty 8 >/dev/null
# Mining at difficulty 22 keeps every miner thread busy; stored blocks (difficulty 8) stay valid.
start_node 5602 --data-dir "$scratch/bc-chain" --difficulty 22 --min-difficulty 8
start_seed 5603
$python - <<PY
import json, urllib.request
def call(url, body=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
for b in range(1000):
    for t in range(10):
        call("http://127.0.0.1:5603/create-transaction", {"sender": "a", "recipient": "b", "amount": t + 1})
    call("http://127.0.0.1:5603/mine")
PY
curl -fs http://127.0.0.1:5602/chain -o "$scratch/chain.json"   # nginx serves beastchain's bytes
chmod 644 "$scratch/chain.json"
nginx -p "$scratch/nginx" -c "$scratch/nginx/nginx.conf" -e "$scratch/nginx/error.log" &
pids+=($!)
wait_http "$ngx/chain"

common=(--duration "$duration" --warmup "$warmup")
# --- POST /create-transaction, 1 and 64 connections ---------------------------------------
for c in 1 64; do
    run "bc-post-$c" --target "$bc" -c "$c" "${common[@]}" --verify
    run "seed-post-$c" --target "$seed" -c "$c" "${common[@]}"
    run "ngx-post-$c" --target "$ngx" -c "$c" "${common[@]}"
done
# --- GET /chain (1,000 blocks of 10 transactions), 8 connections ---------------------------
run bc-chain --target http://127.0.0.1:5602 --scenario chain -c 8 "${common[@]}"
run seed-chain --target http://127.0.0.1:5603 --scenario chain -c 8 "${common[@]}"
run ngx-chain --target "$ngx" --scenario chain -c 8 "${common[@]}"
# --- GET /chain p99 while mining: one connection mines in a loop, one reads -----------------
run bc-mining --target http://127.0.0.1:5602 --scenario chain-while-mining -c 2 "${common[@]}"
run seed-mining --target http://127.0.0.1:5603 --scenario chain-while-mining -c 2 "${common[@]}"

$python - "$scratch" "$(nproc)" <<'PY'
import json, sys
d = sys.argv[1]
def load(name):
    with open("%s/%s.json" % (d, name)) as f:
        return json.load(f)
def route(name, r):
    return load(name)["routes"][r]
def rps(name, r="POST /create-transaction"):
    return route(name, r)["ok_per_second"]  # successful replies only
def p99(name, r):
    return route(name, r)["latency_ms"]["p99"]
def ratio(a, b):
    return "%.1fx" % (a / b) if b else "-"
rows = []
for c in (1, 64):
    b, s, n = rps("bc-post-%d" % c), rps("seed-post-%d" % c), rps("ngx-post-%d" % c)
    errs = route("bc-post-%d" % c, "POST /create-transaction")["errors"]["total"]
    rows.append(("POST /create-transaction, %d conn (req/s)" % c, "%.0f" % b, "%.0f" % s, "%.0f" % n,
                 ratio(b, s), "%.2f" % (b / n)))
b, s, n = rps("bc-chain", "GET /chain"), rps("seed-chain", "GET /chain"), rps("ngx-chain", "GET /chain")
rows.append(("GET /chain, 1,000 blocks x 10 tx, 8 conn (req/s)", "%.0f" % b, "%.0f" % s, "%.0f" % n,
             ratio(b, s), "%.2f" % (b / n)))
b, s = p99("bc-chain", "GET /chain"), p99("seed-chain", "GET /chain")
rows.append(("  same, p99 latency (ms)", "%.2f" % b, "%.2f" % s, "%.2f" % p99("ngx-chain", "GET /chain"),
             ratio(s, b) + " lower", ""))
b, s = p99("bc-mining", "GET /chain"), p99("seed-mining", "GET /chain")
rows.append(("GET /chain p99 while mining (ms)", "%.2f" % b, "%.2f" % s, "n/a", ratio(s, b) + " lower", ""))
print("| workload | beastchain | seed_node.py | nginx | beastchain vs seed | beastchain / nginx |")
print("|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
for c in (1, 64):
    v = load("bc-post-%d" % c)["verify"]
    print("\nbeastchain --verify after %d connections: %d acknowledged, %d missing, %d duplicated"
          % (c, v["acknowledged"], v["missing"], v["duplicated"]))
m = route("bc-mining", "GET /mine")
print("blocks mined by beastchain during the /chain-while-mining run: %d (p50 %.0f ms each)"
      % (m["ok"], m["latency_ms"]["p50"]))
PY
