#!/usr/bin/env bash
# The project's systemd test host: a Debian root made with debootstrap, booted with `systemd-nspawn -b` (a real
# systemd as PID 1) in its own network namespace "ptsr-systemd" at 10.200.0.134 (veth pair, root side
# 10.200.0.133/30; not on the ptsr-br bridge of testbed.sh), reachable over SSH as root and as the non-root login
# "deploy" (for user units). The root is built once into /var/cache/portoser/systemd-root and reused; each boot
# runs on a tmpfs overlay over it (--volatile=overlay), so nothing a test does survives `down` and the cache stays
# as built. Only traffic to 10.200.0.134 and inside the namespace.
#
#   systemd-host.sh up [DIR]     build the root if it is not cached (a few minutes), boot it; writes DIR/hosts
#                                ("systemd 10.200.0.134 22 root", "systemd-user 10.200.0.134 22 deploy"),
#                                DIR/id_ed25519, DIR/known_hosts, DIR/timings
#   systemd-host.sh down [DIR]   power the machine off, delete the namespace, link and route (safe to repeat)
#   systemd-host.sh build        only build (or check) the cached root
#
# DIR defaults to /tmp/portoser-systemd. Needs root, iproute2, openssh-client, debootstrap, systemd-container
# (see .ci/run). The Debian mirror is the one this machine's apt uses. Run under `flock /tmp/portoser-testbed.lock`.
set -Eeuo pipefail

NS=ptsr-systemd
VETH=ptsr-sd
ROOT_IP=10.200.0.133
HOST_IP=10.200.0.134
NET=10.200.0.132/30
CACHE=${PORTOSER_CACHE:-/var/cache/portoser}
ROOTFS=$CACHE/systemd-root
# Bump when the recipe below changes, so a cached root built by an older recipe is rebuilt.
RECIPE=1
PACKAGES=systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,polkitd,openssh-server,iproute2,procps,python3
ACTIVE=/run/portoser-systemd-host.dir
cmd=${1:-}
shift || true
DIR=${1:-/tmp/portoser-systemd}

# Runs a daemon in the background with no descriptor of ours beyond 0-2: a caller's `flock` lock must not be
# held by the machine after this script ends.
daemon() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [[ $fd -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec "$@"
  ) </dev/null >/dev/null 2>&1 &
}

now_ms() { date +%s%3N; }

mirror() { # the Debian mirror this machine's apt is configured with (never written into a file of the project)
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && grep -hE '^[[:space:]]*(URIs:|deb )' "$f"
  done | grep -oE 'https?://[^ ]+' | grep -v -- '-security' | grep -E '/debian/?$' | head -n 1 || true
}

build() {
  [[ $(id -u) == 0 ]] || { echo "systemd-host: needs root (debootstrap, network namespace, nspawn)" >&2; exit 2; }
  if [[ -f $ROOTFS/.portoser-recipe && $(cat "$ROOTFS/.portoser-recipe") == "$RECIPE" ]]; then return 0; fi
  command -v debootstrap >/dev/null || { echo "systemd-host: needs debootstrap (see .ci/run)" >&2; exit 2; }
  local m suite t0 new=$ROOTFS.new
  m=$(mirror)
  [[ -n $m ]] || { echo "systemd-host: no Debian mirror in /etc/apt/sources.list*" >&2; exit 2; }
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  t0=$(now_ms)
  echo "systemd-host: building the Debian $suite root in $ROOTFS (once; cached for later runs)" >&2
  rm -rf "$new"
  mkdir -p "$CACHE"
  debootstrap --variant=minbase --include="$PACKAGES" "$suite" "$new" "${m%/}" > "$CACHE/systemd-root.log" 2>&1 \
    || { tail -n 20 "$CACHE/systemd-root.log" >&2; rm -rf "$new"; exit 1; }
  # Both logins authenticate with the key of the running test host, bound over this path at boot.
  cat > "$new/etc/ssh/sshd_config.d/portoser.conf" <<'CFG'
AuthorizedKeysFile /etc/ssh/portoser_authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxSessions 10
MaxStartups 100:30:200
CFG
  touch "$new/etc/ssh/portoser_authorized_keys"
  echo "$NS" > "$new/etc/hostname"
  chroot "$new" useradd --create-home --shell /bin/bash --uid 1000 deploy
  # Nothing in the machine may reach for the network on its own.
  for u in apt-daily.timer apt-daily-upgrade.timer; do ln -sf /dev/null "$new/etc/systemd/system/$u"; done
  rm -rf "$new"/var/cache/apt/archives/*.deb "$new"/var/lib/apt/lists/*
  echo "$RECIPE" > "$new/.portoser-recipe"
  rm -rf "$ROOTFS"
  mv "$new" "$ROOTFS"
  echo "systemd-host: root built in $(( ($(now_ms) - t0) / 1000 )) s ($(du -sh "$ROOTFS" | cut -f1))" >&2
  echo "build_ms $(( $(now_ms) - t0 ))" > "$CACHE/systemd-root.build"
}

down() {
  if [[ -f $ACTIVE ]]; then
    local other
    other=$(cat "$ACTIVE")
    if [[ -n $other && $other != "$DIR" && -d $other ]]; then DIR=$other down_dir; fi
    rm -f "$ACTIVE"
  fi
  down_dir
}

down_dir() {
  if [[ -f "$DIR/nspawn.pid" ]]; then
    local pid
    pid=$(cat "$DIR/nspawn.pid")
    if [[ $pid =~ ^[0-9]+$ && $pid -gt 1 ]] && grep -q systemd-nspawn "/proc/$pid/cmdline" 2>/dev/null; then
      # SIGTERM asks nspawn to power the machine off cleanly; then it is killed, with everything inside.
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  if ip netns list 2>/dev/null | grep -qw "$NS"; then
    ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  fi
  ip link del "$VETH" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  ip route del blackhole "$NET" 2>/dev/null || true
  ip neigh flush to "$HOST_IP" 2>/dev/null || true
  # nspawn mounts in its own mount namespace; anything of the root that leaked into ours goes too.
  { grep -o " $ROOTFS[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
  rm -rf "$DIR"
}

up() {
  [[ $(id -u) == 0 ]] || { echo "systemd-host: needs root (debootstrap, network namespace, nspawn)" >&2; exit 2; }
  for p in systemd-nspawn ssh ssh-keygen ip; do
    command -v "$p" >/dev/null || { echo "systemd-host: needs $p (see .ci/run)" >&2; exit 2; }
  done
  local t0 t1 t2
  t0=$(now_ms)
  build
  t1=$(now_ms)
  down
  mkdir -p "$DIR"
  trap 'echo "systemd-host: up failed; tearing down (log: $DIR/nspawn.log)" >&2; tail -n 30 "$DIR/nspawn.log" >&2 2>/dev/null || true; down' ERR
  echo "$DIR" > "$ACTIVE"

  ip netns add "$NS"
  ip link add "$VETH" type veth peer name eth0 netns "$NS"
  ip addr add "$ROOT_IP/30" dev "$VETH"
  ip link set "$VETH" up
  ip -n "$NS" addr add "$HOST_IP/30" dev eth0
  ip -n "$NS" link set eth0 up
  ip -n "$NS" link set lo up
  # If the link goes away, 10.200.0.134 must not fall through to the default route.
  ip route add blackhole "$NET" metric 4000
  ip neigh flush to "$HOST_IP" dev "$VETH" 2>/dev/null || true
  ip route get "$HOST_IP" | grep -q "dev $VETH" || { echo "systemd-host: $HOST_IP is not routed to $VETH" >&2; false; }

  ssh-keygen -q -t ed25519 -N '' -C portoser-systemd-host -f "$DIR/id_ed25519"
  cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
  chmod 644 "$DIR/authorized_keys"
  : > "$DIR/known_hosts"
  for k in "$ROOTFS"/etc/ssh/ssh_host_*_key.pub; do echo "$HOST_IP $(cut -d' ' -f1,2 "$k")" >> "$DIR/known_hosts"; done

  daemon sh -c 'exec "$@" >"$0" 2>&1' "$DIR/nspawn.log" systemd-nspawn --quiet --directory="$ROOTFS" --boot \
    --volatile=overlay --register=no --keep-unit --console=passive --machine="$NS" \
    --network-namespace-path="/run/netns/$NS" --bind-ro="$DIR/authorized_keys:/etc/ssh/portoser_authorized_keys"
  echo $! > "$DIR/nspawn.pid"
  local ssh=(ssh -F /dev/null -i "$DIR/id_ed25519" -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes
             -o BatchMode=yes -o ConnectTimeout=5)
  local ok=0
  for _ in $(seq 600); do
    kill -0 "$(cat "$DIR/nspawn.pid")" 2>/dev/null || { echo "systemd-host: systemd-nspawn exited" >&2; false; }
    if (exec 3<>"/dev/tcp/$HOST_IP/22") 2>/dev/null; then ok=1; break; fi
    sleep 0.05
  done
  [[ $ok == 1 ]] || { echo "systemd-host: sshd did not answer within 30 s" >&2; false; }
  # Ready when systemd has finished booting (running, or degraded when a unit of no concern here failed).
  local state
  state=$("${ssh[@]}" "root@$HOST_IP" 'timeout 60 systemctl is-system-running --wait' 2>&1 || true)
  case $state in
    running|degraded) ;;
    *) echo "systemd-host: systemd did not finish booting: $state" >&2; false ;;
  esac
  "${ssh[@]}" "deploy@$HOST_IP" true
  t2=$(now_ms)
  printf '%s\n' "systemd $HOST_IP 22 root" "systemd-user $HOST_IP 22 deploy" > "$DIR/hosts"
  printf 'build_ms %s\nboot_ms %s\n' "$((t1 - t0))" "$((t2 - t1))" > "$DIR/timings"
  trap - ERR
  echo "systemd-host: up in $DIR (systemd $state; root ready in $((t1 - t0)) ms, booted in $((t2 - t1)) ms)"
}

case "$cmd" in
  up) up ;;
  down) down ;;
  build) build ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
