#!/usr/bin/env bash
# The project's own test hosts: N hosts, each in its own network namespace with its own address in
# 10.200.0.0/24, hostname, home directory (/root), host key and OpenSSH sshd; plus a client key and a matching
# known_hosts. Traffic goes only to these hosts. Where namespaces are refused, hosts are 127.0.0.(10+N):2222.
#
#   testbed.sh up N [DIR]         start N hosts (1..20); writes DIR/hosts, DIR/id_ed25519, DIR/known_hosts
#   testbed.sh down [DIR]         stop everything and remove namespaces, links, routes (safe to repeat)
#   testbed.sh restart-sshd I [DIR]   start host I's sshd again (after a test killed it)
#   testbed.sh kill-sshd I [DIR]      kill every process of host I (its sshd and all sessions)
#
# DIR defaults to /tmp/portoser-testbed. Needs root, iproute2 and openssh-server.
set -euo pipefail

PREFIX=ptsr
BRIDGE=${PREFIX}-br
NET=10.200.0
cmd=${1:-}
shift || true

dir_arg() { echo "${1:-/tmp/portoser-testbed}"; }

host_ip() { # index -> address
  if [[ -f "$DIR/mode" && $(cat "$DIR/mode") == loopback ]]; then echo "127.0.0.$((10 + $1))"; else echo "$NET.$((10 + $1))"; fi
}

host_port() { if [[ -f "$DIR/mode" && $(cat "$DIR/mode") == loopback ]]; then echo 2222; else echo 22; fi; }

start_sshd() { # index
  local i=$1 h="$DIR/h$1" ip port
  ip=$(host_ip "$i"); port=$(host_port)
  cat > "$h/sshd_config" <<CFG
Port $port
ListenAddress $ip
HostKey $h/host_ed25519
HostKey $h/host_ecdsa
HostKey $h/host_rsa
PidFile $h/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
MaxStartups 100:30:200
MaxSessions 10
CFG
  /usr/sbin/sshd -t -f "$h/sshd_config"
  local run=(unshare -mu sh -c "hostname ${PREFIX}-h$i; mount --bind '$h/root' /root; exec /usr/sbin/sshd -D -f '$h/sshd_config' -E '$h/sshd.log'")
  if [[ $(cat "$DIR/mode") == netns ]]; then
    ip netns exec "${PREFIX}-h$i" "${run[@]}" </dev/null >/dev/null 2>&1 &
  else
    "${run[@]}" </dev/null >/dev/null 2>&1 &
  fi
  echo $! > "$h/bgpid"
  for _ in $(seq 100); do # wait until it listens
    if (exec 3<>"/dev/tcp/$ip/$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "testbed: sshd of host $i did not start; see $h/sshd.log" >&2
  return 1
}

kill_host_processes() { # index
  local i=$1 h="$DIR/h$1"
  if [[ $(cat "$DIR/mode" 2>/dev/null) == netns ]] && ip netns list | grep -qw "${PREFIX}-h$i"; then
    ip netns pids "${PREFIX}-h$i" | xargs -r kill -KILL 2>/dev/null || true
  fi
  if [[ -f "$h/bgpid" ]]; then kill -KILL "$(cat "$h/bgpid")" 2>/dev/null || true; fi
  if [[ -f "$h/sshd.pid" ]]; then kill -KILL "$(cat "$h/sshd.pid")" 2>/dev/null || true; fi
  # Sessions of a loopback host are children of its sshd; find them by the config path on their command line.
  pkill -KILL -f "sshd.*$h/sshd_config" 2>/dev/null || true
  rm -f "$h/sshd.pid" "$h/bgpid"
}

down() {
  [[ -d "$DIR" ]] || return 0
  for h in "$DIR"/h*; do
    [[ -d "$h" ]] || continue
    kill_host_processes "${h##*/h}"
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${PREFIX}-h" || true); do
    ip link del "${PREFIX}-v${ns##*-h}" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  ip route del blackhole "$NET.0/24" 2>/dev/null || true
  rm -rf "$DIR"
}

up() {
  local n=$1
  [[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 20 ]] || { echo "testbed: N must be 1..20" >&2; exit 2; }
  [[ $(id -u) == 0 ]] || { echo "testbed: needs root (network namespaces, sshd)" >&2; exit 2; }
  command -v /usr/sbin/sshd >/dev/null || { echo "testbed: needs openssh-server" >&2; exit 2; }
  down
  mkdir -p "$DIR" /run/sshd
  chmod 755 /run/sshd
  trap 'echo "testbed: up failed; tearing down" >&2; down' ERR
  ssh-keygen -q -t ed25519 -N '' -C portoser-testbed -f "$DIR/id_ed25519"
  cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
  chmod 600 "$DIR/authorized_keys"

  local mode=netns
  if [[ ${FORCE_LOOPBACK:-0} == 1 ]] || ! ip netns add "${PREFIX}-probe" 2>/dev/null; then
    mode=loopback
  else
    ip netns del "${PREFIX}-probe"
  fi
  echo "$mode" > "$DIR/mode"

  if [[ $mode == netns ]]; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    # If the bridge goes away, 10.200.0.x must not fall through to the default route.
    ip route add blackhole "$NET.0/24" metric 4000
  fi

  : > "$DIR/known_hosts"
  : > "$DIR/hosts"
  for i in $(seq 1 "$n"); do
    local h="$DIR/h$i" ip
    mkdir -p "$h/root"
    for t in ed25519 ecdsa rsa; do ssh-keygen -q -t $t -N '' -C "${PREFIX}-h$i" -f "$h/host_$t"; done
    ip=$(host_ip "$i")
    if [[ $mode == netns ]]; then
      ip netns add "${PREFIX}-h$i"
      ip link add "${PREFIX}-v$i" type veth peer name eth0 netns "${PREFIX}-h$i"
      ip link set "${PREFIX}-v$i" master "$BRIDGE" up
      ip -n "${PREFIX}-h$i" addr add "$ip/24" dev eth0
      ip -n "${PREFIX}-h$i" link set eth0 up
      ip -n "${PREFIX}-h$i" link set lo up
      ip neigh flush to "$ip" dev "$BRIDGE" 2>/dev/null || true
      ip route get "$ip" | grep -q "dev $BRIDGE" || { echo "testbed: $ip is not routed to $BRIDGE" >&2; false; }
    fi
    local entry="$ip"
    [[ $(host_port) == 22 ]] || entry="[$ip]:$(host_port)"
    for t in ed25519 ecdsa rsa; do echo "$entry $(cut -d' ' -f1,2 "$h/host_$t.pub")" >> "$DIR/known_hosts"; done
    start_sshd "$i"
    echo "h$i $ip $(host_port)" >> "$DIR/hosts"
  done
  trap - ERR
  echo "testbed: $n hosts up ($mode) in $DIR"
}

case "$cmd" in
  up) n=${1:?N}; DIR=$(dir_arg "${2:-}"); up "$n" ;;
  down) DIR=$(dir_arg "${1:-}"); down ;;
  restart-sshd) i=${1:?I}; DIR=$(dir_arg "${2:-}"); kill_host_processes "$i"; start_sshd "$i" ;;
  kill-sshd) i=${1:?I}; DIR=$(dir_arg "${2:-}"); kill_host_processes "$i" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
