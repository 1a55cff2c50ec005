#!/usr/bin/env bash
# Checks the systemd units: `systemd-analyze verify` must pass, and the offline security score is
# printed (and must stay "OK" or better). Usage: check_units.sh SOURCE_DIR NODE_BINARY
set -euo pipefail
src=$1 bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verify checks that ExecStart exists, so point the units at the binary under test.
sed "s|/usr/bin/beastchain-node|$bin|" "$src/deploy/systemd/beastchain-node.service" > "$tmp/beastchain-node.service"
sed "s|/usr/bin/beastchain-node|$bin|" "$src/deploy/systemd/beastchain-node@.service" > "$tmp/beastchain-node@example.service"

# The TLS drop-in, as an operator installs it.
mkdir -p "$tmp/beastchain-node.service.d"
cp "$src/deploy/systemd/tls.conf.example" "$tmp/beastchain-node.service.d/tls.conf"

echo "== systemd-analyze verify"
out=$(systemd-analyze verify "$tmp/beastchain-node.service" "$tmp/beastchain-node@example.service" 2>&1 || echo "verify exited $?")
# Lines about other units on this machine are not ours to fix; anything naming ours fails the test.
ours=$(printf '%s\n' "$out" | grep -E 'beastchain-node|verify exited' || true)
printf '%s\n' "$out"
if [[ -n "$ours" ]]; then
    echo "FAIL: systemd-analyze verify reported problems with the units"
    exit 1
fi

echo "== systemd-analyze security --offline=yes"
for unit in beastchain-node.service beastchain-node@example.service; do
    report=$(systemd-analyze security --offline=yes "$tmp/$unit" 2>&1 | tail -n 3)
    printf '%s: %s\n' "$unit" "$(printf '%s\n' "$report" | grep -i 'overall exposure')"
    level=$(printf '%s\n' "$report" | grep -oiE 'overall exposure level for [^:]+: *[0-9.]+ *[A-Z]+' | awk '{print $NF}')
    case "$level" in
        OK|SAFE|MEDIUM) ;;
        *) echo "FAIL: $unit scores $level"; exit 1 ;;
    esac
done
echo "units OK"
