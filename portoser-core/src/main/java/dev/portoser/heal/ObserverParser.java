package dev.portoser.heal;

import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reads the {@link ObserverScript}'s answer into observations; a line it does not know is skipped. */
final class ObserverParser {
    private ObserverParser() {
    }

    static void parse(String out, Service service, List<Observation> items) {
        items.add(new Observation.Reachability(true, ""));
        List<String> log = null;
        for (String line : out.split("\n", -1)) {
            if (log != null) {
                log.add(line);
                continue;
            }
            if (line.equals("--log--")) {
                log = new ArrayList<>();
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                continue;
            }
            String key = line.substring(0, tab);
            String[] f = line.substring(tab + 1).split("\\|", -1);
            try {
                Observation o = observation(key, f, line.substring(tab + 1));
                if (o != null) {
                    items.add(o);
                }
            } catch (RuntimeException e) {
                // A field the machine spelt otherwise (a ps or df of another flavour): that fact is not known.
            }
        }
        if (log != null) {
            while (!log.isEmpty() && log.get(log.size() - 1).isEmpty()) {
                log.remove(log.size() - 1);
            }
            String source = service.type() == ServiceType.DOCKER ? "the container's output"
                    : service.type() == ServiceType.NATIVE ? "the unit's journal" : dev.portoser.deploy.MachineLayout.logFile(service);
            items.add(new Observation.LogTail(source, log));
        }
    }

    private static @Nullable Observation observation(String key, String[] f, String raw) {
        return switch (key) {
            case "instance" -> new Observation.Instance(Observer.state(f[0]), blank(f[1]), integer(f[2]),
                    raw.substring(f[0].length() + f[1].length() + f[2].length() + 3));
            case "pidfile" -> f.length == 2 ? new Observation.PidFile(f[0], false, null, false, false, "")
                    : new Observation.PidFile(f[0], true, f[1].isEmpty() ? null : Long.valueOf(f[1]),
                    "yes".equals(f[2]), "yes".equals(f[3]), rest(f, 4));
            case "port" -> new Observation.PortOwner(Integer.parseInt(f[0]),
                    Observation.PortOwner.Owner.valueOf(f[1]), f[2].isEmpty() ? null : Long.valueOf(f[2]),
                    blank(f[3]), rest(f, 4));
            case "disk" -> new Observation.DiskUsage(f[0], f[1], Integer.parseInt(f[2].strip()),
                    Long.parseLong(f[3].strip()));
            case "path" -> new Observation.PathAccess(f[0], yes(f[1]), yes(f[2]), yes(f[3]), yes(f[4]), yes(f[5]),
                    rest(f, 6));
            case "exe" -> new Observation.Executable(f[0], yes(f[1]), rest(f, 2));
            case "compose" -> new Observation.ComposeFile(f[0], yes(f[1]));
            case "docker" -> new Observation.DockerDaemon(Observation.DockerDaemon.DaemonState.valueOf(f[0]), rest(f, 1));
            case "container" -> new Observation.Container(f[0].startsWith("/") ? f[0].substring(1) : f[0], f[1],
                    Integer.parseInt(f[2]), Boolean.parseBoolean(f[3]), Integer.parseInt(f[4]));
            case "unit" -> unit(f[0], rest(f, 1));
            default -> null;
        };
    }

    private static Observation.Unit unit(String name, String properties) {
        String active = "unknown";
        String sub = "unknown";
        String result = "unknown";
        Integer exit = null;
        for (String p : properties.split(";")) {
            int eq = p.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String v = p.substring(eq + 1).strip();
            switch (p.substring(0, eq).strip()) {
                case "ActiveState" -> active = v;
                case "SubState" -> sub = v;
                case "Result" -> result = v;
                case "ExecMainStatus" -> exit = integer(v);
                default -> { }
            }
        }
        return new Observation.Unit(name, active, sub, result, exit);
    }

    private static boolean yes(String s) {
        return "yes".equals(s);
    }

    private static @Nullable String blank(String s) {
        return s.isEmpty() ? null : s;
    }

    private static @Nullable Integer integer(String s) {
        try {
            return s.isEmpty() ? null : Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Fields from {@code from} on, joined again (a command line may hold '|'). */
    private static String rest(String[] f, int from) {
        return from >= f.length ? "" : String.join("|", java.util.Arrays.copyOfRange(f, from, f.length));
    }
}
