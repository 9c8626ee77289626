#!/usr/bin/env bash
# Where one put's time goes at one client, stage by stage: starts a throwaway PostgreSQL (infra/postgres/local.sh) in
# a temporary folder, runs `EtcdBench budget` (an in-process 3-silo cluster with the etcd gateway, spans of the
# OrleansRaft activity source, PostgreSQL's statistics), then removes the server and the folder, also on Ctrl-C.
#
#   bench/put-budget.sh [--seconds S] [--runs N]      defaults: 10 s, 3 runs
#
# Run it on an otherwise idle machine, alone: every figure is a latency or a CPU time. See bench/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$(mktemp -d "${TMPDIR:-/tmp}/orleansraft-budget.XXXXXX")"
# As root, local.sh runs the server as the postgres user, which must get through to the server's folder.
chmod 0755 "$work"
cleanup() {
    trap - INT TERM
    bash infra/postgres/local.sh remove "$work/postgres" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet build bench/EtcdBench -c Release -nologo -v q -nodeReuse:false >/dev/null
connection="$(bash infra/postgres/local.sh start "$work/postgres" | tail -n 1)"
dotnet run -c Release --no-build --project bench/EtcdBench -- budget --postgres "$connection" "$@"
