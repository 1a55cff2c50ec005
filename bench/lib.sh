# Shared by the bench scripts (sourced): preflight checks for the reference servers, waiting
# for a server to answer, and one server at a time with its CPU and memory.
need_nginx() { command -v nginx >/dev/null || { echo "needs nginx (apt-get install -y nginx-light)" >&2; exit 2; }; }
need_wrk() { command -v wrk >/dev/null || { echo "needs wrk (apt-get install -y wrk)" >&2; exit 2; }; }
need_flask() { /usr/bin/python3 -c 'import flask' 2>/dev/null || { echo "needs python3-flask" >&2; exit 2; }; }
# wait_http URL: up to 10 s for a successful reply, else exit the script.
wait_http() { for _ in $(seq 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }

# nginx_conf PORT DIR [CHAIN_FILE]: the anchor's nginx configuration in DIR/nginx.conf (with DIR/tmp),
# listening on PORT with NGINX_CONNECTIONS per worker, and serving CHAIN_FILE as GET /chain if given.
nginx_conf() {
    local chain=()
    [[ -n ${3:-} ]] && chain=(-e "s|location / {|location = /chain { alias $3; }\n        location / {|")
    mkdir -p "$2/tmp"
    sed -e "s/8089/$1/" -e "s/worker_connections 4096/worker_connections ${NGINX_CONNECTIONS:-4096}/" \
        "${chain[@]}" "$anchors/nginx-ceiling.conf" >"$2/nginx.conf"
}

# One server at a time on $port, its pid in $pid and its files under $scratch; the caller sets
# build, anchors, scratch and port, and calls stop_server from its EXIT trap.
# start_server beastchain|seed|nginx [NODE ARGS...]: beastchain is durable, with a pending pool
# large enough that acceptance, not the pool limit, is measured, and takes the NODE ARGS (the
# others ignore them, so callers pass the same line for every kind); nginx answers a fixed 201
# and takes NGINX_CONNECTIONS per worker (default: the anchor's 4,096); with NGINX_CHAIN_FILE set
# it also serves that file as GET /chain.
start_server() {
    local kind=$1; shift
    case $kind in
    beastchain)
        "$build/beastchain-node" -p "$port" --data-dir "$scratch/data" --max-pending 5000000 \
            --log-level warning --access-log false "$@" >"$scratch/server.log" 2>&1 &
        pid=$! && wait_http "http://127.0.0.1:$port/health" ;;
    seed)
        /usr/bin/python3 "$anchors/seed_node.py" -p "$port" >"$scratch/server.log" 2>&1 &
        pid=$! && wait_http "http://127.0.0.1:$port/chain" ;;
    nginx)
        nginx_conf "$port" "$scratch/nginx" "${NGINX_CHAIN_FILE:-}"
        nginx -p "$scratch/nginx" -c "$scratch/nginx/nginx.conf" -e "$scratch/nginx/error.log" &
        pid=$! && wait_http "http://127.0.0.1:$port/" ;;
    esac
}
stop_server() {
    [[ -z ${pid:-} ]] && return 0
    if [[ -f $scratch/nginx/nginx.pid ]]; then kill -QUIT "$pid"; else kill "$pid"; fi
    wait "$pid" 2>/dev/null || true
    pid=
    rm -rf "$scratch/nginx" "$scratch/data"
}
# server_pids: the server process and, for nginx, its workers.
server_pids() { echo "$pid" $(pgrep -P "$pid" || true); }
# server_ticks: CPU ticks (user + system) of every server process.
server_ticks() {
    local total=0 p
    for p in $(server_pids); do total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
    echo "$total"
}
# server_rss_kb: resident memory of every server process, KiB.
server_rss_kb() {
    local total=0 p
    for p in $(server_pids); do total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status"))); done
    echo "$total"
}
