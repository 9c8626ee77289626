#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for tests, benchmarks and local development.
#
#   infra/postgres/local.sh install           install the Debian server packages if initdb is missing
#   infra/postgres/local.sh start  [DATADIR]  initdb if needed, start, apply the schema; the last line
#                                             printed is the Npgsql connection string
#   infra/postgres/local.sh stop   [DATADIR]  stop the server of DATADIR
#   infra/postgres/local.sh status [DATADIR]  exit 0 when the server of DATADIR is running
#
# DATADIR defaults to .data/postgres at the repository root (git-ignored). It holds:
#   pgdata/   the cluster          socket/      the server's Unix socket (mode 0700)
#   server.log                     connection   the last connection string printed
# When run as root and the postgres user cannot reach DATADIR (a folder under a private home, say), the
# cluster, socket and log live instead in a folder under /var/tmp/orleansraft-postgres named after DATADIR.
#
# The password is a fixed local throwaway: the server listens on 127.0.0.1 only and is meant to be
# deleted with its folder. fsync stays on, so durability figures measured here are real.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
readonly database="orleansraft"
readonly user="postgres"
readonly password="orleansraft-local"

die() { echo "local.sh: $*" >&2; exit 1; }
note() { echo "local.sh: $*" >&2; }

bin_dir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$dir" && -x "$dir/initdb" ]] || return 1
    echo "$dir"
}

install_packages() {
    if bin_dir >/dev/null; then
        note "PostgreSQL is installed ($(bin_dir))"
        return 0
    fi
    [[ $EUID -eq 0 ]] || die "PostgreSQL is missing and installing it needs root"
    note "installing the PostgreSQL server packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql postgresql-client >&2
    bin_dir >/dev/null || die "apt-get ran, but no initdb was found under /usr/lib/postgresql"
}

# Runs a command as the cluster's owner: the postgres user when we are root (initdb and the server refuse root).
as_owner() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Hands a file to the cluster's owner when we are root.
own() {
    if [[ $EUID -eq 0 ]]; then
        chown postgres:postgres "$@"
    fi
}

resolve_datadir() {
    local dir="${1:-$repo/.data/postgres}"
    mkdir -p "$dir"
    (cd "$dir" && pwd)
}

cluster_dir() {
    local datadir="$1"
    if [[ $EUID -ne 0 ]] || runuser -u postgres -- test -x "$(dirname "$datadir")" 2>/dev/null; then
        echo "$datadir"
    else
        echo "/var/tmp/orleansraft-postgres/$(printf '%s' "$datadir" | sha256sum | cut -c1-16)"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port tries
    for tries in $(seq 1 200); do
        port=$(( 20000 + (RANDOM % 20000) ))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    die "no free loopback port found"
}

connection_string() {
    echo "Host=127.0.0.1;Port=$1;Username=$user;Password=$password;Database=$database"
}

is_running() {
    local bin="$1" pgdata="$2"
    [[ -f "$pgdata/PG_VERSION" ]] || return 1
    as_owner "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1
}

configured_port() {
    [[ -f "$1/local.conf" ]] || return 0
    sed -n 's/^port = \([0-9]*\)$/\1/p' "$1/local.conf" | tail -n 1
}

start() {
    install_packages
    local bin datadir cluster pgdata socket port
    bin="$(bin_dir)"
    datadir="$(resolve_datadir "${1:-}")"
    cluster="$(cluster_dir "$datadir")"
    pgdata="$cluster/pgdata"
    socket="$cluster/socket"

    if is_running "$bin" "$pgdata"; then
        port="$(configured_port "$pgdata")"
        [[ -n "$port" ]] || die "the server in $pgdata runs, but its port is unknown"
        note "already running on port $port"
        connection_string "$port" | tee "$datadir/connection"
        return 0
    fi

    mkdir -p "$socket"
    chmod 0700 "$socket"
    if [[ $EUID -eq 0 ]]; then
        own "$cluster" "$socket"
        # The postgres user must reach the folder; say so plainly rather than let initdb fail obscurely.
        runuser -u postgres -- test -x "$cluster" || die "the postgres user cannot reach $cluster"
    fi

    if [[ ! -f "$pgdata/PG_VERSION" ]]; then
        note "initdb in $pgdata"
        local pwfile="$cluster/.pwfile"
        echo "$password" >"$pwfile"
        own "$pwfile"
        as_owner "$bin/initdb" -D "$pgdata" -U "$user" --pwfile="$pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >&2
        rm -f "$pwfile"
        echo "include_if_exists = 'local.conf'" >>"$pgdata/postgresql.conf"
    fi

    port="$(configured_port "$pgdata")"
    if [[ -z "$port" ]] || port_in_use "$port"; then
        port="$(free_port)"
    fi
    cat >"$pgdata/local.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$socket'
max_connections = 200
EOF
    own "$pgdata/local.conf"

    note "starting on 127.0.0.1:$port"
    touch "$cluster/server.log"
    own "$cluster/server.log"
    as_owner "$bin/pg_ctl" -D "$pgdata" -l "$cluster/server.log" -w -t 60 start >&2 \
        || { tail -n 20 "$cluster/server.log" >&2; die "the server did not start"; }

    if ! as_owner "$bin/psql" -h "$socket" -p "$port" -U "$user" -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
        as_owner "$bin/psql" -h "$socket" -p "$port" -U "$user" -d postgres -q -c "CREATE DATABASE $database" >&2
    fi

    PGPASSWORD="$password" "$here/apply-schema.sh" "postgresql://$user@127.0.0.1:$port/$database" >&2

    connection_string "$port" | tee "$datadir/connection"
}

stop() {
    local bin datadir pgdata
    bin="$(bin_dir)" || die "PostgreSQL is not installed"
    datadir="$(resolve_datadir "${1:-}")"
    pgdata="$(cluster_dir "$datadir")/pgdata"
    if ! is_running "$bin" "$pgdata"; then
        note "not running ($pgdata)"
        return 0
    fi
    as_owner "$bin/pg_ctl" -D "$pgdata" -m fast -w stop >&2
}

status() {
    local bin datadir
    bin="$(bin_dir)" || exit 1
    datadir="$(resolve_datadir "${1:-}")"
    is_running "$bin" "$(cluster_dir "$datadir")/pgdata"
}

case "${1:-}" in
    install) install_packages ;;
    start) start "${2:-}" ;;
    stop) stop "${2:-}" ;;
    status) status "${2:-}" ;;
    *) die "usage: local.sh install | start [DATADIR] | stop [DATADIR] | status [DATADIR]" ;;
esac
