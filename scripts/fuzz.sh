#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 60) from its
# seed corpus in test/fuzz/corpus/TARGET. New inputs go to a scratch copy; a crash leaves its
# input in build-fuzz/artifacts/ and fails the run (add it to the corpus once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$build" -DBEASTCHAIN_FUZZ=ON -DBEASTCHAIN_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target fuzz_transaction fuzz_chain fuzz_storage fuzz_http
mkdir -p "$build/artifacts"
status=0
for target in transaction chain storage http; do
    work="$build/corpus-$target"
    rm -rf "$work" && mkdir -p "$work"
    echo "== fuzz_$target for ${seconds}s"
    if ! ASAN_OPTIONS=detect_leaks=1 "$build/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
            -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" "$work" "test/fuzz/corpus/$target" \
            > "$build/fuzz_$target.log" 2>&1; then
        echo "FAIL: fuzz_$target found a crash:"; tail -n 40 "$build/fuzz_$target.log"; status=1
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz_$target.log" | sed "s/^/  fuzz_$target /"
done
exit $status
