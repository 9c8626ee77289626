#!/usr/bin/env bash
# The CLI's time for `get`, as a user runs it: packs src/OrleansRaft.Cli (Release), installs the package as a dotnet
# tool into a temporary tool path, and times `orleansraft get` RUNS times (wall clock, process start to exit) against
# the local cluster, once per transport (the default, which goes through the etcd gateways that cluster.json lists,
# then --transport orleans). Prints each run and the median.
#
#   bench/cli-latency.sh [--runs 10] [--data-dir DIR]
#
# Without --data-dir it starts the local cluster (the README's start command, Release build, --free-ports) in the
# temporary folder; with it, it uses the running cluster whose cluster.json is in DIR and only reads and writes the
# one key /bench/cli-latency. Everything it starts is stopped and everything it writes (the package, the tool, NuGet's
# copy of the package, the cluster) is removed when it ends, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=10
cluster=""
while (( $# )); do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --data-dir) cluster="$(realpath "$2")"; shift 2 ;;
        *) echo "usage: $0 [--runs N] [--data-dir DIR]" >&2; exit 2 ;;
    esac
done

dir="$(mktemp -d "${TMPDIR:-/tmp}/orleansraft-cli-latency.XXXXXX")"
chmod 0755 "$dir"
launcher=""
finish() {
    trap '' INT TERM
    # A background job ignores SIGINT; the launcher stops its silos and PostgreSQL on SIGTERM.
    if [[ -n "$launcher" ]]; then
        kill -TERM "$launcher" 2>/dev/null && wait "$launcher" 2>/dev/null
    fi
    rm -rf "$dir"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)"
echo "== packing OrleansRaft.Cli $version (Release) and installing it as a tool in $dir/tools"
dotnet pack src/OrleansRaft.Cli -c Release -nologo -v q -o "$dir/packages" >"$dir/pack.log" 2>&1 || { cat "$dir/pack.log"; exit 1; }
cat >"$dir/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="packed" value="$dir/packages" />
  </packageSources>
</configuration>
XML
# NuGet's copy of the package goes with the folder, not into the user's cache.
NUGET_PACKAGES="$dir/nuget" dotnet tool install OrleansRaft.Cli --version "$version" --tool-path "$dir/tools" --configfile "$dir/nuget.config" >"$dir/install.log" 2>&1 \
    || { cat "$dir/install.log"; exit 1; }
DOTNET_ROOT="$(dirname "$(readlink -f "$(command -v dotnet)")")"
export DOTNET_ROOT DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cli="$dir/tools/orleansraft"

if [[ -z "$cluster" ]]; then
    echo "== starting the local cluster (Release) in $dir/cluster"
    dotnet build src/OrleansRaft.Host -c Release -nologo -v q >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; exit 1; }
    cluster="$dir/cluster"
    dotnet src/OrleansRaft.Host/bin/Release/net10.0/OrleansRaft.Host.dll --data-dir "$cluster" --free-ports >"$dir/launcher.log" 2>&1 &
    launcher=$!
    start=$SECONDS
    until grep -qs '^\[.*\] ready: ' "$dir/launcher.log"; do
        kill -0 "$launcher" 2>/dev/null || { cat "$dir/launcher.log"; exit 1; }
        (( SECONDS - start < 300 )) || { echo "the local cluster was not ready within 300 s"; cat "$dir/launcher.log"; exit 1; }
        sleep 1
    done
fi

"$cli" --data-dir "$cluster" put /bench/cli-latency value >/dev/null
# The first run after an install pays for the loader's caches filling; it is not counted.
"$cli" --data-dir "$cluster" get /bench/cli-latency >/dev/null

measure() {
    local name="$1" times=() i t0 t1 out
    shift
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        out="$("$cli" --data-dir "$cluster" get /bench/cli-latency "$@")"
        t1=$(date +%s%N)
        [[ "$out" == $'/bench/cli-latency\nvalue' ]] || { echo "get answered: $out" >&2; exit 1; }
        times+=($(( (t1 - t0) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" -v runs="${times[*]}" '
        { v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%-28s median %5d ms   runs (ms): %s\n", name, m, runs }'
}

echo "== orleansraft get, $runs runs each ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
measure "get (etcd gateways)" --transport etcd
measure "get --transport orleans" --transport orleans
if [[ -z "$launcher" ]]; then
    "$cli" --data-dir "$cluster" del /bench/cli-latency >/dev/null
fi
