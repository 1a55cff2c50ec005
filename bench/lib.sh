# Shared by the bench scripts (sourced): preflight checks for the reference servers, and waiting
# for a server to answer.
need_nginx() { command -v nginx >/dev/null || { echo "needs nginx (apt-get install -y nginx-light)" >&2; exit 2; }; }
need_flask() { /usr/bin/python3 -c 'import flask' 2>/dev/null || { echo "needs python3-flask" >&2; exit 2; }; }
# wait_http URL: up to 10 s for a successful reply, else exit the script.
wait_http() { for _ in $(seq 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }
