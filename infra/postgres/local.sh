#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for tests, benchmarks and local development.
#
#   infra/postgres/local.sh install           install the Debian server packages if initdb is missing
#   infra/postgres/local.sh start  [DATADIR]  initdb if needed, start, apply the schema; the last line
#                                             printed is the Npgsql connection string
#   infra/postgres/local.sh stop   [DATADIR]  stop the server of DATADIR
#   infra/postgres/local.sh status [DATADIR]  exit 0 when the server of DATADIR is running
#   infra/postgres/local.sh remove [DATADIR]  stop the server of DATADIR at once and delete DATADIR and its cluster
#   infra/postgres/local.sh remove-on-eof [DATADIR]
#                                             wait until standard input closes (its owner died or let go), then
#                                             remove; a test process runs it beside each server it starts
#
# DATADIR defaults to .data/postgres at the repository root (git-ignored). It holds:
#   pgdata/   the cluster          socket/      the server's Unix socket (mode 0700)
#   server.log                     connection   the last connection string printed
#   .lock     start and stop hold it, so that several processes may start or stop one DATADIR at once
# When run as root and the postgres user cannot reach DATADIR (a folder under a private home, say), the
# cluster, socket and log live instead in a folder under /var/tmp/orleansraft-postgres named after DATADIR.
#
# The password is a fixed local throwaway: the server listens on 127.0.0.1 only and is meant to be
# deleted with its folder. fsync stays on, so durability figures measured here are real.
#
# For a test whose silos run in network namespaces (infra/netns/netns.sh), start also takes
#   ORLEANSRAFT_POSTGRES_LISTEN=ADDR    listen on ADDR (a bridge's address) besides 127.0.0.1
#   ORLEANSRAFT_POSTGRES_CLIENTS=CIDR   accept password logins from CIDR (the bridge's subnet)
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
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends postgresql postgresql-client >&2
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

# The absolute DATADIR without creating it: stop, status and remove must not bring back a folder that is gone.
existing_datadir() {
    realpath -m "${1:-$repo/.data/postgres}"
}

readonly fallback_root="/var/tmp/orleansraft-postgres"

cluster_dir() {
    local datadir="$1"
    if [[ $EUID -ne 0 ]] || runuser -u postgres -- test -x "$(dirname "$datadir")" 2>/dev/null; then
        echo "$datadir"
    else
        echo "$fallback_root/$(printf '%s' "$datadir" | sha256sum | cut -c1-16)"
    fi
}

# Takes the lock of DATADIR on file descriptor 9 until the script exits. Every command that outlives the
# script (the server pg_ctl starts) must run with 9>&-, or it would hold the lock for good.
lock_datadir() {
    exec 9>>"$1/.lock"
    flock -w 600 9 || die "another local.sh held $1/.lock for 10 minutes"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port
    for _ in $(seq 1 200); do
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
    lock_datadir "$datadir"
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

    if [[ "$cluster" == "$fallback_root"/* ]]; then
        # Made by root, perhaps under umask 077: the postgres user must be able to pass through it.
        mkdir -p "$fallback_root"
        chmod 0755 "$fallback_root"
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
    fi
    # On every start, so that a start that died between initdb and this line still ends up configured.
    local include="include_if_exists = 'local.conf'"
    grep -qxF "$include" "$pgdata/postgresql.conf" || echo "$include" >>"$pgdata/postgresql.conf"

    if [[ -n "${ORLEANSRAFT_POSTGRES_CLIENTS:-}" ]]; then
        local hba="host all all $ORLEANSRAFT_POSTGRES_CLIENTS scram-sha-256"
        grep -qxF "$hba" "$pgdata/pg_hba.conf" || echo "$hba" >>"$pgdata/pg_hba.conf"
    fi

    port="$(configured_port "$pgdata")"
    if [[ -z "$port" ]] || port_in_use "$port"; then
        port="$(free_port)"
    fi
    touch "$cluster/server.log"
    own "$cluster/server.log"

    # A port free when probed may be taken by the time the server binds it (by another process, or by a
    # socket that is bound but does not listen): then the server starts again on another one.
    local attempt logged
    for attempt in 1 2 3 4 5; do
        printf '%s\n' "listen_addresses = '127.0.0.1${ORLEANSRAFT_POSTGRES_LISTEN:+,$ORLEANSRAFT_POSTGRES_LISTEN}'" "port = $port" "unix_socket_directories = '$socket'" \
            "max_connections = 200" >"$pgdata/local.conf"
        own "$pgdata/local.conf"
        note "starting on 127.0.0.1:$port"
        logged="$(stat -c %s "$cluster/server.log")"
        if as_owner "$bin/pg_ctl" -D "$pgdata" -l "$cluster/server.log" -w -t 60 start >&2 9>&-; then
            break
        fi
        if [[ $attempt -lt 5 ]] && tail -c "+$((logged + 1))" "$cluster/server.log" | grep -q "could not create any TCP/IP sockets"; then
            note "port $port could not be bound"
            port="$(free_port)"
            continue
        fi
        tail -n 20 "$cluster/server.log" >&2
        die "the server did not start"
    done

    # psql's answer is compared whole: piped into grep -q, psql could die of SIGPIPE and fail the pipeline.
    local exists
    exists="$(as_owner "$bin/psql" -h "$socket" -p "$port" -U "$user" -d postgres -XtAc \
        "SELECT 1 FROM pg_database WHERE datname = '$database'")"
    if [[ "$exists" != "1" ]]; then
        as_owner "$bin/psql" -h "$socket" -p "$port" -U "$user" -d postgres -X -q -c "CREATE DATABASE $database" >&2
    fi

    PGPASSWORD="$password" "$here/apply-schema.sh" "postgresql://$user@127.0.0.1:$port/$database" >&2

    connection_string "$port" | tee "$datadir/connection"
}

stop() {
    local bin datadir pgdata
    bin="$(bin_dir)" || die "PostgreSQL is not installed"
    datadir="$(existing_datadir "${1:-}")"
    [[ -d "$datadir" ]] && lock_datadir "$datadir"
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
    datadir="$(existing_datadir "${1:-}")"
    is_running "$bin" "$(cluster_dir "$datadir")/pgdata"
}

# A throwaway server is not shut down cleanly: its data is deleted next (immediate mode skips the checkpoint).
# Several removers may race (a test process's own and its watchdog): each takes the lock, and the folder is renamed
# before it is deleted, so that one that got the lock late finds nothing, rather than a half-deleted folder.
remove() {
    local bin datadir cluster trash
    datadir="$(existing_datadir "${1:-}")"
    if [[ -d "$datadir" ]]; then
        if [[ ! -e "$datadir/.lock" && ! -e "$datadir/pgdata" && -n "$(ls -A "$datadir")" ]]; then
            die "$datadir holds files but no server of this script; not removing it"
        fi
        # Gone between the test and the open: another remover took it.
        { exec 9>>"$datadir/.lock"; } 2>/dev/null || return 0
        flock -w 600 9 || die "another local.sh held $datadir/.lock for 10 minutes"
    fi
    cluster="$(cluster_dir "$datadir")"
    if bin="$(bin_dir)" && is_running "$bin" "$cluster/pgdata"; then
        as_owner "$bin/pg_ctl" -D "$cluster/pgdata" -m immediate -w -t 60 stop >&2 ||
            note "the server in $cluster/pgdata did not stop"
    fi
    if [[ "$cluster" != "$datadir" ]]; then
        rm -rf "$cluster"
    fi
    if [[ -d "$datadir" ]]; then
        trash="$datadir.removing-$$"
        mv "$datadir" "$trash"
        rm -rf "$trash"
    fi
}

remove_on_eof() {
    # Whoever started this may be gone by the time it prints anything.
    exec >/dev/null 2>&1
    cat >/dev/null || true
    remove "$@"
}

case "${1:-}" in
    install) install_packages ;;
    start) start "${2:-}" ;;
    stop) stop "${2:-}" ;;
    status) status "${2:-}" ;;
    remove) remove "${2:-}" ;;
    remove-on-eof) remove_on_eof "${2:-}" ;;
    *) die "usage: local.sh install | start [DATADIR] | stop [DATADIR] | status [DATADIR] | remove [DATADIR] | remove-on-eof [DATADIR]" ;;
esac
