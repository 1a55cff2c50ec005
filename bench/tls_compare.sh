#!/usr/bin/env bash
# TLS cost, one machine, one session: durable POST /create-transaction at 64 keep-alive
# connections over plain HTTP and over TLS, on beastchain and on nginx (Debian's nginx-light, fixed
# reply) with the same certificate, plus TLS handshakes per second (a new connection per request).
# Medians of RUNS runs. docs/performance.md keeps the latest table.
#
# Usage: bench/tls_compare.sh [BUILD_DIR]      (DURATION=8 WARMUP=2 RUNS=3 to change the runs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
anchors=$(cd "$here/../../shared/anchors" && pwd)
duration=${DURATION:-8}
warmup=${WARMUP:-2}
runs=${RUNS:-3}
bench="$build/beastchain-bench"
node="$build/beastchain-node"
for tool in "$bench" "$node"; do [[ -x $tool ]] || { echo "missing $tool: build first" >&2; exit 2; }; done
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
need_nginx
command -v openssl >/dev/null || { echo "needs openssl" >&2; exit 2; }

scratch=$(mktemp -d /tmp/beastchain-tls.XXXXXX)
chmod 755 "$scratch"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -f $scratch/nginx/nginx.pid ]] && kill -QUIT "$(cat "$scratch/nginx/nginx.pid" 2>/dev/null)" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT

# --- one CA and one P-256 certificate for 127.0.0.1, used by both servers --------------------
pki=$scratch/pki
mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/ca.key" \
    -out "$pki/ca.pem" -days 2 -subj /CN=bench-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/node.key" \
    -out "$pki/node.csr" -subj /CN=bench-node 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$pki/ext"
openssl x509 -req -in "$pki/node.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -out "$pki/node.pem" -extfile "$pki/ext" 2>/dev/null
chmod 644 "$pki"/*

"$node" -p 5610 --log-level warning --access-log false --data-dir "$scratch/bc" --max-pending 10000000 \
    --tls-cert "$pki/node.pem" --tls-key "$pki/node.key" >"$scratch/node.log" 2>&1 &
pids+=($!)
wait_http http://127.0.0.1:5610/health

# nginx: the ceiling config, plus a TLS listener with the same certificate and a /chain reply
# for the handshake runs (GET, 200).
mkdir -p "$scratch/nginx/tmp"
sed -e 's/listen 127.0.0.1:8089;/listen 127.0.0.1:5618;\n        listen 127.0.0.1:5619 ssl;\n        ssl_certificate '"${pki//\//\\/}"'\/node.pem;\n        ssl_certificate_key '"${pki//\//\\/}"'\/node.key;\n        ssl_protocols TLSv1.2 TLSv1.3;/' \
    -e "s|location / {|location = /chain { return 200 '{\"chain\":[]}'; }\n        location / {|" \
    "$anchors/nginx-ceiling.conf" >"$scratch/nginx/nginx.conf"
nginx -p "$scratch/nginx" -c "$scratch/nginx/nginx.conf" -e "$scratch/nginx/error.log" &
pids+=($!)
wait_http http://127.0.0.1:5618/chain

common=(--duration "$duration" --warmup "$warmup" --tls-ca "$pki/ca.pem" --progress false)
run() { # NAME ARGS...
    local name=$1; shift
    echo "--- $name" >&2
    "$bench" --json "$scratch/$name.json" "${common[@]}" "$@" >"$scratch/$name.txt" || {
        local rc=$?; cat "$scratch/$name.txt" >&2; [[ $rc -eq 3 ]] || exit $rc; }
}
for i in $(seq "$runs"); do
    run "bc-http-$i" --target http://127.0.0.1:5610 -c 64
    run "bc-https-$i" --target https://127.0.0.1:5610 -c 64
    run "ngx-http-$i" --target http://127.0.0.1:5618 -c 64
    run "ngx-https-$i" --target https://127.0.0.1:5619 -c 64
    run "bc-hs-$i" --target https://127.0.0.1:5610 -c 8 --scenario chain --new-connection-per-request
    run "ngx-hs-$i" --target https://127.0.0.1:5619 -c 8 --scenario chain --new-connection-per-request
done

/usr/bin/python3 - "$scratch" "$runs" <<'PY'
import json, statistics, sys
d, runs = sys.argv[1], int(sys.argv[2])
def med(name, key):
    vals = []
    for i in range(1, runs + 1):
        with open("%s/%s-%d.json" % (d, name, i)) as f:
            r = list(json.load(f)["routes"].values())[0]
        vals.append(r["ok_per_second"] if key == "rps" else r["latency_ms"]["p99"])
    return statistics.median(vals)
print("| medians of %d runs | beastchain http | beastchain https | https / http | nginx http | nginx https | https / http |" % runs)
print("|---|---|---|---|---|---|---|")
b, bs, n, ns = (med(x, "rps") for x in ("bc-http", "bc-https", "ngx-http", "ngx-https"))
print("| POST /create-transaction, 64 keep-alive conn (req/s) | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |" % (b, bs, bs / b, n, ns, ns / n))
b, bs, n, ns = (med(x, "p99") for x in ("bc-http", "bc-https", "ngx-http", "ngx-https"))
print("| same, p99 (ms) | %.2f | %.2f | | %.2f | %.2f | |" % (b, bs, n, ns))
print("\nTLS handshakes per second (a new connection per GET /chain, 8 at a time): beastchain %.0f, nginx %.0f"
      % (med("bc-hs", "rps"), med("ngx-hs", "rps")))
PY
