package dev.portoser.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The workload of the deploy-speed harness ({@code portoser-benchmarks/speed/deploy-speed.sh}): 30 services on 3
 * hosts, 10 per host, in 3 levels of 10; each service of levels 1 and 2 depends on two services of the level
 * before, at least one of them on another host. Each service writes {@code start NAME EPOCH PID} when its
 * process starts, sleeps its delay, binds its port, writes {@code serve NAME EPOCH PID} and answers HTTP 200.
 * The same workload is written out three times: as a Portoser registry, as a hand-written bash + OpenSSH script
 * and as an Ansible playbook, so the three tools do the same work.
 */
public final class SpeedWorkload {
    /** Services per level. */
    static final int PER_LEVEL = 10;
    /** Levels (the dependency depth). */
    static final int LEVELS = 3;
    /** First port; service {@code i} listens on {@code BASE_PORT + i}. */
    static final int BASE_PORT = 9000;

    /** One test bed host: its name and address. */
    record Host(String name, String address) {
    }

    /** One service of the workload. */
    record Svc(String name, int level, Host host, int port, List<String> dependsOn) {
    }

    private final List<Host> hosts;
    private final double delay;
    private final Map<String, Svc> services = new LinkedHashMap<>();

    /**
     * The workload on these hosts.
     *
     * @param hosts the test bed's hosts (3 in the workload)
     * @param delay seconds each service sleeps before it serves
     */
    SpeedWorkload(List<Host> hosts, double delay) {
        this.hosts = List.copyOf(hosts);
        this.delay = delay;
        for (int level = 0; level < LEVELS; level++) {
            for (int j = 0; j < PER_LEVEL; j++) {
                int i = level * PER_LEVEL + j;
                List<String> deps = new ArrayList<>();
                if (level > 0) {
                    // The next service of the level before, and the first one after it on another host.
                    int first = (j + 1) % PER_LEVEL;
                    deps.add(name(level - 1, first));
                    for (int k = 1; k < PER_LEVEL; k++) {
                        int other = (first + k) % PER_LEVEL;
                        if (((level - 1) * PER_LEVEL + other) % hosts.size() != i % hosts.size()) {
                            deps.add(name(level - 1, other));
                            break;
                        }
                    }
                }
                services.put(name(level, j), new Svc(name(level, j), level, hosts.get(i % hosts.size()), BASE_PORT + i,
                        List.copyOf(deps)));
            }
        }
    }

    static String name(int level, int j) {
        return "s" + level + j;
    }

    Map<String, Svc> services() {
        return services;
    }

    double delay() {
        return delay;
    }

    private String command(Svc s) {
        return String.format(Locale.ROOT, "python3 /root/bench/svc.py %s %.3f %d /root/bench/log/%s.log", s.name(), delay,
                s.port(), s.name());
    }

    /**
     * The Portoser registry: {@code local} services with an HTTP health check, nothing else set (the defaults).
     *
     * @param key the client's private key
     * @return YAML text
     */
    String registry(String key) {
        StringBuilder y = new StringBuilder("machines:\n");
        for (Host h : hosts) {
            y.append("  ").append(h.name()).append(": {host: ").append(h.address())
                    .append(", user: root, platform: linux, ssh_key: ").append(key).append("}\n");
        }
        y.append("services:\n");
        for (Svc s : services.values()) {
            y.append("  ").append(s.name()).append(": {type: local, path: /root, machine: ").append(s.host().name())
                    .append(", command: \"").append(command(s)).append("\", port: ").append(s.port())
                    .append(", health: {type: http}");
            if (!s.dependsOn().isEmpty()) {
                y.append(", depends_on: [").append(String.join(", ", s.dependsOn())).append(']');
            }
            y.append("}\n");
        }
        return y.toString();
    }

    /**
     * The hand-written script: for each level, one {@code ssh} per host (through a ControlMaster) that starts
     * that host's services of the level, then {@code curl} every 50 ms until each of them answers.
     *
     * @param sshConfig the ssh_config file with the hosts, key and known_hosts
     * @param controlDir where the ControlMaster sockets go
     * @return bash text
     */
    String bashScript(String sshConfig, String controlDir) {
        StringBuilder b = new StringBuilder("#!/usr/bin/env bash\n# Hand-written deploy: one ssh per host per level, curl every 50 ms.\n"
                + "set -euo pipefail\n");
        b.append("S=(-F ").append(sshConfig).append(" -o ControlMaster=auto -o ControlPath=").append(controlDir)
                .append("/cm-%h -o ControlPersist=60)\n");
        b.append("wait_up() { for _ in $(seq 1200); do curl -fso /dev/null \"http://$1/\" && return 0; sleep 0.05; done; "
                + "echo \"$1 never answered\" >&2; return 1; }\n");
        for (int level = 0; level < LEVELS; level++) {
            b.append("# level ").append(level).append('\n');
            List<String> pids = new ArrayList<>();
            for (Host h : hosts) {
                StringBuilder remote = new StringBuilder();
                for (Svc s : services.values()) {
                    if (s.level() == level && s.host().equals(h)) {
                        remote.append("setsid nohup ").append(command(s)).append(" >/dev/null 2>&1 </dev/null & ");
                    }
                }
                if (remote.length() > 0) {
                    b.append("ssh \"${S[@]}\" ").append(h.address()).append(" '").append(remote).append("' & p").append(pids.size())
                            .append("=$!\n");
                    pids.add("$p" + pids.size());
                }
            }
            b.append("wait ").append(String.join(" ", pids)).append('\n');
            List<String> waits = new ArrayList<>();
            for (Svc s : services.values()) {
                if (s.level() == level) {
                    b.append("wait_up ").append(s.host().address()).append(':').append(s.port()).append(" & w")
                            .append(waits.size()).append("=$!\n");
                    waits.add("$w" + waits.size());
                }
            }
            for (String w : waits) {
                b.append("wait ").append(w).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * The Ansible inventory: the hosts, with pipelining and a persistent ControlMaster.
     *
     * @param key the client's private key
     * @param knownHosts the known_hosts file
     * @param controlDir where the ControlMaster sockets go
     * @return INI text
     */
    String inventory(String key, String knownHosts, String controlDir) {
        StringBuilder b = new StringBuilder("[bench]\n");
        for (Host h : hosts) {
            b.append(h.name()).append(" ansible_host=").append(h.address()).append('\n');
        }
        b.append("\n[bench:vars]\nansible_user=root\nansible_python_interpreter=/usr/bin/python3\n")
                .append("ansible_ssh_private_key_file=").append(key).append('\n')
                .append("ansible_ssh_pipelining=true\n")
                .append("ansible_ssh_common_args=-o UserKnownHostsFile=").append(knownHosts)
                .append(" -o StrictHostKeyChecking=yes -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=")
                .append(controlDir).append("/an-%h\n");
        return b.toString();
    }

    /**
     * The playbook: one play per level (dependencies first), linear strategy; on each host, start that host's
     * services of the level, then {@code uri} each until it answers 200 (as often as Ansible can: delay 0).
     *
     * @return YAML text
     */
    String playbook() {
        StringBuilder b = new StringBuilder();
        for (int level = 0; level < LEVELS; level++) {
            b.append("- name: level ").append(level).append("\n  hosts: bench\n  gather_facts: false\n  strategy: linear\n")
                    .append("  vars:\n    start:\n");
            for (Host h : hosts) {
                b.append("      ").append(h.name()).append(":\n");
                for (Svc s : services.values()) {
                    if (s.level() == level && s.host().equals(h)) {
                        b.append("        - \"").append(command(s)).append("\"\n");
                    }
                }
            }
            b.append("    ports:\n");
            for (Host h : hosts) {
                b.append("      ").append(h.name()).append(": [");
                List<String> ports = new ArrayList<>();
                for (Svc s : services.values()) {
                    if (s.level() == level && s.host().equals(h)) {
                        ports.add(String.valueOf(s.port()));
                    }
                }
                b.append(String.join(", ", ports)).append("]\n");
            }
            b.append("  tasks:\n")
                    .append("    - name: start\n")
                    .append("      ansible.builtin.shell: \"setsid nohup {{ item }} >/dev/null 2>&1 </dev/null &\"\n")
                    .append("      loop: \"{{ start[inventory_hostname] }}\"\n")
                    .append("    - name: wait until it answers\n      ansible.builtin.uri:\n")
                    .append("        url: \"http://127.0.0.1:{{ item }}/\"\n        status_code: 200\n")
                    .append("      register: r\n      until: r.status == 200\n      retries: 600\n      delay: 0\n")
                    .append("      loop: \"{{ ports[inventory_hostname] }}\"\n");
        }
        return b.toString();
    }

    /**
     * The dependencies file the report checks the logs against: {@code NAME HOST PORT DEP...} a line.
     *
     * @return text
     */
    String dependencies() {
        StringBuilder b = new StringBuilder();
        for (Svc s : services.values()) {
            b.append(s.name()).append(' ').append(s.host().name()).append(' ').append(s.port());
            s.dependsOn().forEach(d -> b.append(' ').append(d));
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * The critical path of start delays: the longest chain of delays through the dependencies.
     *
     * @return seconds
     */
    double criticalPath() {
        Map<String, Double> finish = new LinkedHashMap<>();
        double longest = 0;
        for (Svc s : services.values()) { // in level order: dependencies come first
            double ready = s.dependsOn().stream().mapToDouble(finish::get).max().orElse(0);
            finish.put(s.name(), ready + delay);
            longest = Math.max(longest, ready + delay);
        }
        return longest;
    }
}
