#!/usr/bin/env bash
# Runs every test: the whole xunit suite (the integration tests start their own PostgreSQL through
# infra/postgres/local.sh), then a short simulator sweep, with and without membership changes and quiescence. Ends with one line "tests: N passed, M failed".
#
#   ./test.sh                 the everyday run
#   SIM_SEEDS=10000 ./test.sh a longer sweep (default 300 seeds for 3 members, a third as many for 5)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

seeds="${SIM_SEEDS:-300}"
log="$(mktemp -d)/test.log"
passed=0
failed=0
status=0

count() {
    # Sums xunit's "Failed: F, Passed: P" summaries and the simulator's "simulation: P passed, F failed".
    local p f
    p=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
    f=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
}

echo "== dotnet test"
dotnet build OrleansRaft.sln -c Release -nologo -v q || exit 1
dotnet test OrleansRaft.sln -c Release --no-build -nologo 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count

for nodes in 3 5; do
    n=$seeds
    [ "$nodes" -eq 5 ] && n=$(( (seeds + 2) / 3 ))
    for variant in "" --membership --quiescence "--quiescence --membership"; do
        echo "== simulation: $n seeds, $nodes members, all faults${variant:+, $variant}"
        # shellcheck disable=SC2086 # the variant is one or two flags
        dotnet run -c Release --no-build --project test/OrleansRaft.Simulation -- --seeds "$n" --nodes "$nodes" --faults all $variant 2>&1 | tee "$log"
        [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
        line=$(grep -E '^simulation: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
        if [ -n "$line" ]; then
            passed=$((passed + $(echo "$line" | awk '{print $2}')))
            failed=$((failed + $(echo "$line" | awk '{print $4}')))
        else
            failed=$((failed + 1))
            status=1
        fi
    done
done

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
