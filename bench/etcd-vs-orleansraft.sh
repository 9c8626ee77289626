#!/usr/bin/env bash
# Side-by-side benchmark: a 3-member etcd on loopback and an OrleansRaft etcd gateway, under the same load from the
# same client (bench/EtcdBench load: dotnet-etcd's KV client), then `etcdctl check perf` against both. Prints ops/s,
# p50 and p99 for each, and the ratio OrleansRaft / etcd (ops/s; above 1 is better for OrleansRaft).
#
#   bench/etcd-vs-orleansraft.sh --orleansraft HOST:PORT[,HOST:PORT...]   a running gateway (the silo host's)
#   bench/etcd-vs-orleansraft.sh --serve postgres|memory                  an in-process 3-silo cluster with the gateway
#   bench/etcd-vs-orleansraft.sh                                          etcd alone
#
# Options: --seconds S (10)  --runs R (1; the median run by ops/s is kept)  --clients "1 16 64"  --ops "put get sget"
#          --perf-load "s" (etcdctl check perf loads: s, m, l, xl; "none" skips it)  --no-etcd
# Every server it starts listens on 127.0.0.1 only and is stopped when the script ends.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

orleansraft=""
serve=""
seconds=10
runs=1
clients="1 16 64"
ops="put get sget"
perf_load="s"
with_etcd=1
while [ $# -gt 0 ]; do
    case "$1" in
        --orleansraft) orleansraft="$2"; shift 2 ;;
        --serve) serve="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --ops) ops="$2"; shift 2 ;;
        --perf-load) perf_load="$2"; shift 2 ;;
        --no-etcd) with_etcd=0; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ETCDCTL_API=3
work="$(mktemp -d)"
pids=()
cleanup() {
    exec 3>&- 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

if [ "$with_etcd" -eq 1 ] && ! command -v etcd >/dev/null; then
    apt-get update -q && apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends etcd-server etcd-client
fi
command -v etcdctl >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends etcd-client; }

echo "== building the load generator"
dotnet build bench/EtcdBench/EtcdBench.csproj -c Release -nologo -v q >/dev/null
bench=(dotnet bench/EtcdBench/bin/Release/net10.0/EtcdBench.dll)

etcd_endpoints=""
if [ "$with_etcd" -eq 1 ]; then
    echo "== starting a 3-member etcd on 127.0.0.1:23791-23793"
    cluster="m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802,m3=http://127.0.0.1:23803"
    for i in 1 2 3; do
        etcd --name "m$i" --data-dir "$work/etcd-m$i" \
            --listen-client-urls "http://127.0.0.1:2379$i" --advertise-client-urls "http://127.0.0.1:2379$i" \
            --listen-peer-urls "http://127.0.0.1:2380$i" --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
            --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token etcd-vs-orleansraft \
            --logger zap --log-level error >"$work/etcd-m$i.log" 2>&1 &
        pids+=($!)
    done
    etcd_endpoints="127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793"
    for _ in $(seq 1 100); do
        etcdctl --endpoints="$etcd_endpoints" endpoint health >/dev/null 2>&1 && break
        sleep 0.2
    done
    etcdctl --endpoints="$etcd_endpoints" endpoint health
fi

if [ -z "$orleansraft" ] && [ -n "$serve" ]; then
    echo "== starting an in-process 3-silo OrleansRaft cluster ($serve storage) with the etcd gateway"
    serve_args=(serve --storage "$serve")
    if [ "$serve" = "postgres" ]; then
        serve_args+=(--postgres "$(bash infra/postgres/local.sh start | tail -n 1)")
    fi
    mkfifo "$work/serve.in"
    "${bench[@]}" "${serve_args[@]}" <"$work/serve.in" >"$work/serve.out" 2>"$work/serve.err" &
    pids+=($!)
    exec 3>"$work/serve.in"
    for _ in $(seq 1 600); do
        grep -q '^ENDPOINT ' "$work/serve.out" 2>/dev/null && break
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
        sleep 0.1
    done
    orleansraft="$(awk '/^ENDPOINT /{print $2}' "$work/serve.out")"
    [ -n "$orleansraft" ] || { echo "the in-process gateway did not start" >&2; cat "$work/serve.err" >&2; exit 1; }
    echo "gateway at $orleansraft"
fi

targets=()
[ -n "$etcd_endpoints" ] && targets+=("etcd=$etcd_endpoints")
[ -n "$orleansraft" ] && targets+=("orleansraft=$orleansraft")
[ "${#targets[@]}" -gt 0 ] || { echo "nothing to measure: give --orleansraft or --serve, or leave etcd on" >&2; exit 2; }

# One line per target, op and client count: the median of the runs by ops/s.
results="$work/results"
: >"$results"
for op in $ops; do
    for n in $clients; do
        for target in "${targets[@]}"; do
            name="${target%%=*}"
            endpoints="${target#*=}"
            lines=()
            for _ in $(seq 1 "$runs"); do
                lines+=("$("${bench[@]}" load --endpoints "$endpoints" --op "$op" --clients "$n" --seconds "$seconds" | grep '^RESULT ')")
            done
            median="$(printf '%s\n' "${lines[@]}" | sed 's/.*ops_per_s=\([0-9]*\).*/\1 &/' | sort -n | awk -v r="$runs" 'NR == int((r + 1) / 2) { $1 = ""; print substr($0, 2) }')"
            echo "$name $median" | tee -a "$results"
        done
    done
done

echo
echo "== results ($seconds s per run, median of $runs)"
printf '%-6s %7s | %-28s | %-28s | %s\n' op clients "etcd: ops/s p50 p99" "orleansraft: ops/s p50 p99" "ratio"
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
for op in $ops; do
    for n in $clients; do
        e="$(grep "^etcd RESULT op=$op clients=$n " "$results" || true)"
        o="$(grep "^orleansraft RESULT op=$op clients=$n " "$results" || true)"
        es=""; os=""; ratio="-"
        [ -n "$e" ] && es="$(field "$e" ops_per_s) $(field "$e" p50_ms)ms $(field "$e" p99_ms)ms"
        [ -n "$o" ] && os="$(field "$o" ops_per_s) $(field "$o" p50_ms)ms $(field "$o" p99_ms)ms"
        if [ -n "$e" ] && [ -n "$o" ]; then
            ratio="$(awk -v a="$(field "$o" ops_per_s)" -v b="$(field "$e" ops_per_s)" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
        fi
        printf '%-6s %7s | %-28s | %-28s | %s\n' "$op" "$n" "$es" "$os" "$ratio"
    done
done

if [ "$perf_load" != "none" ]; then
    for load in $perf_load; do
        for target in "${targets[@]}"; do
            echo
            echo "== etcdctl check perf --load=$load against ${target%%=*}"
            # The progress bar redraws with carriage returns: keep only the verdict lines.
            etcdctl --endpoints="${target#*=}" check perf --load="$load" --prefix=/etcdctl-check-perf/ 2>&1 \
                | tr '\r' '\n' | grep -E '^(PASS|FAIL|Slowest|Stddev|Throughput|Error)' || true
        done
    done
fi
