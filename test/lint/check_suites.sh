#!/usr/bin/env bash
# Fails when a Boost.Test suite is not registered with ctest in test/CMakeLists.txt: a suite
# left out of the foreach lists compiles, passes locally when run by hand, and never runs in CI.
# Usage: check_suites.sh SOURCE_DIR
set -euo pipefail
cd "${1:?source dir}/test"
status=0
for kind in unit integration; do
    # The suite names of the foreach(...) whose add_test names "$kind.${suite}".
    registered=$(awk -v kind="$kind" '
        /^foreach\(suite/ { block = ""; collecting = 1 }
        collecting { block = block " " $0 }
        collecting && /\)[[:space:]]*$/ { collecting = 0; last = block }
        $0 ~ "add_test\\(NAME " kind "\\.\\$\\{suite\\}" { print last }
    ' CMakeLists.txt | tr -d '()' | tr ' ' '\n' | grep -vE '^(foreach|suite|)$' | sort -u)
    defined=$(grep -hoE 'BOOST_AUTO_TEST_SUITE\([a-z_0-9]+\)' "$kind"/*.cpp | sed -E 's/.*\((.*)\)/\1/' | sort -u)
    missing=$(comm -23 <(echo "$defined") <(echo "$registered"))
    if [[ -n "$missing" ]]; then
        echo "suites: $kind suites not registered in test/CMakeLists.txt (they would never run):"
        echo "$missing" | sed 's/^/  /'
        status=1
    fi
done
# A test case outside every suite belongs to none of the ctest entries, so it never runs either.
outside=$(awk '
    /^BOOST_AUTO_TEST_SUITE\(/ { depth++ }
    /^BOOST_AUTO_TEST_SUITE_END\(/ { depth-- }
    /^BOOST_(AUTO|FIXTURE)_TEST_CASE\(/ && depth == 0 { print FILENAME ":" FNR ": " $0 }
' unit/*.cpp integration/*.cpp)
if [[ -n "$outside" ]]; then
    echo "suites: test cases outside any suite (they would never run):"
    echo "$outside" | sed 's/^/  /'
    status=1
fi
exit $status
