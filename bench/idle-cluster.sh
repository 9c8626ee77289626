#!/usr/bin/env bash
# The idle cost of the default local cluster (the README's start command, Release build) hosting N more key-value
# groups: waits until every group has a leader and every member is quiet, then measures over an idle window the CPU of
# the three silo processes and of PostgreSQL (from /proc) and the entries committed (from the status page).
#
#   bench/idle-cluster.sh [GROUPS] [SECONDS]        defaults: 31 groups, 60 s
#
# Everything runs under a temporary folder, which is removed with the cluster when the script ends or is interrupted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
groups="${1:-31}"
seconds="${2:-60}"

dotnet build src/OrleansRaft.Host -c Release -nologo -v q >/dev/null
dir="$(mktemp -d "${TMPDIR:-/tmp}/orleansraft-idle.XXXXXX")"
chmod 0755 "$dir"
args=()
for i in $(seq 1 "$groups"); do
    args+=("--Groups:$i:Id" "idle-$i" "--Groups:$i:Members:0" 1 "--Groups:$i:Members:1" 2 "--Groups:$i:Members:2" 3)
done
dotnet src/OrleansRaft.Host/bin/Release/net10.0/OrleansRaft.Host.dll --data-dir "$dir/cluster" --free-ports "${args[@]}" >"$dir/launcher.log" 2>&1 &
launcher=$!
finish() {
    # A background job ignores SIGINT; the launcher stops its silos and PostgreSQL on SIGTERM.
    kill -TERM "$launcher" 2>/dev/null && wait "$launcher" 2>/dev/null
    rm -rf "$dir"
}
trap finish EXIT
trap 'exit 130' INT TERM

status_url() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["statusUrls"][0])' "$dir/cluster/cluster.json"; }
# Prints "groups led quiet members commits" from the first silo's status page.
summary() {
    curl -fsS "$(status_url)status.json" | python3 -c '
import json, sys
report = json.load(sys.stdin)
groups = report["groups"]
led = sum(1 for g in groups if any(m.get("role") == "leader" for m in g["members"]))
members = [m for g in groups for m in g["members"]]
quiet = sum(1 for m in members if m.get("quiet"))
print(len(groups), led, quiet, len(members), sum(m.get("commit") or 0 for m in members))'
}
# User plus system clock ticks of the given processes and of their children.
ticks() {
    local total=0 pid
    for pid in "$@"; do
        for stat in /proc/[0-9]*/stat; do
            read -r -a f < <(sed 's/^.*) //' "$stat" 2>/dev/null) || continue
            local self="${stat#/proc/}"; self="${self%/stat}"
            if [[ "$self" == "$pid" || "${f[1]}" == "$pid" ]]; then
                total=$((total + f[11] + f[12]))
            fi
        done
    done
    echo "$total"
}

start=$(date +%s)
until [[ -f "$dir/cluster/cluster.json" ]] && read -r g led quiet members _ < <(summary 2>/dev/null) && (( g == groups + 1 && led == g && quiet == members )); do
    kill -0 "$launcher" 2>/dev/null || { cat "$dir/launcher.log"; exit 1; }
    (( $(date +%s) - start < 900 )) || { echo "the groups did not all elect and go quiet within 900 s: ${g:-0} groups, ${led:-0} led, ${quiet:-0}/${members:-0} quiet"; exit 1; }
    sleep 1
done
settled=$(( $(date +%s) - start ))
silos=$(grep -Eo 'silo [0-9]+: pid [0-9]+' "$dir/launcher.log" | awk '{print $4}' | tr '\n' ' ')
postmaster=$(head -1 "$dir/cluster/postgres/pgdata/postmaster.pid")
read -r _ _ _ _ commits0 < <(summary)
# shellcheck disable=SC2086 # a list of pids
s0=$(ticks $silos); p0=$(ticks "$postmaster"); t0=$(date +%s.%N)
sleep "$seconds"
# shellcheck disable=SC2086
s1=$(ticks $silos); p1=$(ticks "$postmaster"); t1=$(date +%s.%N)
read -r g _ quiet members commits1 < <(summary)
hz=$(getconf CLK_TCK)
python3 - "$groups" "$settled" "$s0" "$s1" "$p0" "$p1" "$t0" "$t1" "$hz" "$commits0" "$commits1" "$quiet" "$members" <<'PY'
import sys
n, settled, s0, s1, p0, p1, t0, t1, hz, c0, c1, quiet, members = sys.argv[1:]
wall = float(t1) - float(t0)
print(f"{int(n) + 1} groups (kv and {n} more), all led and quiet {settled} s after start; idle {wall:.0f} s:")
print(f"  silos {100 * (int(s1) - int(s0)) / int(hz) / wall:.2f} % of one core, PostgreSQL {100 * (int(p1) - int(p0)) / int(hz) / wall:.2f} %,"
      f" entries committed {int(c1) - int(c0)} (summed over members), quiet members at the end {quiet} of {members}")
PY
