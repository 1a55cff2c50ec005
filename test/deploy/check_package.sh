#!/usr/bin/env bash
# Builds the .deb with CPack, lists its contents, and runs the packaged binary from an extracted
# copy. Usage: check_package.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp" >/dev/null
deb=$(ls "$tmp"/*.deb)
echo "== $(basename "$deb")"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
echo "== contents"
dpkg-deb --contents "$deb"
for want in ./usr/bin/beastchain-node ./usr/lib/systemd/system/beastchain-node.service \
            ./usr/lib/systemd/system/beastchain-node@.service ./etc/beastchain/node.conf \
            ./usr/share/doc/beastchain/node.conf.example ./usr/share/doc/beastchain/tls.conf.example \
            ./usr/share/doc/beastchain/deploy.md; do
    dpkg-deb --contents "$deb" | awk '{print $NF}' | grep -qx "$want" || { echo "FAIL: $want is missing"; exit 1; }
done
dpkg-deb --info "$deb" conffiles | grep -qx /etc/beastchain/node.conf || { echo "FAIL: node.conf is not a conffile"; exit 1; }
dpkg-deb --extract "$deb" "$tmp/root"
"$tmp/root/usr/bin/beastchain-node" --version
"$tmp/root/usr/bin/beastchain-node" --config "$tmp/root/etc/beastchain/node.conf" --print-config >/dev/null

# On CI (a disposable root machine) install it for real, start the installed node the way the unit
# does (packaged config, a state directory), check /health, and remove the package again.
if [[ "${CI:-}" == "true" && $(id -u) -eq 0 ]]; then
    echo "== dpkg -i"
    dpkg -i "$deb"
    state="$tmp/state"
    /usr/bin/beastchain-node --config /etc/beastchain/node.conf --data-dir "$state" -p 0 --log-level warning \
        > "$tmp/out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q "Running on" "$tmp/out" && break; sleep 0.1; done
    url=$(grep -o 'http://[^/]*' "$tmp/out" | head -1)
    health=$(curl -s "$url/health")
    kill -TERM "$pid"
    wait "$pid"; code=$?
    dpkg -r beastchain
    echo "installed node: $url/health -> $health, exit $code after SIGTERM"
    [[ "$health" == *'"status":"ok"'* && $code -eq 0 ]] || { echo "FAIL: the installed node did not serve"; exit 1; }
fi
echo "package OK"
