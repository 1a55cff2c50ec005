#!/usr/bin/env bash
# Fails when a layer includes what lies above it (docs/design.md, "Layers"):
#   core/     plain C++: no Asio, Beast or JSON, and no other beastchain layer
#   json/     core only
#   storage/  core and log only
#   net/      log only (no core, json, storage or node)
#   below node/, nothing includes node/
# Usage: check_layering.sh SOURCE_DIR
set -euo pipefail
root="${1:?source dir}"
cd "$root"
status=0

# forbid LAYER PATTERN WHY: every include line in LAYER's sources and headers matching PATTERN is an error.
forbid() {
    local layer="$1" pattern="$2" why="$3" hits
    hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" \
               "src/$layer" "include/beastchain/$layer" 2>/dev/null || true)
    if [[ -n "$hits" ]]; then
        echo "layering: $layer/ $why:"
        echo "$hits" | sed 's/^/  /'
        status=1
    fi
}

forbid core    'boost/asio|boost/beast|boost/json|boost/url' 'must stay plain C++ (no Asio, Beast or JSON)'
forbid core    'beastchain/(json|storage|net|node|log)/?'    'must not include a layer above it'
forbid json    'beastchain/(storage|net|node)/'              'may include only core'
forbid storage 'beastchain/(json|net|node)/'                 'may include only core and log'
forbid net     'beastchain/(core|json|storage|node)/'        'may include only log'

for layer in core json storage net; do
    [[ -d "src/$layer" && -d "include/beastchain/$layer" ]] || { echo "layering: missing $layer/"; status=1; }
done
[[ $status -eq 0 ]] && echo "layering: ok (core, json, storage, net include nothing above them)"
exit $status
