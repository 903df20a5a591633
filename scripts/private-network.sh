#!/bin/sh
# Runs a command inside a private network namespace of its own, whose loopback interface carries
# multicast: the multicast tests, demo and benchmark send only there, so not one datagram reaches
# a real network. Root gets a plain network namespace; anyone else a user namespace too (-r),
# which unprivileged users may create on most Linux systems. Needs util-linux (unshare) and
# iproute2 (ip).
#   scripts/private-network.sh node --import tsx some-script.ts
set -eu
if [ "$(id -u)" = 0 ]; then isolate="-n"; else isolate="-rn"; fi
exec unshare $isolate --kill-child sh -c 'ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo && exec "$@"' private-network "$@"
