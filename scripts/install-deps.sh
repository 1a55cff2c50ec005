#!/usr/bin/env bash
# Installs every build, test and benchmark dependency from Debian 12 packages (idempotent).
set -euo pipefail

packages=(
    build-essential cmake ccache pkg-config git
    libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
    libboost-test1.81-dev libboost-url1.81-dev libboost-system1.81-dev
    libssl-dev libbenchmark-dev
    # Signatures on the signed chain: BIP340 Schnorr over secp256k1, Bitcoin Core's library.
    libsecp256k1-dev
    # TLS: the test CA is made with the openssl command; https:// peers trust the system CAs.
    openssl ca-certificates
    # The integration suite replays the tutorial's Python client, which uses requests.
    python3 python3-requests python3-flask python3-prometheus-client
    # Deployment checks: systemd-analyze for the units, dpkg tools for the .deb.
    systemd dpkg-dev
    # Fuzzing (libFuzzer needs clang and its runtime) and the formatting check.
    clang libclang-rt-14-dev clang-format
    # The multi-host test puts nodes in network namespaces (ip netns, veth, a bridge).
    curl procps iproute2
    # bench/compare.sh measures nginx's fixed-response ceiling next to beastchain.
    nginx-light
    # bench/scale.sh drives the same load with wrk as well as beastchain-bench.
    wrk
    # The explorer's browser tests: headless chromium driven through chromium-driver by
    # selenium; one font so screenshots show text.
    chromium chromium-driver python3-selenium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
