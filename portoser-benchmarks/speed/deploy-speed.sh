#!/usr/bin/env bash
# Deploy speed, side by side: Portoser's CLI at its defaults, a hand-written bash + OpenSSH ControlMaster script
# and Ansible, on the project's test bed (3 hosts in network namespaces), interleaved, N rounds.
#
#   sudo portoser-benchmarks/speed/deploy-speed.sh [ROUNDS]      (default 5; run from anywhere, as root)
#   sudo portoser-benchmarks/speed/deploy-speed.sh fanout [ROUNDS]  only the fan-out
#   sudo portoser-benchmarks/speed/deploy-speed.sh events DELAY  one Portoser deploy and its no-change redeploy
#                                                               with --events (JSON lines) into RESULTS, to see where time goes
#
# Workload (dev.portoser.benchmarks.SpeedWorkload): 30 `local` services, 10 per host, dependency depth 3 across
# hosts, each serving HTTP DELAY s after it starts, DELAY = 1.0 and 0. Each run starts cold (services killed, the
# hosts' ~/.portoser removed) and is checked from the services' own logs: every service answers 200, started
# once, and only after each of its dependencies served. Also timed: Portoser's no-change redeploy of the 30
# services, and `portoser exec --all -- hostname` on 10 hosts against parallel cold OpenSSH.
# Results stay in RESULTS (printed at the end); the test bed is always torn down.
set -euo pipefail
EVENTS= ONLY_FANOUT=
if [[ ${1:-} == events ]]; then EVENTS=${2:?DELAY}; set -- 1; fi
if [[ ${1:-} == fanout ]]; then ONLY_FANOUT=1; shift; fi
ROUNDS=${1:-5}
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || { echo "deploy-speed: ROUNDS must be a positive number" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "deploy-speed: run as root (the test bed needs network namespaces)" >&2; exit 2; }
for c in ansible-playbook curl python3 javac ssh; do
  command -v $c >/dev/null || { echo "deploy-speed: needs $c" >&2; exit 2; }
done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
R=${RESULTS:-$(mktemp -d /tmp/portoser-speed-results.XXXXXX)}
TB=$R/testbed            # the test bed's own state directory (not the ITs')
mkdir -p "$R/cm" "$R/classes" "$R/ansible-tmp"
exec 9>/tmp/portoser-testbed.lock
echo "deploy-speed: waiting for the test bed lock" >&2
flock 9
trap '"$root/testbed/testbed.sh" down "$TB" >/dev/null 2>&1 || true; rm -rf "$R/cm" "$R/ansible-tmp"' EXIT

javac -d "$R/classes" "$root"/portoser-benchmarks/src/main/java/dev/portoser/benchmarks/{SpeedWorkload,SpeedReport,DeploySpeed}.java
speed() { java -cp "$R/classes" dev.portoser.benchmarks.DeploySpeed "$@"; }
"$root/portoser" --version >/dev/null     # builds the CLI first if its sources changed (not timed)
portoser() { "$root/portoser" "$@"; }
now() { date +%s.%N; }
export ANSIBLE_FORKS=5 ANSIBLE_PIPELINING=true ANSIBLE_LOCAL_TEMP=$R/ansible-tmp ANSIBLE_HOST_KEY_CHECKING=true \
  ANSIBLE_RETRY_FILES_ENABLED=false ANSIBLE_NOCOLOR=1 ANSIBLE_CONFIG=$R/ansible.cfg
printf '[defaults]\n' > "$R/ansible.cfg"   # no ansible.cfg of the caller's

write_ssh_config() {
  : > "$R/ssh_config"
  printf 'Host *\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n  ConnectTimeout 5\n' \
    "$TB/id_ed25519" "$TB/known_hosts" >> "$R/ssh_config"
}

install_service() { # the stand-in service on every host (each host's /root is $TB/hN/root)
  for h in "$TB"/h*/root; do
    mkdir -p "$h/bench/log"
    cat > "$h/bench/svc.py" <<'PY'
import http.server, os, sys, time
name, delay, port, log = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def note(what):
    with open(log, "a") as f:
        f.write("%s %s %.6f %d\n" % (what, name, time.time(), os.getpid()))
note("start")
time.sleep(delay)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "3"); self.end_headers(); self.wfile.write(b"ok\n")
    def log_message(self, *a): pass
server = http.server.ThreadingHTTPServer(("0.0.0.0", port), H)
note("serve")
server.serve_forever()
PY
  done
}

reset_hosts() { # cold start: end the services this harness started (by their PIDs) and forget what was deployed
  local pids=() pid
  for f in "$TB"/h*/root/.portoser/run/*.pid; do   # Portoser's session leaders (their groups: runner + service)
    [[ -f $f ]] && pid=$(head -n 1 "$f") && [[ $pid =~ ^[0-9]+$ ]] && kill -KILL -- "-$pid" 2>/dev/null || true
  done
  for f in "$TB"/h*/root/bench/log/*.log; do
    [[ -f $f ]] || continue
    while read -r _ _ _ pid; do pids+=("$pid"); done < <(grep '^start ' "$f")
  done
  if ((${#pids[@]})); then
    kill -KILL "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "${pids[@]}" 2>/dev/null || break; sleep 0.05; done
  fi
  rm -f "$TB"/h*/root/bench/log/*.log
  for _ in $(seq 50); do   # a runner may still be writing its exit status as it ends
    rm -rf "$TB"/h*/root/.portoser 2>/dev/null && break
    sleep 0.1
  done
  [[ ! -e "$TB/h1/root/.portoser" ]] || { echo "deploy-speed: cannot remove the hosts' ~/.portoser" >&2; exit 1; }
}

collect() { # RUNDIR DELAY: the services' logs and an HTTP probe of each
  local run=$1 name host port
  mkdir -p "$run/logs"
  cp "$TB"/h*/root/bench/log/*.log "$run/logs/" 2>/dev/null || true
  : > "$run/answers"
  while read -r name host port _; do
    ip=$(awk -v h="$host" '$1 == h {print $2}' "$TB/hosts")
    echo "$name $(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://$ip:$port/" || true)" >> "$run/answers"
  done < "$R/dependencies-$2"
}

record() { echo "$1 $2 $3 $4 ${5:-}" >> "$R/runs.tsv"; }

cold_connect() { # one cold OpenSSH connection, timed
  local t0; t0=$(now)
  ssh -F "$R/ssh_config" -o ControlPath=none "$(awk 'NR==1 {print $2}' "$TB/hosts")" true
  echo "$(now) - $t0" | bc -l
}

run_tool() { # TOOL DELAY ROUND
  local tool=$1 d=$2 r=$3 dir="$R/$2" t0 t1 run
  run="runs/deploy-$d-$tool-$r"
  reset_hosts
  case $tool in
    portoser)
      t0=$(now); portoser deploy --all --registry "$dir/registry.yml" --state-dir "$R/state" \
          --known-hosts "$TB/known_hosts" > "$R/$run.out" 2>&1 || { cat "$R/$run.out" >&2; false; }; t1=$(now) ;;
    bash)
      for ip in $(awk '{print $2}' "$TB/hosts"); do ssh -F "$R/ssh_config" -o ControlPath="$R/cm/cm-%h" -O exit "$ip" 2>/dev/null || true; done
      t0=$(now); bash "$dir/deploy.sh" > "$R/$run.out" 2>&1 || { cat "$R/$run.out" >&2; false; }; t1=$(now) ;;
    ansible)
      ansible -i "$dir/inventory" bench -m ansible.builtin.ping > /dev/null   # ControlPersist warm, not timed
      t0=$(now); ansible-playbook -i "$dir/inventory" "$dir/playbook.yml" > "$R/$run.out" 2>&1 || { cat "$R/$run.out" >&2; false; }; t1=$(now) ;;
  esac
  collect "$R/$run" "$d"
  record "deploy-$d" "$tool" "$r" "$(echo "$t1 - $t0" | bc -l)" "$run"
  if [[ $tool == portoser && $d == 1.0 ]]; then   # the no-change redeploy of the same 30 services
    run="runs/redeploy-portoser-$r"
    t0=$(now); portoser deploy --all --registry "$dir/registry.yml" --state-dir "$R/state" \
        --known-hosts "$TB/known_hosts" > "$R/$run.out" 2>&1 || { cat "$R/$run.out" >&2; false; }; t1=$(now)
    collect "$R/$run" "$d"
    record redeploy portoser "$r" "$(echo "$t1 - $t0" | bc -l)" "$run"
  fi
}

mkdir -p "$R/runs"; : > "$R/runs.tsv"
if [[ -z $ONLY_FANOUT ]]; then
"$root/testbed/testbed.sh" up 3 "$TB" >&2
write_ssh_config
install_service
for d in 1.0 0; do speed generate "$R" "$TB" "$d"; done
if [[ -n $EVENTS ]]; then
  for what in cold redeploy; do
    [[ $what == cold ]] && reset_hosts
    t0=$(now); portoser deploy --all --events --registry "$R/$EVENTS/registry.yml" --state-dir "$R/state" \
        --known-hosts "$TB/known_hosts" > "$R/events-$what.jsonl"; t1=$(now)
    echo "$what deploy: $(echo "$t1 - $t0" | bc -l) s; events in $R/events-$what.jsonl"
  done
  reset_hosts
  exit 0
fi
tools=(portoser bash ansible)
for r in $(seq 0 "$ROUNDS"); do   # round 0 warms caches and is not counted
  for d in 1.0 0; do
    for k in 0 1 2; do
      tool=${tools[$(((k + r) % 3))]}            # each round in a different order
      run_tool "$tool" "$d" "$r"
    done
  done
  record connect ssh "$r" "$(cold_connect)"
  echo "deploy-speed: round $r of $ROUNDS done ($(cut -d' ' -f1-3 /proc/loadavg) load)" >&2
done
reset_hosts
"$root/testbed/testbed.sh" down "$TB" >&2
fi

# Fan-out: `hostname` on 10 hosts, portoser exec against parallel cold OpenSSH.
"$root/testbed/testbed.sh" up 10 "$TB" >&2
write_ssh_config
{ echo "machines:"; while read -r h ip _; do echo "  $h: {host: $ip, user: root, platform: linux, ssh_key: $TB/id_ed25519}"; done < "$TB/hosts"; } > "$R/fanout.yml"
for r in $(seq 0 "$ROUNDS"); do
  t0=$(now); portoser exec --all --registry "$R/fanout.yml" --known-hosts "$TB/known_hosts" -- hostname > "$R/runs/fanout-portoser-$r.out"; t1=$(now)
  record fanout portoser "$r" "$(echo "$t1 - $t0" | bc -l)"
  t0=$(now)
  for ip in $(awk '{print $2}' "$TB/hosts"); do ssh -F "$R/ssh_config" -o ControlPath=none "$ip" hostname & done > "$R/runs/fanout-ssh-$r.out"
  wait; t1=$(now)
  record fanout ssh "$r" "$(echo "$t1 - $t0" | bc -l)"
done
"$root/testbed/testbed.sh" down "$TB" >&2
sed -i '/^[a-z0-9.-]* [a-z]* 0 /d' "$R/runs.tsv"   # round 0 was the warm-up

echo "# deploy speed, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(java -version 2>&1 | head -n 1); $(ansible --version | head -n 1); $(ssh -V 2>&1)"
speed report "$R"
echo "results: $R"
