package dev.portoser.deploy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.portoser.registry.PortMapping;
import dev.portoser.registry.Resources;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * What {@link DockerComposeDeployer} generates beside the user's Compose file: the override (env file, resources,
 * published port) and the 0600 env file; and what it needs to know of the user's file (its services, its named
 * volumes). Package-private: not API.
 */
final class ComposeFiles {
    private static final String HEADER = "# Written by Portoser for %s; replaced at every deploy. Do not edit.\n";

    private ComposeFiles() {
    }

    /** What Portoser reads from the user's Compose file; every field empty when the file does not parse. */
    record UserFile(@Nullable String version, List<String> services, @Nullable String name,
                    List<String> projectVolumes, boolean parsed) {
        UserFile {
            services = List.copyOf(services);
            projectVolumes = List.copyOf(projectVolumes);
        }
    }

    /**
     * Reads the top level of a Compose file: {@code version}, {@code name}, the service names and the named
     * volumes whose Docker name carries the project name (not {@code external}, no {@code name:} of their own).
     * A file that does not parse gives an empty answer: Compose itself reports the error, in its own words.
     */
    static UserFile read(String content) {
        Object doc;
        try {
            LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(true).setMaxAliasesForCollections(50)
                    .setCodePointLimit(8 << 20).build();
            doc = new Load(settings).loadFromString(content);
        } catch (YamlEngineException | IllegalArgumentException e) {
            return new UserFile(null, List.of(), null, List.of(), false);
        }
        if (!(doc instanceof Map<?, ?> top)) {
            return new UserFile(null, List.of(), null, List.of(), false);
        }
        String version = top.get("version") == null ? null : String.valueOf(top.get("version"));
        String name = top.get("name") == null ? null : String.valueOf(top.get("name"));
        List<String> services = new ArrayList<>();
        if (top.get("services") instanceof Map<?, ?> s) {
            s.keySet().forEach(k -> services.add(String.valueOf(k)));
        }
        List<String> volumes = new ArrayList<>();
        if (top.get("volumes") instanceof Map<?, ?> v) {
            v.forEach((key, def) -> {
                boolean fixedName = def instanceof Map<?, ?> d && (d.get("name") != null
                        || Boolean.TRUE.equals(d.get("external")) || d.get("external") instanceof Map<?, ?>);
                if (!fixedName) {
                    volumes.add(String.valueOf(key));
                }
            });
        }
        return new UserFile(version, services, name, volumes, true);
    }

    /**
     * The service of the Compose file that gets the registry's {@code port_mapping}: the only one, or the one named
     * like the registry's service.
     *
     * @throws DeployException when there are several and none has the registry service's name
     */
    static @Nullable String portTarget(Service service, UserFile file) {
        if (service.portMapping() == null || !file.parsed()) {
            return null;
        }
        if (file.services().size() == 1) {
            return file.services().get(0);
        }
        if (file.services().contains(service.name())) {
            return service.name();
        }
        throw new DeployException("cannot apply port_mapping of " + service.name() + ": its compose file "
                + service.composeFile() + " has " + file.services().size() + " services " + file.services()
                + " and none is named " + service.name(), null);
    }

    /**
     * The override: for every service of the user's file, the generated env file, and the resource limits; the
     * published port for {@link #portTarget}. A Compose file of format 2.x gets {@code mem_limit}/{@code cpus}
     * (which that format knows); any other gets {@code deploy.resources.limits} (Compose v2 applies it, v1 with
     * {@code --compatibility}). The user's {@code version} is repeated, since Compose v1 refuses to merge files of
     * different versions. Holds no secret and no value of {@code env}.
     *
     * @param envFile the generated env file's absolute path on the machine
     */
    static String override(Service service, UserFile file, String envFile) {
        StringBuilder y = new StringBuilder(String.format(HEADER, service.name()));
        if (file.version() != null) {
            y.append("version: ").append(q(file.version())).append('\n');
        }
        if (file.services().isEmpty()) {
            // Nothing to attach to (the file has no services or does not parse); Compose will say what is wrong.
            return y.toString();
        }
        String portTarget = portTarget(service, file);
        boolean format2 = file.version() != null && file.version().startsWith("2");
        Resources r = service.resources();
        y.append("services:\n");
        for (String s : file.services()) {
            y.append("  ").append(q(s)).append(":\n");
            y.append("    env_file:\n      - ").append(q(envFile)).append('\n');
            if (r != null && (r.memory() != null || r.cpus() != null)) {
                if (format2) {
                    if (r.memory() != null) {
                        y.append("    mem_limit: ").append(q(composeSize(r.memory()))).append('\n');
                    }
                    if (r.cpus() != null) {
                        y.append("    cpus: ").append(q(String.valueOf(r.cpus()))).append('\n');
                    }
                } else {
                    y.append("    deploy:\n      resources:\n        limits:\n");
                    if (r.memory() != null) {
                        y.append("          memory: ").append(q(composeSize(r.memory()))).append('\n');
                    }
                    if (r.cpus() != null) {
                        y.append("          cpus: ").append(q(String.valueOf(r.cpus()))).append('\n');
                    }
                }
            }
            if (s.equals(portTarget)) {
                PortMapping p = service.portMapping();
                y.append("    ports:\n      - ").append(q(p.host() + ":" + p.container())).append('\n');
            }
        }
        return y.toString();
    }

    /** Compose's size units are b, k, m, g (binary); the registry also allows MiB, MB and so on. */
    static String composeSize(String size) {
        String s = size.strip();
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        String unit = s.substring(i).toLowerCase(java.util.Locale.ROOT);
        String number = s.substring(0, i);
        return switch (unit) {
            case "", "b" -> number;
            default -> number + unit.charAt(0);
        };
    }

    /**
     * The env file's lines, {@code KEY='value'}: {@code PORT} when the service has a port, {@code env}, then the
     * secrets (revealed, or masked for a reviewer, or by version for a digest).
     */
    static String envFile(DeployContext context, SecretView view) {
        Map<String, String> env = new LinkedHashMap<>();
        if (context.port() != null) {
            env.put("PORT", String.valueOf(context.port()));
        }
        env.putAll(context.service().env());
        Map<String, String> secrets = new LinkedHashMap<>();
        context.secrets().forEach((name, secret) -> secrets.put(name, view.show(context, secret)));
        StringBuilder sb = new StringBuilder(String.format(HEADER, context.service().name()));
        env.forEach((k, v) -> sb.append(k).append('=').append(envValue(context.service(), k, v)).append('\n'));
        secrets.forEach((k, v) -> sb.append(k).append('=').append(envValue(context.service(), k, v)).append('\n'));
        return sb.toString();
    }

    /** How a secret appears in the env file. */
    enum SecretView {
        /** Its value, for the machine. */
        VALUE,
        /** Masked, for a reviewer. */
        MASKED,
        /** Its version (or keyed digest), for the configuration digest. */
        DIGEST;

        String show(DeployContext context, Secret secret) {
            return switch (this) {
                case VALUE -> secret.reveal();
                case MASKED -> "********";
                case DIGEST -> context.digest().secret(secret);
            };
        }
    }

    /**
     * A value as Compose v1 (python-dotenv) and v2 (compose-go) both read it literally: in single quotes, which
     * neither interpolates nor unescapes.
     */
    private static String envValue(Service service, String key, String value) {
        if (value.indexOf('\'') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new DeployException("cannot pass " + key + " of " + service.name()
                    + " to Compose: its value holds a quote or a line break, which Compose's env files cannot carry"
                    + " literally", null);
        }
        return "'" + value + "'";
    }

    /** A YAML double-quoted scalar (JSON string syntax, which YAML 1.1 and 1.2 read alike). */
    static String q(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
