#!/usr/bin/env bash
# The scale table of docs/performance.md: durable POST /create-transaction at 1 to 4,096
# connections against beastchain, the tutorial's node and nginx's fixed reply, each driven by
# beastchain-bench and by wrk; then the memory each idle keep-alive connection costs, with the
# throughput of 64 active connections beside it. One run; every server starts fresh per row.
#
# Usage: bench/scale.sh [BUILD_DIR]   (DURATION=5 CONNS="1 8 64 512 4096" IDLE=10000 to change;
#                                      SERVERS="beastchain nginx seed", NODE_ARGS for beastchain)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
anchors=$(cd "$here/../../shared/anchors" && pwd)
duration=${DURATION:-5} conns=${CONNS:-1 8 64 512 4096} idle=${IDLE:-10000}
servers=${SERVERS:-beastchain nginx seed}
read -r -a node_args <<<"${NODE_ARGS:-}"
bench="$build/beastchain-bench"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
need_nginx
need_flask
need_wrk
ulimit -n "$(ulimit -Hn)" # 4,096 client connections and 10,000 idle ones need the descriptors

scratch=$(mktemp -d /tmp/beastchain-scale.XXXXXX)
chmod 755 "$scratch"
pid= port=5650 holder=
cleanup() {
    [[ -n $holder ]] && kill "$holder" 2>/dev/null
    stop_server
    rm -rf "$scratch"
}
trap cleanup EXIT
results="$scratch/results.txt"
# Room for 10,000 idle connections plus the active ones, held for longer than a run.
beastchain_args=(--max-connections 12000 --idle-timeout-ms 600000 "${node_args[@]}")
export NGINX_CONNECTIONS=12000

# bench_run KIND CONNS [LABEL]: one beastchain-bench run, a line "KIND bench CONNS req/s p99 errors".
bench_run() {
    "$bench" --progress false --target "http://127.0.0.1:$port" -c "$2" --duration "$duration" --warmup 1 \
        --json "$scratch/run.json" >"$scratch/run.txt" || { rc=$?; [[ $rc -eq 3 ]] || { cat "$scratch/run.txt" >&2; exit $rc; }; }
    /usr/bin/python3 - "$1" "${3:-bench}" "$2" "$scratch/run.json" >>"$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[4]))["routes"]["POST /create-transaction"]
print(sys.argv[1], sys.argv[2], sys.argv[3], "%.0f" % r["ok_per_second"], "%.2f" % r["latency_ms"]["p99"],
      r["errors"]["total"])
PY
}
# wrk_run KIND CONNS: the same with wrk and the anchors' POST script (errors: non-2xx and socket).
wrk_run() {
    local threads=2
    [[ $2 -lt 2 ]] && threads=1
    wrk -t "$threads" -c "$2" -d "${duration}s" --latency -s "$anchors/post_tx.lua" \
        "http://127.0.0.1:$port/create-transaction" >"$scratch/wrk.txt" 2>&1 || true
    /usr/bin/python3 - "$1" "$2" "$scratch/wrk.txt" >>"$results" <<'PY'
import re, sys
text = open(sys.argv[3]).read()
m = re.search(r"PARSE (.*)", text)
if not m:
    print(sys.argv[1], "wrk", sys.argv[2], "-", "-", "failed")
    sys.exit()
f = dict(kv.split("=") for kv in m.group(1).split())
errors = sum(int(f[k]) for k in f if k.startswith("err_"))
print(sys.argv[1], "wrk", sys.argv[2], "%.0f" % float(f["rps"]), "%.2f" % (int(f["p99_us"]) / 1000), errors)
PY
}

for kind in $servers; do
    for c in $conns; do
        echo "--- $kind, $c connections" >&2
        start_server "$kind" "${beastchain_args[@]}"
        bench_run "$kind" "$c"
        wrk_run "$kind" "$c"
        stop_server
    done
done

# --- idle keep-alive connections: each has made one request and stays open ------------------
cat >"$scratch/hold.py" <<'PY'
import socket, sys, time
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    reply = s.recv(4096)
    if not reply.startswith(b"HTTP/1.1 2"):
        sys.exit("connection %d refused: %r" % (i, reply[:80]))
    held.append(s)
open(ready, "w").close()
time.sleep(3600)
PY
for kind in beastchain nginx; do
    echo "--- $kind, $idle idle connections" >&2
    start_server "$kind" "${beastchain_args[@]}"
    bench_run "$kind" 64 "active-alone"
    sleep 1
    before=$(server_rss_kb)
    rm -f "$scratch/ready"
    /usr/bin/python3 "$scratch/hold.py" "$port" "$idle" "$scratch/ready" &
    holder=$!
    for _ in $(seq 600); do [[ -f $scratch/ready ]] && break; kill -0 "$holder" || exit 1; sleep 0.1; done
    [[ -f $scratch/ready ]] || { echo "holding $idle connections took over a minute" >&2; exit 1; }
    sleep 1
    after=$(server_rss_kb)
    bench_run "$kind" 64 "active-beside-idle"
    echo "$kind idle $idle $before $after" >>"$results"
    kill "$holder"; wait "$holder" 2>/dev/null || true
    holder=
    stop_server
done

/usr/bin/python3 - "$results" "$servers" "$conns" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
servers, conns = sys.argv[2].split(), sys.argv[3].split()
get = {(r[0], r[1], r[2]): r[3:] for r in rows if r[1] != "idle"}
print("| connections | " + " | ".join("%s %s req/s (p99 ms)" % (s, t) for s in servers for t in ("bench", "wrk")) + " |")
print("|---" * (1 + 2 * len(servers)) + "|")
for c in conns:
    cells = []
    for s in servers:
        for t in ("bench", "wrk"):
            v = get.get((s, t, c))
            cells.append("-" if v is None else "%s (%s)%s" % (v[0], v[1], "" if v[2] in ("0", "-") else ", %s errors" % v[2]))
    print("| %s | %s |" % (c, " | ".join(cells)))
print()
for r in rows:
    if r[1] != "idle":
        continue
    kind, n, before, after = r[0], int(r[2]), int(r[3]), int(r[4])
    alone, beside = float(get[(kind, "active-alone", "64")][0]), float(get[(kind, "active-beside-idle", "64")][0])
    print("%s: %d idle connections, RSS %.1f -> %.1f MiB, %.1f KiB each; 64 active: %.0f req/s alone, "
          "%.0f beside them (%.2f)" % (kind, n, before / 1024, after / 1024, (after - before) / n, alone, beside,
                                       beside / alone))
PY
