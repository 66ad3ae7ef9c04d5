#!/usr/bin/env bash
# The project's Docker test host: a network namespace "ptsr-docker" at 10.200.0.130 (veth pair, root side
# 10.200.0.129/30; not on the ptsr-br bridge of testbed.sh) running its own dockerd (data-root, exec-root,
# pidfile and socket under DIR) and an OpenSSH sshd whose sessions see that engine (DOCKER_HOST) and, where it
# could be obtained, Compose v2 as a CLI plugin (DOCKER_CONFIG). The image portoser/busybox:1 is made with
# `docker import` from busybox-static (no image registry is reachable); its root file system is cached in
# /var/cache/portoser so later runs are fast. Only traffic to 10.200.0.130 and inside the namespace.
#
#   docker-host.sh up [DIR]     start it; writes DIR/hosts ("docker 10.200.0.130 22", and "docker-v1 10.200.0.130
#                               2222" when Compose v1 is installed: logins on port 2222 see no v2 plugin;
#                               "docker-off 10.200.0.130 2223": logins there find no engine on DOCKER_HOST),
#                               DIR/id_ed25519, DIR/known_hosts, DIR/compose (v2 or v1: what port 22 finds)
#   docker-host.sh down [DIR]   remove every container, stop dockerd and sshd, delete the namespace, link and
#                               route, restore net.ipv4.ip_forward (safe to repeat)
#
# DIR defaults to /tmp/portoser-docker. Needs root, iproute2, openssh-server, docker.io, busybox-static; Compose
# v1 (docker-compose) and/or v2 (COMPOSE_V2_DEB or /var/cache/portoser/compose-v2/docker-compose, see .ci/run).
# Run under `flock /tmp/portoser-docker.lock`.
set -Eeuo pipefail

NS=ptsr-docker
VETH=ptsr-dk
ROOT_IP=10.200.0.129
HOST_IP=10.200.0.130
NET=10.200.0.128/30
CACHE=${PORTOSER_CACHE:-/var/cache/portoser}
IMAGE=portoser/busybox:1
# The namespace and address are global, so the DIR of the running host is recorded where every run finds it.
ACTIVE=/run/portoser-docker-host.dir
cmd=${1:-}
shift || true
DIR=${1:-/tmp/portoser-docker}

# Runs a daemon in the background with no descriptor of ours beyond 0-2: a caller's `flock` lock must not be
# held by dockerd or sshd after this script ends.
daemon() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [[ $fd -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec "$@"
  ) </dev/null >/dev/null 2>&1 &
}

docker_cli() { DOCKER_HOST="unix://$DIR/docker.sock" DOCKER_CONFIG="$DIR/dockercfg" docker "$@"; }

down() {
  # A host started with another DIR owns the namespace: take it down first, with its own DIR.
  if [[ -f $ACTIVE ]]; then
    local other
    other=$(cat "$ACTIVE")
    if [[ -n $other && $other != "$DIR" && -d $other ]]; then DIR=$other down_dir; fi
    rm -f "$ACTIVE"
  fi
  down_dir
}

down_dir() {
  [[ -d "$DIR" ]] || { cleanup_net; return 0; }
  if [[ -S "$DIR/docker.sock" ]]; then
    # Containers first, so that their shims and proxies end with them (nothing else touches their volumes:
    # the whole data-root goes below).
    local ids
    ids=$(timeout 20 env DOCKER_HOST="unix://$DIR/docker.sock" docker ps -aq 2>/dev/null || true)
    if [[ -n "$ids" ]]; then
      # shellcheck disable=SC2086
      timeout 30 env DOCKER_HOST="unix://$DIR/docker.sock" docker rm -f $ids >/dev/null 2>&1 || true
    fi
  fi
  for f in dockerd.pid sshd.pid; do
    if [[ -f "$DIR/$f" ]]; then
      local pid
      pid=$(cat "$DIR/$f")
      if [[ $pid =~ ^[0-9]+$ && $pid -gt 1 ]]; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  done
  for f in sshd.bgpid dockerd.bgpid mntns.bgpid; do
    if [[ -f "$DIR/$f" ]]; then kill -KILL "$(cat "$DIR/$f")" 2>/dev/null || true; fi
  done
  # Whatever still runs in the namespace (sessions, dockerd's managed containerd, shims) is ours.
  if ip netns list 2>/dev/null | grep -qw "$NS"; then
    ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  fi
  cleanup_net
  # Mounts dockerd leaves behind (nsfs on exec-root/netns, overlay mounts of containers).
  { grep -o " $DIR/[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  if [[ -f "$DIR/ip_forward" ]]; then sysctl -qw "net.ipv4.ip_forward=$(cat "$DIR/ip_forward")" || true; fi
  rm -rf "$DIR"
}

cleanup_net() {
  ip link del "$VETH" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  ip route del blackhole "$NET" 2>/dev/null || true
}

rootfs_tar() { # the busybox root file system, cached by busybox version
  local version tar
  version=$(busybox 2>&1 | head -n 1 | grep -o 'v[0-9][0-9.]*' || echo unknown)
  tar="$CACHE/busybox-rootfs-$version.tar"
  if [[ ! -s "$tar" ]]; then
    mkdir -p "$CACHE"
    local r
    r=$(mktemp -d)
    mkdir -p "$r"/{bin,tmp,etc,proc,sys,dev,www,root,var/www}
    cp "$(command -v busybox)" "$r/bin/busybox"
    for a in $("$r/bin/busybox" --list); do [[ $a == busybox ]] || ln -sf busybox "$r/bin/$a"; done
    echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
    echo 'root:x:0:' > "$r/etc/group"
    chmod 1777 "$r/tmp"
    tar -C "$r" -cf "$tar.new" .
    mv -f "$tar.new" "$tar"
    rm -rf "$r"
  fi
  echo "$tar"
}

compose_v2_plugin() { # extracts the v2 plugin from the trixie .deb (see .ci/run) into the cache, once
  local plugin="$CACHE/compose-v2/docker-compose"
  if [[ ! -x "$plugin" ]]; then
    local deb=${COMPOSE_V2_DEB:-}
    [[ -n "$deb" ]] || deb=$(ls "$CACHE"/apt-trixie/docker-compose_2*.deb 2>/dev/null | tail -n 1 || true)
    [[ -n "$deb" && -f "$deb" ]] || return 0
    local x
    x=$(mktemp -d)
    dpkg-deb -x "$deb" "$x"
    mkdir -p "$CACHE/compose-v2"
    cp "$x/usr/libexec/docker/cli-plugins/docker-compose" "$plugin.new"
    chmod 755 "$plugin.new"
    mv -f "$plugin.new" "$plugin"
    rm -rf "$x"
  fi
  echo "$plugin"
}

up() {
  [[ $(id -u) == 0 ]] || { echo "docker-host: needs root (network namespace, dockerd, sshd)" >&2; exit 2; }
  for p in /usr/sbin/sshd /usr/sbin/dockerd busybox docker; do
    command -v "$p" >/dev/null || { echo "docker-host: needs $p (see .ci/run)" >&2; exit 2; }
  done
  down
  mkdir -p "$DIR"/{root,data,exec,dockercfg/cli-plugins,dockercfg-v1} /run/sshd
  chmod 755 /run/sshd
  trap 'echo "docker-host: up failed; tearing down (logs were in $DIR)" >&2; tail -n 20 "$DIR/dockerd.log" >&2 2>/dev/null || true; down' ERR
  sysctl -n net.ipv4.ip_forward > "$DIR/ip_forward"
  echo "$DIR" > "$ACTIVE"

  ip netns add "$NS"
  ip link add "$VETH" type veth peer name eth0 netns "$NS"
  ip addr add "$ROOT_IP/30" dev "$VETH"
  ip link set "$VETH" up
  ip -n "$NS" addr add "$HOST_IP/30" dev eth0
  ip -n "$NS" link set eth0 up
  ip -n "$NS" link set lo up
  # If the link goes away, 10.200.0.130 must not fall through to the default route.
  ip route add blackhole "$NET" metric 4000
  ip neigh flush to "$HOST_IP" dev "$VETH" 2>/dev/null || true
  ip route get "$HOST_IP" | grep -q "dev $VETH" || { echo "docker-host: $HOST_IP is not routed to $VETH" >&2; false; }

  # dockerd in the namespace's network only: `ip netns exec` would remount /sys and hide the cgroups.
  daemon sh -c 'exec "$@" >"$0" 2>&1' "$DIR/dockerd.log" nsenter --net="/run/netns/$NS" /usr/sbin/dockerd \
    --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/dockerd.pid" -H "unix://$DIR/docker.sock" \
    --bridge=none --iptables=false --ip6tables=false --default-address-pool base=10.201.0.0/16,size=24
  echo $! > "$DIR/dockerd.bgpid"
  for _ in $(seq 200); do
    if docker_cli version >/dev/null 2>&1; then break; fi
    kill -0 "$(cat "$DIR/dockerd.bgpid")" 2>/dev/null || { echo "docker-host: dockerd exited" >&2; false; }
    sleep 0.05
  done
  docker_cli version >/dev/null

  docker_cli import "$(rootfs_tar)" "$IMAGE" >/dev/null
  local plugin
  plugin=$(compose_v2_plugin)
  if [[ -n "$plugin" ]]; then ln -sf "$plugin" "$DIR/dockercfg/cli-plugins/docker-compose"; fi
  if docker_cli compose version >/dev/null 2>&1; then echo v2 > "$DIR/compose"
  elif command -v docker-compose >/dev/null; then echo v1 > "$DIR/compose"
  else echo none > "$DIR/compose"; fi

  ssh-keygen -q -t ed25519 -N '' -C portoser-docker-host -f "$DIR/id_ed25519"
  cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
  chmod 600 "$DIR/authorized_keys"
  for t in ed25519 ecdsa rsa; do ssh-keygen -q -t $t -N '' -C "$NS" -f "$DIR/host_$t"; done
  : > "$DIR/known_hosts"
  for t in ed25519 ecdsa rsa; do
    echo "$HOST_IP $(cut -d' ' -f1,2 "$DIR/host_$t.pub")" >> "$DIR/known_hosts"
    echo "[$HOST_IP]:2222 $(cut -d' ' -f1,2 "$DIR/host_$t.pub")" >> "$DIR/known_hosts"
    echo "[$HOST_IP]:2223 $(cut -d' ' -f1,2 "$DIR/host_$t.pub")" >> "$DIR/known_hosts"
  done
  cat > "$DIR/sshd_config" <<CFG
Port 22
Port 2222
Port 2223
ListenAddress $HOST_IP
HostKey $DIR/host_ed25519
HostKey $DIR/host_ecdsa
HostKey $DIR/host_rsa
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
MaxStartups 100:30:200
MaxSessions 10
Match LocalPort 22
  SetEnv DOCKER_HOST=unix://$DIR/docker.sock DOCKER_CONFIG=$DIR/dockercfg
Match LocalPort 2222
  SetEnv DOCKER_HOST=unix://$DIR/docker.sock DOCKER_CONFIG=$DIR/dockercfg-v1
Match LocalPort 2223
  SetEnv DOCKER_HOST=unix://$DIR/no-engine.sock DOCKER_CONFIG=$DIR/dockercfg
CFG
  /usr/sbin/sshd -t -f "$DIR/sshd_config"
  # How a login of the host starts its dockerd again (the self-healing playbook runs ~/.config/portoser/start-docker
  # when a test installs it): out of the session's mount namespace into this script's (which has the cgroups; a
  # sleeping process holds it, since PID 1's may be closed to the sessions), into the host's network namespace,
  # detached, as above.
  daemon sleep infinity
  echo $! > "$DIR/mntns.bgpid"
  cat > "$DIR/start-dockerd" <<SH
#!/bin/sh
nsenter -t "\$(cat '$DIR/mntns.bgpid')" -m -- setsid nsenter --net=/run/netns/$NS /usr/sbin/dockerd --data-root '$DIR/data' \\
  --exec-root '$DIR/exec' --pidfile '$DIR/dockerd.pid' -H 'unix://$DIR/docker.sock' --bridge=none --iptables=false \\
  --ip6tables=false --default-address-pool base=10.201.0.0/16,size=24 </dev/null >>'$DIR/dockerd.log' 2>&1 &
SH
  chmod 755 "$DIR/start-dockerd"
  # The sessions must not reach this machine's own Docker through its init system (systemd, /etc/init.d/docker).
  daemon ip netns exec "$NS" unshare -mu sh -c "hostname $NS; mount --bind '$DIR/root' /root; \
    if [ -d /run/systemd/system ]; then mount -t tmpfs none /run/systemd; fi; \
    if [ -e /etc/init.d/docker ]; then mount --bind /dev/null /etc/init.d/docker; fi; \
    exec /usr/sbin/sshd -D -f '$DIR/sshd_config' -E '$DIR/sshd.log'"
  echo $! > "$DIR/sshd.bgpid"
  local ok=0
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/$HOST_IP/22") 2>/dev/null; then ok=1; break; fi
    sleep 0.05
  done
  [[ $ok == 1 ]] || { echo "docker-host: sshd did not start; see $DIR/sshd.log" >&2; false; }
  echo "docker $HOST_IP 22" > "$DIR/hosts"
  # Port 2222: the same host, but its sessions see no Compose v2 plugin, so only v1 (docker-compose) if installed.
  if command -v docker-compose >/dev/null; then echo "docker-v1 $HOST_IP 2222" >> "$DIR/hosts"; fi
  # Port 2223: the same host, but its sessions' DOCKER_HOST names a socket where no engine listens.
  echo "docker-off $HOST_IP 2223" >> "$DIR/hosts"
  trap - ERR
  echo "docker-host: up in $DIR (compose $(cat "$DIR/compose"), image $IMAGE)"
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
