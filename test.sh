#!/usr/bin/env bash
# Runs every test: the whole xunit suite (the integration tests start their own PostgreSQL through
# infra/postgres/local.sh), the CLI's tests once more over the etcd gateways, then the samples built from the packed packages (samples/build.sh), then a short simulator
# sweep, with and without membership changes and quiescence, then a check that the run left nothing behind. Ends with
# one line "tests: N passed, M failed".
#
#   ./test.sh                 the everyday run
#   SIM_SEEDS=10000 ./test.sh a longer sweep (default 300 seeds for 3 members, a third as many for 5)
#
# Everything the run makes on disk lives in one folder of its own: the log, and, as ORLEANSRAFT_TEST_ROOT, every
# folder the tests make, PostgreSQL servers included. On exit, whether the run passed, failed or was interrupted
# (Ctrl-C, SIGTERM), whatever still runs from that folder is stopped and the folder is removed. Nothing outside it is
# touched: a launcher's cluster in .orleansraft/, or a server someone started by hand, keeps running.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

seeds="${SIM_SEEDS:-300}"
run="$(mktemp -d "${TMPDIR:-/tmp}/orleansraft-run.XXXXXX")"
# As root, local.sh runs each server as the postgres user, which must get through to the server's folder.
chmod 0755 "$run"
export ORLEANSRAFT_TEST_ROOT="$run/tests"
# What the tests' processes put in the temporary folder (a killed silo's etcd gateway socket, say) goes with the run.
export TMPDIR="$run/tmp"
mkdir -p "$TMPDIR"
chmod 1777 "$TMPDIR"
# vstest kills a test host 100 ms after the run by default; the hosts remove their servers as they exit, which takes longer.
export VSTEST_TESTHOST_SHUTDOWN_TIMEOUT=60000
log="$run/test.log"
job=""
passed=0
failed=0
status=0

# The processes of this run: those working in a folder under ORLEANSRAFT_TEST_ROOT (PostgreSQL servers, launchers and
# their silos) or started on one (the servers' watchdogs).
run_processes() {
    local proc pid cwd cmd
    for proc in /proc/[0-9]*; do
        pid="${proc#/proc/}"
        [[ "$pid" != "$$" && "$pid" != "$BASHPID" ]] || continue
        cwd="$(readlink "$proc/cwd" 2>/dev/null)" || continue
        cmd="$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)" || continue
        if [[ "$cwd" == "$ORLEANSRAFT_TEST_ROOT"/* || "$cmd" == *"$ORLEANSRAFT_TEST_ROOT/"* ]]; then
            echo "$pid"
        fi
    done
}

# What the run left behind, one line each; nothing when it left nothing.
leftovers() {
    local pid cmd
    for pid in $(run_processes); do
        cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || continue
        case "$cmd" in
            "postgres: "*) ;; # a server's own worker: its server is listed
            */postgres\ -D*) echo "  PostgreSQL server still running (pid $pid): $cmd" ;;
            *) echo "  process still running (pid $pid): $cmd" ;;
        esac
    done
    if [[ -d "$ORLEANSRAFT_TEST_ROOT" ]]; then
        find "$ORLEANSRAFT_TEST_ROOT" -mindepth 1 -maxdepth 1 -printf '  folder still there: %p\n'
    fi
}

# Waits up to $2 seconds for the processes $1 to exit.
wait_gone() {
    local deadline=$((SECONDS + $2)) pid alive
    while :; do
        alive=""
        for pid in $1; do
            kill -0 "$pid" 2>/dev/null && alive="$alive $pid"
        done
        [[ -n "$alive" && $SECONDS -lt $deadline ]] || break
        sleep 1
    done
    echo "$alive"
}

# Stops whatever the run still has going and removes its folder. Runs on every exit; ignores further signals, and
# every wait in it is bounded.
sweep() {
    trap '' INT TERM HUP
    local lock pids
    if [[ -n "$job" ]]; then
        echo "== interrupted: stopping the tests and what they started" >&2
        # The job's process group: dotnet, the test hosts (which remove their servers as they exit), launchers, CLIs.
        kill -TERM -- "-$job" 2>/dev/null
        [[ -z "$(wait_gone "$job" 60)" ]] || kill -KILL -- "-$job" 2>/dev/null
    fi
    if [[ -d "$ORLEANSRAFT_TEST_ROOT" ]]; then
        # Each folder that holds local.sh's lock is a DATADIR: its server stops at once, the folder goes.
        while IFS= read -r lock; do
            bash infra/postgres/local.sh remove "$(dirname "$lock")" >/dev/null 2>&1
        done < <(find "$ORLEANSRAFT_TEST_ROOT" -name .lock 2>/dev/null)
    fi
    pids="$(run_processes)"
    if [[ -n "$pids" ]]; then
        kill -TERM $pids 2>/dev/null
        pids="$(wait_gone "$pids" 15)"
        [[ -z "$pids" ]] || kill -KILL $pids 2>/dev/null
    fi
    rm -rf "$run"
}
trap sweep EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Runs "$@" with its output on the terminal and in the log, in a session of its own so that the sweep can stop all of
# it, and in the background so that a signal reaches the traps at once (bash runs a trap only after a foreground command).
logged() {
    LOG="$log" setsid bash -c '"$@" 2>&1 | tee "$LOG"; exit "${PIPESTATUS[0]}"' logged "$@" &
    job=$!
    wait "$job"
    local code=$?
    job=""
    return "$code"
}

count() {
    # Sums xunit's "Failed: F, Passed: P" summaries and the simulator's "simulation: P passed, F failed".
    local p f
    p=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
    f=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ n += $2 } END { print n + 0 }')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
}

echo "== dotnet test"
logged dotnet build OrleansRaft.sln -c Release -nologo -v q -nodeReuse:false || exit 1
logged dotnet test OrleansRaft.sln -c Release --no-build -nologo || status=1
count

# The CLI's tests again, with every command that has an etcd form (get) going through the test silos' etcd gateways.
echo "== dotnet test: the CLI over the etcd gateways"
ORLEANSRAFT_CLI_TESTS_TRANSPORT=etcd logged dotnet test test/OrleansRaft.Cli.Tests -c Release --no-build -nologo || status=1
count

echo "== samples: built from the packed packages"
logged bash samples/build.sh || status=1
count

for nodes in 3 5; do
    n=$seeds
    [ "$nodes" -eq 5 ] && n=$(( (seeds + 2) / 3 ))
    for variant in "" --membership --quiescence "--quiescence --membership"; do
        echo "== simulation: $n seeds, $nodes members, all faults${variant:+, $variant}"
        # shellcheck disable=SC2086 # the variant is one or two flags
        logged dotnet run -c Release --no-build --project test/OrleansRaft.Simulation -- --seeds "$n" --nodes "$nodes" --faults all $variant || status=1
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

# The test hosts remove their servers as they exit, and a server's watchdog does when its host could not: what is
# still there after half a minute was left behind, and counts as a failed test.
echo "== clean-up: every process and folder of the run gone"
deadline=$((SECONDS + 30))
while left="$(leftovers)"; [[ -n "$left" && $SECONDS -lt $deadline ]]; do
    sleep 1
done
if [[ -n "$left" ]]; then
    echo "clean-up: FAILED, the tests left behind (the sweep at exit removes it):"
    echo "$left"
    failed=$((failed + 1))
    status=1
else
    echo "clean-up: nothing left behind in $ORLEANSRAFT_TEST_ROOT"
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
