#!/usr/bin/env bash
# A simulated internet on this machine, for the [reach] tests (run as root).
#
#   tests/rig/netns-rig.sh up ID eim|symmetric   sets it up (prints the namespace names)
#   tests/rig/netns-rig.sh down ID               removes everything ID created (also after a failure)
#
# Five namespaces named rig<ID>-…, addresses only from the benchmarking range 198.18.0.0/15:
#   inet   the "internet": 198.19.0.1 and 198.19.0.2 (servers: coturn, signaling, phone page),
#          198.19.1.1 towards the home router, 198.19.2.1 towards the mobile router
#   homer  home NAT router: WAN 198.19.1.2, LAN 198.18.1.1      home  the computer, 198.18.1.2
#   mobr   mobile NAT router: WAN 198.19.2.2, LAN 198.18.2.1    mob   the phone, 198.18.2.2
# "void" (198.19.255.2) swallows what the internet has no route for, as the real one does.
# A second mobile network (case 3, the phone moves): router mob2r, WAN 198.19.3.2, LAN 198.18.3.1;
# `tests/rig/netns-rig.sh move ID` moves the phone to it (new address 198.18.3.2, new NAT).
#
# NAT: nftables masquerade. "eim": plain masquerade, which keeps one mapping per local address and
# port (endpoint-independent mapping, checked by the tests with STUN from two server addresses);
# "symmetric": masquerade fully-random, a new port for every destination (address-and-port-dependent).
set -euo pipefail
cmd=${1:?up|down|move}
id=${2:?an id (e.g. the test process id)}
p="rig${id}"
ns() { ip netns exec "$p-$1" "${@:2}"; }

down() {
  for n in inet homer home mobr mob mob2r void; do
    ip netns pids "$p-$n" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$p-$n" 2>/dev/null || true
  done
}

link() { # link NS_A IF_A ADDR_A NS_B IF_B ADDR_B
  ip link add "$2" type veth peer name "$5"
  ip link set "$2" netns "$p-$1"
  ip link set "$5" netns "$p-$4"
  ns "$1" ip addr add "$3" dev "$2"
  ns "$4" ip addr add "$6" dev "$5"
  ns "$1" ip link set "$2" up
  ns "$4" ip link set "$5" up
}

nat() { # nat ROUTER_NS WAN_IF MODE
  local rule="masquerade"
  [ "$3" = symmetric ] && rule="masquerade fully-random"
  ns "$1" sysctl -qw net.ipv4.ip_forward=1
  ns "$1" nft add table ip nat
  ns "$1" nft "add chain ip nat post { type nat hook postrouting priority 100 ; }"
  ns "$1" nft add rule ip nat post oifname "$2" $rule
  # Unsolicited UDP to the router itself is dropped before conntrack confirms it: otherwise the
  # first hole-punching packet from the other side leaves an entry that makes the NAT pick another
  # port for our own outgoing packet to that peer, and a home router would not do that.
  ns "$1" nft add table ip filter
  ns "$1" nft "add chain ip filter input { type filter hook input priority 0 ; }"
  ns "$1" nft add rule ip filter input iifname "$2" meta l4proto udp drop
}

case "$cmd" in
  up)
    mode=${3:?eim|symmetric}
    trap 'down' ERR
    for n in inet homer home mobr mob mob2r void; do
      ip netns add "$p-$n"
      ns "$n" ip link set lo up
    done
    ns inet ip addr add 198.19.0.1/32 dev lo
    ns inet ip addr add 198.19.0.2/32 dev lo
    ns inet sysctl -qw net.ipv4.ip_forward=1
    # Like the real internet, the "internet" silently loses packets to addresses it has no route to
    # (the private addresses behind the NATs, which ICE offers as host candidates): its default route
    # leads to "void", a namespace that does not forward and so drops them without a word. With no
    # route at all the kernel fails coturn's sendto() at once (ENETUNREACH), and coturn closes the
    # whole TURN allocation over that one error, killing the relayed path in use.
    link inet "r${id}iv" 198.19.255.1/30 void "r${id}vv" 198.19.255.2/30
    ns inet ip route add default via 198.19.255.2
    link inet "r${id}ih" 198.19.1.1/24 homer "r${id}hw" 198.19.1.2/24
    link inet "r${id}im" 198.19.2.1/24 mobr "r${id}mw" 198.19.2.2/24
    link inet "r${id}in" 198.19.3.1/24 mob2r "r${id}nw" 198.19.3.2/24
    link homer "r${id}hl" 198.18.1.1/24 home "r${id}hh" 198.18.1.2/24
    link mobr "r${id}ml" 198.18.2.1/24 mob "r${id}mm" 198.18.2.2/24
    ns homer ip route add default via 198.19.1.1
    ns mobr ip route add default via 198.19.2.1
    ns mob2r ip route add default via 198.19.3.1
    ns home ip route add default via 198.18.1.1
    ns mob ip route add default via 198.18.2.1
    nat homer "r${id}hw" "$mode"
    nat mobr "r${id}mw" "$mode"
    nat mob2r "r${id}nw" "$mode"
    echo "$p-inet $p-home $p-mob"
    ;;
  move)
    # The phone leaves the mobile network for another: old link gone, new address behind a new NAT.
    ns mob ip link del "r${id}mm"
    link mob2r "r${id}nl" 198.18.3.1/24 mob "r${id}nm" 198.18.3.2/24
    ns mob ip route add default via 198.18.3.1
    ;;
  down) down ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
