#!/usr/bin/env bash
# Side-by-side benchmark: a 3-member etcd on loopback and an OrleansRaft etcd gateway, under the same load from the
# same client (bench/EtcdBench load: dotnet-etcd's KV client), then `etcdctl check perf` against both. Prints ops/s,
# p50 and p99 for each, and the ratio OrleansRaft / etcd (ops/s; above 1 is better for OrleansRaft).
#
#   bench/etcd-vs-orleansraft.sh --orleansraft HOST:PORT[,HOST:PORT...]   a running gateway (the silo host's)
#   bench/etcd-vs-orleansraft.sh --serve postgres|memory                  an in-process 3-silo cluster with the gateway
#   bench/etcd-vs-orleansraft.sh                                          etcd alone
#
# Options: --seconds S (10)  --warmup S (1; load before each row's measured window)  --runs R (3; the median run by ops/s is kept)  --clients "1 16 64"  --ops "put get sget"
#          --perf-load "s" (etcdctl check perf loads: s, m, l, xl; "none" skips it)  --no-etcd
#          --tls (etcd and a served gateway listen with TLS, with a throwaway authority's server certificate from
#          EtcdBench certs; the load and etcdctl trust that authority; not with --orleansraft)
#          --orleans-tls (a served cluster's Orleans links, silo to silo and its client, over mutual TLS)
#
# Fairness: one system runs at a time. Each run measures every row of one system, stops it, then every row of the
# other, and the next run takes them in the other order; etcd and a served OrleansRaft start afresh in each run (a
# new data directory, a new cluster), and PostgreSQL runs only while OrleansRaft does, unless it ran before. A cluster
# given with --orleansraft cannot be stopped: etcd runs only outside its rows, but that cluster idles meanwhile.
# Every server it starts listens on 127.0.0.1 only and is stopped when the script ends, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

orleansraft=""
serve=""
seconds=10
warmup=1
runs=3
clients="1 16 64"
ops="put get sget"
perf_load="s"
with_etcd=1
tls=0
orleans_tls=0
while [ $# -gt 0 ]; do
    case "$1" in
        --orleansraft) orleansraft="$2"; shift 2 ;;
        --serve) serve="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --ops) ops="$2"; shift 2 ;;
        --perf-load) perf_load="$2"; shift 2 ;;
        --no-etcd) with_etcd=0; shift ;;
        --tls) tls=1; shift ;;
        --orleans-tls) orleans_tls=1; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "--runs must be a positive integer" >&2; exit 2; }
[[ "$warmup" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "--warmup is a number of seconds" >&2; exit 2; }
case "$serve" in "" | postgres | memory) ;; *) echo "--serve is postgres or memory" >&2; exit 2 ;; esac
[ -z "$orleansraft" ] || [ -z "$serve" ] || { echo "give --orleansraft or --serve, not both" >&2; exit 2; }
[ "$tls" -eq 0 ] || [ -z "$orleansraft" ] || { echo "--tls serves its own certificates: give --serve, not --orleansraft" >&2; exit 2; }
[ "$orleans_tls" -eq 0 ] || [ -n "$serve" ] || { echo "--orleans-tls is for a served cluster: give --serve" >&2; exit 2; }
has_orleansraft=0
if [ -n "$orleansraft" ] || [ -n "$serve" ]; then has_orleansraft=1; fi
[ "$with_etcd" -eq 1 ] || [ "$has_orleansraft" -eq 1 ] || { echo "nothing to measure: give --orleansraft or --serve, or leave etcd on" >&2; exit 2; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ETCDCTL_API=3
work="$(mktemp -d)"
etcd_pids=()
serve_pid=""
postgres_started=0

stop_pids() {
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

stop_etcd() {
    [ "${#etcd_pids[@]}" -gt 0 ] || return 0
    stop_pids "${etcd_pids[@]}"
    etcd_pids=()
    rm -rf "$work"/etcd-m*
}

stop_serve() {
    [ -n "$serve_pid" ] || return 0
    # Closing its input ends the server; the signal is for one that does not end.
    exec 3>&- 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
    stop_pids "$serve_pid"
    serve_pid=""
    orleansraft=""
    rm -f "$work/serve.in"
}

stop_postgres() {
    [ "$postgres_started" -eq 1 ] || return 0
    bash infra/postgres/local.sh stop >/dev/null 2>&1 || true
    postgres_started=0
}

cleanup() {
    trap - INT TERM
    stop_serve
    stop_etcd
    stop_postgres
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ "$with_etcd" -eq 1 ] && ! command -v etcd >/dev/null; then
    apt-get update -q && apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends etcd-server etcd-client
fi
command -v etcdctl >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends etcd-client; }

echo "== building the load generator"
dotnet build bench/EtcdBench/EtcdBench.csproj -c Release -nologo -v q >/dev/null
bench=(dotnet bench/EtcdBench/bin/Release/net10.0/EtcdBench.dll)

# With --tls: client URLs are https, etcdctl and the load trust the throwaway authority, and both servers use its certificate.
scheme=http
client_tls=()
server_cert=""
server_key=""
if [ "$tls" -eq 1 ]; then
    echo "== making a throwaway authority and server certificate"
    "${bench[@]}" certs --out "$work/tls" >"$work/tls.out"
    server_cert="$(awk '/^CERT /{print $2}' "$work/tls.out")"
    server_key="$(awk '/^KEY /{print $2}' "$work/tls.out")"
    scheme=https
    client_tls=(--cacert "$(awk '/^CA /{print $2}' "$work/tls.out")")
fi
etcd_tls=()
[ "$tls" -eq 0 ] || etcd_tls=(--cert-file "$server_cert" --key-file "$server_key")

readonly etcd_endpoints="127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793"
start_etcd() {
    local i port
    for port in 23791 23792 23793 23801 23802 23803; do
        ! port_in_use "$port" || { echo "port $port is in use: is another benchmark running?" >&2; exit 1; }
    done
    echo "== starting a 3-member etcd on 127.0.0.1:23791-23793"
    local cluster="m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802,m3=http://127.0.0.1:23803"
    for i in 1 2 3; do
        etcd --name "m$i" --data-dir "$work/etcd-m$i" \
            --listen-client-urls "$scheme://127.0.0.1:2379$i" --advertise-client-urls "$scheme://127.0.0.1:2379$i" "${etcd_tls[@]}" \
            --listen-peer-urls "http://127.0.0.1:2380$i" --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
            --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token etcd-vs-orleansraft \
            --logger zap --log-level error >"$work/etcd-m$i.log" 2>&1 &
        etcd_pids+=($!)
    done
    for _ in $(seq 1 100); do
        etcdctl "${client_tls[@]}" --endpoints="$etcd_endpoints" endpoint health >/dev/null 2>&1 && break
        sleep 0.2
    done
    etcdctl "${client_tls[@]}" --endpoints="$etcd_endpoints" endpoint health
}

start_serve() {
    echo "== starting an in-process 3-silo OrleansRaft cluster ($serve storage) with the etcd gateway"
    local serve_args=(serve --storage "$serve")
    [ "$tls" -eq 0 ] || serve_args+=(--tls-cert "$server_cert" --tls-key "$server_key")
    [ "$orleans_tls" -eq 0 ] || serve_args+=(--orleans-tls)
    if [ "$serve" = "postgres" ]; then
        if [ "$postgres_started" -eq 0 ] && ! bash infra/postgres/local.sh status 2>/dev/null; then
            postgres_started=1
        fi
        serve_args+=(--postgres "$(bash infra/postgres/local.sh start | tail -n 1)")
    fi
    mkfifo "$work/serve.in"
    "${bench[@]}" "${serve_args[@]}" <"$work/serve.in" >"$work/serve.out" 2>"$work/serve.err" &
    serve_pid=$!
    exec 3>"$work/serve.in"
    for _ in $(seq 1 600); do
        grep -q '^ENDPOINT ' "$work/serve.out" 2>/dev/null && break
        kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
        sleep 0.1
    done
    orleansraft="$(awk '/^ENDPOINT /{print $2}' "$work/serve.out")"
    [ -n "$orleansraft" ] || { echo "the in-process gateway did not start" >&2; cat "$work/serve.err" >&2; exit 1; }
    echo "gateway at $orleansraft"
}

# Every row of one system, once: one RESULT line per op and client count, tagged with the system, appended to $results.
results="$work/results"
: >"$results"
measure() {
    local name="$1" endpoints="$2" run="$3" op n line
    for op in $ops; do
        for n in $clients; do
            line="$("${bench[@]}" load "${client_tls[@]}" --endpoints "$endpoints" --op "$op" --clients "$n" --seconds "$seconds" --warmup "$warmup" | grep '^RESULT ')"
            echo "$name run=$run $line load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$results"
        done
    done
}

perf_check() {
    local name="$1" endpoints="$2" load
    [ "$perf_load" != "none" ] || return 0
    for load in $perf_load; do
        echo "== etcdctl check perf --load=$load against $name"
        # The progress bar redraws with carriage returns: keep only the verdict lines.
        etcdctl "${client_tls[@]}" --endpoints="$endpoints" check perf --load="$load" --prefix=/etcdctl-check-perf/ 2>&1 \
            | tr '\r' '\n' | grep -E '^(PASS|FAIL|Slowest|Stddev|Throughput|Error)' || true
    done
}

# One phase: start the system if the script serves it, measure it, check its perf in the last run, stop it.
phase() {
    local system="$1" run="$2" last="$3"
    if [ "$system" = etcd ]; then
        start_etcd
        measure etcd "$etcd_endpoints" "$run"
        [ "$last" -eq 0 ] || perf_check etcd "$etcd_endpoints"
        stop_etcd
    else
        [ -z "$serve" ] || start_serve
        measure orleansraft "$orleansraft" "$run"
        [ "$last" -eq 0 ] || perf_check orleansraft "$orleansraft"
        if [ -n "$serve" ]; then
            stop_serve
            stop_postgres
        fi
    fi
}

systems=()
if [ "$with_etcd" -eq 1 ]; then systems+=(etcd); fi
if [ "$has_orleansraft" -eq 1 ]; then systems+=(orleansraft); fi
echo "== $runs run(s) of $seconds s per row, one system at a time; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
    order=("${systems[@]}")
    if [ $((run % 2)) -eq 0 ] && [ "${#systems[@]}" -eq 2 ]; then
        order=("${systems[1]}" "${systems[0]}")
    fi
    last=0
    [ "$run" -ne "$runs" ] || last=1
    for system in "${order[@]}"; do
        echo "== run $run/$runs: $system"
        phase "$system" "$run" "$last"
    done
done

field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
# The run whose ops/s is the median of the row's runs (the lower middle one for an even count).
median_run() {
    grep "^$1 run=[0-9]* RESULT op=$2 clients=$3 " "$results" | sed 's/.* ops_per_s=\([0-9]*\).*/\1 &/' | sort -n \
        | awk '{ line[NR] = $0 } END { if (NR > 0) { $0 = line[int((NR + 1) / 2)]; $1 = ""; print substr($0, 2) } }'
}
cell() { [ -n "$1" ] && echo "$(field "$1" ops_per_s) $(field "$1" p50_ms)ms $(field "$1" p99_ms)ms" || true; }

echo
echo "== results ($seconds s per run, median of $runs run(s) by ops/s; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-6s %7s | %-28s | %-28s | %s\n' op clients "etcd: ops/s p50 p99" "orleansraft: ops/s p50 p99" "ratio"
for op in $ops; do
    for n in $clients; do
        e="$(median_run etcd "$op" "$n")"
        o="$(median_run orleansraft "$op" "$n")"
        ratio="-"
        if [ -n "$e" ] && [ -n "$o" ]; then
            ratio="$(awk -v a="$(field "$o" ops_per_s)" -v b="$(field "$e" ops_per_s)" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
        fi
        printf '%-6s %7s | %-28s | %-28s | %s\n' "$op" "$n" "$(cell "$e")" "$(cell "$o")" "$ratio"
    done
done
