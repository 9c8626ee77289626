#!/usr/bin/env bash
# Builds and tests the samples as an outside user would: packs the OrleansRaft libraries into samples/.packages,
# restores the samples from there (nuget.config), and runs their tests against a throwaway PostgreSQL server.
# Removes everything it made on exit (the packages, their copies in the NuGet cache, bin/obj, the server), whether
# it passed, failed or was interrupted. Prints xunit's summary line, which ./test.sh counts.
#
#   samples/build.sh
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
# A version of its own per run: the NuGet cache never serves a stale copy of an earlier pack.
version="0.0.0-sample.$(date +%s).$$"
feed="$here/.packages"
root="${ORLEANSRAFT_TEST_ROOT:-${TMPDIR:-/tmp}}"
mkdir -p "$root"
server="$(mktemp -d "$root/samples-postgres.XXXXXX")"
chmod 0755 "$server"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
libraries=(OrleansRaft.Core OrleansRaft.Abstractions OrleansRaft.KeyValue OrleansRaft.Hosting OrleansRaft.Client)

cleanup() {
    trap '' INT TERM HUP
    bash "$repo/infra/postgres/local.sh" remove "$server" >/dev/null 2>&1
    rm -rf "$server" "$feed"
    for library in "${libraries[@]}"; do
        rm -rf "${cache:?}/${library,,}/$version"
        rmdir "$cache/${library,,}" 2>/dev/null
    done
    find "$here" -depth -type d \( -name bin -o -name obj \) -exec rm -rf {} + 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

echo "== samples: packing ${libraries[*]} as $version"
for library in "${libraries[@]}"; do
    dotnet pack "$repo/src/$library/$library.csproj" -c Release -nologo -v q -nodeReuse:false -o "$feed" -p:Version="$version" || exit 1
done

echo "== samples: PostgreSQL"
if ! connection="$(bash "$repo/infra/postgres/local.sh" start "$server" 2>"$server/start.log" | tail -n 1)" || [[ -z "$connection" ]]; then
    cat "$server/start.log" >&2
    exit 1
fi

echo "== samples: build and test"
cd "$here"
dotnet build BankLedger.Tests -c Release -nologo -v q -nodeReuse:false -p:OrleansRaftVersion="$version" || exit 1
ORLEANSRAFT_POSTGRES="$connection" dotnet test BankLedger.Tests -c Release --no-build -nologo -p:OrleansRaftVersion="$version"
