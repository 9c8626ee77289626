#!/usr/bin/env bash
# Network namespaces that stand in for separate machines: each namespace has its own network stack and one address on
# a bridge in the host's namespace, which keeps the bridge's first address (for a server the "machines" share, such as
# PostgreSQL). Needs root and iproute2 (`ip`).
#
#   infra/netns/netns.sh install                 install iproute2 (apt) if `ip` is missing
#   infra/netns/netns.sh up NAME COUNT           create bridge NAMEb on a free 10.x.y.0/24 with address 10.x.y.1 and
#                                                namespaces NAME-1..NAME-COUNT, namespace k at 10.x.y.(k+1) on veth
#                                                NAMEnk (its host end NAMEhk on the bridge); prints "10.x.y" last
#   infra/netns/netns.sh cut NAME K              take namespace K off the network (its host end down)
#   infra/netns/netns.sh heal NAME K             put it back
#   infra/netns/netns.sh down NAME               kill every process in NAME-*, delete the namespaces, veths and bridge
#   infra/netns/netns.sh down-on-eof NAME        wait until standard input closes (its owner died or let go), then down;
#                                                a test runs it beside the namespaces it creates
#
# NAME is at most 9 characters ([a-z0-9]), so that interface names fit in 15. Nothing outside NAME's own
# namespaces, interfaces and bridge is touched.
set -euo pipefail

die() { echo "netns.sh: $*" >&2; exit 1; }

install_packages() {
    command -v ip >/dev/null && return 0
    [[ $EUID -eq 0 ]] || die "iproute2 (ip) is missing and installing it needs root"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends iproute2 >&2
    command -v ip >/dev/null || die "apt-get ran, but ip is still missing"
}

check_name() {
    [[ "${1:-}" =~ ^[a-z0-9]{1,9}$ ]] || die "NAME must be 1 to 9 characters of [a-z0-9], not '${1:-}'"
}

# A 10.x.y prefix that no address or route of the host uses yet.
free_prefix() {
    local used prefix
    used="$(ip -4 -o addr show; ip -4 route show table all)"
    for _ in $(seq 1 200); do
        prefix="10.$((100 + RANDOM % 150)).$((RANDOM % 256))"
        if ! grep -qF "$prefix." <<<"$used"; then
            echo "$prefix"
            return 0
        fi
    done
    die "no free 10.x.y.0/24 found"
}

up() {
    local name="$1" count="$2" prefix k
    check_name "$name"
    [[ "$count" =~ ^[1-9]$ ]] || die "COUNT must be 1 to 9, not '$count'"
    [[ $EUID -eq 0 ]] || die "creating network namespaces needs root"
    install_packages
    ! ip link show "${name}b" >/dev/null 2>&1 || die "bridge ${name}b exists already"
    prefix="$(free_prefix)"
    ip link add "${name}b" type bridge
    ip addr add "$prefix.1/24" dev "${name}b"
    ip link set "${name}b" up
    for k in $(seq 1 "$count"); do
        ip netns add "$name-$k"
        ip -n "$name-$k" link set lo up
        ip link add "${name}h$k" type veth peer name "${name}n$k"
        ip link set "${name}n$k" netns "$name-$k"
        ip link set "${name}h$k" master "${name}b"
        ip link set "${name}h$k" up
        ip -n "$name-$k" addr add "$prefix.$((k + 1))/24" dev "${name}n$k"
        ip -n "$name-$k" link set "${name}n$k" up
    done
    echo "$prefix"
}

link_of() {
    check_name "$1"
    [[ "$2" =~ ^[1-9]$ ]] || die "K must be 1 to 9, not '$2'"
    echo "${1}h$2"
}

down() {
    local name="$1" ns link pids
    check_name "$name"
    for ns in $(ip netns list | awk '{ print $1 }' | grep -E "^$name-[1-9]$" || true); do
        pids="$(ip netns pids "$ns" || true)"
        if [[ -n "$pids" ]]; then
            # shellcheck disable=SC2086 # one pid a word
            kill -KILL $pids 2>/dev/null || true
        fi
        ip netns del "$ns" || true
    done
    # Deleting a namespace deletes its veth ends, and the host ends with them, but not always before this line.
    for link in $(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep -E "^${name}(h[1-9]|b)$" || true); do
        ip link del "$link" 2>/dev/null || true
    done
}

down_on_eof() {
    exec >/dev/null 2>&1
    cat >/dev/null || true
    down "$1"
}

case "${1:-}" in
    install) install_packages ;;
    up) up "${2:-}" "${3:-}" ;;
    cut) ip link set "$(link_of "${2:-}" "${3:-}")" down ;;
    heal) ip link set "$(link_of "${2:-}" "${3:-}")" up ;;
    down) down "${2:-}" ;;
    down-on-eof) down_on_eof "${2:-}" ;;
    *) die "usage: netns.sh install | up NAME COUNT | cut NAME K | heal NAME K | down NAME | down-on-eof NAME" ;;
esac
