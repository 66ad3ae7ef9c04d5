package dev.portoser.benchmarks;

import java.util.Random;

/**
 * Writes a large, valid, realistic registry: every service type, health checks, environment, secrets, tags,
 * groups, and a dependency DAG (each service depends only on earlier ones). The same arguments always give
 * the same text.
 */
public final class RegistryGenerator {
    private RegistryGenerator() {
    }

    /**
     * The registry text.
     *
     * @param services how many services
     * @param machines how many machines they are spread over
     * @param seed seed for the dependency choices
     * @return YAML text
     */
    public static String generate(int services, int machines, long seed) {
        Random random = new Random(seed);
        StringBuilder y = new StringBuilder(services * 400);
        y.append("machines:\n");
        for (int m = 0; m < machines; m++) {
            y.append("  m").append(m).append(":\n")
                    .append("    host: 10.").append(m / 250).append('.').append(m % 250).append(".10\n")
                    .append("    user: deploy\n")
                    .append("    platform: ").append(m % 10 == 0 ? "darwin" : "linux").append('\n')
                    .append("    ssh_key: ~/.ssh/id_ed25519\n")
                    .append("    vault_role: m").append(m).append("-approle\n")
                    .append("    tags: [production, rack-").append(m % 8).append("]\n");
        }
        int groups = Math.max(1, services / 500);
        y.append("groups:\n");
        for (int g = 0; g < groups; g++) {
            y.append("  stack-").append(g).append(":\n");
        }
        y.append("services:\n");
        for (int s = 0; s < services; s++) {
            int machine = s % machines;
            int port = 10_000 + s / machines;
            String type = switch (s % 3) {
                case 0 -> "docker";
                case 1 -> "local";
                default -> "native";
            };
            y.append("  svc-").append(s).append(":\n")
                    .append("    type: ").append(type).append('\n')
                    .append("    path: /opt/services/svc-").append(s).append('\n')
                    .append("    machine: m").append(machine).append('\n')
                    .append("    port: ").append(port).append('\n');
            if (!type.equals("docker")) {
                y.append("    command: \"./bin/server --port ").append(port).append("\"\n");
            }
            if (s % 2 == 0) {
                y.append("    health:\n      type: http\n      endpoint: /health\n      interval: 15\n      retries: 2\n");
            } else {
                y.append("    health: {type: tcp, timeout: 3}\n");
            }
            if (s > 0) {
                int deps = random.nextInt(Math.min(s, 3) + 1);
                if (deps > 0) {
                    y.append("    depends_on:");
                    for (int d = 0; d < deps; d++) {
                        y.append("\n      - svc-").append(random.nextInt(s));
                    }
                    y.append('\n');
                }
            }
            y.append("    env:\n      LOG_LEVEL: info\n      REGION: eu-").append(machine % 4)
                    .append("\n      WORKERS: \"").append(1 + s % 8).append("\"\n");
            if (s % 5 == 0) {
                y.append("    vault_secrets:\n      - path: secret/data/svc-").append(s)
                        .append("\n        keys: [api_key, database_url]\n");
            }
            y.append("    tags: [tier-").append(s % 3).append(", team-").append(s % 12).append("]\n")
                    .append("    group: stack-").append(s % groups).append('\n');
        }
        return y.toString();
    }
}
